import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/paths.js';

const HEX = 'ab'.repeat(32);

function registryWith(dir: string, crate: string, pkg: string): string {
  mkdirSync(join(dir, 'reg', crate), { recursive: true });
  const file = join(dir, 'reg', crate, '.cargo-checksum.json');
  writeFileSync(file, `{"files":{},"package":${pkg}}\n`);
  return file;
}

t.test('docker/debian-checksums.sh copies real checksums only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-checksums-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const patched = registryWith(dir, 'httparse-1.8.0', '"Could not get crate checksum"');
  const missing = registryWith(dir, 'serde-1.0.152', 'null');
  const kept = registryWith(dir, 'log-0.4.17', `"${'cd'.repeat(32)}"`);
  writeFileSync(
    join(dir, 'Cargo.lock'),
    [
      '[[package]]\nname = "httparse"\nversion = "1.8.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "Could not get crate checksum"\n',
      `[[package]]\nname = "serde"\nversion = "1.0.152"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${HEX}"\n`,
      `[[package]]\nname = "log"\nversion = "0.4.17"\nchecksum = "${HEX}"\n`,
      '[[package]]\nname = "app"\nversion = "0.1.0"\n',
    ].join('\n'),
  );
  execFileSync('sh', [join(repoRoot, 'docker/debian-checksums.sh'), join(dir, 'Cargo.lock')], {
    env: { ...process.env, CROSSBAKE_CARGO_REGISTRY: join(dir, 'reg') },
  });
  t.match(
    readFileSync(patched, 'utf8'),
    '"package":"Could not get crate checksum"',
    "a lock resolved against Debian's crates keeps Debian's word",
  );
  t.match(readFileSync(missing, 'utf8'), `"package":"${HEX}"`, "a crates.io checksum fills Debian's null");
  t.match(readFileSync(kept, 'utf8'), `"package":"${'cd'.repeat(32)}"`, 'a real vendored checksum is never overwritten');
});

t.test('docker/debian-checksums.sh names every locked crate version Debian does not carry, before cargo', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-versions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  registryWith(dir, 'zstd-sys-2.0.1+zstd.1.5.2', 'null');
  registryWith(dir, 'serde-1.0.152', 'null');
  const lock = (zstd: string) =>
    [
      `[[package]]\nname = "zstd-sys"\nversion = "${zstd}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`,
      '[[package]]\nname = "serde"\nversion = "1.0.152"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
      '[[package]]\nname = "app"\nversion = "0.1.0"\n',
    ].join('\n');
  const run = (text: string) => {
    writeFileSync(join(dir, 'Cargo.lock'), text);
    return spawnSync('sh', [join(repoRoot, 'docker/debian-checksums.sh'), join(dir, 'Cargo.lock')], {
      env: { ...process.env, CROSSBAKE_CARGO_REGISTRY: join(dir, 'reg') },
      encoding: 'utf8',
    });
  };
  t.equal(run(lock('2.0.1+zstd.1.5.2')).status, 0, 'every locked version is there');
  const newer = run(
    `${lock('2.0.9+zstd.1.5.5')}\n[[package]]\nname = "nothere"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`,
  );
  t.equal(newer.status, 1);
  t.equal(
    newer.stderr,
    "crossbake: Cargo.lock locks crate versions Debian's crate registry does not carry: zstd-sys 2.0.9+zstd.1.5.5 (Debian: 2.0.1+zstd.1.5.2), nothere 1.0.0 (Debian: none); resolve Cargo.lock against Debian's crates (cargo update -p <crate> --precise <Debian's version>, in a container of the runtime's Debian release with its cargo and librust-*-dev packages), or build with toolchain = \"rustup\"\n",
  );
});
