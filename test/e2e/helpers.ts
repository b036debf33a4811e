import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

export const REGISTRY_HOST = '127.0.0.1:5000';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A real process, argv only; output captured. */
export function sh(file: string, args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Run {
  const start = Date.now();
  const r = spawnSync(file, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    input: options.input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    code: r.status ?? 1,
    stdout: r.stdout?.toString() ?? '',
    stderr: r.stderr?.toString() ?? '',
    seconds: (Date.now() - start) / 1000,
  };
}

export function docker(args: string[], options: { input?: string } = {}): Run {
  return sh('docker', args, options);
}

/** crossbake as a user runs it: a separate process, from the repository's sources. */
export function crossbake(args: string[], env: Record<string, string> = {}): Run {
  return sh(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), ...args], { env });
}

/** A private copy of a workspace, without generated files, removed at the end. */
export function copyWorkspace(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-e2e-'));
  cpSync(join(repoRoot, from), dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(target|Dockerfile|\.dockerignore|docker-bake\.(hcl|json))$/.test(src),
  });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export function rawManifest(ref: string): any {
  const r = docker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
  if (r.code !== 0) throw new Error(`imagetools inspect ${ref}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function exists(ref: string): boolean {
  return docker(['buildx', 'imagetools', 'inspect', '--raw', ref]).code === 0;
}

export function platformString(d: Descriptor): string {
  return [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/');
}

/** The runnable manifests of an index, attestation manifests set aside. */
export function runnable(index: { manifests: Descriptor[] }): Descriptor[] {
  return index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await sleep(1000);
  }
}

export function binfmt(action: 'enable' | 'disable', entries: readonly string[]): boolean {
  return entries.every((e) => sh('update-binfmts', [`--${action}`, e]).code === 0);
}

export function binfmtEnabled(entry: string): boolean {
  try {
    return execFileSync('cat', [`/proc/sys/fs/binfmt_misc/${entry}`]).toString().startsWith('enabled');
  } catch {
    return false;
  }
}

/** ELF machine and ARM float ABI, read from the header (no `file` needed). */
export function elfArch(bytes: Buffer): string {
  if (bytes.readUInt32BE(0) !== 0x7f454c46) return 'not ELF';
  const machine = bytes.readUInt16LE(18);
  if (machine === 0x3e) return 'x86-64';
  if (machine === 0xb7) return 'AArch64';
  if (machine === 0x28) {
    const flags = bytes.readUInt32LE(36);
    const eabi = flags >>> 24;
    const hardFloat = (flags & 0x400) !== 0;
    return `ARM EABI${eabi}${hardFloat ? ' hard-float' : ' soft-float'}`;
  }
  return `machine 0x${machine.toString(16)}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
