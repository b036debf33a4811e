/**
 * Reads docker's and cargo's own words for the faults that are not the user's code: the network, a
 * registry that refuses, an image that lacks a platform. Shared by preflight, the build and the push.
 */

export type Fault =
  | { readonly kind: 'network'; readonly host?: string; readonly reason: string }
  | { readonly kind: 'registry'; readonly host?: string; readonly reason: string; readonly anonymous: boolean }
  /** The registry failed on its side (a 5xx): not the user's login, and often gone on a second try. */
  | { readonly kind: 'server'; readonly host?: string; readonly reason: string }
  | { readonly kind: 'platform-missing'; readonly reason: string };

const NETWORK = [
  /dial tcp[^:]*: lookup ([^\s:]+)[^\n]*no such host/i,
  /dial tcp ([^\s:]+):\d+: connect: connection refused/i,
  /dial tcp ([^\s:]+):\d+: (?:i\/o timeout|connect: network is unreachable|connect: no route to host)/i,
  /Could not resolve host: ([^\s)]+)/i,
  /Temporary failure resolving '([^']+)'/i,
  /Could not resolve '([^']+)'/i,
  /Failed to fetch https?:\/\/([^/\s]+)/i,
  /Unable to connect to ([^\s:]+)/i,
  /(?:TLS handshake timeout|connection reset by peer|Client\.Timeout exceeded|net\/http: request canceled|EOF while fetching)/i,
];

const REGISTRY_DENIED = [
  /no basic auth credentials/i,
  /unauthorized: (?:incorrect username or password|authentication required|access token has insufficient scopes)/i,
  /\b401 Unauthorized\b/i,
  /denied: requested access to the resource is denied/i,
  /\binsufficient_scope\b/i,
  /pull access denied/i,
  /\bunauthorized\b/i,
  /\bforbidden\b|\b403 Forbidden\b/i,
];

const SERVER_ERROR = [
  /\b50[0-4] (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b/i,
  /unexpected status(?: code)?(?: from \w+ request to \S+)?: 50[0-4]\b/i,
  /received unexpected HTTP status: 50[0-4]\b[^\n]*/i,
];

function hostIn(text: string): string | undefined {
  const url = /https?:\/\/([^/\s"`']+)/.exec(text);
  return url?.[1];
}

export function classifyFault(text: string): Fault | undefined {
  if (/no match for platform in manifest/i.test(text))
    return { kind: 'platform-missing', reason: firstMatchLine(text, /no match for platform/i) };
  for (const pattern of REGISTRY_DENIED) {
    const m = pattern.exec(text);
    if (m) {
      const host = hostIn(lineOf(text, m.index));
      return {
        kind: 'registry',
        ...(host ? { host } : {}),
        reason: m[0],
        anonymous: /no basic auth credentials/i.test(text),
      };
    }
  }
  for (const pattern of SERVER_ERROR) {
    const m = pattern.exec(text);
    if (m) {
      const host = hostIn(lineOf(text, m.index));
      return { kind: 'server', ...(host ? { host } : {}), reason: m[0] };
    }
  }
  for (const pattern of NETWORK) {
    const m = pattern.exec(text);
    if (m) {
      const host = m[1] ?? hostIn(lineOf(text, m.index));
      return { kind: 'network', ...(host ? { host } : {}), reason: m[0] };
    }
  }
  return undefined;
}

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? undefined : end);
}

function firstMatchLine(text: string, pattern: RegExp): string {
  const m = pattern.exec(text);
  return m
    ? lineOf(text, m.index)
        .replace(/^ERROR:\s*/, '')
        .trim()
    : text.trim();
}

/** Which crate and registry a cargo network failure was about, from cargo's own lines. */
export function crateOfNetworkError(lines: readonly string[]): { crate?: string; version?: string; registry?: string; host?: string } {
  const text = lines.join('\n');
  const out: { crate?: string; version?: string; registry?: string; host?: string } = {};
  const patterns: Array<[RegExp, boolean]> = [
    [/failed to download `([\w-]+) v([\w.+-]+)`/, true],
    [/\/crates\/([\w-]+)\/([\w.+-]+)\/download/, true],
    [/failed to get `([\w-]+)` as a dependency/, false],
    [/download of (?:[\w-]+\/){1,2}([\w-]+) failed/, false],
    [/failed to load source for dependency `([\w-]+)`/, false],
    [/Unable to update registry[^\n]*\n?[^\n]*`([\w-]+)`/, false],
  ];
  for (const [pattern, versioned] of patterns) {
    const m = pattern.exec(text);
    if (m) {
      out.crate = m[1]!;
      if (versioned && m[2]) out.version = m[2];
      break;
    }
  }
  const registry = /(?:registry|source) `([^`]+)`/.exec(text) ?? /Updating (\S+) index/.exec(text);
  if (registry) out.registry = registry[1]!;
  const host = /Could not resolve host: ([^\s)]+)/i.exec(text)?.[1] ?? hostIn(text);
  if (host) out.host = host;
  return out;
}

/** What buildx says when the daemon (and the BuildKit inside it) goes away under a running build. */
const DAEMON_STOPPED = [
  /error reading from server: EOF/i,
  /code = Unavailable desc = (?:error reading from server|connection error|transport is closing)[^\n]*/i,
  /Cannot connect to the Docker daemon[^\n]*/i,
  /dial unix [^\s:]*docker\.sock: connect: (?:connection refused|no such file or directory)/i,
];

/** The words that show the Docker daemon stopped mid-build, if the text holds them. */
export function daemonStopped(text: string): string | undefined {
  for (const pattern of DAEMON_STOPPED) {
    const m = pattern.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

/** Where dockerd's log is, for each way it is usually run. */
export const DAEMON_LOG_HINT =
  "dockerd's log says why: `journalctl -u docker.service` where systemd runs it, /var/log/docker.log under sysvinit, Docker Desktop's Troubleshoot > Logs, or the terminal or file of a dockerd started by hand.";
