/**
 * The live view on a terminal, drawn from buildx's rawjson stream: one line per finished step (as
 * buildx's plain output has them) and a status line, redrawn in place, with what is running now.
 */
import type { BuildLog, Vertex } from './progress.js';

const CLEAR = '\r\x1b[2K';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class LiveView {
  private readonly printed = new Set<string>();
  private last = 0;
  private status = false;
  private readonly begun = Date.now();

  constructor(
    private readonly log: BuildLog,
    private readonly write: (text: string) => void,
    private readonly columns: number,
  ) {}

  update(force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 120) return;
    this.last = now;
    let out = this.status ? CLEAR : '';
    for (const v of this.ordered()) {
      if (v.completed === undefined || this.printed.has(v.id)) continue;
      this.printed.add(v.id);
      // buildx's bookkeeping steps (reading definitions and contexts) count, but get no line of their own
      if (!v.error && v.names.every((n) => /^\[(?:[^\]]* )?internal\]/.test(n))) continue;
      out += `${this.line(v)}\n`;
    }
    const running = this.ordered().filter((v) => v.started !== undefined && v.completed === undefined);
    const done = this.printed.size;
    const cached = [...this.log.vertices.values()].filter((v) => v.cached).length;
    const current = running[running.length - 1];
    const tail = current
      ? ` · ${this.name(current)}${current.logs.length ? ` · ${current.logs[current.logs.length - 1]!.trim()}` : ''}`
      : '';
    const status = `building ${clock(now - this.begun)} · ${running.length} running · ${done} done (${cached} cached)${tail}`;
    out += status.slice(0, Math.max(20, this.columns - 1));
    this.status = true;
    this.write(out);
  }

  finish(): void {
    this.update(true);
    this.write(`${CLEAR}`);
    this.status = false;
  }

  private ordered(): Vertex[] {
    return [...this.log.vertices.values()].sort((a, b) => a.seq - b.seq);
  }

  private name(v: Vertex): string {
    const n = (v.names[0] ?? v.id).replace(/\s+/g, ' ');
    const max = Math.max(40, this.columns - 30);
    return n.length > max ? `${n.slice(0, max - 1)}…` : n;
  }

  private line(v: Vertex): string {
    const state = v.error
      ? v.canceled
        ? 'CANCELED'
        : `ERROR ${v.error.split('\n')[0]!.slice(0, 80)}`
      : v.cached
        ? 'CACHED'
        : `DONE ${seconds((v.completed ?? 0) - (v.started ?? v.completed ?? 0))}`;
    const line = `${this.name(v)}  ${state}`;
    return line.slice(0, Math.max(20, this.columns - 1));
  }
}
