import { spawnSync } from 'node:child_process';

/**
 * Whether shellcheck is installed (scripts/install-buildx.sh installs Debian's); CI sets
 * CROSSBAKE_REQUIRE_BUILDX=1, and then its absence fails instead of skipping.
 */
export function shellcheckAvailable(): boolean {
  const ok = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CROSSBAKE_REQUIRE_BUILDX === '1') {
    throw new Error('shellcheck is required (CROSSBAKE_REQUIRE_BUILDX=1) but is not installed; run scripts/install-buildx.sh');
  }
  return ok;
}

export const SHELLCHECK_SKIP = 'shellcheck is not installed (scripts/install-buildx.sh installs it)';

/** shellcheck on files (or `-` with `input`): its exit status and its findings as it prints them. */
export function shellcheck(
  files: readonly string[],
  args: readonly string[] = [],
  input?: string,
): { status: number | null; output: string } {
  const r = spawnSync('shellcheck', [...args, ...files], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
