// Reading like cargo: what it accepts (CRLF, BOM, every toolchain channel) is read; what it refuses
// (wrong types, missing bin paths, members outside the root) is refused by name, with exit 2.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { inspectJson } from '../src/commands/inspect.js';
import { CrossbakeError } from '../src/errors.js';
import { diskFiles, invalidUtf8Offset } from '../src/fs/read.js';
import { readWorkspace } from '../src/workspace/read.js';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const example = join(repoRoot, 'examples/workspace');

function copy(t: { teardown: (fn: () => void) => void }): string {
  const base = mkdtempSync(join(tmpdir(), 'crossbake-rules-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'ws');
  cpSync(example, dir, { recursive: true });
  return dir;
}

const edit = (dir: string, file: string, change: (text: string) => string) =>
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));

function refusal(dir: string): string {
  try {
    readWorkspace(diskFiles(dir, 'ws'), 'ws');
  } catch (error) {
    if (error instanceof CrossbakeError && error.exitCode === 2) return error.message;
    throw error;
  }
  throw new Error('expected the workspace to be refused');
}

const model = (dir: string) => inspectJson(readWorkspace(diskFiles(dir, 'ws'), 'ws'));

t.test('CRLF line ends and a UTF-8 BOM are read as cargo reads them', async (t) => {
  const dir = copy(t);
  const expected = model(dir);
  for (const f of ['Cargo.toml', 'crates/backend/Cargo.toml', 'Cargo.lock']) edit(dir, f, (s) => `\uFEFF${s.replace(/\n/g, '\r\n')}`);
  t.same(model(dir), expected);
});

t.test('invalid UTF-8 is named with file, byte and line', async (t) => {
  const dir = copy(t);
  const text = readFileSync(join(dir, 'crates/backend/Cargo.toml'));
  writeFileSync(
    join(dir, 'crates/backend/Cargo.toml'),
    Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n'), text]),
  );
  t.equal(
    refusal(dir),
    'ws/crates/backend/Cargo.toml: invalid UTF-8 at byte 5 (line 1). Cargo reads it as UTF-8; save it in that encoding.',
  );
  t.equal(invalidUtf8Offset(Buffer.from('ok é € 𝄞')), undefined);
  t.equal(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf])), 1, 'overlong');
  t.equal(invalidUtf8Offset(Buffer.from([0x61, 0xed, 0xa0, 0x80])), 1, 'surrogate');
  t.equal(invalidUtf8Offset(Buffer.from([0x61, 0xe2, 0x82])), 1, 'truncated');
});

t.test('deep nesting is a clear exit 2, not a stack overflow', async (t) => {
  const dir = copy(t);
  edit(dir, 'Cargo.toml', (s) => s.replace('[workspace]\n', `[workspace]\nnest = ${'['.repeat(20000)}${']'.repeat(20000)}\n`));
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(
    r.stderr,
    /^crossbake: Cargo\.toml: values nest more than 100 levels deep \(at workspace\.nest(\[0\])+\); crossbake reads at most 100\. Flatten them\.\n$/,
  );
});

t.test('wrong types are named', async (t) => {
  const cases: Array<[string, (s: string) => string, string]> = [
    [
      'Cargo.toml',
      (s) => s.replace('members = ["crates/*"]', 'members = "crates/*"'),
      'ws/Cargo.toml: workspace.members must be an array of strings, not a string ("crates/*"), as Cargo requires. Fix it there.',
    ],
    [
      'crates/backend/Cargo.toml',
      (s) => s.replace('[package]', '[package]\nautobins = "no"'),
      'ws/crates/backend/Cargo.toml: package.autobins must be true or false, not a string ("no"), as Cargo requires. Fix it there.',
    ],
    [
      'crates/backend/Cargo.toml',
      (s) => `${s}\n[bin]\nname = "x"\n`,
      'ws/crates/backend/Cargo.toml: bin must be an array of tables ([[bin]]), not a table, as Cargo requires. Fix it there.',
    ],
  ];
  for (const [file, change, message] of cases) {
    const dir = copy(t);
    edit(dir, file, change);
    t.equal(refusal(dir), message);
  }
});

t.test('a [[bin]] whose path does not exist is an error', async (t) => {
  const dir = copy(t);
  edit(dir, 'crates/backend/Cargo.toml', (s) => `${s}\n[[bin]]\nname = "ghost"\npath = "src/ghost.rs"\n`);
  t.equal(
    refusal(dir),
    'ws/crates/backend/Cargo.toml: [[bin]] "ghost" has path "src/ghost.rs", but crates/backend/src/ghost.rs does not exist; cargo stops there too. Fix the path or create the file.',
  );
});

t.test('nothing outside the workspace root is read', async (t) => {
  const outsideMember = (dir: string) => {
    mkdirSync(join(dir, '../outside/src'), { recursive: true });
    writeFileSync(join(dir, '../outside/Cargo.toml'), '[package]\nname = "outside"\nversion = "0.1.0"\n');
    writeFileSync(join(dir, '../outside/src/main.rs'), 'fn main() {}\n');
  };
  {
    const dir = copy(t);
    outsideMember(dir);
    edit(dir, 'Cargo.toml', (s) => s.replace('members = ["crates/*"]', 'members = ["crates/*", "../outside"]'));
    t.match(refusal(dir), /^ws\/Cargo\.toml: workspace\.members "\.\.\/outside" is outside the workspace root; a member must be inside it/);
  }
  {
    const dir = copy(t);
    outsideMember(dir);
    edit(dir, 'Cargo.toml', (s) =>
      s.replace('members = ["crates/*"]', `members = ["crates/*", ${JSON.stringify(join(dir, '../outside'))}]`),
    );
    t.match(refusal(dir), /is outside the workspace root; a member must be inside it/, 'an absolute member');
  }
  {
    const dir = copy(t);
    outsideMember(dir);
    symlinkSync(join(dir, '../outside'), join(dir, 'crates/linked'));
    t.match(
      refusal(dir),
      /^ws\/Cargo\.toml: workspace\.members "crates\/linked" is a symlink to \.\.\/outside, outside the workspace root/,
    );
  }
  {
    const dir = copy(t);
    outsideMember(dir);
    edit(dir, 'crates/backend/Cargo.toml', (s) => `${s}\n[[bin]]\nname = "escape"\npath = "../../../outside/src/main.rs"\n`);
    t.match(refusal(dir), /\[\[bin\]\] "escape" path "\.\.\/\.\.\/\.\.\/outside\/src\/main\.rs" is outside the workspace root/);
  }
  {
    const dir = copy(t);
    outsideMember(dir);
    symlinkSync(join(dir, '../outside/src/main.rs'), join(dir, 'crates/backend/src/linked.rs'));
    edit(dir, 'crates/backend/Cargo.toml', (s) => `${s}\n[[bin]]\nname = "linked"\npath = "src/linked.rs"\n`);
    t.match(
      refusal(dir),
      /\[\[bin\]\] "linked" path "src\/linked\.rs" resolves to \.\.\/outside\/src\/main\.rs, outside the workspace root/,
    );
  }
  {
    const dir = copy(t);
    outsideMember(dir);
    rmSync(join(dir, 'Cargo.lock'));
    symlinkSync(join(dir, '../outside/Cargo.toml'), join(dir, 'Cargo.lock'));
    t.match(refusal(dir), /^ws\/Cargo\.lock resolves to .*\/outside\/Cargo\.toml, outside the workspace root ws/, 'a symlinked lock file');
  }
});

t.test('toolchain channels: every rustup spelling is read, anything else refused by name', async (t) => {
  for (const channel of ['stable', 'beta', 'nightly', 'nightly-2024-05-01', '1.79', '1.79.0', 'stable-x86_64-unknown-linux-gnu']) {
    const dir = copy(t);
    writeFileSync(join(dir, 'rust-toolchain.toml'), `[toolchain]\nchannel = "${channel}"\n`);
    t.same(model(dir).toolchain, { file: 'rust-toolchain.toml', channel }, channel);
  }
  const dir = copy(t);
  writeFileSync(join(dir, 'rust-toolchain'), 'latest; touch /pwned\n');
  t.equal(
    refusal(dir),
    'ws/rust-toolchain: toolchain channel "latest; touch /pwned" is not one rustup knows: use stable, beta, nightly, nightly-YYYY-MM-DD, 1.79 or 1.79.0 (optionally followed by a host triple).',
  );
});

t.test('a binary name crossbake cannot carry is refused by name', async (t) => {
  const dir = copy(t);
  mkdirSync(join(dir, 'crates/backend/src/bin'), { recursive: true });
  writeFileSync(join(dir, 'crates/backend/src/bin/a b.rs'), 'fn main() {}\n');
  t.match(
    refusal(dir),
    /^ws\/crates\/backend\/Cargo\.toml: binary "a b" \(crates\/backend\/src\/bin\/a b\.rs\) cannot name an image or a Dockerfile stage/,
  );
});

t.test('a package name cargo refuses is refused by name', async (t) => {
  const dir = copy(t);
  edit(dir, 'crates/backend/Cargo.toml', (s) => s.replace('name = "backend"', 'name = "backend\\nRUN touch /pwned"'));
  t.equal(
    refusal(dir),
    'ws/crates/backend/Cargo.toml: package name "backend\\nRUN touch /pwned" is not a valid Cargo name of ASCII letters, digits, _ and - (at most 128); cargo refuses it too.',
  );
});

t.test('[patch] and [replace] paths are local packages for the skeleton; one outside the root is refused', async (t) => {
  const dir = copy(t);
  mkdirSync(join(dir, 'patches/serde_json/src'), { recursive: true });
  writeFileSync(join(dir, 'patches/serde_json/Cargo.toml'), '[package]\nname = "serde_json"\nversion = "1.0.99"\nedition = "2021"\n');
  writeFileSync(join(dir, 'patches/serde_json/src/lib.rs'), '');
  edit(dir, 'Cargo.toml', (text) => `${text}\n[patch.crates-io]\nserde_json = { path = "patches/serde_json" }\n`);
  const ws = readWorkspace(diskFiles(dir, 'ws'), 'ws');
  t.same(
    ws.localPackages.map((p) => p.manifestPath),
    ['patches/serde_json/Cargo.toml'],
    'the patch is a local package',
  );
  t.notOk(
    ws.members.some((m) => m.name === 'serde_json'),
    'and no member',
  );
  edit(dir, 'Cargo.toml', (text) => text.replace('path = "patches/serde_json"', 'path = "../serde_json"'));
  t.match(
    refusal(dir),
    /^ws\/Cargo\.toml: the path "\.\.\/serde_json" of patch\.crates-io "serde_json" is outside the workspace root; the build context holds only what is inside it\./,
  );
});

t.test('a root package without [workspace]: path dependencies are local packages, no members, and confined to the root', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'crossbake-rules-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'ws');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'util/src'), { recursive: true });
  writeFileSync(join(dir, 'Cargo.toml'), '[package]\nname = "app"\nversion = "0.1.0"\n\n[dependencies]\nutil = { path = "util" }\n');
  writeFileSync(join(dir, 'src/main.rs'), 'fn main() {}\n');
  writeFileSync(join(dir, 'util/Cargo.toml'), '[package]\nname = "util"\nversion = "0.1.0"\n');
  writeFileSync(join(dir, 'util/src/main.rs'), 'fn main() {}\n');
  const ws = readWorkspace(diskFiles(dir, 'ws'), 'ws');
  t.same(
    ws.members.map((m) => m.name),
    ['app'],
  );
  t.same(
    ws.localPackages.map((p) => p.name),
    ['util'],
  );
  t.same(
    ws.bins.map((b) => b.name),
    ['app'],
    "util's binary is no image",
  );
  writeFileSync(join(dir, 'Cargo.toml'), '[package]\nname = "app"\nversion = "0.1.0"\n\n[dependencies]\nutil = { path = "../util" }\n');
  t.match(refusal(dir), /^ws\/Cargo\.toml: the path "\.\.\/util" of dependency "util" is outside the workspace root/);
});

t.test('a crate a member reaches is a member, even when an excluded crate or a [patch] reaches it first', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'crossbake-rules-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'ws');
  const pkg = (path: string, name: string, deps = '') => {
    mkdirSync(join(dir, path, 'src'), { recursive: true });
    writeFileSync(join(dir, path, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "0.1.0"\n\n[dependencies]\n${deps}`);
    writeFileSync(join(dir, path, 'src/lib.rs'), '');
  };
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'Cargo.toml'),
    '[workspace]\nmembers = ["app", "b"]\nexclude = ["vendor"]\n\n[patch.crates-io]\nz = { path = "libs/z" }\n',
  );
  pkg('app', 'app', 'v = { path = "../vendor/v" }\n');
  pkg('b', 'b', 'y = { path = "../libs/y" }\n');
  pkg('vendor/v', 'v', 'x = { path = "../../libs/x" }\n');
  pkg('libs/y', 'y', 'x = { path = "../x" }\nz = { path = "../z" }\n');
  pkg('libs/x', 'x');
  pkg('libs/z', 'z');
  const ws = readWorkspace(diskFiles(dir, 'ws'), 'ws');
  t.same(
    ws.members.map((m) => m.name),
    ['app', 'b', 'x', 'y', 'z'],
  );
  t.same(
    ws.localPackages.map((p) => p.name),
    ['v'],
  );
});
