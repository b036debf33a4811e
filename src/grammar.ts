/**
 * Grammars of the values that reach generated files. Each check returns undefined for a valid value, or
 * a phrase saying what was expected; `refine` turns one into a zod refinement. Pure: no I/O.
 */

export type Check = (value: string) => string | undefined;

/** Characters no line-oriented destination (Dockerfile, shell, CSV, ignore file, YAML scalar) may hold raw. */
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

export function controlCharacter(value: string): string | undefined {
  const m = CONTROL.exec(value);
  if (!m) return undefined;
  const c = m[0].codePointAt(0)!;
  const name =
    c === 10
      ? 'a newline'
      : c === 13
        ? 'a carriage return'
        : c === 0
          ? 'a NUL byte'
          : c === 9
            ? 'a tab'
            : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${name} at position ${m.index + 1}`;
}

/** A plain text value (an ENV value, a label): anything printable on one line. */
export const text: Check = (value) => {
  const bad = controlCharacter(value);
  return bad ? `a single line of printable text, without control characters (found ${bad})` : undefined;
};

// Docker's reference grammar (github.com/distribution/reference), spelled out.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';

const IMAGE_PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const REFERENCE_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const REGISTRY_RE = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);

/** An image name without registry or tag, e.g. `backend` or `team/backend`. */
export const imageName: Check = (value) =>
  IMAGE_PATH_RE.test(value) && value.length <= 255
    ? undefined
    : 'a lower-case image name such as "backend" or "team/backend" (letters a-z, digits, and . _ - between them)';

export const imageTag: Check = (value) =>
  TAG_RE.test(value) ? undefined : 'a Docker tag such as "latest" or "v1.2.3" (at most 128 of A-Z a-z 0-9 _ . -, not starting with . or -)';

/** A full image reference as `FROM` and `docker pull` take it: `[registry/]name[:tag][@digest]`. */
export const imageReference: Check = (value) => {
  const m = REFERENCE_RE.exec(value);
  if (!m)
    return 'an image reference such as "debian:bookworm-slim" or "ghcr.io/acme/base:1.2@sha256:..." (lower-case name, optional tag and digest)';
  // A first component without a dot, a port or "localhost" is part of the name, as Docker reads it.
  const domain = m[1];
  if (domain && !/[.:[]/.test(domain) && domain !== 'localhost' && domain !== domain.toLowerCase()) {
    return 'an image reference with a lower-case name (an upper-case first component is neither a registry host nor a valid name)';
  }
  return (m[2]?.length ?? 0) + (domain?.length ?? 0) > 255 ? 'an image reference whose name is at most 255 characters' : undefined;
};

/** A registry and optional namespace, e.g. `docker.io/acme`, `127.0.0.1:5000/team`. */
export const registry: Check = (value) =>
  REGISTRY_RE.test(value) ? undefined : 'a registry and namespace such as "docker.io/acme" or "ghcr.io/acme"';

/** Debian policy §5.6.1 package name, optionally `:arch` and `=version`, as apt-get install takes it. */
const DEBIAN_RE = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9][a-z0-9-]*)?(?:=[A-Za-z0-9.+~:-]+)?$/;
export const debianPackage: Check = (value) =>
  DEBIAN_RE.test(value) ? undefined : 'a Debian package name such as "libssl3" or "libpq5:arm64" (lower-case letters, digits, + . -)';

/** A Debian package name alone (crossbake adds the architecture): `libpq-dev`. */
export const debianPackageName: Check = (value) =>
  /^[a-z0-9][a-z0-9+.-]+$/.test(value)
    ? undefined
    : debianPackage(value)
      ? 'a Debian package name such as "libpq-dev" (lower-case letters, digits, + . -)'
      : 'a Debian package name without ":arch" or "=version", such as "libpq-dev": crossbake installs it for each platform\'s architecture';

/** A cargo package or binary name that crossbake can carry into stage names, paths and tags. */
const CARGO_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
export const cargoTargetName: Check = (value) =>
  CARGO_NAME_RE.test(value) && value.length <= 128 ? undefined : 'a Cargo name of ASCII letters, digits, _ and - (at most 128)';

const FEATURE_RE = /^[\p{XID_Start}0-9_][\p{XID_Continue}+.-]*$/u;
/** A cargo feature, optionally `package/feature`, as `--features` takes it. */
export const cargoFeature: Check = (value) => {
  const parts = value.split('/');
  const ok =
    (parts.length === 1 && FEATURE_RE.test(value)) || (parts.length === 2 && CARGO_NAME_RE.test(parts[0]!) && FEATURE_RE.test(parts[1]!));
  return ok ? undefined : 'a Cargo feature such as "tls" or "api/tls" (letters, digits, _ - + .)';
};

/** `rust-version` as Cargo takes it: `1`, `1.79` or `1.79.0`. */
export const rustVersion: Check = (value) => (/^\d+(\.\d+){0,2}$/.test(value) ? undefined : 'a Rust version such as "1.79" or "1.79.0"');

/** Orders Rust and crate versions (`1.79` before `1.79.1` before `1.80`; a pre-release as its release). */
export function compareRustVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface ToolchainChannel {
  readonly kind: 'stable' | 'beta' | 'nightly' | 'version';
  /** For kind 'version': `1.79` or `1.79.0`. */
  readonly version?: string;
  /** `YYYY-MM-DD` of a dated channel. */
  readonly date?: string;
  /** A host triple given after the channel, e.g. `x86_64-unknown-linux-gnu`. */
  readonly host?: string;
}

const CHANNEL_RE =
  /^(?:(stable|beta|nightly)|(\d+\.\d+(?:\.\d+)?))(?:-(\d{4}-\d{2}-\d{2}))?(?:-([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(?:-[a-z0-9_]+)?))?$/;

/** A rust-toolchain channel as rustup reads it, or undefined when it is none. */
export function parseToolchainChannel(value: string): ToolchainChannel | undefined {
  const m = CHANNEL_RE.exec(value);
  if (!m) return undefined;
  const [, named, version, date, host] = m;
  if (date) {
    const d = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) return undefined;
    if (version) return undefined;
  }
  return {
    kind: (named as ToolchainChannel['kind'] | undefined) ?? 'version',
    ...(version ? { version } : {}),
    ...(date ? { date } : {}),
    ...(host ? { host } : {}),
  };
}

export const toolchainChannel: Check = (value) =>
  parseToolchainChannel(value)
    ? undefined
    : 'a toolchain channel: stable, beta, nightly, nightly-YYYY-MM-DD, 1.79 or 1.79.0, optionally followed by a host triple';

/** A Docker platform spelled os/arch[/variant]; which ones are supported is the platform table's business. */
export const platform: Check = (value) =>
  /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/.test(value) ? undefined : 'a platform such as "linux/arm64"';

/**
 * A path relative to the workspace root that stays inside it: not absolute, no `..`, no backslash, one
 * line, no leading or trailing blanks (ignore files trim them).
 */
export const relativePath: Check = (value) => {
  if (value === '') return 'a path relative to the workspace root, not an empty string';
  const bad = controlCharacter(value);
  if (bad) return `a path relative to the workspace root, on one line (found ${bad})`;
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) return 'a path relative to the workspace root, not an absolute path';
  if (value.includes('\\')) return 'a path relative to the workspace root with / between directories, not \\';
  if (value.split('/').includes('..')) return 'a path inside the workspace root, without ".."';
  if (value.trim() !== value) return 'a path without leading or trailing blanks';
  return undefined;
};

/** A path a GitHub workflow names (working-directory, files): GitHub evaluates `${{ }}` in any string. */
export const workflowPath: Check = (value) => {
  if (value === '.') return undefined;
  const problem = relativePath(value);
  if (problem) return problem;
  return value.includes('${{') ? 'a path without "${{", which GitHub Actions would evaluate as an expression' : undefined;
};

/** A value placed in a buildx cache entry (`type=local,dest=VALUE`): a CSV field that needs no quoting. */
export const cacheField: Check = (value) => {
  const bad = controlCharacter(value);
  if (bad) return `a value on one line (found ${bad})`;
  const m = /[,="]/.exec(value);
  return m ? `a value without "${m[0]}": buildx reads cache entries as comma-separated key=value fields` : undefined;
};

/** Every check a value must pass, in order; the first complaint wins. */
export function all(...checks: Check[]): Check {
  return (value) => {
    for (const check of checks) {
      const problem = check(value);
      if (problem) return problem;
    }
    return undefined;
  };
}

interface RefinementContext {
  addIssue(issue: { code: 'custom'; message: string }): void;
}

/** A check as a zod `superRefine` callback: `z.string().superRefine(refine(imageReference))`. */
export function refine(check: Check): (value: string, ctx: RefinementContext) => void {
  return (value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `expected ${problem}, not ${JSON.stringify(value)}` });
  };
}

/**
 * Names that one mapping (e.g. crossbake's stage naming) sends to the same result. Each group lists the
 * originals, in input order; an empty array means no collision.
 */
export function collisions(names: readonly string[], map: (name: string) => string): string[][] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const key = map(name);
    const group = groups.get(key) ?? [];
    if (!group.includes(name)) group.push(name);
    groups.set(key, group);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
