/** Read-only view of a directory tree, so the workspace model is built without touching the disk itself. */
export interface DirEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

export interface WorkspaceFiles {
  /** Text of the file at a root-relative POSIX path, or undefined when there is none. */
  read(path: string): string | undefined;
  /** Entries of a root-relative directory, or undefined when it does not exist. */
  list(dir: string): readonly DirEntry[] | undefined;
  /**
   * Where a root-relative path really is after symlinks, relative to the root (`../x` or absolute when
   * outside it), or undefined when it does not exist.
   */
  realpath(path: string): string | undefined;
  /** Whether a file exists, without its text (by default: whether `read` has one). */
  isFile?(path: string): boolean;
}

/** Whether a root-relative path, as written or after symlinks, leaves the root. */
export function leavesRoot(path: string): boolean {
  return path.startsWith('/') || path === '..' || path.startsWith('../') || /^[A-Za-z]:/.test(path);
}

export function joinPath(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/') || '.';
}

export function isFile(files: WorkspaceFiles, path: string): boolean {
  return files.isFile ? files.isFile(path) : files.read(path) !== undefined;
}
