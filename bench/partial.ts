// A report from the logs of a bench run that did not finish: `tsx bench/partial.ts <logs dir> <bench stderr> <name>`.
// Writes bench/results/<name>.md, .json and .svg from the builds that did finish, and says what is missing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORMS } from '../src/platforms.js';
import { crossbakePhases, table } from '../test/e2e/helpers.js';
import { repoRoot } from '../test/helpers/paths.js';
import { benchChart } from './lib/chart.js';
import { PHASES, splitFromText } from './lib/phases.js';
import { benchReport, phaseCells, type Timed } from './lib/report.js';
import { binName } from './lib/synthetic.js';

const [logs = '', err = '', name = ''] = process.argv.slice(2);
if (!logs || !err || !name) {
  console.error('usage: tsx bench/partial.ts <logs dir> <bench stderr> <name>');
  process.exit(2);
}
const said = readFileSync(err, 'utf8').split('\n');
/** The whole command's seconds, as the bench printed them after each build's name. */
function seconds(build: string): number {
  const at = said.findIndex((l) => l.includes(`crossbake: ${build}`));
  const m = /\]\s+(\d+(?:\.\d+)?)s \(buildx/.exec(said[at + 1] ?? '');
  if (!m) throw new Error(`no time for "${build}" in ${err}`);
  return Number(m[1]);
}
function timed(file: string, build: string, bins: readonly string[]): Timed {
  const text = readFileSync(join(logs, `${file}.log`), 'utf8');
  const phases = crossbakePhases(text);
  const targets = bins.flatMap((bin) => PLATFORMS.map((p) => `${bin}-${p.key}`));
  return {
    seconds: seconds(build),
    split: splitFromText(text, targets),
    ...(phases.build !== undefined ? { buildx: phases.build + (phases.cache ?? 0) } : {}),
  };
}
const bins = ['backend', 'frontend'];
const times = new Map<string, Timed>([
  ['cold', timed('1-cold', 'cold build', bins)],
  ['source', timed('2-source', 'one-file source change', bins)],
  ['none', timed('3-none', 'no change', bins)],
  ['lock', timed('4-lock', 'Cargo.toml + Cargo.lock change', bins)],
  ['emptied', timed('5-emptied', 'emptied machine', bins)],
]);
const six = Array.from({ length: 6 }, (_, i) => binName(i));
const scale = {
  cold: timed('7-synthetic-6-cold', 'synthetic, 6 binaries: cold', six),
  source: timed('7-synthetic-6-source', 'synthetic, 6 binaries: one-file source change', six),
};
const { markdown, results } = benchReport({
  date: name,
  machine: 'see below; partial run',
  cores: 2,
  times,
  sizeRows: [],
  sizeGoals: [],
  base: '127.0.0.1:5000/library/debian:bookworm-slim',
});
const notes = readFileSync(join(repoRoot, 'bench/results', `${name}.notes.md`), 'utf8');
const partial = [
  '## Scale: the synthetic workspace (6 binaries only)',
  '',
  table([
    ['workspace', 'cold s', 'one-file change s'],
    ['6 binaries (34 crates)', scale.cold.seconds.toFixed(1), scale.source.seconds.toFixed(1)],
  ]),
  '',
  table([
    ['build', ...PHASES.map((p) => p.label)],
    ['6 binaries, cold', ...phaseCells(scale.cold.split)],
    ['6 binaries, one-file change', ...phaseCells(scale.source.split)],
  ]),
  '',
].join('\n');
const md = markdown.replace(/## Image size per platform[\s\S]*$/, `${partial}\n${notes}`);
writeFileSync(join(repoRoot, 'bench/results', `${name}.md`), md);
writeFileSync(join(repoRoot, 'bench/results', `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(repoRoot, 'bench/results', `${name}.svg`), benchChart(results));
process.stdout.write(md);
