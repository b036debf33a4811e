import { createHash } from 'node:crypto';
import type { ImageInputs } from './image-inputs.js';
import type { Report, ReportImage, ReportRow } from './report.js';
import type { Metadata } from './run.js';

/**
 * Nothing changed since the last push: the same inputs (the generated files, the bake definition as
 * buildx resolved it, the build contexts' content, the base images, the environment buildx reads) and
 * every tag that push wrote still naming what it pushed. Then `crossbake bake --push` builds nothing:
 * a build would take every step from the cache and push the same images again.
 */
export interface PushInputs {
  readonly crossbake: string;
  /** Each generated file's name and content. */
  readonly files: readonly { readonly name: string; readonly content: string }[];
  /** `docker buildx bake --print` of the run's targets, with the --set values applied. */
  readonly printed: unknown;
  readonly set: readonly string[];
  readonly driver: string;
  /** How the push publishes (src/buildx/invocation.ts): the same inputs publish other tags another way. */
  readonly publish?: string;
  readonly builder: string;
  /** Each build context's digest (src/fs/context-digest.ts), by its path. */
  readonly contexts: Readonly<Record<string, string>>;
  /** The base images by reference, as the builder would resolve them now. */
  readonly baseImages: Readonly<Record<string, string>>;
  /** The environment variables buildx reads (SOURCE_DATE_EPOCH, BUILDX_*, BUILDKIT_*). */
  readonly env: Readonly<Record<string, string>>;
}

export interface PushRecord {
  readonly fingerprint: string;
  readonly at: string;
  /** Every tag the push wrote, and the digest it named right after. */
  readonly tags: Readonly<Record<string, string>>;
  readonly report: Report;
  readonly metadata: Metadata;
}

/** The variables of an environment that reach the build through buildx. */
export function buildEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([k, v]) => v !== undefined && (k === 'SOURCE_DATE_EPOCH' || k.startsWith('BUILDX_') || k.startsWith('BUILDKIT_')))
      .sort(([a], [b]) => a.localeCompare(b)) as [string, string][],
  );
}

/** Key order does not matter: the same inputs give the same fingerprint. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function pushFingerprint(inputs: PushInputs): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(canonical(inputs)))
    .digest('hex')}`;
}

/** The tags whose digest in the registry now differs from the record's (undefined: the tag is gone). */
export function movedTags(record: Pick<PushRecord, 'tags'>, now: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(record.tags)
    .filter(([tag, digest]) => now[tag] !== digest)
    .map(([tag]) => tag);
}

/** The recorded report, as this run's: every row unchanged, no build time, nothing saved or recorded as cold. */
export function unchangedReport(record: PushRecord, started: Date, seconds: number): Report {
  const { saved: _saved, coldRecorded: _cold, buildSeconds: _build, ...report } = record.report;
  return {
    ...report,
    started: started.toISOString(),
    seconds,
    rows: unchangedRows(report),
  };
}

/** One image as a push left it: what `crossbake bake --push` reads to leave the image out of the next build. */
export interface ImageRecord {
  readonly fingerprint: string;
  readonly at: string;
  readonly inputs: ImageInputs;
  /** The digest of the files that counted for the image (relevantDigest), for a later build whose build-all printed nothing. */
  readonly relevant?: string;
  /** The image's tags, and the digest each named right after. */
  readonly tags: Readonly<Record<string, string>>;
  readonly rows: readonly ReportRow[];
  readonly image: ReportImage;
  /** buildx's metadata of the image's targets. */
  readonly metadata: Metadata;
}

/** A recorded image's rows, as this run's: unchanged, with no build time. */
export function unchangedRows(record: Pick<ImageRecord, 'rows'>): ReportRow[] {
  return record.rows.map(({ seconds: _s, slowest: _slow, ...row }) => ({ ...row, result: 'unchanged' as const }));
}
