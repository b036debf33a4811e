// The encoders against real parsers, destination by destination: every hostile string either cannot be
// encoded (it breaks a line: the encoder throws, input validation must have refused it) or is read back
// as itself. Dockerfile ENV values, heredoc bodies and ignore patterns need a real build: test/e2e/encode.test.ts.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Document, parse } from 'yaml';
import {
  csvEntry,
  dockerfileValue,
  hclLiteral,
  hclString,
  heredoc,
  heredocDelimiter,
  ignorePattern,
  shellWord,
} from '../src/render/encode.js';
import { bakePrint, buildxAvailable } from './helpers/buildx.js';
import { hostile, show } from './helpers/hostile.js';

const all = hostile();
const inline = all.filter((h) => !h.lineBreaking);
const breaking = all.filter((h) => h.lineBreaking);

t.test('every encoder refuses what breaks a line', async (t) => {
  const encoders = {
    dockerfileValue,
    shellWord,
    ignorePattern: (v: string) => ignorePattern(v),
    csvEntry: (v: string) => csvEntry([['dest', v]]),
  };
  for (const h of breaking) {
    for (const [name, encode] of Object.entries(encoders)) t.throws(() => encode(h.value), `${name} refuses ${h.name}`);
  }
});

t.test('shell word: /bin/sh reads it back', async (t) => {
  const values = inline.map((h) => h.value);
  const script = values.map((v) => `printf '%s\\0' ${shellWord(v)}`).join('\n');
  const out = execFileSync('/bin/sh', ['-c', script]).toString();
  t.same(out.split('\0').slice(0, -1), values);
});

t.test(
  'bake file (HCL and JSON): buildx --print reads every literal back',
  { skip: !buildxAvailable() && 'docker buildx is missing' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbake-encode-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const values = inline.map((h) => h.value);
    const labels = (spell: (v: string) => string) => values.map((v, i) => `    "l${i}" = ${spell(v)}`).join('\n');
    writeFileSync(join(dir, 'docker-bake.hcl'), `target "t" {\n  labels = {\n${labels(hclString)}\n  }\n}\n`);
    writeFileSync(
      join(dir, 'docker-bake.json'),
      JSON.stringify({ target: { t: { labels: Object.fromEntries(values.map((v, i) => [`l${i}`, hclLiteral(v)])) } } }),
    );
    for (const file of ['docker-bake.hcl', 'docker-bake.json']) {
      const printed = bakePrint(dir, ['-f', file, 't']);
      t.same(
        values.map((_, i) => printed.target.t.labels[`l${i}`]),
        values,
        `${file}: every label is the user's value`,
      );
    }
  },
);

t.test('HCL: control characters use escapes HCL knows', async (t) => {
  t.equal(hclString('a\bb\fc'), '"a\\u0008b\\u000cc"');
  t.equal(hclString('${x} %{y} $${z}'), '"$${x} %%{y} $$${z}"');
});

t.test('CSV entry: a comma-separated reader gets the fields back', async (t) => {
  for (const h of inline) {
    const entry = csvEntry([
      ['type', 'local'],
      ['dest', h.value],
    ]);
    const fields = execFileSync('python3', [
      '-c',
      'import csv,sys,json; print(json.dumps(next(csv.reader([sys.argv[1]]))))',
      entry,
    ]).toString();
    t.same(JSON.parse(fields), ['type=local', `dest=${h.value}`], h.name);
  }
});

t.test('YAML: the yaml library writes and reads every value back', async (t) => {
  for (const h of all) {
    const doc = new Document({ run: { 'working-directory': h.value, env: { X: h.value } } });
    t.same(parse(doc.toString()), { run: { 'working-directory': h.value, env: { X: h.value } } }, h.name);
  }
});

t.test('heredoc: the delimiter never occurs in the body', async (t) => {
  for (const body of ['', 'x', 'CROSSBAKE_EOF', 'CROSSBAKE_EOF\nCROSSBAKE_EOF_1\n CROSSBAKE_EOF_2\r\n', ...all.map((h) => h.value)]) {
    const d = heredocDelimiter(body);
    t.notOk(body.includes(d), `${show(body)} → ${d}`);
    const text = heredoc('COPY <<DELIM /f', body);
    const lines = text.split('\n');
    t.equal(lines.filter((l) => l.includes(d)).length, 2, 'the delimiter appears only in the instruction and the last line');
    t.equal(lines[lines.length - 1], d);
  }
});

t.test('ignore pattern: anchored, pattern characters escaped', async (t) => {
  t.equal(ignorePattern('target', { directory: true }), '/target/');
  t.equal(ignorePattern('.cache/we*ird[1]'), '/.cache/we\\*ird\\[1\\]');
  t.equal(ignorePattern('!x/#y'), '/\\!x/\\#y');
  t.throws(() => ignorePattern(' x'));
});

t.test('Dockerfile value: $ \\ and " escaped, nothing else touched', async (t) => {
  t.equal(dockerfileValue('pa$$word'), '"pa\\$\\$word"');
  t.equal(dockerfileValue('a"b\\c'), '"a\\"b\\\\c"');
  t.equal(dockerfileValue("it's `x`"), '"it\'s `x`"');
});
