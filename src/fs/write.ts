import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CrossbakeError } from '../errors.js';
import { provenance } from '../render/header.js';

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

/**
 * Writes all files or none: every guard is checked first, then each file goes to a temp file that is
 * renamed over the target. A file a user wrote or edited is only replaced with `force`.
 */
export function writeFiles(files: readonly OutputFile[], options: { force: boolean; cwd: string }): WriteResult {
  const show = (p: string) => relative(options.cwd, p) || p;
  const refused: string[] = [];
  const changed: OutputFile[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const before = existing(file.path);
    if (before === file.content) {
      unchanged.push(file.path);
      continue;
    }
    if (before !== undefined && !options.force) {
      const state = provenance(before);
      if (state === 'edited') refused.push(`${show(file.path)} was edited by hand since crossbake wrote it`);
      if (state === 'foreign') refused.push(`${show(file.path)} exists and was not written by crossbake`);
    }
    changed.push(file);
  }
  if (refused.length > 0) {
    throw new CrossbakeError(
      'conflict',
      `refusing to overwrite ${refused.length === 1 ? 'a file' : `${refused.length} files`}; move your changes into the crossbake settings, or run again with --force to replace ${refused.length === 1 ? 'it' : 'them'}:`,
      refused,
    );
  }
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
    throw new CrossbakeError('environment', `cannot write generated files: ${(error as Error).message}. Check that the output directory is writable.`);
  }
  return { written: changed.map((f) => f.path), unchanged };
}
