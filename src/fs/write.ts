import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
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

function existing(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function conflicts(files: readonly OutputFile[], show: (path: string) => string): string[] {
  return files.flatMap((file) => {
    const before = existing(file.path);
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

/** Stops, before anything is built or written, when a write would replace a file a user wrote or edited. */
export function assertWritable(files: readonly OutputFile[], options: { force: boolean; cwd: string }): void {
  if (options.force) return;
  const refused = conflicts(files, (p) => relative(options.cwd, p) || p);
  if (refused.length > 0) {
    throw new CrossbakeError(
      'conflict',
      `refusing to overwrite ${refused.length === 1 ? 'a file' : `${refused.length} files`}; move your changes into the crossbake settings, or run again with --force to replace ${refused.length === 1 ? 'it' : 'them'}:`,
      refused,
    );
  }
}

/**
 * Writes all files or none: every guard is checked first, then each file goes to a temp file that is
 * renamed over the target. A file a user wrote or edited is only replaced with `force`.
 */
export function writeFiles(files: readonly OutputFile[], options: { force: boolean; cwd: string }): WriteResult {
  assertWritable(files, options);
  const changed = files.filter((f) => existing(f.path) !== f.content);
  const unchanged = files.filter((f) => !changed.includes(f)).map((f) => f.path);
  const temps: Array<{ temp: string; path: string }> = [];
  try {
    for (const file of changed) {
      mkdirSync(dirname(file.path), { recursive: true });
      const temp = join(dirname(file.path), `.${Math.random().toString(36).slice(2)}.crossbake.tmp`);
      writeFileSync(temp, file.content);
      temps.push({ temp, path: file.path });
    }
    for (const { temp, path } of temps) renameSync(temp, path);
  } catch (error) {
    for (const { temp } of temps) rmSync(temp, { force: true });
    throw new CrossbakeError(
      'environment',
      `cannot write generated files: ${(error as Error).message}. Check that the output directory is writable.`,
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
