import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { copyWorkspace, crossbake, removeDir } from './helpers.js';

// `crossbake verify` on the example, arm64 (cross-compiled): two builds from scratch agree byte for byte;
// a changed string in the source is named by layer and file.
const workspace = copyWorkspace('examples/workspace');
t.teardown(() => removeDir(workspace));
const args = ['verify', 'backend', '-w', workspace, '--platforms', 'linux/arm64', '--progress', 'plain'];
const env = { SOURCE_DATE_EPOCH: '1700000000' };

t.test('no earlier verified build: it builds twice from scratch and the digests agree', async (t) => {
  const run = crossbake(args, env);
  t.equal(run.code, 0, run.stderr.slice(-3000));
  t.match(run.stderr, /no earlier verified build of backend-linux-arm64: building twice/);
  t.match(run.stdout, /^backend\s+linux\/arm64\s+(sha256:[0-9a-f]{12})\s+\1\s+identical$/m);
});

t.test('one changed byte in the source: exit 9, the layer and the file named', async (t) => {
  const main = join(workspace, 'crates/backend/src/main.rs');
  writeFileSync(main, readFileSync(main, 'utf8').replace('const SERVICE: &str = "backend";', 'const SERVICE: &str = "backenD";'));
  const run = crossbake(args, env);
  t.equal(run.code, 9, run.stderr.slice(-3000));
  t.match(run.stdout, /^backend\s+linux\/arm64\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}\s+DIFFERENT$/m);
  t.match(run.stderr, /a rebuild from scratch differs from the first build/);
  t.match(run.stderr, /backend linux\/arm64, layer \d+: sha256:[0-9a-f]{12} -> sha256:[0-9a-f]{12}\n\s+~ \/app\/backend: content changed/);
});
