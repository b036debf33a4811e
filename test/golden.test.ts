import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { goldenCases, goldenDir, renderCase } from './helpers/golden.js';
import { repoRoot } from './helpers/paths.js';

for (const c of goldenCases) {
  t.test(`golden ${c.name}`, async (t) => {
    const rendered = renderCase(c);
    const onDisk = readdirSync(goldenDir(c.name)).sort();
    t.same(rendered.map((f) => f.name).sort(), onDisk, 'the same set of files');
    for (const file of rendered) {
      const expected = readFileSync(join(goldenDir(c.name), file.name), 'utf8');
      t.equal(file.content, expected, `${file.name} (regenerate with npm run goldens)`);
    }
    t.same(renderCase(c), rendered, 'rendering twice gives the same bytes');
  });
}

t.test('a lock change and a member version bump leave every generated file as it is; the Dockerfile stays small', async (t) => {
  for (const c of goldenCases.filter((x) => ['example-debian', 'large-workspace'].includes(x.name))) {
    const dir = mkdtempSync(join(tmpdir(), 'crossbake-golden-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(repoRoot, c.workspace), dir, { recursive: true });
    const moved = { ...c, workspace: dir };
    const before = renderCase(moved);
    const lock = join(dir, 'Cargo.lock');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace(/^version = "1\.0\.1"$/m, 'version = "1.0.9"'));
    writeFileSync(
      lock,
      `${readFileSync(lock, 'utf8')}\n[[package]]\nname = "zz-new"\nversion = "0.1.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${'ab'.repeat(32)}"\n`,
    );
    const member = readdirSync(join(dir, 'crates'))[0]!;
    const manifest = join(dir, 'crates', member, 'Cargo.toml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^version\.workspace = true$/m, 'version = "9.9.9"'));
    t.same(renderCase(moved), before, `${c.name}: the same files after a lock change and ${member}'s version bump`);
    // It grows with the binaries (their build, libs and runtime stages), never with the lock.
    const dockerfile = before.find((f) => f.name === 'Dockerfile')!.content;
    const lines = dockerfile.split('\n').length;
    const bins = dockerfile.match(/^FROM build-all AS build-/gm)?.length ?? 0;
    t.ok(lines < 280 + 28 * bins, `${c.name}: the Dockerfile has ${lines} lines for ${bins} binaries`);
  }
});
