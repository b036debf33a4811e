import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from './history.js';
import { writeAtomically } from './write.js';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ProbeMemo {
  /** Whether this builder ran this platform's probe program since the machine's emulators last changed. */
  ran(builder: string, platform: string): boolean;
  remember(builder: string, platform: string): void;
}

/**
 * Platform probes that passed, remembered for a day while this machine's emulators stay as they were
 * (their binfmt_misc entries are part of the key), per daemon. Only for a daemon on this machine (it
 * names this host): a remote one's emulators cannot be seen from here, so it is probed every time, and
 * so is any daemon when the one that answered is not known (`docker context use` switches daemons
 * without a variable).
 */
export function probeMemo(
  env: NodeJS.ProcessEnv = process.env,
  now = Date.now(),
  daemon?: { readonly id: string; readonly host: string },
  localHost = hostname(),
): ProbeMemo | undefined {
  if (env.DOCKER_HOST && !env.DOCKER_HOST.startsWith('unix://')) return undefined;
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  if (!daemon || daemon.id === '' || daemon.host !== localHost) return undefined;
  let emulators: string;
  try {
    emulators = readdirSync(BINFMT)
      .filter((name) => name !== 'register')
      .sort()
      .map((name) => `${name}:${readFileSync(join(BINFMT, name), 'utf8').replace(/\s+/g, ' ').trim()}`)
      .join('|');
  } catch {
    return undefined;
  }
  const file = join(cacheDir(env), 'probes.json');
  let seen: Record<string, number> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') seen = parsed as Record<string, number>;
  } catch {
    seen = {};
  }
  const key = (builder: string, platform: string) => `${daemon.id} ${builder} ${platform} ${emulators}`;
  return {
    ran: (builder, platform) => {
      const at = seen[key(builder, platform)];
      return typeof at === 'number' && now - at < DAY_MS && at <= now;
    },
    remember: (builder, platform) => {
      const kept = Object.fromEntries(Object.entries(seen).filter(([, at]) => typeof at === 'number' && now - at < DAY_MS));
      seen = { ...kept, [key(builder, platform)]: now };
      try {
        mkdirSync(cacheDir(env), { recursive: true });
        writeAtomically(file, `${JSON.stringify(seen)}\n`);
      } catch {
        // remembering is an optimisation only
      }
    },
  };
}
