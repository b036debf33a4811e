import type { BinTarget, LockedPackage, Workspace } from './model.js';
import { isTable, type TomlTable } from './toml.js';

/**
 * The crates one binary is built from, for SBOMs: its package's normal and build dependencies (not its
 * dev-dependencies), followed through Cargo.lock. The lock keeps every target's dependencies, so crates
 * for other targets (say winapi) are listed too: a scanner sees more, never less.
 */

const NORMAL_TABLES = ['dependencies', 'build-dependencies'];

/** Package names a manifest depends on outside dev-dependencies, `package = "..."` renames resolved. */
function normalDependencyNames(manifest: TomlTable, workspace: TomlTable): Set<string> {
  const wsDeps = isTable(workspace.dependencies) ? workspace.dependencies : {};
  const tables: TomlTable[] = NORMAL_TABLES.map((t) => manifest[t]).filter(isTable);
  if (isTable(manifest.target)) {
    for (const target of Object.values(manifest.target)) {
      if (isTable(target)) tables.push(...NORMAL_TABLES.map((t) => target[t]).filter(isTable));
    }
  }
  const names = new Set<string>();
  for (const table of tables) {
    for (const [key, spec] of Object.entries(table)) {
      const inherited = isTable(spec) && spec.workspace === true ? wsDeps[key] : undefined;
      const renamed = [spec, inherited].find((s) => isTable(s) && typeof s.package === 'string') as TomlTable | undefined;
      names.add(renamed ? String(renamed.package) : key);
    }
  }
  return names;
}

function findLocked(byName: ReadonlyMap<string, readonly LockedPackage[]>, reference: string): LockedPackage | undefined {
  const [name, version, source] = reference.split(' ');
  const fitting = (byName.get(name!) ?? []).filter(
    (p) => (version === undefined || p.version === version) && (source === undefined || `(${p.source})` === source),
  );
  return fitting.length === 1 ? fitting[0] : fitting.find((p) => p.source === undefined);
}

/** The lock's packages by name: a workspace of many binaries follows a lock of a thousand crates once per binary. */
const lockIndex = new WeakMap<readonly LockedPackage[], Map<string, LockedPackage[]>>();
function byName(packages: readonly LockedPackage[]): Map<string, LockedPackage[]> {
  let index = lockIndex.get(packages);
  if (!index) {
    index = new Map();
    for (const p of packages) index.set(p.name, [...(index.get(p.name) ?? []), p]);
    lockIndex.set(packages, index);
  }
  return index;
}

export function binaryCrates(ws: Workspace, bin: BinTarget): LockedPackage[] {
  const packages = ws.lockfile?.packages ?? [];
  const members = new Map(ws.members.map((m) => [m.name, m]));
  const wsTable = isTable(ws.manifest.workspace) ? ws.manifest.workspace : {};
  const index = byName(packages);
  const start = index.get(bin.package)?.find((p) => p.source === undefined);
  if (!start) return [];
  const allowedOf = new Map<string, Set<string>>();
  const kept = new Map<LockedPackage, true>();
  const queue = [start];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (kept.has(p)) continue;
    kept.set(p, true);
    const member = p.source === undefined ? members.get(p.name) : undefined;
    const allowed = member ? (allowedOf.get(member.name) ?? normalDependencyNames(member.manifest, wsTable)) : undefined;
    if (member && allowed) allowedOf.set(member.name, allowed);
    for (const reference of p.dependencies) {
      const dep = findLocked(index, reference);
      if (dep && (!allowed || allowed.has(dep.name))) queue.push(dep);
    }
  }
  return packages.filter((p) => kept.has(p));
}

const quote = (s: string) => JSON.stringify(s);

/**
 * The Cargo.lock an image carries for scanners: exactly its binary's crates. The build writes it from its
 * own context (the skeleton planner); the report counts the same list on the host.
 */
export function binaryLock(ws: Workspace, bin: BinTarget): string {
  return lockText(binaryCrates(ws, bin), ws.lockfile?.version ?? 3);
}

/** A Cargo.lock holding only `crates`, in cargo's own layout, so tools that read lock files read it. */
export function lockText(crates: readonly LockedPackage[], version: number): string {
  const names = new Set(crates.map((c) => c.name));
  const blocks = crates.map((c) => {
    const deps = c.dependencies.filter((d) => names.has(d.split(' ')[0]!));
    return [
      '[[package]]',
      `name = ${quote(c.name)}`,
      `version = ${quote(c.version)}`,
      ...(c.source ? [`source = ${quote(c.source)}`] : []),
      ...(c.checksum ? [`checksum = ${quote(c.checksum)}`] : []),
      ...(deps.length > 0 ? ['dependencies = [', ...deps.map((d) => ` ${quote(d)},`), ']'] : []),
    ].join('\n');
  });
  return [
    '# The crates of one binary, taken from the workspace Cargo.lock by crossbake.',
    `version = ${version}`,
    '',
    ...blocks.map((b) => `${b}\n`),
  ].join('\n');
}
