import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { diskFiles } from '../../src/fs/read.js';
import { PLATFORMS } from '../../src/platforms.js';
import { binaryCrates, binaryLock } from '../../src/workspace/crates.js';
import { readWorkspace } from '../../src/workspace/read.js';
import { repoRoot } from '../helpers/paths.js';
import {
  cdxgen,
  copyWorkspace,
  crossbake,
  type Descriptor,
  docker,
  REGISTRY_HOST,
  rawManifest,
  removeDir,
  removeImages,
  runnable,
  sh,
} from './helpers.js';

// The example's backend image, built and saved as docker saves it, scanned by a real scanner
// (@cyclonedx/cdxgen): it finds exactly the crates binaryCrates() lists for backend, from the image's
// /app/Cargo.lock; the binary keeps no path of the build stage (--remap-path-prefix). Then, with
// attest.sbom on and a generator the builder can pull, each platform's SBOM attestation survives the merge.
// Both builds select the three platforms the other suites build, so the toolchain and dependency layers
// come from the engine's cache when those suites ran first (a platform subset is another toolchain stage).
const workspace = copyWorkspace('examples/workspace');
const out = join(workspace, '.sbom-test');
mkdirSync(out);
t.teardown(() => removeDir(workspace));
const registry = `${REGISTRY_HOST}/crossbake-sbom`;
const ref = `${registry}/backend:sbom-e2e`;
/** The pushed image's linux/amd64 image, pulled by digest and tagged: docker save writes one platform. */
const local = 'crossbake-sbom-e2e/backend:amd64';
t.teardown(() => {
  removeImages(registry);
  void docker(['image', 'rm', local]);
});

const ws = readWorkspace(diskFiles(workspace), '.');
const backend = ws.bins.find((b) => b.name === 'backend')!;
const expected = binaryCrates(ws, backend).map((c) => `pkg:cargo/${c.name}@${c.version}`);

t.test('the report counts the crates the image carries', async (t) => {
  const report = join(out, 'report.json');
  const run = crossbake([
    'bake',
    'backend',
    '-w',
    workspace,
    '--registry',
    registry,
    '--cache',
    'none',
    '--tag',
    'sbom-e2e',
    '--push',
    '--progress',
    'plain',
    '--report',
    report,
  ]);
  t.equal(run.code, 0, run.code === 0 ? 'crossbake bake backend --push' : run.stderr.slice(-3000));
  for (const p of PLATFORMS)
    t.match(run.stdout, new RegExp(`^backend\\s+${p.docker}\\s+built\\s.*\\s${expected.length}\\s`, 'm'), `the table: ${p.docker}`);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  t.same(
    json.rows.map((r: { crates: number }) => r.crates),
    PLATFORMS.map(() => expected.length),
    `--report JSON: ${expected.length} crates on every platform`,
  );
  const amd64 = runnable(rawManifest(ref)).find((m: Descriptor) => m.platform?.architecture === 'amd64');
  t.ok(amd64, 'the index has a linux/amd64 image');
  if (!amd64) return;
  t.equal(docker(['pull', '-q', `${registry}/backend@${amd64.digest}`]).code, 0, 'pulled by digest');
  t.equal(docker(['tag', `${registry}/backend@${amd64.digest}`, local]).code, 0);
});

t.test("a real scanner finds backend's crates in the saved image, and no other binary's", async (t) => {
  const tar = join(out, 'backend.tar');
  const save = docker(['save', '-o', tar, local]);
  t.equal(save.code, 0, save.stderr);
  const bom = join(out, 'bom.json');
  const scan = sh(cdxgen(), ['-t', 'docker', '--no-install-deps', '-o', bom, tar], { env: { CDXGEN_TELEMETRY: 'off' } });
  t.equal(scan.code, 0, scan.code === 0 ? 'cdxgen -t docker' : scan.stderr.slice(-3000));
  const components: Array<{ purl?: string }> = JSON.parse(readFileSync(bom, 'utf8')).components ?? [];
  const crates = components.map((c) => c.purl ?? '').filter((p) => p.startsWith('pkg:cargo/'));
  t.same([...new Set(crates)].sort(), [...expected].sort(), 'the same crates, by name and version');
  t.ok(
    crates.some((p) => p.startsWith('pkg:cargo/serde@')) && crates.some((p) => p.startsWith('pkg:cargo/serde_json@')),
    'serde and serde_json among them',
  );
  t.notOk(
    crates.some((p) => p.startsWith('pkg:cargo/frontend@')),
    'not frontend: the lock is pruned to this binary',
  );
});

t.test("the image's lock is binaryLock(); the binary has no build-stage paths", async (t) => {
  const name = `crossbake-sbom-${process.pid}`;
  t.equal(docker(['create', '--name', name, local]).code, 0);
  t.teardown(() => void docker(['rm', name]));
  for (const file of ['Cargo.lock', 'backend']) {
    const cp = docker(['cp', `${name}:/app/${file}`, join(out, file)]);
    t.equal(cp.code, 0, cp.stderr);
  }
  t.equal(readFileSync(join(out, 'Cargo.lock'), 'utf8'), binaryLock(ws, backend));
  const binary = readFileSync(join(out, 'backend')).toString('latin1');
  t.notMatch(binary, /\/usr\/share\/cargo\/registry\//, "no Debian registry path (serde_json's panic locations had it)");
  t.notMatch(binary, /\/build\/(crates|target)\//, 'no build directory path');
  t.match(binary, /\/cargo\/registry\/serde_json-[\d.]+\/src\//, 'the remapped crate path instead');
});

t.test("attest.sbom with a generator the builder can pull: each platform's SBOM attestation survives the merge", async (t) => {
  // docker/buildkit-syft-scanner cannot be pulled here: a stand-in that follows BuildKit's protocol.
  const scanner = `${REGISTRY_HOST}/supply/sbom-scanner:test`;
  const build = docker(['build', '-q', '-t', scanner, join(repoRoot, 'test/e2e/sbom-scanner')]);
  t.equal(build.code, 0, build.stderr);
  t.equal(docker(['push', '-q', scanner]).code, 0, `pushed ${scanner}`);
  const supply = `${REGISTRY_HOST}/supply`;
  t.teardown(() => void docker(['image', 'rm', scanner, `${supply}/backend:sbom-e2e`]));
  appendFileSync(
    join(workspace, 'Cargo.toml'),
    `\n[workspace.metadata.crossbake.attest]\nsbom = true\nsbom-generator = ${JSON.stringify(scanner)}\n`,
  );
  const report = join(out, 'push-report.json');
  const run = crossbake([
    'bake',
    'backend',
    '-w',
    workspace,
    '--registry',
    supply,
    '--tag',
    'sbom-e2e',
    '--cache',
    'none',
    '--push',
    '--progress',
    'plain',
    '--report',
    report,
  ]);
  t.equal(run.code, 0, run.code === 0 ? 'crossbake bake backend --push' : run.stderr.slice(-3000));
  const rows: Array<{ platform: string; attestations?: string[] }> = JSON.parse(readFileSync(report, 'utf8')).rows;
  for (const row of rows) t.same(row.attestations?.sort(), ['provenance', 'sbom'], `${row.platform}: the report says provenance and sbom`);
  const index = rawManifest(`${supply}/backend:sbom-e2e`);
  const platforms = runnable(index);
  t.equal(platforms.length, PLATFORMS.length);
  for (const m of platforms) {
    const attestation = index.manifests.find((a: Descriptor) => a.annotations?.['vnd.docker.reference.digest'] === m.digest);
    const layers: Descriptor[] = attestation ? rawManifest(`${supply}/backend@${attestation.digest}`).layers : [];
    const spdx = layers.find((l) => l.annotations?.['in-toto.io/predicate-type'] === 'https://spdx.dev/Document');
    t.ok(spdx, `${m.platform?.architecture}: an SPDX attestation names this platform's manifest in the merged index`);
    if (!spdx) continue;
    const blob = sh('curl', ['-sf', `http://${REGISTRY_HOST}/v2/supply/backend/blobs/${spdx.digest}`]);
    const packages: Array<{ name: string }> = JSON.parse(blob.stdout).predicate.packages;
    t.same(
      packages.map((p) => p.name).sort(),
      binaryCrates(ws, backend)
        .map((c) => c.name)
        .sort(),
      `${m.platform?.architecture}: the generator saw the image's own lock`,
    );
  }
});
