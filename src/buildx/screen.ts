/**
 * The live view's text: rows (view.ts) → the lines of one screen, fitted to the terminal's width and
 * height, and the ANSI that redraws them in place (cursor up, erase line) instead of scrolling.
 */
import type { Row, View } from './view.js';

export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const ICON: Record<Exclude<Row['state'], 'running'>, string> = { waiting: '·', done: '✔', failed: '✖', canceled: '-' };
const BAR = 10;

export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

function bar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR, Math.round(fraction * BAR)));
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

const where = (r: Row) => (r.platform === 'all' ? 'all platforms' : r.platform);

function cachedRan(r: Row): string {
  const parts = [...(r.cached > 0 ? [`${r.cached} cached`] : []), ...(r.ran > 0 ? [`${r.ran} ran`] : [])];
  return parts.join(', ');
}

interface Cell {
  readonly text: string;
  /** Dropped first when the line does not fit: higher goes earlier. */
  readonly drop: number;
  readonly width?: number;
}

interface Widths {
  readonly image: number;
  readonly platform: number;
  readonly phase: number;
  readonly label: number;
}

function cells(r: Row, w: Widths, now: number): Cell[] {
  const icon = r.state === 'running' ? SPINNER[Math.floor(now / 100) % SPINNER.length]! : ICON[r.state];
  const head: Cell[] = [
    { text: icon, drop: 0 },
    { text: r.image, drop: 0, width: w.image },
    { text: where(r), drop: 0, width: w.platform },
  ];
  switch (r.state) {
    case 'running':
      return [
        ...head,
        { text: `${r.phase ?? ''}${r.step ? ` ${r.step}` : ''}`, drop: 1, width: w.phase },
        { text: `${r.label ?? ''}${r.alsoRunning > 0 ? ` +${r.alsoRunning}` : ''}`, drop: 3, width: w.label },
        ...(r.fraction !== undefined ? [{ text: bar(r.fraction), drop: 4 }] : []),
        { text: r.elapsed !== undefined ? duration(r.elapsed).padStart(6) : '', drop: 2 },
        { text: cachedRan(r), drop: 6 },
        ...(r.compiling ? [{ text: r.compiling, drop: 5 }] : []),
      ];
    case 'waiting':
      return [...head, { text: r.waitingFor ? `waiting for ${r.waitingFor}` : 'waiting', drop: 1 }];
    case 'done': {
      const what = r.kind === 'shared' ? 'done' : 'built';
      const time = r.elapsed !== undefined && r.ran > 0 ? ` in ${duration(r.elapsed)}` : r.elapsed ? ` in ${duration(r.elapsed)}` : '';
      const steps = r.steps > 0 ? (r.ran === 0 ? 'all cached' : `${r.cached}/${r.steps} steps cached`) : '';
      return [...head, { text: `${what}${time}`, drop: 1 }, ...(steps ? [{ text: `· ${steps}`, drop: 2 }] : [])];
    }
    case 'failed':
      return [
        ...head,
        { text: `failed in ${r.phase ?? 'a step'}${r.step ? ` ${r.step}` : ''}`, drop: 1 },
        { text: r.label ? `(${r.label})` : '', drop: 3 },
        { text: r.failure ? `— ${r.failure}` : '', drop: 2 },
      ];
    case 'canceled':
      return [...head, { text: 'stopped (another platform failed)', drop: 1 }];
  }
}

function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** One row as one line of at most `columns` characters: less important cells go first, then the rest is cut. */
export function rowLine(r: Row, w: Widths, columns: number, now: number): string {
  let list = cells(r, w, now).filter((c) => c.text !== '');
  const join = (cs: readonly Cell[], pad: boolean) =>
    cs
      .map((c, i) => (pad && c.width !== undefined && i < cs.length - 1 ? truncate(c.text, c.width).padEnd(c.width) : c.text))
      .join(' ')
      .trimEnd();
  let line = join(list, true);
  while (line.length > columns) {
    const worst = Math.max(...list.map((c) => c.drop));
    if (worst === 0) break;
    // the last cell (a Compiling line) is cut rather than dropped while a useful part of it fits
    const last = list[list.length - 1]!;
    const room = columns - join(list.slice(0, -1), true).length - 1;
    if (last.drop === worst && room >= 16 && room < last.text.length) {
      list = [...list.slice(0, -1), { ...last, text: truncate(last.text, room) }];
    } else {
      list = list.filter((c) => c.drop !== worst);
    }
    line = join(list, true);
  }
  if (line.length > columns) line = join(list, false);
  return truncate(line, columns);
}

function widths(rows: readonly Row[], columns: number): Widths {
  const max = (f: (r: Row) => string, cap: number) => Math.min(cap, Math.max(0, ...rows.map((r) => f(r).length)));
  const running = rows.filter((r) => r.state === 'running');
  return {
    image: max((r) => r.image, 16),
    platform: max(where, 13),
    phase: max((r) => `${r.phase ?? ''}${r.step ? ` ${r.step}` : ''}`, 13),
    label: running.length > 0 ? max((r) => (r.state === 'running' ? (r.label ?? '') : ''), Math.max(10, Math.floor(columns / 3))) : 0,
  };
}

export function statusLine(view: View, columns: number): string {
  const count = (s: Row['state']) => view.rows.filter((r) => r.kind === 'image' && r.state === s).length;
  const images = view.rows.filter((r) => r.kind === 'image').length;
  const parts = [`${view.finished ? 'built' : 'building'} ${duration(view.elapsed)}`];
  if (count('running') > 0) parts.push(`${count('running')} running`);
  parts.push(`${count('done')}/${images} done`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  return truncate(parts.join(' · '), columns);
}

/**
 * The screen: shared rows, then one row per image and platform, then a status line. When the rows do
 * not fit the height, finished rows fold into one line, then waiting rows are counted, not listed.
 */
export function renderScreen(view: View, size: ScreenSize, now: number, options: { color?: boolean } = {}): string[] {
  const columns = Math.max(10, size.columns - 1);
  const budget = Math.max(1, size.rows - 2);
  const w = widths(view.rows, columns);
  let rows: Array<Row | string> = [...view.rows];
  if (rows.length > budget) {
    const done = view.rows.filter((r) => r.state === 'done');
    if (done.length > 1) {
      const summary = `✔ ${done.length} done: ${done.map((r) => (r.kind === 'shared' ? `shared ${where(r)}` : `${r.image} ${r.platform}`)).join(', ')}`;
      rows = [summary, ...view.rows.filter((r) => r.state !== 'done')];
    }
  }
  if (rows.length > budget) {
    const keep = rows.filter((r) => typeof r === 'string' || r.state !== 'waiting');
    const waiting = rows.length - keep.length;
    rows = [...keep.slice(0, budget - 1), `· ${waiting + Math.max(0, keep.length - (budget - 1))} more waiting or not shown`];
  }
  const lines = rows.map((r) => (typeof r === 'string' ? truncate(r, columns) : rowLine(r, w, columns, now)));
  if (!options.color) return [...lines, statusLine(view, columns)];
  const painted = rows.map((r, i) => paint(lines[i]!, typeof r === 'string' ? 'done' : r.state));
  return [...painted, `${SGR.bold}${statusLine(view, columns)}${SGR.reset}`];
}

const SGR = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };

/** Colour after fitting, so that widths count only what shows: the icon by state, waiting rows dimmed. */
function paint(line: string, state: Row['state']): string {
  const icon = line.slice(0, 1);
  const rest = line.slice(1);
  switch (state) {
    case 'running':
      return `${SGR.cyan}${icon}${SGR.reset}${rest}`;
    case 'done':
      return `${SGR.green}${icon}${SGR.reset}${rest}`;
    case 'failed':
      return `${SGR.red}${icon}${rest}${SGR.reset}`;
    case 'waiting':
    case 'canceled':
      return `${SGR.dim}${line}${SGR.reset}`;
  }
}

const UP = (n: number) => (n > 0 ? `\x1b[${n}A` : '');
const ERASE_LINE = '\x1b[2K';
const ERASE_DOWN = '\x1b[J';

/**
 * Replaces the `previous` lines drawn last with `lines`, printing `above` (notes, once) first; the
 * cursor ends below the block, at the start of a line.
 */
export function redraw(previous: number, lines: readonly string[], above: readonly string[] = []): string {
  let out = `${UP(previous)}\r`;
  if (above.length > 0) out += `${ERASE_DOWN}${above.map((l) => `${l}\n`).join('')}`;
  out += lines.map((l) => `${ERASE_LINE}${l}\n`).join('');
  return `${out}${ERASE_DOWN}`;
}
