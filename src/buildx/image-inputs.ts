import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { entriesDigest } from '../fs/context-digest.js';
import { BUILD_ALL } from '../plan.js';
import { type BuildLog, parseVertexName } from './progress.js';

/**
 * Which images a push can leave out: those whose own files did not change. build-all prints, for each
 * binary and platform, the context files cargo's dep-info lists for it (docker/crossbake-target-cache.sh
 * `inputs`: its sources, include_str! files, build scripts' rerun-if-changed paths). A file cargo tracks
 * for another binary but not for this one is not read by this one's compilation; every other file of the
 * context (manifests, Cargo.lock, .cargo/config.toml, a file a build script reads untracked, a new file)
 * counts for every image. So an image is the same as its last push when the build's definition is the
 * same (`base`), its own files are, and every file outside all binaries' lists is: cargo would find it
 * fresh, which is all build-all's kept target directory relies on too.
 */

/** The line docker/crossbake-target-cache.sh `inputs` prints: marker, platform, binary, count, gzip+base64 paths. */
const INPUTS_LINE = /^crossbake-inputs (\S+) (\S+) (\d+) ([A-Za-z0-9+/]*={0,2})$/;

/** Each binary's files, by platform, as build-all printed them in this build (only steps that ran print). */
export function printedInputs(log: BuildLog, targets: readonly string[]): Map<string, Map<string, readonly string[]>> {
  const found = new Map<string, Map<string, readonly string[]>>();
  for (const v of log.vertices.values()) {
    if (!v.names.some((name) => parseVertexName(name, targets).stage === BUILD_ALL.stage)) continue;
    for (const line of v.logs) {
      const m = INPUTS_LINE.exec(line);
      if (!m) continue;
      const paths = unpack(m[4]!);
      if (paths === undefined || paths.length !== Number(m[3])) continue;
      const bin = m[2]!;
      if (!found.has(bin)) found.set(bin, new Map());
      found.get(bin)!.set(m[1]!, paths);
    }
  }
  return found;
}

/** A list longer than this is not read (a step's log is no place for a gzip bomb): its binary gets no list. */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

function unpack(base64: string): string[] | undefined {
  try {
    const text = gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: MAX_LIST_BYTES }).toString('utf8');
    return text === '' ? [] : text.split('\n');
  } catch {
    return undefined;
  }
}

/** A binary's files on every one of `platforms` (a cfg'd module can differ by platform), or undefined when one did not print. */
export function inputsOn(
  printed: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>,
  bin: string,
  platforms: readonly string[],
): string[] | undefined {
  const by = printed.get(bin);
  if (!by || platforms.some((p) => !by.has(p))) return undefined;
  return [...new Set(platforms.flatMap((p) => by.get(p)!))].sort();
}

/** An image's files and every binary's files, as one push knew them. */
export interface ImageInputs {
  readonly own: readonly string[];
  readonly known: readonly string[];
}

/** Whether `path` is one of `paths` or under one (a rerun-if-changed directory). */
export function covered(path: string, paths: ReadonlySet<string>): boolean {
  for (let p = path; ; ) {
    if (paths.has(p)) return true;
    const slash = p.lastIndexOf('/');
    if (slash < 0) return false;
    p = p.slice(0, slash);
  }
}

/** The context files that count for an image: its own, and every one outside all binaries' lists. */
export function relevantDigest(entries: ReadonlyMap<string, string>, inputs: ImageInputs): string {
  const own = new Set(inputs.own);
  const known = new Set(inputs.known);
  return entriesDigest(entries, (path) => covered(path, own) || !covered(path, known));
}

/** Bump when what an image record means changes: older records then never match. */
const IMAGE_RECORD_FORMAT = 'crossbake image record 1';

/** One image's fingerprint: the build's definition (`base`), the image, its lists, and the files that count for it. */
export function imageFingerprint(base: string, target: string, inputs: ImageInputs, entries: ReadonlyMap<string, string>): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify([IMAGE_RECORD_FORMAT, base, target, inputs.own, inputs.known, relevantDigest(entries, inputs)]))
    .digest('hex')}`;
}

/**
 * The lists of the newest record whose files that count are the same now as when it was made: a build
 * whose build-all came from the cache compiled exactly that content, so cargo's lists then are its lists now.
 */
export function carriedInputs(
  records: ReadonlyArray<{ readonly inputs: ImageInputs; readonly relevant?: string }>,
  entries: ReadonlyMap<string, string>,
): ImageInputs | undefined {
  return records.find((r) => r.relevant !== undefined && relevantDigest(entries, r.inputs) === r.relevant)?.inputs;
}
