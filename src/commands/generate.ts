import { join, relative, resolve, sep } from 'node:path';
import { CrossbakeError } from '../errors.js';
import { differences, type OutputFile, type WriteResult, writeFiles } from '../fs/write.js';
import { renderAll } from '../render/index.js';
import type { Project } from './project.js';

/**
 * Where each rendered file goes. The ignore file belongs to the build context; when the Dockerfile lives
 * elsewhere (--out), BuildKit's Dockerfile-specific `<Dockerfile>.dockerignore` keeps it beside the
 * Dockerfile, so nothing is written into the workspace.
 */
export function outputFiles(project: Project) {
  // Relative to where the files go, not to the directory crossbake ran in: the same workspace gives the
  // same bytes from anywhere, and a planner or script whose bytes changed would rebuild from the skeleton on.
  const source = relative(project.outDir, join(project.root, 'Cargo.toml')).split(sep).join('/');
  const separate = resolve(project.outDir) !== resolve(project.root);
  return renderAll(project.plan, source).map((f) => ({
    name: f.name,
    path: f.place === 'context' && separate ? join(project.outDir, 'Dockerfile.dockerignore') : join(project.outDir, f.name),
    content: f.content,
  }));
}

export function generate(project: Project, options: { force: boolean; cwd: string }): WriteResult {
  return writeFiles(outputFiles(project), options);
}

const STATE = {
  missing: 'is missing',
  differs: 'differs from what crossbake writes now',
  edited: 'was edited by hand (or written by something else)',
} as const;

/**
 * `--check`: writes nothing; fails naming every generated file that is not what crossbake would write
 * now, with the command that brings them up to date.
 */
export function checkFiles(files: readonly OutputFile[], options: { cwd: string; fix: string }): string[] {
  const found = differences(files);
  const show = (p: string) => relative(options.cwd, p) || p;
  if (found.length === 0) return files.map((f) => show(f.path));
  const fix = found.some((d) => d.state === 'edited') ? `${options.fix} --force` : options.fix;
  throw new CrossbakeError(
    'stale',
    `${found.length} generated file${found.length === 1 ? ' is' : 's are'} not up to date; run \`${fix}\` and commit the result:`,
    found.map((d) => `${show(d.path)} ${STATE[d.state]}`),
  );
}
