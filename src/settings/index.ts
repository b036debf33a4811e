import type { z } from 'zod';
import { inputError } from '../errors.js';
import type { Workspace } from '../workspace/model.js';
import { type CiConfig, resolveCi } from './ci.js';
import { flagFor } from './flags.js';
import {
  BinSettingsSchema,
  knownKeys,
  type PackageSettings,
  PackageSettingsSchema,
  type Settings,
  type SettingsInput,
  WorkspaceSettingsSchema,
} from './schema.js';

export type { CiConfig, RegistryKind } from './ci.js';
export { GHCR_DEFAULT } from './ci.js';
export { flagLayer, SETTING_FLAGS } from './flags.js';
export type { PackageSettings, Settings, SettingsInput } from './schema.js';
export { PackageSettingsSchema, WorkspaceSettingsSchema } from './schema.js';

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Checks one layer against its schema; every problem becomes `where: key.path: message`. */
export function layerProblems(schema: z.ZodType, value: unknown, where: string, prefix: string | 'flags'): string[] {
  const result = schema.safeParse(value ?? {});
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const flag = prefix === 'flags' ? flagFor(issue.path) : undefined;
    const path = flag ? `${flag.flag}${issuePath(flag.rest)}` : `${prefix === 'flags' ? '--' : prefix}${issuePath(issue.path)}`;
    const keys = issue.code === 'unrecognized_keys' ? ` (known keys: ${knownKeys(schema, issue.path)})` : '';
    return `${where}: ${path}: ${issue.message}${keys}`;
  });
}

function problemsError(problems: readonly string[]) {
  const n = problems.length;
  return inputError(
    `invalid crossbake settings (${n} problem${n === 1 ? '' : 's'}); fix ${n === 1 ? 'it' : 'them'} and run again:`,
    problems,
  );
}

/** Validates a single layer, throwing every problem at once (for tests and one-layer callers). */
export function validateLayer<S extends z.ZodType>(schema: S, value: unknown, where: string, prefix: string | 'flags'): z.output<S> {
  const problems = layerProblems(schema, value, where, prefix);
  if (problems.length > 0) throw problemsError(problems);
  return schema.parse(value ?? {});
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Later layers win key by key; tables (cache, ci, user, ...) merge one level down. */
export function mergeLayers(...layers: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      out[k] = isRecord(v) && isRecord(out[k]) ? { ...out[k], ...v } : v;
    }
  }
  return out;
}

export interface ResolvedBin {
  readonly image: string;
  readonly runtime: Settings['runtime'];
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

export interface ResolvedSettings {
  readonly settings: Settings;
  /** Per package name, its validated `[package.metadata.crossbake]`. */
  readonly packages: ReadonlyMap<string, PackageSettings>;
  readonly ci: CiConfig;
  readonly notes: readonly string[];
}

/**
 * Defaults, then the workspace's `[workspace.metadata.crossbake]`, then the flags; and every package's
 * own settings. Every problem at every level is collected and reported at once.
 */
export function resolveSettings(ws: Workspace, workspaceWhere: string, flags: SettingsInput): ResolvedSettings {
  const problems = [
    ...layerProblems(WorkspaceSettingsSchema, ws.crossbakeMetadata, workspaceWhere, 'workspace.metadata.crossbake'),
    ...layerProblems(WorkspaceSettingsSchema, flags, 'command line', 'flags'),
  ];
  const packages = new Map<string, PackageSettings>();
  for (const m of ws.members) {
    const found = layerProblems(PackageSettingsSchema, m.crossbakeMetadata, m.manifestPath, 'package.metadata.crossbake');
    problems.push(...found);
    if (found.length > 0) continue;
    const pkg = PackageSettingsSchema.parse(m.crossbakeMetadata ?? {});
    packages.set(m.name, pkg);
    for (const name of Object.keys(pkg.bins)) {
      if (!m.bins.some((b) => b.name === name)) {
        problems.push(
          `${m.manifestPath}: package.metadata.crossbake.bins.${name}: package "${m.name}" has no binary "${name}"; its binaries: ${m.bins.map((b) => b.name).join(', ') || 'none'}.`,
        );
      }
    }
  }
  if (problems.length > 0) throw problemsError(problems);
  const settings = WorkspaceSettingsSchema.parse(mergeLayers(ws.crossbakeMetadata, flags));
  const ci = resolveCi(settings);
  if (!ci.config) throw problemsError(ci.problems.map((p) => `${workspaceWhere}: ${p}`));
  return { settings, packages, ci: ci.config, notes: ci.notes };
}

/** One binary's settings: workspace defaults, then its package, then the package's `bins.<name>`. */
export function resolveBin(bin: string, settings: Settings, pkg: PackageSettings | undefined): ResolvedBin {
  const { bins, ...own } = pkg ?? PackageSettingsSchema.parse({});
  const layers: Array<z.output<typeof BinSettingsSchema>> = [settings.defaults, own, bins[bin] ?? BinSettingsSchema.parse({})];
  const merged = BinSettingsSchema.parse(mergeLayers(...layers.map(explicitOnly)));
  const hc = merged.healthcheck;
  return {
    // Image names are lower-case; a binary's own name may not be (cargo allows `Foo`).
    image: merged.image ?? bin.toLowerCase(),
    runtime: merged.runtime ?? settings.runtime,
    ...(merged.port ? { port: merged.port } : {}),
    ...(hc
      ? {
          healthcheck: {
            command: hc.command ?? [`/app/${bin}`, '--healthcheck'],
            interval: hc.interval,
            timeout: hc.timeout,
            startPeriod: hc['start-period'],
            retries: hc.retries,
          },
        }
      : {}),
    env: Object.assign({}, ...layers.map((l) => l.env)),
    features: merged.features,
  };
}

/** A parsed bin layer with its empty defaults dropped, so a lower layer's value shows through. */
function explicitOnly(layer: z.output<typeof BinSettingsSchema>): Record<string, unknown> {
  const { env: _env, features, ...rest } = layer;
  return { ...rest, ...(features.length > 0 ? { features } : {}) };
}
