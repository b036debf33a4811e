import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushRecord } from '../buildx/unchanged.js';
import { cacheDir } from './history.js';
import { writeAtomically } from './write.js';

const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;

/**
 * The pushes this machine made, by the fingerprint of what went into them: what `crossbake bake --push`
 * reads to know that nothing changed since. A miss, an unreadable record or a read-only home only means
 * building as usual.
 */
export function pushRecords(env: NodeJS.ProcessEnv = process.env) {
  const dir = join(cacheDir(env), 'pushed');
  const file = (fingerprint: string) => join(dir, `${fingerprint.replace(':', '-')}.json`);
  return {
    get(fingerprint: string): PushRecord | undefined {
      if (!FINGERPRINT.test(fingerprint)) return undefined;
      try {
        const record = JSON.parse(readFileSync(file(fingerprint), 'utf8')) as PushRecord;
        return record.fingerprint === fingerprint ? record : undefined;
      } catch {
        return undefined;
      }
    },
    put(record: PushRecord): void {
      if (!FINGERPRINT.test(record.fingerprint)) return;
      try {
        mkdirSync(dir, { recursive: true });
        writeAtomically(file(record.fingerprint), `${JSON.stringify(record)}\n`);
      } catch {
        // remembering is an optimisation only
      }
    },
  };
}
