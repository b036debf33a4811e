import { generatedHeader } from '../generated.js';
import type { Plan } from '../plan.js';
import { ignorePattern } from './encode.js';

/**
 * Keeps the build context small and its digest stable: only sources and manifests reach the builder.
 * Cargo's output directories are named where they are (the root's, and a member's own if one was built
 * on its own), never as `**\/target/`, which would also drop a source module at `src/target/`.
 */
export function renderDockerignore(plan: Plan, source: string): string {
  const cacheDir = plan.cache.type === 'local' ? [ignorePattern(plan.cache.dir, { directory: true })] : [];
  return [
    `# ${generatedHeader(source)}`,
    'target/',
    ...plan.memberTargetDirs.map((dir) => ignorePattern(dir, { directory: true })),
    '.git/',
    '.github/',
    'node_modules/',
    '.crossbake/',
    `${plan.skeleton.planner.dir}/`,
    ...cacheDir,
    'Dockerfile',
    '.dockerignore',
    'docker-bake.hcl',
    'docker-bake.json',
    '**/*.rs.bk',
    '',
  ].join('\n');
}
