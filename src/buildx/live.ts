/**
 * The live view on a terminal: the rows of view.ts, rendered by screen.ts and redrawn in place a few
 * times a second. Notes and warnings are printed once, above the rows; nothing scrolls.
 */
import type { BuildLog } from './progress.js';
import { redraw, renderScreen, type ScreenSize } from './screen.js';
import { buildView, type ViewPlan } from './view.js';

export class LiveView {
  private drawn = 0;
  private last = 0;
  private readonly printed = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly log: BuildLog,
    private readonly plan: ViewPlan,
    private readonly write: (text: string) => void,
    private readonly size: () => ScreenSize,
    private readonly clock: () => number = Date.now,
    private readonly color = false,
  ) {}

  /** Redraws on a timer too, so that time and spinners move while buildx is silent. */
  start(): void {
    this.update(true);
    this.timer = setInterval(() => this.update(true), 250);
    this.timer.unref?.();
  }

  update(force = false, finished?: { exitCode: number }): void {
    const now = this.clock();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const view = buildView(this.log, this.plan, now, finished);
    const above: string[] = [];
    for (const [kind, list] of [
      ['note', view.notes],
      ['warning', view.warnings],
    ] as const) {
      for (const text of list) {
        if (this.printed.has(text)) continue;
        this.printed.add(text);
        above.push(`crossbake: ${kind}: ${text}`);
      }
    }
    const lines = renderScreen(view, this.size(), now, { color: this.color });
    this.write(redraw(this.drawn, lines, above));
    this.drawn = lines.length;
  }

  /** The last frame stays on the screen: every row collapsed to its result. */
  finish(exitCode: number): void {
    this.stop();
    this.update(true, { exitCode });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
