import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findPlatform } from '../src/platforms.js';
import { fixture, repoRoot } from './helpers/paths.js';

// docker/crossbake-runtime-libs.sh runs in the build on the build platform; here it reads the fixture
// ELF files with the host's readelf and resolves libraries with the host's dpkg (a Debian 12 amd64 host).
const tools = spawnSync('sh', ['-c', 'command -v readelf && command -v dpkg']).status === 0;
const READELF_MACHINE: Record<string, string> = { amd64: 'Advanced Micro Devices X86-64', arm64: 'AArch64', armhf: 'ARM' };

function run(file: string, platformName: string, status: string, env: Record<string, string> = {}) {
  const p = findPlatform(platformName)!;
  const r = spawnSync(
    'sh',
    [
      join(repoRoot, 'docker/crossbake-runtime-libs.sh'),
      fixture('elf', file),
      p.docker,
      p.debianArch,
      p.multiarch,
      READELF_MACHINE[p.debianArch]!,
      p.elfClass === 64 ? 'ELF64' : 'ELF32',
      status,
    ],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('docker/crossbake-runtime-libs.sh on real ELF files', { skip: tools ? false : 'needs readelf and dpkg' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-runtime-libs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const status = (libc: string | undefined) => {
    const file = join(dir, `status-${libc ?? 'none'}`);
    const entry = libc ? `Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${libc}\n\n` : '';
    writeFileSync(file, `Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n${entry}`);
    return file;
  };

  const missing = run('hello-amd64', 'linux/amd64', status(undefined));
  t.equal(missing.code, 0, missing.err);
  t.equal(missing.out, 'libc6:amd64\n', 'libm and libc resolve to libc6, which the base lacks');
  const present = run('hello-amd64', 'linux/amd64', status('2.36-9+deb12u13'));
  t.same([present.code, present.out], [0, ''], 'nothing to add when the base has it');

  const old = run('hello-amd64', 'linux/amd64', status('2.31-13+deb11u5'));
  t.equal(old.code, 1);
  t.match(old.err, /^crossbake: hello-amd64 for linux\/amd64 needs glibc 2\.36 \(GLIBC_2\.36\) but the runtime base has glibc 2\.31; /);

  for (const [file, platform] of [
    ['hello-amd64', 'linux/arm64'],
    ['hello-arm64', 'linux/arm/v7'],
    ['hello-armhf', 'linux/amd64'],
  ] as const) {
    const r = run(file, platform, status(undefined));
    t.equal(r.code, 1, `${file} is not ${platform}`);
    t.match(r.err, new RegExp(`^crossbake: ${file} for ${platform.replace(/\//g, '\\/')} is an ELF for .*, not `));
  }
  for (const [file, platform] of [
    ['hello-arm64', 'linux/arm64'],
    ['hello-armhf', 'linux/arm/v7'],
  ] as const) {
    const r = run(file, platform, status(undefined));
    const arch = findPlatform(platform)!.debianArch;
    if (spawnSync('dpkg', ['-s', `libc6:${arch}`]).status === 0) continue;
    t.equal(r.code, 1, `${file}: the machine check passes, then libm has no ${arch} package here`);
    t.match(r.err, new RegExp(`^crossbake: ${file} for .* needs libm\\.so\\.6, which no installed ${arch} package provides; `));
  }
});

t.test(
  "docker/crossbake-runtime-libs.sh with the base's dpkg directory: libraries the base ships count as resolved",
  { skip: tools ? false : 'needs readelf and dpkg' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbake-runtime-base-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'info'));
    writeFileSync(join(dir, 'status'), 'Package: libc6\nStatus: install ok installed\nArchitecture: arm64\nVersion: 2.36-9+deb12u13\n\n');
    writeFileSync(join(dir, 'info', 'libc6:arm64.list'), '/.\n/lib/aarch64-linux-gnu/libc.so.6\n/lib/aarch64-linux-gnu/libm.so.6\n');
    const r = run('hello-arm64', 'linux/arm64', dir);
    t.same(
      [r.code, r.out, r.err],
      [0, '', ''],
      "libc and libm come from the base's libc6:arm64: nothing to add, though no arm64 package is installed here",
    );
    writeFileSync(join(dir, 'info', 'libc6:arm64.list'), '/.\n/lib/aarch64-linux-gnu/libc.so.6\n');
    const missing = run('hello-arm64', 'linux/arm64', dir);
    if (spawnSync('dpkg', ['-s', 'libc6:arm64']).status !== 0) {
      t.equal(missing.code, 1);
      t.match(
        missing.err,
        /^crossbake: hello-arm64 for linux\/arm64 needs libm\.so\.6, which no installed arm64 package provides; add the Debian package that has it to native\.packages\."linux\/arm64" in \[workspace\.metadata\.crossbake\]\n$/,
      );
    }
  },
);

t.test(
  "docker/crossbake-runtime-libs.sh resolves several libraries with one dpkg -S, in the loader's path order",
  {
    skip:
      tools && spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim() === 'amd64'
        ? false
        : 'needs an amd64 Debian host',
  },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbake-runtime-libs-ls-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const p = findPlatform('linux/amd64')!;
    const ls = (status: string) => {
      const file = join(dir, 'status');
      writeFileSync(file, status);
      const args = ['/bin/ls', p.docker, p.debianArch, p.multiarch, READELF_MACHINE.amd64!, 'ELF64', file];
      const r = spawnSync('sh', [join(repoRoot, 'docker/crossbake-runtime-libs.sh'), ...args], { encoding: 'utf8' });
      return [r.status, r.stdout, r.stderr];
    };
    // /usr/lib/x86_64-linux-gnu/libselinux.so.1 exists (merged /usr) but dpkg records it under /lib: the next path names the owner
    t.same(ls('Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n'), [
      0,
      'libc6:amd64\nlibselinux1:amd64\n',
      '',
    ]);
    t.same(
      ls('Package: libselinux1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.4-1+b6\n\n'),
      [0, 'libc6:amd64\n', ''],
      'a package the base has installed is not added',
    );
  },
);

t.test(
  'docker/crossbake-runtime-libs.sh with CROSSBAKE_MEMO: the same binary, base and arguments are answered from the memo',
  { skip: tools ? false : 'needs readelf and dpkg' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbake-runtime-libs-memo-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const status = join(dir, 'status');
    writeFileSync(status, 'Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n');
    const memo = join(dir, 'memo');
    const plain = run('hello-amd64', 'linux/amd64', status);
    const first = run('hello-amd64', 'linux/amd64', status, { CROSSBAKE_MEMO: memo });
    t.same([first.code, first.out], [plain.code, plain.out], 'the answer a run without the memo gives');
    const kept = join(memo, 'linux_amd64_hello-amd64.out');
    writeFileSync(kept, 'from-the-memo:amd64\n');
    t.equal(
      run('hello-amd64', 'linux/amd64', status, { CROSSBAKE_MEMO: memo }).out,
      'from-the-memo:amd64\n',
      'the same inputs: not read again',
    );
    writeFileSync(
      status,
      `${readFileSync(status, 'utf8')}Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u13\n\n`,
    );
    t.same(run('hello-amd64', 'linux/amd64', status, { CROSSBAKE_MEMO: memo }).out, '', 'another base: checked again');
    const old = join(dir, 'old-status');
    writeFileSync(old, 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.31-13+deb11u5\n\n');
    const failed = run('hello-amd64', 'linux/amd64', old, { CROSSBAKE_MEMO: memo });
    t.equal(failed.code, 1, 'a failed check fails with the memo too');
    t.match(failed.err, /needs glibc 2\.36/);
    t.equal(run('hello-amd64', 'linux/amd64', old, { CROSSBAKE_MEMO: memo }).code, 1, 'and is not remembered as passed');
  },
);
