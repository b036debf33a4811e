// A registry that fails on its side (HTTP 500 to every request), met by a real `docker push`: crossbake
// tries the push again, then names a fault of the registry, not of the user's login.
// Run under the engine lock: flock /var/lock/crossbake-engine npx tap --disable-coverage test/e2e/registry-fault.test.ts

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { pushTag } from '../../src/buildx/run.js';
import { CrossbakeError } from '../../src/errors.js';

t.test('a push the registry answers with 500 is tried again, then named as the registry failing', async (t) => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNKNOWN","message":"unknown error"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // docker keeps its connections open; closing them lets the suite end now, not when they time out.
  t.teardown(() => {
    server.close();
    server.closeAllConnections();
  });
  const tag = `127.0.0.1:${(server.address() as AddressInfo).port}/crossbake-fault/base:latest`;
  execFileSync('docker', ['tag', 'debian:bookworm-slim', tag]);
  t.teardown(() => execFileSync('docker', ['image', 'rm', tag]));

  const error = await pushTag(['push', '--quiet', tag], process.cwd(), [50, 50]).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof CrossbakeError, String(error));
  const message = (error as CrossbakeError).message;
  t.match(message, /failed on its side \([^)]*500[^)]*\)/);
  t.match(message, /3 times/);
  t.match(message, /not of your login/);
  t.notMatch(message, /docker login/);
  t.equal((error as CrossbakeError).kind, 'network');
  // three attempts reached the server (docker itself may ask more than once per attempt)
  t.ok(requests >= 3, `${requests} requests`);
});
