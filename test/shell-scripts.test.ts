import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/paths.js';
import { SHELLCHECK_SKIP, shellcheck, shellcheckAvailable } from './helpers/shellcheck.js';

const skip = shellcheckAvailable() ? false : SHELLCHECK_SKIP;
const scripts = (dir: string) =>
  readdirSync(join(repoRoot, dir))
    .filter((f) => f.endsWith('.sh'))
    .sort()
    .map((f) => join(dir, f));

t.test('shellcheck: the scripts that go into images (docker/*.sh)', { skip }, async (t) => {
  const files = scripts('docker');
  t.ok(files.includes('docker/crossbake-cargo.sh'), 'finds them');
  for (const file of files) {
    const r = shellcheck([join(repoRoot, file)]);
    t.equal(r.status, 0, `${file}\n${r.output}`);
  }
});

// No shebang: they are embedded byte for byte as `run:` blocks, which run under `shell: bash`.
t.test('shellcheck: the generated workflow’s scripts (docker/workflow/*.sh), as bash', { skip }, async (t) => {
  const files = scripts('docker/workflow');
  t.same(
    files.map((f) => f.replace('docker/workflow/', '')),
    ['check.sh', 'digest.sh', 'image-name.sh', 'inspect.sh', 'merge.sh', 'report.sh'],
  );
  for (const file of files) {
    const r = shellcheck([join(repoRoot, file)], ['--shell=bash']);
    t.equal(r.status, 0, `${file}\n${r.output}`);
  }
});

t.test('shellcheck: the repository’s own scripts', { skip }, async (t) => {
  for (const file of [...scripts('scripts'), '.ci/run', 'test/e2e/setup.sh']) {
    const r = shellcheck([join(repoRoot, file)]);
    t.equal(r.status, 0, `${file}\n${r.output}`);
  }
});

t.test('shellcheck does report a broken script', { skip }, async (t) => {
  t.equal(shellcheck(['-'], ['--shell=bash'], 'echo "$1"\n').status, 0, 'a clean one passes');
  const r = shellcheck(['-'], ['--shell=bash'], 'echo $1\n');
  t.equal(r.status, 1);
  t.match(r.output, /SC2086/, 'an unquoted expansion is a finding');
});
