import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CrossbakeError } from '../errors.js';
import { provenance } from '../generated.js';

export interface OutputFile {
  /** Absolute path. */
  readonly path: string;
  readonly content: string;
}

export interface WriteResult {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

/** A file's current text; undefined when there is none. Any other failure to read it is an error naming it. */
function existing(path: string, show: (path: string) => string = (p) => p): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CrossbakeError(
      'conflict',
      `cannot read ${show(path)} (${code ?? (error as Error).message}), so crossbake cannot tell whether it wrote it; it never replaces a file it cannot check. Fix its permissions, or move it away.`,
    );
  }
}

function conflicts(files: readonly OutputFile[], show: (path: string) => string): string[] {
  return files.flatMap((file) => {
    const before = existing(file.path, show);
    if (before === undefined || before === file.content) return [];
    const state = provenance(before);
    if (state === 'edited') return [`${show(file.path)} was edited by hand since crossbake wrote it`];
    if (state === 'foreign') return [`${show(file.path)} exists and was not written by crossbake`];
    return [];
  });
}

export interface Difference {
  readonly path: string;
  readonly state: 'missing' | 'differs' | 'edited';
}

/** The files whose bytes on disk are not what would be written now (for `--check`); reads only. */
export function differences(files: readonly OutputFile[]): Difference[] {
  return files.flatMap((file): Difference[] => {
    const before = existing(file.path);
    if (before === undefined) return [{ path: file.path, state: 'missing' }];
    if (before === file.content) return [];
    return [{ path: file.path, state: provenance(before) === 'generated' ? 'differs' : 'edited' }];
  });
}

/** The real location of a path that may not exist yet: its deepest existing ancestor resolved, the rest appended. */
function realLocation(path: string): string {
  const rest: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return join(at, ...rest.reverse());
      rest.push(basename(at));
      at = parent;
    }
  }
}

/** Refuses, naming it, an output whose directory leads (through a symlink) outside `root`. */
export function assertInside(files: readonly OutputFile[], root: string, show: (path: string) => string, rootShown = root): void {
  const realRoot = realLocation(root);
  for (const file of files) {
    const real = realLocation(dirname(file.path));
    const rel = relative(realRoot, real);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new CrossbakeError(
        'input',
        `refusing to write ${show(file.path)}: its directory is really ${real}, outside ${rootShown} (a symlink leads there). Replace the symlink by a directory, or remove it.`,
      );
    }
  }
}

/** Stops, before anything is built or written, when a write would replace a file a user wrote or edited. */
export function assertWritable(files: readonly OutputFile[], options: WriteOptions): void {
  const show = (p: string) => relative(options.cwd, p) || p;
  if (options.root !== undefined) assertInside(files, options.root, show, relative(options.cwd, options.root) || '.');
  if (options.force) {
    for (const f of files) existing(f.path, show);
    return;
  }
  const refused = conflicts(files, show);
  if (refused.length > 0) {
    throw new CrossbakeError(
      'conflict',
      `refusing to overwrite ${refused.length === 1 ? 'a file' : `${refused.length} files`}; move your changes into the crossbake settings, or run again with --force to replace ${refused.length === 1 ? 'it' : 'them'}:`,
      refused,
    );
  }
}

export interface WriteOptions {
  readonly force: boolean;
  readonly cwd: string;
  /** When set, no file may be written outside this directory after symlinks are resolved. */
  readonly root?: string;
}

const tempName = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.crossbake.tmp`);

/**
 * Writes all files or none: every guard is checked first, then each file goes to a temp file beside it;
 * only when every temp file is written are they renamed over their targets, and if a rename fails the
 * files already replaced get their old text back (and new ones are removed). A file a user wrote or
 * edited is only replaced with `force`.
 */
export function writeFiles(files: readonly OutputFile[], options: WriteOptions): WriteResult {
  assertWritable(files, options);
  const show = (p: string) => relative(options.cwd, p) || p;
  const before = new Map(files.map((f) => [f.path, existing(f.path, show)]));
  const changed = files.filter((f) => before.get(f.path) !== f.content);
  const unchanged = files.filter((f) => !changed.includes(f)).map((f) => f.path);
  const temps: Array<{ temp: string; path: string }> = [];
  const done: string[] = [];
  const madeDirs: string[] = [];
  try {
    for (const file of changed) {
      const made = mkdirSync(dirname(file.path), { recursive: true });
      if (made) madeDirs.push(made);
      const temp = tempName(file.path);
      temps.push({ temp, path: file.path });
      writeFileSync(temp, file.content);
    }
    for (const { temp, path } of temps) {
      renameSync(temp, path);
      done.push(path);
    }
  } catch (error) {
    for (const { temp } of temps) rmSync(temp, { force: true });
    const unrestored: string[] = [];
    for (const path of done) {
      const old = before.get(path);
      try {
        if (old === undefined) rmSync(path, { force: true });
        else {
          const temp = tempName(path);
          writeFileSync(temp, old);
          renameSync(temp, path);
        }
      } catch {
        unrestored.push(show(path));
      }
    }
    for (const dir of madeDirs.reverse()) rmSync(dir, { recursive: true, force: true });
    throw new CrossbakeError(
      'environment',
      `cannot write generated files: ${(error as Error).message}. ${
        unrestored.length === 0 ? 'Nothing was changed.' : `These could not be restored: ${unrestored.join(', ')}.`
      } Check that the output directory is writable.`,
    );
  }
  return { written: changed.map((f) => f.path), unchanged };
}

/** An output path the user named: its directory must exist, and it must not be a directory itself. */
export function outputPath(flag: string, value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new CrossbakeError('input', `${flag} needs a file name.`);
  const path = resolve(cwd, value);
  const dir = dirname(path);
  let dirOk = false;
  try {
    dirOk = statSync(dir).isDirectory();
  } catch {
    dirOk = false;
  }
  if (!dirOk)
    throw new CrossbakeError(
      'input',
      `${flag} ${value}: the directory ${relative(cwd, dir) || dir} does not exist. Create it, or choose another path.`,
    );
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir)
    throw new CrossbakeError(
      'input',
      `${flag} ${value} is a directory; give a file name, e.g. ${join(value, flag === '--report' ? 'report.json' : 'metadata.json')}.`,
    );
  return path;
}

/** Writes a whole file or nothing: a temp file beside it, renamed over it. */
export function writeAtomically(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.crossbake.tmp`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CrossbakeError('environment', `cannot write ${path}: ${(error as Error).message}. Check that the directory is writable.`);
  }
}
