import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { diskFiles } from '../src/fs/read.js';
import { armHardFloat, readElf } from '../src/native/elf.js';
import { compareVersions, glibcFloor, glibcProblem, machineProblem, parseVersion } from '../src/native/glibc.js';
import { crossEnv, nativeFiles, nativeNeeds, SYS_CRATES, targetPackagesFor } from '../src/native/sys-crates.js';
import { findPlatform, PLATFORMS } from '../src/platforms.js';
import type { LockedPackage } from '../src/workspace/model.js';
import { readWorkspace } from '../src/workspace/read.js';
import { fixture, repoRoot } from './helpers/paths.js';

const elf = (arch: string) => readElf(readFileSync(fixture(join('elf', `hello-${arch}`))));
const platform = (name: string) => findPlatform(name)!;

t.test('ELF reader on real binaries of each architecture', async (t) => {
  const expected = {
    amd64: { class: 64, machine: 62, interpreter: '/lib64/ld-linux-x86-64.so.2' },
    arm64: { class: 64, machine: 183, interpreter: '/lib/ld-linux-aarch64.so.1' },
    armhf: { class: 32, machine: 40, interpreter: '/lib/ld-linux-armhf.so.3' },
  };
  for (const [arch, want] of Object.entries(expected)) {
    const info = elf(arch);
    t.match(info, { ...want, endian: 'little' }, arch);
    t.same(info.needed, ['libm.so.6', 'libc.so.6'], `${arch}: NEEDED in file order`);
    t.ok(info.versionNeeds['libc.so.6']?.includes('GLIBC_2.36'), `${arch}: libc version needs`);
    t.equal(glibcFloor(info), '2.36', `${arch}: arc4random makes the floor 2.36`);
  }
  t.ok(armHardFloat(elf('armhf')), 'armhf is hard-float');
  t.throws(() => readElf(new TextEncoder().encode('#!/bin/sh\necho not an elf\n'.repeat(4))), { message: 'not an ELF file' });
});

t.test('machine check: the platform table against the ELF header', async (t) => {
  for (const p of PLATFORMS) {
    const own = { 'linux/amd64': 'amd64', 'linux/arm64': 'arm64', 'linux/arm/v7': 'armhf' }[p.docker]!;
    t.equal(machineProblem('api', elf(own), p), undefined, `${p.docker} accepts its own binary`);
  }
  const wrong = machineProblem('api', elf('amd64'), platform('linux/arm64'));
  t.match(
    wrong,
    /^crossbake: api for linux\/arm64 is an ELF for x86-64 64-bit, not ARM aarch64; .*aarch64-unknown-linux-gnu.*aarch64-linux-gnu-gcc/,
  );
  t.match(machineProblem('api', elf('arm64'), platform('linux/arm/v7')), /AArch64 64-bit, not ARM, EABI5/);
});

t.test('glibc comparison', async (t) => {
  t.same(parseVersion('2.36'), [2, 36]);
  t.equal(parseVersion('2.x'), undefined);
  t.equal(compareVersions([2, 4], [2, 36]), -1, 'numeric, not lexical');
  t.equal(compareVersions([2, 36], [2, 36, 0]), 0);
  t.equal(compareVersions([2, 38], [2, 36]), 1);
  t.equal(glibcProblem('api', elf('arm64'), '2.36', 'debian:bookworm-slim'), undefined, 'equal is fine');
  const msg = glibcProblem('api', elf('arm64'), '2.31', 'debian:bullseye-slim');
  t.match(msg, /^crossbake: api needs glibc 2\.36 .* debian:bullseye-slim has glibc 2\.31; /);
  t.equal(glibcFloor({ ...elf('amd64'), versionNeeds: { 'libc.so.6': ['GLIBC_PRIVATE'] } }), undefined);
});

t.test('the -sys table: every entry well formed, one row per crate', async (t) => {
  const names = SYS_CRATES.map((s) => s.crate);
  t.equal(new Set(names).size, names.length);
  for (const required of [
    'openssl-sys',
    'libsqlite3-sys',
    'zstd-sys',
    'libz-sys',
    'bzip2-sys',
    'lzma-sys',
    'curl-sys',
    'pq-sys',
    'libgit2-sys',
    'libssh2-sys',
    'onig_sys',
    'freetype-sys',
    'servo-fontconfig-sys',
    'yeslogic-fontconfig-sys',
  ]) {
    t.ok(names.includes(required), required);
  }
  for (const s of SYS_CRATES) for (const p of s.dev) t.match(p, /^[a-z0-9][a-z0-9+.-]+$/, `${s.crate}: ${p} is a Debian package name`);
});

const locked = (name: string, deps: string[] = [], source = 'registry+https://github.com/rust-lang/crates.io-index'): LockedPackage => ({
  name,
  version: '1.0.0',
  source,
  dependencies: deps,
});

t.test('native needs of the service example, from its Cargo.lock', async (t) => {
  const ws = readWorkspace(diskFiles(join(repoRoot, 'examples/service')), 'examples/service');
  const needs = nativeNeeds(ws.lockfile!.packages);
  t.same(
    needs.crates.map((c) => `${c.crate} ${c.mode}`),
    ['libsqlite3-sys system', 'openssl-sys system', 'zstd-sys system'],
  );
  t.same(needs.targetPackages, ['libsqlite3-dev', 'libssl-dev', 'libzstd-dev']);
  t.same(needs.buildPackages, ['clang', 'libclang-dev', 'pkg-config'], "Debian's zstd-sys runs bindgen");
  t.same(needs.unknown, []);
  t.same(targetPackagesFor(needs, platform('linux/arm/v7')), ['libsqlite3-dev:armhf', 'libssl-dev:armhf', 'libzstd-dev:armhf']);
});

t.test('bundled detection and unknown -sys crates', async (t) => {
  const needs = nativeNeeds([
    locked('libsqlite3-sys', ['cc', 'pkg-config', 'vcpkg']),
    locked('openssl-sys', ['cc', 'libc', 'openssl-src', 'pkg-config']),
    locked('zstd-sys', ['cc', 'libc']),
    locked('onig_sys', ['cc', 'pkg-config']),
    locked('ring', ['cc']),
    locked('mystery-sys'),
    { name: 'local-sys', version: '0.1.0', dependencies: [] },
  ]);
  t.same(
    needs.crates.map((c) => `${c.crate} ${c.mode}`),
    ['libsqlite3-sys bundled', 'onig_sys system', 'openssl-sys bundled', 'zstd-sys bundled'],
  );
  t.same(needs.targetPackages, ['libonig-dev']);
  t.same(needs.env, { RUSTONIG_SYSTEM_LIBONIG: '1' });
  t.same(needs.unknown, ['mystery-sys'], 'ring builds its own C; workspace members are not crates to install');
  t.same(nativeNeeds([locked('serde')]), { crates: [], targetPackages: [], buildPackages: [], env: {}, unknown: [] });
});

t.test('cross environment for build scripts', async (t) => {
  const env = crossEnv(platform('linux/arm64'));
  t.equal(env.PKG_CONFIG_ALLOW_CROSS, '1');
  t.equal(env.PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu, '/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig');
  t.equal(env.CC_aarch64_unknown_linux_gnu, 'aarch64-linux-gnu-gcc');
  t.equal(env.BINDGEN_EXTRA_CLANG_ARGS_aarch64_unknown_linux_gnu, '--target=aarch64-linux-gnu -I/usr/include/aarch64-linux-gnu');
  t.equal(crossEnv(platform('linux/arm/v7')).CC_armv7_unknown_linux_gnueabihf, 'arm-linux-gnueabihf-gcc');
});

t.test('the native plan files the skeleton stage writes: per architecture, bytes that move only with the -sys crates', async (t) => {
  const ws = readWorkspace(diskFiles(join(repoRoot, 'examples/service')), 'examples/service');
  const files = Object.fromEntries(nativeFiles(ws.lockfile!.packages, PLATFORMS).map((f) => [f.path, f.content]));
  t.equal(files['build.packages'], 'clang\nlibclang-dev\npkg-config\n');
  t.equal(files['arm64.packages'], 'libsqlite3-dev:arm64\nlibssl-dev:arm64\nlibzstd-dev:arm64\n');
  t.equal(files['unknown-sys-crates'], '');
  t.match(
    files['armhf.env'],
    "export PKG_CONFIG_LIBDIR_armv7_unknown_linux_gnueabihf='/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig'\n",
  );
  t.match(files['armhf.env'], "export CC_armv7_unknown_linux_gnueabihf='arm-linux-gnueabihf-gcc'\n");
  const bumped = ws.lockfile!.packages.map((p) => (p.name === 'serde' || p.name === 'libc' ? { ...p, version: '9.9.9' } : p));
  t.same(nativeFiles(bumped, PLATFORMS), nativeFiles(ws.lockfile!.packages, PLATFORMS), 'a version bump of other crates changes nothing');
  const none = nativeFiles([], PLATFORMS);
  t.ok(
    none.filter((f) => f.path.endsWith('.packages')).every((f) => f.content === ''),
    'a pure-Rust workspace installs nothing',
  );
});

t.test("build scripts' programs: protoc (prost-build 0.11 on, with the well-known types), cmake, libclang", async (t) => {
  const at = (name: string, version: string): LockedPackage => ({ ...locked(name), version });
  t.same(nativeNeeds([at('prost-build', '0.12.6'), locked('tonic-build', ['prost-build'])]).buildPackages, [
    'libprotobuf-dev',
    'protobuf-compiler',
  ]);
  t.same(nativeNeeds([at('prost-build', '0.10.4')]).buildPackages, [], 'prost-build 0.10 ships its own protoc');
  t.same(
    nativeNeeds([at('prost-build', '0.11.0-rc.1')]).buildPackages,
    ['libprotobuf-dev', 'protobuf-compiler'],
    'a pre-release as its release',
  );
  t.same(nativeNeeds([locked('cmake'), locked('bindgen')]).buildPackages, ['clang', 'cmake', 'libclang-dev']);
  t.same(
    nativeNeeds([{ name: 'cmake', version: '0.1.0', dependencies: [] }]).buildPackages,
    [],
    'a local crate named cmake is no build tool',
  );
});
