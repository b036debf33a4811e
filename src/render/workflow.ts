import { Document, isMap, isSeq, type Node, Scalar, visit } from 'yaml';
import { FAILURE_LINE_PATTERN } from '../failure-lines.js';
import { generatedHeader, seal } from '../generated.js';
import { BUILD_ALL, type CacheSpec, DEPS, type ImagePlan, type Plan } from '../plan.js';
import type { Platform } from '../platforms.js';
import type { CiConfig } from '../settings/index.js';
import { templates } from '../templates.js';
import { cacheLists } from './cache.js';

/**
 * The GitHub Actions workflow that `crossbake ci` writes: the committed bake file built by
 * docker/bake-action, one job per binary (or per binary and platform with `split`).
 */

/** Every action the workflow uses, pinned to a major version; bump them here. */
export const ACTIONS = {
  checkout: 'actions/checkout@v4',
  metadata: 'docker/metadata-action@v5',
  setupBuildx: 'docker/setup-buildx-action@v3',
  login: 'docker/login-action@v3',
  bake: 'docker/bake-action@v6',
  uploadArtifact: 'actions/upload-artifact@v4',
  downloadArtifact: 'actions/download-artifact@v4',
} as const;

export interface WorkflowOptions {
  /** Shown in the header: the manifest the workflow was generated from. */
  readonly source: string;
  /** The command that regenerates the file, for the header. */
  readonly command: string;
  readonly split: boolean;
  /** The directory of the committed bake file relative to the repository root ('.' for the root). */
  readonly bakeDir: string;
}

export const WORKFLOW_PATH = '.github/workflows/crossbake.yml';
export const BAKE_FILE = 'docker-bake.hcl';

const NOT_PR = "github.event_name != 'pull_request'";

/** Native arm64 runners build linux/arm64; every other platform is cross-compiled on the default runner. */
export function runnerFor(config: CiConfig, platform: Platform): string {
  return platform.arch === 'arm64' ? config.armRunner : config.runner;
}

const expr = (e: string) => `\${{ ${e} }}`;
const lines = (items: readonly string[]) => `${items.join('\n')}\n`;

/** docker/metadata-action tags: branch pushes, PR numbers (never pushed), versions from v* tags, and the commit. */
const METADATA_TAGS = [
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=sha',
];

/** Our per-binary title and description win over metadata-action's defaults (the repository's). */
const LABELS = lines([
  `org.opencontainers.image.title=${expr('matrix.title')}`,
  `org.opencontainers.image.description=${expr('matrix.description')}`,
]);

function loginStep(config: CiConfig): Record<string, unknown> {
  const credentials =
    config.kind === 'dockerhub'
      ? { username: expr('secrets.DOCKERHUB_USERNAME'), password: expr('secrets.DOCKERHUB_TOKEN') }
      : config.kind === 'ghcr'
        ? { registry: config.loginHost, username: expr('github.actor'), password: expr('secrets.GITHUB_TOKEN') }
        : { registry: config.loginHost, username: expr('secrets.REGISTRY_USERNAME'), password: expr('secrets.REGISTRY_PASSWORD') };
  const name = config.kind === 'dockerhub' ? 'Docker Hub' : config.kind === 'ghcr' ? 'GitHub Container Registry' : config.loginHost;
  return { name: `Log in to ${name}`, if: NOT_PR, uses: ACTIONS.login, with: credentials };
}

/**
 * The scripts (docker/workflow/*.sh): check that the committed bake files are there; after a failed bake, report
 * the build log's first failure line (`docker buildx history logs`, buildx 0.23+, plain progress lines
 * "#12 3.4 text") and the platform of the step that printed it ("#12 [linux/amd64->arm64 build-backend 4/6]
 * RUN ...") in the job summary and an annotation; in split mode, export each platform's digest and merge
 * them into one index.
 */
const SCRIPTS = templates.workflow;

function bakeWith(options: WorkflowOptions, files: string[], target: string, extra: Record<string, string>, set: string[]) {
  return {
    source: '.',
    ...(options.bakeDir === '.' ? {} : { workdir: options.bakeDir }),
    files: lines(files),
    targets: target,
    ...extra,
    set: lines(set),
  };
}

/** The matrix's cache lines, when the Plan has a CI cache: with none, an empty `set` line would remain. */
const cacheLine = (plan: Plan): string[] => (plan.images.some((i) => i.ciCache) ? [expr('matrix.cache')] : []);

/** The bake `--set` lines of one target's CI cache, as the Plan derives them; carried in the matrix. */
function cacheSet(plan: Plan, target: string, spec: CacheSpec | undefined): string {
  if (!spec) return '';
  const { from, to } = cacheLists(spec, plan, (image, tag) => `${image}:${tag ?? 'latest'}`);
  return [...from.map((f) => `${target}.cache-from=${f}`), ...to.map((t) => `${target}.cache-to=${t}`)].join('\n');
}

function commonSteps(plan: Plan, config: CiConfig, options: WorkflowOptions) {
  const checkout = { name: 'Check out', uses: ACTIONS.checkout };
  const planner = plan.skeleton.mode === 'crossbake' ? { PLANNER: `${plan.skeleton.planner.dir}/${plan.skeleton.planner.file}` } : {};
  const check = {
    name: 'Check the generated bake files',
    ...(options.bakeDir === '.' ? {} : { 'working-directory': options.bakeDir }),
    env: { BAKE_DIR: options.bakeDir, ...planner },
    run: SCRIPTS.check,
  };
  const buildx = { name: 'Set up Docker Buildx', uses: ACTIONS.setupBuildx };
  return { checkout, check, buildx, login: loginStep(config) };
}

/** Jobs that push to GHCR need packages: write; everything else keeps the workflow's contents: read. */
function permissions(config: CiConfig): Record<string, string> | undefined {
  return config.kind === 'ghcr' ? { contents: 'read', packages: 'write' } : undefined;
}

/** Runs only when the bake step failed; PLATFORM is known in split mode, read from the log otherwise. */
function reportStep(target: string, platform?: string) {
  return {
    name: 'Report the failure',
    if: "failure() && steps.bake.outcome == 'failure'",
    env: { TARGET: target, ...(platform ? { PLATFORM: platform } : {}), FAILURE_LINE: FAILURE_LINE_PATTERN },
    run: SCRIPTS.report,
  };
}

function singleJobs(plan: Plan, config: CiConfig, options: WorkflowOptions): Record<string, unknown> {
  const { checkout, check, buildx, login } = commonSteps(plan, config, options);
  const bin = expr('matrix.bin');
  const perms = permissions(config);
  return {
    build: {
      name: `build ${bin}`,
      'runs-on': config.runner,
      ...(perms ? { permissions: perms } : {}),
      strategy: {
        'fail-fast': false,
        matrix: {
          include: plan.selected.map((image) => ({
            bin: image.target,
            image: image.ciRepository,
            title: image.labels.title,
            description: image.labels.description,
            cache: cacheSet(plan, image.target, image.ciCache),
          })),
        },
      },
      steps: [
        checkout,
        check,
        {
          name: 'Docker metadata',
          id: 'meta',
          uses: ACTIONS.metadata,
          with: {
            images: expr('matrix.image'),
            'bake-target': bin,
            tags: lines(METADATA_TAGS),
            labels: LABELS,
          },
        },
        buildx,
        login,
        {
          name: `Build ${bin} for ${plan.platforms.map((p) => p.docker).join(', ')}`,
          id: 'bake',
          uses: ACTIONS.bake,
          with: bakeWith(options, [BAKE_FILE, `cwd://${expr('steps.meta.outputs.bake-file')}`], bin, { push: expr(NOT_PR) }, [
            `${bin}.args.${BUILD_ALL.arg}=${expr('matrix.bin')}`,
            ...cacheLine(plan),
          ]),
        },
        reportStep(bin),
      ],
    },
  };
}

function splitJobs(plan: Plan, config: CiConfig, options: WorkflowOptions): Record<string, unknown> {
  const { checkout, check, buildx, login } = commonSteps(plan, config, options);
  const bin = expr('matrix.bin');
  const target = expr('matrix.target');
  const perms = permissions(config);
  const imageStep = { name: 'Image name', id: 'image', env: { IMAGE: expr('matrix.image') }, run: SCRIPTS.imageName };
  // The build job takes only the labels (its tags are cleared: it pushes by digest); merge takes the tags.
  const metadata = (bakeTarget?: string) => ({
    name: 'Docker metadata',
    id: 'meta',
    uses: ACTIONS.metadata,
    with: {
      images: expr('steps.image.outputs.name'),
      ...(bakeTarget ? { 'bake-target': bakeTarget } : {}),
      tags: lines(METADATA_TAGS),
      ...(bakeTarget ? { labels: LABELS } : {}),
    },
  });
  const perBin = (image: ImagePlan) => ({
    bin: image.bin,
    image: image.ciRepository,
    title: image.labels.title,
    description: image.labels.description,
  });
  return {
    build: {
      name: `build ${bin} ${expr('matrix.platform')}`,
      'runs-on': expr('matrix.runner'),
      ...(perms ? { permissions: perms } : {}),
      strategy: {
        'fail-fast': false,
        matrix: {
          include: plan.selected.flatMap((image) =>
            image.platforms.map((p) => ({
              ...perBin(image),
              platform: p.platform.docker,
              key: p.platform.key,
              target: p.target,
              runner: runnerFor(config, p.platform),
              cache: cacheSet(plan, p.target, p.ciCache),
            })),
          ),
        },
      },
      steps: [
        checkout,
        check,
        imageStep,
        metadata(target),
        buildx,
        login,
        {
          name: `Build ${target}`,
          id: 'bake',
          uses: ACTIONS.bake,
          with: bakeWith(options, [BAKE_FILE, `cwd://${expr('steps.meta.outputs.bake-file-labels')}`], target, {}, [
            `${target}.tags=`,
            `${target}.args.${BUILD_ALL.arg}=${bin}`,
            `${target}.args.${DEPS.arg}=${expr('matrix.platform')}`,
            ...cacheLine(plan),
            `${target}.output=type=image,name=${expr('steps.image.outputs.name')},push-by-digest=true,name-canonical=true,push=${expr(NOT_PR)}`,
          ]),
        },
        {
          name: 'Export the digest',
          if: NOT_PR,
          env: { TARGET: target, METADATA: expr('steps.bake.outputs.metadata') },
          run: SCRIPTS.digest,
        },
        {
          name: 'Upload the digest',
          if: NOT_PR,
          uses: ACTIONS.uploadArtifact,
          with: {
            name: `digests.${bin}.${expr('matrix.key')}`,
            path: `${expr('runner.temp')}/digests/*`,
            'if-no-files-found': 'error',
            'retention-days': 1,
          },
        },
        reportStep(target, expr('matrix.platform')),
      ],
    },
    merge: {
      name: `merge ${bin}`,
      if: NOT_PR,
      needs: 'build',
      'runs-on': config.runner,
      ...(perms ? { permissions: perms } : {}),
      strategy: { 'fail-fast': false, matrix: { include: plan.selected.map(perBin) } },
      steps: [
        imageStep,
        {
          name: 'Download the digests',
          uses: ACTIONS.downloadArtifact,
          with: { path: `${expr('runner.temp')}/digests`, pattern: `digests.${bin}.*`, 'merge-multiple': true },
        },
        buildx,
        login,
        metadata(),
        {
          name: 'Create the multi-platform index',
          'working-directory': `${expr('runner.temp')}/digests`,
          env: { IMAGE: expr('steps.image.outputs.name'), PLATFORM_COUNT: String(plan.platforms.length) },
          run: SCRIPTS.merge,
        },
        {
          name: 'Inspect the index',
          env: { IMAGE: expr('steps.image.outputs.name'), VERSION: expr('steps.meta.outputs.version') },
          run: SCRIPTS.inspect,
        },
      ],
    },
  };
}

function registryLine(config: CiConfig): string {
  switch (config.kind) {
    case 'dockerhub':
      return `Docker Hub, ${config.registry}: secrets DOCKERHUB_USERNAME and DOCKERHUB_TOKEN`;
    case 'ghcr':
      return `GitHub Container Registry, ${config.registry}: the workflow's GITHUB_TOKEN`;
    case 'other':
      return `${config.registry}: secrets REGISTRY_USERNAME and REGISTRY_PASSWORD`;
  }
}

/** The workflow as data, in the order it is written. */
export function workflowDefinition(plan: Plan, config: CiConfig, options: WorkflowOptions): Record<string, unknown> {
  return {
    name: 'crossbake',
    on: {
      pull_request: null,
      push: { branches: [config.mainBranch], tags: ['v*'] },
    },
    permissions: { contents: 'read' },
    concurrency: { group: `${expr('github.workflow')}-${expr('github.ref')}`, 'cancel-in-progress': true },
    defaults: { run: { shell: 'bash' } },
    jobs: options.split ? splitJobs(plan, config, options) : singleJobs(plan, config, options),
  };
}

function headerLines(plan: Plan, config: CiConfig, options: WorkflowOptions): string[] {
  const header = generatedHeader(options.source).replace('`crossbake generate`', `\`${options.command}\``);
  const bakeFile = options.bakeDir === '.' ? BAKE_FILE : `${options.bakeDir}/${BAKE_FILE}`;
  const bins = plan.selected.map((i) => i.bin).join(', ');
  const platforms = plan.platforms.map((p) => p.docker).join(', ');
  return [
    header,
    '',
    `Builds ${bins} for ${platforms} with docker buildx bake from the committed ${bakeFile}`,
    '(run `crossbake generate` and commit what it writes whenever the workspace changes).',
    options.split
      ? `One job per binary and platform (linux/arm64 on ${config.armRunner}, the rest cross-compiled on ${config.runner}), pushed by digest; a merge job per binary tags the multi-platform index.`
      : `One job per binary on ${config.runner}, every platform cross-compiled in one multi-platform build.`,
    `Pull requests: build only. Pushes to ${config.mainBranch}: build and push. Tags v*: build and push with the version tags.`,
    `Registry: ${registryLine(config)}.`,
    plan.cache.type === 'none'
      ? 'Cache: none (cache.type = "none").'
      : `Cache: GitHub Actions cache (type=gha, ${plan.cache.compression}), one scope per binary and platform.`,
  ];
}

/** Blank lines between top-level sections, jobs and steps, for a file people read. */
function space(node: unknown): void {
  if (!isMap(node)) return;
  for (const [index, pair] of node.items.entries()) {
    const key = pair.key as Node | null;
    if (key && index > 0) key.spaceBefore = true;
  }
}

export function renderWorkflow(plan: Plan, config: CiConfig, options: WorkflowOptions): string {
  // Steps shared by jobs are written out each time: no YAML anchors in a file people read.
  const doc = new Document(workflowDefinition(plan, config, options), { aliasDuplicateObjects: false });
  doc.commentBefore = headerLines(plan, config, options)
    .map((l) => (l === '' ? '' : ` ${l}`))
    .join('\n');
  space(doc.contents);
  const jobs = isMap(doc.contents) ? doc.contents.get('jobs') : undefined;
  space(jobs);
  if (isMap(jobs)) {
    for (const job of jobs.items) {
      const steps = isMap(job.value) ? job.value.get('steps') : undefined;
      if (isSeq(steps)) for (const [i, step] of steps.items.entries()) if (i > 0) (step as Node).spaceBefore = true;
    }
  }
  // A regular expression reads best single-quoted: YAML's double quotes would double its backslashes.
  visit(doc, {
    Scalar(_key, node) {
      if (node.value === FAILURE_LINE_PATTERN) node.type = Scalar.QUOTE_SINGLE;
    },
  });
  return seal(doc.toString({ lineWidth: 0, nullStr: '' }));
}
