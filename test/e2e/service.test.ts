// A service-shaped workspace with native dependencies (system SQLite, OpenSSL, zstd with C code, a build
// script, a [[bin]] with a custom path) and no crossbake settings: one crossbake call builds both
// binaries for three platforms with Debian's Rust, pushes them, and every image runs on its platform
// under qemu, exercising its native libraries and printing the target it was built for; runtime minimal
// reuses that build and runs the same libraries from its own Debian packages.
// Needs the machine `test/e2e/setup.sh` prepares (npm run test:e2e runs it first).

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PLATFORMS, type Platform } from '../../src/platforms.js';
import {
  copyWorkspace,
  crossbake,
  docker,
  platformString,
  REGISTRY_HOST,
  rawManifest,
  removeDir,
  removeImages,
  runnable,
  vertices,
  verticesNamed,
} from './helpers.js';
import { dpkgPackages, filesystem } from './image.js';

// A namespace of its own per run: an index already current in the registry is not merged again.
const REGISTRY = `${REGISTRY_HOST}/native-${Date.now().toString(36)}`;
const BINS = ['api', 'archiver'] as const;
/** SHA-256 of "crossbake", as service-core's selftest digests it. */
const SHA256 = createHash('sha256').update('crossbake').digest('hex');

/** The image runs on its platform under qemu, built for its target, and exercises its native libraries. */
function runsNativeLibraries(t: Test, ref: string, bin: string, p: Platform, args: string[]): void {
  const out = docker(['run', '--rm', '--platform', p.docker, ref, ...args]);
  t.equal(out.code, 0, `${bin} runs on ${p.docker}\n${out.stderr}`);
  t.match(out.stdout, `${bin} target=${p.rustTarget} `, `${bin} was built for ${p.rustTarget}`);
  t.match(out.stdout, / sqlite=3\.\d+\.\d+ query=42 /, 'a SQLite query on the system library');
  t.match(out.stdout, ` sha256=${SHA256} `, 'an OpenSSL digest');
  t.match(out.stdout, /openssl="OpenSSL 3\./, 'libssl3 from Debian');
  t.match(out.stdout, / zstd_roundtrip=\d+/, 'a zstd round trip');
}

const workspace = copyWorkspace('examples/service');
t.teardown(() => {
  removeDir(workspace);
  removeImages(REGISTRY);
  removeImages(`${REGISTRY}-minimal`);
});

t.test('the service workspace carries no crossbake settings', async (t) => {
  for (const manifest of ['Cargo.toml', 'crates/api/Cargo.toml', 'crates/archiver/Cargo.toml', 'crates/core/Cargo.toml']) {
    t.notMatch(readFileSync(join(workspace, manifest), 'utf8'), /metadata\.crossbake|\[.*crossbake/, `${manifest}: no crossbake settings`);
  }
});

t.test('one crossbake call builds and pushes both binaries for three platforms', async (t) => {
  const run = crossbake(['bake', ...BINS, '-w', workspace, '--toolchain', 'debian', '--push', '--progress', 'plain'], { REGISTRY });
  t.comment(`bake --push: ${run.seconds.toFixed(1)}s`);
  t.equal(run.code, 0, `crossbake bake succeeds\n${run.stderr.slice(-4000)}\n${run.stdout}`);
  for (const bin of BINS) t.match(run.stderr, new RegExp(`push +${bin}: .*${bin}:latest <- 3 platforms`));
  for (const p of PLATFORMS) {
    for (const bin of BINS) {
      const row = run.stdout.split('\n').find((l) => l.startsWith(`${bin} `) && l.includes(` ${p.docker} `));
      t.match(
        row ?? '',
        new RegExp(`libsqlite3-0:${p.debianArch}.*libssl3:${p.debianArch}`),
        `the report lists ${bin}'s runtime packages for ${p.docker}`,
      );
    }
  }
});

for (const p of PLATFORMS) {
  t.test(`${p.docker}: each image runs its native libraries under its platform`, async (t) => {
    for (const bin of BINS) {
      const ref = `${REGISTRY}/${bin}:latest`;
      const index = rawManifest(ref);
      t.same(runnable(index).map(platformString).sort(), ['linux/amd64', 'linux/arm/v7', 'linux/arm64'], `${bin}: three platforms`);
      t.equal(docker(['pull', '--quiet', '--platform', p.docker, ref]).code, 0, `pull ${bin} for ${p.docker}`);
      const args = bin === 'api' ? ['--selftest'] : [];
      runsNativeLibraries(t, ref, bin, p, args);
      const status = docker([
        'run',
        '--rm',
        '--platform',
        p.docker,
        '--entrypoint',
        'dpkg-query',
        ref,
        '-W',
        '-f',
        '${Package}:${Architecture}\\n',
      ]);
      t.equal(status.code, 0, 'dpkg-query runs');
      for (const pkg of ['libssl3', 'libsqlite3-0', 'tini']) {
        t.match(status.stdout, `${pkg}:${p.debianArch}\n`, `the image's dpkg status records ${pkg}:${p.debianArch}`);
      }
    }
  });
}

t.test('runtime minimal from the same build: OpenSSL, SQLite and zstd from its own packages, nothing compiled again', async (t) => {
  const minimal = `${REGISTRY}-minimal`;
  const run = crossbake(
    ['bake', ...BINS, '-w', workspace, '--toolchain', 'debian', '--runtime', 'minimal', '--push', '--progress', 'plain'],
    {
      REGISTRY: minimal,
    },
  );
  t.comment(`bake --push: ${run.seconds.toFixed(1)}s`);
  t.equal(run.code, 0, `crossbake bake succeeds\n${run.stderr.slice(-4000)}`);
  for (const [what, name] of [
    ['the native packages', /\bnative \d+\/\d+\] RUN /],
    ['the dependencies', /\bdeps \d+\/\d+\] RUN /],
  ] as const) {
    const v = vertices(run.stderr, name);
    t.equal(v.ran.size, 0, `${what}: nothing ran (${[...v.cached].length} cached)`);
  }
  // build-all runs again, for the checks against the minimal root it now mounts; cargo finds every
  // artifact fresh in its cache mount and compiles nothing.
  const builds = verticesNamed(run.stderr, /\bbuild-all \d+\/\d+\] RUN /);
  // `[api-linux-arm64 build-all 2/2]` from a per-platform target, `[api linux/amd64->arm64 build-all 2/2]`
  // from an image built for all its platforms (--push on the containerd image store)
  const onPlatform = (n: string, p: (typeof PLATFORMS)[number]) =>
    n.includes(`-${p.key} build-all `) ||
    n.includes(`->${p.docker.replace(/^linux\//, '')} build-all `) ||
    n.includes(` ${p.docker} build-all `);
  for (const p of PLATFORMS)
    t.ok(
      builds.some((v) => v.names.some((n) => onPlatform(n, p))),
      `build-all ran for ${p.docker}`,
    );
  for (const v of builds) {
    t.same(
      v.output.filter((l) => /^\s*Compiling /.test(l)),
      [],
      `${v.names[0]!.slice(0, v.names[0]!.indexOf(']') + 1)}: cargo compiled nothing`,
    );
  }
  for (const p of PLATFORMS) {
    const row = run.stdout.split('\n').find((l) => l.startsWith('api ') && l.includes(` ${p.docker} `));
    t.match(
      row ?? '',
      new RegExp(`libsqlite3-0:${p.debianArch}.*libssl3:${p.debianArch}`),
      `the report lists api's runtime packages for ${p.docker}`,
    );
    const ref = `${minimal}/api:latest`;
    t.equal(docker(['pull', '--quiet', '--platform', p.docker, ref]).code, 0, `pull for ${p.docker}`);
    runsNativeLibraries(t, ref, 'api', p, ['--selftest']);
    if (p.docker !== 'linux/arm64') continue;
    const id = docker(['create', '--platform', p.docker, ref]).stdout.trim();
    t.teardown(() => void docker(['rm', '-f', id]));
    const packages = dpkgPackages(id);
    for (const pkg of ['libc6', 'libgcc-s1', 'tini', 'libssl3', 'libsqlite3-0']) {
      t.ok(packages.includes(`${pkg}:${p.debianArch}`), `the dpkg status lists ${pkg}:${p.debianArch}`);
    }
    t.notOk(
      filesystem(id).paths.some((x) => /^(usr\/)?bin\/(sh|dash|bash|openssl|sqlite3)$/.test(x)),
      'libraries only: no shell, no openssl or sqlite3 tool',
    );
  }
});

t.test('a source change rebuilds only the binary: native packages, deps and runtime packages stay cached', async (t) => {
  const main = join(workspace, 'crates/archiver/bin/archiver.rs');
  writeFileSync(main, `${readFileSync(main, 'utf8').trimEnd()}\n// a source-only change ${Date.now()}\n`);
  const run = crossbake(['bake', 'archiver', '-w', workspace, '--toolchain', 'debian', '--progress', 'plain'], { REGISTRY });
  t.equal(run.code, 0, `crossbake bake succeeds\n${run.stderr.slice(-3000)}`);
  for (const [what, name] of [
    ['the native packages', /\bnative \d+\/\d+\] RUN /],
    ['the dependencies', /\bdeps \d+\/\d+\] RUN /],
    ['the runtime packages', /\blibs-archiver \d+\/\d+\] RUN /],
  ] as const) {
    const v = vertices(run.stderr, name);
    t.equal(v.ran.size, 0, `${what}: nothing ran (${[...v.cached].length} cached)`);
  }
  t.equal(vertices(run.stderr, /\bbuild-all \d+\/\d+\] RUN /).ran.size, PLATFORMS.length, 'the binary is built again');
  // A comment at the end moves no line number: the binary comes out byte-identical, and the image's COPY of
  // it, keyed by content, stays cached (as the libs step above, keyed by the checks' package list).
  const copy = vertices(run.stderr, /\bruntime-archiver \d+\/\d+\] COPY --from=build-all /);
  t.ok(copy.cached.size > 0, "the image's copy of the binary is in the log");
  t.equal(copy.ran.size, 0, "the same bytes: the image's copy of the binary stays cached");
});

t.test('bad input in the build: one line naming the cause and the fix, exit 4, nothing pushed', async (t) => {
  const bad = `${REGISTRY_HOST}/native/bad`;
  const cases = [
    {
      name: 'a native package Debian does not have for the architecture',
      edit: (dir: string) =>
        writeFileSync(
          join(dir, 'Cargo.toml'),
          `${readFileSync(join(dir, 'Cargo.toml'), 'utf8')}\n[workspace.metadata.crossbake.native.packages]\n"linux/arm64" = ["libcrossbake-nonexistent-dev"]\n`,
        ),
      line: "crossbake: Debian's mirror has no package libcrossbake-nonexistent-dev for arm64; fix the name in native.packages of [workspace.metadata.crossbake]",
    },
    {
      name: 'a locked crate version Debian does not carry',
      edit: (dir: string) =>
        writeFileSync(
          join(dir, 'Cargo.lock'),
          readFileSync(join(dir, 'Cargo.lock'), 'utf8').replace(
            /name = "tiny_http"\nversion = "0\.12\.0"/,
            'name = "tiny_http"\nversion = "0.12.9"',
          ),
        ),
      line: "crossbake: Cargo.lock locks crate versions Debian's crate registry does not carry: tiny_http 0.12.9 (Debian: 0.12.0); resolve Cargo.lock against Debian's crates",
    },
    {
      name: 'a locked crate Debian does not package at all',
      edit: (dir: string) =>
        writeFileSync(
          join(dir, 'Cargo.lock'),
          `${readFileSync(join(dir, 'Cargo.lock'), 'utf8')}\n[[package]]\nname = "crossbake-nonexistent"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`,
        ),
      line: 'crossbake: Cargo.lock needs crates Debian does not package: librust-crossbake-nonexistent-dev (librust-<crate>-dev)',
    },
  ];
  for (const c of cases) {
    const dir = copyWorkspace('examples/service');
    t.teardown(() => removeDir(dir));
    c.edit(dir);
    const run = crossbake(['bake', 'archiver', '-w', dir, '--toolchain', 'debian', '--push'], {
      REGISTRY: bad,
    });
    t.equal(run.code, 4, `${c.name}: exit 4\n${run.stderr.slice(-2000)}`);
    t.match(run.stderr, `\n  ${c.line}`, `${c.name}: named under the failure's headline`);
    t.match(run.stderr, 'Nothing was pushed', `${c.name}: nothing pushed`);
    t.notOk(docker(['buildx', 'imagetools', 'inspect', `${bad}/archiver:latest`]).code === 0, `${c.name}: no image in the registry`);
  }
});
