/**
 * The builds this machine remembers, to say what the cache saved: one record per successful build, the
 * cold ones (toolchain and dependencies built) being what later builds compare with. Pure; the file is
 * read and written by fs/history.ts, from the CLI shell only.
 */
import type { Saved } from './report.js';

export interface BuildRecord {
  readonly workspace: string;
  /** `bin platform`, sorted: the same images and platforms compare. */
  readonly slots: readonly string[];
  /** --load builds one multi-platform target per image; otherwise one target per platform. */
  readonly multiPlatform: boolean;
  readonly seconds: number;
  readonly cold: boolean;
  readonly at: string;
}

const MAX_RECORDS = 50;

export function parseHistory(text: string): BuildRecord[] {
  try {
    const value = JSON.parse(text) as { builds?: unknown };
    if (!Array.isArray(value.builds)) return [];
    return value.builds.filter(
      (b): b is BuildRecord =>
        typeof b === 'object' &&
        b !== null &&
        typeof b.workspace === 'string' &&
        Array.isArray(b.slots) &&
        typeof b.seconds === 'number' &&
        typeof b.cold === 'boolean' &&
        typeof b.at === 'string' &&
        typeof b.multiPlatform === 'boolean',
    );
  } catch {
    return [];
  }
}

export function formatHistory(records: readonly BuildRecord[]): string {
  return `${JSON.stringify({ builds: records.slice(-MAX_RECORDS) }, null, 2)}\n`;
}

const same = (a: BuildRecord, b: BuildRecord) =>
  a.workspace === b.workspace && a.multiPlatform === b.multiPlatform && a.slots.join('\n') === b.slots.join('\n');

/** What the cache saved against the last cold build of the same images and platforms; none for a cold build. */
export function savedAgainst(history: readonly BuildRecord[], build: BuildRecord): Saved | undefined {
  if (build.cold) return undefined;
  const cold = [...history].reverse().find((r) => r.cold && same(r, build));
  return cold ? { seconds: build.seconds, coldSeconds: cold.seconds, coldAt: cold.at } : undefined;
}

export function remember(history: readonly BuildRecord[], build: BuildRecord): BuildRecord[] {
  return [...history, build].slice(-MAX_RECORDS);
}
