import { execa } from 'execa';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  /** All of stderr; when `onStderr` streams it, only its last `tailBytes` (the stream itself went to the callback). */
  readonly stderr: string;
  /** The program itself could not be started (not on PATH). */
  readonly notFound: boolean;
}

export interface ExecOptions {
  readonly cwd?: string;
  /** Added to (not replacing) this process's environment. */
  readonly env?: Record<string, string>;
  /** Stream the child's output to ours while also capturing it. */
  readonly inherit?: boolean;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Receives stderr as it arrives (e.g. build progress); stderr is then not buffered whole. */
  readonly onStderr?: (chunk: string) => void;
  /** How much of a streamed stderr to keep for the result (default 64 KiB). */
  readonly tailBytes?: number;
  /** stdout byte for byte: a final newline is kept (bytes whose digest is checked). */
  readonly exact?: boolean;
  /** Stops the program (SIGTERM) when aborted; the result then says it failed. */
  readonly signal?: AbortSignal;
}

/** A call a launcher started before the CLI was loaded (bin/crossbake.js: `docker info`), as node's execFile ends it. */
export interface StartedCall {
  readonly result: Promise<{ error: (Error & { code?: unknown }) | null; stdout: string; stderr: string }>;
  readonly stop: () => void;
}

/** A started call's end, as exec would have said it. */
export async function startedResult(call: StartedCall): Promise<ExecResult> {
  const { error, stdout, stderr } = await call.result;
  const notFound = error?.code === 'ENOENT';
  const exitCode = !error ? 0 : typeof error.code === 'number' ? error.code : notFound ? 127 : 1;
  return { exitCode, stdout: stdout.replace(/\n$/, ''), stderr: stderr.replace(/\n$/, ''), notFound };
}

let buildxPlugin: string | undefined;

/**
 * Runs `docker buildx ...` as the plugin program docker itself would run (the path `docker info` reports):
 * the same buildx with the same configuration, without a docker process and its plugin scan in front of
 * every call (a fifth of a second each, on two cores).
 */
export function runBuildxDirectly(path: string | undefined): void {
  buildxPlugin = path;
}

/** Starts a program from an argv array (never a shell string) and captures what it says. */
export async function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const streaming = options.onStderr !== undefined;
  const direct = buildxPlugin !== undefined && file === 'docker' && args[0] === 'buildx';
  const subprocess = execa(direct ? buildxPlugin! : file, direct ? args.slice(1) : args, {
    reject: false,
    cwd: options.cwd,
    ...(options.env ? { env: options.env } : {}),
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input !== undefined ? { input: options.input } : {}),
    stdout: options.inherit ? ['pipe', 'inherit'] : 'pipe',
    stderr: options.inherit && !streaming ? ['pipe', 'inherit'] : 'pipe',
    ...(streaming ? { buffer: { stdout: true, stderr: false } } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    all: false,
    ...(options.exact ? { stripFinalNewline: false } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  let tail = '';
  if (streaming && subprocess.stderr) {
    const keep = options.tailBytes ?? 64 * 1024;
    subprocess.stderr.setEncoding('utf8');
    subprocess.stderr.on('data', (chunk: string) => {
      options.onStderr!(chunk);
      tail = (tail + chunk).slice(-keep);
    });
  }
  const result = await subprocess;
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? (notFound ? 127 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: streaming ? tail : String(result.stderr ?? ''),
    notFound,
  };
}
