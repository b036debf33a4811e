import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gate, progressPlan } from '../buildx/args.js';
import { attribute, failureError, type RunTarget } from '../buildx/attribute.js';
import { runBuildxDirectly } from '../buildx/exec.js';
import { verifySteps } from '../buildx/invocation.js';
import { diffImages, type OciImage, ociImage } from '../buildx/oci.js';
import { askDocker, checkDaemon, detectBuildx } from '../buildx/preflight.js';
import { runBake, sourceDateEpoch } from '../buildx/run.js';
import { viewPlan } from '../buildx/view.js';
import { CrossbakeError } from '../errors.js';
import { writeFiles } from '../fs/write.js';
import { outputFiles } from './generate.js';
import type { Project } from './project.js';

export interface VerifyOptions {
  readonly force: boolean;
  readonly builder?: string;
  readonly cwd: string;
  readonly log: (line: string) => void;
  readonly out: (text: string) => void;
  readonly progressOut: (text: string) => void;
  readonly isTTY: boolean;
}

const short = (digest: string) => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');

/**
 * `crossbake verify`: rebuilds every selected image and platform from scratch and compares it, digest by
 * digest, with the last verified build (kept in .crossbake/verify/ beside the bake file); with none yet,
 * it builds twice. Differences are named by layer and file. The new build becomes the reference.
 */
export async function verify(project: Project, options: VerifyOptions): Promise<void> {
  const { plan } = project;
  const files = outputFiles(project);
  writeFiles(files, { force: options.force, cwd: options.cwd });
  const bakeFile = relative(project.outDir, files.find((f) => f.name === 'docker-bake.json')!.path) || 'docker-bake.json';
  const epoch = plan.sourceDateEpoch !== undefined ? String(plan.sourceDateEpoch) : await sourceDateEpoch(project.root);
  if (epoch === undefined) {
    throw new CrossbakeError(
      'input',
      'verify needs a fixed time for the images: the workspace is not in a git repository with a commit, and SOURCE_DATE_EPOCH is not set. Set source-date-epoch in [workspace.metadata.crossbake], or SOURCE_DATE_EPOCH.',
    );
  }
  const docker = askDocker();
  docker.catch(() => undefined);
  const { version, plugin } = await detectBuildx(docker);
  runBuildxDirectly(plugin);
  gate(version, 'rewriteTimestamp');
  await checkDaemon(docker);
  options.log(`verify    SOURCE_DATE_EPOCH=${epoch}; builds from scratch (--no-cache), timestamps rewritten`);
  const state = join(project.outDir, '.crossbake', 'verify');
  const reference = join(state, 'reference');
  const runTargets: RunTarget[] = plan.selected.flatMap((i) =>
    i.platforms.map((p) => ({ name: p.target, bin: i.bin, platforms: [p.platform] })),
  );
  const progress = progressPlan('auto', version, options.isTTY);

  const build = async (dir: string) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const steps = verifySteps(plan, { bakeFile, dir, ...(options.builder ? { builder: options.builder } : {}) });
    const outcome = await runBake(steps.bake, version, project.outDir, {
      progress,
      write: options.progressOut,
      size: () => ({ columns: process.stderr.columns || 100, rows: process.stderr.rows || 30 }),
      color: !process.env.NO_COLOR,
      view: viewPlan(plan, runTargets, project.workspace.lockfile?.packages.length),
      env: { SOURCE_DATE_EPOCH: epoch },
    });
    if (outcome.exitCode !== 0) throw failureError(attribute(outcome.log, runTargets, outcome.exitCode), undefined);
    return steps.tars;
  };
  const missing = plan.selected.flatMap((i) => i.platforms).filter((p) => !existsSync(join(reference, `${p.target}.tar`)));
  if (missing.length > 0) {
    options.log(`verify    no earlier verified build of ${missing.map((p) => p.target).join(', ')}: building twice`);
    await build(reference);
  }
  const fresh = join(state, 'rebuild');
  await build(fresh);

  const rows: string[][] = [['image', 'platform', 'first build', 'rebuild', 'result']];
  const details: string[] = [];
  for (const image of plan.selected) {
    for (const p of image.platforms) {
      const read = (dir: string): OciImage | undefined =>
        ociImage(readFileSync(join(dir, `${p.target}.tar`)), { arch: p.platform.arch, variant: p.platform.variant });
      const before = read(reference);
      const after = read(fresh);
      if (!before || !after)
        throw new CrossbakeError(
          'build',
          `the OCI export of ${p.target} has no ${p.platform.docker} image; run again with --progress plain to see the export step.`,
        );
      const same = before.digest === after.digest;
      rows.push([image.bin, p.platform.docker, short(before.digest), short(after.digest), same ? 'identical' : 'DIFFERENT']);
      if (same) continue;
      for (const d of diffImages(before, after)) {
        details.push(
          `${image.bin} ${p.platform.docker}, layer ${d.layer}: ${d.before ? short(d.before) : 'none'} -> ${d.after ? short(d.after) : 'none'}`,
        );
        const files = d.files ?? ['(the layer is compressed in a way crossbake cannot list)'];
        details.push(...files.slice(0, 20).map((f) => `  ${f}`), ...(files.length > 20 ? [`  ... and ${files.length - 20} more`] : []));
      }
      if (before.config !== after.config && details.length === 0)
        details.push(`${image.bin} ${p.platform.docker}: only the image configuration differs`);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  options.out(
    `${rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  rmSync(reference, { recursive: true, force: true });
  renameSync(fresh, reference);
  if (details.length > 0) {
    throw new CrossbakeError(
      'unreproducible',
      'a rebuild from scratch differs from the first build; what differs is below. The rebuild is now the reference for the next verify.',
      details,
    );
  }
  options.log('verify    every image is reproducible: the rebuild from scratch has the same digests');
}
