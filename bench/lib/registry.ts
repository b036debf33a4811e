/**
 * Bytes in registry caches: buildx's registry cache is an OCI index whose entries are the layer blobs and
 * the cache config (or, with image-manifest=true, an image manifest with layers); its size is theirs added up.
 */

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Blob {
  readonly digest: string;
  readonly size: number;
}

/** The blobs a cache manifest refers to (index entries, or config and layers). */
export function cacheBlobs(manifest: unknown): Blob[] {
  const m = manifest as { manifests?: Blob[]; layers?: Blob[]; config?: Blob };
  if (Array.isArray(m.manifests)) return m.manifests.map((b) => ({ digest: b.digest, size: b.size }));
  return [...(m.config ? [m.config] : []), ...(m.layers ?? [])].map((b) => ({ digest: b.digest, size: b.size }));
}

/** Bytes exported (every cache's blobs added up) and bytes stored (each distinct blob once). */
export function cacheTotals(manifests: readonly unknown[]): { exported: number; distinct: number; caches: number } {
  const distinct = new Map<string, number>();
  let exported = 0;
  for (const m of manifests) {
    for (const b of cacheBlobs(m)) {
      exported += b.size;
      distinct.set(b.digest, b.size);
    }
  }
  return { exported, distinct: [...distinct.values()].reduce((a, b) => a + b, 0), caches: manifests.length };
}

/** `127.0.0.1:5000/ns/backend:cache-linux-amd64` read from the registry's HTTP API; undefined when absent. */
export async function fetchManifest(ref: string): Promise<unknown | undefined> {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  if (slash < 0 || colon < slash) throw new Error(`not a registry reference with a tag: ${ref}`);
  const host = ref.slice(0, slash);
  const repo = ref.slice(slash + 1, colon);
  const tag = ref.slice(colon + 1);
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${ref}: HTTP ${response.status}`);
  return response.json();
}

/** Every tag of a repository (`host/ns/name`), for finding the cache tags a build wrote. */
export async function listTags(repository: string): Promise<string[]> {
  const slash = repository.indexOf('/');
  const response = await fetch(`http://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/tags/list`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`GET ${repository} tags: HTTP ${response.status}`);
  return ((await response.json()) as { tags?: string[] | null }).tags ?? [];
}

/** Repositories under `host/namespace/` (the catalog, paged). */
export async function listRepositories(host: string, namespace: string): Promise<string[]> {
  const repos: string[] = [];
  let last = '';
  for (;;) {
    const response = await fetch(`http://${host}/v2/_catalog?n=1000${last ? `&last=${encodeURIComponent(last)}` : ''}`);
    if (!response.ok) throw new Error(`GET ${host} catalog: HTTP ${response.status}`);
    const page = ((await response.json()) as { repositories?: string[] }).repositories ?? [];
    repos.push(...page.filter((r) => r.startsWith(`${namespace}/`)).map((r) => `${host}/${r}`));
    if (page.length < 1000) return repos;
    last = page[page.length - 1]!;
  }
}

/** The cache manifests of a namespace: every tag that holds a buildkit cache config. */
export async function namespaceCaches(host: string, namespace: string): Promise<Array<{ ref: string; manifest: unknown }>> {
  const out: Array<{ ref: string; manifest: unknown }> = [];
  for (const repo of await listRepositories(host, namespace)) {
    for (const tag of await listTags(repo)) {
      const manifest = await fetchManifest(`${repo}:${tag}`);
      if (manifest !== undefined && isCache(manifest)) out.push({ ref: `${repo}:${tag}`, manifest });
    }
  }
  return out;
}

export function isCache(manifest: unknown): boolean {
  const m = manifest as { manifests?: Array<{ mediaType?: string }>; config?: { mediaType?: string } };
  return (
    (m.manifests ?? []).some((d) => d.mediaType === 'application/vnd.buildkit.cacheconfig.v0') ||
    m.config?.mediaType === 'application/vnd.buildkit.cacheconfig.v0'
  );
}
