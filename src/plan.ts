import { inputError } from './errors.js';
import { findPlatform, PLATFORMS, type Platform } from './platforms.js';
import { PackageSettingsSchema, type ResolvedBinSettings, resolveBinSettings, type Settings, validateLayer } from './settings.js';
import type { Workspace } from './workspace/model.js';
import { dependencySkeleton, type SkeletonFile } from './workspace/skeleton.js';

export type ToolchainPlan =
  | { readonly kind: 'rustup'; readonly image: string; readonly version: string }
  | { readonly kind: 'debian'; readonly packages: readonly string[] };

export interface ImagePlan extends ResolvedBinSettings {
  readonly bin: string;
  readonly package: string;
  readonly requiredFeatures: readonly string[];
  readonly buildStage: string;
  readonly runtimeStage: string;
}

export interface Plan {
  /** Every binary of the workspace: the Dockerfile has stages for all of them. */
  readonly images: readonly ImagePlan[];
  /** The binaries selected for the bake file and the build. */
  readonly selected: readonly ImagePlan[];
  readonly platforms: readonly Platform[];
  readonly toolchain: ToolchainPlan;
  readonly baseImage: string;
  readonly profile: string;
  /** Where cargo puts the profile's output under target/<triple>/. */
  readonly profileDir: string;
  readonly locked: boolean;
  readonly skeleton: {
    readonly mode: 'crossbake' | 'cargo-chef';
    readonly files: readonly SkeletonFile[];
    readonly cargoChefVersion: string;
  };
  readonly registry?: string;
  readonly tag: string;
  readonly cache: Settings['cache'];
  readonly user: Settings['user'];
  readonly ci: Settings['ci'];
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

function debianCrates(ws: Workspace, settings: Settings): string[] {
  if (settings.debian.crates) return [...settings.debian.crates];
  const names = (ws.lockfile?.packages ?? [])
    .filter((p) => p.source?.startsWith('registry+'))
    .map((p) => `librust-${p.name.replace(/_/g, '-')}-dev`);
  return [...new Set(names)].sort();
}

function toolchainPlan(ws: Workspace, settings: Settings): ToolchainPlan {
  if (settings.toolchain === 'debian') {
    return { kind: 'debian', packages: [...debianCrates(ws, settings), ...settings.debian.packages] };
  }
  const version = settings.rustVersion ?? channelVersion(ws.toolchain?.channel) ?? shortVersion(ws.rustVersion) ?? '1';
  return { kind: 'rustup', version, image: settings.rustImage ?? `rust:${version}-bookworm` };
}

/** rust-toolchain channels that name a release map to an image tag; `stable` to the newest. */
function channelVersion(channel: string | undefined): string | undefined {
  if (!channel) return undefined;
  if (channel === 'stable') return '1';
  return /^\d+\.\d+(\.\d+)?$/.test(channel) ? channel : undefined;
}

function shortVersion(version: string | undefined): string | undefined {
  return version && /^\d+\.\d+/.test(version) ? version : undefined;
}

export function makePlan(ws: Workspace, settings: Settings, options: PlanOptions): Plan {
  const warnings: string[] = [];
  const packageSettings = new Map(
    ws.members.map((m) => [
      m.name,
      validateLayer(PackageSettingsSchema, m.crossbakeMetadata, m.manifestPath, 'package.metadata.crossbake'),
    ]),
  );
  for (const m of ws.members) {
    for (const name of Object.keys(packageSettings.get(m.name)?.bins ?? {})) {
      if (!m.bins.some((b) => b.name === name)) {
        throw inputError(
          `${m.manifestPath}: package.metadata.crossbake.bins.${name}: package "${m.name}" has no binary "${name}"; its binaries: ${m.bins.map((b) => b.name).join(', ') || 'none'}.`,
        );
      }
    }
  }
  const images: ImagePlan[] = ws.bins.map((bin) => ({
    bin: bin.name,
    package: bin.package,
    requiredFeatures: bin.requiredFeatures,
    buildStage: stageName('build', bin.name),
    runtimeStage: stageName('runtime', bin.name),
    ...resolveBinSettings(bin.name, settings, packageSettings.get(bin.package) ?? {}),
  }));
  if (images.length === 0) {
    throw inputError(`the workspace in ${ws.root} has no binary targets, so there is no image to build. Add a src/main.rs or a [[bin]].`);
  }
  const available = images.map((i) => i.bin).join(', ');
  const selectedNames = settings.bins ?? images.map((i) => i.bin);
  for (const name of selectedNames) {
    if (!images.some((i) => i.bin === name)) {
      throw inputError(`no binary "${name}" in the workspace; binaries: ${available}. Pick one of those.`);
    }
  }
  const selected = images.filter((i) => selectedNames.includes(i.bin));
  const imageNames = new Map<string, string>();
  for (const i of images) {
    const other = imageNames.get(i.image);
    if (other)
      throw inputError(
        `binaries "${other}" and "${i.bin}" are both set to image "${i.image}". Give one another \`image\` in its package.metadata.crossbake.`,
      );
    imageNames.set(i.image, i.bin);
  }
  const platforms = settings.platforms.map((name) => findPlatform(name)!).filter((p, i, all) => all.indexOf(p) === i);
  const ordered = PLATFORMS.filter((p) => platforms.includes(p));
  if (!ws.lockfile) {
    warnings.push(
      'no Cargo.lock: builds resolve dependencies afresh each time; run `cargo generate-lockfile` and commit Cargo.lock for reproducible, cacheable images.',
    );
  }
  if (settings.toolchain === 'debian' && settings.skeleton === 'cargo-chef') {
    throw inputError(
      'skeleton = "cargo-chef" needs `cargo install cargo-chef` from crates.io, which the debian toolchain cannot do. Use skeleton = "crossbake" with toolchain = "debian".',
    );
  }
  return {
    images,
    selected,
    platforms: ordered,
    toolchain: toolchainPlan(ws, settings),
    baseImage: settings.baseImage,
    profile: settings.profile,
    profileDir: settings.profile === 'dev' || settings.profile === 'test' ? 'debug' : settings.profile,
    locked: ws.lockfile !== undefined,
    skeleton: { mode: settings.skeleton, files: dependencySkeleton(ws), cargoChefVersion: settings.cargoChefVersion },
    ...(settings.registry ? { registry: settings.registry } : {}),
    tag: settings.tag,
    cache: settings.cache,
    user: settings.user,
    ci: settings.ci,
    bake: { context: options.context, dockerfile: options.dockerfile },
    warnings,
  };
}
