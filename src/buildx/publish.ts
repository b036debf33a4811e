import { registryHost } from '../reference.js';
import type { Slot } from './attribute.js';
import { type BakeSteps, mergeArgs, mergeSources } from './invocation.js';
import { type ReportImage, type ReportRow, rowsFromSlots } from './report.js';
import {
  type BakeOutcome,
  type Metadata,
  mergeIndex,
  pushTag,
  registryAttestations,
  registryDigest,
  registrySize,
  storeRuntimePackages,
  storeSize,
} from './run.js';

/** After a successful bake: the pushes and merges of --push, and each row's digest and size for the report. */

export interface Pushed {
  readonly platforms: ReadonlyMap<string, { digest?: string; size?: number; attestations?: readonly string[] }>;
  readonly indexes: ReadonlyMap<string, string>;
}

export const timer = () => {
  const start = Date.now();
  return () => `${((Date.now() - start) / 1000).toFixed(1)}s`;
};

/** Pushes the per-platform images (docker driver), then merges each image's index; nothing when a step fails. */
export async function pushAndMerge(
  steps: BakeSteps,
  outcome: BakeOutcome,
  driver: string,
  cwd: string,
  builder: string | undefined,
  log: (line: string) => void,
): Promise<Pushed> {
  const platforms = new Map<string, { digest?: string; size?: number; attestations?: readonly string[] }>();
  const indexes = new Map<string, string>();
  let t = timer();
  for (const argv of steps.pushes) await pushTag(argv, cwd);
  if (steps.pushes.length > 0) log(`push      ${t()}  (${steps.pushes.length} platform images)`);

  t = timer();
  const digestOf = (target: string) => {
    const digest = outcome.metadata[target]?.['containerimage.digest'];
    return typeof digest === 'string' ? digest : undefined;
  };
  for (const image of steps.images) {
    const sources = mergeSources(image, driver, digestOf);
    await mergeIndex(mergeArgs(image, sources, builder), image.tags, cwd);
    const digest = image.tags[0] ? await registryDigest(image.tags[0], builder) : undefined;
    if (digest) indexes.set(image.bin, digest);
    // Read back from the merged index: what survived the merge is what users get.
    const attestations = image.tags[0] ? await registryAttestations(image.tags[0], builder) : new Map<string, string[]>();
    for (const [i, p] of image.platforms.entries()) {
      const sized = await registrySize(sources[i]!, p.slot, builder);
      platforms.set(p.target, { ...sized, ...(sized.digest ? { attestations: attestations.get(sized.digest) ?? [] } : {}) });
    }
    const n = sources.length;
    log(`merge     ${image.bin}: ${image.tags.join(', ')} <- ${n} platform${n === 1 ? '' : 's'} (${registryHost(image.tags[0] ?? '')})`);
  }
  log(`merge     ${t()}`);
  return { platforms, indexes };
}

/** The report's rows and images, and the metadata file's content, from what the build and the push gave. */
export async function results(
  steps: BakeSteps,
  slots: readonly Slot[],
  outcome: BakeOutcome,
  options: { readonly pushed?: Pushed; readonly load: boolean; readonly storeSizes: boolean; readonly multiPlatform: boolean },
): Promise<{ rows: ReportRow[]; images: ReportImage[]; metadata: Metadata }> {
  const base = rowsFromSlots(slots);
  const rows: ReportRow[] = [];
  const images: ReportImage[] = [];
  const metadata: Metadata = { ...outcome.metadata };
  const { pushed } = options;
  for (const [i, slot] of slots.entries()) {
    let row = base[i]!;
    if (pushed) {
      const p = pushed.platforms.get(slot.target.name);
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
    // The docker driver keeps every platform image in the store (it pushes from there): read what the build added.
    if (options.storeSizes && slot.target.platforms.length === 1 && slot.target.ref && row.result === 'built') {
      const packages = await storeRuntimePackages(slot.target.ref, slot.platform.docker);
      if (packages) row = { ...row, runtimePackages: packages };
    }
    rows.push(row);
  }
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
