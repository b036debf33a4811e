/**
 * A terminal screen as an SVG picture: reads what `tmux capture-pane -e -p` printed (text with SGR colour
 * codes) and draws it, one <text> per line, for the README. Usage:
 *   tsx scripts/terminal-svg.ts capture.ansi docs/live-view.svg [title]
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, title = 'crossbake bake'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: tsx scripts/terminal-svg.ts CAPTURE.ansi OUT.svg [TITLE]');
  process.exit(2);
}

const COLORS: Record<number, string> = {
  30: '#3b4252',
  31: '#e06c75',
  32: '#98c379',
  33: '#e5c07b',
  34: '#61afef',
  35: '#c678dd',
  36: '#56b6c2',
  37: '#dcdfe4',
};
const FG = '#dcdfe4';
const BG = '#1e2127';
const CHAR_W = 8.43;
const LINE_H = 18;
const PAD = 14;
const BAR = 28;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Style {
  fg?: string;
  bold: boolean;
  dim: boolean;
}

function spans(line: string): Array<{ text: string; style: Style }> {
  const out: Array<{ text: string; style: Style }> = [];
  let style: Style = { bold: false, dim: false };
  for (const part of line.split(/(\x1b\[[0-9;]*m)/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (!sgr) {
      if (part !== '') out.push({ text: part, style });
      continue;
    }
    for (const code of (sgr[1] || '0').split(';').map(Number)) {
      if (code === 0) style = { bold: false, dim: false };
      else if (code === 1) style = { ...style, bold: true };
      else if (code === 2) style = { ...style, dim: true };
      else if (code === 22) style = { ...style, bold: false, dim: false };
      else if (code === 39) style = { bold: style.bold, dim: style.dim };
      else if (COLORS[code]) style = { ...style, fg: COLORS[code]! };
      else if (code >= 90 && code <= 97) style = { ...style, fg: COLORS[code - 60]! };
    }
  }
  return out;
}

const lines = readFileSync(input, 'utf8').replace(/\n+$/, '').split('\n');
const width = Math.max(60, ...lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length));
const w = Math.ceil(width * CHAR_W + 2 * PAD);
const h = lines.length * LINE_H + 2 * PAD + BAR;
const body = lines
  .map((line, i) => {
    const y = BAR + PAD + (i + 1) * LINE_H - 5;
    const tspans = spans(line)
      .map(({ text, style }) => {
        const attrs = [
          style.fg ? `fill="${style.fg}"` : '',
          style.bold ? 'font-weight="bold"' : '',
          style.dim ? 'fill-opacity="0.55"' : '',
        ].filter(Boolean);
        return attrs.length > 0 ? `<tspan ${attrs.join(' ')}>${xml(text)}</tspan>` : xml(text);
      })
      .join('');
    return `  <text x="${PAD}" y="${y}" xml:space="preserve">${tspans}</text>`;
  })
  .join('\n');

writeFileSync(
  output,
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace" font-size="14" fill="${FG}">
  <rect width="${w}" height="${h}" rx="8" fill="${BG}"/>
  <circle cx="18" cy="14" r="5" fill="#e06c75"/><circle cx="36" cy="14" r="5" fill="#e5c07b"/><circle cx="54" cy="14" r="5" fill="#98c379"/>
  <text x="${w / 2}" y="18" text-anchor="middle" fill="#8b919a" font-size="12">${xml(title)}</text>
${body}
</svg>
`,
);
