import { execFileSync, spawnSync } from 'node:child_process';

/** Whether `docker buildx` answers here; CI sets CROSSBAKE_REQUIRE_BUILDX=1 so that its absence fails. */
export function buildxAvailable(): boolean {
  const ok = spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CROSSBAKE_REQUIRE_BUILDX === '1') {
    throw new Error(
      'docker buildx is required (CROSSBAKE_REQUIRE_BUILDX=1) but `docker buildx version` failed; run scripts/install-buildx.sh',
    );
  }
  return ok;
}

/** The real `docker buildx bake --print`, parsed. */
export function bakePrint(cwd: string, args: string[], env: Record<string, string> = {}): any {
  const out = execFileSync('docker', ['buildx', 'bake', ...args, '--print'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.toString());
}
