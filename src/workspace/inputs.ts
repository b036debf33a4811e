import type { DirEntry, WorkspaceFiles } from './files.js';

/**
 * What reading a workspace looked at: the files whose text it read, and its answers about the tree
 * (listings, which files exist, where symlinks lead). The skeleton stage reads the workspace again inside
 * the build from exactly these: the files' text, and the layout as recorded here. Its cache key then
 * depends on the manifests alone, not on every source file of the build context.
 */
export interface WorkspaceInputs {
  /** Root-relative paths of the files whose text was read (sorted). */
  readonly read: readonly string[];
  readonly layout: WorkspaceLayout;
}

export interface WorkspaceLayout {
  /**
   * Directory listings asked for, each entry a name, a directory's with a trailing `/`; null: no such
   * directory. Only entries the reader looks at are kept.
   */
  readonly lists: Readonly<Record<string, readonly string[] | null>>;
  /** Files asked about without their text (true: exists). */
  readonly files: Readonly<Record<string, boolean>>;
  readonly realpaths: Readonly<Record<string, string | null>>;
}

/**
 * The reader looks only at subdirectories and `.rs` files of a listing (member globs, src/bin): other
 * entries are left out, so a new README beside the crates changes nothing recorded.
 */
const looked = (entry: DirEntry) => entry.isDirectory || entry.name.endsWith('.rs');

/** `inner`, recording what is asked of it. */
export function recordingFiles(inner: WorkspaceFiles): { files: WorkspaceFiles; inputs: () => WorkspaceInputs } {
  const read = new Set<string>();
  const lists = new Map<string, string[] | null>();
  const files = new Map<string, boolean>();
  const realpaths = new Map<string, string | null>();
  return {
    files: {
      read(path) {
        const text = inner.read(path);
        if (text === undefined) files.set(path, false);
        else read.add(path);
        return text;
      },
      isFile(path) {
        const exists = inner.isFile ? inner.isFile(path) : inner.read(path) !== undefined;
        if (!read.has(path)) files.set(path, exists);
        return exists;
      },
      list(dir) {
        const entries = inner.list(dir)?.filter(looked);
        lists.set(dir, entries ? entries.map((e) => (e.isDirectory ? `${e.name}/` : e.name)) : null);
        return entries;
      },
      realpath(path) {
        const real = inner.realpath(path);
        realpaths.set(path, real ?? null);
        return real;
      },
    },
    inputs: () => ({
      read: [...read].sort(),
      layout: {
        lists: sortedRecord(lists),
        files: sortedRecord(new Map([...files].filter(([p]) => !read.has(p)))),
        realpaths: sortedRecord(realpaths),
      },
    }),
  };
}

function sortedRecord<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The workspace as recorded: text from `readText` for the recorded files, every other answer from the
 * layout. A question the recording did not ask is answered "not there".
 */
export function layoutFiles(
  layout: WorkspaceLayout,
  read: readonly string[],
  readText: (path: string) => string | undefined,
): WorkspaceFiles {
  const texts = new Set(read);
  const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
    Object.hasOwn(record, key) ? record[key] : undefined;
  return {
    read: (path) => (texts.has(path) ? readText(path) : own(layout.files, path) ? '' : undefined),
    isFile: (path) => texts.has(path) || own(layout.files, path) === true,
    list: (dir) =>
      own(layout.lists, dir)?.map((e) => (e.endsWith('/') ? { name: e.slice(0, -1), isDirectory: true } : { name: e, isDirectory: false })),
    realpath: (path) => own(layout.realpaths, path) ?? undefined,
  };
}
