import { join, resolve } from 'node:path';
import { type WriteResult, writeFiles } from '../fs/write.js';
import { renderAll } from '../render/index.js';
import type { Project } from './project.js';

/**
 * Where each rendered file goes. The ignore file belongs to the build context; when the Dockerfile lives
 * elsewhere (--out), BuildKit's Dockerfile-specific `<Dockerfile>.dockerignore` keeps it beside the
 * Dockerfile, so nothing is written into the workspace.
 */
export function outputFiles(project: Project) {
  const source = project.workspace.root === '.' ? 'Cargo.toml' : `${project.workspace.root}/Cargo.toml`;
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
