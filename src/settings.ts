import { z } from 'zod';
import { inputError } from './errors.js';
import { findPlatform, SUPPORTED_PLATFORMS } from './platforms.js';

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as "30s" or "2m"');
const imageName = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    'expected a lower-case image name such as "backend" or "team/backend"',
  );
const platformName = z.string().transform((value, ctx) => {
  const p = findPlatform(value);
  if (!p) {
    ctx.addIssue({ code: 'custom', message: `unsupported platform "${value}"; supported: ${SUPPORTED_PLATFORMS.join(', ')}` });
    return z.NEVER;
  }
  return p.docker;
});

export const HealthcheckSchema = z.strictObject({
  command: z.array(z.string()).min(1).optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  'start-period': duration.optional(),
  retries: z.int().min(1).max(100).optional(),
});

/** Settings of one binary's image: `[package.metadata.crossbake]`, or `.bins.<name>` below it. */
export const BinSettingsSchema = z.strictObject({
  image: imageName.optional(),
  port: z.int().min(1).max(65535).optional(),
  healthcheck: z.union([z.literal(false), HealthcheckSchema]).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string()).optional(),
  features: z.array(z.string()).optional(),
});

export const PackageSettingsSchema = BinSettingsSchema.extend({
  bins: z.record(z.string(), BinSettingsSchema).optional(),
});

export const CacheSettingsSchema = z.strictObject({
  type: z.enum(['registry', 'local', 'gha', 'inline', 'none']).optional(),
  mode: z.enum(['min', 'max']).optional(),
  compression: z.enum(['gzip', 'zstd']).optional(),
  dir: z.string().min(1).optional(),
});

const runnerLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a runner label such as "ubuntu-latest"');

/** `[workspace.metadata.crossbake.ci]`: the GitHub Actions workflow that `crossbake ci` writes. */
export const CiSettingsSchema = z.strictObject({
  registry: z
    .string()
    .regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9._:-]*[A-Za-z0-9])?(?:\/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)*$/,
      'expected a registry and namespace such as "docker.io/acme" or "ghcr.io/acme"',
    )
    .optional(),
  'registry-kind': z.enum(['dockerhub', 'ghcr', 'other']).optional(),
  runner: runnerLabel.optional(),
  'arm-runner': runnerLabel.optional(),
  split: z.boolean().optional(),
  'main-branch': z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'expected a branch name such as "main"')
    .optional(),
  /** Where the committed Dockerfile and docker-bake.hcl are, relative to the workspace root (generate's --out). */
  'bake-dir': z
    .string()
    .regex(/^(?!\/)[^\s\\]+$/, 'expected a directory relative to the workspace root, such as "." or "docker"')
    .optional(),
});

/** `[workspace.metadata.crossbake]`; every key optional here, defaults come in `resolveSettings`. */
export const WorkspaceSettingsSchema = z.strictObject({
  toolchain: z.enum(['rustup', 'debian']).optional(),
  'rust-version': z
    .string()
    .regex(/^(\d+(\.\d+){0,2}|stable)$/, 'expected a Rust version such as "1.79" or "stable"')
    .optional(),
  'rust-image': z.string().min(1).optional(),
  'base-image': z.string().min(1).optional(),
  platforms: z.array(platformName).min(1).optional(),
  registry: z
    .string()
    .regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9._:-]*[A-Za-z0-9])?(?:\/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)*$/,
      'expected a registry and namespace such as "docker.io/acme" or "ghcr.io/acme"',
    )
    .optional(),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'expected a Docker tag such as "latest" or "v1.2.3"')
    .optional(),
  bins: z.array(z.string()).min(1).optional(),
  profile: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'expected a Cargo profile name')
    .optional(),
  skeleton: z.enum(['crossbake', 'cargo-chef']).optional(),
  'cargo-chef-version': z.string().min(1).optional(),
  cache: CacheSettingsSchema.optional(),
  user: z
    .strictObject({
      name: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .optional(),
      uid: z.int().min(1).max(65534).optional(),
    })
    .optional(),
  debian: z.strictObject({ packages: z.array(z.string()).optional(), crates: z.array(z.string()).optional() }).optional(),
  ci: CiSettingsSchema.optional(),
  defaults: BinSettingsSchema.optional(),
});

export type WorkspaceSettingsInput = z.infer<typeof WorkspaceSettingsSchema>;
export type PackageSettingsInput = z.infer<typeof PackageSettingsSchema>;
export type BinSettingsInput = z.infer<typeof BinSettingsSchema>;

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Validates one layer of settings; every problem becomes `where.key.path: message`. */
export function validateLayer<S extends z.ZodType>(schema: S, value: unknown, where: string, prefix: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path =
      prefix === '--' ? `--${String(issue.path[0] ?? '')}${issuePath(issue.path.slice(1))}` : `${prefix}${issuePath(issue.path)}`;
    const keys = issue.code === 'unrecognized_keys' ? ` (known keys: ${knownKeys(schema, issue.path)})` : '';
    return `${where}: ${path}: ${issue.message}${keys}`;
  });
  throw inputError(
    `invalid crossbake settings (${problems.length} problem${problems.length === 1 ? '' : 's'}); fix ${problems.length === 1 ? 'it' : 'them'} and run again:`,
    problems,
  );
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string {
  let node: unknown = schema;
  for (const key of path) {
    const shape = unwrap(node)?.shape as Record<string, unknown> | undefined;
    node = typeof key === 'string' && shape ? shape[key] : undefined;
  }
  const shape = unwrap(node)?.shape as Record<string, unknown> | undefined;
  return shape ? Object.keys(shape).join(', ') : '?';
}

function unwrap(node: unknown): { shape?: unknown } | undefined {
  let n = node as { shape?: unknown; unwrap?: () => unknown } | undefined;
  while (n && !n.shape && typeof n.unwrap === 'function') n = n.unwrap() as typeof n;
  return n;
}

export interface ResolvedBinSettings {
  readonly image: string;
  readonly port?: number;
  readonly healthcheck?: {
    readonly command: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly startPeriod: string;
    readonly retries: number;
  };
  readonly env: Readonly<Record<string, string>>;
  readonly features: readonly string[];
}

export interface Settings {
  readonly toolchain: 'rustup' | 'debian';
  readonly rustVersion?: string;
  readonly rustImage?: string;
  readonly baseImage: string;
  readonly platforms: readonly string[];
  readonly registry?: string;
  readonly tag: string;
  readonly bins?: readonly string[];
  readonly profile: string;
  readonly skeleton: 'crossbake' | 'cargo-chef';
  readonly cargoChefVersion: string;
  readonly cache: {
    readonly type: 'registry' | 'local' | 'gha' | 'inline' | 'none';
    readonly mode: 'min' | 'max';
    readonly compression: 'gzip' | 'zstd';
    readonly dir: string;
  };
  readonly user: { readonly name: string; readonly uid: number };
  readonly debian: { readonly packages: readonly string[]; readonly crates?: readonly string[] };
  readonly ci: z.infer<typeof CiSettingsSchema>;
  readonly defaults: BinSettingsInput;
}

/** Defaults, then the workspace's metadata, then flags (already validated layers). */
export function resolveSettings(workspace: WorkspaceSettingsInput, flags: WorkspaceSettingsInput): Settings {
  const s = { ...workspace, ...flags, cache: { ...workspace.cache, ...flags.cache } };
  const registry = s.registry;
  return {
    toolchain: s.toolchain ?? 'rustup',
    ...(s['rust-version'] ? { rustVersion: s['rust-version'] } : {}),
    ...(s['rust-image'] ? { rustImage: s['rust-image'] } : {}),
    baseImage: s['base-image'] ?? 'debian:bookworm-slim',
    platforms: s.platforms ?? SUPPORTED_PLATFORMS,
    ...(registry ? { registry } : {}),
    tag: s.tag ?? 'latest',
    ...(s.bins ? { bins: s.bins } : {}),
    profile: s.profile ?? 'release',
    skeleton: s.skeleton ?? 'crossbake',
    cargoChefVersion: s['cargo-chef-version'] ?? '0.1.71',
    cache: {
      type: s.cache.type ?? (registry ? 'registry' : 'none'),
      mode: s.cache.mode ?? 'max',
      // zstd: a cold build's cache export compresses the whole toolchain layer, and gzip takes minutes there
      compression: s.cache.compression ?? 'zstd',
      dir: s.cache.dir ?? '.crossbake/cache',
    },
    user: { name: s.user?.name ?? 'app', uid: s.user?.uid ?? 10001 },
    debian: { packages: s.debian?.packages ?? [], ...(s.debian?.crates ? { crates: s.debian.crates } : {}) },
    ci: s.ci ?? {},
    defaults: s.defaults ?? {},
  };
}

/** One binary's settings: workspace defaults, then its package, then the package's `bins.<name>`. */
export function resolveBinSettings(bin: string, settings: Settings, pkg: PackageSettingsInput): ResolvedBinSettings {
  const own = pkg.bins?.[bin] ?? {};
  const merged: BinSettingsInput = { ...settings.defaults, ...withoutBins(pkg), ...own };
  const port = merged.port;
  const hc = merged.healthcheck;
  return {
    image: merged.image ?? bin,
    ...(port ? { port } : {}),
    ...(hc
      ? {
          healthcheck: {
            command: hc.command ?? [`/app/${bin}`, '--healthcheck'],
            interval: hc.interval ?? '10s',
            timeout: hc.timeout ?? '3s',
            startPeriod: hc['start-period'] ?? '5s',
            retries: hc.retries ?? 3,
          },
        }
      : {}),
    env: { ...settings.defaults.env, ...pkg.env, ...own.env },
    features: merged.features ?? [],
  };
}

function withoutBins(pkg: PackageSettingsInput): BinSettingsInput {
  const { bins: _bins, ...rest } = pkg;
  return rest;
}
