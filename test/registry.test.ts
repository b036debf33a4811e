// Manifest reads straight from a registry's API, against a real HTTP server on this machine speaking the
// distribution protocol's parts crossbake uses: anonymous reads, bearer tokens, logins, not found, faults.

import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { apiReference, decodeLogin, loginSource, parseChallenge, proxied, registryClient } from '../src/buildx/registry.js';
import type { DockerLogins } from '../src/fs/docker-config.js';
import { readDockerLogins } from '../src/fs/docker-config.js';

const MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}\n';
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const none: DockerLogins = { auths: {}, credHelpers: {} };

async function serve(
  t: { teardown: (f: () => void) => void },
  handle: (req: IncomingMessage, res: ServerResponse, base: string) => void,
): Promise<string> {
  let base = '';
  const server = createServer((req, res) => handle(req, res, base));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.close();
    server.closeAllConnections();
  });
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return base;
}

t.test('references as the API addresses them', async (t) => {
  t.same(apiReference('127.0.0.1:5000/team/backend:latest'), {
    host: '127.0.0.1:5000',
    apiHost: '127.0.0.1:5000',
    repository: 'team/backend',
    reference: 'latest',
  });
  t.same(apiReference('debian'), { host: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/debian', reference: 'latest' });
  t.same(apiReference('docker.io/acme/api:v1')?.repository, 'acme/api');
  t.same(apiReference(`ghcr.io/acme/api:v1@${DIGEST}`), { host: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/api', reference: DIGEST });
  t.same(apiReference('localhost:5000/a__b/c-d.e:cache-linux-arm-v7')?.reference, 'cache-linux-arm-v7');
  for (const bad of ['Acme/api', 'reg.io/a/../b:x', 'reg.io/a:b:c', 'reg.io/a@sha256:12', 'reg.io/a:-x', 'reg.io/a?b', 'reg.io/a b'])
    t.equal(apiReference(bad), undefined, bad);
});

t.test('challenges and logins', async (t) => {
  t.same(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
  });
  t.same(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  t.equal(parseChallenge(null), undefined);
  t.equal(parseChallenge('Negotiate'), undefined);

  const logins: DockerLogins = {
    auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('me:pw').toString('base64') }, 'reg.io': { identitytoken: 'x' } },
    credHelpers: { 'gcr.io': 'gcloud' },
  };
  t.same(loginSource(logins, 'docker.io'), { auth: Buffer.from('me:pw').toString('base64') });
  t.same(loginSource(logins, 'gcr.io'), { helper: 'gcloud', server: 'gcr.io' });
  t.same(loginSource({ ...logins, credsStore: 'pass' }, 'other.io'), { helper: 'pass', server: 'other.io' });
  t.same(decodeLogin(loginSource(logins, 'docker.io') as { auth: string }), { username: 'me', password: 'pw' });
  t.equal(decodeLogin(loginSource(logins, 'reg.io') as { identitytoken: string }), 'unusable');
  t.equal(decodeLogin({}), 'anonymous');

  const dir = mkdtempSync(join(tmpdir(), 'crossbake-docker-config-'));
  t.same(readDockerLogins({ DOCKER_CONFIG: dir }), none, 'no config.json: no logins');
  writeFileSync(join(dir, 'config.json'), '{"auths":{"reg.io":{"auth":"eDp5"}},"credsStore":"desktop","credHelpers":{"a.io":7}}');
  t.same(readDockerLogins({ DOCKER_CONFIG: dir }), { auths: { 'reg.io': { auth: 'eDp5' } }, credHelpers: {}, credsStore: 'desktop' });
  writeFileSync(join(dir, 'config.json'), '{ broken');
  t.same(readDockerLogins({ DOCKER_CONFIG: dir }), none);
});

t.test('an anonymous registry without TLS on this machine: found, not found, a fault', async (t) => {
  const seen: string[] = [];
  const host = await serve(t, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.accept ?? ''}`.trim());
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    if (req.url === '/v2/team/backend/manifests/latest' || req.url === `/v2/team/backend/manifests/${DIGEST}`) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      return void res.end(MANIFEST);
    }
    if (req.url === '/v2/team/broken/manifests/latest') return void res.writeHead(500).end('{"errors":[{"code":"UNKNOWN"}]}');
    if (req.url?.startsWith('/v2/team/liar/manifests/')) return void res.writeHead(200).end('{"other":1}');
    if (req.url === `/v2/team/backend/blobs/${DIGEST}`) return void res.writeHead(200).end(MANIFEST);
    if (req.url === '/v2/team/huge/manifests/latest') return void res.writeHead(200).end(Buffer.alloc(9 * 1024 * 1024, 0x20));
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
  });
  const client = registryClient({ logins: () => none });
  const found = await client.manifest(`${host}/team/backend:latest`);
  t.equal(found.kind, 'found');
  t.equal(found.kind === 'found' && found.bytes.toString('utf8'), MANIFEST, 'the bytes as served: their digest is the manifest digest');
  t.equal((await client.manifest(`${host}/team/backend@${DIGEST}`)).kind, 'found');
  t.same(await client.manifest(`${host}/team/backend:never`), { kind: 'absent' });
  t.match(await client.manifest(`${host}/team/broken:latest`), { kind: 'unknown', why: /HTTP 500/ });
  t.match(await client.manifest(`${host}/team/liar@${DIGEST}`), { kind: 'unknown', why: /other bytes/ });
  t.match(await client.manifest('127.0.0.1:1/team/backend:latest'), { kind: 'unknown', why: /cannot reach/ });
  t.match(await client.manifest(`${host}/team/huge:latest`), { kind: 'unknown', why: /more than/ }, 'no manifest is that large');
  const blob = await client.blob(`${host}/team/backend@${DIGEST}`);
  t.equal(blob.kind === 'found' && blob.bytes.toString('utf8'), MANIFEST, 'a blob by its digest');
  t.match(await client.blob(`${host}/team/backend:latest`), { kind: 'unknown' }, 'a blob only by digest');
  t.match(
    seen.find((s) => s.includes('/manifests/latest')),
    /application\/vnd\.oci\.image\.index\.v1\+json/,
  );
  t.equal(seen.filter((s) => s.startsWith('GET /v2/ ') || s === 'GET /v2/').length, 1, 'the scheme is found once per host');
});

t.test('a registry that wants a token: the login goes to the token service, one token serves the scope', async (t) => {
  let tokens = 0;
  const auth = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
  const host = await serve(t, (req, res, base) => {
    if (req.url?.startsWith('/token?')) {
      const url = new URL(req.url, `http://${base}`);
      if (req.headers.authorization !== auth || url.searchParams.get('scope') !== 'repository:team/backend:pull')
        return void res.writeHead(401).end();
      t.equal(url.searchParams.get('service'), 'test-registry');
      tokens++;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"T0K3N","expires_in":300}');
    }
    if (req.headers.authorization !== 'Bearer T0K3N') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${base}/token",service="test-registry"` });
      return void res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (req.url === '/v2/team/backend/manifests/v1') return void res.writeHead(200).end(MANIFEST);
    res.writeHead(404).end();
  });
  const logins: DockerLogins = { auths: { [host]: { auth: Buffer.from('ci:s3cret').toString('base64') } }, credHelpers: {} };
  const client = registryClient({ logins: () => logins });
  t.equal((await client.manifest(`${host}/team/backend:v1`)).kind, 'found');
  t.equal((await client.manifest(`${host}/team/backend:v2`)).kind, 'absent');
  t.equal(tokens, 1, 'one token for both reads');

  const anonymous = registryClient({ logins: () => none });
  t.match(await anonymous.manifest(`${host}/team/backend:v1`), { kind: 'unknown' }, 'no login: buildx is asked');
});

t.test('a login kept by a credential helper, and a Basic challenge', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'crossbake-cred-helper-'));
  const helper = join(bin, 'docker-credential-crossbake-test');
  writeFileSync(helper, '#!/bin/sh\nread server\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"ci\\",\\"Secret\\":\\"pw\\"}"\n');
  chmodSync(helper, 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => {
    process.env.PATH = path;
  });
  const host = await serve(t, (req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('ci:pw').toString('base64')}`)
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    res.writeHead(200).end(MANIFEST);
  });
  const client = registryClient({ logins: () => ({ auths: {}, credHelpers: {}, credsStore: 'crossbake-test' }) });
  t.equal((await client.manifest(`${host}/team/backend:v1`)).kind, 'found');
  const missing = registryClient({ logins: () => ({ auths: {}, credHelpers: {}, credsStore: 'not-installed-here' }) });
  t.match(await missing.manifest(`${host}/team/backend:v1`), { kind: 'unknown' });
});

t.test('a registry behind a proxy is read through buildx, which honours the proxy', async (t) => {
  t.equal(proxied('ghcr.io', {}), false);
  t.equal(proxied('ghcr.io', { HTTPS_PROXY: 'http://proxy:3128' }), true);
  t.equal(proxied('ghcr.io', { https_proxy: 'http://proxy:3128', no_proxy: 'example.com,.ghcr.io' }), false);
  t.equal(proxied('ghcr.io', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'ghcr.io' }), false);
  t.equal(proxied('registry.corp.example:5000', { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'corp.example' }), false);
  t.equal(proxied('notcorp.example', { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'corp.example' }), true);
  t.equal(proxied('127.0.0.1:5000', { HTTPS_PROXY: 'http://proxy:3128' }), false, 'this machine is never proxied');
  t.equal(proxied('ghcr.io', { ALL_PROXY: 'socks5://proxy:1080', NO_PROXY: '*' }), false);
  const client = registryClient({ logins: () => none, env: { HTTPS_PROXY: 'http://proxy:3128' } });
  t.match(await client.manifest('ghcr.io/acme/api:v1'), { kind: 'unknown', why: /proxy/ });
});
