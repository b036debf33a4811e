import { createHash } from 'node:crypto';
import { outputFiles } from '../../src/commands/generate.js';
import { loadProject } from '../../src/commands/project.js';
import { repoRoot } from './paths.js';

/**
 * How long a Dockerfile may be: it grows with the binaries (their build, libs and runtime stages), never
 * with the lock; the fixed part carries the shell the stages run (crossbake-dpkg-record, the checksums,
 * the cargo wrapper).
 */
export const dockerfileLineBound = (bins: number): number => 347 + 28 * bins;

/** A workspace in, generated files out: each case is a directory under test/fixtures/golden. */
export interface GoldenCase {
  readonly name: string;
  readonly workspace: string;
  readonly flags?: Record<string, unknown>;
}

export const goldenCases: readonly GoldenCase[] = [
  { name: 'example-debian', workspace: 'examples/workspace' },
  { name: 'example-rustup', workspace: 'examples/workspace', flags: { toolchain: 'rustup', 'rust-version': '1.79' } },
  {
    name: 'example-cargo-chef',
    workspace: 'examples/workspace',
    flags: { toolchain: 'rustup', skeleton: 'cargo-chef', platforms: ['linux/arm64'] },
  },
  {
    name: 'example-gha-cache',
    workspace: 'examples/workspace',
    flags: { cache: { type: 'gha' }, bins: ['frontend'], platforms: ['linux/amd64', 'linux/arm/v7'] },
  },
  { name: 'example-minimal', workspace: 'examples/workspace', flags: { runtime: 'minimal' } },
  { name: 'bins', workspace: 'test/fixtures/workspaces/bins', flags: { registry: 'ghcr.io/acme', tag: 'v1.0.0' } },
  { name: 'root-package', workspace: 'test/fixtures/workspaces/root-package', flags: { toolchain: 'debian' } },
  { name: 'toolchain-file', workspace: 'test/fixtures/workspaces/toolchain' },
  { name: 'large-workspace', workspace: 'test/fixtures/large-workspace', flags: { toolchain: 'debian' } },
  { name: 'service', workspace: 'examples/service', flags: { toolchain: 'debian' } },
  {
    name: 'service-rustup',
    workspace: 'examples/service',
    flags: {
      toolchain: 'rustup',
      'rust-version': '1.79',
      native: { packages: { '*': ['libpq-dev'], 'linux/arm64': ['libjemalloc-dev'] } },
    },
  },
];

export const goldenDir = (name: string) => `${repoRoot}/test/fixtures/golden/${name}`;

/**
 * The skeleton planner is the same bundle in every case (its own test checks it against the sources):
 * a golden holds its digest, not its 90 KB.
 */
export function renderCase(c: GoldenCase): Array<{ name: string; content: string }> {
  const project = loadProject({ workspace: c.workspace, flags: c.flags ?? {}, cwd: repoRoot });
  return outputFiles(project).map((f) =>
    f.name.endsWith('.mjs')
      ? { name: `${f.name.replace(/^.*\//, '')}.sha256`, content: `${createHash('sha256').update(f.content).digest('hex')}\n` }
      : { name: f.name.replace(/^\.crossbake-build\//, ''), content: f.content },
  );
}
