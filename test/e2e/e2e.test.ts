// The mission on real parts: one crossbake command builds the example's two binaries for three
// platforms and pushes one multi-platform image per binary; each image runs on its platform.
// Needs the machine `test/e2e/setup.sh` prepares (npm run test:e2e runs it first).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { registryClient } from '../../src/buildx/registry.js';
import { PLATFORMS } from '../../src/platforms.js';
import {
  copyWorkspace,
  crossbake,
  type Descriptor,
  docker,
  editSource,
  elfArch,
  exists,
  platformString,
  REGISTRY_HOST,
  rawManifest,
  removeDir,
  removeImages,
  runnable,
  sh,
  table,
  vertices,
  waitFor,
  withoutEmulation,
} from './helpers.js';

const RUN_ID = Date.now().toString(36);
// A namespace of its own per run: an index already current in the registry is not merged again.
const REGISTRY = `${REGISTRY_HOST}/crossbake-e2e-${RUN_ID}`;
const BINS = ['backend', 'frontend'] as const;
const phases: string[][] = [['phase', 'seconds']];
const phase = (name: string, seconds: number) => {
  phases.push([name, seconds.toFixed(1)]);
  t.comment(`phase ${name}: ${seconds.toFixed(1)}s`);
};

t.teardown(() => {
  console.error(`\nend-to-end phases\n${table(phases)}\n`);
});

const workspace = copyWorkspace('examples/workspace');
t.teardown(() => {
  removeDir(workspace);
  removeImages(REGISTRY);
});

t.test('one crossbake call builds and pushes both binaries for three platforms, with no emulation', async (t) => {
  // The steps that run here run with binfmt disabled; the cache suite's cold build, after a prune, is the
  // proof that every step of a build from nothing runs without emulation. A source change of this run's
  // own makes the binaries' steps run here whatever the engine's cache holds.
  editSource(workspace, `e2e ${RUN_ID}`);
  const run = withoutEmulation(t, () =>
    crossbake(['bake', 'backend', 'frontend', '-w', workspace, '--push', '--progress', 'plain'], { REGISTRY }),
  );
  phase('bake --push (3 platforms, 2 binaries)', run.seconds);
  t.equal(run.code, 0, `crossbake bake succeeds\n${run.stderr.slice(-3000)}`);
  // The containerd image store keeps each image for all its platforms: docker push writes its index.
  t.match(run.stderr, /push +backend: .*backend:latest <- 3 platforms/);
  t.match(run.stderr, /push +frontend: .*frontend:latest <- 3 platforms/);
  t.match(run.stdout, /attested/, 'the report has an attested column');
  t.equal((run.stdout.match(/ provenance\s*$/gm) ?? []).length, 6, 'the report says each platform image is attested with provenance');
  // The build call's own lines (an export call after it would be a second bake call, every step CACHED).
  const built = run.stderr.split(/^crossbake: build /m)[0]!;
  t.match(
    run.stderr,
    /^crossbake: cache .*\(caches missing at the start: the build wrote all \d+\)$/m,
    'a fresh namespace has no caches yet: the build call writes them, and no export call follows',
  );
  const deps = vertices(built, /\bdeps \d+\/\d+\] RUN --mount=type=cache/);
  t.ok(deps.ran.size <= 1, `the deps step ran at most once, for every platform and both binaries (${[...deps.ran].join(' ')})`);
  const builds = vertices(built, /\bbuild-all \d+\/\d+\] RUN /);
  t.ok(builds.ran.size >= PLATFORMS.length, `build-all ran for the source change (${[...builds.ran].join(' ')})`);
});

const digests = new Map<string, Descriptor[]>();

t.test('each image in the registry is an index of exactly linux/amd64, linux/arm64, linux/arm/v7', async (t) => {
  for (const bin of BINS) {
    const index = rawManifest(`${REGISTRY}/${bin}:latest`);
    t.match(index.mediaType, /image\.index|manifest\.list/, `${bin} is an index`);
    const manifests = runnable(index);
    t.same(manifests.map(platformString).sort(), ['linux/amd64', 'linux/arm/v7', 'linux/arm64'], `${bin} platforms`);
    digests.set(bin, manifests);
    for (const m of manifests) {
      const attestation = index.manifests.find((a: Descriptor) => a.annotations?.['vnd.docker.reference.digest'] === m.digest);
      t.ok(attestation, `${bin} ${platformString(m)}: an attestation manifest survived the merge and names this platform's manifest`);
      const layers = attestation ? rawManifest(`${REGISTRY}/${bin}@${attestation.digest}`).layers : [];
      t.ok(
        layers.some((l: Descriptor) => l.annotations?.['in-toto.io/predicate-type']?.startsWith('https://slsa.dev/provenance/')),
        `${bin} ${platformString(m)}: it carries SLSA provenance`,
      );
    }
  }
});

t.test("crossbake's reads from the registry's API give the bytes buildx gives, and its not-found", async (t) => {
  const client = registryClient();
  const index = rawManifest(`${REGISTRY}/frontend:latest`) as { manifests: Array<{ digest: string; platform: { variant?: string } }> };
  const armv7 = index.manifests.find((m) => m.platform.variant === 'v7')!.digest;
  const refs = [`${REGISTRY}/backend:latest`, `${REGISTRY}/frontend@${armv7}`, `${REGISTRY}/backend:cache-shared-linux-amd64`];
  for (const ref of refs) {
    const direct = await client.manifest(ref);
    const buildx = docker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
    t.equal(buildx.code, 0, `buildx reads ${ref}`);
    t.equal(direct.kind === 'found' ? direct.bytes.toString('utf8') : direct.kind, buildx.stdout, ref);
  }
  t.same(await client.manifest(`${REGISTRY}/backend:never-pushed`), { kind: 'absent' });
});

const sizes: string[][] = [['image', 'platform', 'compressed MB', 'unpacked MB', 'binary MB']];
const baseSizes = new Map<string, number>();

for (const p of PLATFORMS) {
  t.test(`${p.docker}: the right binary, tini as PID 1, healthy, minimal`, async (t) => {
    const base = rawManifest(`${REGISTRY_HOST}/library/debian:bookworm-slim`);
    const baseManifest = runnable(base).find((m) => platformString(m) === p.docker)!;
    const baseLayers = rawManifest(`${REGISTRY_HOST}/library/debian:bookworm-slim@${baseManifest.digest}`);
    baseSizes.set(
      p.docker,
      baseLayers.layers.reduce((n: number, l: Descriptor) => n + l.size, 0),
    );

    for (const bin of BINS) {
      const ref = `${REGISTRY}/${bin}:latest`;
      const descriptor = digests.get(bin)!.find((m) => platformString(m) === p.docker)!;
      const manifest = rawManifest(`${REGISTRY}/${bin}@${descriptor.digest}`);
      const compressed = manifest.config.size + manifest.layers.reduce((n: number, l: Descriptor) => n + l.size, 0);

      t.equal(docker(['pull', '--quiet', '--platform', p.docker, ref]).code, 0, `pull ${bin} for ${p.docker}`);
      const created = docker(['create', '--platform', p.docker, ref]);
      t.equal(created.code, 0, 'create a container');
      const id = created.stdout.trim();
      t.teardown(() => void docker(['rm', '-f', id]));

      const out = join(workspace, `${bin}-${p.key}`);
      t.equal(docker(['cp', `${id}:/app/${bin}`, out]).code, 0, `/app/${bin} exists`);
      const elf = elfArch(readFileSync(out));
      const expected = { amd64: 'x86-64', arm64: 'AArch64', arm: 'ARM EABI5 hard-float' }[p.arch];
      t.equal(elf, expected, `${bin} for ${p.docker} is ${expected}`);
      const file = sh('file', ['-b', out]);
      if (file.code === 0) t.match(file.stdout, p.elfDescription, `file says ${p.elfDescription}`);

      const exported = sh('sh', ['-c', `docker export ${id} | tar -tvf -`]);
      t.equal(exported.code, 0, 'export the filesystem');
      const entries = exported.stdout.split('\n').filter(Boolean);
      const paths = entries.map((l) =>
        l
          .split(/\s+/)
          .slice(5)
          .join(' ')
          .replace(/ -> .*$/, ''),
      );
      const unpacked = entries.reduce((n, l) => n + (Number(l.split(/\s+/)[2]) || 0), 0);
      for (const forbidden of [
        /^usr\/bin\/(rustc|cargo|gcc|cc)$/,
        /^usr\/lib\/rustlib\//,
        /^usr\/local\/cargo\//,
        /(^|\/)target\//,
        /^build\//,
        /\.rs$/,
        /^usr\/share\/cargo\//,
      ]) {
        t.notOk(
          paths.find((x) => forbidden.test(x)),
          `no ${forbidden} in the image`,
        );
      }
      t.ok(paths.includes('usr/bin/tini'), 'tini is there');
      t.ok(paths.includes('etc/ssl/certs/ca-certificates.crt'), 'the CA bundle is there');
      const status = sh('sh', ['-c', `docker cp ${id}:/var/lib/dpkg/status - | tar -xO`]).stdout;
      t.match(status, /^Package: tini$/m, 'dpkg status lists tini');
      t.match(status, /^Package: ca-certificates$/m, 'dpkg status lists ca-certificates');

      const user = docker(['image', 'inspect', '--platform', p.docker, '--format', '{{.Config.User}}', ref]);
      const userText = user.code === 0 ? user.stdout.trim() : docker(['inspect', '--format', '{{.Config.User}}', id]).stdout.trim();
      t.equal(userText, '10001:10001', 'runs as a non-root user');

      const started = docker(['run', '-d', '--platform', p.docker, '-p', '127.0.0.1::8080', ref]);
      t.equal(started.code, 0, `run ${bin} on ${p.docker}`);
      const container = started.stdout.trim();
      t.teardown(() => void docker(['rm', '-f', container]));
      const port = docker(['port', container, '8080/tcp']).stdout.trim().split(':').pop();
      const health = await waitFor(`${bin} /health on ${p.docker}`, 60, () => {
        const r = sh('curl', ['-fsS', `http://127.0.0.1:${port}/health`]);
        return r.code === 0 ? r.stdout : undefined;
      });
      t.same(JSON.parse(health), { status: 'ok', service: bin, version: '0.1.0' }, 'the endpoint answers');
      const pid1 = docker(['exec', container, 'cat', '/proc/1/cmdline']).stdout.split('\0').filter(Boolean);
      t.ok(
        pid1.some((a) => a === '/usr/bin/tini'),
        `tini is PID 1 (${pid1.join(' ')})`,
      );
      const arch = docker(['exec', container, 'uname', '-m']).stdout.trim();
      t.equal(arch, { amd64: 'x86_64', arm64: 'aarch64', arm: 'armv7l' }[p.arch], 'runs as that architecture');
      const state = await waitFor(`${bin} healthy on ${p.docker}`, 90, () => {
        const s = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).stdout.trim();
        return s === 'healthy' || s === 'unhealthy' ? s : undefined;
      });
      t.equal(state, 'healthy', 'Docker reports it healthy');

      const binary = readFileSync(out).length;
      t.ok(compressed < 50e6, `compressed size ${(compressed / 1e6).toFixed(1)} MB < 50 MB`);
      t.ok(unpacked < 100e6, `unpacked size ${(unpacked / 1e6).toFixed(1)} MB < 100 MB`);
      sizes.push([bin, p.docker, (compressed / 1e6).toFixed(1), (unpacked / 1e6).toFixed(1), (binary / 1e6).toFixed(2)]);
    }
  });
}

t.test('sizes', async (t) => {
  for (const [platform, size] of baseSizes) sizes.push(['debian:bookworm-slim', platform, (size / 1e6).toFixed(1), '', '']);
  console.error(`\nimage sizes\n${table(sizes)}\n`);
  t.pass('printed');
});

t.test('a platform that fails stops everything, names itself, and pushes nothing', async (t) => {
  const broken = copyWorkspace('examples/workspace');
  t.teardown(() => removeDir(broken));
  const main = join(broken, 'crates/backend/src/main.rs');
  writeFileSync(
    main,
    `${readFileSync(main, 'utf8')}\n#[cfg(target_arch = "arm")]\ncompile_error!("backend does not support 32-bit ARM");\n`,
  );
  const registry = `${REGISTRY_HOST}/crossbake-e2e-fail-${Date.now()}`;
  const run = crossbake(['bake', 'backend', '-w', broken, '--push', '--progress', 'plain'], { REGISTRY: registry });
  phase('bake --push that fails on linux/arm/v7', run.seconds);
  t.equal(run.code, 4, 'exits with the build failure code');
  const message = run.stderr.slice(run.stderr.lastIndexOf('crossbake: '));
  t.match(run.stderr, /crossbake: .*linux\/arm\/v7/, 'names the platform');
  t.match(run.stderr, /crossbake: .*backend/, 'names the binary');
  t.match(run.stderr, /error: backend does not support 32-bit ARM/, "quotes the compiler's first error line");
  t.notMatch(run.stderr, /^\s+at .*\.(ts|js):\d+/m, 'no stack trace');
  t.notOk(exists(`${registry}/backend:latest`), 'no image was tagged');
  for (const p of PLATFORMS) t.notOk(exists(`${registry}/backend:latest-${p.key}`), `nothing pushed for ${p.docker}`);
  t.comment(message);
});

t.test('the rustup toolchain builds linux/amd64 from a rust:<version>-bookworm image and runs healthy', async (t) => {
  const rustTag = docker(['image', 'ls', '--format', '{{.Tag}}', 'rust'])
    .stdout.split('\n')
    .find((x) => /-bookworm$/.test(x));
  t.ok(rustTag, 'the set-up made a local rust image');
  if (!rustTag) return;
  const version = rustTag.replace(/-bookworm$/, '');
  const ws = copyWorkspace('examples/workspace');
  t.teardown(() => removeDir(ws));
  const registry = `${REGISTRY_HOST}/crossbake-e2e-rustup`;
  const run = crossbake(
    [
      'bake',
      'backend',
      '-w',
      ws,
      '--toolchain',
      'rustup',
      '--rust-version',
      version,
      '--platforms',
      'linux/amd64',
      '--load',
      '--progress',
      'plain',
    ],
    { REGISTRY: registry },
  );
  phase(`bake --load with rust:${rustTag}`, run.seconds);
  t.equal(run.code, 0, `builds\n${run.stderr.slice(-2000)}`);
  t.match(
    readFileSync(join(ws, 'Dockerfile'), 'utf8'),
    new RegExp(`ARG RUST_IMAGE=rust:${version.replace('.', '\\.')}-bookworm`),
    'uses the rust image',
  );
  const started = docker(['run', '-d', '-p', '127.0.0.1::8080', `${registry}/backend:latest`]);
  t.equal(started.code, 0, 'runs');
  const container = started.stdout.trim();
  t.teardown(() => void docker(['rm', '-f', container]));
  const state = await waitFor('healthy', 60, () => {
    const s = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).stdout.trim();
    return s === 'healthy' || s === 'unhealthy' ? s : undefined;
  });
  t.equal(state, 'healthy', 'turns healthy');
});
