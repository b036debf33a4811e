import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { byDigest } from '../src/fs/by-digest.js';

t.test('what is read by digest is remembered under the cache directory, and only for real digests', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'crossbake-by-digest-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const env = { XDG_CACHE_HOME: home };
  const digest = `sha256:${'a'.repeat(64)}`;
  const cache = byDigest('manifests', env);
  t.equal(cache.get(digest), undefined);
  cache.put(digest, '{"layers":[]}');
  t.equal(byDigest('manifests', env).get(digest), '{"layers":[]}');
  t.equal(byDigest('runtime-packages', env).get(digest), undefined, 'each kind apart');
  cache.put('sha256:../../etc/passwd', 'x');
  t.equal(cache.get('sha256:../../etc/passwd'), undefined, 'a name that is not a digest is neither written nor read');
});

t.test('a cache directory that cannot be written only means reading again', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'crossbake-by-digest-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, 'crossbake'), 'a file where the directory would be');
  const cache = byDigest('manifests', { XDG_CACHE_HOME: home });
  const digest = `sha256:${'b'.repeat(64)}`;
  t.doesNotThrow(() => cache.put(digest, 'x'));
  t.equal(cache.get(digest), undefined);
});
