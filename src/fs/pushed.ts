import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord, PushRecord } from '../buildx/unchanged.js';
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

/** Records kept per image: a few earlier states of its files, so switching branches back finds one. */
const IMAGE_RECORDS = 8;

/**
 * The images this machine pushed, per workspace and image target, newest first: what `crossbake bake
 * --push` reads to leave out the images whose files did not change. As with pushRecords, a miss or an
 * unreadable file only means building the image.
 */
export function imageRecords(env: NodeJS.ProcessEnv = process.env) {
  const dir = join(cacheDir(env), 'images');
  const file = (root: string, target: string) =>
    join(dir, `${createHash('sha256').update(`${root}\0${target}`).digest('hex').slice(0, 32)}.json`);
  const list = (root: string, target: string): ImageRecord[] => {
    try {
      const records = JSON.parse(readFileSync(file(root, target), 'utf8')) as unknown;
      return Array.isArray(records) ? (records as ImageRecord[]).filter((r) => FINGERPRINT.test(r?.fingerprint ?? '')) : [];
    } catch {
      return [];
    }
  };
  return {
    list,
    add(root: string, target: string, record: ImageRecord): void {
      if (!FINGERPRINT.test(record.fingerprint)) return;
      const kept = [record, ...list(root, target).filter((r) => r.fingerprint !== record.fingerprint)].slice(0, IMAGE_RECORDS);
      try {
        mkdirSync(dir, { recursive: true });
        writeAtomically(file(root, target), `${JSON.stringify(kept)}\n`);
      } catch {
        // remembering is an optimisation only
      }
    },
  };
}
