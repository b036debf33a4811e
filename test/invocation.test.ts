import t from 'tap';
import { bakeArgs } from '../src/buildx/args.js';
import {
  assertSetsReach,
  bakeSteps,
  buildArgsSet,
  buildCalls,
  mergeArgs,
  mergeSources,
  printTargets,
  publishFor,
} from '../src/buildx/invocation.js';
import type { BakePrint } from '../src/buildx/preflight.js';
import { emptyLog } from '../src/buildx/progress.js';
import { exportedImages, results } from '../src/buildx/publish.js';
import { mergeOutcomes } from '../src/buildx/run.js';
import { loadProject } from '../src/commands/project.js';
import type { CrossbakeError } from '../src/errors.js';
import { repoRoot } from './helpers/paths.js';

const plan = loadProject({ workspace: 'examples/workspace', flags: { platforms: ['linux/amd64', 'linux/arm64'] }, cwd: repoRoot }).plan;

/** What `docker buildx bake --print` answers for the example with REGISTRY=r.io/x TAG=v1. */
const printed: BakePrint = {
  target: Object.fromEntries(
    plan.selected.flatMap((i) => [
      [i.target, { tags: [`r.io/x/${i.image}:v1`] }],
      ...i.platforms.map((p) => [p.target, { tags: [`r.io/x/${i.image}:v1${p.tagSuffix}`] }]),
    ]),
  ),
} as BakePrint;

const request = { push: true, load: false, noCache: false, set: ['*.args.X=1'], bakeFile: 'docker-bake.json' };

t.test('print resolves the per-platform targets and the multi-platform ones', async (t) => {
  t.same(printTargets(plan, false), [
    'backend-linux-amd64',
    'backend-linux-arm64',
    'frontend-linux-amd64',
    'frontend-linux-arm64',
    '_crossbake-cache-linux-amd64',
    '_crossbake-cache-linux-arm64',
    '_crossbake-cache-toolchain',
    'backend',
    'frontend',
  ]);
  t.same(printTargets(plan, true), ['backend', 'frontend']);
});

t.test('--push with the docker driver: load each platform image, push by tag, merge the tags', async (t) => {
  const steps = bakeSteps(plan, printed, { ...request, driver: 'docker' });
  t.same(bakeArgs(steps.bake), [
    'buildx',
    'bake',
    '--file',
    'docker-bake.json',
    '--set',
    '*.args.CROSSBAKE_BINS=backend frontend',
    '--set',
    '*.args.CROSSBAKE_PLATFORMS=linux/amd64,linux/arm64',
    '--set',
    '*.args.X=1',
    '--set',
    'backend-linux-amd64.output=type=docker,compression=gzip,force-compression=true',
    '--set',
    'backend-linux-arm64.output=type=docker,compression=gzip,force-compression=true',
    '--set',
    'frontend-linux-amd64.output=type=docker,compression=gzip,force-compression=true',
    '--set',
    'frontend-linux-arm64.output=type=docker,compression=gzip,force-compression=true',
    'backend-linux-amd64',
    'backend-linux-arm64',
    'frontend-linux-amd64',
    'frontend-linux-arm64',
  ]);
  t.same(steps.pushes, [
    ['push', '--quiet', 'r.io/x/backend:v1-linux-amd64'],
    ['push', '--quiet', 'r.io/x/backend:v1-linux-arm64'],
    ['push', '--quiet', 'r.io/x/frontend:v1-linux-amd64'],
    ['push', '--quiet', 'r.io/x/frontend:v1-linux-arm64'],
  ]);
  const backend = steps.images[0]!;
  t.same(
    mergeArgs(
      backend,
      mergeSources(backend, 'docker', () => undefined),
    ),
    ['buildx', 'imagetools', 'create', '--tag', 'r.io/x/backend:v1', 'r.io/x/backend:v1-linux-amd64', 'r.io/x/backend:v1-linux-arm64'],
  );
});

t.test(
  '--push on a multi-platform image store: one target per image for all its platforms, stored under its tags, pushed by tag, no merge',
  async (t) => {
    const steps = bakeSteps(plan, printed, { ...request, driver: 'docker', multiPlatformStore: true });
    t.equal(steps.publish, 'images');
    t.same(steps.bake.targets, ['backend', 'frontend']);
    t.same(
      steps.runTargets.map((r) => [r.name, r.platforms.map((p) => p.docker), r.ref]),
      [
        ['backend', ['linux/amd64', 'linux/arm64'], 'r.io/x/backend:v1'],
        ['frontend', ['linux/amd64', 'linux/arm64'], 'r.io/x/frontend:v1'],
      ],
    );
    t.same(
      steps.bake.set?.filter((s) => s.includes('.output=')),
      [
        'backend.output=type=image,compression=gzip,force-compression=true',
        'frontend.output=type=image,compression=gzip,force-compression=true',
      ],
      'into the store under the tags bake resolved; nothing pushed by the build itself',
    );
    t.same(steps.pushes, [
      ['push', '--quiet', 'r.io/x/backend:v1'],
      ['push', '--quiet', 'r.io/x/frontend:v1'],
    ]);
  },
);

t.test(
  'an image left out (unchanged since its push): no target, output or push of its; build-all still compiles every selected binary',
  async (t) => {
    for (const multiPlatformStore of [true, false]) {
      const steps = bakeSteps(plan, printed, { ...request, driver: 'docker', multiPlatformStore, skip: new Set(['frontend']) });
      t.same(
        steps.bake.targets,
        multiPlatformStore ? ['backend'] : ['backend-linux-amd64', 'backend-linux-arm64'],
        `${multiPlatformStore ? 'containerd' : 'classic'} store: backend's targets alone`,
      );
      t.same(
        steps.images.map((i) => i.bin),
        ['backend'],
      );
      t.notOk(
        steps.bake.set?.some((s) => s.startsWith('frontend')),
        'no output or cache override for frontend',
      );
      t.notOk(
        steps.pushes.some((p) => p.some((a) => a.includes('frontend'))),
        'no push of frontend',
      );
      t.ok(steps.bake.set?.includes('*.args.CROSSBAKE_BINS=backend frontend'), 'build-all is the step a build of both runs');
    }
  },
);

t.test("an image's multi-platform target: each platform's row gets its digest and size from the pushed index", async (t) => {
  const steps = bakeSteps(plan, printed, { ...request, driver: 'docker', multiPlatformStore: true });
  const slots = steps.runTargets.flatMap((target) =>
    target.platforms.map((platform) => ({ target, platform, outcome: 'built' as const, steps: 3, cached: 2 })),
  );
  const pushed = {
    platforms: new Map(
      steps.images.flatMap((i) =>
        i.platforms.map((p, n) => [p.target, { digest: `sha256:${i.bin}-${p.target}`, size: 1000 + n }] as const),
      ),
    ),
    indexes: new Map([
      ['backend', 'sha256:b'],
      ['frontend', 'sha256:f'],
    ]),
    tags: new Map<string, string>(),
  };
  const { rows, images } = await results(
    steps,
    slots,
    { exitCode: 0, metadata: {}, log: emptyLog(), started: 0 },
    {
      pushed,
      load: false,
      storeSizes: false,
      multiPlatform: true,
    },
  );
  t.same(
    rows.map((r) => [r.target, r.platform, r.digest, r.size]),
    [
      ['backend', 'linux/amd64', 'sha256:backend-backend-linux-amd64', 1000],
      ['backend', 'linux/arm64', 'sha256:backend-backend-linux-arm64', 1001],
      ['frontend', 'linux/amd64', 'sha256:frontend-frontend-linux-amd64', 1000],
      ['frontend', 'linux/arm64', 'sha256:frontend-frontend-linux-arm64', 1001],
    ],
  );
  t.same(
    images.map((i) => [i.image, i.digest]),
    [
      ['backend', 'sha256:b'],
      ['frontend', 'sha256:f'],
    ],
  );
});

t.test('how --push publishes follows the driver and the image store', async (t) => {
  t.equal(publishFor({ push: true, driver: 'docker', multiPlatformStore: true }), 'images');
  t.equal(publishFor({ push: true, driver: 'docker', multiPlatformStore: false }), 'platform-tags');
  t.equal(publishFor({ push: true, driver: 'docker' }), 'platform-tags');
  t.equal(publishFor({ push: true, driver: 'docker-container', multiPlatformStore: true }), 'by-digest');
  t.equal(publishFor({ push: false, driver: 'docker', multiPlatformStore: true }), undefined);
});

t.test('the build args name the selected binaries and platforms: cargo compiles those and no others', async (t) => {
  const one = loadProject({
    workspace: 'examples/workspace',
    flags: { platforms: ['linux/amd64'], bins: ['frontend'] },
    cwd: repoRoot,
  }).plan;
  const steps = bakeSteps(one, printed, { ...request, push: false, driver: 'docker' });
  t.same(
    steps.bake.set,
    ['*.args.CROSSBAKE_BINS=frontend', '*.args.CROSSBAKE_PLATFORMS=linux/amd64', '*.args.X=1'],
    "first, so the user's --set can still override them",
  );
  t.same(
    buildArgsSet(plan),
    ['*.args.CROSSBAKE_BINS=backend frontend', '*.args.CROSSBAKE_PLATFORMS=linux/amd64,linux/arm64'],
    'every selected binary and platform, in the plan order, one value for all targets (deps stays one step)',
  );
  t.same(bakeSteps(plan, printed, { ...request, set: [], driver: 'docker', push: false, load: true }).bake.set, buildArgsSet(plan));
});

t.test('--push with a driver that pushes by digest: no docker push, the index from the reported digests', async (t) => {
  const steps = bakeSteps(plan, printed, { ...request, driver: 'docker-container', builder: 'b' });
  t.same(steps.pushes, []);
  t.ok(
    steps.bake.set!.includes(
      'backend-linux-arm64.output=type=image,name=r.io/x/backend,push-by-digest=true,name-canonical=true,push=true,compression=gzip,force-compression=true',
    ),
  );
  t.same(bakeArgs(steps.bake).slice(0, 4), ['buildx', 'bake', '--builder', 'b']);
  const backend = steps.images[0]!;
  t.same(
    mergeSources(backend, 'docker-container', (target) => `sha256:${target}`),
    ['r.io/x/backend@sha256:backend-linux-amd64', 'r.io/x/backend@sha256:backend-linux-arm64'],
  );
  const error = t.throws(() => mergeSources(backend, 'docker-container', () => undefined)) as CrossbakeError;
  t.equal(error.exitCode, 4);
  t.match(error.message, /no pushed digest for backend-linux-amd64; nothing was tagged for backend/);
});

t.test('--load: one multi-platform target per image, nothing pushed', async (t) => {
  const steps = bakeSteps(plan, printed, { ...request, push: false, load: true, driver: 'docker' });
  t.same(steps.bake.targets, ['backend', 'frontend']);
  t.same(
    steps.runTargets.map((r) => [r.name, r.platforms.map((p) => p.docker), r.ref]),
    [
      ['backend', ['linux/amd64', 'linux/arm64'], 'r.io/x/backend:v1'],
      ['frontend', ['linux/amd64', 'linux/arm64'], 'r.io/x/frontend:v1'],
    ],
  );
  t.same(steps.pushes, []);
  t.ok(bakeArgs(steps.bake).includes('--load'));
  t.same(
    steps.runTargets.map((r) => r.crates),
    plan.selected.map((i) => i.crates),
    "each run target carries its image's crate count from the Plan, for the report",
  );
});

t.test('--push without a registry in the tags stops before anything runs', async (t) => {
  const bare = { target: { ...printed.target, 'backend-linux-amd64': { tags: ['backend:v1-linux-amd64'] } } } as BakePrint;
  const error = t.throws(() => bakeSteps(plan, bare, { ...request, driver: 'docker' })) as CrossbakeError;
  t.equal(error.exitCode, 2);
  t.match(error.message, /--push needs a registry in the image tags, but backend-linux-amd64 is tagged "backend:v1-linux-amd64"/);
  // the image's own tags too: the multi-platform store pushes them, the other paths merge into them
  const own = { target: { ...printed.target, frontend: { tags: ['frontend:v1'] } } } as BakePrint;
  const images = t.throws(() => bakeSteps(plan, own, { ...request, driver: 'docker', multiPlatformStore: true })) as CrossbakeError;
  t.match(images.message, /but frontend is tagged "frontend:v1"/);
  const none = { target: { ...printed.target, frontend: { tags: [] } } } as BakePrint;
  const untagged = t.throws(() => bakeSteps(plan, none, { ...request, driver: 'docker', multiPlatformStore: true })) as CrossbakeError;
  t.equal(untagged.exitCode, 2);
  t.match(untagged.message, /--push needs tags, but bake resolved none for frontend/);
});

t.test('a build of many targets runs in calls of whole images, each with its own targets’ settings', async (t) => {
  const runTargets = ['a', 'b', 'c', 'd'].flatMap((bin) =>
    ['amd64', 'arm64', 'arm-v7'].map((arch) => ({ name: `${bin}-linux-${arch}`, bin, platforms: [], crates: 0 })),
  );
  const bake = {
    files: ['docker-bake.json'],
    targets: runTargets.map((r) => r.name),
    set: [
      '*.args.CROSSBAKE_BINS=a b c d',
      ...runTargets.map((r) => `${r.name}.output=type=docker,compression=gzip,force-compression=true`),
    ],
  };
  t.same(buildCalls({ bake: { ...bake, targets: bake.targets.slice(0, 9) }, runTargets }, 9).length, 1, 'nine targets: one call');
  const calls = buildCalls({ bake, runTargets }, 9);
  t.same(
    calls.map((c) => c.targets),
    [runTargets.slice(0, 9).map((r) => r.name), runTargets.slice(9).map((r) => r.name)],
    'twelve: three images, then the fourth',
  );
  t.same(calls[1]!.set, [
    '*.args.CROSSBAKE_BINS=a b c d',
    'd-linux-amd64.output=type=docker,compression=gzip,force-compression=true',
    'd-linux-arm64.output=type=docker,compression=gzip,force-compression=true',
    'd-linux-arm-v7.output=type=docker,compression=gzip,force-compression=true',
  ]);
  t.same(
    buildCalls({ bake, runTargets }, 2).map((c) => c.targets.length),
    [3, 3, 3, 3],
    'an image larger than the bound is a call of its own',
  );
});

t.test('outcomes of several calls read as one build', async (t) => {
  const log = (ids: string[]) => {
    const l = emptyLog();
    for (const [seq, id] of ids.entries())
      l.vertices.set(id, { id, names: [id], cached: false, canceled: false, logs: [], partial: '', counts: {}, seq });
    return l;
  };
  const merged = mergeOutcomes([
    { exitCode: 0, metadata: { a: { d: 1 } }, log: log(['#1', '#2']), started: 5 },
    { exitCode: 1, metadata: { b: { d: 2 } }, log: log(['#1']), started: 9 },
  ]);
  t.equal(merged.exitCode, 1);
  t.same(merged.metadata, { a: { d: 1 }, b: { d: 2 } });
  t.same([...merged.log.vertices.keys()], ['0:#1', '0:#2', '1:#1'], 'plain progress numbers each call from #1: kept apart');
  t.same(
    [...merged.log.vertices.values()].map((v) => v.seq),
    [0, 1, 2],
  );
  t.equal(merged.started, 5);
});

t.test('targets that build no image (the shared caches) are calls of one target each when there are many', async (t) => {
  const names = Array.from({ length: 10 }, (_, i) => `_crossbake-cache-${i}`);
  const calls = buildCalls({ bake: { files: ['f'], targets: names, set: [] }, runTargets: [] }, 9);
  t.same(
    calls.map((c) => c.targets.length),
    [9, 1],
  );
});

t.test('the images in the store while a call runs: each target whose export finished, none once a step failed', async (t) => {
  const log = (vertices: { names: string[]; completed?: number; error?: string; canceled?: boolean }[]) => {
    const l = emptyLog();
    for (const [seq, v] of vertices.entries())
      l.vertices.set(`#${seq}`, { id: `#${seq}`, cached: false, canceled: false, logs: [], partial: '', counts: {}, seq, ...v });
    return l;
  };
  const two = ['backend', 'frontend'];
  const building = [
    { names: ['[backend linux/amd64 build-all 2/2] RUN cargo build'], completed: 5 },
    { names: ['[frontend] importing cache manifest from r/frontend:cache-all'], completed: 1, error: 'not found' },
  ];
  t.same(exportedImages(log(building), two), [], 'nothing exported yet; a cache import that finds nothing fails nothing');
  t.same(exportedImages(log([...building, { names: ['[backend] exporting to image'] }]), two), [], 'an export still running');
  t.same(exportedImages(log([...building, { names: ['[backend] exporting to image'], completed: 7 }]), two), ['backend']);
  t.same(
    exportedImages(log([{ names: ['exporting to image'], completed: 7 }]), ['backend']),
    ['backend'],
    'one target per call: no prefix',
  );
  t.equal(
    exportedImages(
      log([
        { names: ['[backend] exporting to image'], completed: 7 },
        { names: ['[frontend linux/arm64 build-all 2/2] RUN cargo build'], completed: 6, error: 'exit code: 101' },
      ]),
      two,
    ),
    undefined,
    'a failed step: no image is pushed early',
  );
  t.equal(exportedImages(log([{ names: ['[frontend linux/amd64 build-all 2/2] RUN x'], canceled: true }]), two), undefined);
});

t.test(
  'a --set entry on an image reaches its platform targets; one that reaches no target the build runs is an input error, not dropped in silence',
  async (t) => {
    const images = { ...request, driver: 'docker', multiPlatformStore: true };
    const perPlatform = { ...request, driver: 'docker', multiPlatformStore: false };
    const error = (r: typeof request & { driver: string }, set: string[]) => {
      try {
        const req = { ...r, set };
        assertSetsReach(plan, bakeSteps(plan, printed, req), req);
      } catch (e) {
        return e as CrossbakeError;
      }
      return undefined;
    };
    const onPlatform = error(images, ['backend-linux-arm64.args.SECRET=hunter2']);
    t.equal(onPlatform?.kind, 'input');
    t.match(
      onPlatform?.message,
      /^--set backend-linux-arm64\.args\.SECRET=… names backend-linux-arm64, which this build does not run: with --push on the docker driver with the containerd image store, bake builds each image for all its platforms in one target\. Set it on backend\.args\.SECRET for all platforms/,
    );
    t.notMatch(onPlatform?.message, /hunter2/, 'the value is not echoed');
    t.match(
      error({ ...request, push: false, load: true, driver: 'docker' }, ['backend-linux-*.labels.x=1'])?.message,
      /with --load, bake builds/,
    );
    t.match(
      error(images, ['*-linux-amd64.tags=r.io/y:v3'])?.message,
      /names backend-linux-amd64, frontend-linux-amd64, which this build does not run/,
      'per-platform tags are not pushed from the containerd store',
    );
    const onImage = error(perPlatform, ['backend.cache-to=type=registry,ref=r.io/x/c']);
    t.match(
      onImage?.message,
      /^--set backend\.cache-to=… names backend, which this build does not run: it builds each platform as a target of its own, which does not inherit its image's\. Set it on backend-linux-amd64\.cache-to, backend-linux-arm64\.cache-to\.$/,
    );
    const expanded = bakeSteps(plan, printed, { ...perPlatform, set: ['backend.args.X=1', 'backend.no-cache=true'] }).bake.set ?? [];
    t.same(
      expanded.filter((e) => /\.(args\.X|no-cache)=/.test(e) && !e.startsWith('*')),
      [
        'backend-linux-amd64.args.X=1',
        'backend-linux-arm64.args.X=1',
        'backend-linux-amd64.no-cache=true',
        'backend-linux-arm64.no-cache=true',
      ],
      "an image's build arg or no-cache reaches each of its platform targets",
    );
    for (const [r, set] of [
      [images, ['*.args.X=1', 'backend.args.X=1', 'backend.tags=r.io/y/backend:v2', 'unknown.args.X=1']],
      [
        perPlatform,
        ['backend-linux-amd64.args.X=1', 'backend-*.args.X=1', 'backend.tags=r.io/y/backend:v2', 'backend-linux-amd64.tags=r.io/y:v3'],
      ],
    ] as const)
      t.equal(error(r, [...set]), undefined, `${r.multiPlatformStore ? 'images' : 'per platform'}: ${set.join(' ')} reach a target`);
  },
);
