import { relative, resolve } from 'node:path';
import { diskFiles } from '../fs/read.js';
import { makePlan, type Plan } from '../plan.js';
import { resolveSettings, validateLayer, type WorkspaceSettingsInput, WorkspaceSettingsSchema } from '../settings.js';
import type { Workspace } from '../workspace/model.js';
import { readWorkspace } from '../workspace/read.js';

export interface ProjectOptions {
  readonly workspace: string;
  readonly out?: string;
  readonly flags: Record<string, unknown>;
  readonly cwd: string;
}

export interface Project {
  readonly root: string;
  readonly outDir: string;
  readonly workspace: Workspace;
  readonly plan: Plan;
}

function posix(p: string): string {
  return p.split('\\').join('/') || '.';
}

/** Reads the workspace, validates its settings and the flags, and plans the build. */
export function loadProject(options: ProjectOptions): Project {
  const root = resolve(options.cwd, options.workspace);
  const outDir = resolve(options.cwd, options.out ?? options.workspace);
  const shown = relative(options.cwd, root) || '.';
  const workspace = readWorkspace(diskFiles(root), shown);
  const fromFile = validateLayer(
    WorkspaceSettingsSchema,
    workspace.crossbakeMetadata,
    `${shown}/Cargo.toml`.replace(/^\.\//, ''),
    'workspace.metadata.crossbake',
  );
  const flags = validateFlags(options.flags);
  const settings = resolveSettings(fromFile, flags);
  const context = posix(relative(outDir, root) || '.');
  const dockerfile = posix(relative(root, resolve(outDir, 'Dockerfile')));
  return { root, outDir, workspace, plan: makePlan(workspace, settings, { context, dockerfile }) };
}

function validateFlags(flags: Record<string, unknown>): WorkspaceSettingsInput {
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return validateLayer(WorkspaceSettingsSchema, defined, 'command line', '--');
}
