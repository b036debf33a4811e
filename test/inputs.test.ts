import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { diskFiles } from '../src/fs/read.js';
import { recordingFiles } from '../src/workspace/inputs.js';
import { readWorkspace } from '../src/workspace/read.js';
import { repoRoot } from './helpers/paths.js';

function recorded(dir: string) {
  const recording = recordingFiles(diskFiles(dir));
  readWorkspace(recording.files, '.');
  return recording.inputs();
}

t.test('what the skeleton stage is keyed by changes with the structure, not with sources or files beside the crates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-inputs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const before = recorded(dir);
  t.same(before.read, ['Cargo.lock', 'Cargo.toml', 'crates/backend/Cargo.toml', 'crates/frontend/Cargo.toml', 'crates/shared/Cargo.toml']);
  t.notOk(
    before.read.some((p) => p.endsWith('.rs')),
    'no source file is read for its text: only whether it is there',
  );

  const main = join(dir, 'crates/backend/src/main.rs');
  writeFileSync(main, `${readFileSync(main, 'utf8')}\n// an edit\n`);
  writeFileSync(join(dir, 'crates/README.md'), 'notes\n');
  writeFileSync(join(dir, 'crates/backend/src/util.rs'), 'pub fn f() {}\n');
  t.same(recorded(dir), before, 'a source edit, a README beside the crates and a new module record the same');

  mkdirSync(join(dir, 'crates/backend/src/bin'));
  writeFileSync(join(dir, 'crates/backend/src/bin/tool.rs'), 'fn main() {}\n');
  const withBin = recorded(dir);
  t.same(withBin.layout.lists['crates/backend/src/bin'], ['tool.rs'], 'a new binary is in the layout');
  t.not(JSON.stringify(withBin), JSON.stringify(before));
});
