// Preflight against the real docker here: the builder, the platform probe, registries, `bake --print`.
// Skipped (with the reason shown) where docker buildx is missing, unless CROSSBAKE_REQUIRE_BUILDX=1.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { exec, runBuildxDirectly, type StartedCall, startedResult } from '../src/buildx/exec.js';
import {
  askDocker,
  checkDaemon,
  checkPlatforms,
  checkPrintedPlatforms,
  checkRegistry,
  detectBuildx,
  inspectBuilder,
  parseBuilderInspect,
  printBake,
  unsupportedPlatform,
} from '../src/buildx/preflight.js';
import { elf64, PROBE_PROGRAMS, probePlatform } from '../src/buildx/probe.js';
import { loadProject } from '../src/commands/project.js';
import { CrossbakeError } from '../src/errors.js';
import { findPlatform } from '../src/platforms.js';
import { renderBakeJson } from '../src/render/bake.js';
import { validateLayer, WorkspaceSettingsSchema } from '../src/settings/index.js';
import { buildxAvailable } from './helpers/buildx.js';
import { repoRoot } from './helpers/paths.js';

const hasBuildx = buildxAvailable();
const skip = hasBuildx ? false : 'docker buildx is not installed here (CROSSBAKE_REQUIRE_BUILDX=1 makes that a failure)';

async function daemonUp(): Promise<boolean> {
  try {
    await checkDaemon();
    return true;
  } catch {
    return false;
  }
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

t.test('builder inspect output, as buildx 0.13 prints it', async (t) => {
  const ok = parseBuilderInspect(
    'Name:          default\nDriver:        docker\nLast Activity: 2026-11-26 10:49:06 +0000 UTC\n\nNodes:\nName:             default\nEndpoint:         default\nStatus:           running\nBuildKit version: v0.0.0+unknown\nPlatforms:        linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4, linux/arm64\n',
  );
  t.same(ok, {
    name: 'default',
    driver: 'docker',
    platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4', 'linux/arm64'],
    multiPlatformStore: false,
    errors: [],
  });
  // `docker buildx inspect --bootstrap` exits 0 when the daemon is unreachable; the error is a field.
  const down = parseBuilderInspect(
    'Name:          default\nDriver:        \nLast Activity: 2026-11-26 10:53:33 +0000 UTC\nError:         Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n\nNodes:\n',
  );
  t.same(down.errors, ['Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?']);
});

t.test(
  'the docker driver on the containerd image store keeps multi-platform images; the classic store and other drivers do not count',
  async (t) => {
    const node = (labels: string) =>
      `Name:          default\nDriver:        docker\n\nNodes:\nName:             default\nEndpoint:         default\nStatus:           running\nPlatforms:        linux/amd64, linux/arm64\nLabels:\n${labels}`;
    // dockerd 26 with "containerd-snapshotter": true, as buildx 0.13 prints it
    const containerd =
      ' org.mobyproject.buildkit.worker.containerd.namespace: moby\n org.mobyproject.buildkit.worker.containerd.uuid:      03fdd9bb\n org.mobyproject.buildkit.worker.executor:             containerd\n org.mobyproject.buildkit.worker.snapshotter:          overlayfs\n';
    const classic =
      ' org.mobyproject.buildkit.worker.executor:         oci\n org.mobyproject.buildkit.worker.moby.host-gateway-ip: 172.17.0.1\n org.mobyproject.buildkit.worker.snapshotter:      overlay2\n';
    t.equal(parseBuilderInspect(node(containerd)).multiPlatformStore, true, 'containerd store');
    t.equal(parseBuilderInspect(node(classic)).multiPlatformStore, false, 'classic store');
    t.equal(
      parseBuilderInspect(node(containerd).replace('Driver:        docker', 'Driver:        docker-container')).multiPlatformStore,
      false,
      'not the docker driver',
    );
  },
);

t.test('every path names an unsupported platform in the words settings validation uses', async (t) => {
  const fromSettings = t.throws(() =>
    validateLayer(WorkspaceSettingsSchema, { platforms: ['linux/riscv64'] }, 'Cargo.toml', 'workspace.metadata.crossbake'),
  ) as CrossbakeError;
  t.equal(fromSettings.details[0], `Cargo.toml: workspace.metadata.crossbake.platforms[0]: ${unsupportedPlatform('linux/riscv64')}`);
  t.equal(unsupportedPlatform('linux/386'), 'unsupported platform "linux/386"; supported: linux/amd64, linux/arm64, linux/arm/v7');
  const printed = t.throws(() =>
    checkPrintedPlatforms({
      target: { backend: { platforms: ['linux/amd64', 'linux/386'] }, 'backend-linux-amd64': { platforms: ['linux/amd64'] } },
    }),
  ) as CrossbakeError;
  t.equal(printed.exitCode, 2);
  t.same(printed.details, ['bake target backend: unsupported platform "linux/386"; supported: linux/amd64, linux/arm64, linux/arm/v7']);
});

t.test('buildx and the builder on this machine', { skip }, async (t) => {
  const { version } = await detectBuildx();
  t.ok(version.minor >= 13 || version.major > 0, `buildx ${version.major}.${version.minor}.${version.patch}`);
  if (!(await daemonUp())) return void t.pass(`skipped: ${'the Docker daemon does not answer (another engineer may be restarting it)'}`);
  const builder = await inspectBuilder();
  t.ok(builder.driver.length > 0, `driver ${builder.driver}`);
  t.ok(builder.platforms.includes('linux/amd64'), builder.platforms.join(', '));
  const missing = (await inspectBuilder('crossbake-no-such-builder').catch((e: CrossbakeError) => e)) as CrossbakeError;
  t.equal(missing.exitCode, 3);
  t.match(
    missing.message,
    /^no buildx builder named "crossbake-no-such-builder"; builders here: default(, [^.]+)?\. Create it \(`docker buildx create --name crossbake-no-such-builder --driver docker-container`\) or leave --builder out\.$/,
  );
});

t.test('one docker info names the buildx plugin docker runs, and buildx then runs as that program', { skip }, async (t) => {
  const info = await askDocker();
  t.ok(info.buildx && existsSync(info.buildx.path), `plugin at ${info.buildx?.path}`);
  const viaDocker = (await detectBuildx()).version;
  t.teardown(() => runBuildxDirectly(undefined));
  const viaInfo = await detectBuildx(Promise.resolve(info));
  t.same(
    viaInfo,
    { version: viaDocker, plugin: info.buildx?.path },
    'the version `docker buildx version` says, and the plugin docker names',
  );
  runBuildxDirectly(viaInfo.plugin);
  const direct = await exec('docker', ['buildx', 'version']);
  runBuildxDirectly(undefined);
  const docker = await exec('docker', ['buildx', 'version']);
  t.same([direct.exitCode, direct.stdout], [docker.exitCode, docker.stdout], 'the same program, asked without docker in front');
});

t.test('a call the launcher started reads as exec says it', async (t) => {
  const started = (file: string, args: string[]): StartedCall => ({
    result: new Promise((resolve) =>
      execFile(file, args, (error, stdout, stderr) => resolve({ error, stdout: String(stdout), stderr: String(stderr) })),
    ),
    stop: () => undefined,
  });
  for (const [file, args] of [
    ['sh', ['-c', 'echo out; echo err >&2']],
    ['sh', ['-c', 'echo out; echo err >&2; exit 3']],
    ['crossbake-no-such-program', []],
  ] as const) {
    t.same(await startedResult(started(file, [...args])), await exec(file, args), `${file} ${args.join(' ')}`);
  }
  const missing = askDocker(undefined, started('crossbake-no-such-program', []));
  await t.rejects(detectBuildx(missing), /docker is not installed/, 'a launcher without docker on PATH: the same message');
});

t.test('the platform probe runs a real program for the platform, or says there is no emulator', { skip }, async (t) => {
  if (!(await daemonUp())) return void t.pass(`skipped: ${'the Docker daemon does not answer'}`);
  const builder = await inspectBuilder();
  const checks = await checkPlatforms(builder, [findPlatform('linux/amd64')!, findPlatform('linux/arm/v7')!]);
  t.equal(checks[0]!.state, 'listed');
  // `docker buildx ls` omits linux/arm/v7 here although it builds and runs: the probe finds it works.
  t.match(checks[1]!.state, /^(listed|probed)$/, checks[1]!.note ?? 'listed');
  for (const p of ['linux/amd64', 'linux/arm64', 'linux/arm/v7']) t.ok(PROBE_PROGRAMS[p], `a probe program for ${p}`);
  if (existsSync('/proc/sys/fs/binfmt_misc/qemu-riscv64'))
    return void t.pass(`skipped: ${'this machine emulates riscv64; the no-emulator case cannot be shown'}`);
  // riscv64 (exit(0): li a0,0; li a7,93; ecall), which nothing here emulates: the kernel refuses it.
  const words = Buffer.alloc(12);
  for (const [i, w] of [0x00000513, 0x05d00893, 0x00000073].entries()) words.writeUInt32LE(w, i * 4);
  const riscv = await probePlatform('linux/riscv64', undefined, elf64(243, words));
  t.same(riscv, { ok: false, noEmulation: true, reason: 'exec /probe: exec format error' });
});

t.test('the registry: reachable, refusing the login, or not there', { skip }, async (t) => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(401, {
      'WWW-Authenticate': 'Basic realm="crossbake-test"',
      'Docker-Distribution-API-Version': 'registry/2.0',
      'Content-Type': 'application/json',
    });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const refused = (await checkRegistry(`127.0.0.1:${port}/team/backend:latest`).catch((e: CrossbakeError) => e)) as CrossbakeError;
  t.equal(refused.exitCode, 6);
  t.equal(
    refused.message,
    `the registry 127.0.0.1:${port} refused the login for 127.0.0.1:${port}/team/backend:latest: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials. Run \`docker login 127.0.0.1:${port}\` with an account that may push there, then run again.`,
  );
  const closed = (await checkRegistry('127.0.0.1:1/team/backend:latest').catch((e: CrossbakeError) => e)) as CrossbakeError;
  t.equal(closed.exitCode, 5);
  t.match(
    closed.message,
    /^cannot reach the registry 127\.0\.0\.1:1 to push 127\.0\.0\.1:1\/team\/backend:latest: .*connection refused\. Check the network and the registry address \(--registry, REGISTRY\), then run again\.$/,
  );
  const local = await checkRegistry('127.0.0.1:5000/crossbake-test/never-pushed:latest').catch((e: Error) => e);
  if (local instanceof CrossbakeError && local.kind === 'network') t.pass('the e2e registry on 127.0.0.1:5000 is not running');
  else t.equal(local, undefined, 'a repository that does not exist yet is fine to push to');
});

t.test("bake --print: buildx's own complaint, with the file and line", { skip }, async (t) => {
  const project = loadProject({ workspace: 'examples/workspace', flags: {}, cwd: repoRoot });
  const definition = renderBakeJson(project.plan);
  const printed = await printBake('docker-bake.json', ['backend-linux-arm-v7'], [], project.outDir, { definition });
  t.same(printed.target['backend-linux-arm-v7']?.platforms, ['linux/arm/v7']);
  const badSet = (await printBake('docker-bake.json', ['backend'], ['nonsense'], project.outDir, { definition }).catch(
    (e) => e,
  )) as CrossbakeError;
  t.equal(badSet.exitCode, 2);
  t.equal(
    badSet.message,
    'docker buildx bake --print rejects docker-bake.json (with --set nonsense): invalid override key nonsense, expected target.name',
  );
  const broken = definition.replace('"default": "127.0.0.1:5000/crossbake"', '"default": "a${b"');
  const bad = (await printBake('docker-bake.json', ['backend'], [], project.outDir, { definition: broken }).catch(
    (e) => e,
  )) as CrossbakeError;
  t.match(
    bad.message,
    /^docker buildx bake --print rejects docker-bake\.json: docker-bake\.json:4,19-20: Unclosed template interpolation sequence/,
  );
  t.equal(bad.details[0], 'docker-bake.json:4: "default": "a${b"');
});

t.test('an unreachable daemon, named with its fix', { skip }, async (t) => {
  const missing = (await withEnv({ DOCKER_HOST: 'unix:///nonexistent.sock', DOCKER_CONTEXT: undefined }, () =>
    checkDaemon().catch((e) => e),
  )) as CrossbakeError;
  t.equal(missing.exitCode, 3);
  t.equal(
    missing.message,
    'cannot reach the Docker daemon: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running? There is no socket at /nonexistent.sock (DOCKER_HOST=unix:///nonexistent.sock): start the Docker daemon (`sudo systemctl start docker`, or open Docker Desktop), or point DOCKER_HOST at the right socket.',
  );
  const tcp = (await withEnv({ DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_CONTEXT: undefined }, () =>
    checkDaemon().catch((e) => e),
  )) as CrossbakeError;
  t.equal(
    tcp.message,
    'cannot reach the Docker daemon: Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running? No Docker daemon answers at DOCKER_HOST=tcp://127.0.0.1:1: start it (`sudo systemctl start docker`, or open Docker Desktop), or fix DOCKER_HOST / DOCKER_CONTEXT.',
  );
});
