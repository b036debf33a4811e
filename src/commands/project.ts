import { relative, resolve, sep } from 'node:path';
import { diskFiles } from '../fs/read.js';
import { makePlan, type Plan } from '../plan.js';
import { type ResolvedSettings, resolveSettings, type SettingsInput } from '../settings/index.js';
import type { Workspace } from '../workspace/model.js';
import { readWorkspace } from '../workspace/read.js';

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

/** Reads the workspace and validates its settings and the flags; plans nothing. */
export function loadWorkspace(options: ProjectOptions): { root: string; workspace: Workspace; settings: ResolvedSettings } {
  const root = resolve(options.cwd, options.workspace);
  const shown = relative(options.cwd, root) || '.';
  const workspace = readWorkspace(diskFiles(root, shown), shown);
  const settings = resolveSettings(workspace, `${shown}/Cargo.toml`.replace(/^\.\//, ''), options.flags);
  return { root, workspace, settings };
}

/** Reads the workspace, validates its settings and the flags, and plans the build. */
export function loadProject(options: ProjectOptions): Project {
  const { root, workspace, settings } = loadWorkspace(options);
  const outDir = resolve(options.cwd, options.out ?? options.workspace);
  const context = posix(relative(outDir, root) || '.');
  const dockerfile = posix(relative(root, resolve(outDir, 'Dockerfile')));
  return { root, outDir, workspace, plan: makePlan(workspace, settings, { context, dockerfile }) };
}
