// Dockerfile destinations read back by a real build (one short build, no compiler): ENV values from
// dockerfileValue, a heredoc body holding the delimiter, and .dockerignore patterns from ignorePattern.
// Run under the engine lock: flock /var/lock/crossbake-engine npx tap --disable-coverage test/e2e/encode.test.ts

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { dockerfileValue, heredoc, ignorePattern } from '../../src/render/encode.js';
import { hostile } from '../helpers/hostile.js';

t.test('a real build reads ENV values, heredoc bodies and ignore patterns as written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-encode-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const values = hostile()
    .filter((h) => !h.lineBreaking)
    .map((h) => h.value);
  const body = ['CROSSBAKE_EOF', '  CROSSBAKE_EOF', 'CROSSBAKE_EOF_1', 'RUN touch /pwned', ...values, ''].join('\n');
  const kept = ['src/target/f', 'weXird1/f', 'bang/f'];
  const dropped = ['target/f', 'we*ird[1]/f', '#hash/f', '!bang/f'];
  for (const f of [...kept, ...dropped]) {
    mkdirSync(join(dir, 'ctx', f, '..'), { recursive: true });
    writeFileSync(join(dir, 'ctx', f), 'x');
  }
  writeFileSync(
    join(dir, '.dockerignore'),
    ['Dockerfile', ...['target', 'we*ird[1]', '#hash', '!bang'].map((d) => ignorePattern(`ctx/${d}`, { directory: true })), ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM debian:bookworm-slim',
      `ENV ${values.map((v, i) => `V${i}=${dockerfileValue(v)}`).join(' ')}`,
      heredoc('COPY <<DELIM /body.txt', body),
      'COPY ctx/ /ctx/',
      `RUN for i in $(seq 0 ${values.length - 1}); do eval "printf '%s\\0' \\"\\$V$i\\""; done > /env.bin; cd /ctx && find . -type f | sort > /ctx.txt; test ! -e /pwned`,
      '',
    ].join('\n'),
  );
  execFileSync('docker', ['buildx', 'build', '--progress=plain', '-o', `type=local,dest=${join(dir, 'out')}`, dir], { stdio: 'ignore' });
  const env = readFileSync(join(dir, 'out/env.bin'), 'utf8').split('\0').slice(0, -1);
  t.same(env, values, 'every ENV value is the user value');
  t.equal(readFileSync(join(dir, 'out/body.txt'), 'utf8'), body, 'the heredoc body arrives whole');
  t.same(
    readFileSync(join(dir, 'out/ctx.txt'), 'utf8').trim().split('\n'),
    kept.map((f) => `./${f}`).sort(),
    'only the named paths are ignored',
  );
});
