// The live view's model and screen, fed progress streams captured from real `docker buildx bake` runs of
// examples/workspace on this machine (test/fixtures/progress/README.md): a first build into an empty
// registry namespace, a rebuild after a one-line change, a platform that does not compile.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { attribute } from '../src/buildx/attribute.js';
import { type BuildRecord, formatHistory, parseHistory, remember, savedAgainst } from '../src/buildx/history.js';
import { bakeSteps } from '../src/buildx/invocation.js';
import { LiveView } from '../src/buildx/live.js';
import { PlainFilter } from '../src/buildx/plain.js';
import { type BuildLog, emptyLog, parseProgress, RawJsonReader } from '../src/buildx/progress.js';
import { formatReport, isCold, type Report, rowsFromSlots, withStages } from '../src/buildx/report.js';
import { redraw, renderScreen } from '../src/buildx/screen.js';
import { buildView, stageTimes, stepLabel, type View, type ViewPlan, viewPlan } from '../src/buildx/view.js';
import { loadProject } from '../src/commands/project.js';
import { fixture, repoRoot } from './helpers/paths.js';
import { Terminal } from './helpers/terminal.js';

const stream = (name: string) => {
  const buffer = readFileSync(fixture('progress', name));
  return name.endsWith('.gz') ? gunzipSync(buffer).toString('utf8') : buffer.toString('utf8');
};

/**
 * The Plan of the captured runs: examples/workspace, per-platform targets, each with its own cache (they
 * were captured before the platforms' shared caches), and a build-<bin> stage per binary (captured before
 * build-all took over its checks).
 */
function plan(flags: Record<string, unknown> = {}): ViewPlan {
  const project = loadProject({ workspace: 'examples/workspace', flags, cwd: repoRoot });
  const { sharedCache: _, ...captured } = project.plan;
  const steps = bakeSteps(captured, { target: {} }, { push: false, load: false, noCache: false, set: [], bakeFile: 'x', driver: 'docker' });
  const view = viewPlan(captured, steps.runTargets, project.workspace.lockfile?.packages.length);
  const legacy = captured.images.map(({ bin }) => [`build-${bin}`, { phase: 'build', scope: 'image', bin }] as const);
  return { ...view, stages: new Map([...view.stages, ...legacy]) };
}

const latest = (log: BuildLog) => Math.max(0, ...[...log.vertices.values()].flatMap((v) => [v.started ?? 0, v.completed ?? 0]));

/** Replays a stream in 4 kB chunks until `stop` says so; the clock is the stream's own latest time. */
function replay(text: string, stop: (log: BuildLog) => boolean): BuildLog {
  const log = emptyLog();
  const reader = new RawJsonReader(log);
  for (let i = 0; i < text.length; i += 4096) {
    reader.feed(text.slice(i, i + 4096));
    if (stop(log)) break;
  }
  return log;
}

const compilingDeps = (log: BuildLog) =>
  [...log.vertices.values()].some(
    (v) => v.completed === undefined && (v.counts.Compiling ?? 0) >= 3 && v.names.some((n) => / deps 3\/3\]/.test(n)),
  );

const screen = (view: View, columns = 120, rows = 30, now = 0) => renderScreen(view, { columns, rows }, now);

t.test('a first build, mid-way: shared stages once, a row per image and platform, cargo crates counted, no error', async (t) => {
  const log = replay(stream('first-build.rawjson.gz'), compilingDeps);
  const now = latest(log);
  const view = buildView(log, plan({ registry: '127.0.0.1:5000/live/first1739' }), now);
  const lines = screen(view, 140, 30, now);
  t.equal(lines.length, 1 + 3 + 6 + 1, 'shared (all platforms), shared per platform, 2 images × 3 platforms, status');
  t.match(lines[0], /^. shared\s+all platforms\s/);
  for (const p of ['linux/amd64', 'linux/arm64', 'linux/arm/v7']) {
    t.ok(
      lines.some((l) => new RegExp(`^. shared\\s+${p.replace(/\//g, '\\/')}\\s`).test(l)),
      `one shared row for ${p}`,
    );
    for (const bin of ['backend', 'frontend'])
      t.equal(lines.filter((l) => new RegExp(`^. ${bin}\\s+${p.replace(/\//g, '\\/')}\\s`).test(l)).length, 1, `${bin} ${p}`);
  }
  const deps = lines.find((l) => /deps 3\/3\s+cargo build \(\d+\/12 crates\)/.test(l));
  t.ok(deps, 'the deps step in crossbake words, with crates compiled of the lock file');
  t.match(deps!, /[█░]{10}/, 'a bar');
  t.match(deps!, /Compiling \S+ v\d/, "the running cargo step's latest Compiling line");
  t.notMatch(lines.join('\n'), /RUN |set -eu|crossbake-cargo|ERROR/, 'no shell text, no ERROR');
  t.ok(
    lines.some((l) => /waiting for deps/.test(l)),
    'an image waits for its shared stage',
  );
  t.match(lines[lines.length - 1], /^building \d/);
  t.same(
    [...view.notes].sort(),
    ['backend', 'frontend']
      .flatMap((b) => ['linux/amd64', 'linux/arm/v7', 'linux/arm64'].map((p) => `no cache yet for ${b} ${p}: first build`))
      .sort(),
    'one quiet note per image and platform',
  );
  t.same(view.warnings, []);
});

t.test('a first build, finished: every row collapsed to its result', async (t) => {
  const log = parseProgress(stream('first-build.rawjson.gz'), 'rawjson');
  const lines = screen(buildView(log, plan(), latest(log), { exitCode: 0 }));
  t.equal(lines.length, 11);
  t.ok(
    lines.slice(0, 4).every((l) => /^✔ shared\s+\S+( platforms)?\s+done/.test(l)),
    lines.slice(0, 4).join('\n'),
  );
  t.ok(
    lines.slice(4, 10).every((l) => /^✔ (backend|frontend)\s+linux\/\S+\s+built in \d/.test(l)),
    lines.slice(4, 10).join('\n'),
  );
  t.match(lines[10], /^built \d+m\d\ds · 6\/6 done$/);
});

t.test('a rebuild: no cache notes, the build steps ran, the rest came from the cache', async (t) => {
  const log = parseProgress(stream('rebuild.rawjson.gz'), 'rawjson');
  const vp = plan({ registry: '127.0.0.1:5000/live/first1739' });
  const view = buildView(log, vp, latest(log), { exitCode: 0 });
  t.same(view.notes, []);
  t.same(view.warnings, []);
  const mid = replay(stream('rebuild.rawjson.gz'), (l) =>
    [...l.vertices.values()].some(
      (v) => v.completed === undefined && v.started !== undefined && v.names.some((n) => /build-backend 2\/2/.test(n)),
    ),
  );
  const lines = screen(buildView(mid, vp, latest(mid)), 120, 30, latest(mid));
  t.ok(
    lines.some((l) => /^. backend\s+linux\/\S+\s+build 2\/2\s+cargo build --bin backend/.test(l)),
    lines.join('\n'),
  );

  const targets = vp.targets;
  const rows = withStages(rowsFromSlots(attribute(log, targets, 0).slots), stageTimes(log, vp));
  for (const r of rows) {
    t.same(r.cached, ['toolchain', 'deps', 'runtime'], `${r.image} ${r.platform}: only the build ran`);
    t.equal(r.slowest?.stage, 'export', `${r.image} ${r.platform}: exporting the cache is the slowest part of a rebuild`);
  }
  t.notOk(isCold(rows));
  const first = parseProgress(stream('first-build.rawjson.gz'), 'rawjson');
  const cold = withStages(rowsFromSlots(attribute(first, targets, 0).slots), stageTimes(first, vp));
  t.ok(isCold(cold), 'the first build built its toolchain and dependencies');
  for (const r of cold) {
    t.same(r.cached, []);
    t.equal(r.slowest?.stage, 'deps', `${r.image} ${r.platform}`);
  }
});

t.test('a platform that does not compile: its row says where and why, the others their result', async (t) => {
  const log = parseProgress(stream('compile-armv7.rawjson.gz'), 'rawjson');
  const view = buildView(log, plan({ platforms: ['linux/amd64', 'linux/arm/v7'], registry: '127.0.0.1:5000/crossbake' }), latest(log), {
    exitCode: 1,
  });
  const lines = screen(view, 120);
  t.match(
    lines.find((l) => /backend\s+linux\/arm\/v7/.test(l)),
    /^✖ backend\s+linux\/arm\/v7\s+failed in build 2\/2 \(cargo build --bin backend.*\) — error: no armv7$/,
  );
  t.match(lines[lines.length - 1], /· 1 failed$/);
  t.same(view.notes, [], 'only cache-all (written by --load builds) was missing: nothing to say');
});

t.test('a narrow, short terminal: every line fits, finished rows fold, the rest is counted', async (t) => {
  const log = replay(stream('first-build.rawjson.gz'), compilingDeps);
  const now = latest(log);
  const view = buildView(log, plan(), now);
  for (const [columns, rows] of [
    [80, 30],
    [50, 8],
    [30, 5],
  ] as const) {
    const lines = screen(view, columns, rows, now);
    t.ok(lines.length <= rows - 1, `${columns}x${rows}: ${lines.length} lines`);
    for (const l of lines) t.ok(l.length < columns, `${columns}x${rows}: "${l}" fits`);
  }
  const small = screen(view, 50, 8, now);
  t.match(small.join('\n'), /more waiting or not shown/);
  t.ok(
    small.some((l) => /^. shared\s+all platforms\s+deps 3\/3\s+\d/.test(l)),
    'the elapsed time and the step stay when the label does not fit',
  );
  const done = parseProgress(stream('first-build.rawjson.gz'), 'rawjson');
  const folded = screen(buildView(done, plan(), latest(done), { exitCode: 0 }), 80, 6);
  t.match(folded[0], /^✔ 10 done: shared all platforms, /);
});

t.test('the terminal sees a redraw in place, not a scrolling log; notes once, above the rows', async (t) => {
  const text = stream('first-build.rawjson.gz');
  const log = emptyLog();
  const reader = new RawJsonReader(log);
  const term = new Terminal();
  let written = '';
  const view = new LiveView(
    log,
    plan({ registry: '127.0.0.1:5000/live/first1739' }),
    (s) => {
      written += s;
      term.write(s);
    },
    () => ({ columns: 120, rows: 30 }),
    () => latest(log),
  );
  let frames = 0;
  for (let i = 0; i < text.length; i += 8192) {
    reader.feed(text.slice(i, i + 8192));
    view.update(true);
    frames++;
  }
  reader.end();
  view.finish(0);
  t.ok(frames > 50);
  const screenText = term.text;
  t.equal(screenText.length, 6 + 11, `6 notes and 11 rows on the screen after ${frames} frames:\n${screenText.join('\n')}`);
  t.equal(screenText.filter((l) => /^crossbake: note: no cache yet for /.test(l)).length, 6);
  t.notMatch(written, /ERROR|importing cache manifest/);
  t.match(written, /\x1b\[11A/, 'the cursor goes back up over the rows');
});

t.test('redraw: up over the old block, erase each line, erase what is left below', async (t) => {
  t.equal(redraw(0, ['a', 'b']), '\r\x1b[2Ka\n\x1b[2Kb\n\x1b[J');
  t.equal(redraw(2, ['c'], ['note']), '\x1b[2A\r\x1b[Jnote\n\x1b[2Kc\n\x1b[J');
});

t.test('plain output keeps its lines but loses the cache-miss false alarms', async (t) => {
  const text = stream('compile-armv7.plain');
  let out = '';
  const filter = new PlainFilter((s) => {
    out += s;
  });
  for (let i = 0; i < text.length; i += 53) filter.feed(text.slice(i, i + 53));
  filter.end();
  t.notMatch(out, /failed to configure registry cache importer/);
  t.notMatch(out, /importing cache manifest from 127\.0\.0\.1:5000\/crossbake\/frontend:cache-all/);
  t.match(
    out,
    /#15 \[backend-linux-amd64\] importing cache manifest from 127\.0\.0\.1:5000\/crossbake\/backend:cache-linux-amd64\n#15 inferred/,
  );
  t.match(out, /error: no armv7/, 'the real failure is all there');
  t.match(out, /------\n > \[backend-linux-arm-v7 build-backend 2\/2\] RUN/);
  // what went is exactly the cache misses: the output is the input minus those lines
  const input = text.split('\n');
  const output = out.split('\n');
  const removed: string[] = [];
  let j = 0;
  for (const line of input) {
    if (output[j] === line) j++;
    else removed.push(line);
  }
  t.equal(j, output.length, 'every line out is a line in, in order');
  t.ok(removed.length >= 5 * 3 + 5 * 3, `${removed.length} lines removed`);
  t.same(
    removed.filter((l) => !/importing cache manifest|failed to configure registry cache importer: .*: not found$|^------$|^$/.test(l)),
    [],
  );

  // a cache that is there but refuses: buildx's lines stay, and the view names the ref in a warning
  const refused = text.replace(
    '#11 ERROR: failed to configure registry cache importer: 127.0.0.1:5000/crossbake/frontend:cache-linux-arm-v7: not found',
    '#11 ERROR: failed to configure registry cache importer: 127.0.0.1:5000/crossbake/frontend:cache-linux-arm-v7: unexpected status: 401 Unauthorized',
  );
  let out2 = '';
  const f2 = new PlainFilter((s) => {
    out2 += s;
  });
  f2.feed(refused);
  f2.end();
  t.match(out2, /#11 \[frontend-linux-arm-v7\] importing cache manifest from .*\n#11 ERROR: .*401 Unauthorized/);
  const view = buildView(parseProgress(refused, 'plain'), plan({ platforms: ['linux/amd64', 'linux/arm/v7'] }), 0, { exitCode: 1 });
  t.same(view.warnings, [
    'cache 127.0.0.1:5000/crossbake/frontend:cache-linux-arm-v7 could not be read (127.0.0.1:5000/crossbake/frontend:cache-linux-arm-v7: unexpected status: 401 Unauthorized); building without it. Check the registry and the cache setting.',
  ]);
  t.same([...view.notes].sort(), [
    'no cache yet for backend linux/arm/v7: first build',
    'no cache yet for frontend linux/amd64: first build',
  ]);

  // an index over what BuildKit reads: the cause and the way out, not "check the registry"
  const large = text.replace(
    '#11 ERROR: failed to configure registry cache importer: 127.0.0.1:5000/crossbake/frontend:cache-linux-arm-v7: not found',
    '#11 ERROR: failed to configure registry cache importer: blob sha256:b58a554c07066070b7af54aff07661c24b6f64c89e442088b4f7f894774481bf is too large (1126955 > 1048576)',
  );
  const big = buildView(parseProgress(large, 'plain'), plan({ platforms: ['linux/amd64', 'linux/arm/v7'] }), 0, { exitCode: 1 });
  t.equal(big.warnings.length, 1);
  t.match(
    big.warnings[0],
    /^cache 127\.0\.0\.1:5000\/crossbake\/frontend:cache-linux-arm-v7 could not be read \(.*too large \(1126955 > 1048576\)\): its index is over the size BuildKit reads; building without it\./,
  );
  t.match(big.warnings[0], /long-lived builder/);
  t.match(big.warnings[0], /docker buildx create --name crossbake --driver docker-container/);
  t.notMatch(big.warnings[0], /Check the registry/);
});

t.test('the time saved against the last cold build of the same images and platforms', async (t) => {
  const base = { workspace: '/w', slots: ['backend linux/amd64'], multiPlatform: false } as const;
  const cold: BuildRecord = { ...base, seconds: 178, cold: true, at: '2026-11-26T17:42:00.000Z' };
  const warm: BuildRecord = { ...base, seconds: 29.3, cold: false, at: '2026-11-26T18:10:00.000Z' };
  t.equal(savedAgainst([], warm), undefined, 'nothing to compare with');
  t.equal(savedAgainst([{ ...cold, slots: ['frontend linux/amd64'] }], warm), undefined, 'other images do not compare');
  t.same(savedAgainst(remember([], cold), warm), { seconds: 29.3, coldSeconds: 178, coldAt: cold.at });
  t.equal(savedAgainst([cold], { ...cold, at: 'later' }), undefined, 'a cold build is not compared');
  t.same(parseHistory(formatHistory([cold, warm])), [cold, warm]);
  t.same(parseHistory('not json'), []);
  t.same(parseHistory('{"builds":[{"workspace":1}]}'), []);
  t.equal(
    remember(
      Array.from({ length: 60 }, () => warm),
      cold,
    ).length,
    50,
  );

  const report: Report = {
    generatedBy: 'crossbake bake',
    ok: true,
    exitCode: 0,
    mode: 'build',
    builder: { name: 'default', driver: 'docker' },
    started: warm.at,
    seconds: 30,
    rows: [],
    images: [],
    failures: [],
    buildSeconds: 29.3,
    saved: { seconds: 29.3, coldSeconds: 178, coldAt: cold.at },
  };
  t.match(
    formatReport(report),
    'cache saved 2m29s: this build 29.3s, the last cold build of these images on this machine 2m58s (2026-11-26 17:42 UTC)',
  );
  const { saved: _, ...noSaved } = report;
  t.match(formatReport({ ...noSaved, coldRecorded: true }), 'a cold build (toolchain and dependencies built, not cached): 29.3s');
});

t.test('colour is laid over the fitted text: stripped, it is the same screen', async (t) => {
  const log = replay(stream('first-build.rawjson.gz'), compilingDeps);
  const now = latest(log);
  const view = buildView(log, plan(), now);
  const plain = renderScreen(view, { columns: 80, rows: 30 }, now);
  const painted = renderScreen(view, { columns: 80, rows: 30 }, now, { color: true });
  t.not(painted.join('\n'), plain.join('\n'));
  t.same(
    painted.map((l) => l.replace(/\x1b\[\d+m/g, '')),
    plain,
  );
});

t.test("the native, check and runtime-package steps in crossbake's words", async (t) => {
  const vertex = { id: '1', names: [], completed: 1, cached: false, canceled: false, logs: [], partial: '', counts: {}, seq: 1 };
  t.equal(
    stepLabel({ phase: 'toolchain', scope: 'shared' }, 'native', 'RUN --mount=type=bind,from=skeleton set -eu', vertex),
    'native -dev packages for the targets',
  );
  t.equal(
    stepLabel(
      { phase: 'build', scope: 'image', bin: 'api' },
      'build-api',
      'RUN --mount=type=bind . /crossbake/target.env && sh /crossbake/runtime-libs.sh /out/api',
      vertex,
    ),
    "check api's ELF, find its libraries",
  );
  t.equal(
    stepLabel(
      { phase: 'runtime', scope: 'image', bin: 'api' },
      'libs-api',
      'RUN --mount=type=bind sh /crossbake/runtime-install.sh /crossbake/runtime-packages',
      vertex,
    ),
    'add runtime packages',
  );
});
