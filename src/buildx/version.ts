/** buildx versions, and the bake features each release added; newer ones are used only when present. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseBuildxVersion(output: string): Version | undefined {
  const match = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(v: Version, wanted: string): boolean {
  return compareVersions(v, parseBuildxVersion(wanted)!) >= 0;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** What crossbake's bake files and flags need, by the buildx release that brought it. */
export const BUILDX_FEATURES = {
  bake: { since: '0.8.0', what: 'bake with HCL variables, inherits and functions' },
  metadataFile: { since: '0.8.0', what: '--metadata-file' },
  rawjsonProgress: { since: '0.12.0', what: '--progress rawjson' },
  objectCacheEntries: { since: '0.19.0', what: 'cache-from/cache-to as objects in bake files' },
  call: { since: '0.19.0', what: '--call (e.g. check)' },
} as const;

export type BuildxFeature = keyof typeof BUILDX_FEATURES;

export const MINIMUM_BUILDX = BUILDX_FEATURES.bake.since;

export function supports(v: Version, feature: BuildxFeature): boolean {
  return atLeast(v, BUILDX_FEATURES[feature].since);
}
