// What an image holds, read from the registry and from a container made of it.

import type { Platform } from '../../src/platforms.js';
import { type Descriptor, platformString, rawManifest, runnable, sh } from './helpers.js';

/** The image's dpkg status as `name:arch` per package. */
export function dpkgPackages(container: string): string[] {
  const status = sh('sh', ['-c', `docker cp ${container}:/var/lib/dpkg/status - | tar -xO`]).stdout;
  return status
    .split(/\n\s*\n/)
    .map((para) => {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(para)?.[1];
      return field('Package') ? `${field('Package')}:${field('Architecture')}` : '';
    })
    .filter(Boolean);
}

/** The exported filesystem: paths (symlinks as `path -> target`) and the unpacked size. */
export function filesystem(container: string): { paths: string[]; links: Map<string, string>; unpacked: number } {
  const listed = sh('sh', ['-c', `docker export ${container} | tar -tvf -`])
    .stdout.split('\n')
    .filter(Boolean);
  const links = new Map<string, string>();
  const paths = listed.map((line) => {
    const name = line.split(/\s+/).slice(5).join(' ');
    const [path, target] = name.split(' -> ') as [string, string | undefined];
    const clean = path.replace(/\/$/, '');
    if (target !== undefined) links.set(clean, target);
    return clean;
  });
  return { paths, links, unpacked: listed.reduce((n, l) => n + (Number(l.split(/\s+/)[2]) || 0), 0) };
}

/** Resolves a path inside the exported tree through its symlinks, as the kernel would. */
export function resolve(path: string, links: Map<string, string>, paths: ReadonlySet<string>): string | undefined {
  let parts = path.replace(/^\//, '').split('/');
  for (let hops = 0; hops < 40; hops++) {
    let i = 0;
    let link: string | undefined;
    for (; i < parts.length; i++) {
      link = links.get(parts.slice(0, i + 1).join('/'));
      if (link !== undefined) break;
    }
    if (link === undefined) {
      const whole = parts.join('/');
      return paths.has(whole) ? whole : undefined;
    }
    const dir = parts.slice(0, i);
    const target = link.startsWith('/') ? link.slice(1).split('/') : [...dir, ...link.split('/')];
    const rest = parts.slice(i + 1);
    const out: string[] = [];
    for (const part of [...target, ...rest]) {
      if (part === '..') out.pop();
      else if (part !== '.' && part !== '') out.push(part);
    }
    parts = out;
  }
  return undefined;
}

export function compressedSize(ref: string, p: Platform): { bytes: number; layers: number } {
  const index = rawManifest(ref);
  const descriptor = runnable(index).find((m) => platformString(m) === p.docker)!;
  const manifest = rawManifest(`${ref.replace(/:[^:/]+$/, '')}@${descriptor.digest}`);
  return {
    bytes: manifest.config.size + manifest.layers.reduce((n: number, l: Descriptor) => n + l.size, 0),
    layers: manifest.layers.length,
  };
}
