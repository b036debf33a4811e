import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { bundleSkeleton, skeletonBundleFile } from '../scripts/bundle-skeleton.js';
import { diskFiles } from '../src/fs/read.js';
import { binaryLock } from '../src/workspace/crates.js';
import { debianCratePackages } from '../src/workspace/debian.js';
import { recordingFiles } from '../src/workspace/inputs.js';
import { readWorkspace } from '../src/workspace/read.js';
import { dependencySkeleton } from '../src/workspace/skeleton.js';
import { repoRoot, workspaceFixture } from './helpers/paths.js';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = readFileSync(full, 'utf8');
  }
  return out;
}

/** The bundle as the build runs it: a separate node process over a workspace directory. */
function plan(workspace: string, extra: readonly string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'crossbake-bundle-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [
    skeletonBundleFile,
    workspace,
    join(out, 'skeleton'),
    '--debian-crates',
    join(out, 'crates'),
    '--sbom',
    join(out, 'sbom'),
    ...extra,
  ]);
  const ok = r.status === 0;
  return {
    status: r.status,
    stderr: r.stderr.toString(),
    files: ok ? tree(join(out, 'skeleton')) : {},
    crates: ok ? readFileSync(join(out, 'crates'), 'utf8') : '',
    locks: ok ? tree(join(out, 'sbom')) : {},
  };
}

t.test('the committed bundle is built from the current sources, and building is deterministic', async (t) => {
  const fresh = await bundleSkeleton();
  t.equal(readFileSync(skeletonBundleFile, 'utf8'), fresh, 'docker/crossbake-skeleton.mjs is current (rebuild: npm run bundle)');
  t.equal(await bundleSkeleton(), fresh, 'a second build gives the same bytes');
  t.notMatch(fresh, new RegExp(repoRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no absolute path of this machine in it');
});

const workspaces = [
  join(repoRoot, 'examples/workspace'),
  ...[
    'autobins-false',
    'bins',
    'default-members',
    'edition-2015-package',
    'globs',
    'inheritance',
    'lib-only',
    'root-package',
    'toolchain',
  ].map(workspaceFixture),
];
for (const ws of workspaces) {
  t.test(`the bundle computes what dependencySkeleton() does: ${relative(repoRoot, ws)}`, async (t) => {
    const model = readWorkspace(diskFiles(ws), '.');
    const expected = Object.fromEntries(dependencySkeleton(model).map((f) => [f.path, f.content]));
    const run = plan(ws);
    t.equal(run.status, 0, `it succeeds\n${run.stderr}`);
    t.same(run.files, expected, 'the same files, byte for byte');
    t.equal(
      run.crates,
      debianCratePackages(model.lockfile)
        .map((p) => `${p}\n`)
        .join(''),
      'the same Debian crate packages',
    );
    t.same(
      run.locks,
      Object.fromEntries(model.bins.map((b) => [join(b.name, 'Cargo.lock'), binaryLock(model, b)])),
      "each binary's own Cargo.lock, as binaryLock() gives it",
    );
  });
}

/** As the skeleton stage mounts it: only the files the recorded reading read, and the layout file. */
function recordedCopy(ws: string): { dir: string; layout: string } {
  const recorded = recordingFiles(diskFiles(ws));
  readWorkspace(recorded.files, '.');
  const inputs = recorded.inputs();
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-recorded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const path of inputs.read) {
    mkdirSync(dirname(join(dir, 'context', path)), { recursive: true });
    cpSync(join(ws, path), join(dir, 'context', path));
  }
  writeFileSync(join(dir, 'layout.json'), JSON.stringify(inputs));
  return { dir: join(dir, 'context'), layout: join(dir, 'layout.json') };
}

for (const ws of workspaces) {
  t.test(`from the manifests and the recorded layout alone, the bundle computes the same: ${relative(repoRoot, ws)}`, async (t) => {
    const whole = plan(ws);
    const copy = recordedCopy(ws);
    const recorded = plan(copy.dir, ['--layout', copy.layout]);
    t.equal(recorded.status, 0, `it succeeds\n${recorded.stderr}`);
    t.same(recorded, whole, 'the same skeleton, crate packages and locks');
  });
}

t.test('a source change, a version bump and a description give the same output; a new dependency does not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-bundle-ws-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const edit = (path: string, change: (s: string) => string) =>
    writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));
  const before = plan(dir);
  edit('crates/backend/src/main.rs', (s) => `${s}\n// a source change\n`);
  t.same(plan(dir), before, 'a source change');
  const skeletonOf = (run: ReturnType<typeof plan>) => ({ files: run.files, crates: run.crates });
  edit('Cargo.toml', (s) => s.replace('version = "0.1.0"', 'version = "0.2.0"'));
  edit('Cargo.lock', (s) => s.replace(/(name = "(backend|frontend|shared)"\nversion = )"0\.1\.0"/g, '$1"0.2.0"'));
  const bumped = plan(dir);
  t.same(skeletonOf(bumped), skeletonOf(before), 'a version bump of the workspace (cargo-chef#323)');
  t.match(
    bumped.locks['backend/Cargo.lock'],
    /name = "backend"\nversion = "0\.2\.0"/,
    "the image's own lock (outside the skeleton) has the new version",
  );
  edit('crates/backend/Cargo.toml', (s) => s.replace(/^description = .*$/m, 'description = "a new description"'));
  t.same(skeletonOf(plan(dir)), skeletonOf(before), 'a new description');
  edit('crates/backend/Cargo.toml', (s) => s.replace('[dependencies]', '[dependencies]\nitoa = "1"'));
  t.not(plan(dir).files['crates/backend/Cargo.toml'], before.files['crates/backend/Cargo.toml'], 'a new dependency changes it');
});

t.test('bad input: one crossbake message, exit 2, no stack trace', async (t) => {
  const run = plan(workspaceFixture('bad-toml'));
  t.equal(run.status, 2);
  t.match(run.stderr, /^crossbake: Cargo\.toml:\d+:\d+: invalid TOML: /);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
  const usage = spawnSync(process.execPath, [skeletonBundleFile]);
  t.equal(usage.status, 2);
  t.match(usage.stderr.toString(), /^crossbake: usage: skeleton\.mjs <workspace> <out-dir>/);
  const copy = recordedCopy(join(repoRoot, 'examples/workspace'));
  for (const text of ['{ "read": [', '{"layout": 1}']) {
    writeFileSync(copy.layout, text);
    const broken = plan(copy.dir, ['--layout', copy.layout]);
    t.equal(broken.status, 2, `a broken layout (${text}): exit 2`);
    t.match(broken.stderr, /is not the layout crossbake recorded .*run `crossbake generate`/);
    t.notMatch(broken.stderr, /\n\s+at /, 'no stack trace');
  }
});
