import { createHash } from 'node:crypto';
import { inputError } from './errors.js';
import { collisions, compareRustVersions, imageName, parseToolchainChannel } from './grammar.js';
import { findPlatform, PLATFORMS, type Platform } from './platforms.js';
import { type CiConfig, type ResolvedBin, type ResolvedSettings, resolveBin, type Settings } from './settings/index.js';
import { binaryCrates } from './workspace/crates.js';
import { debianCratePackages } from './workspace/debian.js';
import type { WorkspaceInputs } from './workspace/inputs.js';
import type { Workspace } from './workspace/model.js';

/**
 * The single derived truth: every name, key and list the renderers, the runner and the report need,
 * computed once from the Workspace and the Settings. Renderers only format what is here.
 */

export type ToolchainPlan =
  | { readonly kind: 'rustup'; readonly image: string; readonly version: string }
  | {
      readonly kind: 'debian';
      readonly packages: readonly string[];
      /** Crate packages named in the settings; without them, the build derives them from its own Cargo.lock. */
      readonly crates?: readonly string[];
    };

/**
 * crossbake's skeleton planner: a generated file in `dir` beside the Dockerfile, which the bake file hands
 * to the build as the named context `context`.
 */
export const SKELETON_PLANNER = { context: 'crossbake', dir: '.crossbake-build', file: 'skeleton.mjs' } as const;

/** crossbake's runtime scripts, generated beside the planner in the same named context (docker/crossbake-runtime-*.sh). */
export const RUNTIME_SCRIPTS = { libs: 'runtime-libs.sh', install: 'runtime-install.sh' } as const;

/**
 * Each binary's own Cargo.lock: the skeleton planner writes `<dir>/<bin>/Cargo.lock` in the skeleton stage
 * (outside the skeleton, whose bytes key the dependency layer), and each runtime image carries it at
 * `image`, where scanners that read Cargo.lock files (cdxgen, Trivy) find the binary's crates.
 */
export const BINARY_LOCK = { dir: '/crossbake/sbom', image: '/app/Cargo.lock' } as const;

/**
 * The debian toolchain's linkers: cargo links each target through `<dir>/<its gcc>`, that gcc with Debian's
 * lld (the `package`, on the LLVM rustc already has) as its ld, found in `<dir>/lld` by gcc's -B: GNU ld took
 * a sixth of the CPU of a one-file change's build-all steps, three links of the standard library at once.
 */
export const LLD_LINKERS = { dir: '/usr/local/lib/crossbake-link', package: 'lld' } as const;

/**
 * The skeleton stage's inputs when the workspace's reading was recorded: each file whose text it read,
 * bind-mounted on its own, and the recorded layout as a generated file beside the planner. Its cache key
 * then follows the manifests, not every source file: a source edit leaves it cached, and no chain of
 * superseded skeleton keys (each still linked to the dependency layers it produced) piles up in the build
 * cache and in every mode=max export of it.
 */
export const SKELETON_LAYOUT = 'skeleton-layout.json';

/**
 * A path that goes into a RUN --mount option as it is: Dockerfile flags are comma-separated and expand
 * `$`; anything beyond this set keeps the whole-context mount.
 */
const MOUNTABLE_PATH = /^(?!-)[A-Za-z0-9._+@/-]+$/;

/** More files than this keep the whole-context mount: one RUN with hundreds of mounts is untested ground. */
const MAX_SKELETON_MOUNTS = 128;

function skeletonInputs(ws: Workspace): Plan['skeleton']['inputs'] {
  const inputs = ws.inputs;
  const mountable = (p: string) => MOUNTABLE_PATH.test(p) && !p.split('/').includes('..');
  if (!inputs || inputs.read.length === 0 || inputs.read.length > MAX_SKELETON_MOUNTS || !inputs.read.every(mountable)) return undefined;
  return { layoutFile: SKELETON_LAYOUT, recorded: inputs };
}

/** Where cargo's home is in the toolchain stage: crossbake's for the debian toolchain, the official rust image's. */
export const CARGO_HOME = '/usr/local/cargo';

/**
 * `--remap-path-prefix` pairs for every rustc call: the build directory and the crate sources leave no
 * path of the build stage in the binaries (panic locations, debug info). Constant, so the dependency
 * layer's cache key stays the same from build to build.
 */
function remapPaths(toolchain: ToolchainPlan['kind']): Array<{ from: string; to: string }> {
  return [
    { from: '/build', to: '.' },
    { from: CARGO_HOME, to: '/cargo' },
    ...(toolchain === 'debian' ? [{ from: '/usr/share/cargo/registry', to: '/cargo/registry' }] : []),
  ];
}

/** One cache location, as data; `render/cache.ts` spells it as a buildx cache entry. */
export type CacheEntry =
  /** `tag` undefined: the image's own tag (inline caches read the image itself). */
  | { readonly type: 'registry'; readonly image: string; readonly tag?: string }
  | { readonly type: 'local'; readonly dir: string }
  | { readonly type: 'gha'; readonly scope: string }
  | { readonly type: 'inline' };

export interface CacheSpec {
  readonly from: readonly CacheEntry[];
  readonly to: readonly CacheEntry[];
}

export interface PlatformBuild {
  readonly platform: Platform;
  /** Bake target that builds this image for this platform alone: `backend-linux-arm64`. */
  readonly target: string;
  /** Appended to the image's tag for the per-platform image: `-linux-arm64`. */
  readonly tagSuffix: string;
  /** Cache entries in the bake file, and in the GitHub workflow. */
  readonly cache?: CacheSpec;
  readonly ciCache?: CacheSpec;
}

export interface ImagePlan extends ResolvedBin {
  readonly bin: string;
  readonly package: string;
  readonly requiredFeatures: readonly string[];
  /** Bake target with every platform; also the metadata-action bake target in CI. */
  readonly target: string;
  /** Bake group of the per-platform targets. */
  readonly group: string;
  readonly stages: { readonly libs: string; readonly runtime: string };
  /** The root its runtime stage is built on (`runtime` says which kind). */
  readonly root: RuntimeRoot;
  readonly labels: { readonly title: string; readonly description: string };
  /** The crates in the image's own Cargo.lock (binaryCrates), for the report; never rendered. */
  readonly crates: number;
  readonly cache?: CacheSpec;
  readonly ciCache?: CacheSpec;
  /** The CI repository: registry/namespace/image. */
  readonly ciRepository: string;
  readonly platforms: readonly PlatformBuild[];
}

export type StageScope = 'shared' | 'platform';

export type RuntimeKind = ResolvedBin['runtime'];

/**
 * Where a runtime image's root comes from: the image it starts `FROM`, the stage on the build platform
 * whose `/rootfs` (plus `/base/status`, the dpkg status the root already has) its libs stage extends, and
 * the dpkg directory its binary's libraries are checked against (what the root already provides).
 */
export interface RuntimeRoot {
  readonly kind: RuntimeKind;
  readonly from: string;
  readonly files: string;
  /** The root's dpkg directory, and where build-all mounts it to check the binaries built on this root. */
  readonly dpkg: { readonly stage: string; readonly path: string; readonly mount: string };
}

/** The minimal root's stage: assembled on the build platform, `FROM scratch` images are built on it. */
export const MINIMAL_ROOT = 'minimal-root';

export const RUNTIME_ROOTS: Readonly<Record<RuntimeKind, RuntimeRoot>> = {
  slim: {
    kind: 'slim',
    from: 'runtime-base',
    files: 'runtime-files',
    dpkg: { stage: 'runtime-base', path: '/var/lib/dpkg', mount: '/crossbake/base-dpkg/slim' },
  },
  minimal: {
    kind: 'minimal',
    from: 'scratch',
    files: MINIMAL_ROOT,
    dpkg: { stage: MINIMAL_ROOT, path: '/rootfs/var/lib/dpkg', mount: '/crossbake/base-dpkg/minimal' },
  },
};

/**
 * The minimal root: its own Debian packages for the target architecture (apt adds what they depend on,
 * libgcc-s1's gcc-12-base), the files it drops from them, and its one user besides root.
 */
export interface MinimalPlan {
  readonly stage: typeof MINIMAL_ROOT;
  readonly packages: readonly string[];
  readonly drop: readonly string[];
  readonly user: Settings['user'];
}

export const MINIMAL_PACKAGES = ['libc6', 'libgcc-s1', 'tini'] as const;
/** Unused at run time: tini's static twin (ENTRYPOINT runs the dynamic one, which libc6 serves). */
export const MINIMAL_DROP = ['/usr/bin/tini-static'] as const;

/**
 * One cargo call per platform compiles the selected binaries (the build arg, space-separated bin names)
 * and checks each one's ELF, leaving `/out/<bin>` and `/out/<bin>.packages` for its libs and runtime stages.
 */
export const BUILD_ALL = { stage: 'build-all', arg: 'CROSSBAKE_BINS' } as const;

/**
 * The platforms the deps step compiles for, comma-separated Docker platforms: by default every platform of
 * the Dockerfile; the bake file passes its PLATFORMS, crossbake bake the platforms it builds, and a CI job
 * that builds one platform names it, so that it does not compile the others' dependencies. Every target of
 * one bake call passes the same value, or the step would no longer be one step.
 */
export const DEPS = { stage: 'deps', arg: 'CROSSBAKE_PLATFORMS' } as const;

/** The deps layer with one target platform's build environment: build-all starts from it. */
export const TARGET_STAGE = 'target';

/** The debian toolchain's foreign standard libraries, unpacked in a stage of their own and mounted where cargo compiles. */
export const RUST_STD = { stage: 'rust-std', path: '/usr/lib/rustlib' } as const;

/** The value of DEPS.arg for a build of the selected images: their platforms, in the Plan's order. */
export const depsPlatforms = (plan: Pick<Plan, 'platforms' | 'selected'>): string =>
  plan.platforms
    .filter((p) => plan.selected.some((i) => i.platforms.some((ip) => ip.platform === p)))
    .map((p) => p.docker)
    .join(',');

/**
 * cargo's target directory kept between builds on one machine: the deps and build-all steps compile in
 * BuildKit cache mounts (one per workspace and stage, build-all's also per platform) and freshness is by
 * content (docker/crossbake-target-cache.sh). The deps step compiles every selected platform's target in
 * one cargo call, so the build platform's build scripts and proc-macros compile once, and leaves a copy of
 * its target directory in its layer at `seed`, which each platform's build-all mount starts from (its own
 * triple's part) and which travels through the registry cache. `env` is what the deps step sources: every
 * selected platform's linker and native build environment. `arg` = `0` empties the mounts first: verify and
 * --no-cache build from scratch (BuildKit keeps cache mounts across --no-cache).
 */
export const TARGET_CACHE = {
  script: 'target-cache.sh',
  arg: 'CROSSBAKE_INCREMENTAL',
  seed: '/crossbake/deps-target',
  env: '/crossbake/targets.env',
} as const;

export interface TargetCachePlan {
  readonly script: typeof TARGET_CACHE.script;
  readonly arg: typeof TARGET_CACHE.arg;
  readonly seed: typeof TARGET_CACHE.seed;
  readonly env: typeof TARGET_CACHE.env;
  /** Cache mount ids, `[a-z0-9-]`: deps's is shared by every platform; the Dockerfile appends the target platform to build's. */
  readonly ids: { readonly deps: string; readonly build: string };
}

/**
 * The mounts' ids: one workspace (its registry and image names) gets its own, so workspaces on one machine
 * do not take turns emptying each other's; correctness never rests on them (the script checks content).
 */
function targetCache(images: readonly ImagePlan[], registry: string | undefined): TargetCachePlan {
  const key = createHash('sha256')
    .update(JSON.stringify([registry ?? '', images.map((i) => i.image).sort()]))
    .digest('hex')
    .slice(0, 12);
  return { ...TARGET_CACHE, ids: { deps: `crossbake-${key}-deps`, build: `crossbake-${key}-build` } };
}

/** The build-arg overrides that make a build start from scratch (verify, --no-cache), as bake `--set` values. */
export const fromScratchSet = (plan: Pick<Plan, 'targetCache'>): string => `*.args.${plan.targetCache.arg}=0`;

/** The value of BUILD_ALL.arg for the selected images: their binaries, space-separated. */
export const buildAllBins = (plan: Pick<Plan, 'selected'>): string => plan.selected.map((i) => i.bin).join(' ');

/**
 * One cache per platform for every stage the images share (toolchain, deps, build-all, the runtime
 * roots): `crossbake bake` exports it once per platform instead of once per binary and platform, so one
 * more binary adds no export. It lives in the alphabetically first image's repository (a repository the
 * workspace already pushes to); `.` keeps its local dir and gha scope apart from any binary's.
 */
export const SHARED_CACHE = {
  stage: 'crossbake-cache',
  target: '_crossbake-cache',
  tag: 'cache-shared',
  name: 'crossbake.shared',
} as const;

/**
 * The build-platform stages (toolchain through native, and rust-std: most of a cold export's bytes, the
 * same for every platform) as a cache of their own, written by a target that a cold build adds to its build
 * call: their layers are compressed and uploaded while the dependencies compile, and the platforms' exports
 * after the build find them in the repository. Its stage is native plus a file of rust-std, which makes
 * that stage a dependency. Registry caches only: a local cache dir would hold a second copy.
 */
export const EARLY_CACHE = { stage: 'crossbake-toolchain-cache', target: '_crossbake-cache-toolchain', key: 'toolchain' } as const;

/** Dockerfile stages shared beyond one image: on the build platform for everyone, or per target platform. */
export const SHARED_STAGES: Readonly<Record<string, StageScope>> = {
  toolchain: 'shared',
  'toolchain-base': 'shared',
  [RUST_STD.stage]: 'shared',
  [EARLY_CACHE.stage]: 'shared',
  skeleton: 'shared',
  chef: 'shared',
  native: 'shared',
  'runtime-packages': 'shared',
  [TARGET_STAGE]: 'platform',
  [DEPS.stage]: 'shared',
  [BUILD_ALL.stage]: 'platform',
  'runtime-base': 'platform',
  'runtime-files': 'platform',
  [MINIMAL_ROOT]: 'platform',
  [SHARED_CACHE.stage]: 'platform',
};

export interface Plan {
  /** Every binary of the workspace: the Dockerfile has stages for all of them. */
  readonly images: readonly ImagePlan[];
  /** The binaries selected for the bake file and the build. */
  readonly selected: readonly ImagePlan[];
  readonly platforms: readonly Platform[];
  readonly toolchain: ToolchainPlan;
  /** Where cargo's linker for each platform is (`<dir>/<gcc>`), when not the platform's gcc itself: LLD_LINKERS. */
  readonly linkerDir?: string;
  /** The minimal root, when an image has `runtime = "minimal"`: its stage is rendered only then. */
  readonly minimal?: MinimalPlan;
  /** The runtime images' base, and the Debian image that runs on the build platform for apt. */
  readonly baseImages: { readonly runtime: string; readonly debian: string };
  readonly profile: string;
  /** Members' own cargo output directories, for the ignore file (none where a source file lives under one). */
  readonly memberTargetDirs: readonly string[];
  /** Where cargo puts the profile's output under target/<triple>/. */
  readonly profileDir: string;
  readonly targetCache: TargetCachePlan;
  readonly sharedCache?: SharedCachePlan;
  readonly locked: boolean;
  /** rustc's `--remap-path-prefix` pairs, in `[build] rustflags` of the toolchain's cargo config. */
  readonly remapPaths: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  readonly skeleton: {
    readonly mode: 'crossbake' | 'cargo-chef';
    readonly planner: typeof SKELETON_PLANNER;
    /** Where the planner writes each binary's Cargo.lock, and where the image has it (crossbake mode). */
    readonly binaryLock?: typeof BINARY_LOCK;
    /** The build installs the Debian crate packages its Cargo.lock names (debian toolchain, no list in the settings). */
    readonly cratesFromLock: boolean;
    /** crossbake mode, with the workspace's reading recorded (see SKELETON_LAYOUT); else the whole context. */
    readonly inputs?: {
      readonly layoutFile: string;
      readonly recorded: WorkspaceInputs;
    };
    readonly cargoChefVersion: string;
  };
  /** Native packages from the settings per platform (`docker` name), `name:arch`, installed with the derived ones. */
  readonly nativePackages: Readonly<Record<string, readonly string[]>>;
  readonly registry?: string;
  readonly tag: string;
  /** Attestations the bake file asks for beyond buildx's default provenance: the SBOM, and its generator. */
  readonly attest: { readonly sbom: false } | { readonly sbom: true; readonly generator?: string };
  /** From the settings; otherwise the runner takes SOURCE_DATE_EPOCH or the last commit's time. */
  readonly sourceDateEpoch?: number;
  readonly cache: Settings['cache'];
  readonly user: Settings['user'];
  /** The workflow's settings, resolved. */
  readonly ci: CiConfig;
  readonly notes: readonly string[];
  /** Paths in the bake file: the build context as seen from where bake runs, the Dockerfile relative to it. */
  readonly bake: { readonly context: string; readonly dockerfile: string };
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  /** Build context path written into the bake file (relative to the directory bake is run from). */
  readonly context: string;
  /** Dockerfile path relative to the context. */
  readonly dockerfile: string;
}

const SAFE_STAGE = /[^a-z0-9-]/g;

function stageName(prefix: string, bin: string): string {
  return `${prefix}-${bin.toLowerCase().replace(SAFE_STAGE, '-')}`;
}

/** The first cargo that reads each Cargo.lock format (format 4 is written by default from cargo 1.83 on). */
const LOCK_FORMAT_CARGO: Readonly<Record<number, string>> = { 4: '1.78' };
/** The first cargo that compiles each edition. */
const EDITION_CARGO: Readonly<Record<string, string>> = { '2024': '1.85' };
/** Debian 12's cargo and rustc, which the debian toolchain installs. */
const DEBIAN_CARGO = '1.63';

/** Something in the workspace that an older cargo cannot read, and what else fixes it besides a newer cargo. */
interface CargoNeed {
  readonly what: string;
  readonly cargo: string;
  readonly otherwise?: string;
}

function cargoNeeds(ws: Workspace): CargoNeed[] {
  const needs: CargoNeed[] = [];
  const format = ws.lockfile?.version ?? 0;
  const lock = LOCK_FORMAT_CARGO[format];
  if (lock) {
    needs.push({
      what: `Cargo.lock is in format ${format}, which cargo reads`,
      cargo: lock,
      otherwise: `write the lock in format ${format - 1} (\`cargo +1.77 generate-lockfile\`; a lock without git dependencies reads the same with \`version = ${format - 1}\` at its top)`,
    });
  }
  const packages = [...ws.members, ...ws.localPackages];
  for (const [edition, cargo] of Object.entries(EDITION_CARGO)) {
    const using = packages.filter((p) => p.edition === edition).map((p) => p.manifestPath);
    if (using.length > 0)
      needs.push({
        what: `${using[0]}${using.length > 1 ? ` (and ${using.length - 1} more)` : ''} uses edition ${edition}, which cargo compiles`,
        cargo,
      });
  }
  return needs;
}

function toolchainPlan(ws: Workspace, settings: Settings, problems: string[], warnings: string[]): ToolchainPlan {
  const needs = cargoNeeds(ws);
  if (settings.toolchain === 'debian') {
    for (const need of needs.filter((n) => compareRustVersions(DEBIAN_CARGO, n.cargo) < 0)) {
      problems.push(
        `${need.what} from ${need.cargo} on; the debian toolchain's cargo is ${DEBIAN_CARGO} (Debian 12). Use toolchain = "rustup"${need.otherwise ? `, or ${need.otherwise}` : ''}.`,
      );
    }
    return {
      kind: 'debian',
      packages: [...settings.debian.packages],
      ...(settings.debian.crates ? { crates: [...settings.debian.crates] } : {}),
    };
  }
  const fromFile = settings['rust-version'] || settings['rust-image'] ? undefined : channelVersion(ws, problems);
  const msrv = shortVersion(ws.rustVersion);
  let version = settings['rust-version'] ?? fromFile ?? msrv ?? '1';
  const released = !settings['rust-image'] && /^\d/.test(version) && version !== '1';
  const unmet = released ? needs.filter((n) => compareRustVersions(version, n.cargo) < 0) : [];
  if (unmet.length > 0 && version === msrv && settings['rust-version'] === undefined && fromFile === undefined) {
    // rust-version is the oldest compiler the code builds with; the workspace asks for a newer cargo.
    const need = unmet.reduce((a, b) => (compareRustVersions(a.cargo, b.cargo) >= 0 ? a : b));
    warnings.push(
      `rust-version ${msrv} is older than cargo ${need.cargo}: ${need.what} from ${need.cargo} on. Building with rust:${need.cargo}-bookworm; set rust-version in [workspace.metadata.crossbake] to choose another.`,
    );
    version = need.cargo;
  } else {
    const source = settings['rust-version'] !== undefined ? 'rust-version in the crossbake settings' : ws.toolchain?.file;
    for (const need of unmet) {
      problems.push(
        `${source} pins Rust ${version}, but ${need.what} from ${need.cargo} on. Pin ${need.cargo} or newer${need.otherwise ? `, or ${need.otherwise}` : ''}.`,
      );
    }
  }
  return { kind: 'rustup', version, image: settings['rust-image'] ?? `rust:${version === 'stable' ? '1' : version}-bookworm` };
}

/**
 * The official rust image tag for the toolchain file's channel: a release names its tag, `stable` the
 * newest. beta, nightly and dated channels have no official image: refused by name, not replaced.
 */
function channelVersion(ws: Workspace, problems: string[]): string | undefined {
  const file = ws.toolchain;
  if (!file) return undefined;
  const channel = parseToolchainChannel(file.channel);
  if (!channel) return undefined;
  if (channel.host && !PLATFORMS.some((p) => p.rustTarget === channel.host)) {
    problems.push(
      `${file.file}: toolchain channel "${file.channel}" names host ${channel.host}; the build runs on a Linux build platform (${PLATFORMS.map((p) => p.rustTarget).join(', ')}). Drop the host part, or set rust-image.`,
    );
    return undefined;
  }
  if (channel.kind === 'version') return channel.version;
  if (channel.kind === 'stable' && !channel.date) return '1';
  problems.push(
    `${file.file}: toolchain channel "${file.channel}" has no official rust image (those exist for stable and releases such as 1.79). Set rust-image in [workspace.metadata.crossbake] to an image that has this toolchain (e.g. rustlang/rust:nightly-bookworm for nightly), or rust-version to build with a release.`,
  );
  return undefined;
}

/** Where cargo writes a profile's output under target/<triple>/: dev and test share debug, bench uses release. */
export function profileDir(profile: string): string {
  if (profile === 'dev' || profile === 'test') return 'debug';
  if (profile === 'bench') return 'release';
  return profile;
}

function shortVersion(version: string | undefined): string | undefined {
  return version && /^\d+\.\d+/.test(version) ? version : undefined;
}

/** The bake file's cache entries for one image: per platform (`key`) or shared by all (`all`). */
function bakeCacheEntry(settings: Settings, image: string, bin: string, key: string): CacheEntry | undefined {
  switch (settings.cache.type) {
    case 'registry':
      return { type: 'registry', image, tag: `cache-${key}` };
    case 'local':
      return { type: 'local', dir: `${settings.cache.dir}/${bin}-${key}` };
    case 'gha':
      return { type: 'gha', scope: ghaScope(bin, key) };
    default:
      return undefined;
  }
}

const ghaScope = (bin: string, key: string) => `crossbake-${bin}-${key}`;

export interface SharedCachePlan {
  readonly stage: typeof SHARED_CACHE.stage;
  /**
   * One slot per image of the Dockerfile: a global build arg whose default names the image's runtime
   * stage, and whose value in the bake file is that stage for a selected image or `none`, an empty stage.
   * The cache stage depends on each slot's stage, so it carries the selected images' own stages and
   * through them their runtime roots: an emptied machine builds none of them again.
   */
  readonly slots: readonly { readonly arg: string; readonly stage: string; readonly runtime: string; readonly value: string }[];
  readonly none: string;
  readonly early?: { readonly stage: typeof EARLY_CACHE.stage; readonly target: string; readonly cache: CacheSpec };
  readonly platforms: readonly {
    readonly platform: Platform;
    readonly target: string;
    readonly cache: CacheSpec;
  }[];
}

function sharedCacheEntry(settings: Settings, image: string, key: string): CacheEntry | undefined {
  switch (settings.cache.type) {
    case 'registry':
      return { type: 'registry', image, tag: `${SHARED_CACHE.tag}-${key}` };
    case 'local':
      return { type: 'local', dir: `${settings.cache.dir}/${SHARED_CACHE.name}-${key}` };
    case 'gha':
      return { type: 'gha', scope: `${SHARED_CACHE.name}-${key}` };
    default:
      return undefined;
  }
}

/** None with inline or no caches, or mode=min (which would export only the cache stage's own layers). */
function sharedCachePlan(
  settings: Settings,
  images: readonly ImagePlan[],
  selected: readonly ImagePlan[],
  platforms: readonly Platform[],
): SharedCachePlan | undefined {
  const image = images.map((i) => i.image).sort()[0];
  if (settings.cache.mode !== 'max' || image === undefined || selected.length === 0) return undefined;
  if (sharedCacheEntry(settings, image, 'all') === undefined) return undefined;
  const none = `${SHARED_CACHE.stage}-none`;
  const early = settings.cache.type === 'registry' ? sharedCacheEntry(settings, image, EARLY_CACHE.key) : undefined;
  return {
    stage: SHARED_CACHE.stage,
    slots: images.map((i, n) => ({
      arg: `CROSSBAKE_CACHE_${n + 1}`,
      stage: `${SHARED_CACHE.stage}-${n + 1}`,
      runtime: i.stages.runtime,
      value: selected.includes(i) ? i.stages.runtime : none,
    })),
    none,
    ...optional('early', early && { stage: EARLY_CACHE.stage, target: EARLY_CACHE.target, cache: { from: [], to: [early] } }),
    platforms: platforms.map((p) => {
      const entry = sharedCacheEntry(settings, image, p.key)!;
      return {
        platform: p,
        target: `${SHARED_CACHE.target}-${p.key}`,
        cache: { from: [entry], to: [entry] },
      };
    }),
  };
}

/**
 * A per-platform image target reads its platform's shared cache first: crossbake writes that one. The
 * multi-platform target (--load, --push on a multi-platform image store, a bare `docker buildx bake`)
 * builds the same steps for every platform and reads every platform's.
 */
function readingShared(image: ImagePlan, shared: SharedCachePlan | undefined): ImagePlan {
  if (!shared) return image;
  const all = shared.platforms.flatMap((s) => s.cache.from);
  return {
    ...image,
    ...(image.cache ? { cache: { from: [...all, ...image.cache.from], to: image.cache.to } } : {}),
    platforms: image.platforms.map((p) => {
      const from = shared.platforms.find((s) => s.platform === p.platform)!.cache.from;
      return p.cache ? { ...p, cache: { from: [...from, ...p.cache.from], to: p.cache.to } } : p;
    }),
  };
}

type CacheFor = (own: string, from: readonly string[]) => CacheSpec | undefined;

/** The bake file's caches: `own` is written, `from` (platform keys or `all`) read, in that order. */
function bakeCache(settings: Settings, image: string, bin: string): CacheFor {
  return (own, from) => {
    if (settings.cache.type === 'none') return undefined;
    if (settings.cache.type === 'inline') return { from: [{ type: 'registry', image }], to: [{ type: 'inline' }] };
    const entry = (key: string) => bakeCacheEntry(settings, image, bin, key)!;
    return { from: from.map(entry), to: [entry(own)] };
  };
}

/** CI runners keep caches in GitHub's cache service, whatever backend the bake file uses; none when caching is off. */
function ciCache(settings: Settings, bin: string): CacheFor {
  return (own, from) => {
    if (settings.cache.type === 'none') return undefined;
    const entry = (key: string): CacheEntry => ({ type: 'gha', scope: ghaScope(bin, key) });
    return { from: from.map(entry), to: [entry(own)] };
  };
}

function imagePlan(ws: Workspace, bin: Workspace['bins'][number], resolved: ResolvedSettings, platforms: readonly Platform[]): ImagePlan {
  const { settings, ci } = resolved;
  const own = resolveBin(bin.name, settings, resolved.packages.get(bin.package));
  const bakeFor = bakeCache(settings, own.image, bin.name);
  const ciFor = ciCache(settings, bin.name);
  const keys = platforms.map((p) => p.key);
  return {
    bin: bin.name,
    package: bin.package,
    requiredFeatures: bin.requiredFeatures,
    ...own,
    target: bin.name,
    group: `${bin.name}-platforms`,
    stages: { libs: stageName('libs', bin.name), runtime: stageName('runtime', bin.name) },
    root: RUNTIME_ROOTS[own.runtime],
    labels: { title: own.image, description: `${bin.name} from Rust package ${bin.package}` },
    crates: binaryCrates(ws, bin).length,
    // The multi-platform build reads every platform's cache and writes its own.
    ...optional('cache', bakeFor('all', [...keys, 'all'])),
    ...optional('ciCache', ciFor('all', [...keys, 'all'])),
    ciRepository: `${ci.registry}/${own.image}`,
    platforms: platforms.map((p) => ({
      platform: p,
      target: `${bin.name}-${p.key}`,
      tagSuffix: `-${p.key}`,
      // A platform writes only its own cache: one platform's export never overwrites another's.
      ...optional('cache', bakeFor(p.key, [p.key, 'all'])),
      ...optional('ciCache', ciFor(p.key, [p.key, 'all'])),
    })),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function memberTargetDirs(ws: Workspace): string[] {
  const sources = ws.members.flatMap((m) => m.targetFiles.map((f) => f.path));
  const dirs = ws.members.map((m) => m.dir).filter((d) => d !== '.' && !sources.some((p) => p.startsWith(`${d}/target/`)));
  return [...new Set(dirs)].sort().map((d) => `${d}/target`);
}

function nativePackages(settings: Settings, platforms: readonly Platform[]): Record<string, string[]> {
  const given = Object.entries(settings.native.packages);
  return Object.fromEntries(
    platforms.map((p) => {
      const names = given.filter(([key]) => key === '*' || findPlatform(key) === p).flatMap(([, list]) => list);
      return [p.docker, [...new Set(names)].sort().map((n) => `${n}:${p.debianArch}`)];
    }),
  );
}

export function makePlan(ws: Workspace, resolved: ResolvedSettings, options: PlanOptions): Plan {
  const { settings } = resolved;
  const warnings: string[] = [];
  const problems: string[] = [];
  const platforms = PLATFORMS.filter((p) => settings.platforms.some((name) => findPlatform(name) === p));
  const images = ws.bins.map((bin) => imagePlan(ws, bin, resolved, platforms));
  if (images.length === 0) {
    throw inputError(`the workspace in ${ws.root} has no binary targets, so there is no image to build. Add a src/main.rs or a [[bin]].`);
  }
  const available = images.map((i) => i.bin).join(', ');
  const selectedNames = settings.bins ?? images.map((i) => i.bin);
  for (const name of selectedNames) {
    if (!images.some((i) => i.bin === name))
      problems.push(`no binary "${name}" in the workspace; binaries: ${available}. Pick one of those.`);
  }
  const imageNames = new Map<string, string>();
  for (const i of images) {
    const other = imageNames.get(i.image);
    if (other) {
      problems.push(
        `binaries "${other}" and "${i.bin}" are both set to image "${i.image}". Give one another \`image\` in its package.metadata.crossbake.`,
      );
    }
    imageNames.set(i.image, i.bin);
  }
  // crossbake's stage names must keep apart what cargo keeps apart (`foo_bar`, `foo-bar`).
  for (const group of collisions(
    images.map((i) => i.bin),
    (bin) => stageName('runtime', bin),
  )) {
    problems.push(
      `binaries ${group.map((b) => `"${b}"`).join(' and ')} map to one Dockerfile stage, "${stageName('runtime', group[0]!)}": crossbake's stage names are lower-case with - for other characters. Rename one of them ([[bin]] name).`,
    );
  }
  for (const i of images) {
    const shared = [i.stages.libs, i.stages.runtime].find((stage) => Object.hasOwn(SHARED_STAGES, stage));
    if (shared) {
      problems.push(
        `binary "${i.bin}" maps to the Dockerfile stage "${shared}", which crossbake uses for every image's runtime. Rename it ([[bin]] name).`,
      );
    }
  }
  for (const i of images) {
    const problem = imageName(i.image);
    if (problem)
      problems.push(
        `binary "${i.bin}" gives the image name "${i.image}", which is not ${problem.replace(/^a /, 'a valid ')}. Set \`image\` in package.metadata.crossbake.bins.${i.bin}.`,
      );
  }
  const toolchain = toolchainPlan(ws, settings, problems, warnings);
  if (settings.toolchain === 'debian' && !settings.debian.crates) {
    // The build derives them again from the lock in its context; a name that cannot be one fails here first.
    try {
      debianCratePackages(ws.lockfile);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (settings.toolchain === 'debian' && settings.skeleton === 'cargo-chef') {
    problems.push(
      'skeleton = "cargo-chef" needs `cargo install cargo-chef` from crates.io, which the debian toolchain cannot do. Use skeleton = "crossbake" with toolchain = "debian".',
    );
  }
  if (problems.length === 1) throw inputError(problems[0]!);
  if (problems.length > 1) throw inputError(`${problems.length} problems; fix them and run again:`, problems);
  if (!ws.lockfile) {
    warnings.push(
      'no Cargo.lock: builds resolve dependencies afresh each time; run `cargo generate-lockfile` and commit Cargo.lock for reproducible, cacheable images.',
    );
  }
  const sharedCache = sharedCachePlan(
    settings,
    images,
    images.filter((i) => selectedNames.includes(i.bin)),
    platforms,
  );
  const reading = images.map((i) => readingShared(i, sharedCache));
  return {
    images: reading,
    selected: reading.filter((i) => selectedNames.includes(i.bin)),
    platforms,
    toolchain,
    ...(toolchain.kind === 'debian' ? { linkerDir: LLD_LINKERS.dir } : {}),
    ...(images.some((i) => i.runtime === 'minimal')
      ? { minimal: { stage: MINIMAL_ROOT, packages: [...MINIMAL_PACKAGES], drop: [...MINIMAL_DROP], user: settings.user } }
      : {}),
    baseImages: { runtime: settings['base-image'], debian: settings['base-image'] },
    profile: settings.profile,
    memberTargetDirs: memberTargetDirs(ws),
    profileDir: profileDir(settings.profile),
    targetCache: targetCache(images, settings.registry),
    ...optional('sharedCache', sharedCache),
    locked: ws.lockfile !== undefined,
    remapPaths: remapPaths(toolchain.kind),
    skeleton: {
      mode: settings.skeleton,
      planner: SKELETON_PLANNER,
      ...(settings.skeleton === 'crossbake' ? { binaryLock: BINARY_LOCK } : {}),
      cratesFromLock: settings.toolchain === 'debian' && !settings.debian.crates && settings.skeleton === 'crossbake',
      cargoChefVersion: settings['cargo-chef-version'],
      ...optional('inputs', settings.skeleton === 'crossbake' ? skeletonInputs(ws) : undefined),
    },
    nativePackages: nativePackages(settings, platforms),
    ...(settings.registry ? { registry: settings.registry } : {}),
    tag: settings.tag,
    attest: settings.attest.sbom
      ? { sbom: true, ...(settings.attest['sbom-generator'] ? { generator: settings.attest['sbom-generator'] } : {}) }
      : { sbom: false },
    ...(settings['source-date-epoch'] !== undefined ? { sourceDateEpoch: settings['source-date-epoch'] } : {}),
    cache: settings.cache,
    user: settings.user,
    ci: resolved.ci,
    notes: resolved.notes,
    bake: { context: options.context, dockerfile: options.dockerfile },
    warnings,
  };
}
