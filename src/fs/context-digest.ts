import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The paths a .dockerignore excludes for certain: its plain entries (`target/`, `/crates/x/target/`,
 * `.git/`), rooted at the context as Docker roots them. Entries with wildcards are not excluded here, and
 * a `!` exception anywhere turns exclusion off: a path excluded wrongly could hide a change, one
 * included needlessly only costs reading it.
 */
export function plainExclusions(dockerignore: string): string[] {
  const lines = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.some((l) => l.startsWith('!'))) return [];
  return lines
    .filter((l) => !/[*?[\\]/.test(l))
    .map((l) => l.replace(/^\/+/, '').replace(/\/+$/, ''))
    .filter((l) => l !== '' && l !== '.' && !l.split('/').includes('..'));
}

/**
 * A build context as the builder would receive it, path by path (relative, POSIX): a directory's mode, a
 * file's mode, size and sha256, a link's target; `excluded` paths and what is under them left out.
 */
export function contextEntries(dir: string, excluded: readonly string[] = []): Map<string, string> {
  const entries = new Map<string, string>();
  const skip = new Set(excluded);
  const walk = (rel: string) => {
    const names = readdirSync(rel === '' ? dir : join(dir, rel)).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (skip.has(path)) continue;
      const full = join(dir, path);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        entries.set(path, `d ${mode}`);
        walk(path);
      } else if (stat.isSymbolicLink()) {
        entries.set(path, `l ${readlinkSync(full)}`);
      } else if (stat.isFile()) {
        entries.set(path, `f ${mode} ${stat.size} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      } else {
        entries.set(path, `o ${mode}`);
      }
    }
  };
  walk('');
  return entries;
}

/** One digest of context entries (contextEntries), or of the ones `keep` selects. */
export function entriesDigest(entries: ReadonlyMap<string, string>, keep: (path: string) => boolean = () => true): string {
  const hash = createHash('sha256');
  for (const [path, entry] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (keep(path)) hash.update(`${path}\0${entry}\0`);
  }
  return `sha256:${hash.digest('hex')}`;
}
