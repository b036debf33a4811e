import { SUPPORTED_PLATFORMS } from '../platforms.js';
import type { SettingsInput } from './schema.js';

/** A command-line flag that sets a key of `[workspace.metadata.crossbake]`; flags win over the file. */
export interface SettingFlag {
  readonly flag: string;
  /** The setting's key path, for messages ("--cache" for cache.type). */
  readonly key: readonly string[];
  readonly value: string;
  readonly multiple?: boolean;
  readonly help: string;
  readonly toSetting: (value: string | string[]) => SettingsInput;
}

const one = (v: string | string[]) => (Array.isArray(v) ? (v.at(-1) ?? '') : v);
const many = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

export const SETTING_FLAGS: readonly SettingFlag[] = [
  {
    flag: 'platforms',
    key: ['platforms'],
    value: 'LIST',
    multiple: true,
    help: `comma-separated; supported: ${SUPPORTED_PLATFORMS.join(', ')}`,
    toSetting: (v) => ({
      platforms: many(v)
        .flatMap((p) => p.split(','))
        .filter((p) => p.trim() !== ''),
    }),
  },
  {
    flag: 'bin',
    key: ['bins'],
    value: 'NAME',
    multiple: true,
    help: 'a binary to build (repeatable; default: all)',
    toSetting: (v) => ({ bins: many(v) }),
  },
  {
    flag: 'registry',
    key: ['registry'],
    value: 'REG',
    help: 'e.g. docker.io/acme, ghcr.io/acme, 127.0.0.1:5000/team',
    toSetting: (v) => ({ registry: one(v) }),
  },
  { flag: 'tag', key: ['tag'], value: 'TAG', help: 'image tag (default: latest)', toSetting: (v) => ({ tag: one(v) }) },
  {
    flag: 'toolchain',
    key: ['toolchain'],
    value: 'KIND',
    help: "rustup (official rust image) or debian (Debian's rustc and crates)",
    toSetting: (v) => ({ toolchain: one(v) as 'rustup' }),
  },
  {
    flag: 'rust-version',
    key: ['rust-version'],
    value: 'V',
    help: 'Rust version for the rustup toolchain',
    toSetting: (v) => ({ 'rust-version': one(v) }),
  },
  {
    flag: 'skeleton',
    key: ['skeleton'],
    value: 'KIND',
    help: 'crossbake (default) or cargo-chef',
    toSetting: (v) => ({ skeleton: one(v) as 'crossbake' }),
  },
  {
    flag: 'runtime',
    key: ['runtime'],
    value: 'KIND',
    help: 'slim (default, on base-image) or minimal (from scratch: only the packages the binary runs on)',
    toSetting: (v) => ({ runtime: one(v) as 'slim' }),
  },
  {
    flag: 'cache',
    key: ['cache', 'type'],
    value: 'TYPE',
    help: 'registry, local, gha, inline or none',
    toSetting: (v) => ({ cache: { type: one(v) as 'none' } }),
  },
];

/** The flag that sets a key path, for messages about the command-line layer. */
export function flagFor(path: readonly PropertyKey[]): { flag: string; rest: readonly PropertyKey[] } | undefined {
  for (const f of SETTING_FLAGS) {
    if (f.key.every((k, i) => path[i] === k)) return { flag: `--${f.flag}`, rest: path.slice(f.key.length) };
  }
  return undefined;
}

/** The settings layer the flags make: only the flags that were given. */
export function flagLayer(values: Readonly<Record<string, string | string[] | boolean | undefined>>): SettingsInput {
  let layer: SettingsInput = {};
  for (const f of SETTING_FLAGS) {
    const v = values[f.flag];
    if (v === undefined || typeof v === 'boolean') continue;
    const s = f.toSetting(v);
    layer = { ...layer, ...s, ...(s.cache ? { cache: { ...layer.cache, ...s.cache } } : {}) };
  }
  return layer;
}
