/**
 * The goals of issue 11, judged from the figures of one bench run: every goal is a ratio or a bound read
 * in the same run, because figures swing between runs and machines.
 */

export interface Figures {
  /** Seconds of each crossbake build of the run. */
  readonly cold: number;
  readonly source: number;
  readonly none: number;
  readonly lock: number;
  readonly emptied: number;
  /** The naive emulated build; `stopped`: cut off at the time limit, so its seconds are a lower bound. */
  readonly naive?: { readonly seconds: number; readonly stopped: boolean; readonly ok: boolean };
}

export type Verdict = 'met' | 'not met' | 'unknown';

export interface GoalRow {
  readonly figure: string;
  readonly measured: string;
  readonly goal: string;
  readonly verdict: Verdict;
  /** Why the verdict is unknown, when it is. */
  readonly note?: string;
}

const s = (x: number) => `${x.toFixed(1)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)} % of cold`;
const verdict = (ok: boolean): Verdict => (ok ? 'met' : 'not met');

export const GOALS = {
  coldFactor: 6,
  sourceSeconds: 10,
  sourceShare: 0.05,
  noneSeconds: 5,
  lockShare: 0.25,
  emptiedShare: 0.15,
} as const;

function coldRow(f: Figures): GoalRow {
  const goal = `≥ ${GOALS.coldFactor}× faster than the naive emulated build`;
  const figure = 'cold build';
  if (!f.naive) return { figure, measured: s(f.cold), goal, verdict: 'unknown', note: 'naive build not measured' };
  const factor = f.naive.seconds / f.cold;
  const bound = f.naive.stopped ? '> ' : '';
  const measured = `${s(f.cold)}; naive ${bound}${s(f.naive.seconds)}: ${bound}${factor.toFixed(1)}×`;
  if (!f.naive.ok) return { figure, measured, goal, verdict: 'unknown', note: 'the naive build failed' };
  // A stopped naive build is a lower bound: it can prove the goal met, never missed.
  if (f.naive.stopped && factor < GOALS.coldFactor)
    return { figure, measured, goal, verdict: 'unknown', note: 'naive build stopped too early' };
  return { figure, measured, goal, verdict: verdict(factor >= GOALS.coldFactor) };
}

/** The goals table of the issue, in its order, with a verdict per row. */
export function goalRows(f: Figures): GoalRow[] {
  const share = (x: number) => x / f.cold;
  return [
    coldRow(f),
    {
      figure: 'one-file source change',
      measured: `${s(f.source)}, ${pct(share(f.source))}`,
      goal: `≤ ${GOALS.sourceSeconds} s and ≤ ${GOALS.sourceShare * 100} % of cold`,
      verdict: verdict(f.source <= GOALS.sourceSeconds && share(f.source) <= GOALS.sourceShare),
    },
    { figure: 'no change', measured: s(f.none), goal: `≤ ${GOALS.noneSeconds} s`, verdict: verdict(f.none <= GOALS.noneSeconds) },
    {
      figure: 'lock change (one new crate)',
      measured: `${s(f.lock)}, ${pct(share(f.lock))}`,
      goal: `≤ ${GOALS.lockShare * 100} % of cold`,
      verdict: verdict(share(f.lock) <= GOALS.lockShare),
    },
    {
      figure: 'emptied machine from the registry cache',
      measured: `${s(f.emptied)}, ${pct(share(f.emptied))}`,
      goal: `≤ ${GOALS.emptiedShare * 100} % of cold`,
      verdict: verdict(share(f.emptied) <= GOALS.emptiedShare),
    },
  ];
}

/** The rows as cells for a markdown table, header first. */
export function goalTable(rows: readonly GoalRow[]): string[][] {
  return [
    ['figure', 'measured', 'goal', 'result'],
    ...rows.map((r) => [r.figure, r.measured, r.goal, r.note ? `${r.verdict} (${r.note})` : r.verdict]),
  ];
}
