import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The parts of the docker CLI's config.json that say where a registry login is kept. */
export interface DockerLogins {
  readonly auths: Readonly<Record<string, { readonly auth?: string; readonly identitytoken?: string }>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

/** `$DOCKER_CONFIG/config.json` (default `~/.docker`), as `docker login` wrote it; none read as no logins. */
export function readDockerLogins(env: NodeJS.ProcessEnv = process.env): DockerLogins {
  const dir = env.DOCKER_CONFIG || join(homedir(), '.docker');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  } catch {
    return { auths: {}, credHelpers: {} };
  }
  const config = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const record = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, never>) : {});
  return {
    auths: record(config.auths),
    credHelpers: Object.fromEntries(Object.entries(record(config.credHelpers)).filter(([, v]) => typeof v === 'string')),
    ...(typeof config.credsStore === 'string' && config.credsStore ? { credsStore: config.credsStore } : {}),
  };
}
