import { inputError } from '../errors.js';
import type { Lockfile } from './model.js';

/** Debian's name for a crate's source package: lower case, `_` as `-` (serde_json → librust-serde-json-dev). */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/** The Debian packages `librust-<crate>-dev` that provide the lock's registry crates, sorted, each once. */
export function debianCratePackages(lockfile: Lockfile | undefined): string[] {
  const names = new Set<string>();
  for (const p of lockfile?.packages ?? []) {
    if (!p.source?.startsWith('registry+')) continue;
    const name = `librust-${p.name.toLowerCase().replace(/_/g, '-')}-dev`;
    if (!DEBIAN_PACKAGE.test(name)) {
      throw inputError(
        `${lockfile?.path}: package "${p.name}" cannot be a Debian crate package name. Fix its name in Cargo.lock, or list the crates by hand in debian.crates.`,
      );
    }
    names.add(name);
  }
  return [...names].sort();
}
