import { basename, isAbsolute, relative, resolve } from 'node:path';
import { bakeArgs, type Progress, type ProgressPlan, progressPlan, shellQuote } from '../buildx/args.js';
import { attribute, failureError, stepsRun } from '../buildx/attribute.js';
import { runBuildxDirectly } from '../buildx/exec.js';
import { type BuildRecord, remember, savedAgainst } from '../buildx/history.js';
import { carriedInputs, imageFingerprint, inputsOn, printedInputs, relevantDigest } from '../buildx/image-inputs.js';
import {
  assertPushable,
  assertSetsReach,
  type BakeRequest,
  type BakeSteps,
  bakeSteps,
  buildCalls,
  type CacheDestination,
  imageSteps,
  mergeArgs,
  mergeSources,
  type Publish,
  printTargets,
  stepsForCaches,
  withCacheTargets,
} from '../buildx/invocation.js';
import {
  askDocker,
  type BakePrint,
  type BuilderInfo,
  checkDaemon,
  checkPlatforms,
  checkPrintedPlatforms,
  checkRegistry,
  type DockerInfo,
  detectBuildx,
  inspectBuilder,
  printBake,
} from '../buildx/preflight.js';
import type { BuildLog } from '../buildx/progress.js';
import {
  CACHE_INDEX_LIMIT,
  cacheIndexSizes,
  exportedImages,
  mergeImages,
  missingCaches,
  type Pushed,
  pushPlatforms,
  readPushed,
  results,
  timer,
} from '../buildx/publish.js';
import {
  failuresForReport,
  formatReport,
  isCold,
  type Report,
  type ReportImage,
  type ReportRow,
  rowsFromSlots,
  withStages,
} from '../buildx/report.js';
import { type Metadata, registryDigest, runCalls, storeImageId } from '../buildx/run.js';
import {
  buildEnv,
  type ImageRecord,
  movedTags,
  type PushRecord,
  pushFingerprint,
  unchangedReport,
  unchangedRows,
} from '../buildx/unchanged.js';
import type { Version } from '../buildx/version.js';
import { INDEX_GROWTH, stageTimes, type ViewPlan, viewPlan } from '../buildx/view.js';
import { CrossbakeError } from '../errors.js';
import { contextEntries, entriesDigest, plainExclusions } from '../fs/context-digest.js';
import { historyFile, readHistory, writeHistory } from '../fs/history.js';
import { probeMemo } from '../fs/probes.js';
import { imageRecords, pushRecords } from '../fs/pushed.js';
import { assertWritable, outputPath, writeAtomically, writeFiles } from '../fs/write.js';
import type { Plan } from '../plan.js';
import { repositoryOf } from '../reference.js';
import { outputFiles } from './generate.js';
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
  /** Where the final metadata (buildx's, plus the merged indexes) goes, as with buildx's own flag. */
  readonly metadataFile?: string;
  /** Where the report goes as JSON. */
  readonly report?: string;
  readonly cwd: string;
  readonly log: (line: string) => void;
  readonly out: (text: string) => void;
  /** Progress output (stderr); defaults to `log`'s stream. */
  readonly progressOut?: (text: string) => void;
  /** Whether progress goes to a terminal (for --progress auto); defaults to process.stderr's. */
  readonly isTTY?: boolean;
  /** `docker info`, when the caller started it early; otherwise asked here. */
  readonly docker?: Promise<DockerInfo>;
}

export async function bake(project: Project, options: BakeOptions): Promise<void> {
  const { plan } = project;
  const progressOut = options.progressOut ?? ((text: string) => void process.stderr.write(text));
  if (options.push && options.load)
    throw new CrossbakeError('input', '--push and --load exclude each other: push to a registry, or load into the local image store.');
  if (options.print && options.dryRun)
    throw new CrossbakeError('input', '--print and --dry-run overlap: --dry-run shows the definition and the commands; use one of them.');
  const metadataFile = outputPath('--metadata-file', options.metadataFile, options.cwd);
  const reportFile = outputPath('--report', options.report, options.cwd);

  // generate: render in memory; a file the user edited stops the run here, before anything is built.
  let t = timer();
  const files = outputFiles(project);
  const bakeJson = files.find((f) => f.name === 'docker-bake.json')!;
  const bakeFile = relative(project.outDir, bakeJson.path) || 'docker-bake.json';
  // The generated files are the product even where nothing can build them yet (no docker here):
  // they are written before the environment is checked; --print and --dry-run write nothing.
  if (options.print || options.dryRun) {
    assertWritable(files, { force: options.force, cwd: options.cwd });
    options.log(`generate  ${t()}  (rendered; not written: --print/--dry-run)`);
  } else {
    const write = writeFiles(files, { force: options.force, cwd: options.cwd });
    const shown = (paths: readonly string[]) => paths.map((p) => relative(options.cwd, p) || p).join(', ');
    options.log(`generate  ${t()}  (${write.written.length ? `wrote ${shown(write.written)}` : 'all files unchanged'})`);
  }

  // preflight: docker, buildx, the definition as buildx reads it, the daemon, the builder, the registry.
  t = timer();
  const wanted = !options.print && !options.dryRun;
  // One `docker info` (the CLI starts it before reading the workspace) tells whether docker and its buildx
  // plugin are there, and buildx then runs as that plugin. The other checks start at once, none needing
  // another's answer, and are read in the order a user needs them said: a missing docker or buildx first,
  // then the definition, then the daemon and the builder.
  const docker = options.docker ?? askDocker();
  docker.catch(() => undefined);
  const { version, plugin } = await detectBuildx(docker);
  runBuildxDirectly(plugin);
  const daemonAnswer = wanted ? checkDaemon(docker) : undefined;
  const inspected = wanted ? inspectBuilder(options.builder) : undefined;
  const printing = printBake(bakeFile, printTargets(plan, options.load), options.set, project.outDir, {
    definition: bakeJson.content,
    ...(options.builder ? { builder: options.builder } : {}),
  });
  for (const started of [daemonAnswer, inspected, printing]) started?.catch(() => undefined);
  const engine = daemonAnswer
    ? (async () => {
        const daemon = await daemonAnswer;
        const info = await inspected!;
        return { info, checks: await checkPlatforms(info, plan.platforms, options.builder, probeMemo(process.env, Date.now(), daemon)) };
      })()
    : undefined;
  engine?.catch(() => undefined);
  const printed = await printing;
  checkPrintedPlatforms(printed);
  // The push fingerprint's base images, looked up beside the builder's inspection (the docker driver's
  // store answers for them; another driver's registry lookups wait for the driver).
  const storeIds = new Map(
    wanted && options.push && !options.noCache ? baseImageRefs(printed).map((ref) => [ref, storeImageId(ref)] as const) : [],
  );
  const resolvedImages = imageSteps(plan, printed);
  if (options.push) assertPushable(resolvedImages);
  const progress = progressPlan(options.progress, version, options.isTTY ?? process.stderr.isTTY === true);

  let builder: BuilderInfo | undefined;
  if (engine) {
    const registries = options.push
      ? (() => {
          const refs = resolvedImages.map((i) => i.tags[0] ?? i.platforms[0]!.tag);
          const repos = [...new Map(refs.map((ref) => [repositoryOf(ref), ref])).values()];
          return Promise.allSettled(repos.map((ref) => checkRegistry(ref, options.builder)));
        })()
      : Promise.resolve([]);
    const { info, checks } = await engine;
    builder = info;
    for (const c of checks) {
      if (c.state === 'probed') options.log(`note: ${c.note}`);
      if (c.state === 'no-emulation' || c.state === 'unknown') options.log(`warning: ${c.note}`);
    }
    // in parallel, but the first repository's verdict is the one reported
    const settled = await registries;
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    for (const s of settled) if (s.status === 'fulfilled' && s.value) options.log(`warning: ${s.value}`);
  }
  if (options.dryRun && options.push) {
    // which push path the commands take depends on the driver; a dry run does not start the builder
    builder = await inspectBuilder(options.builder, false).catch(() => undefined);
  }
  const driver = builder?.driver ?? 'docker';

  const request: BakeRequest = {
    push: options.push,
    load: options.load,
    noCache: options.noCache,
    set: options.set,
    bakeFile,
    driver,
    multiPlatformStore: builder?.multiPlatformStore ?? false,
    ...(options.builder ? { builder: options.builder } : {}),
  };
  let steps = bakeSteps(plan, printed, request);
  // --print asks no builder, so the build's shape there is a guess
  if (!options.print) assertSetsReach(plan, steps, request);

  if (options.print || options.dryRun) {
    options.out(`${JSON.stringify(printed, null, 2)}\n`);
    if (options.dryRun) {
      const dir = relative(options.cwd, project.outDir) || '.';
      const calls = buildCalls(steps);
      if (calls.length > 1) options.out(`# the build, in ${calls.length} calls of whole images, one after another:\n`);
      if (steps.early)
        options.out(
          `# a build that finds the caches missing also builds ${steps.early.name} (first) and ${steps.cacheExport?.targets.join(', ')} (last), which write them, and runs no cache call after it\n`,
        );
      for (const call of calls) {
        const argv = bakeArgs({ ...call, progress: progress.buildx, metadataFile: 'METADATA' }, version).map((a) =>
          a === 'METADATA' ? '"$(mktemp -d)/metadata.json"' : shellQuote([a]),
        );
        options.out(`(cd ${shellQuote([dir])} && docker ${argv.join(' ')})\n`);
      }
      if (steps.cacheExport) {
        options.out("# the caches, only when the build ran a step beyond the binaries' own, or a cache is missing:\n");
        for (const call of buildCalls({ bake: steps.cacheExport, runTargets: steps.runTargets })) {
          const cache = bakeArgs({ ...call, progress: progress.buildx }, version).map((a) => shellQuote([a]));
          options.out(`(cd ${shellQuote([dir])} && docker ${cache.join(' ')})\n`);
        }
      }
      for (const push of steps.pushes) options.out(`docker ${shellQuote(push)}\n`);
      if (steps.publish === 'platform-tags' || steps.publish === 'by-digest') {
        for (const image of steps.images) {
          const sources = mergeSources(image, driver, (target) => `<digest of ${target}>`);
          options.out(`docker ${shellQuote(mergeArgs(image, sources, options.builder))}\n`);
        }
      }
      options.log(
        `dry run: nothing was written or built${options.push ? ` (push commands for the ${driver} driver${steps.publish === 'images' ? ' on the containerd image store' : ''}${builder ? '' : ', assumed: the builder did not answer'})` : ''}.`,
      );
    }
    return;
  }
  options.log(
    `preflight ${t()}  (buildx ${version.major}.${version.minor}.${version.patch}, builder ${builder!.name} [${driver}], ${plan.platforms.map((p) => p.docker).join(', ')})`,
  );

  // Beside the fingerprint: whether the caches are there at all (a cold build writes the early cache).
  const missingAtStart = steps.early
    ? missingCaches(steps.caches, project.outDir, options.builder).catch(() => [] as CacheDestination[])
    : Promise.resolve([]);
  // After the push the base images are asked again: one retagged during the build changes the fingerprint.
  const fingerprint = (asked: ReadonlyMap<string, Promise<string | undefined>> = new Map()) =>
    options.push && !options.noCache
      ? pushFingerprintNow(project, files, printed, options, { driver, builder: builder!.name, publish: steps.publish, storeIds: asked })
      : undefined;
  const before = await fingerprint(storeIds);
  if (before && (await unchangedSincePush(before.whole, { options, reportFile, metadataFile, started: new Date() }))) return;
  // The images whose own files did not change since their push: left out of this build, reported as pushed then.
  const kept = before ? await unchangedImages(project, before, options) : new Map<string, ImageRecord>();
  if (kept.size === plan.selected.length) {
    const r: Report = {
      generatedBy: 'crossbake bake',
      ok: true,
      exitCode: 0,
      mode: 'push',
      builder: { name: builder!.name, driver },
      started: new Date().toISOString(),
      seconds: 0,
      ...keptReport(plan, kept),
      failures: [],
    };
    options.out(formatReport(r));
    if (reportFile) writeAtomically(reportFile, `${JSON.stringify(r, null, 2)}\n`);
    if (metadataFile) writeAtomically(metadataFile, `${JSON.stringify(keptMetadata(kept), null, 2)}\n`);
    return;
  }
  if (kept.size > 0) steps = bakeSteps(plan, printed, { ...request, skip: new Set(kept.keys()) });

  const build = (await missingAtStart).length > 0 ? withCacheTargets(steps) : { ...steps, cachesExported: false };
  t = timer();
  const started = new Date();
  const lockCount = project.workspace.lockfile?.packages.length;
  const view = viewPlan(plan, build.runTargets, lockCount);
  const calls = buildCalls(build);
  const early =
    options.push && steps.publish === 'images'
      ? earlyPushes(steps, project.outDir, (log) => Promise.all([readPushed(steps, options.builder, log), fingerprint()]))
      : undefined;
  const outcome = await runCalls(calls, version, project.outDir, (call) => ({
    ...(early ? { onProgress: (log: BuildLog) => early.seen(log, call.targets) } : {}),
    progress,
    write: progressOut,
    size: () => ({ columns: process.stderr.columns || 100, rows: process.stderr.rows || 30 }),
    color: !process.env.NO_COLOR,
    view:
      call === build.bake
        ? view
        : viewPlan(
            plan,
            build.runTargets.filter((r) => call.targets.includes(r.name)),
            lockCount,
          ),
  }));
  const buildSeconds = Math.round((Date.now() - started.getTime()) / 100) / 10;
  const times = stageTimes(outcome.log, view);
  const attribution = attribute(outcome.log, build.runTargets, outcome.exitCode);
  options.log(`build     ${t()}`);

  const report = (rows: ReportRow[], images: ReportImage[], exitCode: number): Report => ({
    generatedBy: 'crossbake bake',
    ok: exitCode === 0,
    exitCode,
    mode: options.push ? 'push' : options.load ? 'load' : 'build',
    builder: { name: builder!.name, driver },
    started: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 100) / 10,
    rows,
    images,
    failures: failuresForReport(attribution.failures, attribution.slots),
  });

  if (outcome.exitCode !== 0) {
    const pushedEarly = early?.pushing ? await pushedBeforeFailure(early.pushing) : undefined;
    const unstarted = calls.slice(outcome.calls).flatMap((c) => c.targets);
    const notes = [
      ...(unstarted.length > 0
        ? [
            `The build ran in ${calls.length} calls of whole images; the ${calls.length - outcome.calls} after the failing one did not start (${unstarted.join(', ')}).`,
          ]
        : []),
      ...(pushedEarly ? [pushedEarly.note] : steps.publish ? [NOTHING_PUBLISHED[steps.publish]] : []),
    ];
    const error = failureError(attribution, notes);
    const rows = withStages(rowsFromSlots(attribution.slots), times);
    const r = report(
      [...rows, ...keptReport(plan, kept).rows],
      [
        ...steps.images.map((i) => ({ image: i.bin, tags: i.tags, pushed: pushedEarly?.pushed ?? false })),
        ...keptReport(plan, kept).images,
      ],
      error.exitCode,
    );
    options.out(formatReport(r));
    if (reportFile) writeAtomically(reportFile, `${JSON.stringify(r, null, 2)}\n`);
    throw error;
  }

  // The cache export and the platform images' pushes side by side (a build and `docker push`, not two
  // builds); the multi-platform tags only once both succeeded.
  const pushing = early?.pushing ?? (options.push ? pushPlatforms(steps, project.outDir, options.log) : Promise.resolve());
  const [exported, pushedPlatforms] = await Promise.allSettled([
    exportCaches(steps, stepsRun(outcome.log, build.runTargets), plan, {
      inBuild: build.cachesExported,
      noCache: options.noCache,
      log: options.log,
      write: progressOut,
      version,
      progress,
      view,
      outDir: project.outDir,
      ...(steps.publish ? { publish: steps.publish } : {}),
      ...(options.builder ? { builder: options.builder } : {}),
    }),
    pushing,
  ]);
  await early?.readBack?.catch(() => undefined);
  for (const line of early?.lines ?? []) options.log(line);
  if (pushedPlatforms.status === 'rejected') throw pushedPlatforms.reason;
  if (exported.status === 'rejected') throw exported.reason;

  // Beside the merge: an index that keeps growing stops being read at 1 MiB, and builds then start cold.
  const indexes = exported.value ? cacheIndexSizes(steps.caches, options.builder) : Promise.resolve([]);
  const pushed = !options.push
    ? undefined
    : steps.publish === 'images'
      ? ((await early?.readBack)?.[0] ?? (await readPushed(steps, options.builder, options.log)))
      : await mergeImages(steps, outcome, driver, project.outDir, options.builder, options.log);
  for (const { ref, size } of (await indexes).filter((i) => i.size > CACHE_INDEX_LIMIT / 2)) {
    options.log(
      `warning: cache ${ref} has an index of ${(size / 1024).toFixed(0)} KiB, over half of the ${CACHE_INDEX_LIMIT / 1024} KiB BuildKit reads; past that, builds cannot read it and start cold. ${INDEX_GROWTH}`,
    );
  }
  const { rows, images, metadata } = await results(steps, attribution.slots, outcome, {
    ...(pushed ? { pushed } : {}),
    load: options.load,
    storeSizes: driver === 'docker' || options.load,
    multiPlatform: plan.platforms.length > 1,
    ...(options.builder ? { builder: options.builder } : {}),
  });
  const staged = withStages(rows, times);
  const all = keptReport(plan, kept, { rows: staged, images });
  const allMetadata = { ...metadata, ...keptMetadata(kept) };
  const r = { ...report(all.rows, all.images, 0), buildSeconds, ...remembered(project, options, all.rows, buildSeconds) };
  options.out(formatReport(r));
  if (reportFile) writeAtomically(reportFile, `${JSON.stringify(r, null, 2)}\n`);
  if (metadataFile) writeAtomically(metadataFile, `${JSON.stringify(allMetadata, null, 2)}\n`);
  // Remembered only when the inputs are the same after the build as before it (nothing edited meanwhile).
  const after = early?.readBack ? (await early.readBack)[1] : await fingerprint();
  if (before && pushed && after?.whole === before.whole) {
    const tags = await pushedTags(steps, pushed, options.builder);
    if (tags) {
      const at = new Date().toISOString();
      const keptTags = Object.assign({}, ...[...kept.values()].map((k) => k.tags)) as Record<string, string>;
      pushRecords().put({ fingerprint: before.whole, at, tags: { ...keptTags, ...tags }, report: r, metadata: allMetadata });
      rememberImages(project, before, {
        steps,
        kept,
        tags,
        rows: staged,
        images,
        metadata,
        at,
        printed: printedInputs(
          outcome.log,
          build.runTargets.map((t) => t.name),
        ),
      });
    }
  }
  if (!options.push && !options.load && driver !== 'docker') {
    options.log(`note: the ${driver} driver keeps the result in its build cache only; pass --load or --push to get images.`);
  }
}

/**
 * The containerd-store pushes, started as soon as every image of the build is in the image store
 * (exportedImages) instead of after buildx returns: BuildKit spends 1-3 s after the last export
 * finishing its build records, and the pushes run beside that, and then `readBack` (what the registry
 * has under the pushed tags, and the inputs' fingerprint again). Their log lines wait for the build's.
 */
function earlyPushes<T>(steps: BakeSteps, cwd: string, readBack: (log: (line: string) => void) => Promise<T>) {
  const waiting = new Set(steps.runTargets.map((t) => t.name));
  const lines: string[] = [];
  const state: {
    pushing?: Promise<void>;
    readBack?: Promise<T>;
    lines: string[];
    seen: (log: BuildLog, targets: readonly string[]) => void;
  } = {
    lines,
    seen(log, targets) {
      if (state.pushing || waiting.size === 0) return;
      const done = exportedImages(log, targets);
      if (!done) return;
      for (const target of done) waiting.delete(target);
      if (waiting.size > 0) return;
      state.pushing = pushPlatforms(steps, cwd, (line) => lines.push(line));
      state.pushing.catch(() => undefined);
      state.readBack = state.pushing.then(() => readBack((line) => lines.push(line)));
      state.readBack.catch(() => undefined);
    },
  };
  return state;
}

/** What a failed build's pushes, started once every image was in the store, did. */
async function pushedBeforeFailure(pushing: Promise<void>): Promise<{ note: string; pushed: boolean }> {
  try {
    await pushing;
    return {
      pushed: true,
      note: 'Every image was whole in the image store before buildx failed, and crossbake had pushed them: the registry has the new tags. Run again for the caches and the report.',
    };
  } catch (e) {
    return {
      pushed: false,
      note: `Every image was whole in the image store before buildx failed; pushing them failed as well: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

/** What a failed build says it left in the registry, by how --push publishes. */
const NOTHING_PUBLISHED: Record<Publish, string> = {
  images:
    'Nothing was pushed: crossbake pushes the images only after every image built for every platform; the registry still has the tags as they were.',
  'platform-tags':
    'Nothing was pushed: crossbake pushes the per-platform images only after every platform built, and tags the multi-platform image last.',
  'by-digest':
    'Nothing was tagged: per-platform images that finished went to the registry by digest only (untagged); crossbake tags the multi-platform image only after every platform built.',
};

/** Bump when what a push record means changes: older records then never match. */
const PUSH_RECORD_FORMAT = 'crossbake push record 2';

/** The base images the build resolves: every `*_IMAGE` build arg, as buildx printed it. */
function baseImageRefs(printed: BakePrint): string[] {
  const images = new Set<string>();
  for (const target of Object.values(printed.target) as Array<{ args?: Record<string, string> }>) {
    for (const [name, value] of Object.entries(target.args ?? {})) if (/_IMAGE$/.test(name) && value) images.add(value);
  }
  return [...images].sort();
}

/** What a push is made of, fingerprinted whole and per image (src/buildx/image-inputs.ts). */
interface PushState {
  /** Everything: the same means nothing to build. */
  readonly whole: string;
  /** Everything but the workspace's own context, which counts per image. */
  readonly base: string;
  /** The workspace context's entries (contextEntries), for each image's files. */
  readonly entries: ReadonlyMap<string, string>;
}

/**
 * The fingerprints of everything a push is made of, or undefined when some part cannot be read here (a
 * remote build context, a base image the store does not have): then the build runs as usual.
 */
async function pushFingerprintNow(
  project: Project,
  files: readonly { name: string; path: string; content: string }[],
  printed: BakePrint,
  options: BakeOptions,
  engine: {
    driver: string;
    builder: string;
    publish: Publish | undefined;
    /** Image IDs already asked of the docker driver's store, by reference. */
    storeIds: ReadonlyMap<string, Promise<string | undefined>>;
  },
): Promise<PushState | undefined> {
  const { driver, builder: builderName, publish, storeIds } = engine;
  const ignore = files.find((f) => basename(f.path).endsWith('.dockerignore'));
  const exclusions = ignore ? plainExclusions(ignore.content) : [];
  const contexts: Record<string, string> = {};
  let entries: ReadonlyMap<string, string> | undefined;
  for (const target of Object.values(printed.target) as Array<{ context?: string; contexts?: Record<string, string> }>) {
    const local = [target.context ?? '.', ...Object.values(target.contexts ?? {})];
    for (const [i, dir] of local.entries()) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) || dir.startsWith('target:')) return undefined;
      const path = isAbsolute(dir) ? dir : resolve(project.outDir, dir);
      if (contexts[path] === undefined) {
        try {
          const read = contextEntries(path, i === 0 ? exclusions : []);
          contexts[path] = entriesDigest(read);
          if (path === project.root) entries = read;
        } catch {
          return undefined;
        }
      }
    }
  }
  const refs = baseImageRefs(printed);
  const ids = await Promise.all(
    refs.map((ref) => (driver === 'docker' ? (storeIds.get(ref) ?? storeImageId(ref)) : registryDigest(ref, options.builder))),
  );
  if (ids.some((id) => id === undefined)) return undefined;
  const inputs = {
    crossbake: PUSH_RECORD_FORMAT,
    files: files.map((f) => ({ name: relative(project.outDir, f.path), content: f.content })),
    printed,
    set: options.set,
    driver,
    ...(publish ? { publish } : {}),
    builder: builderName,
    contexts,
    baseImages: Object.fromEntries(refs.map((ref, i) => [ref, ids[i]!])),
    env: buildEnv(process.env),
  };
  return {
    whole: pushFingerprint(inputs),
    base: pushFingerprint({ ...inputs, contexts: { ...contexts, [project.root]: 'per image' } }),
    entries: entries ?? new Map(),
  };
}

/** Every tag the push wrote and the digest it names now; undefined when one cannot be read back. */
async function pushedTags(steps: BakeSteps, pushed: Pushed, builder?: string): Promise<Record<string, string> | undefined> {
  const tags = [
    ...steps.images.flatMap((i) => i.tags),
    ...steps.images.flatMap((i) => i.platforms.map((p) => p.tag)).filter(() => steps.publish === 'platform-tags'),
  ];
  const digests = await Promise.all(tags.map((tag) => pushed.tags.get(tag) ?? registryDigest(tag, builder)));
  if (digests.some((d) => d === undefined) || pushed.indexes.size === 0) return undefined;
  return Object.fromEntries(tags.map((tag, i) => [tag, digests[i]!]));
}

/**
 * With the same inputs as a remembered push, and every tag it wrote still naming what it pushed, there is
 * nothing to build: the report is that push's, each row "unchanged". Any tag moved or gone: build.
 */
async function unchangedSincePush(
  fingerprint: string,
  context: { options: BakeOptions; reportFile?: string; metadataFile?: string; started: Date },
): Promise<boolean> {
  const record: PushRecord | undefined = pushRecords().get(fingerprint);
  if (!record) return false;
  const t = timer();
  const tags = Object.keys(record.tags);
  const now = await Promise.all(tags.map((tag) => registryDigest(tag, context.options.builder)));
  const moved = movedTags(record, Object.fromEntries(tags.map((tag, i) => [tag, now[i]])));
  if (moved.length > 0) {
    context.options.log(
      `unchanged ${t()}  (same inputs as the push of ${record.at}, but ${moved[0]}${moved.length > 1 ? ` and ${moved.length - 1} more` : ''} changed in the registry: building)`,
    );
    return false;
  }
  context.options.log(
    `unchanged ${t()}  (same sources, settings and base images as the push of ${record.at}, and its ${tags.length} tags still name those images: nothing to build; --no-cache builds anyway)`,
  );
  const seconds = Math.round((Date.now() - context.started.getTime()) / 100) / 10;
  const r = unchangedReport(record, context.started, seconds);
  context.options.out(formatReport(r));
  if (context.reportFile) writeAtomically(context.reportFile, `${JSON.stringify(r, null, 2)}\n`);
  if (context.metadataFile) writeAtomically(context.metadataFile, `${JSON.stringify(record.metadata, null, 2)}\n`);
  return true;
}

/**
 * The images whose own files, and everything else that counts for them, are the same as in one of their
 * recorded pushes (src/buildx/image-inputs.ts), and whose tags still name what that push wrote: by binary.
 */
async function unchangedImages(project: Project, state: PushState, options: BakeOptions): Promise<Map<string, ImageRecord>> {
  const t = timer();
  const store = imageRecords();
  const found = await Promise.all(
    project.plan.selected.map(async (image) => {
      const record = store
        .list(project.root, image.target)
        .find((r) => imageFingerprint(state.base, image.target, r.inputs, state.entries) === r.fingerprint);
      if (!record) return undefined;
      const tags = Object.keys(record.tags);
      const now = await Promise.all(tags.map((tag) => registryDigest(tag, options.builder)));
      const moved = movedTags(record, Object.fromEntries(tags.map((tag, i) => [tag, now[i]])));
      return moved.length === 0 ? ([image.bin, record] as const) : undefined;
    }),
  );
  const kept = new Map(found.filter((f) => f !== undefined));
  if (kept.size > 0) {
    const names = [...kept.keys()];
    options.log(
      `unchanged ${t()}  (${names.join(', ')}: the files ${names.length === 1 ? 'it is' : 'they are'} built from, and the settings and base images, the same as in a push this machine remembers, ${names.length === 1 ? 'its' : 'their'} tags still naming what it pushed: left out of this build)`,
    );
  }
  return kept;
}

/** The report's rows and images, the kept images' (unchanged) beside the built ones, in the Plan's order. */
function keptReport(
  plan: Plan,
  kept: ReadonlyMap<string, ImageRecord>,
  built: { rows: readonly ReportRow[]; images: readonly ReportImage[] } = { rows: [], images: [] },
): { rows: ReportRow[]; images: ReportImage[] } {
  const order = (bin: string) => plan.selected.findIndex((i) => i.bin === bin);
  const records = [...kept.values()];
  return {
    rows: [...built.rows, ...records.flatMap(unchangedRows)].sort((a, b) => order(a.image) - order(b.image)),
    images: [...built.images, ...records.map((r) => r.image)].sort((a, b) => order(a.image) - order(b.image)),
  };
}

const keptMetadata = (kept: ReadonlyMap<string, ImageRecord>): Metadata => Object.assign({}, ...[...kept.values()].map((r) => r.metadata));

/**
 * Each built image's record for the next push: its files as build-all printed them on every platform, or,
 * where build-all came from the cache and printed nothing, the lists of an earlier record whose files are
 * the same now (carriedInputs); and every binary's, the kept images' from their records.
 */
function rememberImages(
  project: Project,
  state: PushState,
  run: {
    steps: BakeSteps;
    kept: ReadonlyMap<string, ImageRecord>;
    tags: Readonly<Record<string, string>>;
    rows: readonly ReportRow[];
    images: readonly ReportImage[];
    metadata: Metadata;
    at: string;
    printed: ReturnType<typeof printedInputs>;
  },
): void {
  const store = imageRecords();
  const own = new Map<string, readonly string[]>();
  for (const image of project.plan.selected) {
    const lists =
      inputsOn(
        run.printed,
        image.bin,
        image.platforms.map((p) => p.platform.docker),
      ) ?? carriedInputs(store.list(project.root, image.target), state.entries)?.own;
    if (lists) own.set(image.bin, lists);
  }
  for (const [bin, record] of run.kept) own.set(bin, record.inputs.own);
  const known = [...new Set([...own.values()].flat())].sort();
  for (const image of run.steps.images) {
    const files = own.get(image.bin);
    const report = run.images.find((i) => i.image === image.bin);
    if (!files || !report) continue;
    const targets = [image.target, ...image.platforms.map((p) => p.target)];
    const tagNames = [...image.tags, ...(run.steps.publish === 'platform-tags' ? image.platforms.map((p) => p.tag) : [])];
    if (tagNames.some((tag) => run.tags[tag] === undefined)) continue;
    const inputs = { own: files, known };
    store.add(project.root, image.target, {
      fingerprint: imageFingerprint(state.base, image.target, inputs, state.entries),
      at: run.at,
      inputs,
      relevant: relevantDigest(state.entries, inputs),
      tags: Object.fromEntries(tagNames.map((tag) => [tag, run.tags[tag]!])),
      rows: run.rows.filter((r) => r.image === image.bin),
      image: report,
      metadata: Object.fromEntries(Object.entries(run.metadata).filter(([target]) => targets.includes(target))),
    });
  }
}

/**
 * The caches, written apart from the build: only when the build ran a step (or --no-cache) or a cache it
 * writes is missing. When every step came from the local cache and each cache is in place, the caches
 * already hold what this build would write (mode=max records every step, and none is new).
 */
async function exportCaches(
  steps: BakeSteps,
  ran: readonly string[],
  plan: Plan,
  context: {
    noCache: boolean;
    log: (line: string) => void;
    write: (text: string) => void;
    version: Version;
    progress: ProgressPlan;
    view: ViewPlan;
    outDir: string;
    /** The build call had the cache targets (withCacheTargets) and wrote every cache already. */
    inBuild: boolean;
    /** What is pushed meanwhile (docker driver): the message says so when the export fails. */
    publish?: Publish;
    builder?: string;
  },
): Promise<boolean> {
  if (!steps.cacheExport) return false;
  const t = timer();
  if (context.inBuild) {
    context.log(`cache     ${t()}  (caches missing at the start: the build wrote all ${steps.caches.length})`);
    return true;
  }
  const reused = stepsForCaches(plan, ran);
  const built = context.noCache || reused.length > 0;
  const missing = built ? [] : await missingCaches(steps.caches, context.outDir, context.builder);
  if (!built && missing.length === 0) {
    const why =
      ran.length > reused.length
        ? `only the binaries' own steps ran, and all ${steps.caches.length} caches hold the layers the next build reuses`
        : `every step cached and all ${steps.caches.length} caches in place`;
    context.log(`cache     ${t()}  (${why}: nothing to export)`);
    return false;
  }
  // On a terminal the build's table stays as the last thing drawn: the export, every step cached, is one line.
  const live = context.progress.show === 'live';
  if (live) context.log(`cache     exporting ${steps.caches.length} cache${steps.caches.length === 1 ? '' : 's'}`);
  const outcome = await runCalls(
    buildCalls({ bake: steps.cacheExport, runTargets: steps.runTargets }),
    context.version,
    context.outDir,
    () => ({
      progress: live ? { ...context.progress, show: 'none' } : context.progress,
      write: context.write,
      size: () => ({ columns: process.stderr.columns || 100, rows: process.stderr.rows || 30 }),
      color: !process.env.NO_COLOR,
      view: context.view,
    }),
  );
  if (outcome.exitCode !== 0) {
    const attribution = attribute(outcome.log, steps.runTargets, outcome.exitCode);
    throw failureError(
      attribution,
      context.publish === 'images'
        ? 'The images were built and pushed under their tags, but the cache export failed: the next build reads the caches as they were.'
        : context.publish === 'platform-tags'
          ? "The images were built and each platform's image pushed under its own tag, but no multi-platform tag was written: the cache export failed."
          : 'The images were built, but nothing was pushed or tagged: the cache export failed.',
    );
  }
  context.log(
    `cache     ${t()}  (${built ? `${reused.length || 'every'} step${reused.length === 1 ? '' : 's'} ran` : `${missing.length} cache${missing.length === 1 ? '' : 's'} missing`}: exported)`,
  );
  return true;
}

/** This build into the machine's history, and what the cache saved against the last cold one. */
function remembered(
  project: Project,
  options: BakeOptions,
  rows: readonly ReportRow[],
  seconds: number,
): Pick<Report, 'saved' | 'coldRecorded'> {
  const file = historyFile();
  const history = readHistory(file);
  const build: BuildRecord = {
    workspace: project.root,
    slots: rows.map((r) => `${r.image} ${r.platform}`).sort(),
    multiPlatform: options.load,
    seconds,
    cold: isCold(rows),
    at: new Date().toISOString(),
  };
  const saved = savedAgainst(history, build);
  const problem = writeHistory(file, remember(history, build));
  if (problem) options.log(`note: cannot remember this build in ${file} (${problem}); the next report cannot say what the cache saved.`);
  return { ...(saved ? { saved } : {}), ...(build.cold ? { coldRecorded: true } : {}) };
}
