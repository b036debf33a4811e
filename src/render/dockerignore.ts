import { generatedHeader } from '../generated.js';
import type { Plan } from '../plan.js';
import { ignorePattern } from './encode.js';

/**
 * Keeps the build context small and its digest stable: only sources and manifests reach the builder.
 * Cargo's output directories are named where they are (the root's, and a member's own if one was built
 * on its own), never as `**\/target/`, which would also drop a source module at `src/target/`.
 */
export function renderDockerignore(plan: Plan, source: string): string {
  const sources = new Set(plan.skeleton.files.map((f) => f.path));
  const memberDirs = plan.skeleton.files
    .filter((f) => f.path.endsWith('/Cargo.toml'))
    .map((f) => f.path.slice(0, -'/Cargo.toml'.length))
    .filter((dir) => ![...sources].some((p) => p.startsWith(`${dir}/target/`)));
  const cacheDir = plan.cache.type === 'local' ? [ignorePattern(plan.cache.dir, { directory: true })] : [];
  return [
    `# ${generatedHeader(source)}`,
    'target/',
    ...[...new Set(memberDirs)].sort().map((dir) => ignorePattern(`${dir}/target`, { directory: true })),
    '.git/',
    '.github/',
    'specs/',
    'node_modules/',
    '.crossbake/',
    ...cacheDir,
    'Dockerfile',
    '.dockerignore',
    'docker-bake.hcl',
    'docker-bake.json',
    '**/*.rs.bk',
    '',
  ].join('\n');
}
