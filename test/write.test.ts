import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { CrossbakeError } from '../src/errors.js';
import { writeFiles } from '../src/fs/write.js';
import { generatedHeader, provenance, seal } from '../src/generated.js';

const sealed = (body: string) => seal(`# ${generatedHeader('Cargo.toml')}\n${body}`);

t.test('provenance tells generated, edited and foreign files apart', async (t) => {
  const text = sealed('FROM scratch\n');
  t.equal(provenance(text), 'generated');
  t.equal(provenance(text.replace('scratch', 'busybox')), 'edited');
  t.equal(provenance('FROM scratch\n'), 'foreign');
  t.equal(seal(text), text, 'sealing is idempotent');
});

t.test('all or nothing: an edited file stops every write', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-write-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'Dockerfile');
  const b = join(dir, 'docker-bake.hcl');
  writeFiles(
    [
      { path: a, content: sealed('one\n') },
      { path: b, content: sealed('two\n') },
    ],
    { force: false, cwd: dir },
  );
  writeFileSync(b, `${readFileSync(b, 'utf8')}# my change\n`);
  const error = t.throws(() =>
    writeFiles(
      [
        { path: a, content: sealed('three\n') },
        { path: b, content: sealed('four\n') },
      ],
      { force: false, cwd: dir },
    ),
  ) as CrossbakeError;
  t.equal(error.exitCode, 7);
  t.same(error.details, ['docker-bake.hcl was edited by hand since crossbake wrote it']);
  t.match(readFileSync(a, 'utf8'), /one/, 'the other file was not written either');
  t.same(readdirSync(dir).sort(), ['Dockerfile', 'docker-bake.hcl'], 'no temp files left');
  writeFiles([{ path: b, content: sealed('four\n') }], { force: true, cwd: dir });
  t.match(readFileSync(b, 'utf8'), /four/, '--force replaces it');
});

t.test('a file crossbake did not write is not overwritten', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-write-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM mine\n');
  const error = t.throws(() =>
    writeFiles([{ path: join(dir, 'Dockerfile'), content: sealed('x\n') }], { force: false, cwd: dir }),
  ) as CrossbakeError;
  t.same(error.details, ['Dockerfile exists and was not written by crossbake']);
  t.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM mine\n');
  t.notOk(existsSync(join(dir, '.crossbake')));
});
