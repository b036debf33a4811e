import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrossbakeError } from '../errors.js';
import { bakeArgs, imagetoolsCreateArgs, type BakeInvocation } from './args.js';
import { exec } from './exec.js';
import type { Version } from './version.js';

export interface BakeOutcome {
  readonly metadata: Record<string, Record<string, unknown>>;
  readonly output: string;
}

/** Lines worth quoting when a build fails: compiler errors and crossbake's own markers first. */
export function failureLines(output: string): string[] {
  const lines = output.split('\n').map((l) => l.replace(/^#\d+ [\d.]+ /, '').trim());
  const crossbake = lines.filter((l) => l.startsWith('crossbake:'));
  const compiler = lines.filter((l) => /^error(\[E\d+\])?:/.test(l) && !/could not compile/.test(l));
  const buildx = lines.filter((l) => l.startsWith('ERROR:'));
  return [...new Set([...crossbake, ...compiler.slice(0, 3), ...buildx.slice(0, 1)])];
}

export async function runBake(inv: BakeInvocation, version: Version, cwd: string): Promise<BakeOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-'));
  const metadataFile = join(dir, 'metadata.json');
  try {
    const args = bakeArgs({ ...inv, metadataFile }, version);
    const result = await exec('docker', args, { cwd, inherit: true });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.exitCode !== 0) {
      const lines = failureLines(output);
      const network = lines.find((l) => l.startsWith('crossbake: network error'));
      if (network) throw new CrossbakeError('network', `${network.replace(/^crossbake: /, '')}. Check the network or the crate registry, then run again.`);
      throw new CrossbakeError('build', `docker buildx bake failed (exit ${result.exitCode}). Fix the first error below and run again:`, lines.length ? lines : ['(no error line found; see the build log above)']);
    }
    let metadata: Record<string, Record<string, unknown>> = {};
    try {
      metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as typeof metadata;
    } catch {
      metadata = {};
    }
    return { metadata, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function mergeIndex(tags: readonly string[], sources: readonly string[], cwd: string, builder?: string): Promise<void> {
  const result = await exec('docker', imagetoolsCreateArgs(tags, sources, builder), { cwd, inherit: true });
  if (result.exitCode !== 0) {
    const reason = result.stderr.trim().split('\n').pop() ?? '';
    throw new CrossbakeError('registry', `could not create the multi-platform image ${tags.join(', ')}: ${reason}. Check the registry login (docker login) and that the registry accepts pushes.`);
  }
}

export async function pushTag(tag: string, cwd: string): Promise<void> {
  const result = await exec('docker', ['push', '--quiet', tag], { cwd });
  if (result.exitCode !== 0) {
    const reason = result.stderr.trim().split('\n').pop() ?? '';
    throw new CrossbakeError('registry', `could not push ${tag}: ${reason}. Check the registry login (docker login) and that the registry accepts pushes.`);
  }
}
