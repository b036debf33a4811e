import t from 'tap';
import { loadProject } from '../src/commands/project.js';
import { BUILD_ALL, type CacheEntry, MINIMAL_ROOT, type Plan, RUNTIME_ROOTS, SHARED_STAGES } from '../src/plan.js';
import { repoRoot } from './helpers/paths.js';

const plan = (workspace: string, flags: Record<string, unknown> = {}): Plan => loadProject({ workspace, flags, cwd: repoRoot }).plan;

const entry = (e: CacheEntry) =>
  e.type === 'registry'
    ? `registry ${e.image}:${e.tag ?? 'TAG'}`
    : e.type === 'local'
      ? `local ${e.dir}`
      : e.type === 'gha'
        ? `gha ${e.scope}`
        : 'inline';

/** One row per image and platform: every name the renderers, the runner and the report take from the Plan. */
function rows(p: Plan) {
  return p.selected.flatMap((i) =>
    i.platforms.map((pb) => ({
      bin: i.bin,
      image: i.image,
      multiTarget: i.target,
      group: i.group,
      stages: `${i.stages.libs} ${i.stages.runtime}`,
      target: pb.target,
      platform: pb.platform.docker,
      tagSuffix: pb.tagSuffix,
      cacheFrom: pb.cache?.from.map(entry) ?? [],
      cacheTo: pb.cache?.to.map(entry) ?? [],
      ciCacheTo: pb.ciCache?.to.map(entry) ?? [],
      ciRepository: i.ciRepository,
    })),
  );
}

t.test('the example: targets, stages, tags and caches per image and platform', async (t) => {
  const p = plan('examples/workspace');
  t.same(
    rows(p).map((r) => [
      r.target,
      r.platform,
      r.stages,
      r.tagSuffix,
      r.cacheFrom.join(' | '),
      r.cacheTo.join(' | '),
      r.ciCacheTo.join(' | '),
    ]),
    [
      [
        'backend-linux-amd64',
        'linux/amd64',
        'libs-backend runtime-backend',
        '-linux-amd64',
        'registry backend:cache-shared-linux-amd64 | registry backend:cache-linux-amd64 | registry backend:cache-all',
        'registry backend:cache-linux-amd64',
        'gha crossbake-backend-linux-amd64',
      ],
      [
        'backend-linux-arm64',
        'linux/arm64',
        'libs-backend runtime-backend',
        '-linux-arm64',
        'registry backend:cache-shared-linux-arm64 | registry backend:cache-linux-arm64 | registry backend:cache-all',
        'registry backend:cache-linux-arm64',
        'gha crossbake-backend-linux-arm64',
      ],
      [
        'backend-linux-arm-v7',
        'linux/arm/v7',
        'libs-backend runtime-backend',
        '-linux-arm-v7',
        'registry backend:cache-shared-linux-arm-v7 | registry backend:cache-linux-arm-v7 | registry backend:cache-all',
        'registry backend:cache-linux-arm-v7',
        'gha crossbake-backend-linux-arm-v7',
      ],
      [
        'frontend-linux-amd64',
        'linux/amd64',
        'libs-frontend runtime-frontend',
        '-linux-amd64',
        'registry backend:cache-shared-linux-amd64 | registry frontend:cache-linux-amd64 | registry frontend:cache-all',
        'registry frontend:cache-linux-amd64',
        'gha crossbake-frontend-linux-amd64',
      ],
      [
        'frontend-linux-arm64',
        'linux/arm64',
        'libs-frontend runtime-frontend',
        '-linux-arm64',
        'registry backend:cache-shared-linux-arm64 | registry frontend:cache-linux-arm64 | registry frontend:cache-all',
        'registry frontend:cache-linux-arm64',
        'gha crossbake-frontend-linux-arm64',
      ],
      [
        'frontend-linux-arm-v7',
        'linux/arm/v7',
        'libs-frontend runtime-frontend',
        '-linux-arm-v7',
        'registry backend:cache-shared-linux-arm-v7 | registry frontend:cache-linux-arm-v7 | registry frontend:cache-all',
        'registry frontend:cache-linux-arm-v7',
        'gha crossbake-frontend-linux-arm-v7',
      ],
    ],
  );
  const backend = p.selected[0]!;
  t.same(
    [backend.target, backend.group, backend.labels],
    ['backend', 'backend-platforms', { title: 'backend', description: 'backend from Rust package backend' }],
  );
  // the multi-platform target reads every platform's shared cache first, as each per-platform target reads its own
  t.same(backend.cache?.from.map(entry), [
    'registry backend:cache-shared-linux-amd64',
    'registry backend:cache-shared-linux-arm64',
    'registry backend:cache-shared-linux-arm-v7',
    'registry backend:cache-linux-amd64',
    'registry backend:cache-linux-arm64',
    'registry backend:cache-linux-arm-v7',
    'registry backend:cache-all',
  ]);
  t.same(backend.cache?.to.map(entry), ['registry backend:cache-all']);
  t.equal(backend.ciRepository, 'ghcr.io/${{ github.repository_owner }}/backend', 'the local registry is not for CI: GHCR by default');
  t.same(p.baseImages, { runtime: 'debian:bookworm-slim', debian: 'debian:bookworm-slim' });
  t.same(p.cache, { type: 'registry', mode: 'max', compression: 'zstd', dir: '.crossbake/cache' });
});

t.test('cache backends: local directories and gha scopes per binary and platform; none and inline', async (t) => {
  const local = rows(plan('examples/workspace', { cache: { type: 'local', dir: 'cache' }, platforms: ['linux/arm64'] }));
  t.same(
    local.map((r) => [r.cacheFrom, r.cacheTo]),
    [
      [
        ['local cache/crossbake.shared-linux-arm64', 'local cache/backend-linux-arm64', 'local cache/backend-all'],
        ['local cache/backend-linux-arm64'],
      ],
      [
        ['local cache/crossbake.shared-linux-arm64', 'local cache/frontend-linux-arm64', 'local cache/frontend-all'],
        ['local cache/frontend-linux-arm64'],
      ],
    ],
  );
  const gha = rows(plan('examples/workspace', { cache: { type: 'gha' }, bins: ['frontend'], platforms: ['linux/amd64'] }));
  t.same(
    gha.map((r) => [r.cacheFrom, r.cacheTo]),
    [
      [
        ['gha crossbake.shared-linux-amd64', 'gha crossbake-frontend-linux-amd64', 'gha crossbake-frontend-all'],
        ['gha crossbake-frontend-linux-amd64'],
      ],
    ],
  );
  const none = plan('examples/workspace', { cache: { type: 'none' } });
  t.same(
    [none.selected[0]!.cache, none.selected[0]!.ciCache, none.selected[0]!.platforms[0]!.cache],
    [undefined, undefined, undefined],
    'caching off everywhere, the workflow too',
  );
  const inline = plan('examples/workspace', { cache: { type: 'inline' } }).selected[0]!.platforms[0]!.cache!;
  t.same([inline.from.map(entry), inline.to.map(entry)], [['registry backend:TAG'], ['inline']]);
});

t.test('a fixture with seven binaries: one target, group and stage pair each, names as cargo spells them', async (t) => {
  const p = plan('test/fixtures/workspaces/bins', { registry: 'ghcr.io/acme' });
  t.same(
    p.selected.map((i) => [i.bin, i.target, i.group, i.stages.libs, i.stages.runtime, i.ciRepository]),
    ['auto-dir', 'auto-file', 'explicit-path', 'gated', 'multi', 'named-dir', 'named-file'].map((b) => [
      b,
      b,
      `${b}-platforms`,
      `libs-${b}`,
      `runtime-${b}`,
      `ghcr.io/acme/${b}`,
    ]),
  );
  const targets = p.selected.flatMap((i) => i.platforms.map((pb) => pb.target));
  t.equal(new Set(targets).size, targets.length, 'every per-platform target is distinct');
});

t.test('build-all: one stage per platform for every binary, its stage name kept from binaries and shared per platform', async (t) => {
  t.equal(BUILD_ALL.stage, 'build-all');
  t.equal(SHARED_STAGES[BUILD_ALL.stage], 'platform', 'attribution widens a failure in it to every binary of the platform');
  const p = plan('test/fixtures/workspaces/bins', {});
  t.notOk(
    p.images.some((i) => i.stages.libs === BUILD_ALL.stage || i.stages.runtime === BUILD_ALL.stage),
    'no binary stage is build-all',
  );
});

t.test('platform rows are the table rows, in table order, whatever order the settings give', async (t) => {
  const p = plan('examples/workspace', { platforms: ['linux/arm/v7', 'amd64'] });
  t.same(
    p.platforms.map((x) => x.docker),
    ['linux/amd64', 'linux/arm/v7'],
  );
  t.equal(p.selected[0]!.platforms[1]!.platform, p.platforms[1], 'the same row object, not a copy or a string');
});

t.test('runtime: slim images start from runtime-base; minimal ones from scratch on the minimal root, per binary', async (t) => {
  const slim = plan('examples/workspace');
  t.same(
    slim.images.map((i) => [i.bin, i.runtime, i.root]),
    [
      ['backend', 'slim', RUNTIME_ROOTS.slim],
      ['frontend', 'slim', RUNTIME_ROOTS.slim],
    ],
  );
  t.equal(slim.minimal, undefined, 'no minimal root without a minimal image');
  const minimal = plan('examples/workspace', { runtime: 'minimal' });
  t.same(
    minimal.images.map((i) => [i.root.from, i.root.files, i.root.dpkg]),
    [
      ['scratch', MINIMAL_ROOT, { stage: MINIMAL_ROOT, path: '/rootfs/var/lib/dpkg', mount: '/crossbake/base-dpkg/minimal' }],
      ['scratch', MINIMAL_ROOT, { stage: MINIMAL_ROOT, path: '/rootfs/var/lib/dpkg', mount: '/crossbake/base-dpkg/minimal' }],
    ],
  );
  t.same(minimal.minimal, {
    stage: MINIMAL_ROOT,
    packages: ['libc6', 'libgcc-s1', 'tini'],
    drop: ['/usr/bin/tini-static'],
    user: { name: 'app', uid: 10001 },
  });
  t.equal(SHARED_STAGES[MINIMAL_ROOT], 'platform', 'one root per target platform, shared by every minimal image');
  t.same(
    minimal.images.map((i) => Object.values(i.stages).filter((s) => Object.hasOwn(SHARED_STAGES, s))),
    [[], []],
    "no image's own stage is a shared one",
  );
});
