/**
 * buildx's progress, read as it streams: `--progress rawjson` (BuildKit's SolveStatus objects, one JSON
 * value after another) or `--progress plain` (`#N [name]`, `#N 1.23 log line`, `#N DONE 1.2s`, ...). Both
 * become the same model: the build's vertices (steps) with their names, timings, cache hits, errors and
 * log lines, plus whatever buildx printed outside the stream (its final `ERROR: ...`).
 */

export interface Vertex {
  /** rawjson: the vertex digest; plain: `#N`. */
  readonly id: string;
  /** Every name the vertex was reported under: bake prefixes each target's copy of a shared step. */
  readonly names: string[];
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
  canceled: boolean;
  /** Complete log lines, in order (capped). */
  readonly logs: string[];
  /** A log line still waiting for its newline. */
  partial: string;
  /** Lines counted by their first word (cargo's `Compiling`, apt's `Unpacking`), beyond the log cap. */
  readonly counts: Record<string, number>;
  /** Order of first appearance. */
  readonly seq: number;
}

/**
 * Bake gives each target its own vertex of a shared step; BuildKit runs one of them and completes the
 * others through it, the instant they start, with no output and without marking them cached.
 */
export function merged(v: Vertex): boolean {
  return !v.cached && v.started !== undefined && v.completed === v.started && v.logs.length === 0 && v.partial === '' && !v.error;
}

export interface BuildLog {
  readonly vertices: Map<string, Vertex>;
  /** Lines outside the progress stream, e.g. buildx's `ERROR: failed to solve: ...`. */
  readonly trailer: string[];
  readonly warnings: string[];
}

const MAX_LOG_LINES = 400;

export function emptyLog(): BuildLog {
  return { vertices: new Map(), trailer: [], warnings: [] };
}

function vertex(log: BuildLog, id: string): Vertex {
  let v = log.vertices.get(id);
  if (!v) {
    v = { id, names: [], cached: false, canceled: false, logs: [], partial: '', counts: {}, seq: log.vertices.size };
    log.vertices.set(id, v);
  }
  return v;
}

function addName(v: Vertex, name: string | undefined): void {
  if (name && !v.names.includes(name)) v.names.push(name);
}

const COUNTED = /^\s*(Compiling|Unpacking) /;

function pushLog(v: Vertex, line: string): void {
  const counted = COUNTED.exec(line)?.[1];
  if (counted) v.counts[counted] = (v.counts[counted] ?? 0) + 1;
  v.logs.push(line);
  if (v.logs.length > MAX_LOG_LINES) v.logs.splice(0, v.logs.length - MAX_LOG_LINES);
}

const CANCELED = /\bcontext canceled\b|\bcanceled\b/i;

function time(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.startsWith('0001-')) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** One BuildKit SolveStatus (a rawjson value) into the model. */
export function applyStatus(log: BuildLog, status: unknown): void {
  if (typeof status !== 'object' || status === null) return;
  const s = status as {
    vertexes?: Array<{ digest: string; name?: string; started?: string; completed?: string; cached?: boolean; error?: string }>;
    logs?: Array<{ vertex: string; data?: string }>;
    warnings?: Array<{ vertex?: string; short?: string }>;
  };
  for (const x of s.vertexes ?? []) {
    const v = vertex(log, x.digest);
    addName(v, x.name);
    const started = time(x.started);
    const completed = time(x.completed);
    if (started !== undefined && (v.started === undefined || started < v.started)) v.started = started;
    if (completed !== undefined && (v.completed === undefined || completed > v.completed)) v.completed = completed;
    if (x.cached) v.cached = true;
    if (x.error) {
      v.error = x.error;
      v.canceled = CANCELED.test(x.error);
    }
  }
  for (const l of s.logs ?? []) {
    const v = vertex(log, l.vertex);
    const text = v.partial + Buffer.from(l.data ?? '', 'base64').toString('utf8');
    const lines = text.split(/\r?\n/);
    v.partial = lines.pop() ?? '';
    for (const line of lines) pushLog(v, line);
  }
  for (const w of s.warnings ?? []) {
    if (w.short) log.warnings.push(Buffer.from(w.short, 'base64').toString('utf8'));
  }
}

/**
 * Splits a stream of concatenated JSON values (buildx's rawjson: pretty-printed objects, one after
 * another) from any text around them. Feed chunks; values and stray lines come out in order.
 */
export class JsonStreamSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scanned = 0;

  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly onText: (line: string) => void,
  ) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (this.depth === 0) {
        // rawjson values start a line; a brace inside a line of text (a quoted Dockerfile) is text
        if (c === '{' && this.buffer.slice(start, i).trim() === '') {
          start = i;
          this.depth = 1;
        } else if (c === '\n') {
          this.text(this.buffer.slice(start, i));
          start = i + 1;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{') this.depth++;
      else if (c === '}' && --this.depth === 0) {
        const json = this.buffer.slice(start, i + 1);
        start = i + 1;
        try {
          this.onValue(JSON.parse(json));
        } catch {
          this.text(json);
        }
      }
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = this.buffer.length;
  }

  end(): void {
    if (this.buffer.trim() !== '') this.text(this.buffer);
    this.buffer = '';
    this.scanned = 0;
    this.depth = 0;
  }

  private text(text: string): void {
    for (const line of text.split(/\r?\n/)) if (line.trim() !== '') this.onText(line);
  }
}

const PLAIN_HEADER = /^#(\d+) (\[.*)$/;
const PLAIN_DONE = /^#(\d+) DONE (\d+(?:\.\d+)?)s$/;
const PLAIN_CACHED = /^#(\d+) CACHED$/;
const PLAIN_ERROR = /^#(\d+) ERROR: (.*)$/;
const PLAIN_CANCELED = /^#(\d+) CANCELED$/;
const PLAIN_LOG = /^#(\d+) (\d+\.\d+) (.*)$/;
const PLAIN_OTHER = /^#(\d+) (.*)$/;

/** One line of `--progress plain` into the model; `now` stands in for the timestamps plain omits. */
export function applyPlainLine(log: BuildLog, line: string, now: number): void {
  const text = line.replace(/\r$/, '');
  let m: RegExpExecArray | null;
  if ((m = PLAIN_DONE.exec(text))) {
    const v = vertex(log, m[1]!);
    v.completed = now;
    v.started ??= now - Number(m[2]) * 1000;
    return;
  }
  if ((m = PLAIN_CACHED.exec(text))) {
    const v = vertex(log, m[1]!);
    v.cached = true;
    v.completed = now;
    v.started ??= now;
    return;
  }
  if ((m = PLAIN_ERROR.exec(text))) {
    const v = vertex(log, m[1]!);
    v.error = m[2]!;
    v.canceled = CANCELED.test(m[2]!);
    v.completed = now;
    return;
  }
  if ((m = PLAIN_CANCELED.exec(text))) {
    const v = vertex(log, m[1]!);
    v.canceled = true;
    v.error ??= 'canceled';
    v.completed = now;
    return;
  }
  if ((m = PLAIN_HEADER.exec(text))) {
    const v = vertex(log, m[1]!);
    addName(v, m[2]!);
    v.started ??= now;
    return;
  }
  if ((m = PLAIN_LOG.exec(text))) {
    pushLog(vertex(log, m[1]!), m[3]!);
    return;
  }
  if ((m = PLAIN_OTHER.exec(text))) {
    // status lines such as "#12 exporting layers done" and the "#12 ..." continuation mark
    return;
  }
  if (text.trim() !== '') log.trailer.push(text);
}

/** A line-buffered reader of plain progress. */
export class PlainReader {
  private partial = '';
  constructor(
    private readonly log: BuildLog,
    private readonly clock: () => number = Date.now,
  ) {}
  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) applyPlainLine(this.log, line, this.clock());
  }
  end(): void {
    if (this.partial !== '') applyPlainLine(this.log, this.partial, this.clock());
    this.partial = '';
  }
}

/** A reader of rawjson progress into the model; the text around the JSON values goes to the trailer. */
export class RawJsonReader {
  private readonly splitter: JsonStreamSplitter;
  constructor(private readonly log: BuildLog) {
    this.splitter = new JsonStreamSplitter(
      (value) => applyStatus(this.log, value),
      (line) => this.log.trailer.push(line),
    );
  }
  feed(chunk: string): void {
    this.splitter.feed(chunk);
  }
  end(): void {
    this.splitter.end();
    for (const v of this.log.vertices.values()) {
      if (v.partial !== '') {
        pushLog(v, v.partial);
        v.partial = '';
      }
    }
  }
}

export function parseProgress(text: string, format: 'plain' | 'rawjson', clock: () => number = () => 0): BuildLog {
  const log = emptyLog();
  const reader = format === 'plain' ? new PlainReader(log, clock) : new RawJsonReader(log);
  reader.feed(text);
  reader.end();
  return log;
}

/** What a vertex name says: `[backend-linux-arm-v7 build-backend 2/2] RUN ...`, `[linux/amd64->arm/v7 deps 3/3] RUN ...`. */
export interface VertexName {
  readonly target?: string;
  readonly platform?: string;
  readonly stage?: string;
  readonly step?: string;
  readonly internal: boolean;
  /** The instruction or action after the bracket. */
  readonly action: string;
}

const STEP = /^\d+\/\d+$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/;

function targetPlatform(token: string): string {
  const arrow = token.indexOf('->');
  if (arrow < 0) return token;
  const to = token.slice(arrow + 2);
  const os = token.slice(0, arrow).split('/')[0] ?? 'linux';
  return to.split('/').length === 2 && !to.startsWith(`${os}/`) ? `${os}/${to}` : to;
}

/** The action of a step that writes a target's image (to the image store, a docker or an OCI archive). */
export const IMAGE_EXPORT = /^exporting to (image|docker|oci)/;

/** Reads a vertex name; `targets` are the bake targets of the run (bake prefixes names only when there are several). */
export function parseVertexName(name: string, targets: readonly string[]): VertexName {
  const m = /^\[([^\]]*)\]\s*(.*)$/s.exec(name);
  if (!m) return { internal: false, action: name };
  const tokens = m[1]!.split(/\s+/).filter(Boolean);
  const out: { target?: string; platform?: string; stage?: string; step?: string; internal: boolean; action: string } = {
    internal: false,
    action: m[2]!,
  };
  if (tokens[0] !== undefined && targets.includes(tokens[0])) out.target = tokens.shift()!;
  if (tokens[0] !== undefined && (PLATFORM.test(tokens[0]) || tokens[0].includes('->')) && !STEP.test(tokens[0]))
    out.platform = targetPlatform(tokens.shift()!);
  if (tokens[0] === 'internal') {
    out.internal = true;
    tokens.shift();
  }
  if (tokens.length > 0 && STEP.test(tokens[tokens.length - 1]!)) out.step = tokens.pop()!;
  if (tokens.length > 0) out.stage = tokens.join(' ');
  return out;
}
