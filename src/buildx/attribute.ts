/**
 * Attribution: from buildx's progress (see progress.ts) to "which image, for which platform, failed in
 * which Dockerfile stage and step, and why" — a compile error, a missing linker, a network fault while
 * fetching crates, a registry that refused, or some other step.
 */
import { CrossbakeError, type ErrorKind } from '../errors.js';
import { COMPILER_ERROR, CROSSBAKE_LINE } from '../failure-lines.js';
import { SHARED_STAGES } from '../plan.js';
import { findPlatform, PLATFORMS, type Platform } from '../platforms.js';
import { registryHost } from '../reference.js';
import { classifyFault, crateOfNetworkError, DAEMON_LOG_HINT, daemonStopped } from './faults.js';
import { type BuildLog, merged, parseVertexName, type Vertex, type VertexName } from './progress.js';

/** One bake target of the run: `backend-linux-arm-v7` (one platform) or `backend` (all of them). */
export interface RunTarget {
  readonly name: string;
  readonly bin: string;
  readonly platforms: readonly Platform[];
  /** The image reference it is tagged or pushed as. */
  readonly ref?: string;
  /** The crates the binary is built from (the Plan's count of its Cargo.lock), for the report. */
  readonly crates?: number;
}

export type Outcome = 'built' | 'failed' | 'canceled' | 'not run';

export interface Slot {
  readonly target: RunTarget;
  readonly platform: Platform;
  outcome: Outcome;
  started?: number;
  completed?: number;
  steps: number;
  cached: number;
  failure?: Failure;
}

export type FailureKind = 'compile' | 'linker' | 'network' | 'registry' | 'base-image' | 'sbom-generator' | 'step' | 'daemon';

export interface Failure {
  readonly kind: FailureKind;
  /** The slots it broke (a shared stage breaks every target that uses it). */
  readonly slots: Slot[];
  readonly stage?: string;
  readonly step?: string;
  readonly action?: string;
  /** "shared": a build-platform stage every target uses; "platform": shared by every binary of one platform. */
  readonly scope: 'target' | 'platform' | 'shared' | 'run';
  /** The lines worth showing: compiler errors, cargo's cause, the step's last words. */
  readonly lines: readonly string[];
  readonly linker?: string;
  /** The package crossbake's Dockerfile named for it (its own check), when it said so. */
  readonly linkerPackage?: string;
  readonly crate?: string;
  readonly version?: string;
  readonly registry?: string;
  readonly host?: string;
  /** The image BuildKit could not get to run as the SBOM generator. */
  readonly generator?: string;
  readonly error?: string;
  readonly at?: number;
  /** A -sys crate's build script that could not find its native library: what pkg-config or the compiler said. */
  readonly nativeCause?: string;
  /**
   * The target platform a step for several of them (deps: one cargo call for every platform) failed on,
   * when its output names the triple (rustc's missing-target note, a build script's TARGET or env probes).
   */
  readonly platform?: Platform;
}

export interface Attribution {
  readonly slots: Slot[];
  readonly failures: Failure[];
}

const scopeOf = (stage: string) => (Object.hasOwn(SHARED_STAGES, stage) ? SHARED_STAGES[stage] : undefined);

/**
 * BuildKit resolves the SBOM generator (attest type=sbom) under this name before any step; the
 * Dockerfile's own images are "[internal] load metadata for ...".
 */
const SBOM_GENERATOR = /^resolve image config for docker-image:\/\/(\S+)$/;
/** Plain progress names only bracketed steps; buildx's error box after the build names the others. */
const BOXED_SBOM_GENERATOR = /^\s*> resolve image config for docker-image:\/\/(\S+):$/;

/** The SBOM generator a failed vertex was resolving, if that is what it was doing. */
function sbomGenerator(vertex: Vertex, log: BuildLog): string | undefined {
  const named = vertex.names.map((n) => SBOM_GENERATOR.exec(n)?.[1]).find(Boolean);
  if (named || vertex.names.length > 0) return named;
  return log.trailer.map((l) => BOXED_SBOM_GENERATOR.exec(l)?.[1]).find(Boolean);
}

/** A cache import that finds nothing is reported as an error by BuildKit but does not fail the build. */
const HARMLESS = /importing cache manifest from|failed to configure registry cache importer/;

/** Whether a vertex's error fails the build (a cache import that finds nothing does not). */
export function failsBuild(vertex: Vertex): boolean {
  return vertex.error !== undefined && !vertex.names.some((n) => HARMLESS.test(n)) && !HARMLESS.test(vertex.error);
}

interface Placed {
  readonly vertex: Vertex;
  readonly name: VertexName;
  readonly slots: Slot[];
}

function place(vertex: Vertex, targets: readonly RunTarget[], slots: readonly Slot[]): Placed[] {
  const names = targets.map((t) => t.name);
  return vertex.names.map((raw) => {
    const name = parseVertexName(raw, names);
    const target = name.target ? targets.find((t) => t.name === name.target) : targets.length === 1 ? targets[0] : undefined;
    if (!target) return { vertex, name, slots: [] };
    // A target with no platforms of its own (the early cache) runs only stages every image shares.
    if (target.platforms.length === 0) return { vertex, name, slots: [...slots] };
    const platform = name.platform ? findPlatform(name.platform) : target.platforms.length === 1 ? target.platforms[0] : undefined;
    // A platform's cache target has no slots of its own: its steps are that platform's steps of every image.
    const own = slots.filter((s) => s.target === target);
    // A step of a multi-platform target without a platform in its name (its export) concerns all of them.
    return { vertex, name, slots: (own.length > 0 ? own : slots).filter((s) => !platform || s.platform === platform) };
  });
}

/**
 * BuildKit runs a step once for every target that needs it and names it after one of them (plain
 * progress shows only that name): a build-platform stage belongs to every target, a per-platform stage
 * to every binary of that platform.
 */
function widen(placed: readonly Slot[], stage: string | undefined, all: readonly Slot[]): readonly Slot[] {
  if (!stage || placed.length === 0) return placed;
  if (scopeOf(stage) === 'shared') return all;
  if (scopeOf(stage) === 'platform') {
    const platforms = new Set(placed.map((s) => s.platform));
    return all.filter((s) => platforms.has(s.platform));
  }
  return placed;
}

function shorten(text: string, max = 110): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The part of a RUN line worth showing: crossbake's cargo call, else the start of the command. */
function stepText(action: string): string {
  const flat = action.replace(/\s+/g, ' ').trim();
  const cargo = /(?:crossbake-)?cargo build [^&;]*/.exec(flat);
  if (cargo) return shorten(`${flat.split(' ')[0]} … ${cargo[0].trim()}`, 140);
  return shorten(flat);
}

const COMPILER_NOISE = /^error: (could not compile|aborting due to)/;

function compilerErrors(lines: readonly string[]): string[] {
  const out: string[] = [];
  let count = 0;
  for (let i = 0; i < lines.length && count < 3; i++) {
    const line = lines[i]!.trimEnd();
    if (!COMPILER_ERROR.test(line) || COMPILER_NOISE.test(line)) continue;
    count++;
    out.push(line);
    const next = lines[i + 1]?.trimEnd();
    if (next && /^\s*--> /.test(next)) out.push(next);
    if (/^error: linking with/.test(line)) {
      const note = lines.slice(i + 1, i + 40).find((l) => /undefined reference|cannot find -l|ld: /.test(l));
      if (note) out.push(`  ${note.trim()}`);
    }
  }
  const summary = lines.find((l) => COMPILER_NOISE.test(l.trim()));
  if (summary && out.length > 0) out.push(summary.trim());
  return out;
}

const NATIVE_CAUSE =
  /was not found|could not find|cannot find -l|No such file or directory|not found in the pkg-config search path|Package .* was not found|Unable to find libclang/i;

/** A `-sys` crate whose build script failed: the crate, and the line saying which library it could not find. */
function nativeLibrary(errors: readonly string[], logs: readonly string[]): Pick<Failure, 'crate' | 'version' | 'nativeCause'> {
  const m = errors.map((l) => /failed to run custom build command for `([A-Za-z0-9_-]+[-_]sys) v([^`\s]+)`/.exec(l)).find(Boolean);
  if (!m) return {};
  const start = logs.findIndex((l) => l.includes(m[0]));
  const cause = logs
    .slice(Math.max(0, start))
    .map((l) => l.trim())
    .find((l) => NATIVE_CAUSE.test(l) && !l.startsWith('error: failed to run custom build'));
  return { crate: m[1]!, version: m[2]!, ...(cause ? { nativeCause: shorten(cause, 200) } : {}) };
}

/**
 * The platform a shared step's error output is about. A build script's own declaration of its target
 * (cc's `TARGET = Some("…")`, openssl-sys's `$TARGET = …`) decides; else the platform whose triple the
 * output names most from the first error on, in any of the spellings cargo, rustc, build scripts and the
 * cross tools use (`aarch64-unknown-linux-gnu`, `aarch64_unknown_linux_gnu`, `AARCH64_UNKNOWN_LINUX_GNU`,
 * `/usr/lib/aarch64-linux-gnu/`, `aarch64-linux-gnu-ld`). Lines that declare the build machine (`HOST = …`)
 * are not counted: they name the build platform whichever target failed.
 */
function platformOfOutput(logs: readonly string[]): Platform | undefined {
  const start = logs.findIndex((l) => COMPILER_ERROR.test(l.trimEnd()));
  const lines = logs.slice(Math.max(0, start));
  const declared = lines
    .map((l) => /^\s*\$?TARGET\s*=\s*(?:Some\()?"?([\w.-]+)"?\)?\s*$/.exec(l)?.[1])
    .filter((t): t is string => t !== undefined);
  const named = [...new Set(declared)].map((t) => PLATFORMS.find((p) => p.rustTarget === t));
  if (named.length === 1 && named[0]) return named[0];
  const text = lines.filter((l) => !/^\s*\$?HOST\s*=/.test(l)).join('\n');
  let best: { platform: Platform; count: number } | undefined;
  for (const platform of PLATFORMS) {
    const underscored = platform.rustTarget.replace(/-/g, '_');
    const spellings = [
      platform.rustTarget,
      underscored,
      underscored.toUpperCase(),
      `/usr/lib/${platform.multiarch}/`,
      platform.linker,
      // binutils is prefixed by the same GNU triplet: the linker's own `…-ld: cannot find -lzstd`
      `${platform.multiarch}-ld`,
    ];
    const count = spellings.reduce((n, word) => n + text.split(word).length - 1, 0);
    if (count > 0 && (!best || count > best.count)) best = { platform, count };
  }
  return best?.platform;
}

function lastWords(lines: readonly string[], n = 6): string[] {
  return lines
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

function classify(vertex: Vertex, placed: Placed): Omit<Failure, 'slots' | 'scope'> {
  const logs = vertex.logs.concat(vertex.partial ? [vertex.partial] : []);
  const base = {
    ...(placed.name.stage ? { stage: placed.name.stage } : {}),
    ...(placed.name.step ? { step: placed.name.step } : {}),
    action: placed.name.action,
    ...(vertex.error ? { error: vertex.error } : {}),
    ...(vertex.completed !== undefined ? { at: vertex.completed } : {}),
  };
  const network = logs.findIndex((l) => l.startsWith('crossbake: network error:'));
  if (network >= 0) {
    // cargo's last attempt: its error line and the innermost "Caused by" (the wrapper's line is a summary)
    const before = logs.slice(0, network).map((l) => l.trim());
    const error = before.filter((l) => l.startsWith('error:')).pop();
    const cause = before.filter((l) => l !== '' && !l.startsWith('crossbake:')).pop();
    const lines = error
      ? [error, ...(cause && cause !== error ? [`caused by: ${cause}`] : [])]
      : [logs[network]!.replace(/^crossbake: network error:\s*/, '').trim()];
    return { ...base, kind: 'network', lines, ...crateOfNetworkError(logs) };
  }
  const ours = logs.map((l) => /^crossbake: linker '([^']+)' not found/.exec(l)).find(Boolean);
  const rustc = logs.map((l) => /^error: linker [`']([^`']+)[`'] not found/.exec(l.trim())).find(Boolean);
  const linker = ours ?? rustc;
  if (linker) {
    const pkg = ours ? /install the Debian package (\S+)/.exec(ours.input)?.[1] : undefined;
    return { ...base, kind: 'linker', linker: linker[1]!, ...(pkg ? { linkerPackage: pkg } : {}), lines: [linker.input.trim()] };
  }
  const compile = compilerErrors(logs);
  if (compile.length > 0) {
    const platform = placed.name.stage && scopeOf(placed.name.stage) === 'shared' ? platformOfOutput(logs) : undefined;
    return { ...base, kind: 'compile', lines: compile, ...nativeLibrary(compile, logs), ...(platform ? { platform } : {}) };
  }
  const fault = classifyFault(`${vertex.error ?? ''}\n${logs.slice(-30).join('\n')}`);
  if (fault?.kind === 'network' || fault?.kind === 'server')
    return { ...base, kind: 'network', lines: [fault.reason, ...lastWords(logs, 3)], ...(fault.host ? { host: fault.host } : {}) };
  if (fault?.kind === 'registry') return { ...base, kind: 'registry', lines: [fault.reason], ...(fault.host ? { host: fault.host } : {}) };
  if (fault?.kind === 'platform-missing') return { ...base, kind: 'base-image', lines: [fault.reason] };
  const crossbake = logs.filter((l) => CROSSBAKE_LINE.test(l));
  return { ...base, kind: 'step', lines: crossbake.length > 0 ? crossbake : lastWords(logs) };
}

/** Builds the per-target, per-platform picture of a finished (or failed) bake run. */
export function attribute(log: BuildLog, targets: readonly RunTarget[], exitCode: number): Attribution {
  // Only images have slots: a cache target (no binary) runs the images' steps, and fails or builds them.
  const slots: Slot[] = targets
    .filter((target) => target.bin)
    .flatMap((target) => target.platforms.map((platform) => ({ target, platform, outcome: 'not run' as Outcome, steps: 0, cached: 0 })));
  const failures: Failure[] = [];
  const stepSeen = new Map<Slot, Set<string>>();
  const ordered = [...log.vertices.values()].sort((a, b) => a.seq - b.seq);
  // BuildKit re-reports steps that an earlier build left in its solver with their old times; buildx's own
  // first step (reading the bake files) marks when this run began.
  const begin = ordered.find((v) => v.names.some((n) => n.startsWith('[internal] load local bake definitions')))?.started;
  const current = (t: number | undefined) => t !== undefined && (begin === undefined || t >= begin - 1000);
  for (const vertex of ordered) {
    for (const placed of place(vertex, targets, slots)) {
      for (const slot of widen(placed.slots, placed.name.stage, slots)) {
        // A cached step's times are those of the build that made it: only work done now counts.
        if (!vertex.cached && current(vertex.started)) slot.started = Math.min(slot.started ?? vertex.started!, vertex.started!);
        if (!vertex.cached && current(vertex.completed)) slot.completed = Math.max(slot.completed ?? vertex.completed!, vertex.completed!);
        if (placed.name.step && !placed.name.internal) {
          const key = `${placed.name.stage} ${placed.name.step}`;
          const seen = stepSeen.get(slot) ?? new Set<string>();
          if (!seen.has(key)) {
            seen.add(key);
            stepSeen.set(slot, seen);
            slot.steps++;
            if (vertex.cached) slot.cached++;
          }
        }
        if (slot.outcome === 'not run') slot.outcome = 'built';
      }
    }
  }
  // Failures: errored vertices that were neither canceled nor a harmless cache miss.
  for (const vertex of ordered) {
    if (!vertex.error || vertex.canceled) continue;
    if (!failsBuild(vertex)) continue;
    const generator = sbomGenerator(vertex, log);
    if (generator) {
      // Resolved before any step: no image can be built without it.
      const fault = classifyFault(vertex.error);
      failures.push({
        kind: 'sbom-generator',
        generator,
        slots,
        scope: 'run',
        lines: [fault?.reason ?? vertex.error],
        error: vertex.error,
      });
      for (const slot of slots) {
        slot.outcome = 'failed';
        slot.failure ??= failures.at(-1);
      }
      continue;
    }
    const placements = place(vertex, targets, slots);
    const first = placements[0] ?? { vertex, name: parseVertexName(vertex.names[0] ?? '', []), slots: [] };
    let broken = [...new Set(placements.flatMap((p) => p.slots))];
    const stage = first.name.stage;
    let scope: Failure['scope'] = 'target';
    if (stage && scopeOf(stage) === 'shared') {
      scope = 'shared';
      broken = slots;
    } else if (stage && scopeOf(stage) === 'platform') {
      scope = 'platform';
      const platforms = new Set(broken.map((s) => s.platform));
      broken = slots.filter((s) => platforms.has(s.platform));
    } else if (broken.length === 0) {
      scope = 'run';
    }
    const failure: Failure = { ...classify(vertex, first), slots: broken, scope };
    failures.push(failure);
    for (const slot of broken) {
      slot.outcome = 'failed';
      slot.failure ??= failure;
    }
  }
  // A slot whose image was exported before another one failed did build.
  const exported = new Set<Slot>();
  for (const vertex of ordered) {
    if (vertex.error || vertex.completed === undefined) continue;
    for (const placed of place(vertex, targets, slots)) {
      if (/^exporting to /.test(placed.name.action) || /^exporting to /.test(vertex.names[0] ?? ''))
        for (const slot of placed.slots) exported.add(slot);
    }
  }
  // The daemon going away fails every step in flight with EOF: that is one failure, the environment's.
  const stopped = exitCode !== 0 ? daemonStopped([...log.trailer, ...ordered.map((v) => v.error ?? '')].join('\n')) : undefined;
  if (stopped !== undefined) {
    failures.splice(0, failures.length, { kind: 'daemon', slots, scope: 'run', lines: [stopped] });
    for (const slot of slots) {
      slot.outcome = exported.has(slot) ? 'built' : 'canceled';
      delete slot.failure;
    }
  } else if (exitCode !== 0) {
    if (failures.length === 0) {
      // buildx failed outside any step (an option it refused, a push, a frontend error): its last words.
      const error = log.trailer.filter((l) => /^ERROR:|^error:/i.test(l.trim()));
      const text = (error.length > 0 ? error : log.trailer.slice(-3)).map((l) => l.trim());
      const fault = classifyFault(text.join('\n'));
      const kind: FailureKind =
        fault?.kind === 'network' || fault?.kind === 'server' ? 'network' : fault?.kind === 'registry' ? 'registry' : 'step';
      failures.push({
        kind,
        slots,
        scope: 'run',
        lines: text.length > 0 ? text : ['(buildx printed no error; see its output above)'],
        ...(fault && 'host' in fault && fault.host ? { host: fault.host } : {}),
      });
      for (const slot of slots) slot.outcome = slot.outcome === 'failed' ? 'failed' : 'canceled';
    } else {
      for (const slot of slots) if (slot.outcome !== 'failed') slot.outcome = exported.has(slot) ? 'built' : 'canceled';
    }
  }
  if (exitCode === 0) for (const slot of slots) slot.outcome = 'built';
  failures.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
  return { slots, failures };
}

const KIND: Record<FailureKind, ErrorKind> = {
  compile: 'build',
  linker: 'build',
  step: 'build',
  network: 'network',
  registry: 'registry',
  'base-image': 'input',
  'sbom-generator': 'environment',
  daemon: 'environment',
};

function who(slots: readonly Slot[], all: readonly Slot[]): string {
  if (slots.length === 0) return 'the build';
  if (slots.length === all.length && all.length > 1) return 'every image';
  const byBin = new Map<string, string[]>();
  for (const s of slots) byBin.set(s.target.bin, [...(byBin.get(s.target.bin) ?? []), s.platform.docker]);
  return [...byBin.entries()].map(([bin, platforms]) => `${bin} for ${platforms.join(', ')}`).join('; ');
}

function where(f: Failure): string {
  const targets = [...new Set(f.slots.map((s) => s.target.name))];
  const parts: string[] = [];
  if (f.scope === 'target' && targets.length > 0) parts.push(`bake target ${targets.join(', ')}`);
  if (f.stage) parts.push(`Dockerfile stage ${f.stage}${f.step ? `, step ${f.step}` : ''}`);
  if (f.scope === 'shared')
    parts.push(
      f.platform
        ? `one step for every platform and binary, on the build platform; the error is ${f.platform.docker}'s`
        : 'a stage every target shares; it runs on the build platform',
    );
  if (f.scope === 'platform') parts.push(`shared by every binary for ${[...new Set(f.slots.map((s) => s.platform.docker))].join(', ')}`);
  return parts.join(', ');
}

/** The one-failure headline and its detail lines. */
export function describeFailure(f: Failure, all: readonly Slot[]): { headline: string; details: string[] } {
  const subject = f.platform
    ? who(
        f.slots.filter((s) => s.platform === f.platform),
        all,
      )
    : who(f.slots, all);
  const at = where(f);
  const place = at ? ` (${at})` : '';
  const step = f.action ? [`step: ${stepText(f.action)}`] : [];
  switch (f.kind) {
    case 'compile': {
      // E0463 for core/std: not the code, the toolchain lacks the target's standard library
      const platform = f.scope === 'shared' ? f.platform : f.slots[0]?.platform;
      const std =
        f.lines.some((l) => /can't find crate for `(core|std)`/.test(l)) && platform
          ? [
              `the toolchain has no Rust standard library for ${platform.rustTarget}: with rustup, \`rustup target add ${platform.rustTarget}\`; with Debian's rustc, the package libstd-rust-dev:${platform.debianArch} (a base-image or rust-image other than crossbake expects can cause this).`,
            ]
          : [];
      const native =
        f.crate && (f.nativeCause !== undefined || f.crate.endsWith('sys'))
          ? [
              `${f.crate} ${f.version ?? ''} needs a native library${platform ? ` for ${platform.docker}` : ''} that the build does not have${f.nativeCause ? `: ${f.nativeCause}` : ''}.`.replace(
                '  ',
                ' ',
              ),
              `crossbake installs the -dev packages of the -sys crates it knows; for ${f.crate}, add the Debian package with its library to ${platform ? `native.packages."${platform.docker}" (or "*" for every platform)` : 'native.packages."*" (or "<platform>" for one platform)'} in [workspace.metadata.crossbake], e.g. native.packages."*" = ["libfoo-dev"], then run again.`,
            ]
          : [];
      return { headline: `${subject} does not compile${place}:`, details: [...f.lines, ...native, ...std, ...step] };
    }
    case 'linker': {
      const platform = f.slots[0]?.platform;
      const ours = f.linkerPackage !== undefined || (platform && platform.linker === f.linker);
      const pkg = f.linkerPackage ?? (platform ? `${platform.gccPackage} (with ${platform.libcDevPackage})` : 'that provides it');
      const fix = ours
        ? `Install the Debian package ${pkg} in the toolchain stage: crossbake's Dockerfile installs it for every platform, so a rust-image without it, or an edited Dockerfile, is the likely cause. Then run again.`
        : `crossbake links ${platform?.docker ?? 'this platform'} with ${platform?.linker ?? 'the cross gcc'} from the Debian package ${pkg}; remove the setting that asks for ${f.linker} (.cargo/config.toml [target.*] linker or rustflags, RUSTFLAGS), or install the package that provides it, then run again.`;
      return {
        headline: `${subject} cannot link: the linker ${f.linker} is not installed in the build image${place}.`,
        details: [...f.lines, fix],
      };
    }
    case 'network': {
      const crate = f.crate ? `crate ${f.crate}${f.version ? ` ${f.version}` : ''}` : 'crates';
      const from = f.host && f.registry ? `${f.host} (registry ${f.registry})` : (f.host ?? (f.registry ? `registry ${f.registry}` : ''));
      const isCargo =
        f.lines.length > 0 &&
        (f.crate !== undefined ||
          f.registry !== undefined ||
          /cargo|crate/i.test(f.lines.join(' ')) ||
          f.stage === 'deps' ||
          f.stage?.startsWith('build-'));
      if (isCargo) {
        return {
          headline: `network fault while fetching ${crate}${from ? ` from ${from}` : ''}, building ${subject}${place}; this is not a compile error.`,
          details: [
            ...f.lines,
            'cargo retried (CARGO_NET_RETRY=5) and crossbake ran cargo a second time; check the network, a proxy, or the registry, then run again.',
          ],
        };
      }
      return {
        headline: `network fault${f.host ? ` reaching ${f.host}` : ''} while building ${subject}${place}.`,
        details: [...f.lines, 'Check the network (DNS, proxy, firewall) and that the host is up, then run again.'],
      };
    }
    case 'registry': {
      const host = f.host ?? (f.slots[0]?.target.ref ? registryHost(f.slots[0].target.ref) : undefined);
      return {
        headline: `registry ${host ?? ''} refused the request while building ${subject}${place}.`.replace('registry  ', 'the registry '),
        details: [...f.lines, `Run \`docker login ${host ?? '<registry>'}\` with an account that may push there, then run again.`],
      };
    }
    case 'base-image': {
      const image = /for ([^\s:]+(?::[^\s:]+)?):/.exec(f.lines[0] ?? '')?.[1] ?? 'an image the Dockerfile starts from';
      return {
        headline: `${image} has no image for ${[...new Set(f.slots.map((s) => s.platform.docker))].join(', ') || 'a requested platform'}${place}.`,
        details: [
          ...f.lines,
          'Choose a base-image (or rust-image) that is published for every platform you build, or leave that platform out (--platforms, platforms in [workspace.metadata.crossbake]).',
        ],
      };
    }
    case 'sbom-generator':
      return {
        headline: `the SBOM generator ${f.generator} cannot be pulled: attest.sbom is on, and BuildKit runs that image to write each image's SBOM attestation. Nothing was built.`,
        details: [
          ...f.lines,
          'Make that image reachable from the builder (a registry mirror, or attest.sbom-generator naming a copy you host), or set attest.sbom = false in [workspace.metadata.crossbake]: every image still carries its crates in /app/Cargo.lock.',
        ],
      };
    case 'step':
      return { headline: `${subject} failed${place}:`, details: [...f.lines, ...step] };
    case 'daemon':
      return {
        headline: 'the Docker daemon stopped during the build; this is not a fault in your code or its Dockerfile.',
        details: [
          `buildx: ${f.lines[0] ?? 'the connection to the daemon closed'}`,
          DAEMON_LOG_HINT,
          'dockerd 26\'s BuildKit can panic (solver walkProvenance) when builds overlap on one daemon: start it again, run one build at a time, then run again (see the README, "When the Docker daemon stops").',
        ],
      };
  }
}

/** The error a failed run ends with; its kind (exit code) is that of the first failure. */
export function failureError(attribution: Attribution, notes: string | readonly string[] | undefined): CrossbakeError {
  const { failures, slots } = attribution;
  const first = failures[0]!;
  const parts = failures.slice(0, 3).map((f) => describeFailure(f, slots));
  const details: string[] = [...parts[0]!.details];
  for (const more of parts.slice(1)) details.push(`also: ${more.headline}`, ...more.details.map((d) => `  ${d}`));
  if (failures.length > 3) details.push(`and ${failures.length - 3} more failures; see the build output above.`);
  const canceled = slots.filter((s) => s.outcome === 'canceled');
  if (canceled.length > 0)
    details.push(
      `not finished (buildx stopped them when the failure above happened): ${canceled.map((s) => `${s.target.bin} ${s.platform.docker}`).join(', ')}`,
    );
  if (notes) details.push(...(typeof notes === 'string' ? [notes] : notes));
  return new CrossbakeError(KIND[first.kind], `build failed: ${parts[0]!.headline}`, details);
}

/**
 * The Dockerfile steps this run executed rather than took from the cache. A `FROM` only resolves its
 * image (reported as run every time); a new base image shows in the steps built on it.
 */
export function stepsRun(log: BuildLog, targets: readonly RunTarget[]): string[] {
  const names = targets.map((t) => t.name);
  const ran = new Set<string>();
  for (const vertex of log.vertices.values()) {
    if (vertex.cached || vertex.started === undefined || merged(vertex)) continue;
    for (const raw of vertex.names) {
      const name = parseVertexName(raw, names);
      if (name.stage && name.step && !name.internal && !/^FROM\s/i.test(name.action)) ran.add(`${name.stage} ${name.step}`);
    }
  }
  return [...ran].sort();
}
