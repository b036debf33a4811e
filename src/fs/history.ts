import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type BuildRecord, formatHistory, parseHistory } from '../buildx/history.js';
import { writeAtomically } from './write.js';

/** $XDG_CACHE_HOME/crossbake (else ~/.cache/crossbake): what this machine remembers between runs. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'crossbake');
}

export const historyFile = (env: NodeJS.ProcessEnv = process.env) => join(cacheDir(env), 'builds.json');

/** The remembered builds; a missing or unreadable file is an empty history, never an error. */
export function readHistory(path: string): BuildRecord[] {
  try {
    return parseHistory(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** Writes the history; returns the reason when it could not (a read-only home must not fail a build). */
export function writeHistory(path: string, records: readonly BuildRecord[]): string | undefined {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeAtomically(path, formatHistory(records));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
