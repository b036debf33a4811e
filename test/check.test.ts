import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

function copy(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  for (const f of ['Dockerfile', '.dockerignore', 'docker-bake.hcl', 'docker-bake.json']) rmSync(join(dir, f), { force: true });
  return dir;
}

const snapshot = (dir: string) =>
  Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

t.test('generate --check: names every file that is not up to date, writes nothing, exit 8', async (t) => {
  const dir = copy(t);
  const before = snapshot(dir);
  const missing = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.equal(missing.code, 8);
  t.match(missing.stderr, /9 generated files are not up to date; run `crossbake generate --workspace \.` and commit the result:/);
  t.match(missing.stderr, /Dockerfile is missing/);
  t.same(snapshot(dir), before, 'nothing written');

  t.equal((await cli(['generate', '--workspace', '.'], dir)).code, 0);
  const fresh = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.equal(fresh.code, 0, 'up to date after generate');

  writeFileSync(join(dir, 'Cargo.toml'), readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace('port = 8080', 'port = 8081'));
  const stale = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.equal(stale.code, 8);
  t.match(stale.stderr, /1 generated file is not up to date/);
  t.match(stale.stderr, /Dockerfile differs from what crossbake writes now/);

  writeFileSync(join(dir, 'docker-bake.hcl'), `${readFileSync(join(dir, 'docker-bake.hcl'), 'utf8')}# mine\n`);
  const edited = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.match(edited.stderr, /docker-bake\.hcl was edited by hand/);
  t.match(edited.stderr, /run `crossbake generate --workspace \. --force`/, 'the fix for a hand edit is --force');
});

t.test('a lock change, a version bump or a new dependency needs no regeneration; a new binary does', async (t) => {
  const dir = copy(t);
  const edit = (path: string, change: (s: string) => string) =>
    writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));
  t.equal((await cli(['generate', '--workspace', '.'], dir)).code, 0);
  edit('Cargo.toml', (s) => s.replace('version = "0.1.0"', 'version = "0.2.0"'));
  edit('Cargo.lock', (s) => s.replace(/(name = "(backend|frontend|shared)"\nversion = )"0\.1\.0"/g, '$1"0.2.0"'));
  edit('crates/backend/Cargo.toml', (s) => s.replace('[dependencies]', '[dependencies]\nitoa = "1"'));
  const check = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.equal(check.code, 0, 'up to date');
  t.match(check.stderr, /nothing to regenerate: Cargo\.lock, versions and sources are read inside the build/);
  const again = await cli(['generate', '--workspace', '.'], dir);
  t.notMatch(again.stderr, /wrote /, 'generate rewrites nothing');
  t.match(again.stderr, /nothing to regenerate/);

  edit('crates/frontend/Cargo.toml', (s) => `${s}\n[[bin]]\nname = "admin"\npath = "src/admin.rs"\n`);
  writeFileSync(join(dir, 'crates/frontend/src/admin.rs'), 'fn main() {}\n');
  const stale = await cli(['generate', '--workspace', '.', '--check'], dir);
  t.equal(stale.code, 8, 'a new binary: stale');
  const regenerated = await cli(['generate', '--workspace', '.'], dir);
  t.match(regenerated.stderr, /wrote Dockerfile\n/);
  t.match(regenerated.stderr, /regenerated: the workspace's structure \(members, binaries, targets\) or the settings changed/);
});

t.test('ci --check: the workflow, the same way', async (t) => {
  const dir = copy(t);
  const r = await cli(['ci', '--workspace', '.', '--check'], dir);
  t.equal(r.code, 8);
  t.match(r.stderr, /\.github\/workflows\/crossbake\.yml is missing/);
  t.equal((await cli(['ci', '--workspace', '.'], dir)).code, 0);
  t.equal((await cli(['ci', '--workspace', '.', '--check'], dir)).code, 0);
  const split = await cli(['ci', '--workspace', '.', '--check', '--split'], dir);
  t.equal(split.code, 8, 'another mode is another file');
  t.match(split.stderr, /run `crossbake ci --workspace \. --split`/);
});

t.test('--check belongs to generate and ci', async (t) => {
  const r = await cli(['bake', '--workspace', 'examples/workspace', '--check']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--check is for generate and ci, not bake/);
});
