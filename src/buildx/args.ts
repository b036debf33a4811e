import { CrossbakeError } from '../errors.js';
import { BUILDX_FEATURES, type BuildxFeature, formatVersion, supports, type Version } from './version.js';

/** What the user asks for with --progress. */
export type Progress = 'auto' | 'plain' | 'tty' | 'rawjson' | 'quiet';
/** What buildx itself is asked for. */
export type BuildxProgress = 'plain' | 'rawjson' | 'tty';

export interface BakeInvocation {
  /** Bake files; `-` reads the definition from stdin. */
  readonly files: readonly string[];
  readonly targets: readonly string[];
  readonly push?: boolean;
  readonly load?: boolean;
  readonly print?: boolean;
  readonly noCache?: boolean;
  readonly builder?: string;
  readonly metadataFile?: string;
  readonly progress?: Progress | BuildxProgress;
  readonly set?: readonly string[];
}

export function gate(version: Version | undefined, feature: BuildxFeature): void {
  if (version && !supports(version, feature)) {
    const f = BUILDX_FEATURES[feature];
    throw new CrossbakeError(
      'environment',
      `${f.what} needs docker buildx ${f.since} or newer; this machine has ${formatVersion(version)}. Update the docker-buildx plugin, or leave that option out.`,
    );
  }
}

/** The argv of `docker buildx bake`, without `docker`; gated on the detected buildx version. */
export function bakeArgs(inv: BakeInvocation, version?: Version): string[] {
  const args = ['buildx', 'bake'];
  if (inv.builder) args.push('--builder', inv.builder);
  for (const file of inv.files) {
    if (file === '-') gate(version, 'bakeStdin');
    args.push('--file', file);
  }
  if (inv.print) args.push('--print');
  if (inv.progress && !inv.print) {
    if (inv.progress === 'rawjson') gate(version, 'rawjsonProgress');
    // crossbake renders "quiet" itself; buildx releases before 0.16 do not know it.
    args.push('--progress', inv.progress === 'quiet' || inv.progress === 'auto' ? 'plain' : inv.progress);
  }
  if (inv.metadataFile && !inv.print) {
    gate(version, 'metadataFile');
    args.push('--metadata-file', inv.metadataFile);
  }
  if (inv.noCache) args.push('--no-cache');
  if (inv.push) args.push('--push');
  if (inv.load) args.push('--load');
  for (const s of inv.set ?? []) args.push('--set', s);
  args.push(...inv.targets);
  return args;
}

/**
 * How a build's progress is read and shown. crossbake must read the progress to attribute a failure, so
 * buildx never gets the terminal itself: `plain` and `rawjson` pass through as buildx writes them (and
 * are parsed on the way), a live view on a terminal is crossbake's own rendering of buildx's rawjson
 * stream, and `quiet` shows nothing but crossbake's steps.
 */
export interface ProgressPlan {
  readonly buildx: BuildxProgress;
  readonly show: 'passthrough' | 'live' | 'none';
}

export function progressPlan(requested: Progress, version: Version, isTTY: boolean): ProgressPlan {
  const raw = supports(version, 'rawjsonProgress');
  switch (requested) {
    case 'rawjson':
      gate(version, 'rawjsonProgress');
      return { buildx: 'rawjson', show: 'passthrough' };
    case 'plain':
      return { buildx: 'plain', show: 'passthrough' };
    case 'quiet':
      return { buildx: raw ? 'rawjson' : 'plain', show: 'none' };
    case 'tty':
      return raw ? { buildx: 'rawjson', show: 'live' } : { buildx: 'plain', show: 'passthrough' };
    case 'auto':
      return isTTY && raw ? { buildx: 'rawjson', show: 'live' } : { buildx: 'plain', show: 'passthrough' };
  }
}

export function imagetoolsCreateArgs(tags: readonly string[], sources: readonly string[], builder?: string): string[] {
  return ['buildx', 'imagetools', 'create', ...(builder ? ['--builder', builder] : []), ...tags.flatMap((t) => ['--tag', t]), ...sources];
}

export function imagetoolsInspectRawArgs(ref: string, builder?: string): string[] {
  return ['buildx', 'imagetools', 'inspect', ...(builder ? ['--builder', builder] : []), '--raw', ref];
}

export function inspectBuilderArgs(builder?: string, bootstrap = true): string[] {
  return ['buildx', 'inspect', ...(builder ? [builder] : []), ...(bootstrap ? ['--bootstrap'] : [])];
}

/** A throwaway build that runs one tiny static program for `platform`; nothing is exported or cached. */
export function probeArgs(platform: string, contextDir: string, builder?: string): string[] {
  return [
    'buildx',
    'build',
    ...(builder ? ['--builder', builder] : []),
    '--platform',
    platform,
    '--no-cache',
    '--progress',
    'plain',
    '--output',
    'type=cacheonly',
    '--file',
    '-',
    contextDir,
  ];
}

export const PROBE_DOCKERFILE = 'FROM scratch\nCOPY probe /probe\nRUN ["/probe"]\n';

export function pushArgs(tag: string): string[] {
  return ['push', '--quiet', tag];
}

/** `docker ...` as a user would paste it into a POSIX shell. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (a === '' ? "''" : /[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}
