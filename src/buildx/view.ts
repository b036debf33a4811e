/**
 * The live view's model: buildx's progress (a BuildLog) and the Plan's names → one row per image ×
 * platform, plus a row per shared stage group (once for every platform, once per target platform), and
 * the cache notes a person needs instead of BuildKit's cache-import errors. Pure: `now` is a parameter.
 */
import { type CacheEntry, EARLY_CACHE, MINIMAL_ROOT, type Plan, RUST_STD, SHARED_STAGES } from '../plan.js';
import { findPlatform } from '../platforms.js';
import type { RunTarget } from './attribute.js';
import { type BuildLog, IMAGE_EXPORT, parseVertexName, type Vertex } from './progress.js';

export type Phase = 'toolchain' | 'deps' | 'build' | 'runtime' | 'export' | 'push';

export interface StageInfo {
  readonly phase: Phase;
  readonly scope: 'shared' | 'platform' | 'image';
  readonly bin?: string;
}

/** What the view knows from the Plan: which stage is what, and which cache each target writes. */
export interface ViewPlan {
  readonly targets: readonly RunTarget[];
  readonly stages: ReadonlyMap<string, StageInfo>;
  /** Packages in Cargo.lock: what the deps stage compiles. */
  readonly crates?: number;
  /** Per bake target, the cache refs it writes (`image:tag`, a local dir, a gha scope): a miss there is a first build. */
  readonly ownCache: ReadonlyMap<string, readonly string[]>;
}

const PHASE_OF_SHARED: Readonly<Record<string, Phase>> = {
  toolchain: 'toolchain',
  'toolchain-base': 'toolchain',
  [RUST_STD.stage]: 'toolchain',
  [EARLY_CACHE.stage]: 'toolchain',
  skeleton: 'deps',
  chef: 'deps',
  native: 'toolchain',
  target: 'deps',
  deps: 'deps',
  'build-all': 'build',
  'runtime-packages': 'runtime',
  'runtime-base': 'runtime',
  'runtime-files': 'runtime',
  [MINIMAL_ROOT]: 'runtime',
};

/** BuildKit reads a cache's index (its config blob) up to 1 MiB: "blob sha256:… is too large (1126955 > 1048576)". */
const TOO_LARGE = /is too large \(\d+ > \d+\)/;

/** Why a mode=max cache's index outgrows what BuildKit reads, and what to do: said on import and on export. */
export const INDEX_GROWTH =
  'A mode=max cache\'s index lists every link the builder keeps between its steps, and a long-lived builder keeps those of earlier builds (docker buildx prune does not drop them): write the cache from a builder with a fresh state (docker buildx create --name crossbake --driver docker-container, then crossbake bake --builder crossbake), or, as a last resort, set cache = { mode = "min" } in [workspace.metadata.crossbake] (one cache per image, no shared ones).';

function cacheKey(entry: CacheEntry): string | undefined {
  switch (entry.type) {
    case 'registry':
      return entry.tag ? `${entry.image}:${entry.tag}` : undefined;
    case 'local':
      return entry.dir;
    case 'gha':
      return entry.scope;
    case 'inline':
      return undefined;
  }
}

export function viewPlan(plan: Plan, targets: readonly RunTarget[], crates?: number): ViewPlan {
  const stages = new Map<string, StageInfo>();
  for (const [stage, scope] of Object.entries(SHARED_STAGES)) stages.set(stage, { phase: PHASE_OF_SHARED[stage] ?? 'deps', scope });
  const ownCache = new Map<string, string[]>();
  for (const image of plan.images) {
    stages.set(image.stages.libs, { phase: 'runtime', scope: 'image', bin: image.bin });
    stages.set(image.stages.runtime, { phase: 'runtime', scope: 'image', bin: image.bin });
    const own = (to: readonly CacheEntry[] | undefined) => (to ?? []).map(cacheKey).filter((k): k is string => k !== undefined);
    // crossbake writes a platform's shared cache for its images, not the image's own
    const shared = plan.sharedCache?.platforms.flatMap((s) => s.cache.to);
    ownCache.set(image.target, own(shared ?? image.cache?.to));
    for (const p of image.platforms) {
      const shared = plan.sharedCache?.platforms.find((s) => s.platform === p.platform)?.cache;
      ownCache.set(p.target, own((shared ?? p.cache)?.to));
    }
  }
  return { targets, stages, ...(crates !== undefined ? { crates } : {}), ownCache };
}

export type RowState = 'waiting' | 'running' | 'done' | 'failed' | 'canceled';

export interface Row {
  /** `shared` rows hold the stages every image (or every image of one platform) shares. */
  readonly kind: 'shared' | 'image';
  /** The binary, or `shared`. */
  readonly image: string;
  /** A docker platform, or `all` for build-platform stages. */
  readonly platform: string;
  readonly state: RowState;
  readonly phase?: Phase;
  /** The Dockerfile step of the current stage: `3/3`. */
  readonly step?: string;
  /** crossbake's step: `cargo build (5/12 crates)`. */
  readonly label?: string;
  /** How far along, when that is known (crates compiled, steps done). */
  readonly fraction?: number;
  readonly elapsed?: number;
  readonly steps: number;
  readonly cached: number;
  readonly ran: number;
  /** Other steps running alongside the current one. */
  readonly alsoRunning: number;
  /** The latest `Compiling <crate>` line of a running cargo step. */
  readonly compiling?: string;
  /** The shared row an image waits for: `deps linux/arm64`. */
  readonly waitingFor?: string;
  readonly failure?: string;
}

export interface View {
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly elapsed: number;
  readonly finished: boolean;
}

interface Entry {
  readonly vertex: Vertex;
  readonly phase: Phase;
  readonly stage?: string;
  readonly step?: string;
  readonly label: string;
  /** A Dockerfile step (counted as cached or ran); exports are not. */
  readonly counted: boolean;
  /** FROM and WORKDIR: BuildKit never reports them cached, and they are no work worth counting. */
  readonly base?: boolean;
}

interface RowAcc {
  readonly kind: Row['kind'];
  readonly image: string;
  readonly platform: string;
  readonly target?: string;
  readonly entries: Map<string, Entry>;
}

const CACHE_IMPORT = /^importing cache manifest from (\S+)/;
/** A cache ref that is simply not there yet (registry: not found; local: no index); plain.ts drops the same lines. */
export const CACHE_MISSING = /: not found$|not found: manifest unknown|no such file or directory|\b404\b/;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** crossbake's step, in its words: `deps: cargo build (12 crates)`, from the stage the Plan named. */
export function stepLabel(info: StageInfo, stage: string, action: string, vertex: Vertex, crates?: number): string {
  const verb = action.split(/\s+/)[0] ?? '';
  const running = vertex.completed === undefined && !vertex.cached;
  const compiled = vertex.counts.Compiling ?? 0;
  const cargo = /crossbake-cargo|cargo (build|chef)/.test(action);
  switch (stage) {
    case 'toolchain': {
      if (verb === 'FROM') return 'base image';
      if (verb === 'RUN') {
        const unpacked = vertex.counts.Unpacking ?? 0;
        return `install Rust and cross linkers${unpacked > 0 ? ` (${plural(unpacked, 'package')})` : ''}`;
      }
      return 'crossbake scripts';
    }
    case 'skeleton':
      return 'dependency manifests';
    case 'chef':
      return verb === 'RUN' ? 'cargo chef prepare' : 'dependency manifests';
    case 'native':
      return verb === 'RUN' ? 'native -dev packages for the targets' : verb.toLowerCase();
    case 'target':
      return 'target triple and linker';
    case 'runtime-packages':
      return verb === 'RUN' ? 'download runtime packages' : 'base image';
    case 'runtime-base':
      return 'base image';
    case 'runtime-files':
      return verb === 'RUN' ? 'assemble runtime files' : 'user and dpkg records';
    case MINIMAL_ROOT:
      return 'assemble the minimal root';
  }
  if (stage === 'deps') {
    if (verb !== 'RUN' || !cargo) return verb === 'COPY' ? 'copy manifests' : verb.toLowerCase();
    if (running && crates) return `cargo build (${Math.min(compiled, crates)}/${plural(crates, 'crate')})`;
    const n = compiled || crates;
    return n ? `cargo build (${plural(n, 'crate')})` : 'cargo build';
  }
  if (info.phase === 'build') {
    if (verb === 'COPY') return 'copy sources';
    if (verb === 'RUN' && cargo) {
      // build-all compiles every selected binary in one call; it has no binary of its own.
      const what = info.bin ? `--bin ${info.bin}` : 'of the selected binaries';
      return `cargo build ${what}${compiled > 0 ? ` (${plural(compiled, 'crate')})` : ''}`;
    }
    if (verb === 'RUN' && /runtime-libs/.test(action)) return `check ${info.bin}'s ELF, find its libraries`;
    return verb.toLowerCase();
  }
  if (info.phase === 'runtime') {
    if (verb === 'COPY' && /--from=build/.test(action)) return `add ${info.bin}`;
    if (verb === 'COPY') return 'add runtime files';
    if (verb === 'RUN' && /runtime-install/.test(action)) return 'add runtime packages';
    return 'image settings';
  }
  return verb.toLowerCase();
}

function exportLabel(action: string): { phase: Phase; label: string } | undefined {
  if (/^exporting cache/.test(action)) return { phase: 'export', label: 'cache' };
  if (IMAGE_EXPORT.test(action)) return { phase: 'export', label: 'image' };
  if (/^exporting /.test(action)) return { phase: 'export', label: action.replace(/^exporting /, '') };
  if (/^pushing /.test(action)) return { phase: 'push', label: action.replace(/^pushing /, '') };
  return undefined;
}

interface Assigned {
  readonly rows: Map<string, RowAcc>;
  readonly misses: Map<string, { own: boolean; refs: string[] }>;
  readonly warnings: string[];
  readonly current: (t: number | undefined) => boolean;
  readonly begin?: number;
  readonly ordered: Vertex[];
}

/** Every vertex to the rows it concerns: shared stages once, image stages per image and platform. */
function assign(log: BuildLog, plan: ViewPlan): Assigned {
  const names = plan.targets.map((t) => t.name);
  const platforms = [...new Set(plan.targets.flatMap((t) => t.platforms.map((p) => p.docker)))];
  const rows = new Map<string, RowAcc>();
  rows.set('shared|all', { kind: 'shared', image: 'shared', platform: 'all', entries: new Map() });
  for (const p of platforms) rows.set(`shared|${p}`, { kind: 'shared', image: 'shared', platform: p, entries: new Map() });
  // cache targets (no binary) have no row: their steps are the images' and the shared ones
  for (const t of plan.targets.filter((target) => target.bin))
    for (const p of t.platforms)
      rows.set(`${t.bin}|${p.docker}`, { kind: 'image', image: t.bin, platform: p.docker, target: t.name, entries: new Map() });

  const ordered = [...log.vertices.values()].sort((a, b) => a.seq - b.seq);
  const begin = ordered.find((v) => v.names.some((n) => n.startsWith('[internal] load local bake definitions')))?.started;
  const current = (t: number | undefined) => t !== undefined && (begin === undefined || t >= begin - 1000);

  // cache imports: per image and platform, which refs were missing, and which failed for another reason
  const misses = new Map<string, { own: boolean; refs: string[] }>();
  const warnings: string[] = [];

  for (const vertex of ordered) {
    for (const raw of vertex.names) {
      const name = parseVertexName(raw, names);
      if (name.internal) continue;
      const target = name.target
        ? plan.targets.find((t) => t.name === name.target)
        : plan.targets.length === 1
          ? plan.targets[0]
          : undefined;
      const platform = name.platform
        ? findPlatform(name.platform)?.docker
        : target?.platforms.length === 1
          ? target.platforms[0]!.docker
          : undefined;
      const slotPlatforms = platform ? [platform] : (target?.platforms.map((p) => p.docker) ?? []);
      const imported = CACHE_IMPORT.exec(name.action);
      if (imported) {
        if (!vertex.error || !target) continue;
        const ref = imported[1]!;
        if (CACHE_MISSING.test(vertex.error)) {
          const own = plan.ownCache.get(target.name);
          const isOwn = !own || own.length === 0 || writes(own, ref);
          // BuildKit imports a cache once for all the targets that read it (a platform's shared cache) and
          // reports it under one of them: the miss is every writer's.
          const slots = [
            ...slotPlatforms.map((p) => `${target.bin}|${p}`),
            ...(isOwn
              ? plan.targets
                  .filter((other) => other !== target && writes(plan.ownCache.get(other.name) ?? [], ref))
                  .flatMap((other) => other.platforms.map((p) => `${other.bin}|${p.docker}`))
              : []),
          ];
          for (const key of slots) {
            const m = misses.get(key) ?? { own: false, refs: [] };
            if (isOwn) m.own = true;
            if (!m.refs.includes(ref)) m.refs.push(ref);
            misses.set(key, m);
          }
        } else {
          const said = vertex.error.replace(/^failed to configure registry cache importer:\s*/, '');
          const w = TOO_LARGE.test(said)
            ? `cache ${ref} could not be read (${said}): its index is over the size BuildKit reads; building without it. ${INDEX_GROWTH}`
            : `cache ${ref} could not be read (${said}); building without it. Check the registry and the cache setting.`;
          if (!warnings.includes(w)) warnings.push(w);
        }
        continue;
      }
      const info = name.stage ? plan.stages.get(name.stage) : undefined;
      if (info && name.stage) {
        const entry: Entry = {
          vertex,
          phase: info.phase,
          stage: name.stage,
          ...(name.step ? { step: name.step } : {}),
          label: stepLabel(info, name.stage, name.action, vertex, plan.crates),
          counted: name.step !== undefined,
          ...(/^(FROM|WORKDIR)\b/.test(name.action) ? { base: true } : {}),
        };
        const keys =
          info.scope === 'shared'
            ? ['shared|all']
            : info.scope === 'platform'
              ? slotPlatforms.map((p) => `shared|${p}`)
              : slotPlatforms.map((p) => `${info.bin}|${p}`);
        // Each bake target has its own copy of a shared step; one does the work, the others wait for its
        // result and only then report "cached". A step whose copy has finished is finished.
        const step = `${name.stage} ${name.step ?? vertex.id}`;
        for (const key of keys) {
          const entries = rows.get(key)?.entries;
          const had = entries?.get(step);
          if (!had || had.vertex.completed === undefined || vertex.completed !== undefined) entries?.set(step, entry);
        }
        continue;
      }
      const exported = exportLabel(name.action);
      if (exported && target) {
        for (const p of slotPlatforms) {
          rows
            .get(`${target.bin}|${p}`)
            ?.entries.set(`${exported.phase} ${vertex.id}`, { vertex, phase: exported.phase, label: exported.label, counted: false });
        }
      }
    }
  }

  return { rows, misses, warnings, current, ...(begin !== undefined ? { begin } : {}), ordered };
}

/** Whether a target that writes `own` (cache keys) writes the cache `ref` names. */
function writes(own: readonly string[], ref: string): boolean {
  return own.some((k) => ref === k || ref.endsWith(`/${k}`) || (!k.includes(':') && ref.includes(k)));
}

/** Builds the rows; `finished` is the bake's exit code once it ended. */
export function buildView(log: BuildLog, plan: ViewPlan, now: number, finished?: { exitCode: number }): View {
  const { rows, misses, warnings, current, begin, ordered } = assign(log, plan);
  const out: Row[] = [];
  for (const acc of rows.values()) {
    const row = makeRow(acc, plan, now, current, finished);
    if (row) out.push(row);
  }
  // an image waits for the shared row of its platform (or for every platform's) while that runs
  const byKey = new Map(out.map((r) => [`${r.image}|${r.platform}`, r]));
  const withWaits = out.map((r) => {
    if (r.kind !== 'image' || r.state !== 'waiting') return r;
    const shared = [byKey.get(`shared|${r.platform}`), byKey.get('shared|all')].find((s) => s?.state === 'running');
    return shared ? { ...r, waitingFor: `${shared.phase ?? 'shared'}${shared.platform === 'all' ? '' : ` ${shared.platform}`}` } : r;
  });

  const notes: string[] = [];
  for (const [key, m] of misses) {
    if (!m.own) continue;
    const [bin, platform] = key.split('|');
    notes.push(`no cache yet for ${bin} ${platform}: first build`);
  }
  const times = ordered.filter((v) => current(v.started)).map((v) => v.started!);
  return {
    rows: withWaits,
    notes,
    warnings,
    elapsed: begin !== undefined ? now - begin : times.length > 0 ? now - Math.min(...times) : 0,
    finished: finished !== undefined,
  };
}

function makeRow(
  acc: RowAcc,
  plan: ViewPlan,
  now: number,
  current: (t: number | undefined) => boolean,
  finished?: { exitCode: number },
): Row | undefined {
  const entries = [...acc.entries.values()];
  if (entries.length === 0 && acc.kind === 'shared') return undefined;
  const vertices = [...new Set(entries.map((e) => e.vertex))];
  const counted = new Map<string, Entry>();
  for (const e of entries) if (e.counted && !e.base) counted.set(`${e.stage} ${e.step}`, e);
  const cached = [...counted.values()].filter((e) => e.vertex.cached).length;
  const completed = [...counted.values()].filter((e) => e.vertex.completed !== undefined && !e.vertex.error).length;
  const ran = completed - cached;
  const failedEntry = entries.find((e) => e.vertex.error && !e.vertex.canceled);
  const running = entries
    .filter((e) => e.vertex.started !== undefined && e.vertex.completed === undefined && !e.vertex.error && current(e.vertex.started))
    .sort((a, b) => a.vertex.started! - b.vertex.started!);
  const worked = vertices.filter((v) => !v.cached && current(v.started));
  const first = worked.length > 0 ? Math.min(...worked.map((v) => v.started!)) : undefined;
  const last = worked.filter((v) => v.completed !== undefined).map((v) => v.completed!);
  const allDone = entries.length > 0 && entries.every((e) => e.vertex.completed !== undefined || e.vertex.cached);
  const exports = entries.filter((e) => e.phase === 'export' || e.phase === 'push');
  const own = acc.target ? (plan.ownCache.get(acc.target) ?? []) : [];
  const exportDone =
    acc.kind === 'shared' ||
    (exports.some((e) => e.label === 'image' && e.vertex.completed !== undefined) &&
      (own.length === 0 || exports.some((e) => e.label === 'cache' && e.vertex.completed !== undefined)));

  let state: RowState;
  if (failedEntry) state = 'failed';
  else if (finished) state = finished.exitCode === 0 || (allDone && exportDone && entries.length > 0) ? 'done' : 'canceled';
  else if (running.length > 0) state = 'running';
  else if (allDone && exportDone) state = 'done';
  else if (entries.some((e) => e.vertex.completed !== undefined && current(e.vertex.started) && !e.vertex.cached)) state = 'running';
  else state = 'waiting';

  const base = {
    kind: acc.kind,
    image: acc.image,
    platform: acc.platform,
    steps: counted.size,
    cached,
    ran,
  };
  const span = first !== undefined ? (state === 'running' ? now : last.length > 0 ? Math.max(...last) : now) - first : undefined;
  const elapsed = span !== undefined ? { elapsed: Math.max(0, span) } : {};

  if (state === 'failed') {
    const e = failedEntry!;
    return {
      ...base,
      state,
      phase: e.phase,
      ...(e.step ? { step: e.step } : {}),
      label: e.label,
      ...elapsed,
      alsoRunning: 0,
      failure: failureLine(e.vertex),
    };
  }
  if (state === 'running') {
    const cur =
      running[0] ??
      entries.filter((e) => e.vertex.completed === undefined && !e.vertex.cached).sort((a, b) => a.vertex.seq - b.vertex.seq)[0];
    if (!cur) {
      const total = counted.size;
      return { ...base, state, phase: 'export', label: 'waiting to export', ...elapsed, alsoRunning: 0, ...fractionOf(completed, total) };
    }
    const compiled = cur.vertex.counts.Compiling ?? 0;
    const compiling = [...cur.vertex.logs]
      .reverse()
      .find((l) => /^\s*Compiling /.test(l))
      ?.trim();
    const fraction =
      cur.stage === 'deps' && plan.crates && compiled > 0
        ? { fraction: Math.min(compiled / plan.crates, 0.99) }
        : fractionOf(completed, counted.size);
    return {
      ...base,
      state,
      phase: cur.phase,
      ...(cur.step ? { step: cur.step } : {}),
      label: cur.label,
      ...fraction,
      ...elapsed,
      alsoRunning: Math.max(0, running.length - 1),
      ...(compiling && cur.vertex.completed === undefined ? { compiling } : {}),
    };
  }
  if (state === 'waiting') {
    const next = entries.filter((e) => e.vertex.completed === undefined && !e.vertex.cached).sort((a, b) => a.vertex.seq - b.vertex.seq)[0];
    return {
      ...base,
      state,
      ...(next ? { phase: next.phase } : {}),
      ...fractionOf(completed, counted.size),
      alsoRunning: 0,
    };
  }
  return { ...base, state, ...elapsed, alsoRunning: 0 };
}

const fractionOf = (done: number, total: number) => (total > 0 ? { fraction: done / total } : {});

function failureLine(v: Vertex): string {
  const compiler = v.logs.find((l) => /^error(\[E\d+\])?: /.test(l.trim()) && !/could not compile|aborting/.test(l));
  const crossbake = v.logs.find((l) => l.startsWith('crossbake:'));
  return (compiler ?? crossbake ?? v.error ?? 'failed').trim();
}

export interface StageTime {
  readonly stage: string;
  readonly phase: Phase;
  /** The time its steps took in this run, in ms; 0 when all of it came from the cache. */
  readonly ms: number;
  readonly steps: number;
  readonly cached: number;
}

/**
 * Per image and platform (`bin|platform`), each Dockerfile stage it went through, its own and the shared
 * ones, with the time its work took in this run and how much of it came from the cache.
 */
export function stageTimes(log: BuildLog, plan: ViewPlan): Map<string, StageTime[]> {
  const { rows, current } = assign(log, plan);
  const out = new Map<string, StageTime[]>();
  for (const acc of rows.values()) {
    if (acc.kind !== 'image') continue;
    const entries = [
      ...acc.entries.values(),
      ...(rows.get(`shared|${acc.platform}`)?.entries.values() ?? []),
      ...(rows.get('shared|all')?.entries.values() ?? []),
    ];
    // exports (image and cache) count as one stage: on a rebuild they are often the slowest part
    const byStage = new Map<string, Entry[]>();
    for (const e of entries) {
      const stage = e.stage && e.counted ? e.stage : e.phase === 'export' || e.phase === 'push' ? e.phase : undefined;
      if (stage) byStage.set(stage, [...(byStage.get(stage) ?? []), e]);
    }
    const list: StageTime[] = [];
    for (const [stage, es] of byStage) {
      const worked = [...new Set(es.map((e) => e.vertex))].filter((v) => !v.cached && current(v.started) && v.completed !== undefined);
      // the steps' own durations: a stage's steps run one after another, but not always right after each other
      const ms = worked.reduce((sum, v) => sum + (v.completed! - v.started!), 0);
      const work = es.filter((e) => e.counted && !e.base);
      const steps = new Set(work.map((e) => e.step)).size;
      const cached = new Set(work.filter((e) => e.vertex.cached).map((e) => e.step)).size;
      list.push({ stage, phase: es[0]!.phase, ms, steps, cached });
    }
    out.set(`${acc.image}|${acc.platform}`, list);
  }
  return out;
}
