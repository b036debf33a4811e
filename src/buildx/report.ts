/** The build report: a table per image and platform on stdout, the same as JSON with --report FILE. */
import type { Failure, Slot } from './attribute.js';
import { describeFailure } from './attribute.js';
import type { StageTime } from './view.js';

export interface ReportRow {
  readonly image: string;
  readonly target: string;
  readonly platform: string;
  readonly result: Slot['outcome'] | 'unchanged';
  readonly seconds?: number;
  readonly digest?: string;
  readonly size?: number;
  /** registry: compressed layers as pushed; store: the image store's figure. */
  readonly sizeSource?: 'registry' | 'store';
  /** The crates in the image's own Cargo.lock: its binary's dependency graph, itself included. */
  readonly crates?: number;
  readonly steps: number;
  readonly cachedSteps: number;
  /** Debian packages added to the runtime image for its binary's libraries (`name:arch`), read back from the image. */
  readonly runtimePackages?: readonly string[];
  /** What the registry holds attesting this platform image (provenance, sbom), after --push. */
  readonly attestations?: readonly string[];
  /** The stage (its own or a shared one) whose work took longest in this run. */
  readonly slowest?: { readonly stage: string; readonly seconds: number };
  /** The phases (toolchain, deps, build, runtime) that came entirely from the cache. */
  readonly cached?: readonly string[];
  readonly failure?: string;
}

/** This build against the last cold build of the same images and platforms on this machine. */
export interface Saved {
  readonly seconds: number;
  readonly coldSeconds: number;
  readonly coldAt: string;
}

export interface ReportImage {
  readonly image: string;
  readonly tags: readonly string[];
  /** The multi-platform index, once pushed. */
  readonly digest?: string;
  /** One size for the whole (multi-platform) image, when the image store gives no more. */
  readonly storeSize?: number;
  readonly pushed: boolean;
}

export interface Report {
  readonly generatedBy: string;
  readonly ok: boolean;
  readonly exitCode: number;
  readonly mode: 'push' | 'load' | 'build';
  readonly builder: { readonly name: string; readonly driver: string };
  readonly started: string;
  readonly seconds: number;
  readonly rows: readonly ReportRow[];
  readonly images: readonly ReportImage[];
  readonly failures: ReadonlyArray<{ kind: Failure['kind']; message: string; details: readonly string[] }>;
  /** The build step's own seconds (buildx), what `saved` compares. */
  readonly buildSeconds?: number;
  readonly saved?: Saved;
  /** This build was cold (toolchain and dependencies built) and is now the one later builds compare with. */
  readonly coldRecorded?: boolean;
}

const PHASES = ['toolchain', 'deps', 'build', 'runtime'] as const;

/** The slowest stage and the cached phases of each row, from the stage times of view.ts. */
export function withStages(rows: readonly ReportRow[], times: ReadonlyMap<string, readonly StageTime[]>): ReportRow[] {
  return rows.map((row) => {
    const stages = times.get(`${row.image}|${row.platform}`);
    if (!stages || stages.length === 0) return row;
    const slowest = [...stages].sort((a, b) => b.ms - a.ms)[0]!;
    const cached = PHASES.filter((phase) => {
      const of = stages.filter((s) => s.phase === phase && s.steps > 0);
      return of.length > 0 && of.every((s) => s.cached === s.steps);
    });
    return { ...row, ...(slowest.ms > 0 ? { slowest: { stage: slowest.stage, seconds: Math.round(slowest.ms / 100) / 10 } } : {}), cached };
  });
}

/** Cold: no row took its toolchain or its dependencies from the cache. */
export function isCold(rows: readonly ReportRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.cached !== undefined && !r.cached.includes('toolchain') && !r.cached.includes('deps'));
}

export function rowsFromSlots(slots: readonly Slot[]): ReportRow[] {
  return slots.map((s) => ({
    image: s.target.bin,
    target: s.target.name,
    platform: s.platform.docker,
    result: s.outcome,
    ...(s.started !== undefined && s.completed !== undefined ? { seconds: Math.round((s.completed - s.started) / 100) / 10 } : {}),
    ...(s.target.crates !== undefined ? { crates: s.target.crates } : {}),
    steps: s.steps,
    cachedSteps: s.cached,
    ...(s.failure ? { failure: s.failure.kind } : {}),
  }));
}

export function failuresForReport(failures: readonly Failure[], slots: readonly Slot[]): Report['failures'] {
  return failures.map((f) => {
    const d = describeFailure(f, slots);
    return { kind: f.kind, message: d.headline, details: d.details };
  });
}

export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}

/** 8.5s, 1m02s */
export function seconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

const short = (digest: string | undefined) => (digest ? digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1') : '-');

/** The table, column-aligned, with the notes that make its numbers honest. */
export function formatReport(report: Report): string {
  const attested = report.rows.some((r) => r.attestations !== undefined);
  // Only when some image got runtime packages: a pure-Rust workspace's table stays as it was.
  const libraries = report.rows.some((r) => (r.runtimePackages?.length ?? 0) > 0);
  const header = [
    'image',
    'platform',
    'result',
    'time',
    'digest',
    'size',
    'crates',
    'cached steps',
    'cached',
    'slowest stage',
    ...(libraries ? ['runtime packages'] : []),
    ...(attested ? ['attested'] : []),
  ];
  const body = report.rows.map((r) => [
    r.image,
    r.platform,
    r.result,
    r.seconds !== undefined ? `${r.seconds.toFixed(1)}s` : '-',
    short(r.digest),
    formatSize(r.size),
    r.crates !== undefined ? String(r.crates) : '-',
    r.steps > 0 ? `${r.cachedSteps}/${r.steps}` : '-',
    r.cached === undefined ? '-' : r.cached.length === 0 ? 'nothing' : r.cached.join(', '),
    r.slowest ? `${r.slowest.stage} ${seconds(r.slowest.seconds)}` : '-',
    ...(libraries ? [r.runtimePackages === undefined ? '-' : r.runtimePackages.length ? r.runtimePackages.join(' ') : 'none'] : []),
    ...(attested ? [r.attestations?.length ? r.attestations.join(', ') : 'nothing'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...body.map(line)];
  for (const image of report.images) {
    if (image.pushed && image.digest) out.push(`${image.tags.join(', ')} -> ${image.digest}`);
    if (image.storeSize !== undefined)
      out.push(`${image.tags.join(', ')} in the image store: ${formatSize(image.storeSize)} (the store gives one size for all platforms)`);
  }
  const sources = new Set(report.rows.map((r) => r.sizeSource).filter(Boolean));
  if (sources.has('registry')) out.push('sizes: compressed layers as the registry has them');
  if (sources.has('store')) out.push("sizes: the image store's own figure (unpacked content for the platforms it unpacked)");
  if (report.saved) {
    const { seconds: now, coldSeconds, coldAt } = report.saved;
    const when = coldAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
    out.push(
      now < coldSeconds
        ? `cache saved ${seconds(coldSeconds - now)}: this build ${seconds(now)}, the last cold build of these images on this machine ${seconds(coldSeconds)} (${when})`
        : `no time saved: this build ${seconds(now)}, the last cold build of these images on this machine ${seconds(coldSeconds)} (${when})`,
    );
  } else if (report.coldRecorded && report.buildSeconds !== undefined) {
    out.push(`a cold build (toolchain and dependencies built, not cached): ${seconds(report.buildSeconds)}; later builds compare with it`);
  }
  return `${out.join('\n')}\n`;
}
