// The argv crossbake gives docker: pure builders, gated on the detected buildx version the way
// docker/bake-action gates its arguments. No docker is run here.
import t from 'tap';
import {
  bakeArgs,
  imagetoolsCreateArgs,
  imagetoolsInspectRawArgs,
  inspectBuilderArgs,
  probeArgs,
  progressPlan,
  pushArgs,
  shellQuote,
} from '../src/buildx/args.js';
import { BUILDX_FEATURES, MINIMUM_BUILDX, missingRequired, parseBuildxVersion, supports } from '../src/buildx/version.js';
import type { CrossbakeError } from '../src/errors.js';

const v = (s: string) => parseBuildxVersion(s)!;

t.test('buildx versions as `docker buildx version` prints them', async (t) => {
  t.same(v('github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3'), { major: 0, minor: 13, patch: 1 });
  t.same(v('github.com/docker/buildx v0.19.3 48d6a39'), { major: 0, minor: 19, patch: 3 });
  t.equal(parseBuildxVersion('docker: unknown command: docker buildx'), undefined);
});

t.test('the feature table: required features set the minimum, the others are gated', async (t) => {
  t.equal(MINIMUM_BUILDX, '0.8.0');
  t.same(missingRequired(v('0.7.1')), ['bake', 'bakeStdin', 'setOverrides']);
  t.same(missingRequired(v('0.13.1')), []);
  t.ok(supports(v('0.13.1'), 'rawjsonProgress'));
  t.notOk(supports(v('0.11.2'), 'rawjsonProgress'));
  for (const [name, f] of Object.entries(BUILDX_FEATURES)) t.match(f.since, /^\d+\.\d+\.\d+$/, name);
});

t.test('bake argv: files, targets, overrides and flags in buildx order', async (t) => {
  const args = bakeArgs(
    {
      files: ['docker-bake.json'],
      targets: ['backend-linux-amd64', 'backend-linux-arm-v7'],
      builder: 'ci',
      progress: 'rawjson',
      metadataFile: '/tmp/m.json',
      noCache: true,
      set: ['backend-linux-amd64.output=type=docker'],
    },
    v('0.13.1'),
  );
  t.same(args, [
    'buildx',
    'bake',
    '--builder',
    'ci',
    '--file',
    'docker-bake.json',
    '--progress',
    'rawjson',
    '--metadata-file',
    '/tmp/m.json',
    '--no-cache',
    '--set',
    'backend-linux-amd64.output=type=docker',
    'backend-linux-amd64',
    'backend-linux-arm-v7',
  ]);
  t.same(
    bakeArgs({ files: ['-'], targets: ['backend'], print: true, progress: 'plain', metadataFile: '/x' }, v('0.13.1')),
    ['buildx', 'bake', '--file', '-', '--print', 'backend'],
    '--print takes no progress or metadata file',
  );
  t.same(bakeArgs({ files: ['f'], targets: [], load: true, push: false }), ['buildx', 'bake', '--file', 'f', '--load']);
  t.same(
    bakeArgs({ files: ['f'], targets: [], progress: 'quiet' }),
    ['buildx', 'bake', '--file', 'f', '--progress', 'plain'],
    "quiet is crossbake's, buildx < 0.16 does not know it",
  );
});

t.test('a flag newer than the buildx here is refused with the version it needs', async (t) => {
  const error = t.throws(() => bakeArgs({ files: ['f'], targets: [], progress: 'rawjson' }, v('0.11.2'))) as CrossbakeError;
  t.equal(error.exitCode, 3);
  t.equal(
    error.message,
    '--progress rawjson needs docker buildx 0.12.0 or newer; this machine has 0.11.2. Update the docker-buildx plugin, or leave that option out.',
  );
  t.throws(
    () => bakeArgs({ files: ['-'], targets: [], print: true }, v('0.7.0')),
    /reading a bake definition from stdin \(`--file -`\) needs docker buildx 0.8.0 or newer; this machine has 0.7.0/,
  );
  t.doesNotThrow(() => bakeArgs({ files: ['f'], targets: [], progress: 'rawjson' }), 'no version known: no gate');
});

t.test('progress: passed through, or read as rawjson and drawn live on a terminal', async (t) => {
  const now = v('0.13.1');
  const old = v('0.10.5');
  t.same(progressPlan('auto', now, true), { buildx: 'rawjson', show: 'live' });
  t.same(progressPlan('auto', now, false), { buildx: 'plain', show: 'passthrough' }, 'CI: plain lines');
  t.same(progressPlan('plain', now, true), { buildx: 'plain', show: 'passthrough' });
  t.same(progressPlan('rawjson', now, false), { buildx: 'rawjson', show: 'passthrough' });
  t.same(progressPlan('tty', now, false), { buildx: 'rawjson', show: 'live' });
  t.same(progressPlan('quiet', now, false), { buildx: 'rawjson', show: 'none' });
  t.same(progressPlan('auto', old, true), { buildx: 'plain', show: 'passthrough' }, 'before rawjson: plain, still parsed');
  t.same(progressPlan('quiet', old, true), { buildx: 'plain', show: 'none' });
  t.throws(() => progressPlan('rawjson', old, false), /--progress rawjson needs docker buildx 0.12.0/);
});

t.test('the other commands crossbake runs', async (t) => {
  t.same(imagetoolsCreateArgs(['r/a:1', 'r/a:latest'], ['r/a@sha256:1', 'r/a@sha256:2'], 'ci'), [
    'buildx',
    'imagetools',
    'create',
    '--builder',
    'ci',
    '--tag',
    'r/a:1',
    '--tag',
    'r/a:latest',
    'r/a@sha256:1',
    'r/a@sha256:2',
  ]);
  t.same(imagetoolsInspectRawArgs('r/a:1'), ['buildx', 'imagetools', 'inspect', '--raw', 'r/a:1']);
  t.same(inspectBuilderArgs(), ['buildx', 'inspect', '--bootstrap']);
  t.same(inspectBuilderArgs('ci'), ['buildx', 'inspect', 'ci', '--bootstrap']);
  t.same(probeArgs('linux/arm/v7', '/tmp/p'), [
    'buildx',
    'build',
    '--platform',
    'linux/arm/v7',
    '--no-cache',
    '--progress',
    'plain',
    '--output',
    'type=cacheonly',
    '--file',
    '-',
    '/tmp/p',
  ]);
  t.same(pushArgs('127.0.0.1:5000/team/backend:latest-linux-arm-v7'), [
    'push',
    '--quiet',
    '127.0.0.1:5000/team/backend:latest-linux-arm-v7',
  ]);
});

t.test('shell quoting for --dry-run', async (t) => {
  t.equal(
    shellQuote(['buildx', 'bake', '--set', 'a.output=type=image,name=r/a,push=true', 'x y', "it's", '']),
    "buildx bake --set a.output=type=image,name=r/a,push=true 'x y' 'it'\\''s' ''",
  );
});
