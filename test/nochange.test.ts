import t from 'tap';
import { bakeArgs } from '../src/buildx/args.js';
import { stepsRun } from '../src/buildx/attribute.js';
import { bakeSteps, buildCalls, cacheDestination, stepsForCaches, withCacheTargets } from '../src/buildx/invocation.js';
import type { BakePrint } from '../src/buildx/preflight.js';
import { parseProgress } from '../src/buildx/progress.js';
import { CACHE_INDEX_LIMIT, cacheIndexSizes } from '../src/buildx/publish.js';
import { buildView, viewPlan } from '../src/buildx/view.js';
import { loadProject } from '../src/commands/project.js';
import { bakeDefinition } from '../src/render/bake.js';
import { renderDockerfile } from '../src/render/dockerfile.js';
import { repoRoot } from './helpers/paths.js';

// The no-change path: the build writes no cache; a second call exports only when a step ran or a cache is missing.

const plan = loadProject({ workspace: 'examples/workspace', flags: { platforms: ['linux/amd64'] }, cwd: repoRoot }).plan;
const printed = {
  target: Object.fromEntries(
    plan.selected.flatMap((i) => [
      [i.target, { tags: [`r.io/x/${i.image}:v1`] }],
      ...i.platforms.map((p) => [
        p.target,
        { tags: [`r.io/x/${i.image}:v1${p.tagSuffix}`], 'cache-to': [`type=registry,ref=r.io/x/${i.image}:cache${p.tagSuffix},mode=max`] },
      ]),
    ]),
  ),
} as BakePrint;

t.test('the build call clears each target cache-to; the export call is the same targets with a cache-only output', async (t) => {
  const steps = bakeSteps(plan, printed, {
    push: true,
    load: false,
    noCache: true,
    set: ['*.args.X=1'],
    bakeFile: 'b.json',
    driver: 'docker',
  });
  t.same(steps.bake.set!.slice(-2), ['backend-linux-amd64.cache-to=', 'frontend-linux-amd64.cache-to=']);
  t.same(steps.caches, [
    { type: 'registry', ref: 'r.io/x/backend:cache-linux-amd64' },
    { type: 'registry', ref: 'r.io/x/frontend:cache-linux-amd64' },
  ]);
  t.same(bakeArgs(steps.cacheExport!), [
    'buildx',
    'bake',
    '--file',
    'b.json',
    '--set',
    '*.args.CROSSBAKE_BINS=backend frontend',
    '--set',
    '*.args.CROSSBAKE_PLATFORMS=linux/amd64',
    '--set',
    '*.args.CROSSBAKE_INCREMENTAL=0',
    '--set',
    '*.args.X=1',
    '--set',
    'backend-linux-amd64.output=type=cacheonly',
    '--set',
    'backend-linux-amd64.cache-from=',
    '--set',
    'frontend-linux-amd64.output=type=cacheonly',
    '--set',
    'frontend-linux-amd64.cache-from=',
    'backend-linux-amd64',
    'frontend-linux-amd64',
  ]);
  t.notOk(steps.cacheExport!.noCache, 'the export reuses what the build just made, even after --no-cache');
  t.same(
    steps.bake.set!.slice(0, 3),
    ['*.args.CROSSBAKE_BINS=backend frontend', '*.args.CROSSBAKE_PLATFORMS=linux/amd64', '*.args.CROSSBAKE_INCREMENTAL=0'],
    'from scratch in the target cache mounts too',
  );
  const again = bakeSteps(plan, printed, { push: false, load: false, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' });
  t.notOk(
    again.bake.set!.some((s) => s.includes('CROSSBAKE_INCREMENTAL')),
    'a build with the cache keeps the mounts',
  );
});

t.test('one shared cache per platform: the export call builds only the shared-cache targets', async (t) => {
  const two = loadProject({ workspace: 'examples/workspace', flags: { platforms: ['linux/amd64', 'linux/arm64'] }, cwd: repoRoot }).plan;
  const shared = two.sharedCache!.platforms.map((p) => p.target);
  t.same(shared, ['_crossbake-cache-linux-amd64', '_crossbake-cache-linux-arm64']);
  const withShared = {
    target: {
      ...Object.fromEntries(
        two.selected.flatMap((i) => [
          [i.target, { tags: [`r.io/x/${i.image}:v1`] }],
          ...i.platforms.map((p) => [
            p.target,
            { tags: [`r.io/x/${i.image}:v1${p.tagSuffix}`], 'cache-to': [`type=registry,ref=r.io/x/${i.image}:c${p.tagSuffix}`] },
          ]),
        ]),
      ),
      ...Object.fromEntries(shared.map((name) => [name, { 'cache-to': [`type=registry,ref=r.io/x/backend:${name},mode=max`] }])),
    },
  } as BakePrint;
  const steps = bakeSteps(two, withShared, {
    push: true,
    load: false,
    noCache: false,
    set: [],
    bakeFile: 'b.json',
    driver: 'docker-container',
  });
  t.same(steps.cacheExport!.targets, shared, 'two exports for two images on two platforms, not four');
  t.same(
    steps.cacheExport!.set!.filter((s) => s.includes('.cache-from=')),
    ['_crossbake-cache-linux-amd64.cache-from=', '_crossbake-cache-linux-arm64.cache-from='],
    'the export imports no cache: its steps are all in the local cache, and the old cache would carry its superseded layers over',
  );
  t.same(
    steps.caches.map((c) => (c.type === 'registry' ? c.ref : '')),
    shared.map((name) => `r.io/x/backend:${name}`),
    'and only those caches must exist for the export to be skipped',
  );
  t.same(steps.bake.targets, ['backend-linux-amd64', 'backend-linux-arm64', 'frontend-linux-amd64', 'frontend-linux-arm64']);
  t.ok(
    steps.bake.targets.every((target) => steps.bake.set!.includes(`${target}.cache-to=`)),
    'the build writes no cache',
  );
  const load = bakeSteps(two, withShared, { push: false, load: true, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' });
  t.notOk(
    load.cacheExport?.targets.some((name) => shared.includes(name)),
    '--load keeps the multi-platform targets and their caches',
  );
  for (const cache of [{ type: 'none' }, { type: 'inline' }, { type: 'registry', mode: 'min' }] as const) {
    const p = loadProject({ workspace: 'examples/workspace', flags: { cache }, cwd: repoRoot }).plan;
    t.equal(p.sharedCache, undefined, `no shared cache with ${JSON.stringify(cache)}`);
  }
});

t.test('the shared-cache stage depends on the selected images only: the others slot the empty stage', async (t) => {
  const one = loadProject({ workspace: 'examples/workspace', flags: { bins: ['frontend'] }, cwd: repoRoot }).plan;
  const target = bakeDefinition(one).target['_crossbake-cache-linux-amd64']!;
  t.same(target.args, {
    CROSSBAKE_CACHE_1: 'crossbake-cache-none',
    CROSSBAKE_CACHE_2: 'runtime-frontend',
  });
  const dockerfile = renderDockerfile(one, 'Cargo.toml');
  t.match(dockerfile, /^ARG CROSSBAKE_CACHE_1=runtime-backend$/m, 'the Dockerfile alone builds every image into it');
  t.match(dockerfile, /^FROM \$\{CROSSBAKE_CACHE_2\} AS crossbake-cache-2$/m);
  t.match(dockerfile, /^COPY --from=crossbake-cache-2 \/etc\/group \/crossbake\/cache\/crossbake-cache-2\.group$/m);
});

t.test('the early cache: the build-platform stages as a target of their own, which a cold build adds to its build call', async (t) => {
  const p = loadProject({ workspace: 'examples/workspace', flags: { platforms: ['linux/amd64', 'linux/arm64'] }, cwd: repoRoot }).plan;
  const early = p.sharedCache!.early!;
  t.same(early.target, '_crossbake-cache-toolchain');
  const target = bakeDefinition(p).target[early.target]!;
  t.equal(target.target, 'crossbake-toolchain-cache', 'native (the last stage before the first per-platform one) and rust-std');
  const dockerfile = renderDockerfile(p, 'Cargo.toml');
  t.match(
    dockerfile,
    /\nFROM native AS crossbake-toolchain-cache\nCOPY --from=rust-std \/etc\/group \/crossbake\/cache\/rust-std\.group\n/,
  );
  t.notOk('platforms' in target, 'on the build platform, whatever the target platform');
  t.same(target.output, ['type=cacheonly']);
  t.match(target['cache-to'], [/cache-shared-toolchain.*mode=max/]);
  t.notOk('cache-from' in target, 'a cold build has nothing to read; the image targets read the platform caches');
  t.notOk(bakeDefinition(p).group['_crossbake-cache']!.targets.includes(early.target), 'not one of the platform caches');
  const shared = p.sharedCache!.platforms.map((s) => s.target);
  const resolved = {
    target: {
      ...Object.fromEntries(
        p.selected.flatMap((i) => [
          [i.target, { tags: [`r.io/x/${i.image}:v1`] }],
          ...i.platforms.map((pb) => [
            pb.target,
            { tags: [`r.io/x/${i.image}:v1${pb.tagSuffix}`], 'cache-to': ['type=registry,ref=r.io/x/b:c'] },
          ]),
        ]),
      ),
      ...Object.fromEntries(shared.map((name) => [name, { 'cache-to': [`type=registry,ref=r.io/x/backend:${name},mode=max`] }])),
      [early.target]: { 'cache-to': ['type=registry,ref=r.io/x/backend:cache-shared-toolchain,mode=max'] },
    },
  } as BakePrint;
  const steps = bakeSteps(p, resolved, { push: true, load: false, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' });
  t.equal(steps.early?.name, early.target);
  t.notOk(steps.bake.targets.includes(early.target), 'a build that finds its caches leaves it out');
  const cold = withCacheTargets(steps);
  t.equal(cold.bake.targets[0], early.target, 'first, so that of several calls the first has it');
  t.equal(cold.runTargets[0]!.name, early.target);
  t.ok(cold.cachesExported);
  t.same(cold.bake.targets.slice(-shared.length), shared, "the platforms' cache targets last: the build writes every cache");
  for (const name of [early.target, ...shared])
    t.notOk(
      cold.bake.set!.includes(`${name}.cache-to=`),
      `${name} keeps its cache-to: writing that cache during the build is what it is for`,
    );
  for (const name of shared) {
    t.ok(cold.bake.set!.includes(`${name}.cache-from=`), `${name} imports no cache it is about to overwrite`);
    t.ok(cold.bake.set!.includes(`${name}.args.BUILDKIT_MULTI_PLATFORM=1`), `${name}: its steps are named with their platform`);
  }
  const calls = buildCalls(cold, 3);
  t.same(
    calls[0]!.targets,
    [early.target, 'backend-linux-amd64', 'backend-linux-arm64'],
    'of several calls, the first has the early cache',
  );
  t.same(calls.flatMap((c) => c.targets).slice(-shared.length), shared, "and the last the platforms' caches, after every image");
  t.equal(
    withCacheTargets(bakeSteps(p, resolved, { push: true, load: true, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' }))
      .cachesExported,
    false,
  );
  const load = bakeSteps(p, resolved, { push: false, load: true, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' });
  t.equal(load.early, undefined, '--load exports per image: no early cache');
  for (const cache of [{ type: 'local', dir: '.cache' }, { type: 'gha' }] as const) {
    const other = loadProject({ workspace: 'examples/workspace', flags: { cache }, cwd: repoRoot }).plan;
    t.equal(other.sharedCache?.early, undefined, `none with ${cache.type} caches (a local dir would hold a second copy)`);
  }
});

t.test('the size of a registry cache index, in either manifest form; unreadable and local caches left out', async (t) => {
  const index = (size: number) => ({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: 'sha256:aa', size: 300_000_000 },
      { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: 'sha256:bb', size },
    ],
  });
  const manifests: Record<string, unknown> = {
    'r.io/x/b:big': index(600_000),
    'r.io/x/b:small': index(24_859),
    'r.io/x/b:image-manifest': {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: 'sha256:cc', size: 900_000 },
      layers: [],
    },
  };
  const raw = async (ref: string) => manifests[ref] as never;
  const found = await cacheIndexSizes(
    [
      { type: 'registry', ref: 'r.io/x/b:big' },
      { type: 'registry', ref: 'r.io/x/b:small' },
      { type: 'registry', ref: 'r.io/x/b:image-manifest' },
      { type: 'registry', ref: 'r.io/x/b:gone' },
      { type: 'local', dir: '.cache/x' },
    ],
    undefined,
    raw,
  );
  t.same(found, [
    { ref: 'r.io/x/b:big', size: 600_000 },
    { ref: 'r.io/x/b:small', size: 24_859 },
    { ref: 'r.io/x/b:image-manifest', size: 900_000 },
  ]);
  t.equal(CACHE_INDEX_LIMIT, 1_048_576, "BuildKit's limit");
});

t.test('no cache-to (cache off, or inline in the image): one call, as before', async (t) => {
  const none = { target: Object.fromEntries(Object.entries(printed.target).map(([k, v]) => [k, { tags: v.tags ?? [] }])) } as BakePrint;
  const steps = bakeSteps(plan, none, { push: false, load: false, noCache: false, set: [], bakeFile: 'b.json', driver: 'docker' });
  t.equal(steps.cacheExport, undefined);
  t.notOk(steps.bake.set!.some((s) => s.includes('cache-to')));
  t.equal(cacheDestination('type=inline'), undefined);
});

t.test('cache destinations as bake prints them', async (t) => {
  t.same(cacheDestination('type=registry,ref=127.0.0.1:5000/a/b:cache-all,mode=max,compression=zstd'), {
    type: 'registry',
    ref: '127.0.0.1:5000/a/b:cache-all',
  });
  t.same(cacheDestination('type=local,dest=.cache/b-linux-amd64,mode=max'), { type: 'local', dir: '.cache/b-linux-amd64' });
  t.same(cacheDestination('type=gha,scope=crossbake-b-all,mode=max'), { type: 'other', entry: 'type=gha,scope=crossbake-b-all,mode=max' });
});

t.test('steps run: cached steps, FROM resolutions and internal steps do not count', async (t) => {
  const v = (digest: string, name: string, cached = false) =>
    JSON.stringify({ vertexes: [{ digest, name, cached, started: '2026-11-26T12:00:00Z', completed: '2026-11-26T12:00:01Z' }] });
  const targets = [{ name: 'backend-linux-amd64', bin: 'backend', platforms: plan.platforms }];
  const nothing = parseProgress(
    [
      v('a', '[backend-linux-amd64 toolchain-base 1/5] FROM docker.io/library/debian:bookworm-slim@sha256:00'),
      v('b', '[backend-linux-amd64 internal] load build context'),
      v('c', '[backend-linux-amd64 build-all 2/2] RUN set -euf', true),
      v('d', '[backend-linux-amd64] exporting to image'),
    ].join('\n'),
    'rawjson',
  );
  t.same(stepsRun(nothing, targets), []);
  const some = parseProgress([v('c', '[backend-linux-amd64 build-all 2/2] RUN set -euf')].join('\n'), 'rawjson');
  t.same(stepsRun(some, targets), ['build-all 2/2']);
  const sameInstant = (digest: string, name: string) =>
    JSON.stringify({ vertexes: [{ digest, name, started: '2026-11-26T12:00:00Z', completed: '2026-11-26T12:00:00Z' }] });
  const merged = parseProgress([sameInstant('e', '[backend-linux-amd64 toolchain 1/1] RUN --mount=type=bind')].join('\n'), 'rawjson');
  t.same(stepsRun(merged, targets), [], "a target's copy of a shared step, completed through another one the instant it started");
  t.same(stepsForCaches(plan, ['deps 3/3', 'skeleton 1/1']), ['deps 3/3'], 'the skeleton planner alone gives the caches nothing new');
  t.same(stepsForCaches(plan, ['skeleton 1/1']), []);
  t.same(
    stepsForCaches(plan, ['build-all 2/2', 'libs-backend 1/1', 'runtime-backend 2/2', 'skeleton 1/1']),
    [],
    "the binaries' own steps give the caches nothing a build of other source reuses",
  );
  t.same(stepsForCaches(plan, ['build-all 2/2', 'runtime-files 1/1']), ['runtime-files 1/1'], 'runtime packages do');
});

t.test('an index is current when it lists exactly the pushed platform images, attestations aside', async (t) => {
  const { indexIsCurrent, platformManifest } = await import('../src/buildx/publish.js');
  const amd = { digest: 'sha256:a1', platform: { architecture: 'amd64', os: 'linux' } };
  const arm = { digest: 'sha256:b1', platform: { architecture: 'arm', os: 'linux', variant: 'v7' } };
  const att = (d: string) => ({
    digest: `sha256:att-${d}`,
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d },
  });
  const registry = new Map<string, unknown>([
    ['r/x:v1-linux-amd64', { manifests: [amd, att(amd.digest)] }],
    ['r/x:v1-linux-arm-v7', { manifests: [arm, att(arm.digest)] }],
    ['r/x@sha256:c1', { layers: [] }],
    ['r/x:v1', { manifests: [amd, arm, att('sha256:old-a'), att('sha256:old-b')] }],
    ['r/x:stale', { manifests: [amd, { ...arm, digest: 'sha256:b0' }] }],
    ['r/x:extra', { manifests: [amd, arm, { digest: 'sha256:d1', platform: { architecture: 'arm64', os: 'linux' } }] }],
  ]);
  const raw = async (ref: string) => registry.get(ref) as never;
  const wanted = [
    await platformManifest(raw, 'r/x:v1-linux-amd64', { arch: 'amd64', variant: '' }),
    await platformManifest(raw, 'r/x:v1-linux-arm-v7', { arch: 'arm', variant: 'v7' }),
  ];
  t.same(wanted, ['sha256:a1', 'sha256:b1']);
  t.equal(await platformManifest(raw, 'r/x@sha256:c1', { arch: 'amd64', variant: '' }), 'sha256:c1', 'pushed by digest: itself');
  t.equal(await indexIsCurrent(raw, 'r/x:v1', wanted), true, 'new provenance alone is no reason to merge');
  t.equal(await indexIsCurrent(raw, 'r/x:stale', wanted), false);
  t.equal(await indexIsCurrent(raw, 'r/x:extra', wanted), false, 'a platform no longer built');
  t.equal(await indexIsCurrent(raw, 'r/x:absent', wanted), false);
  t.equal(await indexIsCurrent(raw, 'r/x:v1', [wanted[0], undefined]), false, 'an unknown digest is never current');
});

t.test('a platform shared cache missing: one note per image of that platform, whichever target BuildKit reported it under', async (t) => {
  const two = loadProject({ workspace: 'examples/workspace', flags: { platforms: ['linux/amd64'] }, cwd: repoRoot }).plan;
  const steps = bakeSteps(two, { target: {} }, { push: false, load: false, noCache: false, set: [], bakeFile: 'x', driver: 'docker' });
  const vertex = {
    digest: 'sha256:1',
    name: '[frontend-linux-amd64] importing cache manifest from 127.0.0.1:5000/crossbake/backend:cache-shared-linux-amd64',
    started: '2026-11-27T06:00:00Z',
    completed: '2026-11-27T06:00:01Z',
    error: 'failed to configure registry cache importer: 127.0.0.1:5000/crossbake/backend:cache-shared-linux-amd64: not found',
  };
  const log = parseProgress(`${JSON.stringify({ vertexes: [vertex] })}\n`, 'rawjson');
  const view = buildView(log, viewPlan(two, steps.runTargets), Date.parse('2026-11-27T06:00:02Z'), { exitCode: 0 });
  t.same([...view.notes].sort(), [
    'no cache yet for backend linux/amd64: first build',
    'no cache yet for frontend linux/amd64: first build',
  ]);
});
