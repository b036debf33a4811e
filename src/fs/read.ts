import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DirEntry, WorkspaceFiles } from '../workspace/files.js';

/** The real file system under `root`, as the workspace reader sees it. */
export function diskFiles(root: string): WorkspaceFiles {
  return {
    read(path: string): string | undefined {
      try {
        const full = join(root, path);
        return statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
    list(dir: string): readonly DirEntry[] | undefined {
      try {
        return readdirSync(join(root, dir), { withFileTypes: true }).map((e) => ({
          name: e.name,
          isDirectory: e.isDirectory() || (e.isSymbolicLink() && statSync(join(root, dir, e.name)).isDirectory()),
        }));
      } catch {
        return undefined;
      }
    },
  };
}
