import * as fs from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { CrossbakeError } from '../src/errors.js';
import { writeFiles } from '../src/fs/write.js';
import { generatedHeader, seal } from '../src/generated.js';

const sealed = (body: string) => seal(`# ${generatedHeader('Cargo.toml')}\n${body}`);

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-write-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('when the fourth file cannot be written, the first three keep their old text', async (t) => {
  const dir = tempDir(t);
  const names = ['Dockerfile', 'docker-bake.hcl', 'docker-bake.json', 'sub/.dockerignore'];
  const { writeFiles: write } = await t.mockImport<typeof import('../src/fs/write.js')>('../src/fs/write.js', {
    'node:fs': {
      ...fs,
      renameSync: (from: string, to: string) => {
        if (to.endsWith('.dockerignore')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        fs.renameSync(from, to);
      },
    },
  });
  write(
    names.slice(0, 2).map((n) => ({ path: join(dir, n), content: sealed(`old ${n}\n`) })),
    { force: false, cwd: dir },
  );
  const error = t.throws(() =>
    write(
      names.map((n) => ({ path: join(dir, n), content: sealed(`new ${n}\n`) })),
      { force: false, cwd: dir },
    ),
  ) as CrossbakeError;
  t.equal(error.exitCode, 3);
  t.match(error.message, /^cannot write generated files: ENOSPC: no space left on device\. Nothing was changed\./);
  t.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), sealed('old Dockerfile\n'), 'restored');
  t.equal(readFileSync(join(dir, 'docker-bake.hcl'), 'utf8'), sealed('old docker-bake.hcl\n'), 'restored');
  t.notOk(existsSync(join(dir, 'docker-bake.json')), 'a new file is removed again');
  t.same(readdirSync(dir).sort(), ['Dockerfile', 'docker-bake.hcl'], 'no temp files, no new directory');
});

t.test('a file that cannot be read is never overwritten, even with --force', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'Dockerfile'));
  writeFileSync(join(dir, 'Dockerfile', 'keep'), 'x');
  for (const force of [false, true]) {
    const error = t.throws(() =>
      writeFiles(
        [
          { path: join(dir, 'docker-bake.hcl'), content: sealed('a\n') },
          { path: join(dir, 'Dockerfile'), content: sealed('b\n') },
        ],
        { force, cwd: dir },
      ),
    ) as CrossbakeError;
    t.equal(error.exitCode, 7);
    t.equal(
      error.message,
      'cannot read Dockerfile (EISDIR), so crossbake cannot tell whether it wrote it; it never replaces a file it cannot check. Fix its permissions, or move it away.',
    );
    t.same(readdirSync(dir), ['Dockerfile'], `nothing written (force: ${force})`);
  }
});

t.test('a symlinked .github out of the repository is refused', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'repo'));
  mkdirSync(join(dir, 'elsewhere/workflows'), { recursive: true });
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'repo/.github'));
  const path = join(dir, 'repo/.github/workflows/crossbake.yml');
  const error = t.throws(() =>
    writeFiles([{ path, content: sealed('x\n') }], { force: true, cwd: join(dir, 'repo'), root: join(dir, 'repo') }),
  ) as CrossbakeError;
  t.equal(error.exitCode, 2);
  t.match(
    error.message,
    /^refusing to write \.github\/workflows\/crossbake\.yml: its directory is really .*\/elsewhere\/workflows, outside \. \(a symlink leads there\)/,
  );
  t.same(readdirSync(join(dir, 'elsewhere/workflows')), [], 'nothing written outside');
  // a symlink that stays inside is fine
  rmSync(join(dir, 'repo/.github'));
  mkdirSync(join(dir, 'repo/ci/workflows'), { recursive: true });
  symlinkSync('ci', join(dir, 'repo/.github'));
  writeFiles([{ path, content: sealed('x\n') }], { force: false, cwd: join(dir, 'repo'), root: join(dir, 'repo') });
  t.ok(existsSync(join(dir, 'repo/ci/workflows/crossbake.yml')));
});
