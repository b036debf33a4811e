import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registryHost, repositoryOf } from '../reference.js';
import { failsBuild, type Slot } from './attribute.js';
import { type BakeSteps, type CacheDestination, mergeArgs, mergeSources } from './invocation.js';
import { type BuildLog, IMAGE_EXPORT, parseVertexName } from './progress.js';
import { type ReportImage, type ReportRow, rowsFromSlots } from './report.js';
import {
  type BakeOutcome,
  type Descriptor,
  type ManifestJson,
  type Metadata,
  mergeIndex,
  pushTag,
  type RegistryManifest,
  rawManifest,
  readManifest,
  registryAttestations,
  registryRuntimePackages,
  registrySize,
  storeRuntimePackages,
  storeSize,
} from './run.js';

/** After a successful bake: the pushes and merges of --push, and each row's digest and size for the report. */

export interface PushedPlatform {
  readonly digest?: string;
  readonly size?: number;
  readonly attestations?: readonly string[];
  /** `repository@digest` of the platform's image manifest. */
  readonly manifest?: string;
}

export interface Pushed {
  readonly platforms: ReadonlyMap<string, PushedPlatform>;
  readonly indexes: ReadonlyMap<string, string>;
  /** The tags read back after the merge and the digest each named then. */
  readonly tags: ReadonlyMap<string, string>;
}

export const timer = () => {
  const start = Date.now();
  return () => `${((Date.now() - start) / 1000).toFixed(1)}s`;
};

export type Raw = (ref: string) => Promise<ManifestJson | undefined>;

/** Manifest reads of one run, each ref read once (the registry's answer does not change within a run but by our own merge). */
function manifestReader(builder: string | undefined): Raw & { digest: (ref: string) => Promise<string | undefined> } {
  const seen = new Map<string, Promise<RegistryManifest | undefined>>();
  const read = (ref: string) => {
    if (!seen.has(ref)) seen.set(ref, readManifest(ref, builder));
    return seen.get(ref)!;
  };
  return Object.assign(async (ref: string) => (await read(ref))?.json, { digest: async (ref: string) => (await read(ref))?.digest });
}

const isAttestation = (d: Descriptor) =>
  (d as Descriptor & { annotations?: Record<string, string> }).annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';

/** The platform image manifest a pushed source stands for: itself (by digest), or its index's entry for the slot. */
export async function platformManifest(raw: Raw, source: string, slot: { arch: string; variant: string }): Promise<string | undefined> {
  const top = await raw(source);
  if (!top) return undefined;
  if (top.layers) return source.includes('@') ? source.slice(source.indexOf('@') + 1) : undefined;
  return top.manifests?.find(
    (m) => !isAttestation(m) && m.platform?.architecture === slot.arch && (m.platform.variant ?? '') === slot.variant,
  )?.digest;
}

/** Whether the index under `tag` already lists exactly these platform images (attestations aside). */
export async function indexIsCurrent(raw: Raw, tag: string, wanted: readonly (string | undefined)[]): Promise<boolean> {
  if (wanted.some((d) => d === undefined)) return false;
  const index = await raw(tag);
  const have = (index?.manifests ?? []).filter((m) => !isAttestation(m)).map((m) => m.digest);
  return have.length === wanted.length && [...have].sort().join() === [...(wanted as string[])].sort().join();
}

/** A platform image as the registry has it: its digest and size, what attests it, and where it lives (`ref`'s repository). */
function pushedPlatform(
  sized: { digest?: string; size?: number },
  attestations: ReadonlyMap<string, string[]>,
  ref: string,
): PushedPlatform {
  return {
    ...sized,
    ...(sized.digest ? { attestations: attestations.get(sized.digest) ?? [], manifest: `${repositoryOf(ref)}@${sized.digest}` } : {}),
  };
}

/**
 * The docker driver's pushes from its image store: each platform's image under its own tag, or (on a
 * multi-platform store) each image's tags. The other drivers pushed by digest in the build.
 */
export async function pushPlatforms(steps: BakeSteps, cwd: string, log: (line: string) => void): Promise<void> {
  const t = timer();
  // Each push is its own repository tag; the registry takes them side by side (shared layers are uploaded once either way).
  const results = await Promise.allSettled(steps.pushes.map((argv) => pushTag(argv, cwd)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const n = steps.pushes.length;
  if (n > 0)
    log(
      `push      ${t()}  (${steps.publish === 'images' ? `${n} multi-platform image tag${n === 1 ? '' : 's'}` : `${n} platform images`})`,
    );
}

/**
 * The targets of a bake call whose image is in the image store (its export step done), or undefined
 * once a step failed. A multi-platform target exports after all its platforms built, and its image is
 * then whole: what is left of the call (BuildKit finishing its build records, seconds on two cores)
 * changes nothing a push would send, so the pushes need not wait for it.
 */
export function exportedImages(log: BuildLog, callTargets: readonly string[]): string[] | undefined {
  const done: string[] = [];
  for (const vertex of log.vertices.values()) {
    if (vertex.canceled || failsBuild(vertex)) return undefined;
    if (vertex.completed === undefined || vertex.error !== undefined) continue;
    for (const raw of vertex.names) {
      const name = parseVertexName(raw, callTargets);
      if (!IMAGE_EXPORT.test(name.action) || name.stage !== undefined || name.internal) continue;
      const target = name.target ?? (callTargets.length === 1 ? callTargets[0] : undefined);
      if (target !== undefined) done.push(target);
    }
  }
  return done;
}

/**
 * What the pushes wrote where each image was built for all its platforms and pushed under its tags
 * (`images`): its index and each platform's image, read back from the registry.
 */
export async function readPushed(steps: BakeSteps, builder: string | undefined, log: (line: string) => void): Promise<Pushed> {
  const platforms = new Map<string, PushedPlatform>();
  const indexes = new Map<string, string>();
  const tags = new Map<string, string>();
  const raw = manifestReader(builder);
  const lines = await Promise.all(
    steps.images.map(async (image) => {
      const first = image.tags[0];
      if (first === undefined) return undefined;
      const [digest, attestations, sizes, named] = await Promise.all([
        raw.digest(first),
        registryAttestations(first, builder, raw),
        Promise.all(image.platforms.map((p) => registrySize(first, p.slot, builder, raw))),
        Promise.all(image.tags.map((tag) => raw.digest(tag))),
      ]);
      if (digest) indexes.set(image.bin, digest);
      for (const [i, tag] of image.tags.entries()) if (named[i]) tags.set(tag, named[i]!);
      for (const [i, p] of image.platforms.entries()) platforms.set(p.target, pushedPlatform(sizes[i]!, attestations, first));
      const n = image.platforms.length;
      return `push      ${image.bin}: ${image.tags.join(', ')} <- ${n} platform${n === 1 ? '' : 's'} (${registryHost(first)})`;
    }),
  );
  for (const line of lines) if (line) log(line);
  return { platforms, indexes, tags };
}

/**
 * Merges each image's index from its pushed platform images; only when every platform built and pushed.
 * An index that already lists exactly the platform images just pushed is left as it is: the registry's
 * tags then name these very images (manifests are content-addressed), so a merge would only rewrite the
 * same index with a new provenance attestation.
 */
export async function mergeImages(
  steps: BakeSteps,
  outcome: BakeOutcome,
  driver: string,
  cwd: string,
  builder: string | undefined,
  log: (line: string) => void,
): Promise<Pushed> {
  const platforms = new Map<string, PushedPlatform>();
  const indexes = new Map<string, string>();
  const tags = new Map<string, string>();
  const t = timer();
  const digestOf = (target: string) => {
    const digest = outcome.metadata[target]?.['containerimage.digest'];
    return typeof digest === 'string' ? digest : undefined;
  };
  const before = manifestReader(builder);
  const lines = await Promise.all(
    steps.images.map(async (image) => {
      const sources = mergeSources(image, driver, digestOf);
      const wanted = await Promise.all(image.platforms.map((p, i) => platformManifest(before, sources[i]!, p.slot)));
      const current =
        image.tags.length > 0 && (await Promise.all(image.tags.map((tag) => indexIsCurrent(before, tag, wanted)))).every(Boolean);
      if (!current) await mergeIndex(mergeArgs(image, sources, builder), image.tags, cwd);
      // Read back from the index: what survived the merge is what users get.
      const after = current ? before : manifestReader(builder);
      const [digest, attestations, sizes] = await Promise.all([
        image.tags[0] ? after.digest(image.tags[0]) : undefined,
        image.tags[0] ? registryAttestations(image.tags[0], builder, after) : new Map<string, string[]>(),
        Promise.all(image.platforms.map((p, i) => registrySize(sources[i]!, p.slot, builder, before))),
      ]);
      if (digest) indexes.set(image.bin, digest);
      // What the push record needs is read already: the index tags (all of them when left as they were) and
      // the docker driver's per-platform tags.
      const indexTags = current ? image.tags : image.tags.slice(0, 1);
      const platformTags = sources.filter((s) => !s.includes('@'));
      const known = await Promise.all([...indexTags.map((tag) => after.digest(tag)), ...platformTags.map((tag) => before.digest(tag))]);
      for (const [i, tag] of [...indexTags, ...platformTags].entries()) if (known[i]) tags.set(tag, known[i]!);
      for (const [i, p] of image.platforms.entries()) platforms.set(p.target, pushedPlatform(sizes[i]!, attestations, sources[i]!));
      const n = sources.length;
      const host = registryHost(image.tags[0] ?? '');
      return current
        ? `merge     ${image.bin}: ${image.tags.join(', ')} already lists these ${n} platform image${n === 1 ? '' : 's'}; left as it is (${host})`
        : `merge     ${image.bin}: ${image.tags.join(', ')} <- ${n} platform${n === 1 ? '' : 's'} (${host})`;
    }),
  );
  for (const line of lines) log(line);
  log(`merge     ${t()}`);
  return { platforms, indexes, tags };
}

/** BuildKit reads a cache's index (the cacheconfig blob) up to this size; a larger one is skipped on import. */
export const CACHE_INDEX_LIMIT = 1024 * 1024;
const CACHE_CONFIG = 'application/vnd.buildkit.cacheconfig.v0';

/** The size of each registry cache's index (its cacheconfig blob) as the registry has it; caches it cannot read are left out. */
export async function cacheIndexSizes(
  caches: readonly CacheDestination[],
  builder: string | undefined,
  raw: Raw = (ref) => rawManifest(ref, builder),
): Promise<Array<{ ref: string; size: number }>> {
  const sizes = await Promise.all(
    caches.map(async (c) => {
      if (c.type !== 'registry') return undefined;
      const m = await raw(c.ref).catch(() => undefined);
      const config = m?.config?.mediaType === CACHE_CONFIG ? m.config : m?.manifests?.find((d) => d.mediaType === CACHE_CONFIG);
      return config?.size !== undefined ? { ref: c.ref, size: config.size } : undefined;
    }),
  );
  return sizes.filter((s): s is { ref: string; size: number } => s !== undefined);
}

/** Which of the run's cache destinations hold nothing yet (a registry tag that does not resolve, a local directory without an index). */
export async function missingCaches(caches: readonly CacheDestination[], cwd: string, builder?: string): Promise<CacheDestination[]> {
  const present = await Promise.all(
    caches.map(async (c) => {
      if (c.type === 'registry') return (await rawManifest(c.ref, builder)) !== undefined;
      if (c.type === 'local') return existsSync(join(resolve(cwd, c.dir), 'index.json'));
      return false;
    }),
  );
  return caches.filter((_, i) => !present[i]);
}

/** The report's rows and images, and the metadata file's content, from what the build and the push gave. */
export async function results(
  steps: BakeSteps,
  slots: readonly Slot[],
  outcome: BakeOutcome,
  options: {
    readonly pushed?: Pushed;
    readonly load: boolean;
    readonly storeSizes: boolean;
    readonly multiPlatform: boolean;
    readonly builder?: string;
  },
): Promise<{ rows: ReportRow[]; images: ReportImage[]; metadata: Metadata }> {
  const base = rowsFromSlots(slots);
  const rows: ReportRow[] = [];
  const images: ReportImage[] = [];
  const metadata: Metadata = { ...outcome.metadata };
  const { pushed } = options;
  // A multi-platform target's slot is its image's platform image, known by that platform's target name.
  const platformTarget = (slot: Slot) =>
    slot.target.platforms.length === 1
      ? slot.target.name
      : (steps.images
          .find((i) => i.bin === slot.target.bin)
          ?.platforms.find((p) => p.slot.arch === slot.platform.arch && p.slot.variant === slot.platform.variant)?.target ??
        slot.target.name);
  // Each row's store reads (docker create and cp) are their own processes: side by side, not one after another.
  const built = await Promise.all(
    slots.map(async (slot, i): Promise<ReportRow> => {
      let row = base[i]!;
      if (pushed) {
        const p = pushed.platforms.get(platformTarget(slot));
        if (p) {
          row = {
            ...row,
            ...(p.digest ? { digest: p.digest } : {}),
            ...(p.size !== undefined ? { size: p.size, sizeSource: 'registry' as const } : {}),
            ...(p.attestations ? { attestations: p.attestations } : {}),
          };
        }
      } else {
        const digest = outcome.metadata[slot.target.name]?.['containerimage.digest'];
        if (typeof digest === 'string') row = { ...row, digest };
        if (options.storeSizes && slot.target.platforms.length === 1 && slot.target.ref) {
          const size = await storeSize(slot.target.ref);
          if (size !== undefined) row = { ...row, size, sizeSource: 'store' };
        }
      }
      // What the build added for the binary's libraries: from the registry when pushed, else from the store,
      // where the docker driver keeps every platform image (it pushes from there).
      const manifest = pushed?.platforms.get(platformTarget(slot))?.manifest;
      if ((slot.target.platforms.length === 1 || manifest) && row.result === 'built') {
        const packages =
          (manifest ? await registryRuntimePackages(manifest, options.builder) : undefined) ??
          (options.storeSizes && slot.target.ref && slot.target.platforms.length === 1
            ? // The pushed platform manifest's digest is stable across rebuilds with nothing new (the build's own
              // digest names an index whose provenance changes every time).
              await storeRuntimePackages(slot.target.ref, slot.platform.docker, pushed ? row.digest : undefined)
            : undefined);
        if (packages) row = { ...row, runtimePackages: packages };
      }
      return row;
    }),
  );
  rows.push(...built);
  for (const image of steps.images) {
    if (pushed) {
      const digest = pushed.indexes.get(image.bin);
      images.push({ image: image.bin, tags: image.tags, pushed: true, ...(digest ? { digest } : {}) });
      metadata[image.bin] = {
        'image.name': image.tags.join(','),
        ...(digest ? { 'containerimage.digest': digest } : {}),
        'crossbake.platforms': image.platforms.map((p) => p.target),
      };
    } else {
      const multi =
        options.storeSizes && options.load && options.multiPlatform && image.tags[0] ? await storeSize(image.tags[0]) : undefined;
      images.push({ image: image.bin, tags: image.tags, pushed: false, ...(multi !== undefined ? { storeSize: multi } : {}) });
    }
  }
  return { rows, images, metadata };
}
