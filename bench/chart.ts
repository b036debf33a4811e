// Redraws a run's chart from its figures: `tsx bench/chart.ts bench/results/<date>.json` writes <date>.svg beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { type BenchResults, benchChart } from './lib/chart.js';

const file = process.argv[2];
if (!file?.endsWith('.json')) {
  console.error('usage: tsx bench/chart.ts bench/results/<date>.json');
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
writeFileSync(file.replace(/\.json$/, '.svg'), benchChart(results));
