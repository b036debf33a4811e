/** Docker image references as Docker reads them. */

/** The registry host a reference names: its first path segment when that has a dot, a port or is localhost. */
export function registryHostOf(ref: string): string | undefined {
  const first = ref.split('/')[0] ?? '';
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
}

/** The registry host a reference pushes to: Docker Hub when it names none. */
export function registryHost(ref: string): string {
  return registryHostOf(ref) ?? 'docker.io';
}

export function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name.startsWith('127.') || name === '[::1]' || name === '0.0.0.0';
}

/** `repo:tag`, `repo@digest` or `repo:tag@digest` without the tag and the digest. */
export function repositoryOf(ref: string): string {
  const base = ref.includes('@') ? ref.slice(0, ref.indexOf('@')) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}
