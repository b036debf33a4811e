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
import { dockerfileLineBound } from '../helpers/golden.js';
import {
  addFnv,
  bumpVersion,
  copyWorkspace,
  crossbake,
  docker,
  editSource,
  isolateSkeleton,
  type PlainVertex,
  plainVertices,
  REGISTRY_HOST,
  type Run,
  ran,
  removeDir,
  removeImages,
  restored,
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
  // --load, not --push: dockerd's own builder (the docker driver) fails to push a multi-platform index
  // here (a 500 from the registry on HEAD .../manifests/latest); crossbake bake pushes per platform and merges.
  const run = sh('docker', ['buildx', 'bake', '-f', 'docker-bake.json', '--load', '--progress', 'plain'], { cwd: ws, env: { REGISTRY } });
  phases.push([what, run.seconds.toFixed(1)]);
  const file = join(LOGS, `${++builds}.log`);
  writeFileSync(file, `${run.stderr}\n${run.stdout}`);
  t.comment(`${what}: ${run.seconds.toFixed(1)}s, log ${file}`);
  return run;
}

const generated = () => Object.fromEntries(GENERATED.map((f) => [f, readFileSync(join(ws, f), 'utf8')]));

/** A vertex printed for this platform: `[backend linux/amd64 ...]` or `[backend linux/amd64->arm64 ...]`. */
const onPlatform = (v: PlainVertex, docker: string) =>
  v.names.some((n) => n.includes(` ${docker} `) || n.includes(`->${docker.replace(/^linux\//, '')} `));

/**
 * The deps stage's cargo RUN, one step for every platform, as each target printed it. BuildKit may print the
 * shared step once per target and run it once: the other copies are CACHED.
 */
function depsRuns(t: Test, log: string): PlainVertex[] {
  const named = [...new Map(verticesNamed(log, /^\[[^\]]* deps \d+\/\d+\] RUN --mount=type=cache/).map((v) => [v.id, v])).values()];
  t.ok(named.length > 0, `the deps RUN is in the log (#${named.map((v) => v.id).join(', #')})`);
  return named;
}

/** The deps RUN ran once, for every platform and both binaries, and ran cargo (`crate` compiled, or already in the mount). */
function assertDepsRanOnce(t: Test, log: string, crate: string): void {
  const compiling = new RegExp(`Compiling ${crate.replace(/\./g, '\\.')}`);
  const executed = depsRuns(t, log).filter(ran);
  t.equal(executed.length, 1, `the deps RUN ran once for ${PLATFORMS.length} platforms (#${executed.map((v) => v.id).join(', #')})`);
  // The deps stage's target directory is a cache mount kept on this machine: a crate an earlier build
  // compiled (with this toolchain) is not compiled again, so only cargo's run is certain.
  t.ok(
    executed.some((v) => v.output.some((l) => /Finished /.test(l))),
    `cargo ran in it (${crate}: ${executed.some((v) => v.output.some((l) => compiling.test(l))) ? 'compiled' : 'kept in the deps cache mount'})`,
  );
}

/** The deps RUN came from the cache and cargo compiled nothing in it. */
function assertDepsCached(t: Test, log: string): void {
  const vs = depsRuns(t, log);
  t.ok(vs.every(restored), `the deps RUN is CACHED (#${vs.map((v) => `${v.id} ${v.cached ? 'CACHED' : 'ran'}`).join(', #')})`);
  t.notOk(
    vs.some((v) => v.output.some((l) => /Compiling /.test(l))),
    'cargo compiled nothing in it',
  );
}

let healthy = true;
const guard = (t: Test) => {
  if (!healthy) t.plan(0, 'skipped: an earlier build failed');
  return healthy;
};
const succeeded = (t: Test, run: Run) => {
  const ok = t.equal(run.code, 0, 'docker buildx bake -f docker-bake.json --load succeeds');
  if (!ok) {
    healthy = false;
    t.comment(run.stderr.slice(-4000));
  }
  return ok;
};

/** Every binary was built for every platform in this run's log, and its multi-platform image was loaded. */
function assertThreePlatforms(t: Test, log: string): void {
  const vertices = plainVertices(log);
  for (const bin of BINS) {
    for (const p of PLATFORMS) {
      // one build-all RUN per platform compiles every binary
      const build = verticesNamed(vertices, /^\[[^\]]* build-all \d+\/\d+\] RUN /).filter((v) => onPlatform(v, p.docker));
      t.ok(
        build.some((v) => v.done || v.cached),
        `${bin} ${p.docker}: built`,
      );
    }
    t.equal(docker(['image', 'inspect', `${REGISTRY}/${bin}:latest`]).code, 0, `${bin}: the image is loaded`);
  }
}

let before: Record<string, string> = {};

t.test('crossbake generate writes the files once; buildx bake builds them with no crossbake', async (t) => {
  const gen = crossbake(['generate', '-w', ws]);
  t.equal(gen.code, 0, `crossbake generate\n${gen.stderr}`);
  before = generated();
  // The bound test/golden.test.ts holds every golden to, for the example's two binaries.
  t.ok(
    before['Dockerfile']!.split('\n').length < dockerfileLineBound(2),
    `the Dockerfile has ${before['Dockerfile']!.split('\n').length} lines`,
  );
  const run = bakeWithoutCrossbake('first build (this copy has its own skeleton)');
  if (!succeeded(t, run)) return;
  assertDepsRanOnce(t, run.stderr, 'serde v');
  assertThreePlatforms(t, run.stderr);
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
  assertDepsRanOnce(t, run.stderr, 'fnv v1.0.7');
  assertThreePlatforms(t, run.stderr);
});

t.test('a source-only change keeps the dependency layer of every platform', async (t) => {
  if (!guard(t)) return;
  editSource(ws, 'skeleton test: a source-only change');
  const run = bakeWithoutCrossbake('source-only change');
  if (!succeeded(t, run)) return;
  assertDepsCached(t, run.stderr);
  const skeleton = verticesNamed(run.stderr, /^\[[^\]]* skeleton \d+\/\d+\] RUN /);
  t.ok(skeleton.length > 0, 'the skeleton step is in the log');
  t.notOk(skeleton.some(ran), 'and it is CACHED: it mounts only the manifests, so a source edit leaves its key as it was');
});

t.test('a version bump, no regeneration: the dependency layer is kept and the binaries carry the new version', async (t) => {
  if (!guard(t)) return;
  bumpVersion(ws, '0.1.0', '0.1.1');
  const gen = crossbake(['generate', '-w', ws, '--check']);
  t.equal(gen.code, 0, `crossbake generate --check: nothing to regenerate\n${gen.stdout}${gen.stderr}`);
  const run = bakeWithoutCrossbake('version bump 0.1.0 -> 0.1.1, no regeneration');
  if (!succeeded(t, run)) return;
  assertDepsCached(t, run.stderr);
  t.ok(
    [...plainVertices(run.stderr).values()].some((v) => v.output.some((l) => /Compiling backend v0\.1\.1\b/.test(l))),
    'backend compiles as 0.1.1',
  );
});
