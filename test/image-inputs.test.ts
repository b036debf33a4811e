import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { carriedInputs, covered, imageFingerprint, inputsOn, printedInputs, relevantDigest } from '../src/buildx/image-inputs.js';
import { applyStatus, type BuildLog, emptyLog } from '../src/buildx/progress.js';
import { contextEntries } from '../src/fs/context-digest.js';

/** The line docker/crossbake-target-cache.sh `inputs` prints. */
const line = (platform: string, bin: string, paths: string[], count = paths.length) =>
  `crossbake-inputs ${platform} ${bin} ${count} ${gzipSync(paths.join('\n')).toString('base64')}`;

function logOf(steps: Array<{ name: string; lines: string[] }>): BuildLog {
  const log = emptyLog();
  steps.forEach((step, i) => {
    applyStatus(log, {
      vertexes: [{ digest: `sha256:${i}`, name: step.name }],
      logs: [{ vertex: `sha256:${i}`, data: Buffer.from(`${step.lines.join('\n')}\n`).toString('base64') }],
    });
  });
  return log;
}

const TARGETS = ['backend', 'frontend'];
const ALL = ['linux/amd64', 'linux/arm64'];

t.test('build-all prints each binary on each platform; crossbake reads them back', async (t) => {
  const log = logOf([
    {
      name: '[backend linux/amd64 build-all 2/2] RUN --mount=type=cache',
      lines: [
        '   Compiling backend v0.1.0 (/build/crates/backend)',
        line('linux/amd64', 'backend', ['crates/backend/src/main.rs', 'crates/shared/src/lib.rs']),
        line('linux/amd64', 'frontend', ['crates/frontend/src/main.rs', 'crates/shared/src/lib.rs']),
      ],
    },
    {
      name: '[backend linux/amd64->arm64 build-all 2/2] RUN --mount=type=cache',
      lines: [
        line('linux/arm64', 'backend', ['crates/backend/src/arm.rs', 'crates/backend/src/main.rs']),
        line('linux/arm64', 'frontend', ['crates/frontend/src/main.rs'], 5),
      ],
    },
    // a line any other step prints is not build-all's
    { name: '[backend linux/amd64 deps 4/4] RUN set -f', lines: [line('linux/arm64', 'frontend', ['x'])] },
  ]);
  const printed = printedInputs(log, TARGETS);
  t.same(
    inputsOn(printed, 'backend', ALL),
    ['crates/backend/src/arm.rs', 'crates/backend/src/main.rs', 'crates/shared/src/lib.rs'],
    'a binary: every platform its files, as one sorted list (a cfg-gated module counts)',
  );
  t.equal(
    inputsOn(printed, 'frontend', ALL),
    undefined,
    'a line whose count does not match (a clipped log) is not read, and then the binary has no list',
  );
  t.same(inputsOn(printed, 'frontend', ['linux/amd64']), ['crates/frontend/src/main.rs', 'crates/shared/src/lib.rs']);
  t.equal(
    inputsOn(printed, 'backend', [...ALL, 'linux/arm/v7']),
    undefined,
    'a platform whose build-all printed nothing (cached): no list',
  );

  const corrupt = logOf([{ name: '[linux/amd64 build-all 2/2] RUN x', lines: ['crossbake-inputs linux/amd64 backend 1 AAAA'] }]);
  t.equal(inputsOn(printedInputs(corrupt, []), 'backend', ['linux/amd64']), undefined, 'bytes that do not gunzip');
  const unprefixed = logOf([{ name: '[linux/amd64 build-all 2/2] RUN x', lines: [line('linux/amd64', 'backend', [])] }]);
  t.same(
    inputsOn(printedInputs(unprefixed, ['backend']), 'backend', ['linux/amd64']),
    [],
    'a call of one target names no target; no file is a list too',
  );
});

t.test('covered: a path itself or under a listed directory', async (t) => {
  const paths = new Set(['crates/a/src/main.rs', 'assets']);
  t.ok(covered('crates/a/src/main.rs', paths));
  t.ok(covered('assets/logo.svg', paths), 'a rerun-if-changed directory covers what is under it');
  t.notOk(covered('crates/a/src/main.rs.bak', paths));
  t.notOk(covered('crates/a/src', paths));
});

t.test("an image's fingerprint follows its own files and every file outside all lists, not another binary's", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-inputs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('Cargo.toml', '[workspace]\n');
  write('crates/backend/src/main.rs', 'fn main() {}\n');
  write('crates/frontend/src/main.rs', 'fn main() {}\n');
  write('crates/shared/src/lib.rs', 'pub fn f() {}\n');
  const backend = { own: ['crates/backend/src/main.rs', 'crates/shared/src/lib.rs'], known: [] as string[] };
  const inputs = { ...backend, known: [...backend.own, 'crates/frontend/src/main.rs'].sort() };
  const print = () => imageFingerprint('sha256:base', 'backend', inputs, contextEntries(dir));
  const first = print();
  t.equal(print(), first, 'the same files, the same fingerprint');
  t.not(imageFingerprint('sha256:other', 'backend', inputs, contextEntries(dir)), first, 'another definition (settings, base images)');
  t.not(imageFingerprint('sha256:base', 'frontend', inputs, contextEntries(dir)), first, 'another image');

  write('crates/frontend/src/main.rs', 'fn main() { println!("x") }\n');
  t.equal(print(), first, "another binary's own file changed: backend is the same");
  write('crates/shared/src/lib.rs', 'pub fn f() { }\n');
  const shared = print();
  t.not(shared, first, 'a file backend is built from changed');
  write('Cargo.toml', '[workspace]\nmembers = []\n');
  const manifest = print();
  t.not(manifest, shared, 'a file in no list (a manifest) counts for every image');
  write('crates/frontend/src/new.rs', '\n');
  t.not(print(), manifest, 'so does a new file');
  rmSync(join(dir, 'crates/frontend/src/new.rs'));
  t.equal(print(), manifest, 'and its removal undoes it');
  rmSync(join(dir, 'crates/backend/src/main.rs'));
  t.not(print(), manifest, 'one of its own files gone');
});

t.test('a build whose build-all printed nothing takes the lists of a record whose files are the same now', async (t) => {
  const entries = new Map([
    ['Cargo.toml', 'f 644 10 aa'],
    ['crates/a/src/main.rs', 'f 644 10 bb'],
    ['crates/b/src/main.rs', 'f 644 10 cc'],
  ]);
  const inputs = { own: ['crates/a/src/main.rs'], known: ['crates/a/src/main.rs', 'crates/b/src/main.rs'] };
  const record = { inputs, relevant: relevantDigest(entries, inputs) };
  t.same(carriedInputs([record], entries), inputs, 'the same files');
  t.same(
    carriedInputs([record], new Map([...entries, ['crates/b/src/main.rs', 'f 644 10 dd']])),
    inputs,
    "another binary's file changed: still the same for this one",
  );
  t.equal(carriedInputs([record], new Map([...entries, ['crates/a/src/main.rs', 'f 644 10 ee']])), undefined, 'its own file changed');
  t.equal(carriedInputs([record], new Map([...entries, ['Cargo.toml', 'f 644 11 ff']])), undefined, 'a manifest changed');
  t.equal(carriedInputs([{ inputs }], entries), undefined, 'a record without the digest (an older format)');
});
