/**
 * The bench's figures as data (written beside the markdown as <date>.json) and the chart drawn from them
 * (<date>.svg): build times and the cold build by phase, crossbake against the naive emulated build, and
 * what one more binary costs in the synthetic workspace.
 */
import type { Figures } from './goals.js';
import { PHASES, type Phase } from './phases.js';
import { type Panel, renderChart } from './svg.js';

export interface ScaleFigures {
  /** The two variants' binary counts, e.g. [6, 12]. */
  readonly bins: readonly [number, number];
  readonly cold: readonly [number, number];
  readonly source: readonly [number, number];
  /** Bytes exported to registry caches by the cold build (every cache's blobs added up). */
  readonly cacheBytes: readonly [number, number];
}

export interface BenchResults {
  readonly date: string;
  readonly machine: string;
  readonly figures: Figures;
  /** Wall-clock seconds per phase of the cold builds; absent when the run did not record them. */
  readonly phases?: { readonly crossbake: Record<Phase, number>; readonly naive?: Record<Phase, number> };
  readonly scale?: ScaleFigures;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

const CROSSBAKE = { name: 'crossbake', color: '#2f6fdf' };
const NAIVE = { name: 'naive Dockerfile under qemu', color: '#e07b39' };

/** What one more binary costs: the difference between the two variants, per added binary. */
export function perBinary(scale: ScaleFigures): { cold: number; source: number; cacheBytes: number } {
  const added = scale.bins[1] - scale.bins[0];
  const per = (pair: readonly [number, number]) => (pair[1] - pair[0]) / added;
  return { cold: per(scale.cold), source: per(scale.source), cacheBytes: per(scale.cacheBytes) };
}

export function benchChart(r: BenchResults): string {
  const f = r.figures;
  const naiveCold = f.naive?.ok ? f.naive.seconds : undefined;
  const panels: Panel[] = [
    {
      title: 'Build times (3 platforms)',
      unit: 's',
      missing: 'naive: cold build only',
      series: [CROSSBAKE, NAIVE],
      rows: [
        { label: 'cold', values: [f.cold, naiveCold] },
        { label: 'one-file source change', values: [f.source, undefined] },
        { label: 'no change', values: [f.none, undefined] },
        { label: 'lock change (new crate)', values: [f.lock, undefined] },
        { label: 'emptied machine', values: [f.emptied, undefined] },
      ],
      notes: [
        f.naive
          ? `cold: crossbake ${(f.naive.seconds / f.cold).toFixed(1)}× faster than the naive build${f.naive.stopped ? ' (naive stopped: a lower bound)' : ''}; goal ≥ 6×`
          : 'naive build not measured',
      ],
    },
  ];
  const phases = r.phases;
  if (phases) {
    panels.push({
      title: 'Cold build by phase (wall-clock seconds in which a step of the phase ran)',
      unit: 's',
      series: [CROSSBAKE, NAIVE],
      missing: 'naive build not measured',
      rows: PHASES.map((p) => ({ label: p.label, values: [phases.crossbake[p.key], phases.naive?.[p.key]] })),
    });
  } else panels[0] = { ...panels[0]!, notes: [...(panels[0]!.notes ?? []), 'this run recorded no phase times'] };
  if (r.scale) {
    const s = r.scale;
    const per = perBinary(s);
    const six = { name: `${s.bins[0]} binaries`, color: '#8fb3ef' };
    const twelve = { name: `${s.bins[1]} binaries`, color: '#2f6fdf' };
    panels.push({
      title: `Synthetic workspace: ${s.bins[0]} against ${s.bins[1]} binaries (40 crates at ${s.bins[1]})`,
      unit: 's',
      series: [six, twelve],
      rows: [
        { label: 'cold', values: [s.cold[0], s.cold[1]] },
        { label: 'one-file source change', values: [s.source[0], s.source[1]] },
      ],
      notes: [`one more binary: ${signed(per.cold)} s cold, ${signed(per.source)} s after a one-file change`],
    });
    panels.push({
      title: 'Bytes exported to registry caches by the cold build',
      unit: 'MB',
      series: [six, twelve],
      rows: [{ label: 'cache exports', values: [s.cacheBytes[0] / 1e6, s.cacheBytes[1] / 1e6] }],
      notes: [
        `one more binary: ${signed(per.cacheBytes / 1e6)} MB; goal: its own compile and link per platform plus a small constant, no other big layer`,
      ],
    });
  }
  return renderChart(`crossbake benchmark, ${r.date}: ${r.machine}`, panels);
}
