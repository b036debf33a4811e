// The bench's pure parts (bench/lib): goal verdicts, the time split of a captured build log, the chart's
// SVG and the synthetic workspace. No docker.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { benchChart, perBinary } from '../bench/lib/chart.js';
import { type Figures, goalRows, goalTable } from '../bench/lib/goals.js';
import { phaseOf, splitFromText, unionSeconds } from '../bench/lib/phases.js';
import { cacheBlobs, cacheTotals, isCache } from '../bench/lib/registry.js';
import { benchReport, type Timed } from '../bench/lib/report.js';
import { escapeXml, renderChart } from '../bench/lib/svg.js';
import { binDeps, libDeps, registryBlocks, syntheticWorkspace } from '../bench/lib/synthetic.js';
import { fixture, repoRoot } from './helpers/paths.js';

const base: Figures = { cold: 100, source: 4, none: 3, lock: 20, emptied: 10, naive: { seconds: 700, stopped: false, ok: true } };
const verdicts = (f: Figures) => goalRows(f).map((r) => r.verdict);

t.test('goals: every row met when every bound holds', async (t) => {
  t.same(verdicts(base), ['met', 'met', 'met', 'met', 'met']);
  t.same(
    goalRows(base).map((r) => r.figure),
    ['cold build', 'one-file source change', 'no change', 'lock change (one new crate)', 'emptied machine from the registry cache'],
  );
  t.match(goalRows(base)[0]!.measured, /7\.0×/);
});

t.test('goals: each bound, on both sides of its edge', async (t) => {
  t.equal(goalRows({ ...base, naive: { seconds: 600, stopped: false, ok: true } })[0]!.verdict, 'met', '6.0× is met');
  t.equal(goalRows({ ...base, naive: { seconds: 599, stopped: false, ok: true } })[0]!.verdict, 'not met');
  // one-file: both the seconds and the share must hold
  t.equal(goalRows({ ...base, source: 5 })[1]!.verdict, 'met', '5 % of cold');
  t.equal(goalRows({ ...base, source: 5.1 })[1]!.verdict, 'not met', 'over 5 % of cold');
  t.equal(goalRows({ ...base, cold: 400, source: 10.5 })[1]!.verdict, 'not met', 'under 5 % but over 10 s');
  t.equal(goalRows({ ...base, none: 5 })[2]!.verdict, 'met');
  t.equal(goalRows({ ...base, none: 5.01 })[2]!.verdict, 'not met');
  t.equal(goalRows({ ...base, lock: 25 })[3]!.verdict, 'met');
  t.equal(goalRows({ ...base, lock: 26 })[3]!.verdict, 'not met');
  t.equal(goalRows({ ...base, emptied: 15 })[4]!.verdict, 'met');
  t.equal(goalRows({ ...base, emptied: 15.5 })[4]!.verdict, 'not met');
});

t.test('goals: the naive figure missing, stopped or failed', async (t) => {
  const { naive: _, ...noNaive } = base;
  t.equal(goalRows(noNaive)[0]!.verdict, 'unknown');
  t.equal(
    goalRows({ ...base, naive: { seconds: 300, stopped: true, ok: true } })[0]!.verdict,
    'unknown',
    'a lower bound under 6× proves nothing',
  );
  t.equal(goalRows({ ...base, naive: { seconds: 900, stopped: true, ok: true } })[0]!.verdict, 'met', 'a lower bound over 6× is enough');
  t.match(goalRows({ ...base, naive: { seconds: 900, stopped: true, ok: true } })[0]!.measured, /> 900\.0 s: > 9\.0×/);
  t.equal(goalRows({ ...base, naive: { seconds: 900, stopped: false, ok: false } })[0]!.verdict, 'unknown');
  t.same(goalTable(goalRows(noNaive))[1], [
    'cold build',
    '100.0 s',
    '≥ 6× faster than the naive emulated build',
    'unknown (naive build not measured)',
  ]);
});

const TARGETS = ['backend-linux-amd64', 'backend-linux-arm-v7', 'frontend-linux-amd64', 'frontend-linux-arm-v7'];

t.test('phases: step names to phases', async (t) => {
  const cases: Array<[string, string]> = [
    ['[backend-linux-amd64 toolchain 2/5] RUN set -eu; native=...', 'toolchain'],
    ['[backend-linux-amd64 rust-std 1/1] RUN --mount=type=bind,from=runtime-packages,source=/rust-std', 'toolchain'],
    ['[backend-linux-amd64 skeleton 3/9] COPY <<CROSSBAKE_EOF /Cargo.lock', 'deps'],
    ['[backend-linux-arm-v7 target 1/1] RUN set -eu; case ...', 'deps'],
    ['[frontend-linux-amd64 deps 3/3] RUN . /crossbake/target.env && crossbake-cargo build', 'deps'],
    ['[frontend-linux-arm-v7 build-frontend 2/2] RUN . /crossbake/target.env', 'build'],
    ['[backend-linux-amd64 runtime-files 2/2] RUN set -eu;', 'runtime'],
    ['[backend-linux-amd64 runtime-backend 2/3] COPY --from=build-backend /out/backend /app/backend', 'runtime'],
    ['[backend-linux-amd64] exporting cache to registry', 'cacheExport'],
    ['exporting cache to registry', 'cacheExport'],
    ['[backend-linux-amd64] exporting to image', 'push'],
    ['[backend-linux-amd64] importing cache manifest from 127.0.0.1:5000/x/backend:cache-linux-amd64', 'other'],
    ['[frontend-linux-amd64 internal] load build context', 'other'],
    // the naive Dockerfile: `docker buildx build` names, compiler installed in its build stage
    ['[linux/arm64 build 2/6] RUN apt-get update &&     apt-get install -y --no-install-recommends rustc cargo gcc', 'toolchain'],
    ['[linux/arm64 build 6/6] RUN debian-checksums Cargo.lock && cargo build --release --locked --workspace', 'build'],
    ['[linux/arm/v7 runtime 2/6] RUN apt-get update &&     apt-get install -y --no-install-recommends tini ca-certificates', 'runtime'],
    ['[auth] library/debian:pull token for registry-1.docker.io', 'push'],
  ];
  for (const [name, phase] of cases) t.equal(phaseOf(name, TARGETS), phase, name);
});

t.test('phases: overlapping steps count once in wall-clock seconds', async (t) => {
  t.equal(unionSeconds([]), 0);
  t.equal(
    unionSeconds([
      [0, 1000],
      [500, 2000],
      [3000, 4000],
    ]),
    3,
  );
  t.equal(
    unionSeconds([
      [3000, 4000],
      [0, 5000],
    ]),
    5,
  );
});

function rawjson(vertexes: Array<{ digest: string; name: string; started?: string; completed?: string; cached?: boolean }>): string {
  return vertexes.map((v) => JSON.stringify({ vertexes: [v] }, null, 2)).join('\n');
}

t.test('phases: a stream with crossbake lines around it', async (t) => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s)).toISOString();
  const text = [
    rawjson([
      { digest: 'a', name: '[backend-linux-amd64 toolchain 2/5] RUN apt-get', started: at(0), completed: at(60) },
      { digest: 'b', name: '[backend-linux-amd64 deps 3/3] RUN cargo', started: at(60), completed: at(100) },
      { digest: 'c', name: '[backend-linux-arm-v7 deps 3/3] RUN cargo', started: at(62), completed: at(110) },
      { digest: 'd', name: '[backend-linux-amd64 build-backend 2/2] RUN cargo', started: at(100), completed: at(110) },
      { digest: 'e', name: '[frontend-linux-amd64 build-frontend 2/2] RUN cargo', cached: true, started: at(100), completed: at(100) },
      { digest: 'f', name: '[backend-linux-amd64] exporting cache to registry', started: at(111), completed: at(131) },
      { digest: 'g', name: '[backend-linux-arm-v7] exporting cache to registry', started: at(120), completed: at(140) },
    ]),
    'crossbake: build     140.0s',
    'crossbake: push      3.5s  (4 platform images)',
    'crossbake: merge     1.5s',
  ].join('\n');
  const split = splitFromText(text, TARGETS);
  t.same(split.toolchain, { seconds: 60, busy: 60, steps: 1 });
  t.same(split.deps, { seconds: 50, busy: 88, steps: 2 });
  t.same(split.build, { seconds: 10, busy: 10, steps: 1 }, 'the cached step is left out');
  t.same(split.cacheExport, { seconds: 29, busy: 40, steps: 2 });
  t.same(split.push, { seconds: 5, busy: 5, steps: 0 }, "crossbake's push and merge, after the bake");
});

t.test('phases: a build in several bake calls is read call by call', async (t) => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s)).toISOString();
  const definitions = (s: number) => ({ digest: 'defs', name: '[internal] load local bake definitions', started: at(s) });
  const text = [
    rawjson([
      definitions(0),
      { ...definitions(0), completed: at(0) },
      { digest: 'a', name: '[backend-linux-amd64 toolchain 2/5] RUN apt-get', started: at(1), completed: at(61) },
    ]),
    // the second call reports the same step again, briefly: it must not span both calls
    rawjson([
      definitions(300),
      { digest: 'a', name: '[frontend-linux-amd64 toolchain 2/5] RUN apt-get', started: at(301), completed: at(302) },
    ]),
    'crossbake: build     302.0s',
  ].join('\n');
  const split = splitFromText(text, TARGETS);
  t.same(split.toolchain, { seconds: 61, busy: 61, steps: 2 });
});

t.test('phases: a captured real stream (success.rawjson.gz: backend and frontend, mostly cached)', async (t) => {
  const text = gunzipSync(readFileSync(fixture('progress', 'success.rawjson.gz'))).toString('utf8');
  const split = splitFromText(text, TARGETS);
  t.equal(split.build.steps, 4, 'four build-<bin> steps ran');
  t.ok(split.build.seconds > 8 && split.build.seconds < split.build.busy, 'they overlapped');
  t.equal(split.cacheExport.steps, 4, 'four cache exports');
  t.equal(split.deps.steps, 0, 'dependencies cached');
});

/** Well-formed XML, checked by a small stack parser: tags nest and close, attributes are quoted, text has no raw `<` or `&`. */
function wellFormed(xml: string): string | undefined {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let roots = 0;
  while ((m = token.exec(xml))) {
    if (m[6]) return `stray '<' at ${m.index}`;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[5])) return `raw & at ${m.index}`;
      if (stack.length === 0 && m[5].trim() !== '') return `text outside the root at ${m.index}`;
      continue;
    }
    if (m[2] === undefined) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return `</${m[2]}> closes nothing open at ${m.index}`;
    } else if (!m[4]) {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length) return `unclosed <${stack.join('>, <')}>`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

t.test('svg: a well-formed chart whose bars scale with their values', async (t) => {
  const svg = renderChart('crossbake <bench> & naive', [
    {
      title: 'cold build, by phase',
      unit: 's',
      series: [
        { name: 'crossbake', color: '#2f6fdf' },
        { name: 'naive (qemu)', color: '#e07b39' },
      ],
      rows: [
        { label: 'toolchain', values: [60, 300] },
        { label: 'build', values: [20, undefined] },
      ],
      notes: ['one run, 2 cores'],
    },
    { title: 'one more binary', unit: 's', series: [{ name: 'per binary', color: '#444' }], rows: [{ label: 'cold', values: [12.5] }] },
  ]);
  t.equal(wellFormed(svg), undefined);
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.match(svg, /crossbake &lt;bench&gt; &amp; naive/);
  const widths = [...svg.matchAll(/<rect x="230" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.same(widths, [94, 470, 31.3, 470], 'each panel on its own scale: its longest bar is full width');
  t.match(svg, /not measured/);
  t.matchSnapshot(svg, 'the chart as text');
});

t.test('svg: the checker itself rejects what is not well-formed', async (t) => {
  t.ok(wellFormed('<svg><text>a</svg>'));
  t.ok(wellFormed('<svg><text>a & b</text></svg>'));
  t.ok(wellFormed('<svg></svg><svg></svg>'));
  t.equal(wellFormed('<svg><rect x="1"/><text>a &amp; b</text></svg>'), undefined);
  t.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});

t.test('chart: the bench figures drawn, with and without phases and scale rows', async (t) => {
  const scale = {
    bins: [6, 12] as [number, number],
    cold: [200, 260] as [number, number],
    source: [20, 32] as [number, number],
    cacheBytes: [2e9, 2.6e9] as [number, number],
  };
  t.same(perBinary(scale), { cold: 10, source: 2, cacheBytes: 1e8 });
  const phase = { toolchain: 66, deps: 41, build: 14, runtime: 24, cacheExport: 40, push: 8, other: 3 };
  const full = benchChart({ date: 'd', machine: '2 cores', figures: base, phases: { crossbake: phase, naive: phase }, scale });
  t.equal(wellFormed(full), undefined);
  t.match(full, /Cold build by phase/);
  t.match(full, /one more binary: \+10\.0 s cold, \+2\.0 s after a one-file change/);
  t.match(full, /one more binary: \+100\.0 MB/);
  const bare = benchChart({ date: 'd', machine: '2 cores', figures: base });
  t.equal(wellFormed(bare), undefined);
  t.notMatch(bare, /Cold build by phase|Synthetic/);
  t.match(bare, /this run recorded no phase times/);
});

const exampleLock = readFileSync(`${repoRoot}/examples/workspace/Cargo.lock`, 'utf8');

t.test('synthetic workspace: 12 binaries and 40 crates, layered dependencies', async (t) => {
  const files = syntheticWorkspace({ bins: 12, exampleLock, nonce: 'n1' });
  const crates = new Set(files.filter((f) => f.path.startsWith('crates/')).map((f) => f.path.split('/')[1]));
  t.equal(crates.size, 40);
  t.equal(files.filter((f) => f.path.endsWith('/src/main.rs')).length, 12);
  t.same(libDeps(0, 28), []);
  t.same(libDeps(7, 28), [0, 1]);
  t.same(libDeps(13, 28), [0, 6]);
  t.same(binDeps(0, 28), [21, 24]);
  for (let i = 0; i < 28; i++) for (const d of libDeps(i, 28)) t.ok(d < i, `lib${i} uses only lower libraries`);
  t.match(files.find((f) => f.path === 'crates/lib00/Cargo.toml')!.content, /\[features\]\nisolate-n1 = \[\]/);
  t.notMatch(files.find((f) => f.path === 'crates/lib01/Cargo.toml')!.content, /features/);
});

t.test('synthetic workspace: its Cargo.lock is the example registry entries plus every member, sorted as cargo writes it', async (t) => {
  const files = syntheticWorkspace({ bins: 6, exampleLock });
  const lock = files.find((f) => f.path === 'Cargo.lock')!.content;
  const names = [...lock.matchAll(/^name = "([^"]+)"$/gm)].map((m) => m[1]!);
  t.same(names, [...names].sort(), 'packages sorted by name');
  t.equal(names.filter((n) => n.startsWith('svc')).length, 6);
  t.equal(names.filter((n) => n.startsWith('lib')).length, 28);
  for (const block of registryBlocks(exampleLock)) t.ok(lock.includes(block), 'registry entry kept verbatim');
  t.notOk(/name = "(backend|frontend|shared)"/.test(lock), "the example's members are not carried over");
  t.match(
    lock,
    /\[\[package\]\]\nname = "lib09"\nversion = "0\.1\.0"\ndependencies = \[\n "lib02",\n "lib03",\n "serde",\n "serde_json",\n\]/,
  );
  t.match(lock, /^version = 3$/m);
  // every member's manifest dependencies are exactly its lock dependencies
  for (const f of files.filter((x) => x.path.endsWith('/Cargo.toml') && x.path.startsWith('crates/'))) {
    const name = f.path.split('/')[1]!;
    const manifestDeps = [...f.content.matchAll(/^([\w-]+) = \{/gm)].map((m) => m[1]!).sort();
    const block = new RegExp(`name = "${name}"\\nversion = "0\\.1\\.0"\\ndependencies = \\[\\n([^\\]]*)\\]`).exec(lock);
    t.same(
      [...(block?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]),
      manifestDeps,
      name,
    );
  }
});

t.test('synthetic workspace: Rust 1.63-compatible sources (no let-else)', async (t) => {
  for (const f of syntheticWorkspace({ bins: 12, exampleLock }).filter((x) => x.path.endsWith('.rs'))) {
    t.notMatch(f.content, /\blet\s+[^=;]+=[^;]*\belse\s*\{/, `${f.path}: let-else is 1.65`);
  }
});

t.test('registry: cache bytes from cache manifests', async (t) => {
  const index = {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:a', size: 600 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:b', size: 30 },
      { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: 'sha256:c', size: 2 },
    ],
  };
  const other = { ...index, manifests: [index.manifests[0]!, { ...index.manifests[2]!, digest: 'sha256:d' }] };
  t.ok(isCache(index));
  t.notOk(isCache({ manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json' }] }), 'an image index is not a cache');
  t.equal(cacheBlobs(index).length, 3);
  t.same(cacheTotals([index, other]), { exported: 632 + 602, distinct: 634, caches: 2 });
  const imageManifest = {
    config: { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: 'sha256:e', size: 5 },
    layers: [{ digest: 'sha256:a', size: 600 }],
  };
  t.ok(isCache(imageManifest));
  t.same(cacheTotals([imageManifest]), { exported: 605, distinct: 605, caches: 1 });
});

t.test('report: the markdown and the figures of a whole run, from captured logs', async (t) => {
  const text = gunzipSync(readFileSync(fixture('progress', 'success.rawjson.gz'))).toString('utf8');
  const split = splitFromText(text, TARGETS);
  const timed = (seconds: number): Timed => ({ seconds, buildx: seconds - 3, split });
  const times = new Map([
    ['cold', timed(150)],
    ['source', timed(9)],
    ['none', timed(4)],
    ['lock', timed(30)],
    ['emptied', timed(12)],
  ]);
  const run = { cold: timed(200), source: timed(20), cacheBytes: 2e9, distinct: 7e8, caches: 18 };
  const { markdown, results } = benchReport({
    date: '2026-11-27',
    machine: '2 cores (test)',
    cores: 2,
    times,
    naive: { seconds: 1000, stopped: false, ok: true, split },
    scale: { six: run, twelve: { ...run, cold: timed(260), source: timed(32), cacheBytes: 2.6e9, caches: 36 } },
    sizeRows: [['linux/amd64', 'backend', '29.60', '75.43', '+0.51', '+0.93', '0.46', 'met']],
    sizeGoals: [true],
    base: 'debian:bookworm-slim',
  });
  t.match(markdown, /^# crossbake benchmark, 2026-11-27$/m);
  t.match(markdown, /!\[[^\]]*\]\(2026-11-27\.svg\)/, 'the chart beside the markdown');
  t.match(markdown, /\| cold build +\| 150\.0 s; naive 1000\.0 s: 6\.7× +\| ≥ 6× faster than the naive emulated build +\| met +\|/);
  t.match(markdown, /\| no change +\| 4\.0 s +\| ≤ 5 s +\| met +\|/);
  t.match(markdown, /\| one more binary \(\(12 − 6\) \/ 6\) +\| 10\.0 +\| 2\.0 +\| 100\.00 +\| 0\.00 +\|/);
  t.match(markdown, /\| naive Dockerfile, cold \(both images\) +\|/);
  t.match(markdown, /Size goal: met on 1\/1 images\./);
  const hung = benchReport({
    date: '2026-11-27',
    machine: '2 cores (test)',
    cores: 2,
    times,
    naive: { seconds: 700, stopped: false, ok: true, split, stalls: [410] },
    sizeRows: [],
    sizeGoals: [],
    base: 'debian:bookworm-slim',
  });
  t.match(
    hung.markdown,
    /\| 700\.0 \(a cold attempt after 1 that hung under qemu, at 410\.0 s\) +\|/,
    'an attempt that hung is said, not counted',
  );
  t.same(results.figures, {
    cold: 150,
    source: 9,
    none: 4,
    lock: 30,
    emptied: 12,
    naive: { seconds: 1000, stopped: false, ok: true, stalls: [] },
  });
  t.same(results.scale, { bins: [6, 12], cold: [200, 260], source: [20, 32], cacheBytes: [2e9, 2.6e9] });
  t.equal(results.phases?.crossbake.build, split.build.seconds);
  t.equal(wellFormed(benchChart(results)), undefined, 'its chart is well-formed');
});
