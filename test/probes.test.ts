import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { probeMemo } from '../src/fs/probes.js';

const DAY = 24 * 60 * 60 * 1000;

t.test(
  'a passed probe is remembered for a day, per builder and platform',
  { skip: !existsSync('/proc/sys/fs/binfmt_misc/status') && 'no binfmt_misc here' },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'crossbake-probes-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const env = { XDG_CACHE_HOME: home };
    const here = { id: 'DAEMON-A', host: 'box' };
    const memo = probeMemo(env, 1_000_000, here, 'box')!;
    t.ok(memo);
    t.notOk(memo.ran('default docker', 'linux/arm/v7'));
    memo.remember('default docker', 'linux/arm/v7');
    t.ok(probeMemo(env, 1_000_000 + 1000, here, 'box')!.ran('default docker', 'linux/arm/v7'));
    t.notOk(probeMemo(env, 1_000_000 + 1000, here, 'box')!.ran('other docker-container', 'linux/arm/v7'), 'another builder is probed');
    t.notOk(probeMemo(env, 1_000_000 + 1000, here, 'box')!.ran('default docker', 'linux/arm64'), 'another platform is probed');
    t.notOk(probeMemo(env, 1_000_000 + DAY + 1, here, 'box')!.ran('default docker', 'linux/arm/v7'), 'a day later it is probed again');
    t.notOk(
      probeMemo(env, 1_000_000 + 1000, { id: 'DAEMON-B', host: 'box' }, 'box')!.ran('default docker', 'linux/arm/v7'),
      'another daemon on this host (docker context use) is probed',
    );
  },
);

t.test('a daemon elsewhere is probed every time: its emulators cannot be seen from here', async (t) => {
  t.equal(probeMemo({ DOCKER_HOST: 'tcp://10.0.0.5:2376' }), undefined);
  t.equal(probeMemo({ DOCKER_HOST: 'ssh://build@host' }), undefined);
  t.equal(probeMemo({ DOCKER_CONTEXT: 'remote' }), undefined);
  t.equal(probeMemo({}, Date.now(), { id: 'X', host: 'build-server' }, 'laptop'), undefined, 'a daemon on another host');
  t.equal(probeMemo({}, Date.now(), undefined, 'laptop'), undefined, 'a daemon not known');
});
