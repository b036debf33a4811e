import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { printedInputs } from '../src/buildx/image-inputs.js';
import { applyStatus, emptyLog } from '../src/buildx/progress.js';
import { loadProject } from '../src/commands/project.js';
import { renderDockerfile } from '../src/render/dockerfile.js';
import { repoRoot } from './helpers/paths.js';

// docker/crossbake-target-cache.sh, run here as build-all runs it (from the workspace root, the mount at
// ./target), without docker: what cargo would see is the files' mtimes and the target directory's content.
const script = join(repoRoot, 'docker/crossbake-target-cache.sh');

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'crossbake-target-cache-'));
  const build = join(root, 'build');
  const seed = join(root, 'seed');
  mkdirSync(join(build, 'target'), { recursive: true });
  mkdirSync(join(build, 'a/src'), { recursive: true });
  mkdirSync(seed);
  writeFileSync(join(seed, '.crossbake-deps'), 'deps-1\n');
  writeFileSync(join(seed, 'dep.rlib'), 'compiled dependency\n');
  const files = { 'a/src/lib.rs': 'pub fn a() {}\n', 'a/Cargo.toml': '[package]\n', 'a/src/page.html': '<p>included</p>\n' };
  // A context copy: every file gets a fresh, arbitrary mtime, as COPY gives it.
  const copy = (changes: Record<string, string> = {}) => {
    for (const [file, text] of Object.entries({ ...files, ...changes })) {
      writeFileSync(join(build, file), text);
      utimesSync(join(build, file), 1_000_000, 1_000_000);
    }
  };
  const run = (...args: string[]) => spawnSync('sh', [script, ...args], { cwd: build, encoding: 'utf8' });
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    spawnSync('sh', [script, ...args], { cwd: build, encoding: 'utf8', env: { ...process.env, ...env } });
  const mtime = (file: string) => statSync(join(build, file)).mtimeMs;
  return { root, build, seed, copy, run, runWith, mtime };
}

t.test('build: seeded from the deps copy once; unchanged files get the mtime cargo saw, changed ones now', async (t) => {
  const w = workspace();
  t.teardown(() => rmSync(w.root, { recursive: true, force: true }));
  w.copy();
  const first = w.run('build', w.seed, '1');
  t.equal(first.status, 0, first.stderr);
  t.equal(readFileSync(join(w.build, 'target/dep.rlib'), 'utf8'), 'compiled dependency\n', 'the mount starts from the deps copy');
  const seen = { lib: w.mtime('a/src/lib.rs'), html: w.mtime('a/src/page.html') };
  t.ok(seen.lib > Date.now() - 60_000, 'a file the mount never saw gets the current time');

  writeFileSync(join(w.build, 'target/workspace.rlib'), 'compiled workspace crate\n');
  w.copy({ 'a/src/page.html': '<p>changed</p>\n' });
  const second = w.run('build', w.seed, '1');
  t.equal(second.status, 0, second.stderr);
  t.equal(w.mtime('a/src/lib.rs'), seen.lib, 'an unchanged file gets back the mtime of the last build');
  t.ok(w.mtime('a/src/page.html') > seen.html, 'a changed file (any file, not only .rs) gets a newer one');
  t.equal(readFileSync(join(w.build, 'target/workspace.rlib'), 'utf8'), 'compiled workspace crate\n', 'the same seed: the mount is kept');

  // The change is not reverted by a build that did not compile it: the manifest keeps its newer mtime.
  const changed = w.mtime('a/src/page.html');
  w.copy({ 'a/src/page.html': '<p>changed</p>\n' });
  t.equal(w.run('build', w.seed, '1').status, 0);
  t.equal(w.mtime('a/src/page.html'), changed, 'still the mtime of the change');

  writeFileSync(join(w.seed, '.crossbake-deps'), 'deps-2\n');
  w.copy();
  t.equal(w.run('build', w.seed, '1').status, 0);
  t.throws(() => statSync(join(w.build, 'target/workspace.rlib')), 'a new deps layer: the mount starts again from its copy');
  t.ok(w.mtime('a/src/lib.rs') > seen.lib, 'and every file is new to it');

  // A lock change: a deps copy without the stubs' fingerprints, same toolchain and crate packages, is merged.
  writeFileSync(join(w.build, 'target/workspace.rlib'), 'compiled workspace crate\n');
  for (const [file, text] of [
    ['.crossbake-toolchain', 'toolchain-1\n'],
    ['.crossbake-crates', 'librust-itoa-dev 1.0.1-1\n'],
    ['.crossbake-merge', ''],
    ['.crossbake-deps', 'deps-3\n'],
    ['new-dep.rlib', 'new dependency\n'],
  ] as const)
    writeFileSync(join(w.seed, file), text);
  writeFileSync(join(w.build, 'target/.crossbake-toolchain'), 'toolchain-1\n');
  writeFileSync(join(w.build, 'target/.crossbake-crates'), 'librust-itoa-dev 1.0.1-1\nlibrust-old-dev 1-1\n');
  const kept = w.mtime('a/src/lib.rs');
  w.copy();
  t.equal(w.run('build', w.seed, '1').status, 0);
  t.equal(readFileSync(join(w.build, 'target/workspace.rlib'), 'utf8'), 'compiled workspace crate\n', 'merged: the workspace crates stay');
  t.equal(readFileSync(join(w.build, 'target/new-dep.rlib'), 'utf8'), 'new dependency\n', 'and the new dependency is there');
  t.equal(w.mtime('a/src/lib.rs'), kept, 'with their sources still fresh');

  writeFileSync(join(w.seed, '.crossbake-deps'), 'deps-4\n');
  writeFileSync(join(w.seed, '.crossbake-crates'), 'librust-itoa-dev 1.0.1-2\n');
  w.copy();
  t.equal(w.run('build', w.seed, '1').status, 0);
  t.throws(() => statSync(join(w.build, 'target/workspace.rlib')), 'a crate package rebuilt by Debian at the same version: from the copy');

  writeFileSync(join(w.build, 'target/workspace.rlib'), 'x\n');
  writeFileSync(join(w.seed, '.crossbake-deps'), 'deps-5\n');
  writeFileSync(join(w.seed, '.crossbake-toolchain'), 'toolchain-2\n');
  w.copy();
  t.equal(w.run('build', w.seed, '1').status, 0);
  t.throws(() => statSync(join(w.build, 'target/workspace.rlib')), 'another toolchain: from the copy');

  writeFileSync(join(w.build, 'target/workspace.rlib'), 'x\n');
  w.copy();
  t.equal(w.run('build', w.seed, '0').status, 0);
  t.throws(() => statSync(join(w.build, 'target/workspace.rlib')), 'mode 0 (verify, --no-cache): from scratch');
});

t.test('save: the mount copied into the layer with a new id each time', async (t) => {
  const w = workspace();
  t.teardown(() => rmSync(w.root, { recursive: true, force: true }));
  writeFileSync(join(w.build, 'target/dep.rlib'), 'dep\n');
  const dest = join(w.root, 'layer');
  t.equal(w.run('save', dest).status, 0);
  const id = readFileSync(join(dest, '.crossbake-deps'), 'utf8');
  t.equal(readFileSync(join(dest, 'dep.rlib'), 'utf8'), 'dep\n');
  t.equal(w.run('save', dest).status, 0);
  t.not(readFileSync(join(dest, '.crossbake-deps'), 'utf8'), id);
});

t.test(
  'the Dockerfile: deps compiles every platform in one shared cache mount, build-all in per-platform ones, in every variant',
  async (t) => {
    for (const workspace of ['examples/workspace', 'test/fixtures/workspaces/bins']) {
      for (const flags of [{}, { toolchain: 'rustup' as const }]) {
        const { plan } = loadProject({ workspace, flags, cwd: repoRoot });
        const text = renderDockerfile(plan, 'x');
        const stage = (name: string) => {
          const from = text.indexOf(` AS ${name}\n`);
          return text.slice(from, text.indexOf('\nFROM ', from + 1));
        };
        const deps = stage('deps');
        t.notMatch(deps, /TARGETPLATFORM/, 'deps reads no target platform: one step for all of them');
        t.match(deps, `RUN --mount=type=cache,id=${plan.targetCache.ids.deps},target=/build/target,sharing=locked`);
        for (const p of plan.platforms) t.match(deps, `${p.docker}) targets="$targets --target ${p.rustTarget}"`);
        t.match(
          deps,
          /crossbake-cargo build --profile \S+( --locked)? \$targets --workspace|cargo chef cook .*\$targets/,
          'one cargo call for every platform named',
        );
        t.match(
          deps,
          `ARG CROSSBAKE_PLATFORMS=${plan.platforms.map((p) => p.docker).join(',')}`,
          'by default every platform of the Dockerfile',
        );
        t.match(deps, `. ${plan.targetCache.env} &&`);
        const build = stage('build-all');
        t.match(build, /^ARG TARGETPLATFORM$/m);
        t.match(
          build,
          `RUN --network=none --mount=type=cache,id=${plan.targetCache.ids.build}-$TARGETPLATFORM,target=/build/target,sharing=locked`,
        );
        for (const body of [deps, build])
          t.match(body, /--mount=type=bind,from=crossbake,source=target-cache.sh,target=\/crossbake\/target-cache.sh/);
        t.notMatch(text, /-name '\*\.rs'/, 'no touch of every .rs file');
      }
    }
    const a = loadProject({ workspace: 'examples/workspace', flags: {}, cwd: repoRoot }).plan.targetCache.ids;
    const b = loadProject({ workspace: 'examples/workspace', flags: { registry: 'r.io/other' }, cwd: repoRoot }).plan.targetCache.ids;
    t.match(a.build, /^crossbake-[0-9a-f]{12}-build$/);
    t.not(a.build, b.build, 'another registry, another workspace: mounts of its own');
  },
);

t.test('one deps copy for every platform: save records its triples, build takes only its own and the host part', async (t) => {
  const w = workspace();
  t.teardown(() => rmSync(w.root, { recursive: true, force: true }));
  const triples = ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu', 'armv7-unknown-linux-gnueabihf'];
  for (const dir of [...triples.map((triple) => join(triple, 'release')), 'release']) {
    mkdirSync(join(w.build, 'target', dir), { recursive: true });
    writeFileSync(join(w.build, 'target', dir, 'dep.rlib'), `${dir}\n`);
  }
  writeFileSync(join(w.build, 'target', '.crossbake-toolchain'), 'toolchain-1\n');
  writeFileSync(join(w.build, 'target', '.crossbake-crates'), 'librust-itoa-dev 1.0.1-1\n');
  const seed = join(w.root, 'layer');
  const saved = w.runWith({ CROSSBAKE_TRIPLES: triples.join(' ') }, 'save', seed);
  t.equal(saved.status, 0, saved.stderr);
  t.same(readFileSync(join(seed, '.crossbake-triples'), 'utf8').trim().split('\n'), triples);

  rmSync(join(w.build, 'target'), { recursive: true });
  mkdirSync(join(w.build, 'target'));
  w.copy();
  const built = w.runWith({ RUST_TARGET: 'aarch64-unknown-linux-gnu' }, 'build', seed, '1');
  t.equal(built.status, 0, built.stderr);
  const has = (dir: string) => spawnSync('test', ['-e', join(w.build, 'target', dir)]).status === 0;
  t.ok(has('aarch64-unknown-linux-gnu/release/dep.rlib'), "the platform's own triple comes along");
  t.ok(has('release/dep.rlib'), 'and the build platform part (build scripts, proc-macros)');
  t.notOk(has('x86_64-unknown-linux-gnu') || has('armv7-unknown-linux-gnueabihf'), 'no other platform s triple');

  // A lock change merges a new copy: still only its own triple.
  writeFileSync(join(seed, '.crossbake-merge'), '');
  writeFileSync(join(seed, '.crossbake-deps'), 'deps-new\n');
  writeFileSync(join(seed, 'aarch64-unknown-linux-gnu', 'release', 'new.rlib'), 'new\n');
  writeFileSync(join(w.build, 'target', 'aarch64-unknown-linux-gnu', 'release', 'workspace.rlib'), 'kept\n');
  w.copy();
  const merged = w.runWith({ RUST_TARGET: 'aarch64-unknown-linux-gnu' }, 'build', seed, '1');
  t.equal(merged.status, 0, merged.stderr);
  t.ok(
    has('aarch64-unknown-linux-gnu/release/new.rlib') && has('aarch64-unknown-linux-gnu/release/workspace.rlib'),
    'merged beside what it had',
  );
  t.notOk(has('x86_64-unknown-linux-gnu'), 'and still no other triple');
});

t.test("inputs: the context files of a binary's dep-info, one line, and the same line again from the mount's memo", async (t) => {
  const w = workspace();
  t.teardown(() => rmSync(w.root, { recursive: true, force: true }));
  w.copy();
  const depDir = join(w.build, 'target/x86_64-unknown-linux-gnu/release');
  mkdirSync(depDir, { recursive: true });
  const depFile = 'target/x86_64-unknown-linux-gnu/release/a.d';
  const depInfo = (extra: string) =>
    writeFileSync(
      join(w.build, depFile),
      `${w.build}/${depFile.replace(/\.d$/, '')}: ${w.build}/a/src/lib.rs ${w.build}/a/src/page.html /usr/lib/rustlib/x.rlib ${w.build}/target/gen.rs${extra}\n`,
    );
  const lines = () => {
    const r = w.runWith({ CROSSBAKE_PLATFORM: 'linux/amd64' }, 'inputs', 'a', depFile);
    t.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const paths = (line: string) => {
    const [marker, platform, bin, count, packed] = line.trim().split(' ');
    t.same([marker, platform, bin], ['crossbake-inputs', 'linux/amd64', 'a']);
    const list = spawnSync('sh', ['-c', 'base64 -d | gunzip'], { input: packed, encoding: 'utf8' }).stdout.split('\n');
    t.equal(list.length, Number(count));
    return list;
  };
  depInfo('');
  const first = lines();
  t.same(paths(first), ['a/src/lib.rs', 'a/src/page.html'], "the context's files only: not the toolchain's, not target/");
  // what crossbake reads back from the step's log: the script's line and the reader's format are one protocol
  const log = emptyLog();
  applyStatus(log, {
    vertexes: [{ digest: 'sha256:1', name: '[a linux/amd64 build-all 3/3] RUN x' }],
    logs: [{ vertex: 'sha256:1', data: Buffer.from(`   Compiling a v0.1.0\n${first}`).toString('base64') }],
  });
  t.same(printedInputs(log, ['a']).get('a')?.get('linux/amd64'), ['a/src/lib.rs', 'a/src/page.html'], 'crossbake reads the line back');
  const memo = join(w.build, 'target/.crossbake-inputs/linux_amd64_a');
  t.equal(readFileSync(`${memo}.line`, 'utf8'), first, 'kept in the mount');
  writeFileSync(`${memo}.line`, 'crossbake-inputs linux/amd64 a 0 memo\n');
  t.equal(lines(), 'crossbake-inputs linux/amd64 a 0 memo\n', 'the same dep-info: the kept line, not a new reading');
  depInfo(` ${w.build}/a/Cargo.toml`);
  t.same(paths(lines()), ['a/Cargo.toml', 'a/src/lib.rs', 'a/src/page.html'], 'another dep-info: read again');
});
