// A manifest whose text holds a heredoc delimiter, through a real build of the skeleton stage (crossbake's
// planner, computed inside the build): the manifest arrives whole and nothing runs.
// Run under the engine lock: flock /var/lock/crossbake-engine npx tap --disable-coverage test/e2e/hostile.test.ts

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseToml } from '../../src/workspace/toml.js';
import { cli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

t.test('the skeleton stage carries a manifest holding a heredoc delimiter whole', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'crossbake-hostile-e2e-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'ws');
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const text = 'CROSSBAKE_EOF\nRUN touch /pwned\nCROSSBAKE_EOF_1\nFROM scratch AS runtime-backend\n';
  const manifest = join(dir, 'crates/backend/Cargo.toml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('[package]\n', `[package]\nx-notes = """\n${text}"""\n`));
  const r = await cli(['generate', '--workspace', dir, '--registry', '127.0.0.1:5000/harden', '--cache', 'none'], dir);
  t.equal(r.code, 0, r.stderr);
  const out = join(base, 'out');
  // The skeleton stage's root is the whole toolchain (over a GB): a stage of the test's own, after the
  // generated ones, hands out only what the test reads (a local export of that root hung dockerd 26's file
  // sender once, in CI). It fails the build if the injected instruction ran.
  const dockerfile = join(dir, 'Dockerfile');
  writeFileSync(
    dockerfile,
    `${readFileSync(dockerfile, 'utf8')}\nFROM skeleton AS hostile-check\nRUN test ! -e /pwned\nFROM scratch AS hostile-out\nCOPY --from=hostile-check /skeleton /skeleton\n`,
  );
  // the bake file's own target (it has the named context the skeleton stage needs), cut at that stage
  const target = 'backend-linux-amd64';
  execFileSync(
    'docker',
    [
      'buildx',
      'bake',
      '-f',
      'docker-bake.json',
      target,
      '--progress',
      'plain',
      '--set',
      `${target}.target=hostile-out`,
      '--set',
      `${target}.output=type=local,dest=${out}`,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const copied = parseToml(readFileSync(join(out, 'skeleton/crates/backend/Cargo.toml'), 'utf8'), 'copied');
  t.equal((copied.package as Record<string, unknown>)['x-notes'], text, 'the manifest text arrives whole');
  t.notOk(existsSync(join(out, 'pwned')), 'no injected instruction ran (the check stage found no /pwned)');
});

t.test('an ENV value with $, quotes, backslashes and command substitutions reaches the image unchanged', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'crossbake-hostile-env-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'ws');
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const value = 'pa$$word $HOME ${HOME} "q" back\\slash $(id) `id`';
  writeFileSync(
    join(dir, 'Cargo.toml'),
    `${readFileSync(join(dir, 'Cargo.toml'), 'utf8')}\n[workspace.metadata.crossbake.defaults.env]\nSECRET = ${JSON.stringify(value)}\n`,
  );
  const tag = `hostile-env-${process.pid}`;
  const ref = `127.0.0.1:5000/harden/backend:${tag}`;
  t.teardown(() => void execFileSync('docker', ['image', 'rm', ref], { stdio: 'ignore' }));
  // Every platform, as the other suites build them: a subset would install a toolchain of its own (over a minute).
  const r = await cli(
    ['bake', '--workspace', dir, 'backend', '--load', '--registry', '127.0.0.1:5000/harden', '--tag', tag, '--progress', 'quiet'],
    dir,
  );
  t.equal(r.code, 0, r.stderr);
  const env = JSON.parse(execFileSync('docker', ['image', 'inspect', ref, '--format', '{{json .Config.Env}}']).toString()) as string[];
  t.ok(env.includes(`SECRET=${value}`), env.join('\n'));
});
