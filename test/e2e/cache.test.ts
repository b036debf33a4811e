// Caching that holds across binaries, platforms and machines (#4), on the real dockerd, from a cold build
// with qemu's binfmt entries disabled (zero steps under emulation): one dependency
// stage per target triple shared by every binary, the dependency layer kept for source-only and
// version-only changes and rebuilt for a new crate, one registry cache per platform shared by the binaries, and that
// cache restoring the dependency layers on an emptied machine.
// Needs the machine `test/e2e/setup.sh` prepares (npm run test:e2e runs it first). Prunes the build
// cache twice: other builds on this dockerd get slower, none breaks.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CACHE_INDEX_LIMIT, cacheIndexSizes } from '../../src/buildx/publish.js';
import { PLATFORMS } from '../../src/platforms.js';
import {
  addItoa,
  bumpVersion,
  copyWorkspace,
  crossbake,
  docker,
  editSource,
  isolateSkeleton,
  merged,
  type PlainVertex,
  plainVertices,
  pruneBuildCache,
  REGISTRY_HOST,
  type Run,
  ran,
  removeDir,
  removeImages,
  restored,
  table,
  verticesNamed,
  withoutEmulation,
} from './helpers.js';

const RUN_ID = Date.now().toString(36);
// CROSSBAKE_E2E_PRUNE=0 keeps a shared engine's build cache: the cold phase is then cold for this copy's
// dependency layers only, and the emptied-machine phase is skipped.
const PRUNE = process.env.CROSSBAKE_E2E_PRUNE !== '0';
// A fresh namespace: no registry cache from an earlier run can make the first build warm.
const REGISTRY = `${REGISTRY_HOST}/${process.env.CROSSBAKE_E2E_NAMESPACE ?? 'crossbake-cache'}-${RUN_ID}`;
const BINS = ['backend', 'frontend'] as const;
const phases: string[][] = [['phase', 'seconds']];
const phase = (name: string, seconds: number) => {
  phases.push([name, seconds.toFixed(1)]);
  t.comment(`phase ${name}: ${seconds.toFixed(1)}s`);
};

const ws = copyWorkspace('examples/workspace');
isolateSkeleton(ws, RUN_ID);
t.teardown(() => {
  removeDir(ws);
  removeImages(REGISTRY);
  console.error(`\ncache phases (${REGISTRY})\n${table(phases)}\n`);
});

const LOGS = mkdtempSync(join(tmpdir(), `crossbake-cache-${RUN_ID}-`));
let builds = 0;
function bake(what: string, env: Record<string, string> = {}): Run {
  const run = crossbake(['bake', ...BINS, '-w', ws, '--push', '--progress', 'plain'], { REGISTRY, ...env });
  phase(what, run.seconds);
  const file = join(LOGS, `${++builds}.log`);
  writeFileSync(file, `${run.stderr}\n${run.stdout}`);
  t.comment(`log: ${file}`);
  return run;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * The build-all RUN of one platform, under any binary's target prefix: one cargo call compiles every binary.
 * A per-platform target prints `[frontend-linux-arm64 build-all 2/2]`; an image built for all its platforms
 * in one target (--push on the containerd image store) `[frontend linux/amd64->arm64 build-all 2/2]`, and
 * without the target's name when the call builds that target alone; a cold build's cache target of the
 * platform `[_crossbake-cache-linux-arm64 linux/amd64->arm64 build-all 2/2]`.
 */
const buildRunName = (p: { key: string; docker: string }) => {
  const bins = `(${BINS.map(esc).join('|')})`;
  const platform = `(${esc(p.docker)}|\\S+->${esc(p.docker.replace(/^linux\//, ''))})`;
  return new RegExp(`^\\[(${bins}-${esc(p.key)}|((${bins}|_crossbake-cache-${esc(p.key)}) )?${platform}) build-all \\d+/\\d+\\] RUN `);
};
/** The deps stage's cargo RUN (the stage's other RUNs write its environment), under any target's prefix. */
const anyDepsRun = /^\[[^\]]* deps \d+\/\d+\] RUN --mount=type=cache/;
/** A line of cargo compiling something that is not one of the workspace's own packages. */
const foreignCompile = /^\s*Compiling (?!(backend|frontend|shared) v)\S+ v/;

/**
 * The deps RUN, which compiles every platform in one cargo call: the one that executed, or else the first.
 * Each target's skeleton stage reads that target's own build context (bake sends one per target), so each
 * target may get its own deps vertex; they share one cache key, and BuildKit runs one and reports the
 * others CACHED. The proof that the stage is shared by every platform and binary is that at most one executes.
 */
function depsVertex(t: Test, log: string): PlainVertex | undefined {
  const unique = [...new Map(verticesNamed(plainVertices(log), anyDepsRun).map((v) => [v.id, v])).values()];
  const executed = unique.filter(ran);
  const rest = unique.filter((v) => !ran(v));
  t.ok(
    unique.length > 0 && executed.length <= 1 && rest.every((v) => v.cached || v.pulled || merged(v) || unfinished(v)),
    `the deps RUN of ${PLATFORMS.length} platforms and ${BINS.length} binaries executed at most once (${unique.map((v) => `#${v.id} ${state(v)}`).join(', ')})`,
  );
  return executed[0] ?? unique.find(restored) ?? unique.find((u) => !merged(u)) ?? unique[0];
}

/**
 * A target's vertex of a shared step that BuildKit started and then resolved through its twin: printed by
 * name only, with no output, no `DONE` and no error. Seen once in CI (a second deps vertex beside a CACHED one).
 */
const unfinished = (v: PlainVertex) => !v.cached && !v.done && !v.errored && !v.pulled && v.output.length === 0;
const state = (v: PlainVertex) =>
  ran(v) ? 'ran' : v.cached ? 'CACHED' : v.pulled ? 'pulled' : merged(v) ? 'merged' : unfinished(v) ? 'unfinished' : 'unknown';

/** The deps RUN came from a cache: `CACHED`, or its layers pulled from the registry cache; cargo did not run in it. */
function assertDepsCached(t: Test, log: string, what = 'CACHED'): void {
  const v = depsVertex(t, log);
  if (!v) return;
  t.ok(
    restored(v),
    `the deps RUN (#${v.id}) is ${what} (${v.cached ? 'CACHED' : v.pulled ? `layers pulled, DONE ${v.seconds}s, no output` : 'executed'})`,
  );
  t.notOk(
    v.output.some((l) => /Compiling /.test(l)),
    'cargo compiled nothing in it',
  );
}

/** The build-all RUN of each platform, executed once, compiled `bins` on top of the dependency layer: only the workspace's own crates. */
function assertBuiltOnDeps(t: Test, log: string, bins: readonly string[] = BINS): void {
  const vertices = plainVertices(log);
  for (const p of PLATFORMS) {
    const executed = [...new Map(verticesNamed(vertices, buildRunName(p)).map((v) => [v.id, v])).values()].filter(ran);
    t.equal(executed.length, 1, `${p.key}: the build-all RUN executed once for ${BINS.length} binaries`);
    const v = executed[0];
    if (!v) continue;
    for (const bin of bins) {
      t.ok(
        v.output.some((l) => new RegExp(`Compiling ${bin} v`).test(l)),
        `${p.key}: cargo compiled ${bin}`,
      );
    }
    const foreign = v.output.filter((l) => foreignCompile.test(l));
    t.same(foreign, [], `${p.key}: no dependency was compiled again`);
  }
}

let coldSeconds = 0;
let healthy = true;
const guard = (t: Test) => {
  if (!healthy) t.plan(0, 'skipped: an earlier build failed');
  return healthy;
};
const succeeded = (t: Test, run: Run) => {
  const ok = t.equal(run.code, 0, 'crossbake bake --push succeeds');
  if (!ok) {
    healthy = false;
    t.comment(run.stderr.slice(-4000));
  }
  return ok;
};

t.test('cold build with no emulation: the dependency stage runs once, for every target triple, shared by both binaries', async (t) => {
  if (PRUNE) {
    const pruned = pruneBuildCache();
    t.equal(pruned.code, 0, `docker buildx prune -af\n${pruned.stderr}`);
  }
  // After the prune every step runs, with binfmt disabled: the proof that a build from nothing needs no emulation.
  const run = withoutEmulation(t, () =>
    bake(`cold: ${PRUNE ? 'prune' : 'no prune (CROSSBAKE_E2E_PRUNE=0)'}, fresh namespace, 2 binaries x 3 platforms, no emulation`),
  );
  coldSeconds = run.seconds;
  if (!succeeded(t, run)) return;
  const deps = verticesNamed(run.stderr, anyDepsRun);
  const executed = deps.filter(ran);
  t.equal(
    executed.length,
    1,
    `the deps RUN executed ${executed.length} times (#${executed.map((v) => v.id).join(', #')}) for ${PLATFORMS.length} platforms and ${BINS.length} binaries`,
  );
  const v = depsVertex(t, run.stderr);
  t.ok(
    v && ran(v) && v.output.some((l) => /Compiling serde v/.test(l)),
    'it compiled the dependencies; each build-all below compiles none again, so it compiled them for every platform',
  );
  assertBuiltOnDeps(t, run.stderr);
  t.match(
    run.stderr,
    /^crossbake: cache .*caches missing at the start: the build wrote all \d+\)$/m,
    'the cold build writes the caches in its own call, each as soon as its steps are done',
  );
  const builds = PLATFORMS.flatMap((p) => verticesNamed(run.stderr, buildRunName(p)).filter(ran));
  t.equal(new Set(builds.map((v) => v.id)).size, PLATFORMS.length, 'one build-all RUN per platform compiles both binaries');
  for (const v of builds)
    t.ok(
      BINS.every((bin) => v.output.some((l) => l.includes(`Compiling ${bin} v`))),
      `#${v.id} compiled ${BINS.join(' and ')}`,
    );
});

t.test('changing only a .rs file keeps the dependency layer of every platform', async (t) => {
  if (!guard(t)) return;
  editSource(ws, 'cache test: a source-only change');
  const run = bake('source-only change');
  if (!succeeded(t, run)) return;
  assertDepsCached(t, run.stderr);
  // only backend's main.rs changed: cargo compiles backend alone
  assertBuiltOnDeps(t, run.stderr, ['backend']);
  for (const [key, names] of compiledPackages(run.stderr)) t.same(names, ['backend'], `${key}: and nothing else`);
  t.match(
    run.stderr,
    /^crossbake: cache .*only the binaries' own steps ran, .*: nothing to export\)$/m,
    'no cache export: the caches already hold every layer a build of other source reuses',
  );
});

/** The workspace packages cargo compiled in each platform's build-all RUN that executed. */
function compiledPackages(log: string): Map<string, string[]> {
  const vertices = plainVertices(log);
  const found = new Map<string, string[]>();
  for (const p of PLATFORMS) {
    const executed = [...new Map(verticesNamed(vertices, buildRunName(p)).map((v) => [v.id, v])).values()].filter(ran);
    const names = executed.flatMap((v) => v.output.flatMap((l) => /^\s*Compiling (\S+) v/.exec(l)?.[1] ?? []));
    found.set(p.key, [...new Set(names)].sort());
  }
  return found;
}

/** The bytes of /app/<bin> in the platform's image the docker driver keeps in its store (docker create runs nothing). */
function binaryOf(bin: string, platform: string): Buffer {
  const ref = `${REGISTRY}/${bin}:latest`;
  const created = docker(['create', '--platform', platform, ref]);
  if (created.code !== 0) throw new Error(`docker create ${ref}: ${created.stderr}`);
  const id = created.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-bin-'));
  try {
    const copied = docker(['cp', `${id}:/app/${bin}`, join(dir, bin)]);
    if (copied.code !== 0) throw new Error(`docker cp ${id}:/app/${bin}: ${copied.stderr}`);
    return readFileSync(join(dir, bin));
  } finally {
    docker(['rm', id]);
    removeDir(dir);
  }
}

const edit = (file: string, from: string, to: string) => {
  const path = join(ws, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(path, text.replace(from, to));
};

// The target directory kept in a cache mount between builds (docker/crossbake-target-cache.sh): cargo
// compiles only what changed, and a crate whose source changed while another binary was built is
// compiled when its binary is built next.
t.test('a changed string in backend: build-all compiles backend alone, and the backend binary has the string', async (t) => {
  if (!guard(t)) return;
  const marker = `backend-${RUN_ID}`;
  edit('crates/backend/src/main.rs', 'const SERVICE: &str = "backend";', `const SERVICE: &str = "${marker}";`);
  const run = bake('one string changed in backend (incremental)');
  if (!succeeded(t, run)) return;
  assertDepsCached(t, run.stderr);
  for (const [key, names] of compiledPackages(run.stderr)) t.same(names, ['backend'], `${key}: cargo compiled backend alone`);
  for (const p of PLATFORMS) t.ok(binaryOf('backend', p.docker).includes(marker), `${p.key}: /app/backend has "${marker}"`);
  t.notOk(binaryOf('frontend', 'linux/arm64').includes(marker), 'frontend does not');
});

/** The digest of the multi-platform index the registry has for `bin`'s tag. */
function indexDigest(bin: string): string {
  const inspected = docker(['buildx', 'imagetools', 'inspect', '--format', '{{json .Manifest}}', `${REGISTRY}/${bin}:latest`]);
  return (JSON.parse(inspected.stdout) as { digest: string }).digest;
}

/** The report's result column for each of `bin`'s platforms. */
const results = (run: Run, bin: string) =>
  run.stdout.split('\n').flatMap((l) => new RegExp(`^${bin} +linux/\\S+ +(\\S+) `).exec(l)?.[1] ?? []);

// build-all prints the files cargo's dep-info lists for each binary; the next push leaves out an image none
// of whose files changed (src/buildx/image-inputs.ts), and builds every image when a file outside all lists did.
t.test("a change to one binary's own files leaves the other image out of the build; a manifest change builds both", async (t) => {
  if (!guard(t)) return;
  const frontend = indexDigest('frontend');
  editSource(ws, 'cache test: backend alone changed');
  const one = bake('backend source changed: frontend left out');
  if (!succeeded(t, one)) return;
  t.match(one.stderr, /^crossbake: unchanged .*\(frontend: .*left out of this build\)$/m, 'crossbake says frontend is left out');
  t.notMatch(one.stderr, /^#\d+ \[frontend[ -]/m, 'no step of a frontend target ran or was even asked for');
  t.same(results(one, 'frontend'), ['unchanged', 'unchanged', 'unchanged'], "the report keeps frontend's rows, unchanged");
  t.same(results(one, 'backend'), ['built', 'built', 'built'], 'and builds backend');
  t.equal(indexDigest('frontend'), frontend, "frontend's tag still names the same index");
  for (const [key, names] of compiledPackages(one.stderr)) t.same(names, ['backend'], `${key}: cargo compiled backend alone`);

  const backend = indexDigest('backend');
  edit('crates/frontend/src/main.rs', 'const SERVICE: &str = "frontend";', `const SERVICE: &str = "frontend-${RUN_ID}";`);
  const other = bake('frontend source changed: backend left out');
  if (!succeeded(t, other)) return;
  t.match(other.stderr, /^crossbake: unchanged .*\(backend: .*left out of this build\)$/m, 'now backend is left out');
  t.same(results(other, 'frontend'), ['built', 'built', 'built'], 'frontend built');
  t.equal(indexDigest('backend'), backend, "backend's tag still names the same index");
  for (const p of PLATFORMS)
    t.ok(binaryOf('frontend', p.docker).includes(`frontend-${RUN_ID}`), `${p.key}: /app/frontend has the new string`);

  // A member's manifest is in no binary's list: it counts for every image.
  edit('crates/frontend/Cargo.toml', 'description = "', 'description = "(cache test) ');
  const both = bake("frontend's Cargo.toml changed: both built");
  if (!succeeded(t, both)) return;
  t.notMatch(both.stderr, /left out of this build/, 'no image is left out');
  for (const bin of BINS) t.same(results(both, bin), ['built', 'built', 'built'], `${bin} built`);

  // The same sources under another tag: build-all comes from the cache and prints nothing, and each image's
  // record takes the lists of an earlier one whose files are the same now.
  const TAG = `v2-${RUN_ID}`;
  const release = bake('the same sources under another TAG: both built, build-all cached', { TAG });
  if (!succeeded(t, release)) return;
  t.same(compiledPackages(release.stderr).get(PLATFORMS[0]!.key), [], 'cargo compiled nothing');
  t.notMatch(release.stderr, /^#\d+ [\d.]+ crossbake-inputs /m, 'and build-all printed no lists');
  edit('crates/frontend/src/main.rs', `"frontend-${RUN_ID}"`, `"frontend-${RUN_ID}-v2"`);
  const after = bake('frontend source changed, under that TAG: backend left out', { TAG });
  if (!succeeded(t, after)) return;
  t.match(after.stderr, /^crossbake: unchanged .*\(backend: .*left out of this build\)$/m, 'backend left out, on the lists carried over');
});

t.test('shared changed while only backend is built: the next build of both compiles frontend again', async (t) => {
  if (!guard(t)) return;
  const marker = `not allowed ${RUN_ID}`;
  edit('crates/shared/src/lib.rs', '"method not allowed"', JSON.stringify(marker));
  const one = crossbake(['bake', 'backend', '-w', ws, '--push', '--progress', 'plain'], { REGISTRY });
  phase('shared changed, backend alone', one.seconds);
  if (!succeeded(t, one)) return;
  for (const [key, names] of compiledPackages(one.stderr)) t.same(names, ['backend', 'shared'], `${key}: shared and backend`);
  const both = bake('both binaries after that');
  if (!succeeded(t, both)) return;
  for (const [key, names] of compiledPackages(both.stderr)) t.same(names, ['frontend'], `${key}: frontend alone, on the new shared`);
  for (const p of PLATFORMS) {
    for (const bin of BINS) t.ok(binaryOf(bin, p.docker).includes(marker), `${p.key}: /app/${bin} has the new string`);
  }
});

t.test("changing only the workspace's version keeps the dependency layer (cargo-chef#323)", async (t) => {
  if (!guard(t)) return;
  bumpVersion(ws, '0.1.0', '0.1.1');
  const run = bake('version bump 0.1.0 -> 0.1.1');
  if (!succeeded(t, run)) return;
  assertDepsCached(t, run.stderr);
  const versions = plainVertices(run.stderr);
  t.ok(
    [...versions.values()].some((v) => v.output.some((l) => /Compiling backend v0\.1\.1\b/.test(l))),
    'the binaries are rebuilt with the new version',
  );
});

t.test(
  'a new dependency in Cargo.toml + Cargo.lock rebuilds the dependency layer, once for every platform, on the kept artifacts',
  async (t) => {
    if (!guard(t)) return;
    addItoa(ws);
    const run = bake('new dependency (itoa) in Cargo.toml + Cargo.lock');
    if (!succeeded(t, run)) return;
    const executed = verticesNamed(run.stderr, anyDepsRun).filter(ran);
    t.equal(executed.length, 1, `the deps RUN executed ${executed.length} times`);
    const v = depsVertex(t, run.stderr);
    if (v) {
      t.ok(ran(v), `the deps RUN (#${v.id}) ran again`);
      t.ok(
        v.output.some((l) => /Compiling backend v/.test(l)),
        "it compiled backend's stub, which now depends on itoa",
      );
      // itoa was already compiled for serde_json: the deps target directory kept in its cache mount has it.
      t.same(
        v.output.filter((l) => foreignCompile.test(l)),
        [],
        'no registry crate was compiled again',
      );
    }
    const toolchain = verticesNamed(run.stderr, /^\[[^\]]* toolchain \d+\/\d+\] RUN /);
    t.ok(
      toolchain.length > 0 && toolchain.some((v) => v.cached) && !toolchain.some(ran),
      "the toolchain's apt step stays CACHED (itoa was already a locked crate)",
    );
  },
);

t.test('nothing changed since the last push: nothing is built, and the report names the same images', async (t) => {
  if (!guard(t)) return;
  const run = bake('no change');
  if (!succeeded(t, run)) return;
  t.match(run.stderr, /^crossbake: unchanged .*nothing to build/m, 'crossbake says so');
  t.notMatch(run.stderr, /^#\d+ /m, 'and buildx never ran');
  for (const bin of BINS) {
    const digest = docker(['buildx', 'imagetools', 'inspect', '--format', '{{json .Manifest}}', `${REGISTRY}/${bin}:latest`]);
    const index = (JSON.parse(digest.stdout) as { digest: string }).digest;
    t.match(run.stdout, `${REGISTRY}/${bin}:latest -> ${index}`, `${bin}: the report names the index the registry has`);
  }
  t.equal(
    run.stdout.split('\n').filter((l) => /^(backend|frontend) +linux\/\S+ +unchanged /.test(l)).length,
    BINS.length * PLATFORMS.length,
  );
});

t.test('one registry cache per platform, shared by the binaries; none per binary', async (t) => {
  if (!guard(t)) return;
  const digests = new Map<string, string>();
  for (const p of PLATFORMS) {
    const ref = `${REGISTRY}/backend:cache-shared-${p.key}`;
    const raw = docker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
    if (!t.equal(raw.code, 0, `${ref} exists\n${raw.stderr}`)) continue;
    const manifest = JSON.parse(raw.stdout) as { manifests?: Array<{ mediaType: string }> };
    t.ok(
      manifest.manifests?.some((m) => m.mediaType === 'application/vnd.buildkit.cacheconfig.v0'),
      `${ref} is a BuildKit cache manifest`,
    );
    digests.set(ref, `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`);
  }
  t.equal(digests.size, PLATFORMS.length, 'three cache manifests');
  // crossbake reads the same indexes after each export, to warn before one outgrows what BuildKit reads
  const indexes = await cacheIndexSizes(
    [...digests.keys()].map((ref) => ({ type: 'registry' as const, ref })),
    undefined,
  );
  t.equal(indexes.length, PLATFORMS.length, 'each index found and sized in the real registry');
  t.ok(
    indexes.every((i) => i.size > 0 && i.size < CACHE_INDEX_LIMIT),
    `within what BuildKit reads: ${indexes.map((i) => i.size).join(', ')} bytes`,
  );
  // the cold build wrote the build-platform stages' cache during the build
  const early = docker(['buildx', 'imagetools', 'inspect', '--raw', `${REGISTRY}/backend:cache-shared-toolchain`]);
  t.equal(early.code, 0, `the early toolchain cache exists\n${early.stderr}`);
  t.equal(new Set(digests.values()).size, digests.size, 'all distinct: no platform overwrote another');
  for (const bin of BINS) {
    const ref = `${REGISTRY}/${bin}:cache-${PLATFORMS[0]!.key}`;
    t.not(docker(['buildx', 'imagetools', 'inspect', '--raw', ref]).code, 0, `${ref}: no cache per binary`);
  }
  t.comment([...digests].map(([ref, d]) => `${ref} ${d.slice(0, 19)}`).join('\n'));
});

t.test(
  'an emptied machine restores the dependency layers from the registry cache',
  {
    skip: !PRUNE && 'CROSSBAKE_E2E_PRUNE=0',
  },
  async (t) => {
    if (!guard(t)) return;
    const pruned = pruneBuildCache();
    t.equal(pruned.code, 0, `docker buildx prune -af\n${pruned.stderr}`);
    const removed = removeImages(REGISTRY);
    t.ok(removed.length >= BINS.length, `removed the local ${REGISTRY}/* images (${removed.length})`);
    t.same(removeImages(REGISTRY), [], 'none is left');
    // A new commit on a new machine: the binaries compile again, on dependency layers from the registry.
    editSource(ws, 'cache test: a change built on an emptied machine');
    // A new machine remembers no push either (crossbake's memory is in XDG_CACHE_HOME): every image builds.
    const home = mkdtempSync(join(tmpdir(), 'crossbake-cache-xdg-'));
    t.teardown(() => removeDir(home));
    const run = bake('emptied machine (prune + image rm), from the registry cache', { XDG_CACHE_HOME: home });
    if (!succeeded(t, run)) return;
    // Targets of one platform import its shared cache once: BuildKit runs one import, under one target's name.
    for (const p of PLATFORMS) {
      t.match(
        run.stderr,
        new RegExp(
          `\\[(${BINS.map(esc).join('|')})(-${esc(p.key)})?\\] importing cache manifest from ${esc(`${REGISTRY}/backend:cache-shared-${p.key}`)}\\b`,
        ),
        `${p.key}: its images import the platform's shared registry cache`,
      );
    }
    assertDepsCached(t, run.stderr, 'restored from the registry cache');
    assertBuiltOnDeps(t, run.stderr);
    const ratio = run.seconds / coldSeconds;
    t.comment(
      `cold ${coldSeconds.toFixed(1)}s, emptied machine from the registry cache ${run.seconds.toFixed(1)}s (${(ratio * 100).toFixed(0)}% of cold)`,
    );
  },
);
