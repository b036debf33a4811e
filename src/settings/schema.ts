import { z } from 'zod';
import {
  all,
  type Check,
  cacheField,
  cargoFeature,
  cargoTargetName,
  debianPackage,
  debianPackageName,
  imageReference,
  refine,
  relativePath,
  rustVersion,
  text,
  workflowPath,
} from '../grammar.js';
import { findPlatform, SUPPORTED_PLATFORMS } from '../platforms.js';

/**
 * The settings' one schema: every key of `[workspace.metadata.crossbake]` and of a package's
 * `[package.metadata.crossbake]`, with its grammar and its default. Types are `z.infer` of these.
 */

/** A string that must pass one of grammar.ts's checks. */
const checked = (check: Check) => z.string().superRefine(refine(check));

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as "30s" or "2m"');
const imageName = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    'expected a lower-case image name such as "backend" or "team/backend"',
  );
const registryPath = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9._:-]*[A-Za-z0-9])?(?:\/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)*$/,
    'expected a registry and namespace such as "docker.io/acme" or "ghcr.io/acme"',
  );
const platformName = z.string().transform((value, ctx) => {
  const p = findPlatform(value);
  if (!p) {
    ctx.addIssue({ code: 'custom', message: `unsupported platform "${value}"; supported: ${SUPPORTED_PLATFORMS.join(', ')}` });
    return z.NEVER;
  }
  return p.docker;
});
const runnerLabel = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a runner label such as "ubuntu-latest"');

export const HealthcheckSchema = z.strictObject({
  command: z.array(checked(text)).min(1).optional(),
  interval: duration.default('10s'),
  timeout: duration.default('3s'),
  'start-period': duration.default('5s'),
  retries: z.int().min(1).max(100).default(3),
});

/**
 * What a runtime image is built on: `slim`, the base image (debian:bookworm-slim) with tini and the CA
 * bundle; `minimal`, an image from scratch holding only the Debian packages the binary runs on.
 */
export const RuntimeSchema = z.enum(['slim', 'minimal']);

/** One binary's image: `[package.metadata.crossbake]`, its `.bins.<name>`, or the workspace's `defaults`. */
export const BinSettingsSchema = z.strictObject({
  image: imageName.optional(),
  /** Default: the workspace's `runtime`. */
  runtime: RuntimeSchema.optional(),
  port: z.int().min(1).max(65535).optional(),
  healthcheck: z.union([z.literal(false), HealthcheckSchema]).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), checked(text)).default({}),
  features: z.array(checked(cargoFeature)).default([]),
});

export const PackageSettingsSchema = BinSettingsSchema.extend({
  bins: z.record(z.string(), BinSettingsSchema).default({}),
});

export const CacheSettingsSchema = z.strictObject({
  /** Default: `registry` when a registry is set, else `none` (see WorkspaceSettingsSchema's transform). */
  type: z.enum(['registry', 'local', 'gha', 'inline', 'none']).optional(),
  mode: z.enum(['min', 'max']).default('max'),
  // zstd: a cold build's cache export compresses the whole toolchain layer, and gzip takes minutes there
  compression: z.enum(['gzip', 'zstd']).default('zstd'),
  /** Inside the workspace: it is excluded from the build context and named in cache entries. */
  dir: checked(all(relativePath, cacheField)).default('.crossbake/cache'),
});

/** `[workspace.metadata.crossbake.ci]`: the GitHub Actions workflow that `crossbake ci` writes. */
export const CiSettingsSchema = z.strictObject({
  registry: registryPath.optional(),
  'registry-kind': z.enum(['dockerhub', 'ghcr', 'other']).optional(),
  runner: runnerLabel.default('ubuntu-latest'),
  'arm-runner': runnerLabel.default('ubuntu-24.04-arm'),
  split: z.boolean().default(false),
  'main-branch': z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'expected a branch name such as "main"')
    .default('main'),
  /** Where the committed Dockerfile and docker-bake.hcl are, relative to the workspace root (generate's --out). */
  'bake-dir': checked(workflowPath).default('.'),
});

const WorkspaceShape = z.strictObject({
  toolchain: z.enum(['rustup', 'debian']).default('rustup'),
  'rust-version': checked((v) =>
    v === 'stable' ? undefined : rustVersion(v) && 'a Rust version such as "1.79", "1.79.0" or "stable"',
  ).optional(),
  'rust-image': checked(imageReference).optional(),
  'base-image': checked(imageReference).default('debian:bookworm-slim'),
  /** Every binary's runtime, unless its own settings (defaults, package, bins) name another. */
  runtime: RuntimeSchema.default('slim'),
  platforms: z
    .array(platformName)
    .min(1)
    .default([...SUPPORTED_PLATFORMS]),
  registry: registryPath.optional(),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'expected a Docker tag such as "latest" or "v1.2.3"')
    .default('latest'),
  bins: z.array(checked(cargoTargetName)).min(1).optional(),
  profile: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'expected a Cargo profile name')
    .default('release'),
  skeleton: z.enum(['crossbake', 'cargo-chef']).default('crossbake'),
  'cargo-chef-version': z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'expected a cargo-chef version such as "0.1.71"')
    .default('0.1.71'),
  /**
   * Attestations beyond buildx's default provenance. `sbom`: BuildKit's SBOM attestation, which runs a
   * generator image (docker/buildkit-syft-scanner unless `sbom-generator` names another): off by default,
   * since that image must be reachable from the builder.
   */
  attest: z
    .strictObject({
      sbom: z.boolean().default(false),
      'sbom-generator': checked(imageReference).optional(),
    })
    .prefault({}),
  /** Seconds since 1970 for timestamps in images (`verify`); default: SOURCE_DATE_EPOCH, else the last commit. */
  'source-date-epoch': z.int().min(0).optional(),
  cache: CacheSettingsSchema.prefault({}),
  user: z
    .strictObject({
      name: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .default('app'),
      uid: z.int().min(1).max(65534).default(10001),
    })
    .prefault({}),
  debian: z
    .strictObject({
      /** Extra apt packages for the toolchain. */
      packages: z.array(checked(debianPackage)).default([]),
      /** Replaces the crate packages the build derives from Cargo.lock (then installed with the compilers). */
      crates: z.array(checked(debianPackage)).optional(),
    })
    .prefault({}),
  native: z
    .strictObject({
      /**
       * Native packages per platform (or "*" for every platform), for what crossbake's -sys table does not
       * know: installed for the platform's architecture to build, and found again from the binary for its runtime.
       */
      packages: z
        .record(z.string(), z.array(checked(debianPackageName)))
        .superRefine((record, ctx) => {
          for (const key of Object.keys(record)) {
            if (key !== '*' && !findPlatform(key))
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: `unsupported platform "${key}"; use "*" for every platform or one of ${SUPPORTED_PLATFORMS.join(', ')}`,
              });
          }
        })
        .default({}),
    })
    .prefault({}),
  ci: CiSettingsSchema.prefault({}),
  /** Applied to every binary, under its package's settings. */
  defaults: BinSettingsSchema.prefault({}),
});

/** `[workspace.metadata.crossbake]` merged with the flags; the dependent defaults filled in. */
export const WorkspaceSettingsSchema = WorkspaceShape.transform((s) => ({
  ...s,
  cache: { ...s.cache, type: s.cache.type ?? (s.registry ? ('registry' as const) : ('none' as const)) },
}));

export type Settings = z.output<typeof WorkspaceSettingsSchema>;
export type SettingsInput = z.input<typeof WorkspaceSettingsSchema>;
export type PackageSettings = z.output<typeof PackageSettingsSchema>;
export type BinSettingsInput = z.input<typeof BinSettingsSchema>;
export type CiSettings = Settings['ci'];

/** The keys a schema knows at a path, for "unknown key" messages. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string {
  let node: unknown = schema;
  for (const key of path) {
    const shape = unwrap(node)?.shape as Record<string, unknown> | undefined;
    node = typeof key === 'string' && shape ? shape[key] : undefined;
  }
  const shape = unwrap(node)?.shape as Record<string, unknown> | undefined;
  return shape ? Object.keys(shape).join(', ') : '?';
}

function unwrap(node: unknown): { shape?: unknown } | undefined {
  let n = node as { shape?: unknown; unwrap?: () => unknown; def?: { in?: unknown; innerType?: unknown } } | undefined;
  for (let i = 0; i < 10 && n && !n.shape; i++) {
    const next = typeof n.unwrap === 'function' ? n.unwrap() : (n.def?.in ?? n.def?.innerType);
    if (!next) break;
    n = next as typeof n;
  }
  return n;
}

export const WORKSPACE_KEYS = Object.keys(WorkspaceShape.shape);
