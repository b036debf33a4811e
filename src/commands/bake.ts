import { relative } from 'node:path';
import type { Progress } from '../buildx/args.js';
import { bakeArgs } from '../buildx/args.js';
import { checkDaemon, detectBuildx, detectDriver, printBake, type BakePrint } from '../buildx/preflight.js';
import { mergeIndex, pushTag, runBake } from '../buildx/run.js';
import { CrossbakeError } from '../errors.js';
import { platformTargetName } from '../render/bake.js';
import { generate } from './generate.js';
import type { Project } from './project.js';

export interface BakeOptions {
  readonly push: boolean;
  readonly load: boolean;
  readonly print: boolean;
  readonly dryRun: boolean;
  readonly noCache: boolean;
  readonly builder?: string;
  readonly progress: Progress;
  readonly set: readonly string[];
  readonly force: boolean;
  readonly cwd: string;
  readonly log: (line: string) => void;
  readonly out: (text: string) => void;
}

const timer = () => {
  const start = Date.now();
  return () => `${((Date.now() - start) / 1000).toFixed(1)}s`;
};

function imageName(tag: string): string {
  const at = tag.lastIndexOf(':');
  return at > tag.lastIndexOf('/') ? tag.slice(0, at) : tag;
}

export async function bake(project: Project, options: BakeOptions): Promise<void> {
  const { plan } = project;
  if (options.push && options.load) throw new CrossbakeError('input', '--push and --load exclude each other: push to a registry, or load into the local image store.');
  let t = timer();
  const written = generate(project, { force: options.force, cwd: options.cwd });
  options.log(`generate  ${t()}  (${written.written.length} written, ${written.unchanged.length} unchanged)`);

  t = timer();
  const version = await detectBuildx();
  const bakeFile = relative(project.outDir, `${project.outDir}/docker-bake.json`);
  const perPlatform = plan.selected.flatMap((i) => plan.platforms.map((p) => platformTargetName(i, p)));
  const targets = options.load ? plan.selected.map((i) => i.bin) : perPlatform;
  const printed: BakePrint = await printBake([bakeFile], [...new Set([...targets, ...plan.selected.map((i) => i.bin)])], options.set, project.outDir);
  const set = [...options.set];
  await checkDaemon();
  // Per-platform targets keep per-platform caches; their images are merged into one index only when
  // every platform built. The docker driver cannot push by digest, so there the platform images are
  // loaded into the image store first and pushed by tag after the whole build succeeded.
  const driver = options.push ? await detectDriver(options.builder) : undefined;
  if (options.push) {
    for (const name of perPlatform) {
      const tag = printed.target[name]?.tags?.[0];
      if (!tag || !tag.includes('/')) {
        throw new CrossbakeError('input', `--push needs a registry in the image tags, but ${name} is tagged "${tag ?? ''}". Set registry in [workspace.metadata.crossbake], pass --registry, or set REGISTRY.`);
      }
      set.push(
        driver === 'docker'
          ? `${name}.output=type=docker`
          : `${name}.output=type=image,name=${imageName(tag)},push-by-digest=true,name-canonical=true,push=true`,
      );
    }
  }
  const invocation = { files: [bakeFile], targets, load: options.load, noCache: options.noCache, set, progress: options.progress, ...(options.builder ? { builder: options.builder } : {}) };
  if (options.print || options.dryRun) {
    options.out(`${JSON.stringify(printed, null, 2)}\n`);
    if (options.dryRun) options.out(`(cd ${relative(options.cwd, project.outDir) || '.'} && docker ${bakeArgs(invocation, version).map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a}'` : a)).join(' ')})\n`);
    return;
  }
  options.log(`preflight ${t()}`);

  t = timer();
  const outcome = await runBake(invocation, version, project.outDir);
  options.log(`build     ${t()}`);
  if (!options.push) return;

  t = timer();
  for (const image of plan.selected) {
    const finalTags = printed.target[image.bin]?.tags ?? [];
    const sources: string[] = [];
    for (const p of plan.platforms) {
      const name = platformTargetName(image, p);
      const tag = printed.target[name]?.tags?.[0] ?? '';
      if (driver === 'docker') {
        await pushTag(tag, project.outDir);
        sources.push(tag);
        continue;
      }
      const digest = outcome.metadata[name]?.['containerimage.digest'];
      if (typeof digest !== 'string') throw new CrossbakeError('build', `buildx reported no pushed digest for ${name}; nothing was tagged for ${image.bin}. Run again with --progress plain to see the push step.`);
      sources.push(`${imageName(tag)}@${digest}`);
    }
    await mergeIndex(finalTags, sources, project.outDir, options.builder);
    options.log(`merge     ${image.bin}: ${finalTags.join(', ')} <- ${sources.length} platforms`);
  }
  options.log(`push      ${t()}`);
}
