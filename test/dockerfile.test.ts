import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadProject } from '../src/commands/project.js';
import { PLATFORMS } from '../src/platforms.js';
import { renderDockerfile } from '../src/render/dockerfile.js';
import { repoRoot } from './helpers/paths.js';

interface Stage {
  name: string;
  from: string;
  buildPlatform: boolean;
  lines: string[];
}

function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM (--platform=(\S+) )?(\S+)(?: AS (\S+))?$/.exec(line);
    if (from) out.push({ name: from[4] ?? '', from: from[3]!, buildPlatform: from[2] === '$BUILDPLATFORM', lines: [] });
    else out[out.length - 1]?.lines.push(line);
  }
  return out;
}

function render(workspace: string, flags: Record<string, unknown> = {}): string {
  return renderDockerfile(loadProject({ workspace, flags, cwd: repoRoot }).plan, 'x');
}

for (const toolchain of ['debian', 'rustup']) {
  t.test(`${toolchain}: every RUN executes on the build platform`, async (t) => {
    const all = stages(render('examples/workspace', { toolchain }));
    const onBuild = new Set<string>();
    for (const s of all) {
      if (s.buildPlatform || onBuild.has(s.from)) onBuild.add(s.name);
      if (s.lines.some((l) => l.startsWith('RUN '))) t.ok(onBuild.has(s.name), `stage ${s.name} runs on $BUILDPLATFORM`);
    }
    for (const s of all.filter(
      (x) => x.name.startsWith('runtime-') && !['runtime-packages', 'runtime-files', 'runtime-base'].includes(x.name),
    )) {
      t.notOk(
        s.lines.some((l) => l.startsWith('RUN ')),
        `${s.name} only copies`,
      );
      t.match(s.lines.join('\n'), /ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/app\//, `${s.name} starts under tini`);
      t.match(s.lines.join('\n'), /^USER 10001:10001$/m, `${s.name} is not root`);
    }
  });
}

t.test('the platform table feeds the case arms and the error message', async (t) => {
  const text = render('examples/workspace');
  for (const p of PLATFORMS) {
    t.match(text, `${p.docker}) triple=${p.rustTarget}; linker=${p.linker}; linker_package=${p.gccPackage}`);
    t.match(text, `${p.debianArch}) packages="$packages ${p.gccPackage} ${p.libcDevPackage} libstd-rust-dev:${p.debianArch}"`);
  }
  t.match(text, `supported: ${PLATFORMS.map((p) => p.docker).join(', ')}`);
});

function skeletonOf(text: string): string {
  return text.slice(text.indexOf('AS skeleton'), text.indexOf('AS target'));
}

t.test('the dependency skeleton ignores versions and sources, not dependencies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-skeleton-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const before = skeletonOf(render(dir));

  const main = join(dir, 'crates/backend/src/main.rs');
  writeFileSync(main, `${readFileSync(main, 'utf8')}\n// a source change\n`);
  t.equal(skeletonOf(render(dir)), before, 'a source change keeps the skeleton');

  const manifest = join(dir, 'Cargo.toml');
  const lock = join(dir, 'Cargo.lock');
  const original = { manifest: readFileSync(manifest, 'utf8'), lock: readFileSync(lock, 'utf8') };
  writeFileSync(manifest, original.manifest.replace('version = "0.1.0"', 'version = "0.2.0"'));
  writeFileSync(lock, original.lock.replace(/(name = "(backend|frontend|shared)"\nversion = )"0\.1\.0"/g, '$1"0.2.0"'));
  t.equal(skeletonOf(render(dir)), before, 'a version bump of the workspace keeps the skeleton (cargo-chef#323)');

  const backendManifestPath = join(dir, 'crates/backend/Cargo.toml');
  writeFileSync(
    backendManifestPath,
    readFileSync(backendManifestPath, 'utf8').replace(/^description = .*$/m, 'description = "a new description"'),
  );
  t.equal(skeletonOf(render(dir)), before, 'a new description keeps the skeleton');

  const backendManifest = join(dir, 'crates/backend/Cargo.toml');
  writeFileSync(backendManifest, readFileSync(backendManifest, 'utf8').replace('[dependencies]', '[dependencies]\nitoa = "1"'));
  t.not(skeletonOf(render(dir)), before, 'a new dependency changes the skeleton');
  t.match(skeletonOf(render(dir)), /\nfn main\(\) \{\}\n/, 'binaries are stubbed');
});
