// The hostile-input corpus, by destination: every hostile string (test/helpers/hostile.ts) is put into
// each setting or name that reaches that destination, and the real CLI either stops with exit 2 naming
// the field, or writes files that a real parser reads back as the user's value: buildx --print for the
// bake file, the yaml parser for the workflow, the Dockerfile's own text for ENV and heredocs (a real
// build of those encodings: test/e2e/encode.test.ts and test/e2e/hostile.test.ts).

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tap from 'tap';

const t = tap;

import { parse } from 'yaml';
import { cargoFeature } from '../src/grammar.js';
import { dockerfileValue, ignorePattern } from '../src/render/encode.js';
import { bakePrint, buildxAvailable } from './helpers/buildx.js';
import { cli } from './helpers/cli.js';
import { type Hostile, hostile, show } from './helpers/hostile.js';
import { repoRoot } from './helpers/paths.js';

const example = join(repoRoot, 'examples/workspace');
const hasBuildx = buildxAvailable();
const base = mkdtempSync(join(tmpdir(), 'crossbake-hostile-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A fresh copy of the example workspace, under a directory of the given name. */
function workspace(name = 'ws'): string {
  const dir = join(base, String(n++), name);
  mkdirSync(join(dir, '..'), { recursive: true });
  cpSync(example, dir, { recursive: true });
  return dir;
}

const toml = (value: string) => JSON.stringify(value);

/** Adds settings to the workspace: plain keys to [workspace.metadata.crossbake], tables at the end. */
function settings(dir: string, lines: string): void {
  const path = join(dir, 'Cargo.toml');
  const table = lines.startsWith('[');
  const text = readFileSync(path, 'utf8');
  writeFileSync(
    path,
    table ? `${text}\n${lines}\n` : text.replace('[workspace.metadata.crossbake]\n', `[workspace.metadata.crossbake]\n${lines}\n`),
  );
}

/** Adds a table to crates/backend/Cargo.toml. */
function backend(dir: string, lines: string): void {
  const path = join(dir, 'crates/backend/Cargo.toml');
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n${lines}\n`);
}

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  readonly dir: string;
}

async function generate(setup: (dir: string) => void, args: string[] = []): Promise<Outcome> {
  const dir = workspace();
  setup(dir);
  const r = await cli(['generate', '--workspace', dir, ...args], dir);
  return { code: r.code, stderr: r.stderr, dir };
}

/** The one acceptable failure: exit 2, the field named, no stack, nothing internal. */
function refused(
  t: { equal: typeof tap.equal; match: typeof tap.match; notMatch: typeof tap.notMatch },
  o: Outcome,
  field: RegExp,
  what: string,
): boolean {
  if (o.code === 0) return false;
  t.equal(o.code, 2, `${what}: exit 2`);
  t.match(o.stderr, field, `${what}: names the field`);
  t.notMatch(o.stderr, /internal error|\n\s+at /, `${what}: no internal error`);
  return true;
}

const all = hostile();

t.test('Dockerfile instruction: ENV values are refused on a line break, else written escaped', async (t) => {
  for (const h of all) {
    const o = await generate((d) => settings(d, `[workspace.metadata.crossbake.defaults.env]\nSECRET = ${toml(h.value)}\n`));
    if (refused(t, o, /defaults\.env\.SECRET: expected a single line/, h.name)) continue;
    t.notOk(h.lineBreaking, `${h.name}: accepted only without a line break`);
    const dockerfile = readFileSync(join(o.dir, 'Dockerfile'), 'utf8');
    t.ok(dockerfile.includes(`SECRET=${dockerfileValue(h.value)}`), `${h.name}: ENV holds the escaped value`);
  }
});

t.test('Dockerfile instruction and shell word: images, packages, features, versions, names are refused unless valid', async (t) => {
  const fields: Array<[string, (v: string) => string, RegExp]> = [
    ['base-image', (v) => `base-image = ${toml(v)}`, /workspace\.metadata\.crossbake\.base-image: expected an image reference/],
    ['rust-image', (v) => `rust-image = ${toml(v)}`, /rust-image: expected an image reference/],
    ['rust-version', (v) => `rust-version = ${toml(v)}`, /rust-version: expected a Rust version/],
    ['cargo-chef-version', (v) => `cargo-chef-version = ${toml(v)}`, /cargo-chef-version: expected a cargo-chef version/],
    [
      'debian.packages',
      (v) => `[workspace.metadata.crossbake.debian]\npackages = [${toml(v)}]`,
      /debian\.packages\[0\]: expected a Debian package/,
    ],
    [
      'debian.crates',
      (v) => `[workspace.metadata.crossbake.debian]\ncrates = [${toml(v)}]`,
      /debian\.crates\[0\]: expected a Debian package/,
    ],
    [
      'healthcheck',
      (v) => `[package.metadata.crossbake.healthcheck]\ncommand = [${toml(v)}]`,
      /package\.metadata\.crossbake\.healthcheck\.command\[0\]: expected a single line/,
    ],
  ];
  for (const h of all) {
    for (const [name, line, field] of fields) {
      const o = await generate((d) => (name === 'healthcheck' ? backend(d, line(h.value)) : settings(d, line(h.value))));
      if (name === 'healthcheck') {
        // healthcheck commands are JSON exec form: a line break is refused, anything else is JSON-encoded
        if (!refused(t, o, field, `${name} ${h.name}`)) t.notOk(h.lineBreaking, `${name}: ${h.name} accepted only on one line`);
        continue;
      }
      t.ok(refused(t, o, field, `${name}: ${h.name}`), `${name} refuses ${h.name}`);
    }
    const feature = await generate((d) =>
      writeFileSync(
        join(d, 'crates/backend/Cargo.toml'),
        `${readFileSync(join(d, 'crates/backend/Cargo.toml'), 'utf8')}\n[package.metadata.crossbake]\nfeatures = [${toml(h.value)}]\n`,
      ),
    );
    if (!refused(t, feature, /package\.metadata\.crossbake\.features\[0\]: expected a Cargo feature/, `features: ${h.name}`)) {
      // a valid feature name: written as one shell word
      t.equal(cargoFeature(h.value), undefined, `features: ${h.name} accepted only as a feature name`);
      t.match(readFileSync(join(feature.dir, 'Dockerfile'), 'utf8'), `--features backend/${h.value}`);
    }
    const bin = await generate(() => undefined, ['--bin', h.value]);
    // a valid name that is no binary of the workspace is refused as that
    t.ok(refused(t, bin, /--bin(\[0\])?: expected a Cargo name|no binary "CROSSBAKE_EOF" in the workspace/, `--bin: ${h.name}`));
  }
});

t.test('heredoc body: manifest text holding a delimiter never reaches the Dockerfile', async (t) => {
  const text = 'CROSSBAKE_EOF\nRUN touch /pwned\nCROSSBAKE_EOF_1\n';
  const o = await generate((d) => {
    const path = join(d, 'crates/backend/Cargo.toml');
    // an unknown [package] key: cargo warns and reads on; the skeleton keeps it
    writeFileSync(path, readFileSync(path, 'utf8').replace('[package]\n', `[package]\nx-notes = """\n${text}"""\n`));
  });
  t.equal(o.code, 0, o.stderr);
  const dockerfile = readFileSync(join(o.dir, 'Dockerfile'), 'utf8');
  t.notOk(dockerfile.includes('touch /pwned'), 'manifest text never reaches the Dockerfile: the skeleton is computed inside the build');
  const heredocs = [...dockerfile.matchAll(/<<'([A-Z_0-9]+)'[^\n]*\n([\s\S]*?)\n\1(?=\n)/g)];
  for (const [, delimiter, body] of heredocs) t.notOk(body!.includes(delimiter!), `${delimiter} does not occur in its body`);
});

t.test(
  'HCL string: bake files read back literal cache dirs and context paths',
  { skip: !hasBuildx && 'docker buildx is missing' },
  async (t) => {
    for (const h of all) {
      const o = await generate((d) => settings(d, `[workspace.metadata.crossbake.cache]\ntype = "local"\ndir = ${toml(h.value)}\n`));
      if (refused(t, o, /cache\.dir: expected /, h.name)) continue;
      for (const file of ['docker-bake.hcl', 'docker-bake.json']) {
        const printed = bakePrint(o.dir, ['-f', file, 'backend-linux-amd64']);
        t.same(
          printed.target['backend-linux-amd64']['cache-to'],
          [`type=local,dest=${h.value}/backend-linux-amd64,mode=max,compression=zstd`],
          `${file}: ${h.name}`,
        );
      }
    }
    // the directory names bake's context is made of
    for (const h of all.filter((h) => !h.lineBreaking && !h.value.includes('/') && !h.value.startsWith(' ') && h.value !== '')) {
      const dir = workspace(`ws-${h.value}`);
      const out = join(dir, '..', 'out');
      mkdirSync(out);
      const r = await cli(['generate', '--workspace', dir, '--out', out], dir);
      if (refused(t, { ...r, dir }, /context|directory/, `context ${h.name}`)) continue;
      const printed = bakePrint(out, ['-f', 'docker-bake.hcl', 'backend-linux-amd64']);
      t.equal(printed.target['backend-linux-amd64'].context, `../ws-${h.value}`, `context: ${h.name}`);
    }
  },
);

t.test('CSV field and path: a cache dir with , = " or outside the workspace is refused by name', async (t) => {
  for (const value of ['a,b', 'x,type=registry,ref=evil.example/x', 'a=b', 'a"b', '../outside', '/etc/passwd', 'a/../../b', '']) {
    const o = await generate((d) => settings(d, `[workspace.metadata.crossbake.cache]\ntype = "local"\ndir = ${toml(value)}\n`));
    t.ok(refused(t, o, /workspace\.metadata\.crossbake\.cache\.dir: expected /, show(value)), `cache.dir ${show(value)} refused`);
  }
});

t.test('ignore pattern: a cache dir with pattern characters names that directory only', async (t) => {
  for (const h of all.filter((h: Hostile) => ['a glob', 'an ignore negation', 'a comment mark', 'a space'].includes(h.name))) {
    const o = await generate((d) => settings(d, `[workspace.metadata.crossbake.cache]\ntype = "local"\ndir = ${toml(h.value)}\n`));
    if (refused(t, o, /cache\.dir: expected /, h.name)) continue;
    const lines = readFileSync(join(o.dir, '.dockerignore'), 'utf8').split('\n');
    t.ok(lines.includes(ignorePattern(h.value, { directory: true })), `${h.name}: ${ignorePattern(h.value, { directory: true })}`);
    t.notOk(lines.includes(h.value), `${h.name}: never raw`);
  }
});

t.test('YAML: the workflow names the workspace directory exactly, or refuses it', async (t) => {
  for (const h of all.filter((h) => !h.value.includes('/') && h.value !== '' && !h.value.includes('\0'))) {
    const name = `ws-${h.value}`;
    const dir = workspace(name);
    const repo = join(dir, '..');
    const gen = await cli(['generate', '--workspace', dir], repo);
    if (gen.code !== 0) {
      t.ok(refused(t, { ...gen, dir }, /./, `generate in ${h.name}`));
      continue;
    }
    const r = await cli(['ci', '--workspace', dir, '--out', repo], repo);
    if (refused(t, { ...r, dir }, /the workflow would name the directory/, `ci ${h.name}`)) {
      t.ok(
        h.lineBreaking || h.value.includes('${{') || h.value.includes('\\') || h.value.trim() !== h.value,
        `${h.name}: refused only for a reason`,
      );
      continue;
    }
    const workflow = parse(readFileSync(join(repo, '.github/workflows/crossbake.yml'), 'utf8'));
    const dirs = JSON.stringify(workflow).match(/"working-directory":"[^"]*"/g) ?? [];
    t.ok(JSON.stringify(workflow).includes(JSON.stringify(name).slice(1, -1)), `${h.name}: the directory name is read back`);
    t.notOk(
      dirs.some((d) => d.includes('${{') && !d.includes('runner.temp')),
      `${h.name}: no expression in working-directory`,
    );
  }
});
