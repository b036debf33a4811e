import { CrossbakeError } from '../errors.js';
import { bakeArgs } from './args.js';
import { exec } from './exec.js';
import { formatVersion, MINIMUM_BUILDX, atLeast, parseBuildxVersion, type Version } from './version.js';

export interface Preflight {
  readonly buildx: Version;
  readonly printed: BakePrint;
}

export interface BakePrint {
  readonly target: Record<string, { tags?: string[]; platforms?: string[]; 'cache-to'?: string[]; 'cache-from'?: string[]; output?: string[] }>;
  readonly group?: Record<string, { targets: string[] }>;
}

const firstLine = (text: string) => text.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

export async function detectBuildx(): Promise<Version> {
  const docker = await exec('docker', ['--version']);
  if (docker.notFound) {
    throw new CrossbakeError('environment', 'docker is not installed: no `docker` command on PATH. Install Docker Engine (or Docker Desktop) with the buildx plugin, then run again.');
  }
  const buildx = await exec('docker', ['buildx', 'version']);
  const version = buildx.exitCode === 0 ? parseBuildxVersion(buildx.stdout) : undefined;
  if (!version) {
    throw new CrossbakeError(
      'environment',
      `docker buildx is not installed (\`docker buildx version\` failed: ${firstLine(buildx.stderr) || 'no output'}). Install the buildx plugin (Debian/Ubuntu: apt-get install docker-buildx; or docker-buildx-plugin from Docker's repository).`,
    );
  }
  if (!atLeast(version, MINIMUM_BUILDX)) {
    throw new CrossbakeError('environment', `docker buildx ${formatVersion(version)} is too old: crossbake's bake files need ${MINIMUM_BUILDX} or newer. Update the docker-buildx plugin.`);
  }
  return version;
}

export async function checkDaemon(): Promise<void> {
  const info = await exec('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (info.exitCode === 0 && info.stdout.trim() !== '') return;
  const reason = firstLine(info.stderr) || firstLine(info.stdout) || 'no answer';
  const fix = /permission denied/i.test(reason)
    ? 'Add your user to the docker group (then log in again) or run as root.'
    : 'Start the Docker daemon (e.g. `sudo systemctl start docker`, or open Docker Desktop) and check DOCKER_HOST.';
  throw new CrossbakeError('environment', `cannot reach the Docker daemon: ${reason}. ${fix}`);
}

/** `docker buildx bake --print`: the bake file as buildx resolves it, or buildx's own complaint. */
export async function printBake(files: readonly string[], targets: readonly string[], set: readonly string[] = [], cwd?: string): Promise<BakePrint> {
  const result = await exec('docker', bakeArgs({ files, targets, print: true, set }), cwd ? { cwd } : {});
  if (result.exitCode !== 0) {
    throw new CrossbakeError('input', `docker buildx bake --print rejects ${files.join(', ')}: ${firstLine(result.stderr.replace(/^#\d+.*$/gm, '')) || 'no message'}. Fix that file (or the --set values) and run again.`);
  }
  return JSON.parse(result.stdout) as BakePrint;
}

/** The builder's driver: `docker` (the daemon's own BuildKit) cannot push by digest; the others can. */
export async function detectDriver(builder?: string): Promise<string> {
  const result = await exec('docker', ['buildx', 'inspect', ...(builder ? [builder] : [])]);
  if (result.exitCode !== 0) {
    throw new CrossbakeError('environment', `docker buildx inspect${builder ? ` ${builder}` : ''} failed: ${firstLine(result.stderr) || 'no message'}. Check the builder name (docker buildx ls).`);
  }
  return /^Driver:\s*(\S+)/m.exec(result.stdout)?.[1] ?? 'docker';
}
