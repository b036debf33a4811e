import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';
import { type OutputFile, type WriteResult, writeFiles } from '../fs/write.js';
import { workflowPath } from '../grammar.js';
import { BAKE_FILE, renderWorkflow, WORKFLOW_PATH } from '../render/workflow.js';
import type { Project } from './project.js';

export interface CiOptions {
  /** The repository root the workflow goes under (default: the workspace root). */
  readonly out?: string;
  /** `--split` on the command line; `ci.split` in the settings turns it on too. */
  readonly split: boolean;
  readonly force: boolean;
  readonly cwd: string;
}

export interface CiOutput {
  readonly path: string;
  readonly content: string;
  /** Things worth telling the user; the file is written regardless. */
  readonly notes: readonly string[];
}

/** A path with / separators; only Windows' paths have \\ as one (elsewhere it is a character of a name). */
const posix = (p: string) => (sep === '\\' ? p.split(sep).join('/') : p) || '.';

/** The nearest directory at or above `dir` that holds `.git`, if any. */
function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** What the committed bake file lacks for this workflow: targets it builds, and the platform list. */
function bakeFileProblems(bakeDir: string, shown: string, project: Project, split: boolean): string[] {
  const { plan } = project;
  if (!existsSync(join(bakeDir, BAKE_FILE))) {
    return [
      `there is no ${shown}/${BAKE_FILE} yet: run \`crossbake generate\` and commit what it writes; the workflow builds the committed files.`,
    ];
  }
  let definition: { target?: Record<string, unknown>; variable?: { PLATFORMS?: { default?: string } } };
  try {
    definition = JSON.parse(readFileSync(join(bakeDir, 'docker-bake.json'), 'utf8')) as typeof definition;
  } catch {
    return [];
  }
  const targets = split ? plan.selected.flatMap((i) => i.platforms.map((p) => p.target)) : plan.selected.map((i) => i.target);
  const missing = targets.filter((t) => !(t in (definition.target ?? {})));
  const problems = missing.length > 0 ? [`${shown}/docker-bake.json has no target ${missing.join(', ')}, which the workflow builds`] : [];
  const platforms = plan.platforms.map((p) => p.docker).join(',');
  const committed = definition.variable?.PLATFORMS?.default;
  if (committed !== undefined && committed !== platforms)
    problems.push(`${shown}/docker-bake.json builds ${committed}, the workflow expects ${platforms}`);
  return problems.map((p) => `${p}: run \`crossbake generate\` with the same settings and commit it.`);
}

/** The workflow file for a project: where it goes, its text, and notes for the user. */
export function workflowOutput(project: Project, options: CiOptions): CiOutput {
  const { plan } = project;
  const show = (p: string) => relative(options.cwd, p) || '.';
  const repoRoot = resolve(options.cwd, options.out ?? project.root);
  const config = plan.ci;
  const bakeDirAbs = resolve(project.root, config.bakeDir);
  const fromRoot = relative(repoRoot, bakeDirAbs);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
    throw inputError(
      `the bake files in ${show(bakeDirAbs)} are outside ${show(repoRoot)}, where the workflow would go; --out must be the repository root that contains the workspace.`,
    );
  }
  const bakeDir = posix(fromRoot) || '.';
  const pathProblem = workflowPath(bakeDir);
  if (pathProblem) {
    throw inputError(
      `the workflow would name the directory "${bakeDir}" (the bake files' path from the repository root), but it must be ${pathProblem}. Rename the directory, or set ci.bake-dir.`,
    );
  }
  const split = options.split || config.split;
  const command = options.split && !config.split ? 'crossbake ci --split' : 'crossbake ci';
  // Relative to the repository root, so the header does not depend on where crossbake ran.
  const source = posix(join(relative(repoRoot, project.root), 'Cargo.toml'));
  const content = renderWorkflow(plan, config, { source, command, split, bakeDir: posix(fromRoot) });
  const notes = [...plan.notes, ...bakeFileProblems(bakeDirAbs, show(bakeDirAbs), project, split)];
  const git = gitRoot(repoRoot);
  if (git && git !== repoRoot) {
    notes.push(`GitHub only runs workflows from .github/workflows at the repository root; run with --out ${show(git)} to put it there.`);
  }
  return { path: join(repoRoot, WORKFLOW_PATH), content, notes };
}

/** `crossbake ci`: writes .github/workflows/crossbake.yml through the same guarded writer as `generate`. */
export function ci(project: Project, options: CiOptions): WriteResult & { readonly notes: readonly string[] } {
  const output = workflowOutput(project, options);
  const root = resolve(options.cwd, options.out ?? project.root);
  const result = writeFiles([{ path: output.path, content: output.content }], { force: options.force, cwd: options.cwd, root });
  return { ...result, notes: output.notes };
}

/** `crossbake ci --check`: the workflow file as it would be written, compared, nothing written. */
export function ciFiles(project: Project, options: CiOptions): OutputFile[] {
  const output = workflowOutput(project, options);
  return [{ path: output.path, content: output.content }];
}
