import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { PLATFORMS } from '../../src/platforms.js';
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
    filter: (src) => !/(^|\/)(target|Dockerfile|\.dockerignore|docker-bake\.(hcl|json)|\.crossbake-build)$/.test(src),
  });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const CDXGEN = '12.8.4';

/** A real scanner, @cyclonedx/cdxgen (~280 MB): installed once per machine into a temp dir, not into the project. */
export function cdxgen(): string {
  const dir = join(tmpdir(), `crossbake-cdxgen-${CDXGEN}`);
  const bin = join(dir, 'node_modules/.bin/cdxgen');
  if (!existsSync(bin)) {
    const install = sh('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `@cyclonedx/cdxgen@${CDXGEN}`]);
    if (install.code !== 0) throw new Error(`npm install @cyclonedx/cdxgen: ${install.stderr.slice(-2000)}`);
  }
  return bin;
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

function binfmt(action: 'enable' | 'disable', entries: readonly string[]): boolean {
  return entries.every((e) => sh('update-binfmts', [`--${action}`, e]).code === 0);
}

/** qemu's binfmt entries for the platforms this (amd64) machine does not run natively. */
const EMULATORS = PLATFORMS.map((p) => p.qemu).filter((q) => q !== 'qemu-x86_64');

/**
 * Runs `build` with qemu's binfmt entries disabled when this machine lets the test toggle them (root,
 * update-binfmts): a step that needs emulation then fails the build instead of running slowly.
 */
export function withoutEmulation<T>(t: Test, build: () => T): T {
  const toggled = EMULATORS.every(binfmtEnabled) && binfmt('disable', EMULATORS);
  if (toggled) {
    t.notOk(EMULATORS.some(binfmtEnabled), 'qemu binfmt entries are disabled for the build');
    t.not(
      docker(['run', '--rm', '--platform', 'linux/arm64', 'debian:bookworm-slim', 'true']).code,
      0,
      'an arm64 container cannot run now',
    );
  } else {
    t.comment('cannot toggle binfmt here (not root, or no update-binfmts): building with emulation available');
  }
  try {
    return build();
  } finally {
    if (toggled) binfmt('enable', EMULATORS);
  }
}

function binfmtEnabled(entry: string): boolean {
  try {
    return readFileSync(`/proc/sys/fs/binfmt_misc/${entry}`, 'utf8').startsWith('enabled');
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

/**
 * The build call's part of crossbake's stderr: crossbake prints `crossbake: build <time>` after it, and the
 * cache export that follows is a bake call of its own, whose vertex numbers start again and are all CACHED.
 */
export const buildCallLines = (log: string): string => log.split(/^crossbake: build /m)[0]!;

/** BuildKit vertices (`#12 [target stage n/m] RUN ...` in plain progress) whose name matches: which ran, which were cached. */
export function vertices(whole: string, name: RegExp): { ran: Set<string>; cached: Set<string> } {
  const log = buildCallLines(whole);
  const ids = new Set<string>();
  for (const m of log.matchAll(/^#(\d+) \[([^\n]*)$/gm)) if (name.test(m[2]!)) ids.add(m[1]!);
  const cached = new Set([...ids].filter((id) => new RegExp(`^#${id} CACHED$`, 'm').test(log)));
  return { ran: new Set([...ids].filter((id) => !cached.has(id))), cached };
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(3, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  // The separator as biome formats markdown tables, so a written report passes the lint as it is.
  return [line(rows[0]!), `|${widths.map((w) => ` ${'-'.repeat(w)} `).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

// ---- build logs and workspace edits for the cache suite (test/e2e/cache.test.ts) and bench/run.ts

/** One vertex of a `--progress plain` log: every `[target stage i/n]` name it was printed under. */
export interface PlainVertex {
  readonly id: number;
  readonly names: string[];
  cached: boolean;
  done: boolean;
  errored: boolean;
  /** From `#N DONE 12.3s`: how long it took (the longest, when printed more than once). */
  seconds: number;
  /** It printed layer downloads (`#N sha256:... 12MB / 12MB`): a cached result pulled from a registry cache. */
  pulled: boolean;
  readonly output: string[];
}

/**
 * The vertices of buildx's plain progress. In one bake call a vertex that several targets share keeps
 * one number and is printed under each target's prefix (`#43 [backend-linux-amd64 deps 3/3] RUN ...`,
 * `#43 [frontend-linux-amd64 deps 3/3] RUN ...`); a vertex that ran has output or `DONE`, a cached one
 * `CACHED`.
 */
export function plainVertices(log: string): Map<number, PlainVertex> {
  const buildCall = buildCallLines(log);
  const vertices = new Map<number, PlainVertex>();
  const get = (id: number) => {
    let v = vertices.get(id);
    if (!v) vertices.set(id, (v = { id, names: [], cached: false, done: false, errored: false, seconds: 0, pulled: false, output: [] }));
    return v;
  };
  for (const line of buildCall.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = get(Number(m[1]));
    const rest = m[2]!;
    if (rest.startsWith('[')) {
      if (!v.names.includes(rest)) v.names.push(rest);
    } else if (rest === 'CACHED') v.cached = true;
    else if (/^DONE \d/.test(rest)) {
      v.done = true;
      v.seconds = Math.max(v.seconds, Number(rest.slice(5).replace(/s$/, '')) || 0);
    } else if (rest.startsWith('ERROR')) v.errored = true;
    else if (/^sha256:[0-9a-f]{64} /.test(rest)) v.pulled = true;
    else if (/^\d+\.\d+ /.test(rest)) v.output.push(rest.replace(/^\d+\.\d+ /, ''));
  }
  return vertices;
}

/** Vertices printed under a name matching `name`, e.g. /^\[\S+-linux-arm64 deps \d+\/\d+\] RUN /. */
export function verticesNamed(log: string | Map<number, PlainVertex>, name: RegExp): PlainVertex[] {
  const all = typeof log === 'string' ? plainVertices(log) : log;
  return [...all.values()].filter((v) => v.names.some((n) => name.test(n)));
}

/**
 * A vertex that executed in this build: it printed output of its own, failed, or took time without
 * pulling layers. A result restored from a registry cache prints `CACHED`, or, when it is the vertex
 * whose layers BuildKit fetches, the downloads and `DONE` with no output.
 */
export const ran = (v: PlainVertex) => !v.cached && (v.output.length > 0 || v.errored || (v.done && !v.pulled && v.seconds > 0));

/**
 * A target's own vertex of a step shared with other targets, which BuildKit completed through another
 * one with the same cache key: `DONE 0.0s`, no output, not marked CACHED.
 */
export const merged = (v: PlainVertex) => !v.cached && !ran(v) && v.done && !v.pulled;

/** A vertex whose result came from a cache (local, or pulled from a registry cache), not executed. */
export const restored = (v: PlainVertex) => !ran(v) && (v.cached || v.pulled);

/** The `crossbake: <phase> 12.3s` lines of a run, as seconds. */
export function crossbakePhases(stderr: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const m of stderr.matchAll(/^crossbake: (\w+) +(\d+(?:\.\d+)?)s\b/gm)) phases[m[1]!] = Number(m[2]);
  return phases;
}

/** Empties the build cache (every other build on this dockerd gets slower, none breaks). */
export function pruneBuildCache(): Run {
  return docker(['buildx', 'prune', '-af']);
}

/** Removes the local images under `prefix/` (e.g. 127.0.0.1:5000/crossbake-cache-x): only those. */
export function removeImages(prefix: string): string[] {
  const refs = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])
    .stdout.split('\n')
    .filter((r) => r.startsWith(`${prefix}/`) && !r.endsWith(':<none>'));
  if (refs.length > 0) docker(['image', 'rm', '-f', ...refs]);
  return refs;
}

function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`editing ${file} changed nothing`);
  writeFileSync(file, after);
}

/**
 * Makes a copy's dependency skeleton its own (a feature no build enables), so that no other build on
 * this dockerd shares, or makes cached, its dependency layers: what is cached came from this copy's
 * own builds or its registry cache.
 */
export function isolateSkeleton(ws: string, nonce: string): void {
  edit(join(ws, 'crates/shared/Cargo.toml'), (t) => `${t.trimEnd()}\n\n[features]\nisolate-${nonce} = []\n`);
}

/** A change to one source file only (a comment in backend's main.rs). */
export function editSource(ws: string, note: string): void {
  edit(join(ws, 'crates/backend/src/main.rs'), (t) => `${t.trimEnd()}\n// ${note}\n`);
}

/**
 * A change to one source file that changes backend's binary as well (an item's name): a comment alone
 * leaves the binary byte-identical, and backend's image steps then stay cached.
 */
export function editCode(ws: string, note: string): void {
  edit(join(ws, 'crates/backend/src/main.rs'), (t) => t.replace('name: "salt",', `name: ${JSON.stringify(`salt (${note})`)},`));
}

/** The workspace's version bumped, in Cargo.toml and for the three local packages in Cargo.lock. */
export function bumpVersion(ws: string, from: string, to: string): void {
  edit(join(ws, 'Cargo.toml'), (t) => t.replace(new RegExp(`^version = "${from.replace(/\./g, '\\.')}"$`, 'm'), `version = "${to}"`));
  edit(join(ws, 'Cargo.lock'), (t) =>
    t.replace(new RegExp(`(name = "(backend|frontend|shared)"\\nversion = )"${from.replace(/\./g, '\\.')}"`, 'g'), `$1"${to}"`),
  );
}

/**
 * A new dependency: `itoa = "1"` for backend, in its Cargo.toml and its Cargo.lock entry. itoa 1.0.1 is
 * already locked (serde_json uses it) and packaged by Debian, so `--locked` and the offline registry pass.
 */
export function addItoa(ws: string): void {
  edit(join(ws, 'crates/backend/Cargo.toml'), (t) => t.replace(/^\[dependencies\]\n/m, '[dependencies]\nitoa = "1"\n'));
  edit(join(ws, 'Cargo.lock'), (t) => t.replace(/(name = "backend"\nversion = "[^"]+"\ndependencies = \[\n)/, '$1 "itoa",\n'));
}

/**
 * A crate new to the lock that Debian packages (librust-fnv-dev 1.0.7), for backend: in its Cargo.toml
 * and in Cargo.lock with crates.io's checksum, which Debian's vendored copy records too.
 */
export function addFnv(ws: string): void {
  edit(join(ws, 'crates/backend/Cargo.toml'), (t) => t.replace(/^\[dependencies\]\n/m, '[dependencies]\nfnv = "1"\n'));
  edit(join(ws, 'Cargo.lock'), (t) =>
    t
      .replace(/(name = "backend"\nversion = "[^"]+"\ndependencies = \[\n)/, '$1 "fnv",\n')
      .replace(
        /\n\[\[package\]\]\nname = "frontend"\n/,
        '\n[[package]]\nname = "fnv"\nversion = "1.0.7"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "3f9eec918d3f24069decb9af1554cad7c880e2da24a9afd88aca000531ab82c1"\n$&',
      ),
  );
}
