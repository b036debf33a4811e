// Attribution and the report, on progress streams captured from real `docker buildx bake` runs on this
// machine (buildx 0.13.1, dockerd 26, docker driver); see test/fixtures/progress/README.md.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { attribute, failureError, type RunTarget } from '../src/buildx/attribute.js';
import { classifyFault, crateOfNetworkError } from '../src/buildx/faults.js';
import {
  type BuildLog,
  emptyLog,
  JsonStreamSplitter,
  PlainReader,
  parseProgress,
  parseVertexName,
  RawJsonReader,
} from '../src/buildx/progress.js';
import { failuresForReport, formatReport, formatSize, type Report, rowsFromSlots } from '../src/buildx/report.js';
import { formatError } from '../src/errors.js';
import { findPlatform } from '../src/platforms.js';
import { registryHost } from '../src/reference.js';
import { fixture } from './helpers/paths.js';

function progress(name: string): string {
  const buffer = readFileSync(fixture('progress', name));
  return name.endsWith('.gz') ? gunzipSync(buffer).toString('utf8') : buffer.toString('utf8');
}

function perPlatform(bins: string[], platforms = ['linux/amd64', 'linux/arm/v7']): RunTarget[] {
  return bins.flatMap((bin) =>
    platforms.map((p) => {
      const platform = findPlatform(p)!;
      return { name: `${bin}-${platform.key}`, bin, platforms: [platform], ref: `127.0.0.1:5000/crossbake/${bin}:latest-${platform.key}` };
    }),
  );
}

/** A `--progress plain` log from its lines, read as crossbake reads buildx's stderr. */
function plainLog(lines: readonly string[]): BuildLog {
  const log = emptyLog();
  const reader = new PlainReader(log, () => 1000);
  reader.feed(lines.join('\n'));
  reader.end();
  return log;
}

const COMPILE_MESSAGE = [
  'crossbake: build failed: backend for linux/arm/v7 does not compile (bake target backend-linux-arm-v7, Dockerfile stage build-backend, step 2/2):',
  '  error: no armv7',
  '    --> crates/backend/src/main.rs:70:29',
  '  error: could not compile `backend` due to previous error',
  '  step: RUN … crossbake-cargo build --profile release --locked --target "$RUST_TARGET" --workspace --bin backend',
];

t.test('vertex names: bake target, platform, stage and step', async (t) => {
  const targets = ['backend-linux-arm-v7', 'backend'];
  t.same(parseVertexName('[backend-linux-arm-v7 build-backend 2/2] RUN . /crossbake/target.env', targets), {
    internal: false,
    action: 'RUN . /crossbake/target.env',
    target: 'backend-linux-arm-v7',
    stage: 'build-backend',
    step: '2/2',
  });
  t.same(parseVertexName('[linux/amd64->arm/v7 deps 3/3] RUN cargo', targets), {
    internal: false,
    action: 'RUN cargo',
    platform: 'linux/arm/v7',
    stage: 'deps',
    step: '3/3',
  });
  t.same(parseVertexName('[backend linux/arm64 runtime-backend 1/3] COPY x', targets), {
    internal: false,
    action: 'COPY x',
    target: 'backend',
    platform: 'linux/arm64',
    stage: 'runtime-backend',
    step: '1/3',
  });
  t.same(parseVertexName('[backend-linux-arm-v7 internal] load .dockerignore', targets), {
    internal: true,
    action: 'load .dockerignore',
    target: 'backend-linux-arm-v7',
  });
  t.same(parseVertexName('[backend-linux-arm-v7] exporting to image', targets), {
    internal: false,
    action: 'exporting to image',
    target: 'backend-linux-arm-v7',
  });
  t.same(parseVertexName('[internal] load local bake definitions', targets), { internal: true, action: 'load local bake definitions' });
  t.same(parseVertexName('[2/2] RUN ["/probe"]', []), { internal: false, action: 'RUN ["/probe"]', step: '2/2' });
});

t.test('the rawjson splitter survives any chunking and ignores braces in the text after the stream', async (t) => {
  const text = progress('compile-armv7.rawjson.gz');
  const whole = parseProgress(text, 'rawjson');
  for (const size of [1, 7, 4096]) {
    const log = emptyLog();
    const reader = new RawJsonReader(log);
    for (let i = 0; i < text.length; i += size) reader.feed(text.slice(i, i + size));
    reader.end();
    t.equal(log.vertices.size, whole.vertices.size, `chunks of ${size}: same vertices`);
    t.same(log.trailer, whole.trailer, `chunks of ${size}: same trailer`);
  }
  t.match(whole.trailer.at(-1), /^ERROR: failed to solve: process .* exit code: 101$/);
  t.ok(
    whole.trailer.some((l) => l.includes('-exec touch {} +')),
    'a Dockerfile line with braces stays text',
  );
  const values: unknown[] = [];
  const lines: string[] = [];
  const s = new JsonStreamSplitter(
    (v) => values.push(v),
    (l) => lines.push(l),
  );
  s.feed('{\n "a": "}{\\"" \n}\nnot json { here }\n{"b":1}');
  s.end();
  t.same(values, [{ a: '}{"' }, { b: 1 }]);
  t.same(lines, ['not json { here }']);
});

t.test('plain lines: headers, logs, DONE, CACHED, ERROR, CANCELED', async (t) => {
  const log = emptyLog();
  const reader = new PlainReader(log, () => 1000);
  reader.feed(
    '#5 [backend-linux-arm-v7 build-backend 2/2] RUN x\n#5 0.353    Compiling shared\n#5 11.02 error: no armv7\n#5 ERROR: process "x" did not complete',
  );
  reader.feed(' successfully: exit code: 101\n#6 CACHED\n#7 CANCELED\nERROR: failed to solve\n');
  reader.end();
  const v5 = log.vertices.get('5')!;
  t.same(v5.logs, ['   Compiling shared', 'error: no armv7']);
  t.equal(v5.error, 'process "x" did not complete successfully: exit code: 101');
  t.equal(log.vertices.get('6')!.cached, true);
  t.equal(log.vertices.get('7')!.canceled, true);
  t.same(log.trailer, ['ERROR: failed to solve']);
});

for (const [file, format] of [
  ['compile-armv7.rawjson.gz', 'rawjson'],
  ['compile-armv7.plain', 'plain'],
] as const) {
  t.test(`a compile_error! on armv7 is named with target, platform, stage, step and rustc's words (${format})`, async (t) => {
    const attribution = attribute(parseProgress(progress(file), format), perPlatform(['backend', 'frontend']), 1);
    t.equal(attribution.failures.length, 1, 'one failure: the cache-import misses and the canceled steps are not failures');
    const error = failureError(attribution, 'Nothing was pushed.');
    t.equal(error.exitCode, 4);
    const text = formatError(error).split('\n');
    t.same(text.slice(0, COMPILE_MESSAGE.length), COMPILE_MESSAGE);
    t.equal(text.at(-1), '  Nothing was pushed.');
    t.same(
      formatError(
        failureError(attribution, [
          'The build ran in 2 calls of whole images; the 1 after the failing one did not start (x).',
          'Nothing was pushed.',
        ]),
      )
        .split('\n')
        .slice(-2),
      ['  The build ran in 2 calls of whole images; the 1 after the failing one did not start (x).', '  Nothing was pushed.'],
      'notes a line each, after the failure',
    );
    const bySlot = Object.fromEntries(attribution.slots.map((s) => [s.target.name, s.outcome]));
    t.equal(bySlot['backend-linux-arm-v7'], 'failed');
    t.equal(bySlot['backend-linux-amd64'], 'built', 'amd64 was exported before armv7 failed');
    t.match(bySlot['frontend-linux-arm-v7'], /^(canceled|built)$/);
    const armv7 = attribution.slots.find((s) => s.target.name === 'backend-linux-arm-v7')!;
    t.ok(armv7.steps >= 20 && armv7.cached <= armv7.steps, `${armv7.cached}/${armv7.steps} steps cached`);
  });
}

t.test('rawjson and plain count the same steps for the same build', async (t) => {
  const raw = attribute(parseProgress(progress('linker-rustc.rawjson.gz'), 'rawjson'), perPlatform(['backend']), 1);
  const plain = attribute(parseProgress(progress('linker-rustc.plain'), 'plain'), perPlatform(['backend']), 1);
  t.same(
    plain.slots.map((s) => [s.target.name, s.outcome]),
    raw.slots.map((s) => [s.target.name, s.outcome]),
  );
  for (const [i, s] of raw.slots.entries())
    t.ok(Math.abs(s.steps - plain.slots[i]!.steps) <= 5, `${s.target.name}: ${s.steps} vs ${plain.slots[i]!.steps} steps`);
});

t.test("rustc's missing linker: the platform's Debian package from the table", async (t) => {
  for (const [file, format] of [
    ['linker-rustc.rawjson.gz', 'rawjson'],
    ['linker-rustc.plain', 'plain'],
  ] as const) {
    const error = failureError(attribute(parseProgress(progress(file), format), perPlatform(['backend']), 1), undefined);
    t.equal(error.exitCode, 4);
    t.equal(
      formatError(error),
      [
        'crossbake: build failed: backend for linux/arm/v7 cannot link: the linker arm-linux-gnueabihf-gcc-13 is not installed in the build image (bake target backend-linux-arm-v7, Dockerfile stage build-backend, step 2/2).',
        '  error: linker `arm-linux-gnueabihf-gcc-13` not found',
        '  crossbake links linux/arm/v7 with arm-linux-gnueabihf-gcc from the Debian package gcc-arm-linux-gnueabihf (with libc6-dev-armhf-cross); remove the setting that asks for arm-linux-gnueabihf-gcc-13 (.cargo/config.toml [target.*] linker or rustflags, RUSTFLAGS), or install the package that provides it, then run again.',
      ].join('\n'),
      format,
    );
  }
});

t.test("the Dockerfile's own linker check: its package, for every binary of the platform", async (t) => {
  const attribution = attribute(parseProgress(progress('linker-dockerfile.plain'), 'plain'), perPlatform(['backend']), 1);
  t.equal(
    formatError(failureError(attribution, undefined)),
    [
      'crossbake: build failed: backend for linux/arm/v7 cannot link: the linker arm-linux-gnueabihf-gcc-99 is not installed in the build image (Dockerfile stage target, step 1/1, shared by every binary for linux/arm/v7).',
      "  crossbake: linker 'arm-linux-gnueabihf-gcc-99' not found for linux/arm/v7; install the Debian package gcc-arm-linux-gnueabihf",
      "  Install the Debian package gcc-arm-linux-gnueabihf in the toolchain stage: crossbake's Dockerfile installs it for every platform, so a rust-image without it, or an edited Dockerfile, is the likely cause. Then run again.",
      '  not finished (buildx stopped them when the failure above happened): backend linux/amd64',
    ].join('\n'),
  );
});

t.test('a successful build: every platform built, durations, cached steps', async (t) => {
  const targets = perPlatform(['backend', 'frontend']).map((target) => ({ ...target, crates: 11 }));
  const attribution = attribute(parseProgress(progress('success.rawjson.gz'), 'rawjson'), targets, 0);
  t.same(attribution.failures, []);
  for (const s of attribution.slots) {
    t.equal(s.outcome, 'built', s.target.name);
    t.ok(s.completed! - s.started! < 60_000, `${s.target.name}: a duration of this run, not of the build that filled the cache`);
    t.ok(s.steps >= 20, `${s.target.name}: ${s.steps} steps`);
  }
  const rows = rowsFromSlots(attribution.slots);
  t.ok(
    rows.every((r) => r.crates === 11),
    "each row has its image's crate count (the Plan's, through the run target), and so has the JSON",
  );
  const report: Report = {
    generatedBy: 'crossbake bake',
    ok: true,
    exitCode: 0,
    mode: 'push',
    builder: { name: 'default', driver: 'docker' },
    started: '2026-11-26T10:53:10.000Z',
    seconds: 13,
    rows: rows.map((r, i) => ({ ...r, digest: `sha256:${String(i).repeat(64)}`, size: 33_100_000 + i, sizeSource: 'registry' as const })),
    images: [{ image: 'backend', tags: ['127.0.0.1:5000/crossbake/backend:latest'], digest: `sha256:${'a'.repeat(64)}`, pushed: true }],
    failures: failuresForReport(attribution.failures, attribution.slots),
  };
  const table = formatReport(report).split('\n');
  t.match(table[0], /^image\s+platform\s+result\s+time\s+digest\s+size\s+crates\s+cached steps\s+cached\s+slowest stage$/);
  t.match(table[1], /^backend\s+linux\/amd64\s+built\s+\d+\.\ds\s+sha256:000000000000\s+33\.1 MB\s+11\s+\d+\/\d+\s+-\s+-$/);
  t.equal(table.filter((l) => /^(backend|frontend) /.test(l)).length, 4);
  t.ok(table.includes(`127.0.0.1:5000/crossbake/backend:latest -> sha256:${'a'.repeat(64)}`));
  t.ok(table.includes('sizes: compressed layers as the registry has them'));
  const attested = formatReport({
    ...report,
    rows: report.rows.map((r, i) => ({ ...r, attestations: i === 0 ? ['provenance'] : [] })),
  }).split('\n');
  t.match(
    attested[0],
    /cached steps\s+cached\s+slowest stage\s+attested$/,
    'after a push the table says what the registry holds attesting each image',
  );
  t.match(attested[1], /\s+provenance$/);
  t.match(attested[2], /\s+nothing$/);
});

t.test('a multi-platform --load target: the platform comes from the vertex name', async (t) => {
  const target: RunTarget = { name: 'backend', bin: 'backend', platforms: [findPlatform('linux/amd64')!, findPlatform('linux/arm/v7')!] };
  const attribution = attribute(parseProgress(progress('load-multiplatform.plain'), 'plain'), [target], 0);
  t.same(
    attribution.slots.map((s) => [s.platform.docker, s.outcome]),
    [
      ['linux/amd64', 'built'],
      ['linux/arm/v7', 'built'],
    ],
  );
  t.ok(attribution.slots.every((s) => s.steps > 5));
});

t.test('a network fault while fetching crates is named by crate and registry (exit 5), not as a compile error', async (t) => {
  // A real run: toolchain = "rustup" with a rust image whose cargo is not offline, on a machine that
  // cannot resolve index.crates.io; cargo retried 5 times, crossbake's wrapper ran it twice, exit 75.
  const attribution = attribute(parseProgress(progress('network-crates.plain'), 'plain'), perPlatform(['backend'], ['linux/amd64']), 1);
  const error = failureError(attribution, undefined);
  t.equal(error.exitCode, 5);
  t.equal(
    formatError(error),
    [
      'crossbake: build failed: network fault while fetching crate serde from index.crates.io (registry crates.io), building backend for linux/amd64 (Dockerfile stage deps, step 3/3, a stage every target shares; it runs on the build platform); this is not a compile error.',
      '  error: failed to get `serde` as a dependency of package `backend v0.0.0 (/build/crates/backend)`',
      '  caused by: [6] Could not resolve hostname (Could not resolve host: index.crates.io)',
      '  cargo retried (CARGO_NET_RETRY=5) and crossbake ran cargo a second time; check the network, a proxy, or the registry, then run again.',
    ].join('\n'),
  );
  t.same(
    crateOfNetworkError([
      'error: failed to download `serde v1.0.197`',
      'Caused by:',
      '  [28] Timeout was reached (https://static.crates.io/api/v1/crates/serde/1.0.197/download)',
    ]),
    {
      crate: 'serde',
      version: '1.0.197',
      host: 'static.crates.io',
    },
  );
});

t.test("docker's own words for registries and the network", async (t) => {
  t.same(
    classifyFault(
      'ERROR: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials',
    ),
    {
      kind: 'registry',
      reason: 'no basic auth credentials',
      anonymous: true,
    },
  );
  t.same(
    classifyFault(
      'ERROR: failed to do request: Head "http://127.0.0.1:1/v2/x/y/manifests/z": dial tcp 127.0.0.1:1: connect: connection refused',
    ),
    {
      kind: 'network',
      host: '127.0.0.1',
      reason: 'dial tcp 127.0.0.1:1: connect: connection refused',
    },
  );
  t.same(
    classifyFault('unexpected status from HEAD request to http://127.0.0.1:5000/v2/x/frontend/manifests/latest: 500 Internal Server Error'),
    { kind: 'server', host: '127.0.0.1:5000', reason: '500 Internal Server Error' },
  );
  t.equal(classifyFault('failed commit on ref "layer-sha256:0a": unexpected status: 503 Service Unavailable')?.kind, 'server');
  t.equal(
    classifyFault(
      'failed to resolve source metadata for docker.io/library/debian:bookworm-slim: no match for platform in manifest: not found',
    )?.kind,
    'platform-missing',
  );
  t.equal(
    classifyFault("E: Failed to fetch http://deb.debian.org/debian/pool/main/g/gcc.deb  Temporary failure resolving 'deb.debian.org'")
      ?.kind,
    'network',
  );
  t.equal(registryHost('ghcr.io/acme/backend:1'), 'ghcr.io');
  t.equal(registryHost('127.0.0.1:5000/team/backend'), '127.0.0.1:5000');
  t.equal(registryHost('acme/backend'), 'docker.io');
  t.equal(registryHost('backend:latest'), 'docker.io');
});

t.test('sizes read like a registry UI', async (t) => {
  t.equal(formatSize(undefined), '-');
  t.equal(formatSize(999), '999 B');
  t.equal(formatSize(33_100_000), '33.1 MB');
  t.equal(formatSize(1_300_000_000), '1.30 GB');
});

t.test("a toolchain without the target's standard library: said so, with both fixes", async (t) => {
  // A real run: base-image = an amd64-only rust image with the debian toolchain; rustup's rustc is found
  // first and has no armv7 std. (The docker driver used the amd64-only base for linux/arm/v7 silently.)
  const attribution = attribute(parseProgress(progress('missing-std.plain'), 'plain'), perPlatform(['backend']), 1);
  const error = failureError(attribution, undefined);
  t.equal(error.exitCode, 4);
  t.equal(
    error.message,
    "build failed: backend for linux/arm/v7 does not compile (Dockerfile stage deps, step 3/3, one step for every platform and binary, on the build platform; the error is linux/arm/v7's):",
  );
  t.same(error.details.slice(0, 3), [
    "error[E0463]: can't find crate for `core`",
    'error: could not compile `ryu` (lib) due to 1 previous error',
    "the toolchain has no Rust standard library for armv7-unknown-linux-gnueabihf: with rustup, `rustup target add armv7-unknown-linux-gnueabihf`; with Debian's rustc, the package libstd-rust-dev:armhf (a base-image or rust-image other than crossbake expects can cause this).",
  ]);
  t.equal(
    classifyFault('failed to resolve source metadata for docker.io/library/alpine:3: no match for platform in manifest: not found')?.kind,
    'platform-missing',
  );
});

t.test('attest.sbom on and the SBOM generator out of reach: named as such (exit 3), not as a network fault of the build', async (t) => {
  const attribution = attribute(parseProgress(progress('sbom-generator.plain'), 'plain'), perPlatform(['backend'], ['linux/amd64']), 1);
  t.equal(attribution.failures.length, 1);
  t.equal(attribution.failures[0]!.kind, 'sbom-generator');
  const error = failureError(attribution, undefined);
  t.equal(error.exitCode, 3);
  const text = formatError(error);
  t.match(
    text,
    /^crossbake: build failed: the SBOM generator docker\.io\/docker\/buildkit-syft-scanner:stable-1 cannot be pulled: attest\.sbom is on/,
  );
  t.match(text, /lookup registry-1\.docker\.io[^\n]*no such host/, "docker's own reason");
  t.match(text, /or set attest\.sbom = false in \[workspace\.metadata\.crossbake\]/, 'the fix');
});

t.test('a -sys crate that finds no native library is named with what it missed and the setting that adds it', async (t) => {
  const log = plainLog([
    '#9 [api-linux-arm64 deps 4/4] RUN --mount=type=cache,id=crossbake-x-deps . /crossbake/targets.env && crossbake-cargo build --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu',
    '#9 12.1    Compiling pq-sys v0.4.7',
    '#9 13.0 error: failed to run custom build command for `pq-sys v0.4.7`',
    '#9 13.0 --- stdout',
    '#9 13.0 cargo:rerun-if-env-changed=PQ_LIB_DIR_AARCH64_UNKNOWN_LINUX_GNU',
    '#9 13.0 cargo:rerun-if-env-changed=PKG_CONFIG_PATH_aarch64-unknown-linux-gnu',
    '#9 13.0 cargo:rerun-if-env-changed=PKG_CONFIG_PATH_aarch64_unknown_linux_gnu',
    '#9 13.0 --- stderr',
    "#9 13.0 thread 'main' panicked at 'The system library `libpq` required by crate `pq-sys` was not found.'",
    '#9 ERROR: process "x" did not complete successfully: exit code: 101',
    'ERROR: failed to solve',
    '',
  ]);
  // deps compiles every platform in one step: the platform is the one the build script's output names
  const attribution = attribute(log, perPlatform(['api'], ['linux/amd64', 'linux/arm64']), 1);
  const text = formatError(failureError(attribution, undefined));
  t.match(
    text,
    /^crossbake: build failed: api for linux\/arm64 does not compile \(Dockerfile stage deps, step 4\/4, one step for every platform and binary, on the build platform; the error is linux\/arm64's\)/,
  );
  t.match(text, 'error: failed to run custom build command for `pq-sys v0.4.7`');
  t.match(
    text,
    /pq-sys 0\.4\.7 needs a native library for linux\/arm64 that the build does not have: .*The system library `libpq` required by crate `pq-sys` was not found/,
  );
  t.match(text, 'native.packages."linux/arm64"');
});

t.test("a shared step's error is the platform the failing build script was building for, not the build machine it names", async (t) => {
  const cases: [string, string[], string][] = [
    [
      "cc's TARGET line, the build machine named more often",
      [
        '#9 13.0 error: failed to run custom build command for `zstd-sys v2.0.8+zstd.1.5.5`',
        '#9 13.0 --- stdout',
        '#9 13.0 TARGET = Some("armv7-unknown-linux-gnueabihf")',
        '#9 13.0 OPT_LEVEL = Some("3")',
        '#9 13.0 HOST = Some("x86_64-unknown-linux-gnu")',
        '#9 13.0 cargo:rerun-if-env-changed=CC_x86_64-unknown-linux-gnu',
        '#9 13.0 HOST = Some("x86_64-unknown-linux-gnu")',
        '#9 13.0 HOST = Some("x86_64-unknown-linux-gnu")',
        '#9 13.0 running: "cc" "-L" "/usr/lib/x86_64-linux-gnu/" "-c" "zstd/lib/common/entropy_common.c"',
        '#9 13.0 --- stderr',
        '#9 13.0 error occurred: Command "cc" failed with exit status: 1',
      ],
      'linux/arm/v7',
    ],
    [
      "openssl-sys's $HOST and $TARGET",
      [
        '#9 13.0 error: failed to run custom build command for `openssl-sys v0.9.80`',
        '#9 13.0 --- stderr',
        '#9 13.0 Could not find directory of OpenSSL installation, and this `-sys` crate cannot',
        '#9 13.0 proceed without this knowledge.',
        '#9 13.0 $HOST = x86_64-unknown-linux-gnu',
        '#9 13.0 $TARGET = aarch64-unknown-linux-gnu',
        '#9 13.0 openssl-sys = 0.9.80',
      ],
      'linux/arm64',
    ],
    [
      "newer cc's TARGET line, unquoted",
      [
        '#9 13.0 error: failed to run custom build command for `ring v0.17.8`',
        '#9 13.0 --- stdout',
        '#9 13.0 HOST = Some(x86_64-unknown-linux-gnu)',
        '#9 13.0 TARGET = Some(aarch64-unknown-linux-gnu)',
        '#9 13.0 HOST = Some(x86_64-unknown-linux-gnu)',
      ],
      'linux/arm64',
    ],
    [
      'no declaration: the cross linker names it',
      [
        '#9 13.0 error: linking with `aarch64-linux-gnu-gcc` failed: exit status: 1',
        '#9 13.0   = note: /usr/bin/aarch64-linux-gnu-ld: cannot find -lzstd: No such file or directory',
        '#9 13.0           collect2: error: ld returned 1 exit status',
      ],
      'linux/arm64',
    ],
  ];
  for (const [name, lines, platform] of cases) {
    const log = plainLog([
      '#9 [api-linux-amd64 deps 4/4] RUN --mount=type=cache,id=crossbake-x-deps crossbake-cargo build --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu --target armv7-unknown-linux-gnueabihf',
      ...lines,
      '#9 ERROR: process "x" did not complete successfully: exit code: 101',
      'ERROR: failed to solve',
      '',
    ]);
    const attribution = attribute(log, perPlatform(['api'], ['linux/amd64', 'linux/arm64', 'linux/arm/v7']), 1);
    t.match(formatError(failureError(attribution, undefined)), `the error is ${platform}'s`, name);
  }
});

t.test('the report lists the runtime packages each platform image got', async (t) => {
  const report: Report = {
    generatedBy: 'crossbake bake',
    ok: true,
    exitCode: 0,
    mode: 'push',
    builder: { name: 'default', driver: 'docker' },
    started: '2026-01-01T00:00:00.000Z',
    seconds: 1,
    rows: [
      {
        image: 'api',
        target: 'api-linux-arm64',
        platform: 'linux/arm64',
        result: 'built',
        steps: 3,
        cachedSteps: 1,
        runtimePackages: ['libsqlite3-0:arm64', 'libssl3:arm64'],
      },
      {
        image: 'plain',
        target: 'plain-linux-arm64',
        platform: 'linux/arm64',
        result: 'built',
        steps: 3,
        cachedSteps: 1,
        runtimePackages: [],
      },
    ],
    images: [],
    failures: [],
  };
  const text = formatReport(report);
  t.match(text, /runtime packages\n/);
  t.match(text, /api +linux\/arm64 .* libsqlite3-0:arm64 libssl3:arm64\n/);
  t.match(text, /plain +linux\/arm64 .* none\n/);
  const pure = formatReport({ ...report, rows: report.rows.map((r) => ({ ...r, runtimePackages: [] })) });
  t.notMatch(pure, /runtime packages/, 'no column when no image got any');
});

t.test("the binary's in-build checks are the failure's cause, in crossbake's own words", async (t) => {
  const glibc =
    "crossbake: api for linux/arm64 needs glibc 2.38 (GLIBC_2.38) but the runtime base has glibc 2.36; build with a toolchain whose glibc is not newer than the runtime's (the debian toolchain matches bookworm), or use a newer runtime base image";
  const log = plainLog([
    '#12 [api-linux-arm64 build-api 3/3] RUN --mount=type=bind,from=runtime-base,source=/var/lib/dpkg,target=/crossbake/base-dpkg . /crossbake/target.env && sh /crossbake/runtime-libs.sh /out/api',
    `#12 0.120 ${glibc}`,
    '#12 ERROR: process "x" did not complete successfully: exit code: 1',
    'ERROR: failed to solve',
    '',
  ]);
  const attribution = attribute(log, perPlatform(['api'], ['linux/arm64']), 1);
  const lines = formatError(failureError(attribution, 'Nothing was pushed.')).split('\n');
  t.equal(
    lines[0],
    'crossbake: build failed: api for linux/arm64 failed (bake target api-linux-arm64, Dockerfile stage build-api, step 3/3):',
  );
  t.equal(lines[1], `  ${glibc}`);
  t.equal(lines.at(-1), '  Nothing was pushed.');
});

t.test("a binary's ELF check fails build-all: the platform's images fail, the check's line names the binary and the fix", async (t) => {
  const line =
    'crossbake: backend for linux/arm/v7 needs libfoo.so.1, which no installed armhf package provides; add the Debian package that has it to native.packages."linux/arm/v7" in [workspace.metadata.crossbake]';
  const log = plainLog([
    '#9 [backend-linux-arm-v7 build-all 2/2] RUN set -euf; . /crossbake/target.env',
    '#9 [frontend-linux-arm-v7 build-all 2/2] RUN set -euf; . /crossbake/target.env',
    '#9 4.2     Finished release [optimized] target(s) in 4.1s',
    `#9 4.6 ${line}`,
    '#9 ERROR: process "/bin/sh -c set -euf" did not complete successfully: exit code: 1',
    '#10 [backend-linux-amd64 build-all 2/2] RUN set -euf; . /crossbake/target.env',
    '#10 DONE 5.0s',
    'ERROR: failed to solve',
    '',
  ]);
  const attribution = attribute(log, perPlatform(['backend', 'frontend']), 1);
  t.equal(attribution.failures.length, 1);
  const failure = attribution.failures[0]!;
  t.equal(failure.kind, 'step', 'not taken for a compile error: cargo finished');
  t.equal(failure.scope, 'platform');
  t.same(failure.slots.map((s) => `${s.target.bin} ${s.platform.docker}`).sort(), ['backend linux/arm/v7', 'frontend linux/arm/v7']);
  const text = formatError(failureError(attribution, 'Nothing was pushed.'));
  t.match(text, 'shared by every binary for linux/arm/v7');
  t.match(text, `  ${line}`);
  t.notMatch(text, /does not compile/);
  t.comment(text);
});

t.test("a step named after a platform's cache target (a cold build's call has them) fails that platform, not every one", async (t) => {
  const armv7 = findPlatform('linux/arm/v7')!;
  const targets = [
    ...perPlatform(['backend', 'frontend']),
    { name: '_crossbake-cache-toolchain', bin: '', platforms: [] },
    { name: `_crossbake-cache-${armv7.key}`, bin: '', platforms: [armv7] },
  ];
  const log = plainLog([
    `#9 [_crossbake-cache-${armv7.key} build-all 3/3] RUN --network=none set -euf; cargo build --profile release --target "$RUST_TARGET"`,
    '#9 11.02 error: no armv7',
    '#9 ERROR: process "x" did not complete successfully: exit code: 101',
    'ERROR: failed to solve',
  ]);
  const attribution = attribute(log, targets, 1);
  const failed = attribution.slots.filter((s) => s.outcome === 'failed').map((s) => s.target.name);
  t.same(failed.sort(), ['backend-linux-arm-v7', 'frontend-linux-arm-v7']);
  t.match(formatError(failureError(attribution, undefined)), /for linux\/arm\/v7/);
});
