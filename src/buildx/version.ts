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

/**
 * What crossbake's bake files and flags need, by the buildx release that brought it (as docker/bake-action
 * gates its arguments). `required` features are what every bake file crossbake writes uses; the others are
 * gated where they are used, and crossbake falls back or refuses with the version it needs.
 */
export const BUILDX_FEATURES = {
  bake: { since: '0.8.0', what: 'bake files with variables, functions and inherits', required: true },
  bakeStdin: { since: '0.8.0', what: 'reading a bake definition from stdin (`--file -`)', required: true },
  metadataFile: { since: '0.6.0', what: '--metadata-file', required: true },
  setOverrides: { since: '0.8.0', what: '--set TARGET.output=... overrides', required: true },
  rawjsonProgress: { since: '0.12.0', what: '--progress rawjson', required: false },
  rewriteTimestamp: {
    since: '0.13.0',
    what: 'reproducible layers (the rewrite-timestamp exporter option, BuildKit 0.13)',
    required: false,
  },
} as const;

export type BuildxFeature = keyof typeof BUILDX_FEATURES;

export const MINIMUM_BUILDX = Object.values(BUILDX_FEATURES)
  .filter((f) => f.required)
  .map((f) => f.since)
  .sort((a, b) => compareVersions(parseBuildxVersion(b)!, parseBuildxVersion(a)!))[0]!;

export function supports(v: Version, feature: BuildxFeature): boolean {
  return atLeast(v, BUILDX_FEATURES[feature].since);
}

/** The required features a version lacks, for one message that names them all. */
export function missingRequired(v: Version): BuildxFeature[] {
  return (Object.keys(BUILDX_FEATURES) as BuildxFeature[]).filter((f) => BUILDX_FEATURES[f].required && !supports(v, f));
}
