import { join } from 'node:path';
import { parse } from '@iarna/toml';
import t from 'tap';
import { loadProject } from '../src/commands/project.js';
import { diskFiles } from '../src/fs/read.js';
import { binaryCrates, binaryLock, lockText } from '../src/workspace/crates.js';
import { readWorkspace } from '../src/workspace/read.js';
import { repoRoot, workspaceFixture } from './helpers/paths.js';

const ws = readWorkspace(diskFiles(workspaceFixture('sbom')), 'sbom');
const app = ws.bins.find((b) => b.name === 'app')!;

t.test("a binary's crates: normal and build dependencies through the lock, no dev-dependencies", async (t) => {
  t.same(
    binaryCrates(ws, app).map((c) => `${c.name} ${c.version}`),
    ['app 0.1.0', 'cc 1.0.79', 'itoa 1.0.9', 'libc 0.2.147', 'serde_json 1.0.99', 'util 0.1.0'],
    'renamed (json → serde_json), inherited, target-specific and build dependencies kept; proptest, rand, tempfile (dev) left out',
  );
});

t.test('the pruned lock is a lock: it parses, keeps checksums, and lists only kept dependencies', async (t) => {
  const text = lockText(binaryCrates(ws, app), 3);
  const parsed = parse(text) as { version: number; package: Array<{ name: string; checksum?: string; dependencies?: string[] }> };
  t.equal(parsed.version, 3);
  t.same(
    parsed.package.map((p) => p.name),
    ['app', 'cc', 'itoa', 'libc', 'serde_json', 'util'],
  );
  t.same(parsed.package.find((p) => p.name === 'app')!.dependencies, ['cc', 'libc', 'serde_json', 'util']);
  t.same(parsed.package.find((p) => p.name === 'util')!.dependencies, ['itoa']);
  t.equal(parsed.package.find((p) => p.name === 'itoa')!.checksum, 'af150ab688ff2122fcef229be89cb50dd66af9e01a4ff320cc137eecc9bacc38');
});

t.test("the image's lock and the report's count come from the same list", async (t) => {
  t.equal(binaryLock(ws, app), lockText(binaryCrates(ws, app), ws.lockfile!.version));
  const { plan } = loadProject({ workspace: 'examples/workspace', flags: {}, cwd: repoRoot });
  const example = readWorkspace(diskFiles(join(repoRoot, 'examples/workspace')), '.');
  for (const image of plan.images) {
    const bin = example.bins.find((b) => b.name === image.bin)!;
    t.equal(image.crates, binaryCrates(example, bin).length, `${image.bin}: ${image.crates} crates`);
  }
  t.equal(plan.images.find((i) => i.bin === 'backend')!.crates, 11, 'backend: itself, shared, serde, serde_json and what they use');
});
