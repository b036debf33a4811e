import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const fixture = (...parts: string[]) => join(repoRoot, 'test/fixtures', ...parts);
export const workspaceFixture = (name: string) => fixture('workspaces', name);
