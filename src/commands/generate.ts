import { join } from 'node:path';
import { writeFiles, type WriteResult } from '../fs/write.js';
import { renderAll } from '../render/index.js';
import type { Project } from './project.js';

export function outputFiles(project: Project) {
  const source = project.workspace.root === '.' ? 'Cargo.toml' : `${project.workspace.root}/Cargo.toml`;
  return renderAll(project.plan, source).map((f) => ({
    name: f.name,
    path: join(f.place === 'context' ? project.root : project.outDir, f.name),
    content: f.content,
  }));
}

export function generate(project: Project, options: { force: boolean; cwd: string }): WriteResult {
  return writeFiles(outputFiles(project), options);
}
