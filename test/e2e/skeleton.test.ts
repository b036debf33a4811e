// The dependency skeleton computed inside the build (#15): the committed files build through
// `docker buildx bake -f docker-bake.json` with no crossbake, a lock change needs no regeneration (with
// the debian toolchain a crate new to the lock is installed from Debian inside the build), and a
// source-only change keeps the dependency layer of every platform.
// Needs the machine `test/e2e/setup.sh` prepares (npm run test:e2e runs it first). Prunes nothing.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PLATFORMS } from '../../src/platforms.js';
import {
  addFnv,
  bumpVersion,
  copyWorkspace,
  crossbake,
  editSource,
  isolateSkeleton,
  type PlainVertex,
  plainVertices,
  platformString,
  REGISTRY_HOST,
  type Run,
  ran,
  rawManifest,
  removeDir,
  removeImages,
  restored,
  runnable,
  sh,
  table,
  verticesNamed,
} from './helpers.js';

const RUN_ID = Date.now().toString(36);
const REGISTRY = `${REGISTRY_HOST}/skeleton/e2e-${RUN_ID}`;
const BINS = ['backend', 'frontend'] as const;
const GENERATED = ['Dockerfile', '.dockerignore', 'docker-bake.hcl', 'docker-bake.json', '.crossbake-build/skeleton.mjs'];
const phases: string[][] = [['phase', 'seconds']];

const ws = copyWorkspace('examples/workspace');
isolateSkeleton(ws, RUN_ID);
t.teardown(() => {
  removeDir(ws);
  removeImages(REGISTRY);
  console.error(`\nskeleton phases (${REGISTRY})\n${table(phases)}\n`);
});

const LOGS = mkdtempSync(join(tmpdir(), `crossbake-skeleton-${RUN_ID}-`));
let builds = 0;
/** The committed files built as CI builds them: buildx bake and the bake file, no crossbake. */
function bakeWithoutCrossbake(what: string): Run {
  const run = sh('docker', ['buildx', 'bake', '-f', 'docker-bake.json', '--push', '--progress', 'plain'], { cwd: ws, env: { REGISTRY } });
  phases.push([what, run.seconds.toFixed(1)]);
  const file = join(LOGS, `${++builds}.log`);
  writeFileSync(file, `${run.stderr}\n${run.stdout}`);
  t.comment(`${what}: ${run.seconds.toFixed(1)}s, log ${file}`);
  return run;
}

const generated = () => Object.fromEntries(GENERATED.map((f) => [f, readFileSync(join(ws, f), 'utf8')]));

/** Per platform, the deps RUN vertex (one per platform, shared by both binaries). */
function depsPerPlatform(t: Test, log: string): Map<string, PlainVertex> {
  const vertices = plainVertices(log);
  const named = verticesNamed(vertices, /^\[[^\]]* deps \d+\/\d+\] RUN /);
  t.equal(
    new Set(named.map((v) => v.id)).size,
    PLATFORMS.length,
    `one deps RUN vertex per platform (${named.map((v) => `#${v.id}`).join(', ')})`,
  );
  const found = new Map<string, PlainVertex>();
  for (const p of PLATFORMS) {
    const v = named.find((x) => x.names.some((n) => n.includes(` ${p.docker} `) || n.includes(`-${p.key} `)));
    t.ok(v, `${p.docker}: its deps RUN is in the log`);
    if (v) found.set(p.key, v);
  }
  return found;
}

let healthy = true;
const guard = (t: Test) => {
  if (!healthy) t.plan(0, 'skipped: an earlier build failed');
  return healthy;
};
const succeeded = (t: Test, run: Run) => {
  const ok = t.equal(run.code, 0, 'docker buildx bake -f docker-bake.json --push succeeds');
  if (!ok) {
    healthy = false;
    t.comment(run.stderr.slice(-4000));
  }
  return ok;
};

function assertThreePlatforms(t: Test): void {
  for (const bin of BINS) {
    const manifests = runnable(rawManifest(`${REGISTRY}/${bin}:latest`));
    t.same(manifests.map(platformString).sort(), ['linux/amd64', 'linux/arm/v7', 'linux/arm64'], `${bin}: an index of the three platforms`);
  }
}

let before: Record<string, string> = {};

t.test('crossbake generate writes the files once; buildx bake builds them with no crossbake', async (t) => {
  const gen = crossbake(['generate', '-w', ws]);
  t.equal(gen.code, 0, `crossbake generate\n${gen.stderr}`);
  before = generated();
  t.ok(before['Dockerfile']!.split('\n').length < 300, `the Dockerfile has ${before['Dockerfile']!.split('\n').length} lines`);
  const run = bakeWithoutCrossbake('first build (this copy has its own skeleton)');
  if (!succeeded(t, run)) return;
  assertThreePlatforms(t);
});

t.test('a crate new to Cargo.lock, no regeneration: Debian installs it in the build and every platform builds', async (t) => {
  if (!guard(t)) return;
  addFnv(ws);
  const gen = crossbake(['generate', '-w', ws, '--check']);
  t.equal(gen.code, 0, `crossbake generate --check: nothing to regenerate\n${gen.stdout}${gen.stderr}`);
  t.same(generated(), before, 'the generated files are untouched');
  const run = bakeWithoutCrossbake('lock change (fnv), no regeneration');
  if (!succeeded(t, run)) return;
  const crates = verticesNamed(run.stderr, /^\[[^\]]* toolchain \d+\/\d+\] RUN /).filter(ran);
  t.ok(
    crates.some((v) => v.output.some((l) => /librust-fnv-dev/.test(l))),
    'the toolchain crate step ran and installed librust-fnv-dev',
  );
  for (const [key, v] of depsPerPlatform(t, run.stderr)) {
    t.ok(ran(v), `${key}: the deps RUN (#${v.id}) ran`);
    t.ok(
      v.output.some((l) => /Compiling fnv v1\.0\.7/.test(l)),
      `${key}: it compiled fnv`,
    );
  }
  assertThreePlatforms(t);
});

t.test('a source-only change keeps the dependency layer of every platform', async (t) => {
  if (!guard(t)) return;
  editSource(ws, 'skeleton test: a source-only change');
  const run = bakeWithoutCrossbake('source-only change');
  if (!succeeded(t, run)) return;
  for (const [key, v] of depsPerPlatform(t, run.stderr)) {
    t.ok(restored(v), `${key}: the deps RUN (#${v.id}) is CACHED`);
    t.notOk(
      v.output.some((l) => /Compiling /.test(l)),
      `${key}: cargo compiled nothing in it`,
    );
  }
  const skeleton = verticesNamed(run.stderr, /^\[[^\]]* skeleton \d+\/\d+\] RUN /);
  t.ok(skeleton.some(ran), "the skeleton planner ran on the changed context, and its output's bytes were the same");
});

t.test('a version bump, no regeneration: the dependency layer is kept and the binaries carry the new version', async (t) => {
  if (!guard(t)) return;
  bumpVersion(ws, '0.1.0', '0.1.1');
  const gen = crossbake(['generate', '-w', ws, '--check']);
  t.equal(gen.code, 0, `crossbake generate --check: nothing to regenerate\n${gen.stdout}${gen.stderr}`);
  const run = bakeWithoutCrossbake('version bump 0.1.0 -> 0.1.1, no regeneration');
  if (!succeeded(t, run)) return;
  for (const [key, v] of depsPerPlatform(t, run.stderr)) t.ok(restored(v), `${key}: the deps RUN (#${v.id}) is CACHED`);
  t.ok(
    [...plainVertices(run.stderr).values()].some((v) => v.output.some((l) => /Compiling backend v0\.1\.1\b/.test(l))),
    'backend compiles as 0.1.1',
  );
});
