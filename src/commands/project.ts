import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';
import { diskFiles } from '../fs/read.js';
import { makePlan, type Plan } from '../plan.js';
import { type ResolvedSettings, resolveSettings, type SettingsInput } from '../settings/index.js';
import { leavesRoot, type WorkspaceFiles } from '../workspace/files.js';
import { isExcluded } from '../workspace/glob.js';
import { recordingFiles } from '../workspace/inputs.js';
import type { Workspace } from '../workspace/model.js';
import { readWorkspace } from '../workspace/read.js';
import { isTable, parseToml } from '../workspace/toml.js';

export interface ProjectOptions {
  readonly workspace: string;
  readonly out?: string;
  /** The settings layer made from command-line flags (`flagLayer`). */
  readonly flags: SettingsInput;
  readonly cwd: string;
}

export interface Project {
  readonly root: string;
  readonly outDir: string;
  readonly workspace: Workspace;
  readonly plan: Plan;
}

/** A path with / separators; only Windows' paths have \\ as one (elsewhere it is a character of a name). */
function posix(p: string): string {
  return (sep === '\\' ? p.split(sep).join('/') : p) || '.';
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The workspace a package directory belongs to when its own Cargo.toml has no [workspace]: the nearest
 * one above it, as cargo searches, unless that one excludes it. A manifest that does not parse is left to
 * the reader's own message.
 */
function enclosingWorkspace(root: string): string | undefined {
  const own = readText(join(root, 'Cargo.toml'));
  if (own === undefined) return undefined;
  try {
    const manifest = parseToml(own, 'Cargo.toml');
    if (isTable(manifest.workspace) || !isTable(manifest.package) || manifest.package.workspace !== undefined) return undefined;
    for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
      const text = readText(join(dir, 'Cargo.toml'));
      if (text === undefined) continue;
      const parent = parseToml(text, 'Cargo.toml');
      if (!isTable(parent.workspace)) continue;
      const excludes = Array.isArray(parent.workspace.exclude) ? parent.workspace.exclude.filter((e) => typeof e === 'string') : [];
      return isExcluded(posix(relative(dir, root)), excludes) ? undefined : dir;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Reads the workspace and validates its settings and the flags; plans nothing. */
export function loadWorkspace(options: ProjectOptions): { root: string; workspace: Workspace; settings: ResolvedSettings } {
  const root = resolve(options.cwd, options.workspace);
  const shown = relative(options.cwd, root) || '.';
  const enclosing = enclosingWorkspace(root);
  if (enclosing !== undefined) {
    const at = relative(options.cwd, enclosing) || '.';
    throw inputError(
      `${shown} is a package of the workspace at ${at} (its Cargo.toml has [workspace]): cargo builds it there, with that workspace's Cargo.lock and settings. Run crossbake on the workspace (--workspace ${at}) and choose the binary with --bin.`,
    );
  }
  const files = diskFiles(root, shown);
  const recorded = recordingFiles(files);
  const workspace = { ...readWorkspace(recorded.files, shown), inputs: recorded.inputs() };
  const settings = resolveSettings(workspace, `${shown}/Cargo.toml`.replace(/^\.\//, ''), options.flags);
  if (settings.settings.cache.type === 'local') confineCacheDir(files, settings.settings.cache.dir, shown);
  return { root, workspace, settings };
}

/** buildx writes a local cache on this machine: no directory on its way may be a symlink out of the root. */
function confineCacheDir(files: WorkspaceFiles, dir: string, shown: string): void {
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const real = files.realpath(prefix);
    if (real !== undefined && leavesRoot(real)) {
      throw inputError(
        `cache.dir "${dir}": ${prefix} leads (through a symlink) to ${real}, outside the workspace root ${shown}; buildx would write the cache there. Choose a directory inside the workspace.`,
      );
    }
  }
}

/** Reads the workspace, validates its settings and the flags, and plans the build. */
export function loadProject(options: ProjectOptions): Project {
  const { root, workspace, settings } = loadWorkspace(options);
  const outDir = resolve(options.cwd, options.out ?? options.workspace);
  const context = posix(relative(outDir, root) || '.');
  const dockerfile = posix(relative(root, resolve(outDir, 'Dockerfile')));
  return { root, outDir, workspace, plan: makePlan(workspace, settings, { context, dockerfile }) };
}
