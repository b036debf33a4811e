import { generatedHeader } from '../generated.js';
import type { Plan } from '../plan.js';

/** Keeps the build context small and its digest stable: only sources and manifests reach the builder. */
export function renderDockerignore(plan: Plan, source: string): string {
  const cacheDir = plan.cache.type === 'local' ? [`${plan.cache.dir.replace(/\/$/, '')}/`] : [];
  return [
    `# ${generatedHeader(source)}`,
    'target/',
    '**/target/',
    '.git/',
    '.github/',
    'specs/',
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
