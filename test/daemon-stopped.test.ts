// The daemon stopping under a build (a fake: a real stream cut short, then what buildx prints when
// dockerd dies; the real daemon is never stopped in the tests): one environment failure, exit 3, where
// its log is, nothing pushed.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { attribute, failureError, type RunTarget } from '../src/buildx/attribute.js';
import { daemonStopped } from '../src/buildx/faults.js';
import { parseProgress } from '../src/buildx/progress.js';
import { formatError } from '../src/errors.js';
import { findPlatform } from '../src/platforms.js';
import { fixture } from './helpers/paths.js';

const targets: RunTarget[] = ['backend', 'frontend'].flatMap((bin) =>
  ['linux/amd64', 'linux/arm/v7'].map((p) => {
    const platform = findPlatform(p)!;
    return { name: `${bin}-${platform.key}`, bin, platforms: [platform] };
  }),
);

const cut = readFileSync(fixture('progress', 'compile-armv7.plain'), 'utf8').split('\n').slice(0, 317).join('\n');
const endings = [
  'ERROR: failed to solve: Unavailable: error reading from server: EOF',
  'ERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF',
  'ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
];

for (const ending of endings) {
  t.test(`daemon stopped: ${ending.slice(7, 60)}`, async (t) => {
    const attribution = attribute(parseProgress(`${cut}\n${ending}\n`, 'plain'), targets, 1);
    t.equal(attribution.failures.length, 1);
    t.equal(attribution.failures[0]!.kind, 'daemon');
    const error = failureError(
      attribution,
      'Nothing was pushed: crossbake pushes the per-platform images only after every platform built.',
    );
    t.equal(error.exitCode, 3, 'the environment code');
    const text = formatError(error);
    t.match(
      text,
      /^crossbake: build failed: the Docker daemon stopped during the build; this is not a fault in your code or its Dockerfile\.\n/,
    );
    t.notMatch(text, /every image failed/);
    t.match(text, /journalctl -u docker\.service/, 'names where the log is');
    t.match(text, /walkProvenance/);
    t.match(text, /\n {2}Nothing was pushed/);
    t.ok(
      attribution.slots.every((s) => s.outcome !== 'failed'),
      'no image is blamed',
    );
  });
}

t.test('an ordinary failure is not taken for a stopped daemon', async (t) => {
  t.equal(daemonStopped('ERROR: failed to solve: process "/bin/sh -c x" did not complete successfully: exit code: 101'), undefined);
  const attribution = attribute(parseProgress(readFileSync(fixture('progress', 'compile-armv7.plain'), 'utf8'), 'plain'), targets, 1);
  t.equal(attribution.failures[0]!.kind, 'compile');
});
