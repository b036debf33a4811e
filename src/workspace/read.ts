import { inputError } from '../errors.js';
import { joinPath, type WorkspaceFiles } from './files.js';
import { globDirectories, isExcluded, isGlob } from './glob.js';
import type { LockedPackage, Lockfile, Package, Toolchain, Workspace } from './model.js';
import { discoverTargets } from './targets.js';
import { isTable, parseToml, stringList, type TomlTable, table } from './toml.js';

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
  if (typeof pkg.name !== 'string' || pkg.name === '') {
    throw inputError(`${shown}: [package] has no name. Add \`name = "..."\`.`);
  }
  const version = inherited(pkg.version, 'version', workspacePackage, shown) ?? '0.0.0';
  const edition = inherited(pkg.edition, 'edition', workspacePackage, shown) ?? '2015';
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

function memberDirectories(files: WorkspaceFiles, workspace: TomlTable, at: Display): string[] {
  const excludes = stringList(workspace.exclude);
  const dirs: string[] = [];
  for (const pattern of stringList(workspace.members)) {
    const matched = isGlob(pattern) ? globDirectories(files, pattern) : [joinPath(pattern)];
    // Cargo applies `exclude` to what a glob finds; a member named outright stays a member.
    const kept = isGlob(pattern) ? matched.filter((d) => !isExcluded(d, excludes)) : matched;
    if (isGlob(pattern) && matched.length === 0) {
      throw inputError(
        `${at('Cargo.toml')}: workspace.members pattern "${pattern}" matches no directory. Fix the pattern or remove it from workspace.members.`,
      );
    }
    for (const dir of kept) {
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

function readToolchain(files: WorkspaceFiles, at: Display): Toolchain | undefined {
  const toml = files.read('rust-toolchain.toml');
  if (toml !== undefined) {
    const channel = table(parseToml(toml, at('rust-toolchain.toml')).toolchain).channel;
    return typeof channel === 'string' ? { file: 'rust-toolchain.toml', channel } : undefined;
  }
  const legacy = files.read('rust-toolchain');
  if (legacy === undefined) return undefined;
  const trimmed = legacy.trim();
  if (trimmed.includes('[toolchain]')) {
    const channel = table(parseToml(legacy, at('rust-toolchain')).toolchain).channel;
    return typeof channel === 'string' ? { file: 'rust-toolchain', channel } : undefined;
  }
  return trimmed ? { file: 'rust-toolchain', channel: trimmed } : undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
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
    const dirs = stringList(workspace['default-members']).flatMap((p) => (isGlob(p) ? globDirectories(files, p) : [joinPath(p)]));
    defaultMembers = members.filter((m) => dirs.includes(m.dir)).map((m) => m.name);
  } else if (isTable(manifest.package) && workspace) {
    defaultMembers = [members[0]!.name];
  }

  const rustVersions = [workspacePackage['rust-version'], ...members.map((m) => table(m.manifest.package)['rust-version'])]
    .filter((v): v is string => typeof v === 'string')
    .sort(compareVersions);
  const rustVersion = rustVersions[rustVersions.length - 1];
  const lockfile = readLockfile(files, at);
  const toolchain = readToolchain(files, at);

  return {
    root,
    manifestPath: 'Cargo.toml',
    members: [...members].sort((a, b) => a.name.localeCompare(b.name)),
    defaultMembers: [...defaultMembers].sort(),
    bins,
    ...(lockfile ? { lockfile } : {}),
    ...(toolchain ? { toolchain } : {}),
    ...(rustVersion ? { rustVersion } : {}),
    crossbakeMetadata: table(workspace?.metadata).crossbake,
    manifest,
  };
}
