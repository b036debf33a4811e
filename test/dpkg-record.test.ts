import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/paths.js';

// docker/crossbake-dpkg-record.sh runs in the build; here the host's dpkg-deb builds and reads the packages.
const skip = spawnSync('sh', ['-c', 'command -v dpkg-deb']).status === 0 ? false : 'needs dpkg-deb';
const SCRIPT = join(repoRoot, 'docker/crossbake-dpkg-record.sh');

function deb(dir: string, control: string, files: Record<string, string>): string {
  const tree = mkdtempSync(join(dir, 'tree-'));
  mkdirSync(join(tree, 'DEBIAN'));
  writeFileSync(join(tree, 'DEBIAN/control'), control);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(tree, path, '..'), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  const out = join(dir, `${Math.random().toString(36).slice(2)}.deb`);
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '--build', tree, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

const control = (name: string, extra = '') =>
  `Package: ${name}\nVersion: 1.0-1\nArchitecture: arm64\n${extra}Maintainer: crossbake <x@example.org>\nDescription: a test package\n that records\n`;

function record(file: string, root: string) {
  const r = spawnSync('sh', [SCRIPT, file, root], { encoding: 'utf8' });
  return { code: r.status, err: r.stderr };
}

t.test('crossbake-dpkg-record: file names as they are, and a status stanza as dpkg writes it', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-dpkg-record-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const one = deb(dir, control('odd-names'), {
    'usr/share/odd/with space.crt': 'a',
    'usr/share/odd/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt': 'b',
    'usr/bin/tool': 'c',
  });
  t.equal(record(one, root).code, 0);
  const list = readFileSync(join(root, 'var/lib/dpkg/info/odd-names.list'), 'utf8').split('\n').filter(Boolean);
  t.same(list.sort(), [
    '/.',
    '/usr',
    '/usr/bin',
    '/usr/bin/tool',
    '/usr/share',
    '/usr/share/odd',
    '/usr/share/odd/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt',
    '/usr/share/odd/with space.crt',
  ]);
  t.equal(
    readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8'),
    'Package: odd-names\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: arm64\nMaintainer: crossbake <x@example.org>\nDescription: a test package\n that records\n\n',
  );

  // A Multi-Arch: same package's list is named with its architecture; a stanza follows the last one
  // after exactly one blank line, whatever the status file ended with.
  const two = deb(dir, control('libsame', 'Multi-Arch: same\n'), { 'usr/lib/aarch64-linux-gnu/libsame.so.1': 'd' });
  for (const ending of ['', '\n', '\n\n']) {
    const base = join(dir, `base-${ending.length}`);
    mkdirSync(join(base, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(join(base, 'var/lib/dpkg/status'), `Package: base-files\nStatus: install ok installed${ending}`);
    t.equal(record(two, `${base}/`).code, 0, 'ROOT with a trailing slash');
    t.ok(readFileSync(join(base, 'var/lib/dpkg/info/libsame:arm64.list'), 'utf8').includes('/usr/lib/aarch64-linux-gnu/libsame.so.1\n'));
    t.match(
      readFileSync(join(base, 'var/lib/dpkg/status'), 'utf8'),
      /^Package: base-files\nStatus: install ok installed\n\nPackage: libsame\nStatus: install ok installed\n/,
      `status ending in ${JSON.stringify(ending)}`,
    );
  }
});

t.test('crossbake-dpkg-record: a missing package fails the step', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-dpkg-record-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.not(record(join(dir, 'none.deb'), dir).code, 0);
});
