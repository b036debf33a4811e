import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../src/buildx/report.js';
import {
  buildEnv,
  type ImageRecord,
  movedTags,
  type PushInputs,
  type PushRecord,
  pushFingerprint,
  unchangedReport,
} from '../src/buildx/unchanged.js';
import { contextEntries, entriesDigest, plainExclusions } from '../src/fs/context-digest.js';

const contextDigest = (dir: string, excluded: readonly string[] = []) => entriesDigest(contextEntries(dir, excluded));

import { imageRecords, pushRecords } from '../src/fs/pushed.js';

// "Nothing changed since the last push": the fingerprint of a push's inputs, the context digest it reads,
// and the record it keeps.

const inputs: PushInputs = {
  crossbake: 'x',
  files: [{ name: 'Dockerfile', content: 'FROM scratch\n' }],
  printed: { target: { a: { tags: ['r/a:1'], args: { B: '1', A: '2' } } } },
  set: [],
  driver: 'docker',
  builder: 'default',
  contexts: { '/w': 'sha256:1' },
  baseImages: { 'debian:bookworm-slim': 'sha256:2' },
  env: {},
};

t.test('the fingerprint: the same inputs in any key order give the same one, any change another', async (t) => {
  const fp = pushFingerprint(inputs);
  t.match(fp, /^sha256:[0-9a-f]{64}$/);
  t.equal(pushFingerprint({ ...inputs, printed: { target: { a: { args: { A: '2', B: '1' }, tags: ['r/a:1'] } } } }), fp);
  for (const changed of [
    { files: [{ name: 'Dockerfile', content: 'FROM scratch\n\n' }] },
    { printed: { target: { a: { tags: ['r/a:2'], args: { B: '1', A: '2' } } } } },
    { set: ['*.args.X=1'] },
    { driver: 'docker-container' },
    { builder: 'other' },
    { contexts: { '/w': 'sha256:3' } },
    { baseImages: { 'debian:bookworm-slim': 'sha256:4' } },
    { env: { SOURCE_DATE_EPOCH: '1' } },
  ]) {
    t.not(pushFingerprint({ ...inputs, ...changed }), fp, Object.keys(changed)[0]!);
  }
  t.same(buildEnv({ SOURCE_DATE_EPOCH: '5', BUILDX_BAKE_ENTITLEMENTS_FS: '0', HOME: '/h', BUILDKIT_PROGRESS: 'plain' }), {
    BUILDKIT_PROGRESS: 'plain',
    BUILDX_BAKE_ENTITLEMENTS_FS: '0',
    SOURCE_DATE_EPOCH: '5',
  });
});

t.test('the context digest: content, names, modes and links count; excluded paths do not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-ctx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'target/release'), { recursive: true });
  mkdirSync(join(dir, 'crates/a/target'), { recursive: true });
  writeFileSync(join(dir, 'src/main.rs'), 'fn main() {}\n');
  writeFileSync(join(dir, 'target/release/big'), 'x');
  writeFileSync(join(dir, 'crates/a/target/o'), 'x');
  const excluded = plainExclusions('# header\ntarget/\n/crates/a/target/\n**/*.rs.bk\nDockerfile\n');
  t.same(excluded, ['target', 'crates/a/target', 'Dockerfile'], 'plain entries, rooted; wildcards are read, not excluded');
  t.same(plainExclusions('target/\n!target/keep\n'), [], 'an exception anywhere: nothing is excluded');
  const first = contextDigest(dir, excluded);
  writeFileSync(join(dir, 'target/release/big'), 'y');
  writeFileSync(join(dir, 'crates/a/target/o'), 'y');
  t.equal(contextDigest(dir, excluded), first, 'what the build never sees changes nothing');
  t.not(contextDigest(dir), first, 'unless it is not excluded');
  writeFileSync(join(dir, 'src/main.rs'), 'fn main() { }\n');
  const edited = contextDigest(dir, excluded);
  t.not(edited, first, 'an edit');
  writeFileSync(join(dir, 'src/lib.rs'), '');
  const added = contextDigest(dir, excluded);
  t.not(added, edited, 'a new empty file');
  symlinkSync('main.rs', join(dir, 'src/link.rs'));
  t.not(contextDigest(dir, excluded), added, 'a link');
});

t.test('tags that moved, and the report of a build that did not happen', async (t) => {
  const report = {
    generatedBy: 'crossbake bake',
    ok: true,
    exitCode: 0,
    mode: 'push',
    builder: { name: 'default', driver: 'docker' },
    started: '2026-11-27T00:00:00.000Z',
    seconds: 30,
    rows: [
      {
        image: 'a',
        target: 'a-linux-amd64',
        platform: 'linux/amd64',
        result: 'built',
        seconds: 29,
        steps: 9,
        cachedSteps: 3,
        slowest: { stage: 'deps', seconds: 20 },
      },
    ],
    images: [{ image: 'a', tags: ['r/a:1'], pushed: true, digest: 'sha256:9' }],
    failures: [],
    buildSeconds: 28,
    coldRecorded: true,
  } as Report;
  const record: PushRecord = {
    fingerprint: `sha256:${'a'.repeat(64)}`,
    at: 'then',
    tags: { 'r/a:1': 'sha256:9', 'r/a:1-linux-amd64': 'sha256:8' },
    report,
    metadata: {},
  };
  t.same(movedTags(record, { 'r/a:1': 'sha256:9', 'r/a:1-linux-amd64': 'sha256:8' }), []);
  t.same(movedTags(record, { 'r/a:1': 'sha256:7', 'r/a:1-linux-amd64': undefined }), ['r/a:1', 'r/a:1-linux-amd64'], 'moved, and gone');
  const now = unchangedReport(record, new Date('2026-11-27T01:00:00Z'), 1.2);
  t.equal(now.started, '2026-11-27T01:00:00.000Z');
  t.equal(now.seconds, 1.2);
  t.same(
    now.rows.map((r) => [r.result, r.seconds, r.slowest, r.steps]),
    [['unchanged', undefined, undefined, 9]],
  );
  t.same(now.images, report.images, 'the same images and digests');
  t.notOk('coldRecorded' in now || 'buildSeconds' in now || 'saved' in now, 'not a build: nothing to compare or remember');
  const home = mkdtempSync(join(tmpdir(), 'crossbake-xdg-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const store = pushRecords({ XDG_CACHE_HOME: home });
  t.equal(store.get(record.fingerprint), undefined);
  store.put(record);
  t.same(store.get(record.fingerprint), record, 'kept by fingerprint');
  t.equal(store.get('sha256:../../etc'), undefined, 'a fingerprint is a digest, never a path');
});

t.test('image records: per workspace and image, newest first, a few kept', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'crossbake-xdg-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const store = imageRecords({ XDG_CACHE_HOME: home });
  const record = (n: number): ImageRecord => ({
    fingerprint: `sha256:${n.toString(16).padStart(64, '0')}`,
    at: `2026-11-29T00:00:0${n % 10}Z`,
    inputs: { own: ['crates/a/src/main.rs'], known: ['crates/a/src/main.rs'] },
    tags: { 'r.io/x/a:v1': `sha256:${n}` },
    rows: [],
    image: { image: 'a', tags: ['r.io/x/a:v1'], pushed: true },
    metadata: {},
  });
  t.same(store.list('/ws', 'a'), [], 'nothing yet');
  for (let n = 1; n <= 10; n++) store.add('/ws', 'a', record(n));
  const kept = store.list('/ws', 'a');
  t.equal(kept.length, 8, 'eight states kept');
  t.same(
    kept.map((r) => r.fingerprint),
    [10, 9, 8, 7, 6, 5, 4, 3].map((n) => record(n).fingerprint),
    'newest first',
  );
  store.add('/ws', 'a', record(5));
  t.equal(store.list('/ws', 'a')[0]!.fingerprint, record(5).fingerprint, 'the same state again moves to the front, once');
  t.equal(store.list('/ws', 'a').length, 8);
  t.same(store.list('/ws', 'b'), [], 'another image: its own records');
  t.same(store.list('/other', 'a'), [], 'another workspace: its own');
  store.add('/ws', 'b', { ...record(1), fingerprint: '../../etc' });
  t.same(store.list('/ws', 'b'), [], 'a fingerprint is a digest');
});
