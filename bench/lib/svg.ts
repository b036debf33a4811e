/**
 * The bench's chart, hand-written SVG: panels of horizontal bars, one bar per series in each row, each
 * panel on its own scale. No chart library: the output is small, deterministic and readable as text.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
}

export interface BarRow {
  readonly label: string;
  /** One value per series of the panel; undefined draws no bar (not measured). */
  readonly values: ReadonlyArray<number | undefined>;
}

export interface Panel {
  readonly title: string;
  /** Appended to each value label: "s", "MB". */
  readonly unit: string;
  readonly series: readonly Series[];
  readonly rows: readonly BarRow[];
  /** Shown where a value is undefined; "not measured" by default. */
  readonly missing?: string;
  /** Lines under the panel. */
  readonly notes?: readonly string[];
}

const WIDTH = 820;
const LABEL_W = 230;
const BAR_W = 470;
const BAR_H = 14;
const GAP = 4;
const ROW_GAP = 10;
const PAD = 16;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function formatValue(value: number, unit: string): string {
  const shown = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return unit ? `${shown} ${unit}` : shown;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

function panelSvg(panel: Panel, top: number): { svg: string[]; height: number } {
  const out: string[] = [];
  let y = top;
  out.push(text(PAD, y + 14, panel.title, 'class="title"'));
  y += 24;
  // legend
  let x = PAD;
  for (const s of panel.series) {
    out.push(`<rect x="${num(x)}" y="${num(y)}" width="12" height="12" fill="${escapeXml(s.color)}"/>`);
    out.push(text(x + 16, y + 10, s.name));
    x += 24 + s.name.length * 7;
  }
  y += 22;
  const max = Math.max(0, ...panel.rows.flatMap((r) => r.values.filter((v): v is number => v !== undefined && Number.isFinite(v))));
  const scale = max > 0 ? BAR_W / max : 0;
  for (const row of panel.rows) {
    const rowH = panel.series.length * (BAR_H + GAP) - GAP;
    out.push(text(LABEL_W - 8, y + rowH / 2 + 4, row.label, 'text-anchor="end"'));
    panel.series.forEach((s, i) => {
      const v = row.values[i];
      const by = y + i * (BAR_H + GAP);
      if (v === undefined || !Number.isFinite(v)) {
        out.push(text(LABEL_W + 2, by + BAR_H - 3, panel.missing ?? 'not measured', 'class="muted"'));
        return;
      }
      const w = Math.max(v > 0 ? 1 : 0, v * scale);
      out.push(
        `<rect x="${LABEL_W}" y="${num(by)}" width="${num(w)}" height="${BAR_H}" fill="${escapeXml(s.color)}"><title>${escapeXml(`${s.name}, ${row.label}: ${formatValue(v, panel.unit)}`)}</title></rect>`,
      );
      out.push(text(LABEL_W + w + 4, by + BAR_H - 3, formatValue(v, panel.unit)));
    });
    y += rowH + ROW_GAP;
  }
  for (const note of panel.notes ?? []) {
    out.push(text(PAD, y + 10, note, 'class="muted"'));
    y += 16;
  }
  return { svg: out, height: y - top + 8 };
}

/** The whole chart: a title, then the panels one under another. */
export function renderChart(title: string, panels: readonly Panel[]): string {
  const body: string[] = [text(PAD, 24, title, 'class="heading"')];
  let y = 40;
  for (const panel of panels) {
    const p = panelSvg(panel, y);
    body.push(...p.svg);
    y += p.height + 8;
  }
  const height = y + PAD;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" role="img" aria-label="${escapeXml(title)}">`,
    '<style>text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:12px;fill:#222}.heading{font-size:16px;font-weight:600}.title{font-size:14px;font-weight:600}.muted{fill:#777}</style>',
    `<rect width="${WIDTH}" height="${num(height)}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
