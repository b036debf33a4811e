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
 * A digest of a build context as the builder would receive it: every path, its kind and mode, a file's
 * content, a link's target; `excluded` paths (relative, POSIX) and what is under them left out.
 */
export function contextDigest(dir: string, excluded: readonly string[] = []): string {
  const hash = createHash('sha256');
  const skip = new Set(excluded);
  const walk = (rel: string) => {
    const entries = readdirSync(rel === '' ? dir : join(dir, rel)).sort();
    for (const name of entries) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (skip.has(path)) continue;
      const full = join(dir, path);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        hash.update(`d\0${path}\0${mode}\0`);
        walk(path);
      } else if (stat.isSymbolicLink()) {
        hash.update(`l\0${path}\0${readlinkSync(full)}\0`);
      } else if (stat.isFile()) {
        hash.update(`f\0${path}\0${mode}\0${stat.size}\0`);
        hash.update(readFileSync(full));
      } else {
        hash.update(`o\0${path}\0${mode}\0`);
      }
    }
  };
  walk('');
  return `sha256:${hash.digest('hex')}`;
}
