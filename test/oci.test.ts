import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { verifySteps } from '../src/buildx/invocation.js';
import { diffImages, ociImage, readTar } from '../src/buildx/oci.js';
import { loadProject } from '../src/commands/project.js';
import { repoRoot } from './helpers/paths.js';

/** A ustar archive, as buildx and BuildKit write them (long names through pax records). */
function tar(files: Array<{ name: string; data: Buffer | string; mtime?: number; mode?: number }>): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string, mtime: number, mode: number) => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0);
    h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136);
    h.write('        ', 148);
    h.write(type, 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    const sum = h.reduce((n, b) => n + b, 0);
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  };
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
  for (const f of files) {
    const data = Buffer.from(f.data);
    if (f.name.length > 100) {
      const record = `path=${f.name}\n`;
      const line = `${record.length + String(record.length + 3).length + 1} ${record}`;
      blocks.push(header('PaxHeader', line.length, 'x', 0, 0o644), pad(Buffer.from(line)));
    }
    blocks.push(header(f.name, data.length, '0', f.mtime ?? 1700000000, f.mode ?? 0o644), pad(data));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An OCI layout tar with one linux/arm64 image of the given layers (and an attestation beside it). */
function layout(layers: Buffer[]): Buffer {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    blobs.set(digest(b), b);
    return digest(b);
  };
  const config = Buffer.from('{"architecture":"arm64","os":"linux"}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: add(config) },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: add(l) })),
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: add(manifest),
          platform: { architecture: 'arm64', os: 'linux' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: add(Buffer.from('{}')),
          platform: { architecture: 'unknown', os: 'unknown' },
        },
      ],
    }),
  );
  return tar([{ name: 'index.json', data: index }, ...[...blobs].map(([d, b]) => ({ name: `blobs/${d.replace(':', '/')}`, data: b }))]);
}

const layer = (files: Array<{ name: string; data: string; mtime?: number }>) => gzipSync(tar(files));
const base = layer([{ name: 'etc/passwd', data: 'root:x:0:0\n' }]);
const arm64 = { arch: 'arm64', variant: '' };

t.test('tar entries, long names included', async (t) => {
  const long = `app/${'d/'.repeat(60)}file`;
  const entries = readTar(
    tar([
      { name: 'a.txt', data: 'hi', mode: 0o755 },
      { name: long, data: 'x' },
    ]),
  );
  t.same(
    entries.map((e) => [e.name, e.data.toString(), e.mode.toString(8)]),
    [
      ['a.txt', 'hi', '755'],
      [long, 'x', '644'],
    ],
  );
});

t.test('one platform image from an OCI layout; identical builds have no differences', async (t) => {
  const a = ociImage(layout([base, layer([{ name: 'app/backend', data: 'v1' }])]), arm64)!;
  const b = ociImage(layout([base, layer([{ name: 'app/backend', data: 'v1' }])]), arm64)!;
  t.equal(a.layers.length, 2);
  t.equal(a.digest, b.digest);
  t.same(diffImages(a, b), []);
  t.equal(ociImage(layout([base]), { arch: 'amd64', variant: '' }), undefined, 'no image for another platform');
});

t.test('a difference is named by layer and by file: content, time, added, removed', async (t) => {
  const a = ociImage(
    layout([
      base,
      layer([
        { name: 'app/backend', data: 'v1' },
        { name: 'app/old', data: '' },
      ]),
    ]),
    arm64,
  )!;
  const b = ociImage(
    layout([
      base,
      layer([
        { name: 'app/backend', data: 'v2' },
        { name: 'app/new', data: '', mtime: 1 },
      ]),
    ]),
    arm64,
  )!;
  const d = diffImages(a, b);
  t.equal(d.length, 1);
  t.equal(d[0]!.layer, 2);
  t.same(d[0]!.files, ['~ /app/backend: content changed', '+ /app/new', '- /app/old']);
  const c = ociImage(
    layout([
      base,
      layer([
        { name: 'app/backend', data: 'v1', mtime: 5 },
        { name: 'app/old', data: '' },
      ]),
    ]),
    arm64,
  )!;
  t.same(diffImages(a, c)[0]!.files, ['~ /app/backend: time changed']);
});

t.test('verify builds every selected image and platform from scratch into OCI tars, timestamps rewritten, no cache', async (t) => {
  const plan = loadProject({
    workspace: 'examples/workspace',
    flags: { platforms: ['linux/arm64'], bins: ['backend'] },
    cwd: repoRoot,
  }).plan;
  const steps = verifySteps(plan, { bakeFile: 'docker-bake.json', dir: '/tmp/v' });
  t.same(steps.bake.targets, ['backend-linux-arm64']);
  t.equal(steps.bake.noCache, true);
  t.same(steps.bake.set, [
    '*.args.CROSSBAKE_BINS=backend',
    '*.args.CROSSBAKE_PLATFORMS=linux/arm64',
    '*.args.CROSSBAKE_INCREMENTAL=0',
    'backend-linux-arm64.output=type=oci,dest=/tmp/v/backend-linux-arm64.tar,rewrite-timestamp=true',
    'backend-linux-arm64.cache-from=',
    'backend-linux-arm64.cache-to=',
  ]);
  t.same([...steps.tars], [['backend-linux-arm64', '/tmp/v/backend-linux-arm64.tar']]);
  const comma = verifySteps(plan, { bakeFile: 'docker-bake.json', dir: '/tmp/a,"b"' });
  t.equal(
    comma.bake.set?.[3],
    'backend-linux-arm64.output=type=oci,"dest=/tmp/a,""b""/backend-linux-arm64.tar",rewrite-timestamp=true',
    'a directory with a comma or a quote is one CSV field',
  );
});

t.test("the runtime root's layer, by the config's history, and the runtime packages file in it", async (t) => {
  const { fileInLayer, runtimeRootLayer } = await import('../src/buildx/oci.js');
  const layers = ['base', 'root', 'binary', 'lock', 'workdir'].map((name) => ({
    digest: `sha256:${createHash('sha256').update(name).digest('hex')}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  }));
  const history = [
    { created_by: 'ARG TARGETARCH', empty_layer: true },
    { created_by: 'ADD rootfs-amd64.tar / # buildkit' },
    { created_by: 'CMD ["bash"]', empty_layer: true },
    { created_by: 'COPY /rootfs/ / # buildkit' },
    { created_by: 'COPY /out/backend /app/backend # buildkit' },
    { created_by: 'COPY /crossbake/sbom/backend/Cargo.lock /app/Cargo.lock # buildkit' },
    { created_by: 'WORKDIR /app' },
    { created_by: 'ENTRYPOINT ["/usr/bin/tini"]', empty_layer: true },
  ];
  t.same(runtimeRootLayer({ layers }, { history }), layers[1], 'the layer of `COPY /rootfs/ /`, counting only entries that made one');
  t.equal(runtimeRootLayer({ layers: layers.slice(1) }, { history }), undefined, 'a history that does not match the layers says nothing');
  t.equal(runtimeRootLayer({ layers }, {}), undefined);

  const layer = gzipSync(
    tar([
      { name: 'usr/bin/tini', data: 'ELF' },
      { name: 'usr/share/crossbake/runtime-packages', data: 'libssl3:arm64 3.0.15-1~deb12u1\nlibsqlite3-0:arm64 3.40.1-2\n' },
    ]),
  );
  t.same(fileInLayer(layer, layers[1]!.mediaType, 'usr/share/crossbake/runtime-packages'), [
    'libssl3:arm64 3.0.15-1~deb12u1',
    'libsqlite3-0:arm64 3.40.1-2',
  ]);
  t.same(fileInLayer(layer, layers[1]!.mediaType, 'usr/share/crossbake/none'), [], 'not there: none');
  t.equal(fileInLayer(layer, 'application/vnd.oci.image.layer.v1.tar+zstd', 'usr/bin/tini'), undefined, 'zstd is not read here');
  t.equal(fileInLayer(Buffer.from('not gzip'), layers[1]!.mediaType, 'usr/bin/tini'), undefined);
});
