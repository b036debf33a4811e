import t from 'tap';
import { z } from 'zod';
import {
  cacheField,
  cargoFeature,
  cargoTargetName,
  collisions,
  debianPackage,
  imageName,
  imageReference,
  imageTag,
  parseToolchainChannel,
  platform,
  refine,
  relativePath,
  rustVersion,
  text,
  toolchainChannel,
} from '../src/grammar.js';
import { hostile, show } from './helpers/hostile.js';

const cases = {
  imageReference: {
    check: imageReference,
    good: [
      'debian:bookworm-slim',
      'rust:1.79-bookworm',
      'ghcr.io/acme/base:1.2',
      '127.0.0.1:5000/library/debian:bookworm-slim',
      `debian@sha256:${'a'.repeat(64)}`,
      'localhost/x',
    ],
    bad: ['', 'Debian:12', 'debian:bookworm slim', 'debian:\nRUN id', '${BASE}', 'a::b', 'debian:-x'],
  },
  imageName: { check: imageName, good: ['backend', 'team/backend', 'a.b_c-d'], bad: ['Backend', 'a/', '-a', 'a b', 'foo_bar-'] },
  imageTag: { check: imageTag, good: ['latest', 'v1.2.3', '1_x'], bad: ['', '-x', '.x', 'a/b', 'x'.repeat(129)] },
  debianPackage: {
    check: debianPackage,
    good: ['libssl3', 'libpq5:arm64', 'g++', 'libc6=2.36-9'],
    bad: ['a', 'LibSSL', 'x;id', '-y', 'a b', 'x$(id)'],
  },
  cargoTargetName: {
    check: cargoTargetName,
    good: ['server', 'foo_bar', 'foo-bar', 'Foo', '2fa'],
    bad: ['', 'a b', 'a/b', 'a.b', '-x'.slice(1) + '$'],
  },
  cargoFeature: {
    check: cargoFeature,
    good: ['tls', 'api/tls', 'c++', 'v1.2', 'ünïcode'],
    bad: ['', 'a,b', 'a b', 'a/b/c', '$(id)', 'dep:x'],
  },
  rustVersion: { check: rustVersion, good: ['1', '1.79', '1.79.0'], bad: ['', 'stable', '1.79.0.1', 'v1.79', '1.79\n'] },
  toolchainChannel: {
    check: toolchainChannel,
    good: [
      'stable',
      'beta',
      'nightly',
      'nightly-2024-02-29',
      '1.79',
      '1.79.0',
      'stable-x86_64-unknown-linux-gnu',
      'nightly-2024-01-01-aarch64-unknown-linux-gnu',
    ],
    bad: ['', 'latest', 'nightly-2023-02-29', 'nightly-2024-13-01', '1.79-2024-01-01', 'stable;id', '1'],
  },
  platform: { check: platform, good: ['linux/amd64', 'linux/arm/v7'], bad: ['linux', 'linux/amd64\n', 'Linux/amd64'] },
  relativePath: {
    check: relativePath,
    good: ['.crossbake/cache', 'a b/c', 'x'],
    bad: ['', '/etc', '../x', 'a/../../b', 'a\\b', 'a\nb', 'a\0b', ' a', 'C:/x'],
  },
  cacheField: { check: cacheField, good: ['.crossbake/cache', 'a b'], bad: ['a,b', 'a=b', 'a"b', 'a\nb'] },
  text: { check: text, good: ['pa$$word', '$(id)', "it's"], bad: ['a\nb', 'a\rb', 'a\0b', 'a\u2028b'] },
};

for (const [name, { check, good, bad }] of Object.entries(cases)) {
  t.test(`${name}: accepts and refuses`, async (t) => {
    for (const v of good) t.equal(check(v), undefined, `accepts ${show(v)}`);
    for (const v of bad) t.type(check(v), 'string', `refuses ${show(v)}`);
  });
}

t.test('no grammar of a name lets a hostile string through', async (t) => {
  const checks = {
    imageReference,
    imageName,
    imageTag,
    debianPackage,
    cargoTargetName,
    cargoFeature,
    rustVersion,
    toolchainChannel,
    platform,
  };
  for (const h of hostile().filter((h) => h.name !== 'the heredoc delimiter')) {
    for (const [name, check] of Object.entries(checks)) t.type(check(h.value), 'string', `${name} refuses ${h.name}`);
  }
  for (const h of hostile().filter((h) => h.lineBreaking)) {
    t.type(relativePath(h.value), 'string', `relativePath refuses ${h.name}`);
    t.type(cacheField(h.value), 'string', `cacheField refuses ${h.name}`);
    t.type(text(h.value), 'string', `text refuses ${h.name}`);
  }
});

t.test('toolchain channels are parsed, not only matched', async (t) => {
  t.same(parseToolchainChannel('stable'), { kind: 'stable' });
  t.same(parseToolchainChannel('1.79.0'), { kind: 'version', version: '1.79.0' });
  t.same(parseToolchainChannel('nightly-2024-05-01'), { kind: 'nightly', date: '2024-05-01' });
  t.same(parseToolchainChannel('beta-x86_64-unknown-linux-gnu'), { kind: 'beta', host: 'x86_64-unknown-linux-gnu' });
  t.same(parseToolchainChannel('1.79-aarch64-unknown-linux-gnu'), { kind: 'version', version: '1.79', host: 'aarch64-unknown-linux-gnu' });
});

t.test('refine: a check as a zod refinement names the value', async (t) => {
  const schema = z.object({ 'base-image': z.string().superRefine(refine(imageReference)) });
  const r = schema.safeParse({ 'base-image': 'debian\nRUN id' });
  t.notOk(r.success);
  t.match(r.error?.issues[0], { path: ['base-image'], message: /^expected an image reference .*, not "debian\\nRUN id"$/ });
  t.ok(schema.safeParse({ 'base-image': 'debian:bookworm-slim' }).success);
});

t.test('collisions: names one mapping sends to the same place', async (t) => {
  const stage = (n: string) => n.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  t.same(collisions(['foo_bar', 'api', 'foo-bar', 'Foo-Bar'], stage), [['foo_bar', 'foo-bar', 'Foo-Bar']]);
  t.same(collisions(['a', 'b'], stage), []);
});
