import { inputError } from '../errors.js';
import { cargoTargetName, compareRustVersions, parseToolchainChannel, rustVersion } from '../grammar.js';
import { joinPath, leavesRoot, type WorkspaceFiles } from './files.js';
import { globDirectories, isExcluded, isGlob } from './glob.js';
import type { LockedPackage, Lockfile, Package, Toolchain, Workspace } from './model.js';
import { discoverTargets } from './targets.js';
import { isTable, parseToml, type TomlTable, table, typed } from './toml.js';

/** A `key.workspace = true` value resolved against `[workspace.package]`. */
function inherited(value: unknown, key: string, workspacePackage: TomlTable, manifestPath: string): unknown {
  if (isTable(value) && value.workspace === true) {
    if (!(key in workspacePackage)) {
      throw inputError(
        `${manifestPath}: \`${key}.workspace = true\` but the workspace's Cargo.toml has no [workspace.package] ${key}. Add it there.`,
      );
    }
    return workspacePackage[key];
  }
  return value;
}

type Display = (path: string) => string;

function readManifest(files: WorkspaceFiles, path: string, at: Display): TomlTable {
  const text = files.read(path);
  if (text === undefined) throw inputError(`${at(path)} not found.`);
  return parseToml(text, at(path));
}

function readPackage(files: WorkspaceFiles, dir: string, workspacePackage: TomlTable, at: Display, manifest?: TomlTable): Package {
  const manifestPath = joinPath(dir, 'Cargo.toml');
  const shown = at(manifestPath);
  const toml = manifest ?? readManifest(files, manifestPath, at);
  if (!isTable(toml.package)) {
    throw inputError(
      `${shown}: no [package] table. A workspace member must be a package; add [package] or drop it from workspace.members.`,
    );
  }
  const pkg = toml.package;
  typed.string(pkg.name, shown, 'package.name');
  if (typeof pkg.name !== 'string' || pkg.name === '') {
    throw inputError(`${shown}: [package] has no name. Add \`name = "..."\`.`);
  }
  const badName = cargoTargetName(pkg.name);
  if (badName)
    throw inputError(
      `${shown}: package name ${JSON.stringify(pkg.name)} is not ${badName.replace(/^a /, 'a valid ')}; cargo refuses it too.`,
    );
  const version = typed.string(inherited(pkg.version, 'version', workspacePackage, shown), shown, 'package.version') ?? '0.0.0';
  const edition = typed.string(inherited(pkg.edition, 'edition', workspacePackage, shown), shown, 'package.edition') ?? '2015';
  typed.string(inherited(pkg['rust-version'], 'rust-version', workspacePackage, shown), shown, 'package.rust-version');
  const { bins, targetFiles } = discoverTargets(files, dir, shown, pkg.name, String(edition), toml);
  return {
    name: pkg.name,
    version: String(version),
    dir,
    manifestPath,
    edition: String(edition),
    bins,
    targetFiles,
    crossbakeMetadata: table(pkg.metadata).crossbake,
    manifest: toml,
  };
}

/**
 * A directory the build needs, refused when it is outside the root as written or after its symlinks: the
 * build context holds only what is inside. `subject` names it ("Cargo.toml: workspace.members \"x\""),
 * `why` and `fix` end the message.
 */
function confineToRoot(files: WorkspaceFiles, subject: string, raw: string, dir: string, why: string, fix: string): void {
  if (leavesRoot(raw) || leavesRoot(dir)) throw inputError(`${subject} is outside the workspace root; ${why}. ${fix}`);
  const real = files.realpath(dir);
  if (real !== undefined && leavesRoot(real))
    throw inputError(`${subject} is a symlink to ${real}, outside the workspace root; ${why}. ${fix}`);
}

function memberDirectories(files: WorkspaceFiles, workspace: TomlTable, at: Display): string[] {
  const where = at('Cargo.toml');
  const excludes = typed.strings(workspace.exclude, where, 'workspace.exclude');
  const dirs: string[] = [];
  for (const pattern of typed.strings(workspace.members, where, 'workspace.members')) {
    const matched = isGlob(pattern) ? globDirectories(files, pattern) : [joinPath(pattern)];
    // Cargo applies `exclude` to what a glob finds; a member named outright stays a member.
    const kept = isGlob(pattern) ? matched.filter((d) => !isExcluded(d, excludes)) : matched;
    if (isGlob(pattern) && matched.length === 0) {
      throw inputError(
        `${at('Cargo.toml')}: workspace.members pattern "${pattern}" matches no directory. Fix the pattern or remove it from workspace.members.`,
      );
    }
    for (const dir of kept) {
      const raw = isGlob(pattern) ? dir : pattern;
      confineToRoot(
        files,
        `${at('Cargo.toml')}: workspace.members "${raw}"`,
        raw,
        dir,
        'a member must be inside it (and the build context holds only what is)',
        'Move it under the root or remove it.',
      );
      if (files.list(dir) === undefined) {
        throw inputError(`${at('Cargo.toml')}: workspace member "${dir}" does not exist. Create it or remove it from workspace.members.`);
      }
      if (files.read(joinPath(dir, 'Cargo.toml')) === undefined) {
        throw inputError(
          `workspace member "${dir}" has no Cargo.toml. Add one, or list "${dir}" under workspace.exclude in ${at('Cargo.toml')}.`,
        );
      }
      if (!dirs.includes(dir)) dirs.push(dir);
    }
  }
  return dirs;
}

const DEPENDENCY_KINDS = ['dependencies', 'dev-dependencies', 'build-dependencies'] as const;
const absolute = (path: string) => path.startsWith('/') || /^[A-Za-z]:/.test(path);

/** A manifest's `path` dependencies (its own, per target, and through `workspace = true`), as written. */
function pathDependencies(
  manifest: TomlTable,
  dir: string,
  workspaceDependencies: TomlTable,
): { name: string; raw: string; dir: string }[] {
  const found: { name: string; raw: string; dir: string }[] = [];
  for (const scope of [manifest, ...Object.values(table(manifest.target)).filter(isTable)]) {
    for (const kind of DEPENDENCY_KINDS) {
      for (const [name, dep] of Object.entries(table(scope[kind]))) {
        if (!isTable(dep)) continue;
        const inherited = dep.workspace === true ? workspaceDependencies[name] : undefined;
        if (typeof dep.path === 'string') found.push({ name, raw: dep.path, dir: absolute(dep.path) ? dep.path : joinPath(dir, dep.path) });
        else if (isTable(inherited) && typeof inherited.path === 'string')
          found.push({ name, raw: inherited.path, dir: absolute(inherited.path) ? inherited.path : joinPath(inherited.path) });
      }
    }
  }
  return found;
}

/** `[patch.<source>]` and `[replace]` entries of the root manifest that point at a directory. */
function patchPaths(manifest: TomlTable): { name: string; raw: string; dir: string; table: string }[] {
  const found: { name: string; raw: string; dir: string; table: string }[] = [];
  const add = (name: string, dep: unknown, where: string) => {
    if (isTable(dep) && typeof dep.path === 'string')
      found.push({ name, raw: dep.path, dir: absolute(dep.path) ? dep.path : joinPath(dep.path), table: where });
  };
  for (const [source, entries] of Object.entries(table(manifest.patch)))
    for (const [name, dep] of Object.entries(table(entries))) add(name, dep, `patch.${source}`);
  for (const [spec, dep] of Object.entries(table(manifest.replace))) add(spec, dep, 'replace');
  return found;
}

/**
 * The local packages cargo reads besides the listed members. Members too: every path dependency of a
 * member that lives inside a workspace's root and is not excluded (and theirs in turn). Not members, but
 * built as dependencies all the same: path dependencies of a root package without [workspace], excluded
 * ones, ones with a [workspace] of their own, and `[patch]`/`[replace]` paths. Each is confined to the
 * root: one outside is no file of the build context.
 */
function pathPackages(
  files: WorkspaceFiles,
  members: readonly Package[],
  manifest: TomlTable,
  workspace: TomlTable | undefined,
  at: Display,
): { members: Package[]; local: Package[] } {
  const excludes = typed.strings(workspace?.exclude, at('Cargo.toml'), 'workspace.exclude');
  const rootDependencies = table(workspace?.dependencies);
  const known = new Set(members.map((m) => m.dir));
  const found = { members: [] as Package[], local: [] as Package[] };
  type Visit = { pkg: Package; member: boolean; dependencies: TomlTable };
  // Members first: a crate one member reaches is a member, even when a local package reaches it too.
  const memberQueue: Visit[] = members.map((pkg) => ({ pkg, member: true, dependencies: rootDependencies }));
  const localQueue: Visit[] = [];
  const visit = (dep: { raw: string; dir: string }, where: string, fromMember: boolean) => {
    confineToRoot(
      files,
      where,
      dep.dir,
      dep.dir,
      'the build context holds only what is inside it',
      'Move that crate inside the workspace, or build from a directory that holds both.',
    );
    if (known.has(dep.dir)) return;
    const manifestPath = joinPath(dep.dir, 'Cargo.toml');
    if (files.read(manifestPath) === undefined) throw inputError(`${where} holds no Cargo.toml (${at(manifestPath)}). Fix the path.`);
    const own = readManifest(files, manifestPath, at);
    const ownWorkspace = isTable(own.workspace) ? own.workspace : undefined;
    const member = workspace !== undefined && fromMember && !ownWorkspace && !isExcluded(dep.dir, excludes);
    known.add(dep.dir);
    const inheritFrom = member ? table(workspace?.package) : table(ownWorkspace?.package);
    const pkg = readPackage(files, dep.dir, inheritFrom, at, own);
    (member ? found.members : found.local).push(pkg);
    (member ? memberQueue : localQueue).push({ pkg, member, dependencies: member ? rootDependencies : table(ownWorkspace?.dependencies) });
  };
  const drain = (queue: Visit[]) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const dep of pathDependencies(next.pkg.manifest, next.pkg.dir, next.dependencies)) {
        visit(dep, `${at(next.pkg.manifestPath)}: the path "${dep.raw}" of dependency "${dep.name}"`, next.member);
      }
    }
  };
  drain(memberQueue);
  for (const patch of patchPaths(manifest))
    visit(patch, `${at('Cargo.toml')}: the path "${patch.raw}" of ${patch.table} "${patch.name}"`, false);
  drain(localQueue);
  return found;
}

function readLockfile(files: WorkspaceFiles, at: Display): Lockfile | undefined {
  const text = files.read('Cargo.lock');
  if (text === undefined) return undefined;
  const manifest = parseToml(text, at('Cargo.lock'));
  const entries = Array.isArray(manifest.package) ? manifest.package.filter(isTable) : [];
  const packages: LockedPackage[] = entries.map((p) => ({
    name: String(p.name),
    version: String(p.version),
    ...(typeof p.source === 'string' ? { source: p.source } : {}),
    ...(typeof p.checksum === 'string' ? { checksum: p.checksum } : {}),
    dependencies: Array.isArray(p.dependencies) ? p.dependencies.filter((d): d is string => typeof d === 'string') : [],
  }));
  return { path: 'Cargo.lock', version: typeof manifest.version === 'number' ? manifest.version : 1, packages, manifest };
}

function toolchainChannel(file: string, channel: unknown, where: string): Toolchain | undefined {
  const value = typed.string(channel, where, 'toolchain.channel');
  if (value === undefined) return undefined;
  if (!parseToolchainChannel(value)) {
    throw inputError(
      `${where}: toolchain channel "${value}" is not one rustup knows: use stable, beta, nightly, nightly-YYYY-MM-DD, 1.79 or 1.79.0 (optionally followed by a host triple).`,
    );
  }
  return { file, channel: value };
}

function readToolchain(files: WorkspaceFiles, at: Display): Toolchain | undefined {
  const toml = files.read('rust-toolchain.toml');
  if (toml !== undefined) {
    const where = at('rust-toolchain.toml');
    return toolchainChannel('rust-toolchain.toml', typed.table(parseToml(toml, where).toolchain, where, 'toolchain')?.channel, where);
  }
  const legacy = files.read('rust-toolchain');
  if (legacy === undefined) return undefined;
  const where = at('rust-toolchain');
  const trimmed = legacy.replace(/^\uFEFF/, '').trim();
  if (trimmed.includes('[toolchain]')) {
    return toolchainChannel('rust-toolchain', typed.table(parseToml(legacy, where).toolchain, where, 'toolchain')?.channel, where);
  }
  return trimmed ? toolchainChannel('rust-toolchain', trimmed, where) : undefined;
}

/** Builds the workspace model the way Cargo reads it, from the tree behind `files`. */
export function readWorkspace(files: WorkspaceFiles, root: string): Workspace {
  const at: Display = (path) => (root === '.' ? path : `${root}/${path}`);
  if (files.read('Cargo.toml') === undefined) {
    throw inputError(
      `no Cargo.toml in ${root}. Run crossbake in a Cargo workspace, or point --workspace at the directory that holds its Cargo.toml.`,
    );
  }
  const manifest = readManifest(files, 'Cargo.toml', at);
  const workspace = isTable(manifest.workspace) ? manifest.workspace : undefined;
  if (workspace === undefined && !isTable(manifest.package)) {
    throw inputError(`${at('Cargo.toml')} has neither [workspace] nor [package]. Point --workspace at a Cargo workspace.`);
  }
  const workspacePackage = table(workspace?.package);

  const members: Package[] = [];
  if (isTable(manifest.package)) members.push(readPackage(files, '.', workspacePackage, at, manifest));
  if (workspace) {
    for (const dir of memberDirectories(files, workspace, at)) {
      if (dir === '.') continue;
      members.push(readPackage(files, dir, workspacePackage, at));
    }
  }
  const found = pathPackages(files, members, manifest, workspace, at);
  members.push(...found.members);

  const seenPackages = new Map<string, Package>();
  for (const p of members) {
    const other = seenPackages.get(p.name);
    if (other) {
      throw inputError(`two workspace members are named "${p.name}": ${at(other.manifestPath)} and ${at(p.manifestPath)}. Rename one.`);
    }
    seenPackages.set(p.name, p);
  }
  const bins = members.flatMap((p) => p.bins).sort((a, b) => a.package.localeCompare(b.package) || a.name.localeCompare(b.name));
  const seenBins = new Map<string, string>();
  for (const bin of bins) {
    const other = seenBins.get(bin.name);
    if (other !== undefined) {
      throw inputError(
        `binary "${bin.name}" is defined by two packages, "${other}" and "${bin.package}": an image is named after its binary, so the names must differ. Rename one [[bin]].`,
      );
    }
    seenBins.set(bin.name, bin.package);
  }

  let defaultMembers = members.map((m) => m.name);
  if (workspace && Array.isArray(workspace['default-members'])) {
    const dirs = typed
      .strings(workspace['default-members'], at('Cargo.toml'), 'workspace.default-members')
      .flatMap((p) => (isGlob(p) ? globDirectories(files, p) : [joinPath(p)]));
    defaultMembers = members.filter((m) => dirs.includes(m.dir)).map((m) => m.name);
  } else if (isTable(manifest.package) && workspace) {
    defaultMembers = [members[0]!.name];
  }

  const rustVersions = [workspacePackage['rust-version'], ...members.map((m) => table(m.manifest.package)['rust-version'])]
    .filter((v): v is string => typeof v === 'string')
    .sort(compareRustVersions);
  for (const v of rustVersions) {
    if (rustVersion(v))
      throw inputError(
        `rust-version "${v}" in ${at('Cargo.toml')} or a member's manifest is not a Rust version; write it as 1.79 or 1.79.0.`,
      );
  }
  const highest = rustVersions[rustVersions.length - 1];
  const lockfile = readLockfile(files, at);
  const toolchain = readToolchain(files, at);

  return {
    root,
    manifestPath: 'Cargo.toml',
    members: [...members].sort((a, b) => a.name.localeCompare(b.name)),
    localPackages: [...found.local].sort((a, b) => a.dir.localeCompare(b.dir)),
    defaultMembers: [...defaultMembers].sort(),
    bins,
    ...(lockfile ? { lockfile } : {}),
    ...(toolchain ? { toolchain } : {}),
    ...(highest ? { rustVersion: highest } : {}),
    crossbakeMetadata: table(workspace?.metadata).crossbake,
    manifest,
  };
}
