import { isLoopback, registryHostOf } from '../reference.js';
import type { Settings } from './schema.js';

export type RegistryKind = 'dockerhub' | 'ghcr' | 'other';

/** The `ci` settings resolved: what the workflow pushes where, and on which runners. */
export interface CiConfig {
  /** Registry and namespace, e.g. docker.io/acme; may hold a `${{ }}` expression (GHCR's default). */
  readonly registry: string;
  readonly kind: RegistryKind;
  /** The host docker/login-action logs in to; undefined for Docker Hub (the action's default). */
  readonly loginHost?: string;
  readonly runner: string;
  readonly armRunner: string;
  readonly mainBranch: string;
  /** Where the committed bake file is, relative to the workspace root. */
  readonly bakeDir: string;
  readonly split: boolean;
}

export const GHCR_DEFAULT = 'ghcr.io/${{ github.repository_owner }}';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const WHERE = 'workspace.metadata.crossbake.ci';

function kindOf(host: string | undefined): RegistryKind {
  if (host === undefined || DOCKER_HUB_HOSTS.has(host)) return 'dockerhub';
  return host === 'ghcr.io' ? 'ghcr' : 'other';
}

/** `[workspace.metadata.crossbake.ci]` against the rest of the settings: the config, notes, and problems. */
export function resolveCi(settings: Settings): { config?: CiConfig; notes: string[]; problems: string[] } {
  const ci = settings.ci;
  const notes: string[] = [];
  const explicitKind = ci['registry-kind'];
  const hostOf = (registry: string) => registryHostOf(`${registry}/x`);
  let registry = ci.registry;
  if (!registry && settings.registry) {
    if (isLoopback(hostOf(settings.registry))) {
      notes.push(`registry "${settings.registry}" is on this machine, which GitHub's runners cannot reach; the workflow ignores it.`);
    } else {
      registry = settings.registry;
    }
  }
  if (!registry) {
    if (explicitKind === 'dockerhub' || explicitKind === 'other') {
      const example = explicitKind === 'dockerhub' ? 'docker.io/acme' : 'registry.example.com/acme';
      return { notes, problems: [`${WHERE}.registry-kind = "${explicitKind}" needs ${WHERE}.registry, e.g. "${example}".`] };
    }
    registry = GHCR_DEFAULT;
    notes.push(
      `no registry for CI: images go to GitHub's container registry as ${GHCR_DEFAULT}/<image>; set ${WHERE}.registry to change that.`,
    );
  }
  const host = registry === GHCR_DEFAULT ? 'ghcr.io' : hostOf(registry);
  if (isLoopback(host)) {
    return {
      notes,
      problems: [
        `${WHERE}.registry = "${registry}" is on this machine, which GitHub's runners cannot reach. Use a registry such as "docker.io/acme" or "ghcr.io/acme".`,
      ],
    };
  }
  const inferred = kindOf(host);
  const kind = explicitKind ?? inferred;
  if (kind !== 'other' && kind !== inferred) {
    return {
      notes,
      problems: [
        `${WHERE}.registry-kind = "${kind}" but registry "${registry}" is ${inferred === 'dockerhub' ? 'on Docker Hub' : `on ${host}`}. Fix the registry, or set registry-kind = "other" to log in with the REGISTRY_USERNAME and REGISTRY_PASSWORD secrets.`,
      ],
    };
  }
  return {
    config: {
      registry,
      kind,
      ...(kind === 'dockerhub' ? {} : { loginHost: host ?? 'docker.io' }),
      runner: ci.runner,
      armRunner: ci['arm-runner'],
      mainBranch: ci['main-branch'],
      bakeDir: ci['bake-dir'],
      split: ci.split,
    },
    notes,
    problems: [],
  };
}
