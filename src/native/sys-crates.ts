import { compareRustVersions } from '../grammar.js';
import type { Platform } from '../platforms.js';
import type { LockedPackage } from '../workspace/model.js';

/**
 * The one table of `-sys` crates crossbake knows: which Debian `-dev` packages (installed for the
 * target architecture through multiarch) they need, and how to tell from Cargo.lock that a crate
 * compiles its bundled C copy instead (then it needs only the cross C compiler, which is always set).
 *
 * Cargo.lock has no features, so "bundled" is read from the dependencies the lock records for the
 * crate, which exist only when the feature that needs them is on:
 * - libsqlite3-sys lists `cc` only with a `bundled*` feature (without one: pkg-config and vcpkg);
 * - openssl-sys lists `openssl-src` only with `vendored`;
 * - zstd-sys lists `pkg-config` only with its `pkg-config` feature (Debian's zstd-sys always does).
 * The other crates probe pkg-config first and fall back to their bundled copy, so their -dev package
 * is always installed.
 */
export interface SysCrate {
  readonly crate: string;
  /** Debian packages for the target architecture (suffixed `:<arch>` when installed). */
  readonly dev: readonly string[];
  /** Given the crate's locked dependency names, true when it builds its bundled C copy. */
  readonly bundled?: (deps: ReadonlySet<string>) => boolean;
  /** Environment the crate's build script needs to use the system library. */
  readonly env?: Readonly<Record<string, string>>;
}

const withDep = (name: string) => (deps: ReadonlySet<string>) => deps.has(name);

export const SYS_CRATES: readonly SysCrate[] = [
  { crate: 'openssl-sys', dev: ['libssl-dev'], bundled: withDep('openssl-src') },
  { crate: 'libsqlite3-sys', dev: ['libsqlite3-dev'], bundled: withDep('cc') },
  { crate: 'zstd-sys', dev: ['libzstd-dev'], bundled: (deps) => !deps.has('pkg-config') },
  { crate: 'libz-sys', dev: ['zlib1g-dev'] },
  { crate: 'bzip2-sys', dev: ['libbz2-dev'] },
  { crate: 'lzma-sys', dev: ['liblzma-dev'] },
  { crate: 'curl-sys', dev: ['libcurl4-openssl-dev'] },
  { crate: 'pq-sys', dev: ['libpq-dev'] },
  { crate: 'libgit2-sys', dev: ['libgit2-dev'] },
  { crate: 'libssh2-sys', dev: ['libssh2-1-dev'] },
  // onig_sys compiles its bundled Oniguruma unless told otherwise.
  { crate: 'onig_sys', dev: ['libonig-dev'], env: { RUSTONIG_SYSTEM_LIBONIG: '1' } },
  { crate: 'freetype-sys', dev: ['libfreetype-dev'] },
  { crate: 'servo-fontconfig-sys', dev: ['libfontconfig-dev'] },
  { crate: 'yeslogic-fontconfig-sys', dev: ['libfontconfig-dev'] },
  { crate: 'libdbus-sys', dev: ['libdbus-1-dev'] },
  { crate: 'libudev-sys', dev: ['libudev-dev'] },
  { crate: 'alsa-sys', dev: ['libasound2-dev'] },
  { crate: 'expat-sys', dev: ['libexpat1-dev'] },
];

/**
 * `-sys` crates with nothing to install for the target: they compile their own C with the cc crate
 * (the cross compiler is always set), or, like clang-sys (bindgen's), load a build-platform library.
 */
const NOTHING_FOR_TARGET = new Set(['ring', 'openssl-src', 'libmimalloc-sys', 'tikv-jemalloc-sys', 'jemalloc-sys', 'psm', 'clang-sys']);

/**
 * Build-platform programs that build scripts run, installed when the lock has the crate that runs them:
 * bindgen loads libclang; prost-build (tonic-build's) runs protoc from 0.11 on, and service protos import
 * Google's well-known types, which libprotobuf-dev ships; the cmake crate runs cmake.
 */
const BUILD_TOOLS: readonly { readonly crate: string; readonly since?: string; readonly packages: readonly string[] }[] = [
  { crate: 'bindgen', packages: ['clang', 'libclang-dev'] },
  { crate: 'prost-build', since: '0.11.0', packages: ['protobuf-compiler', 'libprotobuf-dev'] },
  { crate: 'cmake', packages: ['cmake'] },
];

export interface NativeCrate {
  readonly crate: string;
  readonly version: string;
  readonly mode: 'system' | 'bundled';
  readonly packages: readonly string[];
}

export interface NativeNeeds {
  readonly crates: readonly NativeCrate[];
  /** Debian -dev packages for each target architecture, sorted. */
  readonly targetPackages: readonly string[];
  /** Packages for the build platform itself (pkg-config, and BUILD_TOOLS' programs), sorted. */
  readonly buildPackages: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** `-sys` crates in the lock the table does not know (a setting must add their packages). */
  readonly unknown: readonly string[];
}

/** Locked dependency names: entries are `name`, `name version` or `name version (source)`. */
function depNames(p: LockedPackage): Set<string> {
  return new Set(p.dependencies.map((d) => d.split(' ')[0]!));
}

export function nativeNeeds(packages: readonly LockedPackage[]): NativeNeeds {
  const table = new Map(SYS_CRATES.map((s) => [s.crate, s]));
  const crates: NativeCrate[] = [];
  const unknown = new Set<string>();
  const env: Record<string, string> = {};
  for (const p of packages) {
    if (p.source === undefined) continue;
    const known = table.get(p.name);
    if (!known) {
      if (/[-_]sys$/.test(p.name) && !NOTHING_FOR_TARGET.has(p.name)) unknown.add(p.name);
      continue;
    }
    const bundled = known.bundled?.(depNames(p)) ?? false;
    crates.push({ crate: p.name, version: p.version, mode: bundled ? 'bundled' : 'system', packages: bundled ? [] : known.dev });
    if (!bundled) Object.assign(env, known.env ?? {});
  }
  const system = crates.some((c) => c.mode === 'system');
  const tools = BUILD_TOOLS.filter((tool) =>
    packages.some(
      (p) => p.name === tool.crate && p.source !== undefined && (!tool.since || compareRustVersions(p.version, tool.since) >= 0),
    ),
  ).flatMap((tool) => tool.packages);
  return {
    crates: crates.sort((a, b) => a.crate.localeCompare(b.crate)),
    targetPackages: [...new Set(crates.flatMap((c) => c.packages))].sort(),
    buildPackages: [...new Set([...(system ? ['pkg-config'] : []), ...tools])].sort(),
    env,
    unknown: [...unknown].sort(),
  };
}

/** `libssl-dev` → `libssl-dev:arm64`: what apt installs through multiarch on the build platform. */
export function targetPackagesFor(needs: NativeNeeds, platform: Platform, extra: readonly string[] = []): string[] {
  return [...new Set([...needs.targetPackages, ...extra])].sort().map((p) => `${p}:${platform.debianArch}`);
}

/**
 * The environment a build script needs to find the target's libraries and compile for it: pkg-config
 * restricted to the target's multiarch directory, the cross C/C++ compilers and archiver, and bindgen's
 * clang pointed at the target.
 */
export function crossEnv(platform: Platform): Record<string, string> {
  const t = platform.rustTarget.replace(/-/g, '_');
  const m = platform.multiarch;
  return {
    PKG_CONFIG_ALLOW_CROSS: '1',
    [`PKG_CONFIG_PATH_${t}`]: '',
    [`PKG_CONFIG_LIBDIR_${t}`]: `/usr/lib/${m}/pkgconfig:/usr/share/pkgconfig`,
    [`CC_${t}`]: `${m}-gcc`,
    [`CXX_${t}`]: `${m}-g++`,
    [`AR_${t}`]: `${m}-ar`,
    [`BINDGEN_EXTRA_CLANG_ARGS_${t}`]: `--target=${m} -I/usr/include/${m}`,
  };
}

/** `export KEY='value'` lines a POSIX shell sources; values single-quoted. */
function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

/**
 * What the skeleton planner writes inside the build (the Dockerfile's target stage reads it): per
 * Debian architecture the `-dev` packages (`<arch>.packages`, one `name:arch` a line) and the build
 * environment (`<arch>.env`), and the build platform's own packages (`build.packages`). Their bytes
 * change only when the lock's `-sys` crates do, so a source change keeps every later step cached.
 */
export function nativeFiles(packages: readonly LockedPackage[], platforms: readonly Platform[]): { path: string; content: string }[] {
  const needs = nativeNeeds(packages);
  const lines = (items: readonly string[]) => items.map((i) => `${i}\n`).join('');
  return [
    { path: 'build.packages', content: lines(needs.buildPackages) },
    ...platforms.flatMap((p) => [
      { path: `${p.debianArch}.packages`, content: lines(targetPackagesFor(needs, p)) },
      { path: `${p.debianArch}.env`, content: exportLines({ ...crossEnv(p), ...needs.env }) },
    ]),
    { path: 'unknown-sys-crates', content: lines(needs.unknown) },
  ];
}
