// crossbake against the Dockerfile a user writes without cross-compilation, on the example workspace,
// three platforms, this machine, one run: `npm run bench`. Prints a markdown report and writes it to
// bench/results/<date>.md. Not part of `npm test` or .ci/run: it prunes the build cache and takes
// tens of minutes. Needs the machine test/e2e/setup.sh prepares (dockerd, buildx, qemu, the registry
// on 127.0.0.1:5000, local debian:bookworm-slim).
//
// Besides the markdown it writes the figures as <date>.json and the chart drawn from them as <date>.svg.
// The scale rows build a generated workspace (bench/lib/synthetic.ts) with 6 and then 12 binaries.
//
// crossbake runs compiled (npm run build, then bin/crossbake.js), as users run it; BENCH_TSX=1 runs src/ through tsx.
// Environment: CROSSBAKE_ENGINE_LOCK names a lock file (flock) the bench takes around each step that builds
// or prunes, and lets go of between them, so other users of the engine are not kept waiting for the whole
// run; BENCH_NAIVE_TIMEOUT_MIN (default 30) stops the emulated build after that many minutes, and
// BENCH_NAIVE_STALL_MIN (default 5) an attempt silent that long (then it starts again, cold);
// BENCH_SKIP_NAIVE=1 leaves it out; BENCH_SKIP_SCALE=1 leaves out the synthetic workspace; BENCH_SKIP_MINIMAL=1
// leaves out the minimal runtime's size rows.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { cacheDir } from '../src/fs/history.js';
import { EARLY_CACHE, SHARED_CACHE } from '../src/plan.js';
import { PLATFORMS, type Platform } from '../src/platforms.js';
import {
  addItoa,
  copyWorkspace,
  crossbake,
  crossbakePhases,
  type Descriptor,
  docker,
  editCode,
  isolateSkeleton,
  platformString,
  pruneBuildCache,
  REGISTRY_HOST,
  type Run,
  rawManifest,
  removeDir,
  removeImages,
  runnable,
  sh,
} from '../test/e2e/helpers.js';
import { repoRoot } from '../test/helpers/paths.js';
import { benchChart } from './lib/chart.js';
import { addSplits, splitFromText, type TimeSplit } from './lib/phases.js';
import { cacheTotals, namespaceCaches } from './lib/registry.js';
import { benchReport, type ScaleRun, type Timed } from './lib/report.js';
import { binName, syntheticWorkspace } from './lib/synthetic.js';

const BINS = ['backend', 'frontend'] as const;
const RUN_ID = Date.now().toString(36);
const REGISTRY = `${REGISTRY_HOST}/crossbake-bench-${RUN_ID}`;
const BASE = `${REGISTRY_HOST}/library/debian:bookworm-slim`;
const NAIVE_TIMEOUT_MIN = Number(process.env.BENCH_NAIVE_TIMEOUT_MIN ?? 30);
const NAIVE_STALL_MIN = Number(process.env.BENCH_NAIVE_STALL_MIN ?? 5);
/** Cold attempts of the naive build when one hangs under qemu (each from an empty build cache). */
const NAIVE_ATTEMPTS = 3;
const LOGS = join('/tmp', `crossbake-bench-${RUN_ID}`);
mkdirSync(LOGS, { recursive: true });

const ENGINE_LOCK = process.env.CROSSBAKE_ENGINE_LOCK;

/** `fn` holding the engine lock (when CROSSBAKE_ENGINE_LOCK names one): a flock(1) child holds it until its stdin closes. */
let held = false;
async function locked<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  if (!ENGINE_LOCK || held) return fn();
  const waited = Date.now();
  const holder = spawn('flock', [ENGINE_LOCK, 'sh', '-c', 'echo locked; cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`flock ${ENGINE_LOCK} exited ${code} before taking the lock`)));
  });
  const w = (Date.now() - waited) / 1000;
  if (w > 1) say(`  (waited ${w.toFixed(0)}s for the engine lock: ${what})`);
  held = true;
  try {
    return await fn();
  } finally {
    held = false;
    holder.stdin.end();
    await new Promise((resolve) => holder.once('exit', resolve));
  }
}

const say = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const s = (x: number) => x.toFixed(1);
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
/** A size difference with its sign: +0.52, -3.59. */
const signed = (value: string) => (value.startsWith('-') ? value : `+${value}`);

/** Each image's target (all its platforms: --push on the containerd image store) and its per-platform ones. */
const bakeTargets = (bins: readonly string[]) => [
  ...bins,
  ...bins.flatMap((bin) => PLATFORMS.map((p) => `${bin}-${p.key}`)),
  ...PLATFORMS.map((p) => `${SHARED_CACHE.target}-${p.key}`),
  EARLY_CACHE.target,
];

/**
 * crossbake as users run it: the compiled CLI (bin/crossbake.js over dist/, built once at the start), not
 * through tsx, whose on-the-fly compilation would add about 0.4 s to every build. BENCH_TSX=1: through tsx.
 */
const COMPILED = process.env.BENCH_TSX !== '1';
const cli = (args: string[], env: Record<string, string>): Run =>
  COMPILED ? sh(process.execPath, [join(repoRoot, 'bin/crossbake.js'), ...args], { env }) : crossbake(args, env);

function bake(
  ws: string,
  name: string,
  file: string,
  bins: readonly string[] = BINS,
  registry = REGISTRY,
  flags: string[] = [],
  env: Record<string, string> = {},
): Timed {
  say(`crossbake: ${name}`);
  const run: Run = cli(['bake', ...bins, '-w', ws, ...flags, '--push', '--progress', 'rawjson'], { REGISTRY: registry, ...env });
  writeFileSync(join(LOGS, `${file}.log`), `${run.stderr}\n${run.stdout}`);
  if (run.code !== 0)
    throw new Error(`crossbake bake failed in "${name}" (exit ${run.code}); log: ${join(LOGS, `${file}.log`)}\n${run.stderr.slice(-2000)}`);
  const phases = crossbakePhases(run.stderr);
  // buildx: the build call, plus the cache export's own call when there was one
  const buildx = phases.build !== undefined ? phases.build + (phases.cache ?? 0) : undefined;
  say(
    `  ${s(run.seconds)}s (buildx ${buildx !== undefined ? s(buildx) : '?'}s: build ${phases.build ?? '?'}s, cache export ${phases.cache ?? 0}s)`,
  );
  return { seconds: run.seconds, split: splitFromText(run.stderr, bakeTargets(bins)), ...(buildx !== undefined ? { buildx } : {}) };
}

/** The synthetic workspace with `bins` binaries, from an empty build cache: cold, then a one-file change; and its cache bytes. */
async function scaleRun(bins: number): Promise<ScaleRun> {
  const ws = mkdtempSync(join(tmpdir(), `crossbake-bench-synthetic-${bins}-`));
  const registry = `${REGISTRY}-s${bins}`;
  try {
    const files = syntheticWorkspace({
      bins,
      exampleLock: readFileSync(join(repoRoot, 'examples/workspace/Cargo.lock'), 'utf8'),
      nonce: `${RUN_ID}-${bins}`,
      registry,
    });
    for (const f of files) {
      mkdirSync(dirname(join(ws, f.path)), { recursive: true });
      writeFileSync(join(ws, f.path), f.content);
    }
    const names = Array.from({ length: bins }, (_, i) => binName(i));
    say(`pruning the build cache for the ${bins}-binary synthetic workspace`);
    const cold = await locked(`synthetic ${bins}: prune, cold`, () => {
      pruneBuildCache();
      return bake(ws, `synthetic, ${bins} binaries: cold`, `7-synthetic-${bins}-cold`, names, registry);
    });
    // What the cold build exported: every cache manifest of the namespace, read before anything overwrites them.
    const slash = registry.indexOf('/');
    const caches = await namespaceCaches(registry.slice(0, slash), registry.slice(slash + 1));
    const totals = cacheTotals(caches.map((c) => c.manifest));
    const main = join(ws, `crates/${binName(0)}/src/main.rs`);
    writeFileSync(main, `${readFileSync(main, 'utf8').trimEnd()}\n// bench: a one-file source change\n`);
    const source = await locked(`synthetic ${bins}: one-file change`, () =>
      bake(ws, `synthetic, ${bins} binaries: one-file source change`, `7-synthetic-${bins}-source`, names, registry),
    );
    return { cold, source, cacheBytes: totals.exported, caches: totals.caches, distinct: totals.distinct };
  } finally {
    removeDir(ws);
    removeImages(registry);
  }
}

/** `docker buildx build` with a time limit: stopped with SIGINT (buildx cancels the build) when it runs over. */
/**
 * `docker buildx build`, stopped (SIGINT) after `limitSeconds`, or once it has said nothing for
 * NAIVE_STALL_MIN minutes: rustc under qemu-aarch64 can hang for good with no CPU (seen on this machine:
 * twenty silent minutes in a step that takes two), and a hung attempt measures nothing.
 */
async function buildxBuild(
  args: string[],
  cwd: string,
  limitSeconds: number,
  file: string,
): Promise<{ code: number; seconds: number; stopped: boolean; stalled: boolean; log: string }> {
  const start = Date.now();
  const child = spawn('docker', ['buildx', 'build', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  const out: Buffer[] = [];
  let said = Date.now();
  child.stderr.on('data', (b: Buffer) => {
    err.push(b);
    said = Date.now();
  });
  child.stdout.on('data', (b: Buffer) => out.push(b));
  let stopped = false;
  let stalled = false;
  const watch = setInterval(() => {
    if (Date.now() - start > limitSeconds * 1000) stopped = true;
    else if (Date.now() - said > NAIVE_STALL_MIN * 60_000) stalled = true;
    else return;
    clearInterval(watch);
    child.kill('SIGINT');
  }, 1000);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(watch);
  const seconds = (Date.now() - start) / 1000;
  const log = Buffer.concat(err).toString();
  writeFileSync(join(LOGS, `${file}.log`), `${log}\n${Buffer.concat(out).toString()}`);
  return { code, seconds, stopped, stalled, log };
}

/** Compressed size in the registry (config + layers) of one platform's manifest under `ref` (an index). */
function compressed(ref: string, p: Platform): number {
  const index = rawManifest(ref);
  const d = runnable(index).find((m) => platformString(m) === p.docker);
  if (!d) throw new Error(`${ref} has no ${p.docker} manifest`);
  const repo = ref.slice(0, ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.lastIndexOf(':') : ref.length);
  const manifest = rawManifest(`${repo}@${d.digest}`);
  return manifest.config.size + manifest.layers.reduce((n: number, l: Descriptor) => n + l.size, 0);
}

/** The unpacked filesystem of one platform's image: the sum of its file sizes, and each file's size. */
function unpacked(ref: string, p: Platform): { total: number; files: Map<string, number> } {
  const created = docker(['create', '--platform', p.docker, ref]);
  if (created.code !== 0) throw new Error(`docker create ${ref} (${p.docker}): ${created.stderr}`);
  const id = created.stdout.trim();
  try {
    const listed = sh('sh', ['-c', `docker export ${id} | tar -tvf -`]);
    if (listed.code !== 0) throw new Error(`docker export ${ref}: ${listed.stderr}`);
    const files = new Map<string, number>();
    for (const line of listed.stdout.split('\n').filter(Boolean)) {
      const cols = line.split(/\s+/);
      if (!line.startsWith('-')) continue;
      files.set(cols.slice(5).join(' '), Number(cols[2]) || 0);
    }
    return { total: [...files.values()].reduce((a, b) => a + b, 0), files };
  } finally {
    docker(['rm', '-f', id]);
  }
}

function machine(): string {
  const v = (args: string[]) => docker(args).stdout.trim();
  return [
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `docker ${v(['version', '--format', '{{.Server.Version}}'])}, ${v(['buildx', 'version']).split(' ').slice(1, 2).join('')}`,
    `registry ${REGISTRY_HOST} on this machine`,
  ].join('; ');
}

async function main(): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  // A second run on one day gets its own files: an earlier run's figures are the baseline it is read against.
  const taken = (name: string) => existsSync(join(repoRoot, 'bench/results', `${name}.md`));
  let date = day;
  for (let n = 2; taken(date); n++) date = `${day}-${n}`;
  if (COMPILED) {
    say('compiling crossbake (npm run build) to run it as users do');
    const built = sh('npm', ['run', 'build']);
    if (built.code !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
  }
  const ws = copyWorkspace('examples/workspace');
  // Its own dependency skeleton: no other build on this dockerd can make its dependency layers cached.
  isolateSkeleton(ws, RUN_ID);
  const times = new Map<string, Timed>();
  try {
    say(`logs in ${LOGS}; registry namespace ${REGISTRY}`);
    // One hold for the series: each build after the first relies on the build cache the one before left.
    await locked('the example series', async () => {
      say('pruning the build cache');
      times.set(
        'cold',
        await locked('prune, cold', () => {
          pruneBuildCache();
          return bake(ws, 'cold build (empty build cache, fresh registry namespace)', '1-cold');
        }),
      );
      editCode(ws, 'bench: a one-file source change');
      times.set('source', await locked('one-file change', () => bake(ws, 'one-file source change', '2-source')));
      times.set('none', await locked('no change', () => bake(ws, 'no change', '3-none')));
      // The same, with crossbake's memory of pushes and pushed images empty (the rest of it kept): the build itself, every step from the cache.
      const forgetful = mkdtempSync(join(tmpdir(), 'crossbake-bench-xdg-'));
      if (existsSync(cacheDir())) {
        cpSync(cacheDir(), join(forgetful, 'crossbake'), {
          recursive: true,
          filter: (path) => !path.split(sep).some((part) => part === 'pushed' || part === 'images'),
        });
      }
      times.set(
        'none-built',
        await locked('no change, nothing remembered', () =>
          bake(ws, 'no change, remembering no push', '3-none-built', BINS, REGISTRY, [], { XDG_CACHE_HOME: forgetful }),
        ),
      );
      addItoa(ws);
      times.set('lock', await locked('lock change', () => bake(ws, 'Cargo.toml + Cargo.lock change (a new crate)', '4-lock')));
      say('emptying the machine: build cache pruned, local images of the namespace removed');
      times.set(
        'emptied',
        await locked('emptied machine', () => {
          pruneBuildCache();
          removeImages(REGISTRY);
          // A new machine remembers no push either (crossbake's memory is in XDG_CACHE_HOME).
          const home = mkdtempSync(join(tmpdir(), 'crossbake-bench-xdg-'));
          return bake(ws, 'emptied machine, registry cache', '5-emptied', BINS, REGISTRY, [], { XDG_CACHE_HOME: home });
        }),
      );
    });

    let scale: { six: ScaleRun; twelve: ScaleRun } | undefined;
    if (process.env.BENCH_SKIP_SCALE !== '1')
      scale = { six: await locked('synthetic 6', () => scaleRun(6)), twelve: await locked('synthetic 12', () => scaleRun(12)) };

    // Sizes: the last build left each image (REGISTRY/<bin>:latest, every platform) in the store and pushed it.
    say('measuring image sizes');
    const sizeRows: string[][] = [];
    const sizeGoals: boolean[] = [];
    for (const p of PLATFORMS) {
      const baseC = compressed(BASE, p);
      const baseU = unpacked('debian:bookworm-slim', p).total;
      sizeRows.push([p.docker, 'debian:bookworm-slim (base)', mb(baseC), mb(baseU), '', '', '', '']);
      for (const bin of BINS) {
        const c = compressed(`${REGISTRY}/${bin}:latest`, p);
        const u = unpacked(`${REGISTRY}/${bin}:latest`, p);
        const binary = u.files.get(`app/${bin}`) ?? NaN;
        const overU = u.total - baseU;
        const met = overU <= binary + 2e6;
        sizeGoals.push(met);
        sizeRows.push([p.docker, bin, mb(c), mb(u.total), signed(mb(c - baseC)), signed(mb(overU)), mb(binary), met ? 'met' : 'not met']);
      }
    }

    // runtime = "minimal" (issue 13: at most 12 MB compressed): the same binaries FROM scratch, on the warm
    // cache, in a namespace of their own.
    if (process.env.BENCH_SKIP_MINIMAL !== '1') {
      const registry = `${REGISTRY}-minimal`;
      await locked('minimal runtime', () => bake(ws, 'runtime minimal', '5-minimal', BINS, registry, ['--runtime', 'minimal']));
      for (const p of PLATFORMS) {
        for (const bin of BINS) {
          const c = compressed(`${registry}/${bin}:latest`, p);
          const u = unpacked(`${registry}/${bin}:latest`, p);
          const binary = u.files.get(`app/${bin}`) ?? NaN;
          sizeRows.push([
            p.docker,
            `${bin}, runtime minimal`,
            mb(c),
            mb(u.total),
            '',
            '',
            mb(binary),
            c <= 12e6 ? 'met (≤ 12 MB)' : 'not met (≤ 12 MB)',
          ]);
        }
      }
      removeImages(registry);
    }

    // The peer baseline: every step under emulation, both images (the second reuses the first's build stage).
    let naive: { seconds: number; stopped: boolean; ok: boolean; split: TimeSplit; stalls: number[] } | undefined;
    if (process.env.BENCH_SKIP_NAIVE !== '1') {
      const plain = copyWorkspace('examples/workspace');
      try {
        const limit = NAIVE_TIMEOUT_MIN * 60;
        let seconds = 0;
        let stopped = false;
        let ok = true;
        let split: TimeSplit | undefined;
        const stalls: number[] = [];
        attempts: for (let attempt = 1; attempt <= NAIVE_ATTEMPTS; attempt++) {
          seconds = 0;
          stopped = false;
          ok = true;
          split = undefined;
          let first = true;
          for (const bin of BINS) {
            say(`naive emulated build: ${bin} (limit ${NAIVE_TIMEOUT_MIN} min in all${attempt > 1 ? `, attempt ${attempt}` : ''})`);
            const args = [
              '--progress',
              'rawjson',
              '--platform',
              PLATFORMS.map((p) => p.docker).join(','),
              '-f',
              join(repoRoot, 'bench/naive/Dockerfile'),
              '--target',
              bin,
              '-t',
              `${REGISTRY}/naive-${bin}:latest`,
              '--push',
              '.',
            ];
            const prune = first;
            first = false;
            const tag = `6-naive-${bin}${attempt > 1 ? `-attempt${attempt}` : ''}`;
            const r = await locked(`naive ${bin}`, async () => {
              if (prune) {
                say('pruning the build cache for the naive build');
                pruneBuildCache();
              }
              let r = await buildxBuild(args, plain, Math.max(1, limit - seconds), tag);
              if (r.code !== 0 && !r.stopped && !r.stalled) {
                // A push can meet a passing registry error (seen: a 500 on HEAD of a new tag); the built
                // stages are cached, so one retry costs only the push. Both attempts are counted.
                say(`  ${s(r.seconds)}s exit ${r.code}; retrying once`);
                seconds += r.seconds;
                r = await buildxBuild(args, plain, Math.max(1, limit - seconds), `${tag}-retry`);
              }
              return r;
            });
            seconds += r.seconds;
            if (r.stalled) {
              say(`  stalled: no output for ${NAIVE_STALL_MIN} min after ${s(r.seconds)}s; starting again from an empty cache`);
              stalls.push(seconds);
              continue attempts;
            }
            const part = splitFromText(r.log, []);
            split = split ? addSplits(split, part) : part;
            say(`  ${s(r.seconds)}s${r.stopped ? ' (stopped)' : ''} exit ${r.code}`);
            if (r.stopped) {
              stopped = true;
              break;
            }
            if (r.code !== 0) {
              ok = false;
              break;
            }
          }
          break;
        }
        if (stalls.length === NAIVE_ATTEMPTS) ok = false;
        naive = { seconds, stopped, ok, split: split ?? splitFromText('', []), stalls };
        if (ok && !stopped) {
          for (const p of PLATFORMS) {
            const c = compressed(`${REGISTRY}/naive-backend:latest`, p);
            sizeRows.push([p.docker, 'backend, naive Dockerfile', mb(c), '', '', '', '', '']);
          }
        }
      } finally {
        removeDir(plain);
      }
    }

    const { markdown: report, results } = benchReport({
      date,
      machine: machine(),
      cores: cpus().length,
      times,
      ...(naive ? { naive } : {}),
      ...(scale ? { scale } : {}),
      sizeRows,
      sizeGoals,
      base: BASE,
    });
    process.stdout.write(report);
    const dir = join(repoRoot, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${date}.md`), report);
    writeFileSync(join(dir, `${date}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(dir, `${date}.svg`), benchChart(results));
    say(`wrote bench/results/${date}.md, .json and .svg; logs in ${LOGS}`);
  } finally {
    removeDir(ws);
    removeImages(REGISTRY);
    removeImages(`${REGISTRY}-minimal`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
