import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './history.js';
import { writeAtomically } from './write.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * What crossbake read once about content-addressed things (a manifest or an image config by its digest,
 * the runtime packages of an image or of its root layer by that digest): the same digest is the same
 * content, so it never needs reading again. A miss, an unreadable cache or a read-only home only means
 * reading it again.
 */
export function byDigest(kind: 'manifests' | 'configs' | 'runtime-packages', env: NodeJS.ProcessEnv = process.env) {
  const dir = join(cacheDir(env), kind);
  const file = (digest: string) => join(dir, digest.replace(':', '-'));
  return {
    get(digest: string): string | undefined {
      if (!DIGEST.test(digest)) return undefined;
      try {
        return readFileSync(file(digest), 'utf8');
      } catch {
        return undefined;
      }
    },
    put(digest: string, text: string): void {
      if (!DIGEST.test(digest)) return;
      try {
        mkdirSync(dir, { recursive: true });
        writeAtomically(file(digest), text);
      } catch {
        // remembering is an optimisation only
      }
    },
  };
}
