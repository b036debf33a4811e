/**
 * Where a build's time goes, by phase, from the build log crossbake already reads (src/buildx/progress.ts):
 * buildx's `--progress rawjson` stream, whose vertices carry real start and end times, plus crossbake's
 * own `crossbake: push 3.0s` / `crossbake: merge 1.0s` lines, which come after the bake call.
 */
import { type BuildLog, parseProgress, parseVertexName } from '../../src/buildx/progress.js';

export const PHASES = [
  { key: 'toolchain', label: 'toolchain' },
  { key: 'deps', label: 'skeleton/deps' },
  { key: 'build', label: 'build' },
  { key: 'runtime', label: 'runtime assembly' },
  { key: 'cacheExport', label: 'cache export' },
  { key: 'push', label: 'push/merge' },
  { key: 'other', label: 'context, metadata, cache import' },
] as const;

export type Phase = (typeof PHASES)[number]['key'];

export interface PhaseTime {
  /** Wall-clock seconds during which at least one step of the phase ran (steps overlap). */
  readonly seconds: number;
  /** The steps' own seconds added up. */
  readonly busy: number;
  /** Steps that ran (cached ones are left out). */
  readonly steps: number;
}

export type TimeSplit = Record<Phase, PhaseTime>;

const DEPS_STAGES = new Set(['skeleton', 'chef', 'target', 'deps']);
const TOOLCHAIN_STAGES = new Set(['toolchain', 'toolchain-base', 'rust-std']);
const IMAGE_EXPORT =
  /^(exporting to (image|docker image format|oci image format|client)|exporting (layers|manifest|config|attestation)|pushing |naming to |unpacking to |writing image |sending tarball|importing to docker|resolving provenance|\[auth\])/;

/** The phase of one step, from its name; `targets` are the run's bake targets (bake prefixes names with them). */
export function phaseOf(name: string, targets: readonly string[]): Phase {
  const v = parseVertexName(name, targets);
  const action = v.action;
  if (/^exporting cache\b/.test(action)) return 'cacheExport';
  if (IMAGE_EXPORT.test(action) || /^\[auth\]/.test(name)) return 'push';
  const stage = v.stage ?? '';
  // The naive Dockerfile installs its compiler inside its build stage.
  if (TOOLCHAIN_STAGES.has(stage) || (/^RUN /.test(action) && /apt-get install[\s\S]*\brustc\b/.test(action))) return 'toolchain';
  if (DEPS_STAGES.has(stage)) return 'deps';
  if (stage === 'build' || stage.startsWith('build-')) return 'build';
  if (stage === 'runtime' || stage.startsWith('runtime-') || stage === 'stage-1') return 'runtime';
  return 'other';
}

/** Total length of the union of intervals [start, end] (milliseconds in, seconds out). */
export function unionSeconds(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  let start = 0;
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > Number.NEGATIVE_INFINITY) total += end - start;
      start = a;
      end = b;
    } else if (b > end) end = b;
  }
  if (end > Number.NEGATIVE_INFINITY) total += end - start;
  return total / 1000;
}

const CROSSBAKE_PHASE = /^crossbake: (push|merge) +(\d+(?:\.\d+)?)s\b/;

export function timeSplit(log: BuildLog, targets: readonly string[]): TimeSplit {
  const intervals = new Map<Phase, Array<[number, number]>>(PHASES.map((p) => [p.key, []]));
  for (const v of log.vertices.values()) {
    if (v.cached || v.started === undefined || v.completed === undefined) continue;
    const name = v.names[0];
    if (name === undefined) continue;
    intervals.get(phaseOf(name, targets))!.push([v.started, v.completed]);
  }
  // crossbake pushes and merges after the bake call, one after the other: plain seconds added on.
  let serialPush = 0;
  for (const line of log.trailer) {
    const m = CROSSBAKE_PHASE.exec(line);
    if (m) serialPush += Number(m[2]);
  }
  const split = {} as Record<Phase, PhaseTime>;
  for (const { key } of PHASES) {
    const list = intervals.get(key)!;
    const extra = key === 'push' ? serialPush : 0;
    split[key] = {
      seconds: unionSeconds(list) + extra,
      busy: list.reduce((n, [a, b]) => n + (b - a) / 1000, 0) + extra,
      steps: list.length,
    };
  }
  return split;
}

export function addSplits(a: TimeSplit, b: TimeSplit): TimeSplit {
  return Object.fromEntries(
    PHASES.map(({ key }) => [
      key,
      { seconds: a[key].seconds + b[key].seconds, busy: a[key].busy + b[key].busy, steps: a[key].steps + b[key].steps },
    ]),
  ) as TimeSplit;
}

/**
 * Where each bake call's stream begins in a captured rawjson text: the first object that reports that
 * call's reading of the bake file (a vertex every call has, with its own start time).
 */
export function callStarts(text: string): number[] {
  const starts: number[] = [];
  let last: string | undefined;
  for (const m of text.matchAll(/"name": "\[internal\] load local bake definitions",?\s*\n\s*"started": "([^"]+)"/g)) {
    if (m[1] === last) continue;
    last = m[1];
    const open = text.lastIndexOf('\n{', m.index);
    starts.push(open < 0 ? 0 : open + 1);
  }
  return starts;
}

/**
 * The split of a captured log: crossbake's stderr with `--progress rawjson`, or `docker buildx build
 * --progress rawjson`. Each bake call is read apart (the build in calls of whole images, then the cache
 * export: a step two calls report would otherwise span from the first call's start to the second's end)
 * and the calls added up.
 */
export function splitFromText(text: string, targets: readonly string[]): TimeSplit {
  const cuts = [...new Set([0, ...callStarts(text)])].sort((a, b) => a - b);
  const calls = cuts.map((at, i) => text.slice(at, cuts[i + 1] ?? text.length));
  return calls.map((part) => timeSplit(parseProgress(part, 'rawjson'), targets)).reduce(addSplits);
}
