// The Plan keeps apart what cargo keeps apart, and follows cargo's directories and channels; inspect
// shows what generate refuses; ci writes nothing through a symlink out of the repository.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { profileDir } from '../src/plan.js';
import { cli } from './helpers/cli.js';
import { repoRoot, workspaceFixture } from './helpers/paths.js';

const base = mkdtempSync(join(tmpdir(), 'crossbake-plan-rules-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function copy(from = join(repoRoot, 'examples/workspace')): string {
  const dir = join(base, String(n++), 'ws');
  cpSync(from, dir, { recursive: true });
  return dir;
}

t.test("profile output directories are cargo's", async (t) => {
  t.same(['dev', 'test', 'release', 'bench', 'dist'].map(profileDir), ['debug', 'debug', 'release', 'release', 'dist']);
  const dir = copy();
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0);
  writeFileSync(
    join(dir, 'Cargo.toml'),
    readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace(
      '[workspace.metadata.crossbake]\n',
      '[workspace.metadata.crossbake]\nprofile = "bench"\n',
    ),
  );
  t.equal((await cli(['generate', '--workspace', dir, '--force'], dir)).code, 0);
  t.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'target/$RUST_TARGET/release/$bin');
});

t.test("binaries that collide after crossbake's mapping are refused, listing both", async (t) => {
  const dir = copy();
  mkdirSync(join(dir, 'crates/backend/src/bin'));
  writeFileSync(join(dir, 'crates/backend/src/bin/foo_bar.rs'), 'fn main() {}\n');
  writeFileSync(join(dir, 'crates/backend/src/bin/foo-bar.rs'), 'fn main() {}\n');
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /binaries "(foo_bar|foo-bar)" and "(foo_bar|foo-bar)" map to one Dockerfile stage, "runtime-foo-bar"/);
});

t.test('a binary with capitals gets a lower-case image name', async (t) => {
  const dir = copy();
  mkdirSync(join(dir, 'crates/backend/src/bin'));
  writeFileSync(join(dir, 'crates/backend/src/bin/Admin.rs'), 'fn main() {}\n');
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0, r.stderr);
  const hcl = readFileSync(join(dir, 'docker-bake.hcl'), 'utf8');
  t.match(hcl, 'image("admin", TAG)');
  // the one cargo call admits it by its own name, and CROSSBAKE_BINS names it so
  t.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /case "\$bin" in [^)]*\bAdmin\b[^)]*\) bins="\$bins --bin \$bin"/);
  t.match(hcl, /"CROSSBAKE_BINS" = "[^"]*\bAdmin\b/);
});

t.test('a binary named "all" gets stages of its own beside build-all, which compiles every binary', async (t) => {
  const dir = copy();
  mkdirSync(join(dir, 'crates/backend/src/bin'));
  writeFileSync(join(dir, 'crates/backend/src/bin/all.rs'), 'fn main() {}\n');
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0, r.stderr);
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  t.equal(dockerfile.match(/ AS build-all$/gm)?.length, 1);
  t.match(dockerfile, /^FROM runtime-base AS runtime-all$/m);
  t.match(dockerfile, /^COPY --from=build-all \/out\/all \/app\/all$/m);
});

t.test('a binary named "files" or "base" would take a runtime stage every image shares: refused with the fix', async (t) => {
  for (const name of ['files', 'base']) {
    const dir = copy();
    mkdirSync(join(dir, 'crates/backend/src/bin'));
    writeFileSync(join(dir, `crates/backend/src/bin/${name}.rs`), 'fn main() {}\n');
    const r = await cli(['generate', '--workspace', dir], dir);
    t.equal(r.code, 2, name);
    t.match(
      r.stderr,
      `binary "${name}" maps to the Dockerfile stage "runtime-${name}", which crossbake uses for every image's runtime. Rename it`,
    );
  }
});

t.test("a package's own runtime: its binary minimal, the other slim, in one Dockerfile", async (t) => {
  const dir = copy();
  const manifest = join(dir, 'crates/backend/Cargo.toml');
  writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\n[package.metadata.crossbake]\nruntime = "minimal"\n`);
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0, r.stderr);
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  t.match(dockerfile, /^FROM scratch AS runtime-backend$/m);
  t.match(dockerfile, /^FROM minimal-root AS libs-backend$/m);
  t.match(dockerfile, /^FROM runtime-base AS runtime-frontend$/m);
  t.match(dockerfile, /^FROM runtime-files AS libs-frontend$/m);
});

t.test('toolchain channels: a release is honoured, nightly refused by name unless rust-image says how', async (t) => {
  const toolchain = (dir: string, channel: string) => {
    writeFileSync(join(dir, 'rust-toolchain.toml'), `[toolchain]\nchannel = "${channel}"\n`);
    writeFileSync(join(dir, 'Cargo.toml'), readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace('toolchain = "debian"\n', ''));
  };
  let dir = copy();
  toolchain(dir, '1.79.0');
  t.equal((await cli(['generate', '--workspace', dir], dir)).code, 0);
  t.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'ARG RUST_IMAGE=rust:1.79.0-bookworm');
  dir = copy();
  toolchain(dir, 'nightly-2024-05-01');
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, /rust-toolchain\.toml: toolchain channel "nightly-2024-05-01" has no official rust image/);
  const ok = await cli(['generate', '--workspace', dir, '--force'], dir);
  t.equal(ok.code, 2, 'still refused without rust-image');
  writeFileSync(
    join(dir, 'Cargo.toml'),
    readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace(
      '[workspace.metadata.crossbake]\n',
      '[workspace.metadata.crossbake]\nrust-image = "rustlang/rust:nightly-bookworm"\n',
    ),
  );
  t.equal((await cli(['generate', '--workspace', dir], dir)).code, 0);
  t.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'ARG RUST_IMAGE=rustlang/rust:nightly-bookworm');
});

t.test('inspect shows a workspace without binaries; generate refuses it', async (t) => {
  const dir = copy(workspaceFixture('lib-only'));
  const shown = await cli(['inspect', '--workspace', dir], dir);
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, /^workspace \./);
  const refused = await cli(['generate', '--workspace', dir], dir);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /has no binary targets/);
});

t.test('ci does not follow a .github symlink out of the repository', async (t) => {
  const dir = copy();
  const outside = join(base, 'outside');
  mkdirSync(join(outside, 'workflows'), { recursive: true });
  symlinkSync(outside, join(dir, '.github'));
  t.equal((await cli(['generate', '--workspace', dir], dir)).code, 0);
  const r = await cli(['ci', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(
    r.stderr,
    /^crossbake: refusing to write \.github\/workflows\/crossbake\.yml: its directory is really .*outside\/workflows, outside \. \(a symlink leads there\)/,
  );
  t.same(readdirSync(join(outside, 'workflows')), []);
});

t.test('crate names from Cargo.lock become apt packages only when they are valid Debian names', async (t) => {
  const dir = copy();
  writeFileSync(
    join(dir, 'Cargo.lock'),
    readFileSync(join(dir, 'Cargo.lock'), 'utf8').replace('name = "serde"\n', 'name = "serde; touch /pwned"\n'),
  );
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(r.stderr, 'Cargo.lock: package "serde; touch /pwned" cannot be a Debian crate package name');
});

t.test('a local cache dir that leads out of the workspace through a symlink is refused', async (t) => {
  const dir = copy();
  const outside = join(base, 'cache-outside');
  mkdirSync(outside);
  symlinkSync(outside, join(dir, '.cache'));
  writeFileSync(
    join(dir, 'Cargo.toml'),
    `${readFileSync(join(dir, 'Cargo.toml'), 'utf8')}\n[workspace.metadata.crossbake.cache]\ntype = "local"\ndir = ".cache/build"\n`,
  );
  const r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2);
  t.match(
    r.stderr,
    /^crossbake: cache\.dir "\.cache\/build": \.cache leads \(through a symlink\) to .*cache-outside, outside the workspace root \./,
  );
});

t.test('a Cargo.lock in format 4 gets a cargo that reads it, or one message saying which pin is too old', async (t) => {
  const v4 = (dir: string) =>
    writeFileSync(join(dir, 'Cargo.lock'), readFileSync(join(dir, 'Cargo.lock'), 'utf8').replace(/^version = 3$/m, 'version = 4'));
  const toolchain = (dir: string, value: string) =>
    writeFileSync(join(dir, 'Cargo.toml'), readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace('toolchain = "debian"', value));
  const fromImage = (dir: string) => /^ARG RUST_IMAGE=(\S+)$/m.exec(readFileSync(join(dir, 'Dockerfile'), 'utf8'))?.[1];

  let dir = copy();
  v4(dir);
  let r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2, 'debian toolchain: refused');
  t.match(
    r.stderr,
    /Cargo\.lock is in format 4, which cargo reads from 1\.78 on; the debian toolchain's cargo is 1\.63 \(Debian 12\)\. Use toolchain = "rustup", or write the lock in format 3/,
  );
  t.notOk(readdirSync(dir).includes('Dockerfile'), 'nothing written');

  dir = copy();
  v4(dir);
  toolchain(dir, 'toolchain = "rustup"');
  r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0, r.stderr);
  t.equal(fromImage(dir), 'rust:1.78-bookworm', 'rust-version 1.63 is a minimum: the first cargo that reads the lock builds');
  t.match(
    r.stderr,
    /rust-version 1\.63 is older than cargo 1\.78: Cargo\.lock is in format 4, which cargo reads from 1\.78 on\. Building with rust:1\.78-bookworm/,
  );

  dir = copy();
  toolchain(dir, 'toolchain = "rustup"');
  t.equal((await cli(['generate', '--workspace', dir], dir)).code, 0);
  t.equal(fromImage(dir), 'rust:1.63-bookworm', 'format 3: rust-version as it is');

  dir = copy();
  v4(dir);
  toolchain(dir, 'toolchain = "rustup"\nrust-version = "1.70"');
  r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2, 'a pin in the settings: refused');
  t.match(
    r.stderr,
    /rust-version in the crossbake settings pins Rust 1\.70, but Cargo\.lock is in format 4, which cargo reads from 1\.78 on\. Pin 1\.78 or newer/,
  );

  const edition2024 = (dir: string) =>
    writeFileSync(join(dir, 'Cargo.toml'), readFileSync(join(dir, 'Cargo.toml'), 'utf8').replace('edition = "2021"', 'edition = "2024"'));
  dir = copy();
  edition2024(dir);
  r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 2, 'edition 2024 with the debian toolchain: refused');
  t.match(
    r.stderr,
    /crates\/backend\/Cargo\.toml \(and 2 more\) uses edition 2024, which cargo compiles from 1\.85 on; the debian toolchain's cargo is 1\.63 \(Debian 12\)\. Use toolchain = "rustup"\./,
  );
  dir = copy();
  edition2024(dir);
  v4(dir);
  toolchain(dir, 'toolchain = "rustup"');
  r = await cli(['generate', '--workspace', dir], dir);
  t.equal(r.code, 0, r.stderr);
  t.equal(fromImage(dir), 'rust:1.85-bookworm', 'the newest cargo the workspace asks for');
});
