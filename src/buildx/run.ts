import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrossbakeError } from '../errors.js';
import { byDigest } from '../fs/by-digest.js';
import { registryHost, repositoryOf } from '../reference.js';
import { type BakeInvocation, bakeArgs, type ProgressPlan } from './args.js';
import { exec } from './exec.js';
import { classifyFault } from './faults.js';
import { LiveView } from './live.js';
import { fileInLayer, readTar, runtimeRootLayer } from './oci.js';
import { PlainFilter } from './plain.js';
import { type BuildLog, emptyLog, PlainReader, RawJsonReader } from './progress.js';
import { registry } from './registry.js';
import type { ScreenSize } from './screen.js';
import type { Version } from './version.js';
import { buildView, type ViewPlan } from './view.js';

export type Metadata = Record<string, Record<string, unknown>>;

export interface BakeOutcome {
  readonly exitCode: number;
  readonly metadata: Metadata;
  readonly log: BuildLog;
  /** When buildx started, by this machine's clock. */
  readonly started: number;
}

export interface RunDisplay {
  readonly progress: ProgressPlan;
  /** Where progress goes (stderr). */
  readonly write: (text: string) => void;
  /** Extra environment for buildx (SOURCE_DATE_EPOCH, which buildx passes on as a build argument). */
  readonly env?: Readonly<Record<string, string>>;
  /** The terminal's size, asked at every redraw (it may change). */
  readonly size?: () => ScreenSize;
  /** Colour in the live view (a terminal, and no NO_COLOR). */
  readonly color?: boolean;
  /** The Plan's names, for the live rows and the cache notes. */
  readonly view: ViewPlan;
  /** Called with the progress read so far, after each chunk of it. */
  readonly onProgress?: (log: BuildLog) => void;
}

/**
 * Runs `docker buildx bake` with crossbake's metadata file, reading the progress as it comes (rawjson or
 * plain, see args.progressPlan) and passing it through or rendering it live. A failed build is not thrown
 * here: the caller attributes it from the returned log.
 */
export async function runBake(inv: BakeInvocation, version: Version, cwd: string, display: RunDisplay): Promise<BakeOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-'));
  const metadataFile = join(dir, 'metadata.json');
  const log = emptyLog();
  const reader = display.progress.buildx === 'rawjson' ? new RawJsonReader(log) : new PlainReader(log);
  const live =
    display.progress.show === 'live'
      ? new LiveView(
          log,
          display.view,
          display.write,
          display.size ?? (() => ({ columns: 100, rows: 30 })),
          Date.now,
          display.color ?? false,
        )
      : undefined;
  // plain passes through without the cache-import false alarms; rawjson (for machines) as buildx wrote it
  const plain = display.progress.show === 'passthrough' && display.progress.buildx === 'plain' ? new PlainFilter(display.write) : undefined;
  const started = Date.now();
  live?.start();
  try {
    const args = bakeArgs({ ...inv, progress: display.progress.buildx, metadataFile }, version);
    const result = await exec('docker', args, {
      cwd,
      ...(display.env ? { env: { ...display.env } } : {}),
      onStderr: (chunk) => {
        reader.feed(chunk);
        display.onProgress?.(log);
        if (plain) plain.feed(chunk);
        else if (display.progress.show === 'passthrough') display.write(chunk);
        live?.update();
      },
    });
    reader.end();
    plain?.end();
    live?.finish(result.exitCode);
    if (!live) {
      // the live view printed these above its rows; line-oriented output gets them at the end
      const view = buildView(log, display.view, Date.now(), { exitCode: result.exitCode });
      const lines = [
        ...(display.progress.show === 'none' ? [] : view.notes.map((n) => `crossbake: note: ${n}`)),
        ...view.warnings.map((w) => `crossbake: warning: ${w}`),
      ];
      if (lines.length > 0) display.write(`${lines.join('\n')}\n`);
    }
    if (result.notFound)
      throw new CrossbakeError('environment', 'docker disappeared from PATH while crossbake ran; install it again and run again.');
    if (result.stdout.trim() !== '' && display.progress.show !== 'none') display.write(result.stdout);
    let metadata: Metadata = {};
    try {
      metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as Metadata;
    } catch {
      metadata = {};
    }
    return { exitCode: result.exitCode, metadata, log, started };
  } finally {
    live?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Outcomes of a build run in several calls, as one: the first failure's exit code, every call's metadata,
 * and their progress in one log (vertex ids kept apart per call: plain progress numbers them from 1).
 */
export function mergeOutcomes(outcomes: readonly BakeOutcome[]): BakeOutcome {
  if (outcomes.length === 1) return outcomes[0]!;
  const log = emptyLog();
  for (const [i, o] of outcomes.entries()) {
    const offset = log.vertices.size;
    for (const [id, v] of o.log.vertices) log.vertices.set(`${i}:${id}`, { ...v, seq: offset + v.seq });
    log.trailer.push(...o.log.trailer);
    log.warnings.push(...o.log.warnings);
  }
  return {
    exitCode: outcomes.find((o) => o.exitCode !== 0)?.exitCode ?? 0,
    metadata: Object.assign({}, ...outcomes.map((o) => o.metadata)) as Metadata,
    log,
    started: outcomes[0]!.started,
  };
}

/**
 * A build split into calls (invocation.ts buildCalls), run one after another until one fails, read as
 * one outcome; `calls` tells how many ran.
 */
export async function runCalls(
  invocations: readonly BakeInvocation[],
  version: Version,
  cwd: string,
  display: (call: BakeInvocation) => RunDisplay,
): Promise<BakeOutcome & { readonly calls: number }> {
  const outcomes: BakeOutcome[] = [];
  for (const call of invocations) {
    const ran = await runBake(call, version, cwd, display(call));
    outcomes.push(ran);
    if (ran.exitCode !== 0) break;
  }
  return { ...mergeOutcomes(outcomes), calls: outcomes.length };
}

function pushFailure(what: string, ref: string, said: string, attempts: number): CrossbakeError {
  const host = registryHost(ref);
  const fault = classifyFault(said);
  if (fault?.kind === 'server') {
    return new CrossbakeError(
      'network',
      `the registry ${host} failed on its side (${fault.reason}) to ${what} ${ref}, ${attempts} times: a fault of the registry, not of your login. Check the registry's health (its status page, or its log if it is yours), then run again; the build is cached.`,
    );
  }
  if (fault?.kind === 'network') {
    return new CrossbakeError(
      'network',
      `cannot reach the registry ${host} to ${what} ${ref}: ${said}. Check the network and the registry address, then run again.`,
    );
  }
  return new CrossbakeError(
    'registry',
    `the registry ${host} refused to ${what} ${ref}: ${said}. Run \`docker login ${host}\` with an account that may push there, and check that the registry accepts pushes; then run again.`,
  );
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop()
    ?.replace(/^ERROR:\s*/, '') ?? 'no message';

/** Waits before each new try of a registry write that met a server error or a dropped connection. */
export const REGISTRY_RETRY_DELAYS_MS = [1000, 3000];

/** A registry write, tried again when the registry fails on its side or the connection drops (both pass). */
async function registryWrite(what: string, ref: string, argv: readonly string[], cwd: string, delays: readonly number[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await exec('docker', [...argv], { cwd });
    if (result.exitCode === 0) return;
    const said = lastLine(result.stderr);
    const kind = classifyFault(said)?.kind;
    const delay = delays[attempt - 1];
    if ((kind !== 'server' && kind !== 'network') || delay === undefined) throw pushFailure(what, ref, said, attempt);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export async function mergeIndex(
  argv: readonly string[],
  tags: readonly string[],
  cwd: string,
  delays: readonly number[] = REGISTRY_RETRY_DELAYS_MS,
): Promise<void> {
  await registryWrite('create the multi-platform image', tags.join(', '), argv, cwd, delays);
}

/** Pushes one tag from the image store (the docker driver's way: it cannot push by digest). */
export async function pushTag(argv: readonly string[], cwd: string, delays: readonly number[] = REGISTRY_RETRY_DELAYS_MS): Promise<void> {
  await registryWrite('push', argv.at(-1) ?? '', argv, cwd, delays);
}

export interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { architecture?: string; os?: string; variant?: string };
}

export interface ManifestJson {
  readonly digest?: string;
  readonly mediaType?: string;
  readonly config?: Descriptor;
  readonly manifests?: Descriptor[];
  readonly layers?: Descriptor[];
}

export interface RegistryManifest {
  readonly json: ManifestJson;
  /** The sha256 of the bytes the registry served: the digest it names them by. */
  readonly digest: string;
}

/**
 * One read of `ref` from the registry, its digest computed from the bytes: straight from the registry's
 * API when it answers for sure (registry.ts), else through `imagetools inspect --raw`, which prints them
 * as they are, in half the time `--format {{json .Manifest}}` took here.
 */
export async function readManifest(ref: string, builder?: string): Promise<RegistryManifest | undefined> {
  // A manifest named by its digest cannot change: read from the registry once per machine.
  const named = ref.includes('@') ? ref.slice(ref.lastIndexOf('@') + 1) : undefined;
  const known = named ? manifests.get(named) : undefined;
  const text =
    known ??
    (await (async () => {
      const direct = await registry.manifest(ref);
      if (direct.kind === 'found') return direct.bytes.toString('utf8');
      if (direct.kind === 'absent') return undefined;
      const result = await exec('docker', ['buildx', 'imagetools', 'inspect', ...(builder ? ['--builder', builder] : []), '--raw', ref], {
        timeoutMs: 60_000,
        exact: true,
      });
      return result.exitCode === 0 ? result.stdout : undefined;
    })());
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as ManifestJson;
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    if (named && !known && digest === named) manifests.put(named, text);
    return { json, digest: known ? named! : digest };
  } catch {
    return undefined;
  }
}

export async function rawManifest(ref: string, builder?: string): Promise<ManifestJson | undefined> {
  return (await readManifest(ref, builder))?.json;
}

const manifests = byDigest('manifests');

/** The digest the registry has for `ref` (a tag), e.g. the multi-platform index just created. */
export async function registryDigest(ref: string, builder?: string): Promise<string | undefined> {
  return (await readManifest(ref, builder))?.digest;
}

/**
 * The compressed size of one platform's image in the registry: its manifest's layers, summed. `ref` may
 * name an index (buildx adds an attestation manifest), from which the platform's manifest is picked.
 */
export async function registrySize(
  ref: string,
  platform: { arch: string; variant: string },
  builder?: string,
  raw: (ref: string) => Promise<ManifestJson | undefined> = (r) => rawManifest(r, builder),
): Promise<{ digest?: string; size?: number }> {
  const top = await raw(ref);
  if (!top) return {};
  if (top.layers) return { size: top.layers.reduce((n, l) => n + (l.size ?? 0), 0) };
  const entry = top.manifests?.find((m) => m.platform?.architecture === platform.arch && (m.platform.variant ?? '') === platform.variant);
  if (!entry) return {};
  const image = await raw(`${repositoryOf(ref)}@${entry.digest}`);
  return { digest: entry.digest, ...(image?.layers ? { size: image.layers.reduce((n, l) => n + (l.size ?? 0), 0) } : {}) };
}

/** SOURCE_DATE_EPOCH for a workspace: the environment's, else the last commit's time, else none. */
export async function sourceDateEpoch(root: string): Promise<string | undefined> {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv && /^\d+$/.test(fromEnv)) return fromEnv;
  const git = await exec('git', ['log', '-1', '--format=%ct'], { cwd: root, timeoutMs: 10_000 });
  const time = git.exitCode === 0 ? git.stdout.trim() : '';
  return /^\d+$/.test(time) ? time : undefined;
}

/** What attests each platform image of an index, as the registry has it: short names of the predicate types. */
export async function registryAttestations(
  indexRef: string,
  builder?: string,
  raw: (ref: string) => Promise<ManifestJson | undefined> = (r) => rawManifest(r, builder),
): Promise<Map<string, string[]>> {
  const index = await raw(indexRef);
  const found = new Map<string, string[]>();
  const entries = (index?.manifests ?? []).flatMap((m) => {
    const subject = (m as Descriptor & { annotations?: Record<string, string> }).annotations?.['vnd.docker.reference.digest'];
    return subject ? [{ m, subject }] : [];
  });
  const read = await Promise.all(entries.map(({ m }) => raw(`${repositoryOf(indexRef)}@${m.digest}`)));
  for (const [i, { subject }] of entries.entries()) {
    const types = (read[i]?.layers ?? []).map((l) =>
      predicateName((l as Descriptor & { annotations?: Record<string, string> }).annotations?.['in-toto.io/predicate-type']),
    );
    found.set(subject, [...new Set([...(found.get(subject) ?? []), ...types])]);
  }
  return found;
}

function predicateName(type: string | undefined): string {
  if (!type) return 'unknown';
  if (type.startsWith('https://slsa.dev/provenance/')) return 'provenance';
  if (type.startsWith('https://spdx.dev/') || type.includes('cyclonedx')) return 'sbom';
  return type;
}

/** The image store's size of a loaded image (the store's own figure: with containerd, unpacked content counts). */
/** The image store's ID of an image (its config digest), or undefined when the store has none by that name. */
export async function storeImageId(ref: string): Promise<string | undefined> {
  const result = await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', ref]);
  const id = result.stdout.trim();
  return result.exitCode === 0 && /^sha256:[0-9a-f]{64}$/.test(id) ? id : undefined;
}

export async function storeSize(ref: string): Promise<number | undefined> {
  const result = await exec('docker', ['image', 'inspect', '--format', '{{.Size}}', ref]);
  const n = Number(result.stdout.trim());
  return result.exitCode === 0 && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Where crossbake-runtime-install names the packages it added to an image ("name:arch version" a line). */
export const RUNTIME_PACKAGES_FILE = '/usr/share/crossbake/runtime-packages';

/**
 * The Debian packages the build added to one platform image of the image store for its binary's runtime
 * (`name:arch`), read from the image's own file without running it: empty when it has none, undefined
 * when the store cannot tell (an image not in the store).
 */
export async function storeRuntimePackages(ref: string, platform: string, digest?: string): Promise<string[] | undefined> {
  // The same image digest holds the same file: a rebuild with nothing new needs no container to read it.
  const known = digest ? runtimePackages.get(digest) : undefined;
  if (known !== undefined) return known.split('\n').filter(Boolean);
  const read = await readRuntimePackages(ref, platform);
  if (read && digest) runtimePackages.put(digest, read.join('\n'));
  return read;
}

const runtimePackages = byDigest('runtime-packages');
const configs = byDigest('configs');

/**
 * The runtime packages of one pushed platform image (`repository@digest` of its manifest), read from the
 * registry without the image store: the layer its runtime root made, found by the config's history, holds
 * the file. Kept by that layer's digest, which a change of the binary alone leaves as it is, so a
 * one-file change reads nothing but the manifest. Undefined when the registry cannot tell: then the store.
 */
export async function registryRuntimePackages(ref: string, builder?: string): Promise<string[] | undefined> {
  const manifest = (await readManifest(ref, builder))?.json;
  const configDigest = manifest?.config?.digest;
  if (!manifest?.layers || !configDigest) return undefined;
  const repository = repositoryOf(ref);
  let configText = configs.get(configDigest);
  if (configText === undefined) {
    const read = await registry.blob(`${repository}@${configDigest}`);
    if (read.kind !== 'found') return undefined;
    configText = read.bytes.toString('utf8');
    configs.put(configDigest, configText);
  }
  let config: Parameters<typeof runtimeRootLayer>[1];
  try {
    config = JSON.parse(configText);
  } catch {
    return undefined;
  }
  const layer = runtimeRootLayer(manifest, config);
  if (!layer) return undefined;
  const known = runtimePackages.get(layer.digest);
  if (known !== undefined) return known.split('\n').filter(Boolean);
  const blob = await registry.blob(`${repository}@${layer.digest}`);
  if (blob.kind !== 'found') return undefined;
  const lines = fileInLayer(blob.bytes, layer.mediaType, RUNTIME_PACKAGES_FILE.slice(1));
  if (lines === undefined) return undefined;
  const packages = packageNames(lines);
  runtimePackages.put(layer.digest, packages.join('\n'));
  return packages;
}

/** The `name:arch` of each "name:arch version" line of RUNTIME_PACKAGES_FILE. */
function packageNames(lines: readonly string[]): string[] {
  return lines.map((l) => l.split(' ')[0]!).filter(Boolean);
}

async function readRuntimePackages(ref: string, platform: string): Promise<string[] | undefined> {
  const created = await exec('docker', ['create', '--platform', platform, ref], { timeoutMs: 60_000 });
  if (created.exitCode !== 0) return undefined;
  const id = created.stdout.trim();
  try {
    const copied = await exec('docker', ['cp', `${id}:${RUNTIME_PACKAGES_FILE}`, '-'], { timeoutMs: 60_000 });
    if (copied.exitCode !== 0) return /Could not find the file|No such container:path/i.test(copied.stderr) ? [] : undefined;
    const entry = readTar(Buffer.from(copied.stdout, 'latin1')).find((e) => e.type === '0');
    return packageNames((entry?.data.toString('utf8') ?? '').split('\n'));
  } finally {
    await exec('docker', ['rm', id], { timeoutMs: 60_000 });
  }
}
