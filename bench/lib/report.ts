/** The bench's report: the markdown and the figures (for the chart) from one run's measurements. Pure. */
import { table } from '../../test/e2e/helpers.js';
import { type BenchResults, perBinary, type ScaleFigures } from './chart.js';
import { goalRows, goalTable } from './goals.js';
import { PHASES, type Phase, type TimeSplit } from './phases.js';

export interface Timed {
  readonly seconds: number;
  readonly buildx?: number;
  readonly split: TimeSplit;
}

export interface ScaleRun {
  readonly cold: Timed;
  readonly source: Timed;
  /** Bytes the cold build exported to registry caches: every cache's blobs, and each distinct blob once. */
  readonly cacheBytes: number;
  readonly distinct: number;
  readonly caches: number;
}

export interface ReportInput {
  readonly date: string;
  readonly machine: string;
  readonly cores: number;
  /** cold, source, none, lock, emptied. */
  readonly times: ReadonlyMap<string, Timed>;
  readonly naive?: {
    readonly seconds: number;
    readonly stopped: boolean;
    readonly ok: boolean;
    readonly split: TimeSplit;
    /** Seconds into each earlier attempt at which it hung under qemu (it then started again, cold). */
    readonly stalls?: readonly number[];
  };
  readonly scale?: { readonly six: ScaleRun; readonly twelve: ScaleRun };
  readonly sizeRows: string[][];
  readonly sizeGoals: readonly boolean[];
  readonly base: string;
}

const s = (x: number) => x.toFixed(1);
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** Wall-clock seconds per phase, and how many steps ran in it. */
export function phaseCells(split: TimeSplit): string[] {
  return PHASES.map(({ key }) =>
    split[key].steps === 0 && split[key].seconds === 0 ? '–' : `${s(split[key].seconds)} (${split[key].steps})`,
  );
}

const phaseSeconds = (split: TimeSplit) => Object.fromEntries(PHASES.map(({ key }) => [key, split[key].seconds])) as Record<Phase, number>;

export function benchReport(input: ReportInput): { markdown: string; results: BenchResults } {
  const { date, times, naive, scale, sizeRows, sizeGoals } = input;
  const BASE = input.base;
  const t = (k: string) => times.get(k)!;
  const cold = t('cold').seconds;
  const figures = {
    cold,
    source: t('source').seconds,
    none: t('none').seconds,
    lock: t('lock').seconds,
    emptied: t('emptied').seconds,
    ...(naive ? { naive: { seconds: naive.seconds, stopped: naive.stopped, ok: naive.ok, stalls: naive.stalls ?? [] } } : {}),
  };
  const builds: Array<[string, string]> = [
    ['cold: empty build cache, fresh registry namespace', 'cold'],
    ['one-file source change', 'source'],
    ['no change', 'none'],
    ['no change, on a machine that remembers no push (the build runs, every step cached)', 'none-built'],
    ['Cargo.toml + Cargo.lock change (new crate)', 'lock'],
    ['emptied machine (prune + image rm), registry cache', 'emptied'],
  ].filter(([, k]) => times.has(k!)) as Array<[string, string]>;
  const timeRows: string[][] = [
    ['build (crossbake bake backend frontend --push, 3 platforms)', 'seconds', 'of which buildx', 'share of cold'],
    ...builds.map(([name, k]) => [name, s(t(k).seconds), t(k).buildx !== undefined ? s(t(k).buildx!) : '', pct(t(k).seconds / cold)]),
    [
      'naive Dockerfile, everything under qemu, cold (bench/naive)',
      !naive
        ? 'skipped'
        : naive.stopped
          ? `> ${s(naive.seconds)} (stopped)`
          : naive.ok
            ? `${s(naive.seconds)}${naive.stalls?.length ? ` (a cold attempt after ${naive.stalls.length} that hung under qemu, at ${naive.stalls.map((x) => `${s(x)} s`).join(', ')})` : ''}`
            : `failed after ${s(naive.seconds)}${naive.stalls?.length ? ` (${naive.stalls.length} attempts hung under qemu)` : ''}`,
      '',
      naive ? `${(naive.seconds / cold).toFixed(1)}× crossbake cold` : '',
    ],
  ];

  let scaleFigures: ScaleFigures | undefined;
  const scaleSection: string[] = [];
  if (scale) {
    const { six, twelve } = scale;
    scaleFigures = {
      bins: [6, 12],
      cold: [six.cold.seconds, twelve.cold.seconds],
      source: [six.source.seconds, twelve.source.seconds],
      cacheBytes: [six.cacheBytes, twelve.cacheBytes],
    };
    const per = perBinary(scaleFigures);
    const variant = (n: number, v: typeof six) => [
      `${n} binaries (${28 + n} crates)`,
      s(v.cold.seconds),
      s(v.source.seconds),
      `${mb(v.cacheBytes)} in ${v.caches} caches`,
      mb(v.distinct),
    ];
    scaleSection.push(
      '## Scale: the synthetic workspace',
      '',
      'bench/lib/synthetic.ts: 28 library crates in four layers and 6 or 12 binaries, serde and serde_json from Debian, 3 platforms, each variant from an empty build cache in its own registry namespace. Cache bytes: the blobs of every cache manifest the cold build wrote, added up (exported), and each distinct blob once (what the registry stores).',
      '',
      table([
        ['workspace', 'cold s', 'one-file change s', 'exported to caches MB', 'distinct MB'],
        variant(6, six),
        variant(12, twelve),
        ['one more binary ((12 − 6) / 6)', s(per.cold), s(per.source), mb(per.cacheBytes), mb((twelve.distinct - six.distinct) / 6)],
      ]),
      '',
      'Where the time goes in the synthetic workspace (wall-clock seconds per phase, steps that ran):',
      '',
      table([
        ['build', ...PHASES.map((p) => p.label)],
        ['6 binaries, cold', ...phaseCells(six.cold.split)],
        ['6 binaries, one-file change', ...phaseCells(six.source.split)],
        ['12 binaries, cold', ...phaseCells(twelve.cold.split)],
        ['12 binaries, one-file change', ...phaseCells(twelve.source.split)],
      ]),
      '',
    );
  }
  const results: BenchResults = {
    date,
    machine: `${input.cores} cores, one run`,
    figures,
    phases: { crossbake: phaseSeconds(t('cold').split), ...(naive ? { naive: phaseSeconds(naive.split) } : {}) },
    ...(scaleFigures ? { scale: scaleFigures } : {}),
  };

  const report = [
    `# crossbake benchmark, ${date}`,
    '',
    `Example workspace (2 binaries: backend, frontend), linux/amd64 + linux/arm64 + linux/arm/v7, one run, one machine: ${input.machine}.`,
    'Every crossbake build is `crossbake bake backend frontend --push --progress rawjson` (seconds: the whole command, push and index merge included; buildx: its bake calls, the build and, when a step ran, the cache export).',
    'The dockerd is shared with other builds on this machine, so a figure may carry their load.',
    '',
    `![crossbake against the naive build, by phase, and the cost of one more binary](${date}.svg)`,
    '',
    '## Goals (issue 11), read in this run',
    '',
    table(goalTable(goalRows(figures))),
    '',
    '## Build times',
    '',
    table(timeRows),
    '',
    '### Where the time goes',
    '',
    "Wall-clock seconds in which at least one step of the phase ran (steps of different platforms and binaries overlap, so a row adds up to more than the build), and in brackets how many steps ran (cached ones left out); from buildx's rawjson progress, as src/buildx/progress.ts reads it, plus crossbake's own push and merge. Phases by Dockerfile stage: toolchain; skeleton, target and deps; build-all (the naive build's build); runtime-*; cache export; image export, push and merge; the rest (build context, metadata, cache import).",
    '',
    table([
      ['build', ...PHASES.map((p) => p.label)],
      ...builds.map(([name, k]) => [name, ...phaseCells(t(k).split)]),
      ...(naive ? [['naive Dockerfile, cold (both images)', ...phaseCells(naive.split)]] : []),
    ]),
    '',
    ...scaleSection,
    '## Image size per platform',
    '',
    `Compressed: config + layers as the registry has them. Unpacked: the files of the image's filesystem. Overhead: over the base image alone (${BASE}). Goal: unpacked overhead ≤ binary + 2 MB; for runtime minimal (no base image), compressed ≤ 12 MB.`,
    '',
    table([
      ['platform', 'image', 'compressed MB', 'unpacked MB', 'overhead compressed MB', 'overhead unpacked MB', 'binary MB', 'goal'],
      ...sizeRows,
    ]),
    '',
    `Size goal: ${sizeGoals.every(Boolean) ? 'met' : 'not met'} on ${sizeGoals.filter(Boolean).length}/${sizeGoals.length} images.`,
    '',
  ].join('\n');

  return { markdown: report, results };
}
