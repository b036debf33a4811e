// What a person sees on a terminal (#14): the real crossbake binary in a real pseudo-terminal (tmux,
// 120×30), a real first build of examples/workspace into an empty registry namespace. The screen is
// captured while it builds and at the end: one row per image and platform redrawn in place (the
// scrollback holds each row once), one quiet note per missing cache, no ERROR line, the report.
// Run under the engine lock (npm run test:e2e is): it builds.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/paths.js';
import { copyWorkspace, crossbake, editSource, REGISTRY_HOST, removeDir, removeImages, sleep } from './helpers.js';

const RUN_ID = Date.now().toString(36);
const REGISTRY = `${REGISTRY_HOST}/crossbake-tty-${RUN_ID}`;
const SOCKET = `crossbake-tty-${RUN_ID}`;
const SESSION = 'bake';
const COLUMNS = 120;
const ROWS = 30;

const tmux = (...args: string[]) => {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? '' };
};

if (spawnSync('tmux', ['-V']).status !== 0) {
  if (process.env.CI) throw new Error('tmux is missing: scripts/install-buildx.sh installs it (apt-get install tmux)');
  t.comment('skipped: tmux is not installed (apt-get install tmux)');
} else {
  const ws = copyWorkspace('examples/workspace');
  // a source change no earlier build had: the build stages run, so the screen has work to show
  editSource(ws, `terminal test ${RUN_ID}`);
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-tty-'));
  const config = join(dir, 'tmux.conf');
  // the pane stays after crossbake exits, with its exit status; nothing of the user's tmux set-up applies
  writeFileSync(config, 'set -g remain-on-exit on\nset -g history-limit 10000\nset -g status off\n');
  t.teardown(() => {
    tmux('kill-server');
    removeDir(ws);
    removeDir(dir);
    removeImages(REGISTRY);
    removeImages(`${REGISTRY}-plain`);
  });

  t.test('a first build on a terminal: rows redrawn in place, notes instead of errors, then the report', async (t) => {
    const statusFile = join(dir, 'status');
    const started = tmux(
      '-f',
      config,
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      String(COLUMNS),
      '-y',
      String(ROWS),
      '-e',
      'LANG=C.UTF-8',
      '-e',
      `XDG_CACHE_HOME=${dir}`,
      '--',
      // the exit status goes to a file: tmux's #{pane_dead_status} came back empty after some real builds
      'sh',
      '-c',
      '"$@"; echo "$?" > "$0"',
      statusFile,
      process.execPath,
      '--import',
      'tsx',
      join(repoRoot, 'src/main.ts'),
      'bake',
      'backend',
      'frontend',
      '-w',
      ws,
      '--registry',
      REGISTRY,
    );
    t.equal(started.code, 0, `tmux new-session: ${started.err}`);
    // the scrollback with wrapped lines joined (-J): the report is wider than the terminal
    const capture = (history = false) => tmux('capture-pane', '-p', '-t', SESSION, ...(history ? ['-J', '-S', '-'] : [])).out;
    const dead = () => tmux('display-message', '-p', '-t', SESSION, '#{pane_dead}').out.trim() === '1';

    const frames: string[] = [];
    const until = Date.now() + 20 * 60_000;
    while (!dead() && Date.now() < until) {
      frames.push(capture());
      await sleep(500);
    }
    t.ok(dead(), 'crossbake finished');
    const end = capture();
    const all = capture(true);
    writeFileSync(join(tmpdir(), `crossbake-tty-${RUN_ID}.txt`), `${frames.join('\n=====\n')}\n=====\n${all}`);
    t.comment(`frames and scrollback: ${join(tmpdir(), `crossbake-tty-${RUN_ID}.txt`)}`);
    t.equal(readFileSync(statusFile, 'utf8').trim(), '0', `exit status\n${all}`);

    const rowOf = (text: string, image: string, platform: string) =>
      text.split('\n').filter((l) => new RegExp(`^\\S ${image}\\s+${platform.replace(/\//g, '\\/')}\\s`).test(l));
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

    // mid-build: a frame with the status line, every image × platform row, and work going on
    const mid = frames.filter((f) => /^building \d/m.test(f) && /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (backend|frontend)\s/m.test(f));
    t.ok(mid.length > 0, `${mid.length} of ${frames.length} frames show a running image`);
    const frame = mid[Math.floor(mid.length / 2)] ?? '';
    t.comment(`a frame mid-build:\n${frame.trimEnd()}`);
    for (const bin of ['backend', 'frontend'])
      for (const p of platforms) t.equal(rowOf(frame, bin, p).length, 1, `mid-build: one row for ${bin} ${p}`);
    t.ok(
      frames.some((f) => /build 2\/2\s+cargo build (--bin (backend|frontend)|of the selected binaries)/.test(f)),
      'a running build step named as crossbake names it',
    );
    for (const f of frames) {
      for (const line of f.split('\n')) t.ok(line.length <= COLUMNS, 'every line fits the width') || t.comment(line);
    }

    // the end: rows collapsed to results, and the whole scrollback holds each row once (no scrolling log)
    t.comment(`the end:\n${end.trimEnd()}`);
    for (const bin of ['backend', 'frontend']) {
      for (const p of platforms) {
        t.match(rowOf(end, bin, p)[0] ?? '', /^✔ \S+\s+\S+\s+built/, `${bin} ${p} built`);
        t.equal(rowOf(all, bin, p).length, 1, `${bin} ${p}: one row in the whole scrollback`);
        t.equal(
          all.split('\n').filter((l) => l === `crossbake: note: no cache yet for ${bin} ${p}: first build`).length,
          1,
          `one note: no cache yet for ${bin} ${p}`,
        );
      }
    }
    t.match(all, /^built \d+(\.\d+s|m\d\ds) · 6\/6 done$/m);
    t.notMatch(all, /ERROR|importing cache manifest|RUN /, 'no ERROR line, no BuildKit step names');
    t.match(all, /^image\s+platform\s+result\s+time\s+digest\s+size\s+crates\s+cached steps\s+cached\s+slowest stage$/m, 'the report');
  });

  t.test('in CI (not a terminal) the output stays line-oriented, without the cache-miss false alarms', async (t) => {
    // a second fresh namespace: every cache import misses again
    const run = crossbake(['bake', 'backend', 'frontend', '-w', ws, '--registry', `${REGISTRY}-plain`], { XDG_CACHE_HOME: dir });
    t.equal(run.code, 0, run.stderr.slice(-3000));
    // a cold build's call has the platforms' cache targets too: a step may show under either's name
    t.match(
      run.stderr,
      /^#\d+ \[((backend|frontend)-linux-amd64|_crossbake-cache-linux-amd64 linux\/amd64) build-all 2\/2\] RUN /m,
      "buildx's plain lines pass through",
    );
    t.notMatch(run.stderr, /ERROR|failed to configure registry cache importer/, 'no false alarm');
    for (const bin of ['backend', 'frontend'])
      for (const p of ['linux/amd64', 'linux/arm64', 'linux/arm/v7'])
        t.match(run.stderr, `crossbake: note: no cache yet for ${bin} ${p}: first build`);
    t.notMatch(run.stderr, /\x1b\[\d*A/, 'no cursor movement');
  });
}
