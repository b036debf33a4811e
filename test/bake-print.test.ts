import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hcl from 'hcl2-parser';
import t from 'tap';
import { loadProject } from '../src/commands/project.js';
import { PLATFORMS } from '../src/platforms.js';
import { renderBakeHcl, renderBakeJson } from '../src/render/bake.js';
import { bakePrint, buildxAvailable } from './helpers/buildx.js';
import { goldenDir } from './helpers/golden.js';
import { repoRoot } from './helpers/paths.js';

const hasBuildx = buildxAvailable();
const dir = goldenDir('example-debian');
const skip = hasBuildx ? false : 'docker buildx is not installed (scripts/install-buildx.sh installs it)';

t.test('buildx resolves the HCL and the JSON file to the same definition', { skip }, async (t) => {
  for (const dirName of ['example-debian', 'example-rustup', 'example-gha-cache', 'bins', 'root-package']) {
    const d = goldenDir(dirName);
    const fromHcl = bakePrint(d, ['-f', 'docker-bake.hcl']);
    const fromJson = bakePrint(d, ['-f', 'docker-bake.json']);
    t.same(fromHcl, fromJson, dirName);
  }
});

t.test('targets, platforms, tags and per-platform caches as buildx resolves them', { skip }, async (t) => {
  const all = bakePrint(dir, ['-f', 'docker-bake.json', 'default', 'backend-platforms', 'frontend-platforms']);
  for (const bin of ['backend', 'frontend']) {
    const target = all.target[bin];
    t.equal(target.target, `runtime-${bin}`);
    t.same(target.platforms, ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    t.same(target.tags, [`127.0.0.1:5000/crossbake/${bin}:latest`]);
    t.same(target['cache-to'], [`type=registry,ref=127.0.0.1:5000/crossbake/${bin}:cache-all,mode=max,compression=zstd`]);
    t.notOk('CROSSBAKE_JOB' in target.args, 'one skeleton step for every target');
    t.equal(target.args.DEBIAN_IMAGE, 'debian:bookworm-slim', 'and keeps the common args');
    for (const p of PLATFORMS) {
      const one = all.target[`${bin}-${p.key}`];
      t.same(one.platforms, [p.docker], `${bin} ${p.docker} platform`);
      t.equal(one.target, `runtime-${bin}`, 'inherits the stage');
      t.same(
        one['cache-to'],
        [`type=registry,ref=127.0.0.1:5000/crossbake/${bin}:cache-${p.key},mode=max,compression=zstd`],
        'its own cache',
      );
      t.same(one['cache-from'], [
        `type=registry,ref=127.0.0.1:5000/crossbake/backend:cache-shared-${p.key}`,
        `type=registry,ref=127.0.0.1:5000/crossbake/${bin}:cache-${p.key}`,
        `type=registry,ref=127.0.0.1:5000/crossbake/${bin}:cache-all`,
      ]);
    }
  }
  const keys = new Set(Object.values(all.target).flatMap((x: any) => x['cache-to'] ?? []));
  t.equal(keys.size, 8, 'no two targets export to the same cache');
  const shared = bakePrint(dir, ['-f', 'docker-bake.json', '_crossbake-cache']);
  t.same(
    Object.keys(shared.target).sort(),
    PLATFORMS.map((p) => `_crossbake-cache-${p.key}`).sort(),
    'one shared-cache target per platform',
  );
  for (const p of PLATFORMS) {
    const one = shared.target[`_crossbake-cache-${p.key}`];
    t.equal(one.target, 'crossbake-cache', `${p.docker}: builds the shared stages`);
    t.same(one.platforms, [p.docker]);
    t.same(one.output, ['type=cacheonly'], 'and no image');
    t.same(one['cache-to'], [`type=registry,ref=127.0.0.1:5000/crossbake/backend:cache-shared-${p.key},mode=max,compression=zstd`]);
    t.equal(one.args.CROSSBAKE_BINS, 'backend frontend', 'for every binary of the file');
  }
});

t.test('variables and --set override what the file says', { skip }, async (t) => {
  const env = bakePrint(dir, ['-f', 'docker-bake.json', 'backend'], { REGISTRY: 'ghcr.io/acme', TAG: 'v2', PLATFORMS: 'linux/arm64' });
  t.same(env.target.backend.tags, ['ghcr.io/acme/backend:v2']);
  t.same(env.target.backend.platforms, ['linux/arm64']);
  t.equal(env.target.backend.args.CROSSBAKE_PLATFORMS, 'linux/arm64', 'and the deps step compiles for that platform alone');
  for (const file of ['docker-bake.json', 'docker-bake.hcl']) {
    const all = bakePrint(dir, ['-f', file, 'backend', 'frontend-linux-arm64']);
    t.same(
      [all.target.backend.args.CROSSBAKE_PLATFORMS, all.target['frontend-linux-arm64'].args.CROSSBAKE_PLATFORMS],
      [PLATFORMS.map((p) => p.docker).join(','), PLATFORMS.map((p) => p.docker).join(',')],
      `${file}: every target of a call names the same platforms, so the deps step stays one step`,
    );
  }
  const noRegistry = bakePrint(dir, ['-f', 'docker-bake.hcl', 'backend'], { REGISTRY: '' });
  t.same(noRegistry.target.backend.tags, ['backend:latest'], 'an empty REGISTRY gives a local name');
  const set = bakePrint(dir, [
    '-f',
    'docker-bake.hcl',
    'frontend',
    '--set',
    'frontend.platform=linux/arm/v7',
    '--set',
    'frontend.tags=example/frontend:dev',
    '--set',
    'frontend.args.BASE_IMAGE=debian:bookworm',
  ]);
  t.same(set.target.frontend.platforms, ['linux/arm/v7']);
  t.same(set.target.frontend.tags, ['example/frontend:dev']);
  t.equal(set.target.frontend.args.BASE_IMAGE, 'debian:bookworm');
});

t.test('the gha cache keys each binary and platform', { skip }, async (t) => {
  const gha = bakePrint(goldenDir('example-gha-cache'), ['-f', 'docker-bake.hcl', 'frontend-platforms']);
  t.same(gha.target['frontend-linux-arm-v7']['cache-to'], ['type=gha,scope=crossbake-frontend-linux-arm-v7,mode=max,compression=zstd']);
  t.same(Object.keys(gha.target).sort(), ['frontend-linux-amd64', 'frontend-linux-arm-v7']);
});

/** hcl2-parser wraps every block in a list and leaves expressions as `${...}` strings. */
function normaliseHcl(parsed: any): any {
  const out: any = {};
  for (const [kind, blocks] of Object.entries(parsed as Record<string, Record<string, unknown[]>>)) {
    out[kind] = {};
    for (const [name, list] of Object.entries(blocks)) out[kind][name] = list[0];
  }
  for (const fn of Object.values(out.function ?? {}) as any[]) fn.params = fn.params.map((p: string) => p.replace(/^\$\{(.*)\}$/, '$1'));
  return out;
}

t.test('hcl2-parser reads the HCL file as the JSON definition', async (t) => {
  for (const name of ['example-debian', 'example-rustup', 'example-gha-cache', 'bins', 'root-package', 'toolchain-file']) {
    const [parsed, error] = hcl.parseToObject(readFileSync(join(goldenDir(name), 'docker-bake.hcl'), 'utf8'));
    t.equal(error, null, `${name} parses`);
    const { '//': header, ...json } = JSON.parse(readFileSync(join(goldenDir(name), 'docker-bake.json'), 'utf8'));
    t.match(header, /^Generated by crossbake/);
    t.same(normaliseHcl(parsed), json, name);
  }
});

t.test(
  'the skeleton stage is the same step for every bake target: one key, so the stages after it are one step per platform',
  async (t) => {
    for (const dirName of ['example-debian', 'example-rustup', 'example-cargo-chef', 'bins']) {
      const dockerfile = readFileSync(join(goldenDir(dirName), 'Dockerfile'), 'utf8');
      t.match(dockerfile, /\nFROM \S+ AS skeleton\n/, dirName);
      t.notMatch(dockerfile, /ARG CROSSBAKE_JOB/, dirName);
    }
  },
);

t.test('attest.sbom: every target asks for the SBOM attestation, buildx reads it; off by default', { skip }, async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'crossbake-attest-'));
  t.teardown(() => rmSync(ws, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), ws, { recursive: true });
  const manifest = join(ws, 'Cargo.toml');
  const base = readFileSync(manifest, 'utf8');
  const print = (settings: string) => {
    writeFileSync(manifest, `${base}\n[workspace.metadata.crossbake.attest]\n${settings}\n`);
    const { plan } = loadProject({ workspace: ws, flags: {}, cwd: repoRoot });
    writeFileSync(join(ws, 'docker-bake.json'), renderBakeJson(plan));
    writeFileSync(join(ws, 'docker-bake.hcl'), renderBakeHcl(plan, 'x'));
    const fromJson = bakePrint(ws, ['-f', 'docker-bake.json', 'backend', 'backend-linux-arm64']);
    t.same(bakePrint(ws, ['-f', 'docker-bake.hcl', 'backend', 'backend-linux-arm64']), fromJson, 'HCL and JSON agree');
    return fromJson;
  };
  const on = print('sbom = true');
  t.same(on.target.backend.attest, ['type=sbom']);
  t.same(on.target['backend-linux-arm64'].attest, ['type=sbom'], 'a per-platform target inherits it');
  const own = print('sbom = true\nsbom-generator = "127.0.0.1:5000/mirror/buildkit-syft-scanner:stable-1"');
  t.same(own.target.backend.attest, ['type=sbom,generator=127.0.0.1:5000/mirror/buildkit-syft-scanner:stable-1']);
  const off = print('sbom = false');
  t.equal(off.target.backend.attest, undefined, 'off: nothing beyond buildx’s default provenance');
  t.notMatch(readFileSync(join(goldenDir('example-debian'), 'docker-bake.json'), 'utf8'), /attest/, 'off by default');
});
