import { createHash } from 'node:crypto';
import { type DockerLogins, readDockerLogins } from '../fs/docker-config.js';
import { isLoopback, registryHostOf } from '../reference.js';
import { exec } from './exec.js';

/**
 * Manifest reads straight from the registry's HTTP API (the OCI distribution spec) with the login
 * `docker login` kept: one request instead of a `docker buildx imagetools inspect` process, which costs
 * about 0.3 s and of which a merge needs about eleven. What this cannot answer for sure (a login it cannot
 * use, a registry it cannot reach, an answer it does not expect) is `unknown`, and the caller asks buildx.
 */
export type ManifestRead =
  | { readonly kind: 'found'; readonly bytes: Buffer }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly why: string };

export interface ApiReference {
  /** The host as the reference names it (the key of its login). */
  readonly host: string;
  /** The host the API is served from. */
  readonly apiHost: string;
  readonly repository: string;
  /** A tag or a sha256 digest. */
  readonly reference: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HUB_LOGIN = 'https://index.docker.io/v1/';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::[0-9]{1,5})?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

// The distribution spec lets registries refuse manifests over 4 MiB; a root layer of runtime libraries is a few MB.
const MANIFEST_LIMIT = 8 * 1024 * 1024;
const BLOB_LIMIT = 256 * 1024 * 1024;

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A reference as the API addresses it, or undefined when it is not one this reads (then buildx does). */
export function apiReference(ref: string): ApiReference | undefined {
  const named = registryHostOf(ref);
  const host = named ?? 'docker.io';
  if (!HOST.test(host)) return undefined;
  let rest = named ? ref.slice(named.length + 1) : ref;
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at).replace(/:[^/]*$/, '');
    if (!DIGEST.test(reference)) return undefined;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(reference)) return undefined;
    }
  }
  const hub = DOCKER_HUB.has(host);
  const repository = hub && !rest.includes('/') ? `library/${rest}` : rest;
  if (!repository.split('/').every((c) => COMPONENT.test(c)) || repository.length > 255) return undefined;
  return { host, apiHost: hub ? 'registry-1.docker.io' : host, repository, reference };
}

export interface Challenge {
  readonly scheme: 'bearer' | 'basic';
  readonly params: Readonly<Record<string, string>>;
}

/** The first challenge of a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const m = /^\s*(Bearer|Basic)\b(.*)$/i.exec(header ?? '');
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase() as 'bearer' | 'basic', params };
}

export type Login = { readonly username: string; readonly password: string } | 'anonymous' | 'unusable';

/** Where docker keeps the login for `host`: a helper's name, or the config's own entry. */
export function loginSource(
  logins: DockerLogins,
  host: string,
): { helper: string; server: string } | { auth?: string; identitytoken?: string } {
  const hub = DOCKER_HUB.has(host);
  const server = hub ? HUB_LOGIN : host;
  const helper = logins.credHelpers[server] ?? (hub ? logins.credHelpers['docker.io'] : undefined) ?? logins.credsStore;
  if (helper) return { helper, server };
  const keys = hub
    ? [HUB_LOGIN, 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://index.docker.io']
    : [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  for (const key of keys) {
    const entry = logins.auths[key];
    if (entry && (entry.auth || entry.identitytoken)) return entry;
  }
  return {};
}

/** A login from `auth` (base64 of user:password); an identity token needs a flow of its own: buildx reads those. */
export function decodeLogin(source: { auth?: string; identitytoken?: string }): Login {
  if (source.identitytoken) return 'unusable';
  if (!source.auth) return 'anonymous';
  const text = Buffer.from(source.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 ? { username: text.slice(0, colon), password: text.slice(colon + 1) } : 'unusable';
}

async function login(host: string, logins: DockerLogins): Promise<Login> {
  const source = loginSource(logins, host);
  if (!('helper' in source)) return decodeLogin(source);
  if (!/^[A-Za-z0-9._-]+$/.test(source.helper)) return 'unusable';
  const result = await exec(`docker-credential-${source.helper}`, ['get'], { input: source.server, timeoutMs: 10_000 });
  if (result.exitCode !== 0) return result.notFound ? 'unusable' : 'anonymous';
  try {
    const json = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (!json.Username || json.Username === '<token>' || json.Secret === undefined) return 'unusable';
    return { username: json.Username, password: json.Secret };
  } catch {
    return 'unusable';
  }
}

export type Fetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

export interface RegistryClient {
  readonly manifest: (ref: string) => Promise<ManifestRead>;
  /** A blob (a config, a layer) by `repository@digest`, its bytes checked against the digest. */
  readonly blob: (ref: string) => Promise<ManifestRead>;
}

const basic = (l: { username: string; password: string }) => `Basic ${Buffer.from(`${l.username}:${l.password}`).toString('base64')}`;

/**
 * Whether the environment sends `host`'s requests through a proxy (HTTPS_PROXY and the like, less NO_PROXY),
 * which Node's fetch does not: buildx honours it, so such a registry is read through buildx.
 */
export function proxied(host: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (name: string) => env[name] ?? env[name.toLowerCase()] ?? '';
  if (!value('HTTPS_PROXY') && !value('HTTP_PROXY') && !value('ALL_PROXY')) return false;
  if (isLoopback(host)) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return !value('NO_PROXY')
    .split(',')
    .map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, ''))
    .some(
      (entry) =>
        entry === '*' ||
        (entry !== '' && (name === entry.replace(/^\./, '') || name.endsWith(entry.startsWith('.') ? entry : `.${entry}`))),
    );
}

/**
 * A client for one crossbake run: the login is looked up once per host, only when the registry asks for
 * one, and a token serves every read of its scope while it lasts.
 */
export function registryClient(
  options: { fetch?: Fetch; logins?: () => DockerLogins; timeoutMs?: number; now?: () => number; env?: NodeJS.ProcessEnv } = {},
): RegistryClient {
  const fetcher: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? Date.now;
  let logins: DockerLogins | undefined;
  const loginsOf = () => (logins ??= (options.logins ?? readDockerLogins)());
  const hostLogins = new Map<string, Promise<Login>>();
  const tokens = new Map<string, { token: Promise<string | undefined>; until: number }>();
  const schemes = new Map<string, Promise<'https' | 'http' | undefined>>();

  const get = (url: string, headers: Record<string, string>, ms = timeoutMs) => fetcher(url, { headers, signal: AbortSignal.timeout(ms) });
  // A registry that does not answer its API root within seconds is left to buildx, once per run.
  const probeMs = Math.min(timeoutMs, 5_000);

  // HTTPS, as docker; a loopback registry without TLS (docker's own exception) over HTTP.
  const scheme = (host: string) => {
    if (!schemes.has(host)) {
      schemes.set(
        host,
        (async () => {
          try {
            await (await get(`https://${host}/v2/`, {}, probeMs)).body?.cancel();
            return 'https';
          } catch {
            if (!isLoopback(host)) return undefined;
            try {
              await (await get(`http://${host}/v2/`, {}, probeMs)).body?.cancel();
              return 'http';
            } catch {
              return undefined;
            }
          }
        })(),
      );
    }
    return schemes.get(host)!;
  };

  const loginFor = (host: string) => {
    if (!hostLogins.has(host))
      hostLogins.set(
        host,
        login(host, loginsOf()).catch(() => 'unusable' as const),
      );
    return hostLogins.get(host)!;
  };

  const token = async (challenge: Challenge, host: string, repository: string): Promise<string | undefined> => {
    const realm = challenge.params.realm;
    if (!realm || !/^https?:\/\//i.test(realm)) return undefined;
    const scope = `repository:${repository}:pull`;
    const key = `${realm} ${challenge.params.service ?? ''} ${scope}`;
    const kept = tokens.get(key);
    if (kept && kept.until > now()) return kept.token;
    const issued = (async () => {
      const who = await loginFor(host);
      if (who === 'unusable') return undefined;
      const url = new URL(realm);
      if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
      url.searchParams.set('scope', scope);
      // A password goes only where it is safe: over TLS, or to this machine.
      const secure = url.protocol === 'https:' || isLoopback(url.host);
      const response = await get(url.toString(), who !== 'anonymous' && secure ? { authorization: basic(who) } : {});
      if (!response.ok) return undefined;
      const json = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
      const value = json.token ?? json.access_token;
      tokens.set(key, { token: Promise.resolve(value), until: now() + Math.max(30, Math.min(json.expires_in ?? 60, 300) - 15) * 1000 });
      return value;
    })().catch(() => undefined);
    tokens.set(key, { token: issued, until: now() + 30_000 });
    return issued;
  };

  const read = async (ref: string, kind: 'manifests' | 'blobs'): Promise<ManifestRead> => {
    const api = apiReference(ref);
    if (!api) return { kind: 'unknown', why: 'a reference this client does not address' };
    if (kind === 'blobs' && !api.reference.startsWith('sha256:')) return { kind: 'unknown', why: 'a blob is read by its digest' };
    if (proxied(api.apiHost, options.env)) return { kind: 'unknown', why: `${api.apiHost} is reached through a proxy` };
    try {
      const proto = await scheme(api.apiHost);
      if (!proto) return { kind: 'unknown', why: `cannot reach ${api.apiHost}` };
      const url = `${proto}://${api.apiHost}/v2/${api.repository}/${kind}/${api.reference}`;
      const accept: Record<string, string> = kind === 'manifests' ? { accept: MANIFEST_TYPES } : {};
      let response = await get(url, accept);
      if (response.status === 401) {
        const challenge = parseChallenge(response.headers.get('www-authenticate'));
        await response.body?.cancel();
        let authorization: string | undefined;
        if (challenge?.scheme === 'bearer') {
          const t = await token(challenge, api.host, api.repository);
          if (t) authorization = `Bearer ${t}`;
        } else if (challenge?.scheme === 'basic' && (proto === 'https' || isLoopback(api.apiHost))) {
          const who = await loginFor(api.host);
          if (typeof who === 'object') authorization = basic(who);
        }
        if (!authorization) return { kind: 'unknown', why: `${api.apiHost} asks for a login this client cannot give` };
        response = await get(url, { ...accept, authorization });
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return { kind: 'absent' };
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        return { kind: 'unknown', why: `HTTP ${response.status} from ${api.apiHost}` };
      }
      const limit = kind === 'manifests' ? MANIFEST_LIMIT : BLOB_LIMIT;
      if (Number(response.headers.get('content-length') ?? 0) > limit) {
        await response.body?.cancel();
        return { kind: 'unknown', why: `${api.apiHost} sent more than ${limit} bytes for ${api.reference}` };
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > limit) return { kind: 'unknown', why: `${api.apiHost} sent more than ${limit} bytes for ${api.reference}` };
      if (api.reference.startsWith('sha256:') && `sha256:${createHash('sha256').update(bytes).digest('hex')}` !== api.reference) {
        return { kind: 'unknown', why: `${api.apiHost} served other bytes than ${api.reference}` };
      }
      return { kind: 'found', bytes };
    } catch (error) {
      return { kind: 'unknown', why: error instanceof Error ? error.message : String(error) };
    }
  };

  return { manifest: (ref) => read(ref, 'manifests'), blob: (ref) => read(ref, 'blobs') };
}

/** This run's client: crossbake is one process per run. */
export const registry = registryClient();
