/**
 * Preflight: everything a build needs, checked before any build starts, each failure one message with
 * its fix and its own exit code (environment 3, input 2, network 5, registry 6).
 */
import { existsSync } from 'node:fs';
import { CrossbakeError } from '../errors.js';
import type { ProbeMemo } from '../fs/probes.js';
import { findPlatform, type Platform, SUPPORTED_PLATFORMS } from '../platforms.js';
import { registryHost } from '../reference.js';
import { bakeArgs, imagetoolsInspectRawArgs, inspectBuilderArgs } from './args.js';
import { type ExecResult, exec, type StartedCall, startedResult } from './exec.js';
import { classifyFault } from './faults.js';
import { probePlatform } from './probe.js';
import { registry } from './registry.js';
import { BUILDX_FEATURES, formatVersion, MINIMUM_BUILDX, missingRequired, parseBuildxVersion, type Version } from './version.js';

export interface BakePrint {
  readonly target: Record<
    string,
    { tags?: string[]; platforms?: string[]; 'cache-to'?: string[]; 'cache-from'?: string[]; output?: string[] }
  >;
  readonly group?: Record<string, { targets: string[] }>;
}

/** Ends a quoted message with exactly one full stop (or its own ? or !). */
const sentence = (text: string) => (/[.?!]$/.test(text) ? text : `${text}.`);
const firstLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? '';
const lastError = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(ERROR|Error|error)\b:?/.test(l))
    .pop()
    ?.replace(/^(ERROR|Error|error):\s*/, '') ?? firstLine(text);

/** The same words settings validation uses for a platform outside the table. */
export function unsupportedPlatform(value: string): string {
  return `unsupported platform "${value}"; supported: ${SUPPORTED_PLATFORMS.join(', ')}`;
}

/** What one `docker info` says: the daemon's answer and the client's plugins. */
export interface DockerInfo {
  readonly result: ExecResult;
  readonly server?: { version: string; id: string; host: string };
  /** The buildx plugin docker runs for `docker buildx`, when docker found a working one. */
  readonly buildx?: { path: string; version: Version };
}

interface InfoJson {
  ServerVersion?: string;
  ID?: string;
  Name?: string;
  ClientInfo?: { Plugins?: { Name?: string; Path?: string; Version?: string; Err?: unknown }[] };
}

/**
 * `docker info` once, for the daemon check and the buildx plugin: started before the workspace is even
 * read, since it is the one preflight answer that needs nothing from it.
 */
export async function askDocker(signal?: AbortSignal, started?: StartedCall): Promise<DockerInfo> {
  const result = started
    ? await startedResult(started)
    : await exec('docker', ['info', '--format', '{{json .}}'], { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  let json: InfoJson = {};
  try {
    json = JSON.parse(result.stdout) as InfoJson;
  } catch {
    // not JSON: an old CLI or a broken one; the checks below fall back to their own calls
  }
  const plugin = json.ClientInfo?.Plugins?.find((p) => p.Name === 'buildx' && !p.Err && typeof p.Path === 'string');
  const version = plugin?.Version ? parseBuildxVersion(plugin.Version) : undefined;
  return {
    result,
    ...(json.ServerVersion ? { server: { version: json.ServerVersion, id: json.ID ?? '', host: json.Name ?? '' } } : {}),
    ...(plugin?.Path && version ? { buildx: { path: plugin.Path, version } } : {}),
  };
}

/**
 * buildx's version, and the plugin program docker would run for it when `docker info` named one that
 * crossbake can use (for runBuildxDirectly).
 */
export async function detectBuildx(docker?: Promise<DockerInfo>): Promise<{ version: Version; plugin?: string }> {
  const info = await docker?.catch(() => undefined);
  if (info?.result.notFound) throw dockerMissing();
  if (info?.buildx && missingRequired(info.buildx.version).length === 0) return { version: info.buildx.version, plugin: info.buildx.path };
  // One call tells both: docker itself missing is the program not found.
  const buildx = await exec('docker', ['buildx', 'version']);
  if (buildx.notFound) throw dockerMissing();
  const version = buildx.exitCode === 0 ? parseBuildxVersion(buildx.stdout) : undefined;
  if (!version) {
    const said = firstLine(buildx.stderr) || firstLine(buildx.stdout) || 'no output';
    if (buildx.exitCode !== 0 && !/unknown command|is not a docker command|buildx/i.test(said)) {
      throw new CrossbakeError(
        'environment',
        `\`docker buildx version\` failed: ${said}. Fix the docker CLI set-up (DOCKER_CONFIG, DOCKER_CONTEXT), then run again.`,
      );
    }
    throw new CrossbakeError(
      'environment',
      `docker buildx is not installed (\`docker buildx version\` said: ${said}). Install the buildx plugin (Debian/Ubuntu: apt-get install docker-buildx; Docker's repository: docker-buildx-plugin), then run again.`,
    );
  }
  const missing = missingRequired(version);
  if (missing.length > 0) {
    throw new CrossbakeError(
      'environment',
      `docker buildx ${formatVersion(version)} is too old: crossbake's bake files need ${MINIMUM_BUILDX} or newer (for ${missing.map((f) => BUILDX_FEATURES[f].what).join('; ')}). Update the docker-buildx plugin, then run again.`,
    );
  }
  return { version };
}

function dockerMissing(): CrossbakeError {
  return new CrossbakeError(
    'environment',
    'docker is not installed: no `docker` command on PATH. Install Docker Engine (or Docker Desktop) with the buildx plugin, then run again.',
  );
}

/** `unix:///path` → /path, for telling a missing socket from a daemon that does not answer. */
function unixSocket(): string | undefined {
  const host = process.env.DOCKER_HOST;
  if (host === undefined || host === '') return process.env.DOCKER_CONTEXT ? undefined : '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** The daemon that answered: its ID, and the name of the host it runs on. */
export interface Daemon {
  readonly id: string;
  readonly host: string;
}

export async function checkDaemon(docker: Promise<DockerInfo> = askDocker()): Promise<Daemon> {
  const { result: info, server } = await docker;
  if (info.exitCode === 0 && server) return { id: server.id, host: server.host };
  // stdout is the JSON of what the client knows, no reason
  const reason = firstLine(info.stderr) || (info.stdout.trimStart().startsWith('{') ? '' : firstLine(info.stdout)) || 'no answer';
  const where = process.env.DOCKER_HOST
    ? `DOCKER_HOST=${process.env.DOCKER_HOST}`
    : process.env.DOCKER_CONTEXT
      ? `DOCKER_CONTEXT=${process.env.DOCKER_CONTEXT}`
      : 'the default socket';
  let fix: string;
  if (/permission denied/i.test(reason)) {
    fix =
      'Your user may not use the Docker socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run as root.';
  } else if (/context .* not found|context not found/i.test(reason)) {
    fix = 'The docker context does not exist: list them with `docker context ls`, or unset DOCKER_CONTEXT.';
  } else {
    const socket = unixSocket();
    fix =
      socket && !existsSync(socket)
        ? `There is no socket at ${socket} (${where}): start the Docker daemon (\`sudo systemctl start docker\`, or open Docker Desktop), or point DOCKER_HOST at the right socket.`
        : `No Docker daemon answers at ${where}: start it (\`sudo systemctl start docker\`, or open Docker Desktop), or fix DOCKER_HOST / DOCKER_CONTEXT.`;
  }
  throw new CrossbakeError('environment', `cannot reach the Docker daemon: ${sentence(reason)} ${fix}`);
}

export interface BuilderInfo {
  readonly name: string;
  readonly driver: string;
  /** Every node's platforms, as the builder reports them. */
  readonly platforms: readonly string[];
  /**
   * The docker driver on the containerd image store, which keeps multi-platform images (a worker with a
   * containerd namespace); the classic store keeps one platform per tag.
   */
  readonly multiPlatformStore: boolean;
}

export function parseBuilderInspect(text: string): BuilderInfo & { errors: string[] } {
  const name = /^Name:\s*(\S+)/m.exec(text)?.[1] ?? 'default';
  const driver = /^Driver:\s*(\S*)/m.exec(text)?.[1] ?? '';
  const platforms = [...text.matchAll(/^Platforms:\s*(.*)$/gm)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((p) => p.trim().replace(/\*$/, ''))
      .filter(Boolean),
  );
  const errors = [...text.matchAll(/^Error:\s*(.+)$/gm)].map((m) => m[1]!.trim());
  const multiPlatformStore =
    (driver || 'docker') === 'docker' && /^\s*org\.mobyproject\.buildkit\.worker\.containerd\.namespace:/m.test(text);
  return { name, driver, platforms: [...new Set(platforms)], multiPlatformStore, errors };
}

/** `docker buildx inspect --bootstrap`: the builder exists, starts, and says which platforms it has. */
export async function inspectBuilder(builder?: string, bootstrap = true): Promise<BuilderInfo> {
  const result = await exec('docker', inspectBuilderArgs(builder, bootstrap), { timeoutMs: 300_000 });
  const named = builder ? `the builder "${builder}"` : 'the default builder';
  if (result.exitCode !== 0) {
    const reason = lastError(result.stderr) || 'no message';
    if (/no builder .* found/i.test(reason)) {
      const ls = await exec('docker', ['buildx', 'ls', '--format', '{{.Name}}']);
      const names = [
        ...new Set(
          ls.stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        ),
      ];
      throw new CrossbakeError(
        'environment',
        `no buildx builder named "${builder}"${names.length > 0 ? `; builders here: ${names.join(', ')}` : ''}. Create it (\`docker buildx create --name ${builder} --driver docker-container\`) or leave --builder out.`,
      );
    }
    throw new CrossbakeError(
      'environment',
      `${named} cannot start: ${reason}. Check it with \`docker buildx inspect --bootstrap${builder ? ` ${builder}` : ''}\`.`,
    );
  }
  const info = parseBuilderInspect(result.stdout);
  if (info.errors.length > 0) {
    throw new CrossbakeError(
      'environment',
      `${named} (${info.name}) cannot start: ${info.errors[0]!.replace(/\.$/, '')}. Check it with \`docker buildx inspect --bootstrap${builder ? ` ${builder}` : ''}\`.`,
    );
  }
  return { name: info.name, driver: info.driver || 'docker', platforms: info.platforms, multiPlatformStore: info.multiPlatformStore };
}

export interface PlatformCheck {
  readonly platform: Platform;
  /** listed: the builder names it; probed: not listed, but the probe ran its program; missing: no emulation. */
  readonly state: 'listed' | 'probed' | 'no-emulation' | 'unknown';
  readonly note?: string;
}

export function emulatorHint(platforms: readonly Platform[]): string {
  const arches = [...new Set(platforms.map((p) => (p.arch === 'arm' ? 'arm' : p.arch)))].join(',');
  return `to run or test those images on this machine, install emulators: \`docker run --privileged --rm tonistiigi/binfmt --install ${arches || 'all'}\` (or on Debian/Ubuntu: \`apt-get install qemu-user-static binfmt-support\`)`;
}

/**
 * Whether the builder can build each requested platform. crossbake's Dockerfile runs every RUN step on
 * the build platform and only COPYs into the target platform's image, so a builder without emulation
 * still builds every platform of the table; emulation matters for running the images. A platform the
 * builder does not list (`docker buildx ls` omits some that work, e.g. linux/arm/v7) is probed for real.
 */
export async function checkPlatforms(
  info: BuilderInfo,
  platforms: readonly Platform[],
  builder?: string,
  memo?: ProbeMemo,
): Promise<PlatformCheck[]> {
  const listed = new Set(info.platforms.map((p) => findPlatform(p)).filter((p): p is Platform => p !== undefined));
  // One probe at a time: each is a build, and overlapping builds can panic dockerd 26's BuildKit (walkProvenance).
  const checks: PlatformCheck[] = [];
  for (const platform of platforms) checks.push(await checkPlatform(platform));
  return checks;

  async function checkPlatform(platform: Platform): Promise<PlatformCheck> {
    if (listed.has(platform)) return { platform, state: 'listed' };
    const key = `${info.name} ${info.driver}`;
    if (memo?.ran(key, platform.docker))
      return {
        platform,
        state: 'probed',
        note: `${platform.docker}: not listed by the builder, but a probe ran a ${platform.docker} program on it within the last day (remembered while this machine's emulators stay the same)`,
      };
    const probe = await probePlatform(platform.docker, builder);
    if (probe.ok) {
      memo?.remember(key, platform.docker);
      return {
        platform,
        state: 'probed',
        note: `${platform.docker}: not listed by the builder, but a probe ran a ${platform.docker} program on it`,
      };
    }
    if (probe.noEmulation) {
      return {
        platform,
        state: 'no-emulation',
        note: `${platform.docker}: the builder ${info.name} cannot run ${platform.docker} programs (${probe.reason}). The build does not need that: crossbake's Dockerfile runs every step on the build platform and cross-compiles. But ${emulatorHint([platform])}.`,
      };
    }
    return {
      platform,
      state: 'unknown',
      note: `${platform.docker}: not listed by the builder ${info.name}, and the probe could not tell (${probe.reason}); the build will show whether it works.`,
    };
  }
}

/**
 * Asks the registry for the image (`docker buildx imagetools inspect --raw`, with the docker CLI's
 * credentials): an answer or "not found" means it is reachable and accepts us; a refusal is a login
 * problem (exit 6), an unreachable host a network one (exit 5).
 */
export async function checkRegistry(ref: string, builder?: string): Promise<string | undefined> {
  const host = registryHost(ref);
  // The registry's own answer, found or not found, is all a check needs; buildx is asked for the rest, and names the fault.
  if ((await registry.manifest(ref)).kind !== 'unknown') return undefined;
  const result = await exec('docker', imagetoolsInspectRawArgs(ref, builder), { timeoutMs: 60_000 });
  if (result.exitCode === 0) return undefined;
  const said = lastError(result.stderr) || 'no message';
  if (/: not found$|manifest unknown|name unknown|NOT_FOUND/i.test(said)) return undefined;
  const fault = classifyFault(said);
  if (fault?.kind === 'network') {
    throw new CrossbakeError(
      'network',
      `cannot reach the registry ${host} to push ${ref}: ${said}. Check the network and the registry address (--registry, REGISTRY), then run again.`,
    );
  }
  if (fault?.kind === 'registry') {
    if (fault.anonymous || /incorrect username or password|invalid username\/password|\b401\b/i.test(said)) {
      throw new CrossbakeError(
        'registry',
        `the registry ${host} refused the login for ${ref}: ${said}. Run \`docker login ${host}\` with an account that may push there, then run again.`,
      );
    }
    // Registries answer "denied" both for a repository one may not read and for one that does not exist
    // yet: that is no reason to stop a first push, only to say what a failed push will mean.
    return `the registry ${host} denied reading ${ref} (${said}); if it is a new repository that is expected, otherwise check \`docker login ${host}\`.`;
  }
  return `could not check the registry ${host} for ${ref}: ${said}`;
}

/** Where buildx's message points into the definition: `docker-bake.json:5,19-20: ...`. */
function quoteLine(message: string, file: string, content: string | undefined): string | undefined {
  const m = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(message);
  if (!m || content === undefined) return undefined;
  const n = Number(m[1]);
  const line = content.split('\n')[n - 1];
  return line === undefined ? undefined : `${file}:${n}: ${line.trim()}`;
}

/**
 * `docker buildx bake --print`: the definition as buildx resolves it, or buildx's own complaint with the
 * file and line. With `definition`, the file's would-be content goes through stdin, so nothing is
 * written before the check passes; `file` names it in messages.
 */
export async function printBake(
  file: string,
  targets: readonly string[],
  set: readonly string[],
  cwd: string,
  options: { definition?: string; version?: Version; builder?: string } = {},
): Promise<BakePrint> {
  const files = options.definition !== undefined ? ['-'] : [file];
  const result = await exec(
    'docker',
    bakeArgs({ files, targets, print: true, set, ...(options.builder ? { builder: options.builder } : {}) }, options.version),
    {
      cwd,
      ...(options.definition !== undefined ? { input: options.definition } : {}),
    },
  );
  if (result.exitCode !== 0) {
    const said =
      lastError(result.stderr.replace(/^#\d+.*$/gm, '')).replace(/(^|[\s(])-(\.json|\.hcl)?:(\d+)/g, `$1${file}:$3`) || 'no message';
    const quoted = quoteLine(said, file, options.definition);
    const from = set.length > 0 ? ` (with ${set.map((s) => `--set ${s}`).join(' ')})` : '';
    throw new CrossbakeError('input', `docker buildx bake --print rejects ${file}${from}: ${said}`, [
      ...(quoted ? [quoted] : []),
      set.length > 0
        ? 'Fix the --set values (TARGET.KEY=VALUE; see `docker buildx bake --help`), or the settings the file comes from, and run again.'
        : 'Fix the crossbake settings that file comes from (registry, tag, platforms), then run again.',
    ]);
  }
  return JSON.parse(result.stdout) as BakePrint;
}

/** Every platform buildx resolved (PLATFORMS, --set *.platform=...) must be in the table. */
export function checkPrintedPlatforms(printed: BakePrint): void {
  const all: { name: string; problem: string }[] = [];
  for (const [name, target] of Object.entries(printed.target)) {
    for (const p of target.platforms ?? []) {
      if (!findPlatform(p)) all.push({ name, problem: `bake target ${name}: ${unsupportedPlatform(p)}` });
    }
  }
  // crossbake's own targets (`_crossbake-cache-*`) are named only when no image target says it.
  const images = all.filter((a) => !a.name.startsWith('_'));
  const problems = (images.length > 0 ? images : all).map((a) => a.problem);
  if (problems.length > 0) {
    throw new CrossbakeError(
      'input',
      `the bake definition asks for a platform crossbake does not build (from --set, or the PLATFORMS variable in the environment); fix it and run again:`,
      [...new Set(problems)],
    );
  }
}
