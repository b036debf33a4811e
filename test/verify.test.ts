import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

t.test('verify without a fixed time (no git commit, no SOURCE_DATE_EPOCH, no setting) says how to give one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-verify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
  const saved = process.env.SOURCE_DATE_EPOCH;
  delete process.env.SOURCE_DATE_EPOCH;
  t.teardown(() => {
    if (saved !== undefined) process.env.SOURCE_DATE_EPOCH = saved;
  });
  const r = await cli(['verify', '--workspace', '.'], dir);
  t.equal(r.code, 2);
  t.match(
    r.stderr,
    /verify needs a fixed time for the images: .*Set source-date-epoch in \[workspace\.metadata\.crossbake\], or SOURCE_DATE_EPOCH\./,
  );
  t.notMatch(r.stderr, /^\s+at /m, 'no stack trace');
});
