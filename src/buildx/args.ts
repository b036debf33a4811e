import { CrossbakeError } from '../errors.js';
import { BUILDX_FEATURES, formatVersion, supports, type BuildxFeature, type Version } from './version.js';

export type Progress = 'auto' | 'plain' | 'tty' | 'rawjson' | 'quiet';

export interface BakeInvocation {
  readonly files: readonly string[];
  readonly targets: readonly string[];
  readonly push?: boolean;
  readonly load?: boolean;
  readonly print?: boolean;
  readonly noCache?: boolean;
  readonly builder?: string;
  readonly metadataFile?: string;
  readonly progress?: Progress;
  readonly set?: readonly string[];
}

function gate(version: Version | undefined, feature: BuildxFeature): void {
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
  for (const file of inv.files) args.push('--file', file);
  if (inv.print) args.push('--print');
  if (inv.progress && !inv.print) {
    if (inv.progress === 'rawjson') gate(version, 'rawjsonProgress');
    args.push('--progress', inv.progress);
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

export function imagetoolsCreateArgs(tags: readonly string[], sources: readonly string[], builder?: string): string[] {
  return ['buildx', 'imagetools', 'create', ...(builder ? ['--builder', builder] : []), ...tags.flatMap((t) => ['--tag', t]), ...sources];
}
