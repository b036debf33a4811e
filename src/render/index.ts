import { generatedHeader, seal } from '../generated.js';
import { type Plan, RUNTIME_SCRIPTS, TARGET_CACHE } from '../plan.js';
import { templates } from '../templates.js';
import { renderBakeHcl, renderBakeJson } from './bake.js';
import { renderDockerfile } from './dockerfile.js';
import { renderDockerignore } from './dockerignore.js';

export interface RenderedFile {
  /** Where it goes: 'out' beside the bake file; 'context' is the build context's ignore file. */
  readonly place: 'out' | 'context';
  readonly name: string;
  readonly content: string;
}

/** A shell script with crossbake's header as its second line (after the #! line). */
function script(text: string, source: string): string {
  const [shebang, ...rest] = text.split('\n');
  return seal([shebang, `# ${generatedHeader(source)}`, ...rest].join('\n'));
}

/** Every file `crossbake generate` writes, from one Plan; same Plan, same bytes. */
export function renderAll(plan: Plan, source: string): RenderedFile[] {
  const json = JSON.parse(renderBakeJson(plan)) as Record<string, unknown>;
  return [
    { place: 'out', name: 'Dockerfile', content: seal(renderDockerfile(plan, source)) },
    { place: 'context', name: '.dockerignore', content: seal(renderDockerignore(plan, source)) },
    { place: 'out', name: 'docker-bake.hcl', content: seal(renderBakeHcl(plan, source)) },
    { place: 'out', name: 'docker-bake.json', content: seal(`${JSON.stringify({ '//': generatedHeader(source), ...json }, null, 2)}\n`) },
    ...(plan.skeleton.mode === 'crossbake'
      ? [
          {
            place: 'out' as const,
            name: `${plan.skeleton.planner.dir}/${plan.skeleton.planner.file}`,
            content: seal(`// ${generatedHeader(source)}\n${templates.skeletonPlanner}`),
          },
        ]
      : []),
    ...(plan.skeleton.inputs
      ? [
          {
            place: 'out' as const,
            name: `${plan.skeleton.planner.dir}/${plan.skeleton.inputs.layoutFile}`,
            content: seal(`${JSON.stringify({ '//': generatedHeader(source), ...plan.skeleton.inputs.recorded }, null, 1)}\n`),
          },
        ]
      : []),
    // The runtime scripts reach the build through the same named context as the planner.
    { place: 'out', name: `${plan.skeleton.planner.dir}/${RUNTIME_SCRIPTS.libs}`, content: script(templates.runtimeLibs, source) },
    { place: 'out', name: `${plan.skeleton.planner.dir}/${RUNTIME_SCRIPTS.install}`, content: script(templates.runtimeInstall, source) },
    { place: 'out', name: `${plan.skeleton.planner.dir}/${TARGET_CACHE.script}`, content: script(templates.targetCache, source) },
  ];
}
