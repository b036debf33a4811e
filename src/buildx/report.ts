/** The build report: a table per image and platform on stdout, the same as JSON with --report FILE. */
import type { Failure, Slot } from './attribute.js';
import { describeFailure } from './attribute.js';

export interface ReportRow {
  readonly image: string;
  readonly target: string;
  readonly platform: string;
  readonly result: Slot['outcome'];
  readonly seconds?: number;
  readonly digest?: string;
  readonly size?: number;
  /** registry: compressed layers as pushed; store: the image store's figure. */
  readonly sizeSource?: 'registry' | 'store';
  readonly steps: number;
  readonly cachedSteps: number;
  /** What the registry holds attesting this platform image (provenance, sbom), after --push. */
  readonly attestations?: readonly string[];
  readonly failure?: string;
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
}

export function rowsFromSlots(slots: readonly Slot[]): ReportRow[] {
  return slots.map((s) => ({
    image: s.target.bin,
    target: s.target.name,
    platform: s.platform.docker,
    result: s.outcome,
    ...(s.started !== undefined && s.completed !== undefined ? { seconds: Math.round((s.completed - s.started) / 100) / 10 } : {}),
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

const short = (digest: string | undefined) => (digest ? digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1') : '-');

/** The table, column-aligned, with the notes that make its numbers honest. */
export function formatReport(report: Report): string {
  const attested = report.rows.some((r) => r.attestations !== undefined);
  const header = ['image', 'platform', 'result', 'time', 'digest', 'size', 'cached steps', ...(attested ? ['attested'] : [])];
  const body = report.rows.map((r) => [
    r.image,
    r.platform,
    r.result,
    r.seconds !== undefined ? `${r.seconds.toFixed(1)}s` : '-',
    short(r.digest),
    formatSize(r.size),
    r.steps > 0 ? `${r.cachedSteps}/${r.steps}` : '-',
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
  return `${out.join('\n')}\n`;
}
