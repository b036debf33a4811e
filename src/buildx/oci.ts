import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/**
 * Reading OCI image layouts as buildx's `type=oci` exporter writes them (a tar of index.json and
 * blobs/), and comparing two images layer by layer, file by file. Pure: bytes in, data out.
 */

export interface TarEntry {
  readonly name: string;
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly linkname: string;
  readonly data: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

const octal = (block: Buffer, start: number, length: number) => Number.parseInt(field(block, start, length).trim() || '0', 8);

/** The entries of a ustar/pax tar (long names from pax `path` and GNU `L` records). */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = field(header, 156, 1) || '0';
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (path) longName = path[1];
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    entries.push({
      name: name.replace(/^\.\//, ''),
      type,
      mode: octal(header, 100, 8),
      uid: octal(header, 108, 8),
      gid: octal(header, 116, 8),
      mtime: octal(header, 136, 12),
      linkname: field(header, 157, 100),
      data,
    });
  }
  return entries;
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly platform?: { readonly architecture: string; readonly variant?: string };
}

export interface OciImage {
  /** The platform image's manifest digest: what a registry would call it. */
  readonly digest: string;
  readonly config: string;
  readonly layers: readonly { readonly digest: string; readonly mediaType: string }[];
  readonly blob: (digest: string) => Buffer | undefined;
}

/** The one platform image of an OCI layout tar (attestation manifests set aside). */
export function ociImage(tar: Buffer, platform: { arch: string; variant: string }): OciImage | undefined {
  const files = new Map(readTar(tar).map((e) => [e.name, e.data]));
  const blob = (digest: string) => files.get(`blobs/${digest.replace(':', '/')}`);
  const json = (data: Buffer | undefined) => (data ? (JSON.parse(data.toString('utf8')) as Record<string, unknown>) : undefined);
  let manifests = (json(files.get('index.json'))?.manifests ?? []) as Descriptor[];
  for (let depth = 0; depth < 3; depth++) {
    const mine = manifests.find(
      (m) =>
        m.mediaType.includes('manifest') &&
        !m.mediaType.includes('index') &&
        m.platform?.architecture === platform.arch &&
        (m.platform.variant ?? '') === platform.variant,
    );
    if (mine) {
      const manifest = json(blob(mine.digest)) as { config: Descriptor; layers: Descriptor[] } | undefined;
      if (!manifest) return undefined;
      return {
        digest: mine.digest,
        config: manifest.config.digest,
        layers: manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })),
        blob,
      };
    }
    const nested = manifests.find((m) => m.mediaType.includes('index'));
    if (!nested) return undefined;
    manifests = (json(blob(nested.digest))?.manifests ?? []) as Descriptor[];
  }
  return undefined;
}

/** A layer's files with what identifies them: content hash, mode, owner, time, link. */
export function layerFiles(layer: Buffer, mediaType: string): Map<string, string> | undefined {
  if (!mediaType.endsWith('gzip') && !mediaType.endsWith('tar')) return undefined;
  const tar = mediaType.endsWith('gzip') ? gunzipSync(layer) : layer;
  return new Map(
    readTar(tar).map((e) => [
      e.name,
      `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} mtime=${e.mtime}${e.linkname ? ` -> ${e.linkname}` : ''} sha256=${createHash('sha256').update(e.data).digest('hex').slice(0, 16)}`,
    ]),
  );
}

/**
 * The layer a runtime stage's root made (`COPY --from=libs-<bin> /rootfs/ /`: tini, the certificates, the
 * runtime packages and their dpkg records), found by the image config's history: each history entry that
 * is not an empty layer made the next layer, in order. Undefined when the history does not say.
 */
export function runtimeRootLayer(
  manifest: { readonly layers?: readonly { digest: string; mediaType?: string }[] },
  config: { readonly history?: readonly { created_by?: string; empty_layer?: boolean }[] },
): { digest: string; mediaType: string } | undefined {
  const layers = manifest.layers ?? [];
  const made = (config.history ?? []).filter((h) => !h.empty_layer);
  if (made.length !== layers.length) return undefined;
  let index = made.length - 1;
  while (index >= 0 && !/^COPY \/rootfs\/ \/( # buildkit)?$/.test(made[index]!.created_by ?? '')) index--;
  const layer = index >= 0 ? layers[index] : undefined;
  return layer ? { digest: layer.digest, mediaType: layer.mediaType ?? '' } : undefined;
}

/** The lines of one file in a layer (`path` without its leading slash): none when it is not there, undefined when the layer cannot be read here. */
export function fileInLayer(layer: Buffer, mediaType: string, path: string): string[] | undefined {
  if (!mediaType.endsWith('gzip') && !mediaType.endsWith('tar')) return undefined;
  try {
    const tar = mediaType.endsWith('gzip') ? gunzipSync(layer) : layer;
    const entry = readTar(tar).find((e) => e.name === path && e.type === '0');
    return entry ? entry.data.toString('utf8').split('\n').filter(Boolean) : [];
  } catch {
    return undefined;
  }
}

export interface ImageDifference {
  readonly layer: number;
  readonly before?: string;
  readonly after?: string;
  /** Files that differ, with what changed; undefined when the layer's compression cannot be read here. */
  readonly files?: readonly string[];
}

/** Layer by layer, and inside each differing layer file by file. */
export function diffImages(before: OciImage, after: OciImage): ImageDifference[] {
  const out: ImageDifference[] = [];
  const n = Math.max(before.layers.length, after.layers.length);
  for (let i = 0; i < n; i++) {
    const a = before.layers[i];
    const b = after.layers[i];
    if (a?.digest === b?.digest) continue;
    const aFiles = a ? layerFiles(before.blob(a.digest) ?? Buffer.alloc(0), a.mediaType) : new Map<string, string>();
    const bFiles = b ? layerFiles(after.blob(b.digest) ?? Buffer.alloc(0), b.mediaType) : new Map<string, string>();
    let files: string[] | undefined;
    if (aFiles && bFiles) {
      files = [];
      for (const name of [...new Set([...aFiles.keys(), ...bFiles.keys()])].sort()) {
        const x = aFiles.get(name);
        const y = bFiles.get(name);
        if (x === y) continue;
        files.push(x === undefined ? `+ /${name}` : y === undefined ? `- /${name}` : `~ /${name}: ${describeChange(x, y)}`);
      }
    }
    out.push({ layer: i + 1, ...(a ? { before: a.digest } : {}), ...(b ? { after: b.digest } : {}), ...(files ? { files } : {}) });
  }
  return out;
}

function describeChange(x: string, y: string): string {
  const label = (v: string, i: number) =>
    v.startsWith('mtime=') ? 'time' : v.startsWith('sha256=') ? 'content' : (['type', 'mode', 'owner'][i] ?? 'link');
  const ys = y.split(' ');
  const changed = new Set(x.split(' ').flatMap((v, i) => (v === ys[i] ? [] : [label(v, i)])));
  return changed.size > 0 ? `${[...changed].join(', ')} changed` : 'changed';
}
