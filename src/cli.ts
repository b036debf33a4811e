import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { StartedCall } from './buildx/exec.js';
import { askDocker, type DockerInfo } from './buildx/preflight.js';
import { bake } from './commands/bake.js';
import { ci, ciFiles } from './commands/ci.js';
import { checkFiles, generate, outputFiles } from './commands/generate.js';
import { inspectJson, inspectText } from './commands/inspect.js';
import { loadProject, loadWorkspace } from './commands/project.js';
import { verify } from './commands/verify.js';
import { CrossbakeError, formatError, inputError } from './errors.js';
import { flagLayer, SETTING_FLAGS } from './settings/index.js';

const SETTING_FLAG_HELP = SETTING_FLAGS.map((f) => `      --${`${f.flag} ${f.value}`.padEnd(16)}${f.help}`).join('\n');

/** Why a lock change, a version bump or a source change leaves the generated files as they are. */
const NOTHING_TO_REGENERATE = 'nothing to regenerate: Cargo.lock, versions and sources are read inside the build';

const USAGE = `crossbake: a Rust Cargo workspace in, multi-platform Docker images out

Usage:
  crossbake inspect  [--workspace DIR] [--json]
  crossbake generate [--workspace DIR] [--out DIR] [--platforms LIST] [--bin NAME]... [--force | --check]
  crossbake bake     [BIN...] [--push | --load] [--print | --dry-run] [--set T.K=V]... [--no-cache]
                     [--builder NAME] [--progress auto|plain|tty|rawjson|quiet] [--metadata-file FILE]
                     [--report FILE] [generate's options]
  crossbake verify   [BIN...] [--builder NAME] [generate's options]
  crossbake ci       [--workspace DIR] [--out REPO_ROOT] [--split] [--force | --check] [--platforms LIST] [--bin NAME]...

Options:
  -w, --workspace DIR   the Cargo workspace (default: .)
  -o, --out DIR         where the Dockerfile and bake files go (default: the workspace); for ci, the
                        repository root that gets .github/workflows/crossbake.yml (default: the workspace)
      --split           ci: one job per binary and platform, merged into one index (also: ci.split)
${SETTING_FLAG_HELP}
      --force           overwrite generated files even if edited by hand
      --check           generate, ci: write nothing; exit 8 naming every generated file that is not up to date
      --metadata-file F bake: write buildx's metadata, plus each merged multi-platform image, to F
      --report FILE     bake: write the build report (per image and platform) to FILE as JSON
`;

const options = {
  workspace: { type: 'string', short: 'w', default: '.' },
  out: { type: 'string', short: 'o' },
  ...Object.fromEntries(SETTING_FLAGS.map((f) => [f.flag, { type: 'string', multiple: f.multiple === true }])),
  force: { type: 'boolean', default: false },
  split: { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  push: { type: 'boolean', default: false },
  load: { type: 'boolean', default: false },
  print: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  builder: { type: 'string' },
  progress: { type: 'string', default: 'auto' },
  set: { type: 'string', multiple: true },
  'metadata-file': { type: 'string' },
  report: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw inputError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}. Run \`crossbake --help\` for the options.`);
  }
}

const PROGRESS = ['auto', 'plain', 'tty', 'rawjson', 'quiet'] as const;

export interface Io {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: Io = {
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

async function main(argv: string[], io: Io, early?: StartedCall): Promise<number> {
  const { cwd } = io;
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.stdout(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (!['inspect', 'generate', 'bake', 'ci', 'verify'].includes(command)) {
    throw inputError(`unknown command "${command}". Commands: inspect, generate, bake, ci, verify.`);
  }
  if (command !== 'bake' && command !== 'verify' && rest.length > 0)
    throw inputError(`unexpected argument "${rest[0]}" for ${command}. Run \`crossbake --help\`.`);
  if (!PROGRESS.includes(values.progress as (typeof PROGRESS)[number])) {
    throw inputError(`--progress must be one of ${PROGRESS.join(', ')}, not "${values.progress}".`);
  }
  const given = values as Record<string, string | string[] | boolean | undefined>;
  const bins = [...((given.bin as string[] | undefined) ?? []), ...rest];
  const flags = flagLayer({ ...given, bin: bins.length > 0 ? bins : undefined });
  // For ci, --out is the repository root the workflow goes under; the bake files stay where generate put them.
  // inspect shows the workspace as read, even one with nothing to build; it plans nothing.
  if (command === 'inspect') {
    const { workspace } = loadWorkspace({ workspace: values.workspace, flags, cwd });
    io.stdout(values.json ? `${JSON.stringify(inspectJson(workspace), null, 2)}\n` : `${inspectText(workspace)}\n`);
    return 0;
  }
  // The daemon and the buildx plugin are asked while the workspace is read: nothing in the answer depends
  // on it. A workspace that fails to load stops the question too: a daemon slow to answer must not hold
  // the error back.
  const asking = new AbortController();
  const docker = command === 'bake' ? askDocker(asking.signal, early) : undefined;
  docker?.catch(() => undefined);
  try {
    return await withProject(docker);
  } finally {
    asking.abort();
  }

  async function withProject(docker: Promise<DockerInfo> | undefined): Promise<number> {
    const project = loadProject({
      workspace: values.workspace,
      ...(values.out && command !== 'ci' ? { out: values.out } : {}),
      flags,
      cwd,
    });
    const log = (line: string) => io.stderr(`crossbake: ${line}\n`);
    for (const warning of project.plan.warnings) log(`warning: ${warning}`);
    const fix = `crossbake ${argv.filter((a) => a !== '--check').join(' ')}`;
    if (values.check && command !== 'generate' && command !== 'ci') throw inputError(`--check is for generate and ci, not ${command}.`);
    if (command === 'ci' && values.check) {
      const files = ciFiles(project, { ...(values.out ? { out: values.out } : {}), split: values.split, force: false, cwd });
      for (const p of checkFiles(files, { cwd, fix })) log(`up to date: ${p}`);
      return 0;
    }
    if (command === 'verify') {
      await verify(project, {
        force: values.force,
        ...(values.builder ? { builder: values.builder } : {}),
        cwd,
        log,
        out: io.stdout,
        progressOut: io.stderr,
        isTTY: process.stderr.isTTY === true,
      });
      return 0;
    }
    if (command === 'generate' && values.check) {
      for (const p of checkFiles(outputFiles(project), { cwd, fix })) log(`up to date: ${p}`);
      log(NOTHING_TO_REGENERATE);
      return 0;
    }
    if (command === 'ci') {
      const result = ci(project, { ...(values.out ? { out: values.out } : {}), split: values.split, force: values.force, cwd });
      for (const note of result.notes) log(`note: ${note}`);
      for (const p of result.written) log(`wrote ${relative(cwd, p)}`);
      for (const p of result.unchanged) log(`unchanged ${relative(cwd, p)}`);
      return 0;
    }
    if (command === 'generate') {
      const existed = outputFiles(project).some((f) => existsSync(f.path));
      const result = generate(project, { force: values.force, cwd });
      for (const p of result.written) log(`wrote ${relative(cwd, p)}`);
      for (const p of result.unchanged) log(`unchanged ${relative(cwd, p)}`);
      if (result.written.length === 0) log(NOTHING_TO_REGENERATE);
      else if (existed)
        log("regenerated: the workspace's structure (members, binaries, targets) or the settings changed, or crossbake did");
      return 0;
    }
    await bake(project, {
      push: values.push,
      load: values.load,
      print: values.print,
      dryRun: values['dry-run'],
      noCache: values['no-cache'],
      ...(values.builder ? { builder: values.builder } : {}),
      progress: values.progress as (typeof PROGRESS)[number],
      set: values.set ?? [],
      force: values.force,
      ...(values['metadata-file'] !== undefined ? { metadataFile: values['metadata-file'] } : {}),
      ...(values.report !== undefined ? { report: values.report } : {}),
      cwd,
      log,
      out: io.stdout,
      progressOut: io.stderr,
      ...(docker ? { docker } : {}),
    });
    return 0;
  }
}

/** The one place errors end: a CrossbakeError prints its message; anything else is a bug, said as such. */
/** `early`: a `docker info` the launcher (bin/crossbake.js) started before loading the CLI, for `bake`. */
export async function run(argv: string[], io: Io = processIo, early?: StartedCall): Promise<number> {
  try {
    return await main(argv, io, early);
  } catch (error) {
    if (error instanceof CrossbakeError) {
      io.stderr(`${formatError(error)}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? error.message : String(error);
    io.stderr(
      `crossbake: internal error: ${detail}\nThis is a bug in crossbake; please report it with the command you ran. (CROSSBAKE_DEBUG=1 shows the stack.)\n`,
    );
    if (process.env.CROSSBAKE_DEBUG) console.error(error);
    return 70;
  } finally {
    // unused (not bake, or stopped before the preflight): it must not keep the process waiting
    early?.stop();
  }
}
