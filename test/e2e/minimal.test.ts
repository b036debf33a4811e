// runtime = "minimal": the example backend built FROM scratch for three platforms, with no emulation in
// the build; each image is at most 12 MB compressed and passes the slim image's runtime checks under its
// platform (tini as PID 1, uid 10001, healthy) with no shell or toolchain inside, and its dpkg status lists
// the Debian packages it holds (the service example's native libraries run minimal in service.test.ts).
// Needs the machine `test/e2e/setup.sh` prepares (npm run test:e2e runs it first).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PLATFORMS } from '../../src/platforms.js';
import {
  cdxgen,
  copyWorkspace,
  crossbake,
  docker,
  elfArch,
  platformString,
  REGISTRY_HOST,
  rawManifest,
  removeDir,
  removeImages,
  runnable,
  sh,
  table,
  waitFor,
  withoutEmulation,
} from './helpers.js';
import { compressedSize, dpkgPackages, filesystem, resolve } from './image.js';

// A namespace of its own per run: an index already current in the registry is not merged again.
const REGISTRY = `${REGISTRY_HOST}/supply/minimal-${Date.now().toString(36)}`;
const LIMIT = 12e6;
/** Where each platform's ELF interpreter is (PT_INTERP), as the binaries name it. */
const INTERPRETER: Record<string, string> = {
  amd64: '/lib64/ld-linux-x86-64.so.2',
  arm64: '/lib/ld-linux-aarch64.so.1',
  armhf: '/lib/ld-linux-armhf.so.3',
};

const sizes: string[][] = [['image', 'platform', 'compressed MB', 'unpacked MB', 'layers']];
t.teardown(() => {
  console.error(`\nminimal image sizes\n${table(sizes)}\n`);
});

const workspace = copyWorkspace('examples/workspace');
t.teardown(() => {
  removeDir(workspace);
  removeImages(REGISTRY);
});

t.test('the backend, runtime minimal, for three platforms: built with no emulation and pushed', async (t) => {
  const run = withoutEmulation(t, () =>
    crossbake(['bake', 'backend', '-w', workspace, '--runtime', 'minimal', '--push', '--progress', 'plain'], { REGISTRY }),
  );
  t.comment(`bake --push: ${run.seconds.toFixed(1)}s`);
  t.equal(run.code, 0, `crossbake bake succeeds\n${run.stderr.slice(-4000)}`);
  t.match(run.stderr, /push +backend: .*backend:latest <- 3 platforms/);
  t.match(run.stderr, /minimal-root/, 'the minimal root was assembled');
  t.same(
    runnable(rawManifest(`${REGISTRY}/backend:latest`))
      .map(platformString)
      .sort(),
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64'],
    'one index of three platforms',
  );
  const dockerfile = readFileSync(join(workspace, 'Dockerfile'), 'utf8');
  t.match(dockerfile, /^FROM scratch AS runtime-backend$/m, 'the image starts from scratch');
});

for (const p of PLATFORMS) {
  t.test(`${p.docker}: ≤ 12 MB, tini as PID 1, uid 10001, healthy, no shell or toolchain, dpkg status`, async (t) => {
    const ref = `${REGISTRY}/backend:latest`;
    const { bytes, layers } = compressedSize(ref, p);
    t.ok(bytes <= LIMIT, `compressed ${(bytes / 1e6).toFixed(2)} MB ≤ 12 MB (${layers} layers)`);

    t.equal(docker(['pull', '--quiet', '--platform', p.docker, ref]).code, 0, `pull for ${p.docker}`);
    const created = docker(['create', '--platform', p.docker, ref]);
    t.equal(created.code, 0, 'create a container');
    const id = created.stdout.trim();
    t.teardown(() => void docker(['rm', '-f', id]));

    const fs = filesystem(id);
    sizes.push(['backend', p.docker, (bytes / 1e6).toFixed(2), (fs.unpacked / 1e6).toFixed(2), String(layers)]);
    const all = new Set(fs.paths);
    for (const forbidden of [
      /^(usr\/)?bin\/(sh|dash|bash|busybox)$/,
      /^(usr\/)?bin\/(rustc|cargo|gcc|cc|ld|apt|apt-get|dpkg|perl)$/,
      /^usr\/lib\/rustlib\//,
      /^usr\/local\/cargo\//,
      /\.rs$/,
    ]) {
      t.notOk(
        fs.paths.find((x) => forbidden.test(x)),
        `no ${forbidden} in the image`,
      );
    }
    for (const [dir, target] of [
      ['bin', 'usr/bin'],
      ['sbin', 'usr/sbin'],
      ['lib', 'usr/lib'],
    ] as const)
      t.equal(fs.links.get(dir), target, `/${dir} -> ${target}, merged /usr as Debian has it`);
    const interpreter = INTERPRETER[p.debianArch]!;
    t.ok(resolve(interpreter, fs.links, all), `the ELF interpreter ${interpreter} resolves to a file`);
    for (const path of [
      'usr/bin/tini',
      'app/backend',
      'app/Cargo.lock',
      'etc/ssl/certs/ca-certificates.crt',
      'etc/passwd',
      'etc/group',
      'tmp',
    ]) {
      t.ok(all.has(path), `/${path} is there`);
    }
    t.notOk(all.has('usr/bin/tini-static'), 'no tini-static');
    t.notOk(
      fs.paths.some((x) => /^usr\/share\/(man|info|locale|lintian)\//.test(x)),
      'no manuals, info pages, translations or lintian overrides',
    );

    const passwd = sh('sh', ['-c', `docker cp ${id}:/etc/passwd - | tar -xO`]).stdout;
    t.match(passwd, /^root:x:0:0:/m, 'root in /etc/passwd');
    t.match(passwd, /^app:x:10001:10001:/m, 'app (10001) in /etc/passwd');
    t.match(sh('sh', ['-c', `docker cp ${id}:/etc/group - | tar -xO`]).stdout, /^app:x:10001:$/m, 'app in /etc/group');

    const packages = dpkgPackages(id);
    for (const pkg of [`libc6:${p.debianArch}`, `libgcc-s1:${p.debianArch}`, `tini:${p.debianArch}`, 'ca-certificates:all']) {
      t.ok(packages.includes(pkg), `the dpkg status lists ${pkg}`);
    }
    t.same(
      packages.filter((x) => !x.endsWith(`:${p.debianArch}`) && !x.endsWith(':all')),
      [],
      `every package is for ${p.debianArch} (or all)`,
    );
    for (const pkg of packages) {
      const [name, arch] = pkg.split(':') as [string, string];
      t.ok(all.has(`var/lib/dpkg/info/${name}.list`) || all.has(`var/lib/dpkg/info/${name}:${arch}.list`), `${pkg} has its file list`);
    }

    const out = join(workspace, `backend-${p.key}`);
    t.equal(docker(['cp', `${id}:/app/backend`, out]).code, 0, 'copy the binary out');
    t.equal(
      elfArch(readFileSync(out)),
      { amd64: 'x86-64', arm64: 'AArch64', arm: 'ARM EABI5 hard-float' }[p.arch],
      `built for ${p.docker}`,
    );

    t.equal(docker(['inspect', '--format', '{{.Config.User}}', id]).stdout.trim(), '10001:10001', 'the image runs as 10001');

    const started = docker(['run', '-d', '--platform', p.docker, '-p', '127.0.0.1::8080', ref]);
    t.equal(started.code, 0, `run backend on ${p.docker}\n${started.stderr}`);
    const container = started.stdout.trim();
    t.teardown(() => void docker(['rm', '-f', container]));
    const port = docker(['port', container, '8080/tcp']).stdout.trim().split(':').pop();
    const health = await waitFor(`backend /health on ${p.docker}`, 90, () => {
      const r = sh('curl', ['-fsS', `http://127.0.0.1:${port}/health`]);
      return r.code === 0 ? r.stdout : undefined;
    });
    t.same(JSON.parse(health), { status: 'ok', service: 'backend', version: '0.1.0' }, 'the endpoint answers');

    // The container's processes, seen from the host: no ps, cat or shell in the image to ask inside.
    const pid = docker(['inspect', '--format', '{{.State.Pid}}', container]).stdout.trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    t.ok(cmdline.includes('/usr/bin/tini'), `tini is PID 1 (${cmdline.join(' ')})`);
    // UID first, CMD last (docker top's ps columns).
    const top = docker(['top', container]).stdout.trim().split('\n').slice(1);
    t.ok(top.length >= 2, `tini and the backend run (${top.join(' | ')})`);
    t.ok(
      top.every((row) => row.trim().split(/\s+/)[0] === '10001'),
      'every process runs as uid 10001',
    );
    t.ok(
      top.some((row) => row.includes('/app/backend')),
      'the backend runs under tini',
    );

    const check = docker(['exec', container, '/app/backend', '--healthcheck']);
    t.equal(check.code, 0, `the healthcheck command works\n${check.stderr}`);
    const state = await waitFor(`backend healthy on ${p.docker}`, 90, () => {
      const s = docker(['inspect', '--format', '{{.State.Health.Status}}', container]).stdout.trim();
      return s === 'healthy' || s === 'unhealthy' ? s : undefined;
    });
    t.equal(state, 'healthy', 'Docker reports it healthy');
    t.not(docker(['exec', container, '/bin/sh', '-c', 'true']).code, 0, 'no shell to exec');
  });
}

t.test("a real scanner (cdxgen) finds the image's Debian packages, by distribution, and its crates", async (t) => {
  // The build platform's image by its digest: docker save here cannot pick one platform of an index.
  const amd64 = runnable(rawManifest(`${REGISTRY}/backend:latest`)).find((m) => platformString(m) === 'linux/amd64')!;
  const ref = `${REGISTRY}/backend@${amd64.digest}`;
  t.equal(docker(['pull', '--quiet', ref]).code, 0, `pull ${ref}`);
  const tar = join(workspace, 'backend-minimal.tar');
  const save = docker(['save', '-o', tar, ref]);
  t.equal(save.code, 0, save.stderr);
  const bom = join(workspace, 'backend-minimal.bom.json');
  const scan = sh(cdxgen(), ['-t', 'docker', '--no-install-deps', '-o', bom, tar], { env: { CDXGEN_TELEMETRY: 'off' } });
  t.equal(scan.code, 0, scan.code === 0 ? 'cdxgen -t docker' : scan.stderr.slice(-3000));
  const purls = (JSON.parse(readFileSync(bom, 'utf8')).components ?? []).map((c: { purl?: string }) => c.purl ?? '') as string[];
  for (const pkg of ['libc6', 'libgcc-s1', 'tini', 'ca-certificates']) {
    t.ok(
      purls.some((p) => p.startsWith(`pkg:deb/debian/${pkg}@`) && p.includes('distro=debian-12')),
      `pkg:deb/debian/${pkg} (debian-12)`,
    );
  }
  t.ok(
    purls.some((p) => p.startsWith('pkg:cargo/serde_json@')),
    "the binary's crates from /app/Cargo.lock",
  );
});
