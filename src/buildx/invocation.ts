import { csvEntry } from '../csv.js';
import { CrossbakeError } from '../errors.js';
import { BUILD_ALL, buildAllBins, DEPS, depsPlatforms, fromScratchSet, type Plan } from '../plan.js';
import { repositoryOf } from '../reference.js';
import { segmentRegex } from '../workspace/glob.js';
import { type BakeInvocation, imagetoolsCreateArgs, pushArgs } from './args.js';
import type { RunTarget } from './attribute.js';
import type { BakePrint } from './preflight.js';

/**
 * What `crossbake bake` runs, as data: the bake call, then (for --push) the pushes and the merges.
 * Pure: built from the Plan and buildx's own reading of the bake file (`--print`), so tags carry the
 * user's REGISTRY/TAG/--set overrides; tested without docker and printed by --dry-run.
 */

export interface BakeRequest {
  readonly push: boolean;
  readonly load: boolean;
  readonly noCache: boolean;
  readonly set: readonly string[];
  readonly builder?: string;
  /** The bake file, relative to the directory bake runs in. */
  readonly bakeFile: string;
  /** The builder's driver: the docker driver cannot push by digest. */
  readonly driver: string;
  /** The docker driver's image store keeps multi-platform images (the containerd store). */
  readonly multiPlatformStore?: boolean;
  /**
   * Selected binaries whose images this run leaves out (unchanged since their push): no target, output or
   * push of theirs. build-all still compiles every selected binary, so its step stays the one a full build runs.
   */
  readonly skip?: ReadonlySet<string>;
}

/**
 * How --push publishes:
 * - `images`: the docker driver on a multi-platform store builds each image for all its platforms in one
 *   target, into the store under its tags, and `docker push` writes each tag once every image built;
 * - `platform-tags`: the docker driver on the classic store builds each platform apart, loads it, pushes it
 *   under its own tag, and the multi-platform index is merged from those;
 * - `by-digest`: the other drivers push each platform by digest from the build, and the index is merged.
 */
export type Publish = 'images' | 'platform-tags' | 'by-digest';

export function publishFor(request: Pick<BakeRequest, 'push' | 'driver' | 'multiPlatformStore'>): Publish | undefined {
  if (!request.push) return undefined;
  if (request.driver !== 'docker') return 'by-digest';
  return request.multiPlatformStore ? 'images' : 'platform-tags';
}

export interface PlatformImage {
  readonly target: string;
  /** The per-platform image's tag as bake resolved it. */
  readonly tag: string;
  readonly slot: { readonly arch: string; readonly variant: string };
}

export interface ImageSteps {
  readonly bin: string;
  /** The image's multi-platform bake target. */
  readonly target: string;
  /** The multi-platform image's tags, as bake resolved them. */
  readonly tags: readonly string[];
  readonly platforms: readonly PlatformImage[];
}

export interface BakeSteps {
  readonly bake: BakeInvocation;
  /** The targets bake builds, for progress attribution and the report. */
  readonly runTargets: readonly RunTarget[];
  readonly images: readonly ImageSteps[];
  readonly publish?: Publish;
  /** docker push argv lists (docker driver), run after every target built: platform tags, or image tags (`images`). */
  readonly pushes: readonly string[][];
  /**
   * The cache export, run apart from the build: the build itself writes no cache, and this second call
   * (every step then cached locally) exports only when the build ran a step or a cache is missing.
   */
  readonly cacheExport?: BakeInvocation;
  /** Where each run target's caches go, as bake resolved them: what must exist for the export to be skipped. */
  readonly caches: readonly CacheDestination[];
  /**
   * The build-platform stages' own cache target (Plan.sharedCache.early), for a build that finds the caches
   * missing: added to the build call, it writes their layers while the per-platform steps run.
   */
  readonly early?: RunTarget;
  /** The platforms' shared cache targets, each with its platform: what a build that finds caches missing adds last. */
  readonly platformCaches?: readonly RunTarget[];
}

export type CacheDestination =
  | { readonly type: 'registry'; readonly ref: string }
  | { readonly type: 'local'; readonly dir: string }
  /** gha and anything else crossbake cannot look into: never taken as present. */
  | { readonly type: 'other'; readonly entry: string };

/** A `cache-to` entry as bake printed it (`type=registry,ref=…,mode=max`); inline lives in the image itself. */
export function cacheDestination(entry: string): CacheDestination | undefined {
  const fields = new Map<string, string>();
  for (const part of entry.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0)
      fields.set(
        part.slice(0, eq).trim(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ''),
      );
  }
  const type = fields.get('type') ?? 'local';
  if (type === 'inline') return undefined;
  if (type === 'registry' && fields.get('ref')) return { type: 'registry', ref: fields.get('ref')! };
  if (type === 'local' && fields.get('dest')) return { type: 'local', dir: fields.get('dest')! };
  return { type: 'other', entry };
}

/**
 * The steps that ran and give the caches something a later build reuses. The skeleton planner runs again
 * whenever the build context changes, and each target computes it itself (an emptied machine's cache has it
 * for one target per platform); its output is keyed by content, so when it differs, the steps after it run
 * too. The binaries' own stages (build-all, libs-<bin>, runtime-<bin>) read the source: the next
 * commit gives them new cache keys, so their records would serve only a rebuild of this very source, while
 * the layers every build reuses (toolchain, native packages, dependencies, runtime packages) are unchanged.
 */
export function stepsForCaches(plan: Pick<Plan, 'images'>, ran: readonly string[]): string[] {
  const skip = new Set(['skeleton', BUILD_ALL.stage, ...plan.images.flatMap((i) => [i.stages.libs, i.stages.runtime])]);
  return ran.filter((step) => !skip.has(step.slice(0, step.lastIndexOf(' '))));
}

/** The bake targets `--print` must resolve for a request. */
export function printTargets(plan: Plan, load: boolean): string[] {
  const multi = plan.selected.map((i) => i.target);
  const perPlatform = plan.selected.flatMap((i) => i.platforms.map((p) => p.target));
  const early = plan.sharedCache?.early ? [plan.sharedCache.early.target] : [];
  return [...new Set([...(load ? multi : [...perPlatform, ...sharedCacheTargets(plan), ...early]), ...multi])];
}

/** The targets that write the platforms' shared caches (none with inline or no caches, or mode=min). */
export function sharedCacheTargets(plan: Plan): string[] {
  return plan.sharedCache?.platforms.map((p) => p.target) ?? [];
}

/** Each selected image with its tags and per-platform images, as bake resolved them. */
export function imageSteps(plan: Plan, printed: BakePrint): ImageSteps[] {
  const tagsOf = (target: string) => printed.target[target]?.tags ?? [];
  return plan.selected.map((image) => ({
    bin: image.bin,
    target: image.target,
    tags: tagsOf(image.target),
    platforms: image.platforms.map((p) => ({
      target: p.target,
      tag: tagsOf(p.target)[0] ?? '',
      slot: { arch: p.platform.arch, variant: p.platform.variant },
    })),
  }));
}

/**
 * --push needs a registry in every tag it writes: each image's own tags (merged or pushed by tag) and each
 * per-platform tag; checked before anything starts.
 */
export function assertPushable(images: readonly ImageSteps[]): void {
  for (const image of images) {
    if (image.tags.length === 0) {
      throw new CrossbakeError(
        'input',
        `--push needs tags, but bake resolved none for ${image.target}. Leave its tags to the bake file, or give it one with --set ${image.target}.tags=REGISTRY/IMAGE:TAG.`,
      );
    }
    for (const p of [...image.platforms, ...image.tags.map((tag) => ({ target: image.target, tag }))]) {
      if (!p.tag.includes('/')) {
        throw new CrossbakeError(
          'input',
          `--push needs a registry in the image tags, but ${p.target} is tagged "${p.tag}". Set registry in [workspace.metadata.crossbake], pass --registry, or set REGISTRY.`,
        );
      }
    }
  }
}

/**
 * The build args that make each platform's one cargo call compile exactly the selected binaries, and the
 * deps step exactly their platforms (whatever PLATFORMS the environment holds).
 */
export function buildArgsSet(plan: Plan): string[] {
  return [`*.args.${BUILD_ALL.arg}=${buildAllBins(plan)}`, `*.args.${DEPS.arg}=${depsPlatforms(plan)}`];
}

/**
 * BuildKit finishes one build-history record per solve (per bake target) after the last step, one after
 * another, and the call returns only then: with many targets in one call that outlasted dockerd 26's
 * deadline, and the build failed with DeadlineExceeded after every image was exported (18 targets and
 * more, on 2 cores). The build runs in calls of at most this many targets, whole images at a time.
 */
export const MAX_TARGETS_PER_CALL = 9;

/** The pushed images' layers: gzip, also where a layer came from a zstd registry cache. */
const IMAGE_COMPRESSION = 'compression=gzip,force-compression=true';

/** The build as one call, or as several of whole images (MAX_TARGETS_PER_CALL), run one after another. */
export function buildCalls(steps: Pick<BakeSteps, 'bake' | 'runTargets'>, max = MAX_TARGETS_PER_CALL): BakeInvocation[] {
  const { bake, runTargets } = steps;
  if (bake.targets.length <= max) return [bake];
  const binOf = new Map(runTargets.map((t) => [t.name, t.bin]));
  const images = new Map<string, string[]>();
  for (const name of bake.targets) {
    const key = binOf.get(name) || name;
    images.set(key, [...(images.get(key) ?? []), name]);
  }
  const calls: string[][] = [];
  for (const names of images.values()) {
    const last = calls.at(-1);
    if (last && last.length + names.length <= max) last.push(...names);
    else calls.push([...names]);
  }
  const all = new Set(bake.targets);
  return calls.map((names) => ({
    ...bake,
    targets: names,
    set: (bake.set ?? []).filter((entry) => {
      const target = entry.slice(0, entry.indexOf('.'));
      return !all.has(target) || names.includes(target);
    }),
  }));
}

export function bakeSteps(full: Plan, printed: BakePrint, request: BakeRequest): BakeSteps {
  const plan = request.skip?.size ? { ...full, selected: full.selected.filter((i) => !request.skip!.has(i.bin)) } : full;
  const tagsOf = (target: string) => printed.target[target]?.tags ?? [];
  const images = imageSteps(plan, printed);
  if (request.push) assertPushable(images);
  const publish = publishFor(request);
  // --load, and --push on a multi-platform store, build each image once for all platforms (one solve each:
  // a one-file change costs two solves for two images, not six); otherwise each platform is its own target
  // with its own cache, merged into one index only when every platform built.
  const whole = request.load || publish === 'images';
  const runTargets: RunTarget[] = whole
    ? plan.selected.map((image) => {
        const ref = tagsOf(image.target)[0];
        return { name: image.target, bin: image.bin, platforms: plan.platforms, crates: image.crates, ...(ref ? { ref } : {}) };
      })
    : plan.selected.flatMap((image) =>
        image.platforms.map((p) => {
          const ref = tagsOf(p.target)[0];
          return { name: p.target, bin: image.bin, platforms: [p.platform], crates: image.crates, ...(ref ? { ref } : {}) };
        }),
      );
  // --no-cache starts from scratch in the target cache mounts too; the export call must name the same args.
  const args = [...buildArgsSet(full), ...(request.noCache ? [fromScratchSet(plan)] : [])];
  const userSet = whole ? request.set : request.set.flatMap((entry) => perPlatformSet(plan, entry) ?? [entry]);
  const set = [...args, ...userSet];
  if (publish === 'images') {
    // Into the store under the image's tags; pushed by tag once every image built, so a failed image leaves
    // every tag in the registry as it was.
    for (const image of plan.selected) set.push(`${image.target}.output=type=image,${IMAGE_COMPRESSION}`);
  } else if (request.push) {
    // The docker driver loads each platform image into the image store and pushes by tag afterwards.
    // Layers restored from a registry cache keep the cache's zstd (an emptied machine pushed the base
    // image's layer as zstd): the images are gzip throughout, for every puller.
    for (const p of images.flatMap((i) => i.platforms)) {
      set.push(
        request.driver === 'docker'
          ? `${p.target}.output=type=docker,${IMAGE_COMPRESSION}`
          : `${p.target}.output=type=image,name=${repositoryOf(p.tag)},push-by-digest=true,name-canonical=true,push=true,${IMAGE_COMPRESSION}`,
      );
    }
  }
  const targets = runTargets.map((t) => t.name);
  // Per platform, one export of every stage the images share, instead of one per image: the per-image
  // stages after build-all are a few seconds of work, and not worth an export each.
  const shared = request.load ? [] : sharedCacheTargets(plan).filter((t) => printed.target[t]);
  const exportTargets = shared.length > 0 ? shared : targets;
  const caches = exportTargets.flatMap((t) => (printed.target[t]?.['cache-to'] ?? []).flatMap((e) => cacheDestination(e) ?? []));
  const builder = request.builder ? { builder: request.builder } : {};
  // The build exports no cache; the export is a second call over the same (then cached) steps, with no image
  // output. It imports no cache: every step is in the local cache by then, and an import of the cache it
  // is about to overwrite took seconds to prepare and carried that cache's superseded layers into the new one.
  const cacheExport: BakeInvocation | undefined =
    caches.length > 0
      ? {
          files: [request.bakeFile],
          targets: exportTargets,
          set: [...args, ...userSet, ...exportTargets.flatMap((t) => [`${t}.output=type=cacheonly`, `${t}.cache-from=`])],
          ...builder,
        }
      : undefined;
  if (cacheExport) set.push(...targets.map((t) => `${t}.cache-to=`));
  const early = plan.sharedCache?.early;
  const earlyTarget: RunTarget | undefined =
    cacheExport && shared.length > 0 && early && printed.target[early.target] ? { name: early.target, bin: '', platforms: [] } : undefined;
  return {
    bake: { files: [request.bakeFile], targets, load: request.load, noCache: request.noCache, set, ...builder },
    runTargets,
    images,
    ...(publish ? { publish } : {}),
    pushes:
      publish === 'platform-tags'
        ? images.flatMap((i) => i.platforms.map((p) => pushArgs(p.tag)))
        : publish === 'images'
          ? images.flatMap((i) => i.tags.map(pushArgs))
          : [],
    ...(cacheExport ? { cacheExport } : {}),
    caches,
    ...(earlyTarget ? { early: earlyTarget } : {}),
    ...(earlyTarget
      ? {
          platformCaches: (plan.sharedCache?.platforms ?? [])
            .filter((p) => exportTargets.includes(p.target))
            .map((p) => ({ name: p.target, bin: '', platforms: [p.platform] })),
        }
      : {}),
  };
}

/** Keys of an image's --set entry that mean the same on each of its platforms (not tags, caches, outputs or platforms). */
const PER_PLATFORM_KEYS =
  /^(args|labels|annotations|contexts|secrets|ssh|attest|no-cache|no-cache-filter|pull|network|shm-size|ulimits)(\.|=|$)/;

/**
 * An entry on an image's target (`backend.args.X=1`), for a build that runs each of its platforms as a target of its
 * own: the same entry on each of those, as the user meant it for the image.
 */
function perPlatformSet(plan: Pick<Plan, 'selected'>, entry: string): string[] | undefined {
  const dot = entry.indexOf('.');
  const image = plan.selected.find((i) => i.target === entry.slice(0, dot));
  const rest = entry.slice(dot + 1);
  if (dot <= 0 || !image || !PER_PLATFORM_KEYS.test(rest)) return undefined;
  return image.platforms.map((p) => `${p.target}.${rest}`);
}

/**
 * bake applies a --set entry to the targets its pattern names, and a per-platform target inherits
 * `_crossbake`, not its image's target: an entry that names images' targets but none the steps run would
 * change nothing, in silence. Tags count where crossbake reads them (push, merge) though the target is not built.
 */
export function assertSetsReach(plan: Pick<Plan, 'selected'>, steps: BakeSteps, request: Pick<BakeRequest, 'set' | 'load'>): void {
  const built = [...steps.bake.targets, ...(steps.cacheExport?.targets ?? []), ...(steps.early ? [steps.early.name] : [])];
  const whole = steps.images.some((i) => steps.bake.targets.includes(i.target))
    ? request.load
      ? '--load'
      : '--push on the docker driver with the containerd image store'
    : undefined;
  const tagsRead = [
    ...steps.images.map((i) => i.target),
    ...(steps.publish && steps.publish !== 'images' ? steps.images.flatMap((i) => i.platforms.map((p) => p.target)) : []),
  ];
  const names = plan.selected.flatMap((i) => [i.target, ...i.platforms.map((p) => p.target)]);
  for (const entry of request.set) {
    if (!whole && perPlatformSet(plan, entry)) continue;
    const lhs = entry.split('=', 1)[0]!;
    const dot = lhs.indexOf('.');
    if (dot <= 0) continue;
    const [pattern, key] = [lhs.slice(0, dot), lhs.slice(dot + 1)];
    const re = segmentRegex(pattern);
    const named = names.filter((n) => re.test(n));
    if (named.length === 0 || built.some((n) => re.test(n))) continue;
    if (key === 'tags' && named.some((n) => tagsRead.includes(n))) continue;
    const images = plan.selected.filter((i) => named.includes(i.target) || i.platforms.some((p) => named.includes(p.target)));
    throw new CrossbakeError(
      'input',
      whole
        ? `--set ${lhs}=… names ${named.join(', ')}, which this build does not run: with ${whole}, bake builds each image for all its platforms in one target. Set it on ${images.map((i) => `${i.target}.${key}`).join(', ')} for all platforms, or build on a builder of the docker-container driver for per-platform settings.`
        : `--set ${lhs}=… names ${named.join(', ')}, which this build does not run: it builds each platform as a target of its own, which does not inherit its image's. Set it on ${images.flatMap((i) => i.platforms.map((p) => `${p.target}.${key}`)).join(', ')}.`,
    );
  }
}

/**
 * The build for a machine whose caches are missing (a cold build), which exports them itself: the early
 * cache target first (so it is in the first of several calls; its layers go out while the per-platform
 * steps run), and the platforms' cache targets after the images, each exported as soon as its steps are
 * done, beside the images' export, instead of in a second call once the build returned.
 */
export function withCacheTargets(steps: BakeSteps): Pick<BakeSteps, 'bake' | 'runTargets'> & { cachesExported: boolean } {
  if (!steps.early || !steps.cacheExport) return { ...steps, cachesExported: false };
  const caches = steps.platformCaches ?? [];
  // All of the export call's caches, or none: that call then still runs after the build.
  if (caches.length !== steps.cacheExport.targets.length) return { ...withEarly(steps, steps.early), cachesExported: false };
  const names = caches.map((c) => c.name);
  const early = withEarly(steps, steps.early);
  return {
    bake: {
      ...early.bake,
      targets: [...early.bake.targets, ...names],
      // BUILDKIT_MULTI_PLATFORM: the Dockerfile frontend then names their steps with the platform, as it
      // names the images' (a step both run shows under either name, and the platform is what places it).
      set: [
        ...(steps.bake.set ?? []),
        ...names.flatMap((t) => [`${t}.output=type=cacheonly`, `${t}.cache-from=`, `${t}.args.BUILDKIT_MULTI_PLATFORM=1`]),
      ],
    },
    runTargets: [...early.runTargets, ...caches],
    cachesExported: true,
  };
}

function withEarly(steps: BakeSteps, early: RunTarget): Pick<BakeSteps, 'bake' | 'runTargets'> {
  return {
    bake: { ...steps.bake, targets: [early.name, ...steps.bake.targets] },
    runTargets: [early, ...steps.runTargets],
  };
}

/**
 * The sources of one image's index: the pushed per-platform tags (docker driver), or the digests
 * buildx reported (`digestOf` gives undefined when it reported none).
 */
export function mergeSources(image: ImageSteps, driver: string, digestOf: (target: string) => string | undefined): string[] {
  return image.platforms.map((p) => {
    if (driver === 'docker') return p.tag;
    const digest = digestOf(p.target);
    if (digest === undefined) {
      throw new CrossbakeError(
        'build',
        `buildx reported no pushed digest for ${p.target}; nothing was tagged for ${image.bin}. Run again with --progress plain to see the push step.`,
      );
    }
    return `${repositoryOf(p.tag)}@${digest}`;
  });
}

export function mergeArgs(image: ImageSteps, sources: readonly string[], builder?: string): string[] {
  return imagetoolsCreateArgs(image.tags, sources, builder);
}

/**
 * `crossbake verify`: every selected image and platform built from scratch into an OCI layout tar under
 * `dir`, with timestamps rewritten to SOURCE_DATE_EPOCH, and no cache read or written.
 */
export function verifySteps(
  plan: Plan,
  request: { bakeFile: string; dir: string; builder?: string },
): { bake: BakeInvocation; tars: Map<string, string> } {
  const tars = new Map<string, string>();
  // BuildKit keeps cache mounts across --no-cache: the build-arg empties them first.
  const set: string[] = [...buildArgsSet(plan), fromScratchSet(plan)];
  for (const p of plan.selected.flatMap((i) => i.platforms)) {
    const tar = `${request.dir}/${p.target}.tar`;
    tars.set(p.target, tar);
    set.push(
      `${p.target}.output=${csvEntry([
        ['type', 'oci'],
        ['dest', tar],
        ['rewrite-timestamp', 'true'],
      ])}`,
      `${p.target}.cache-from=`,
      `${p.target}.cache-to=`,
    );
  }
  return {
    bake: {
      files: [request.bakeFile],
      targets: [...tars.keys()],
      noCache: true,
      set,
      ...(request.builder ? { builder: request.builder } : {}),
    },
    tars,
  };
}
