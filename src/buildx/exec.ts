import { execa } from 'execa';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The program itself could not be started (not on PATH). */
  readonly notFound: boolean;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Stream the child's output to ours while also capturing it. */
  readonly inherit?: boolean;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Starts a program from an argv array (never a shell string) and captures what it says. */
export async function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await execa(file, args, {
    reject: false,
    cwd: options.cwd,
    env: options.env,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input !== undefined ? { input: options.input } : {}),
    stdout: options.inherit ? ['pipe', 'inherit'] : 'pipe',
    stderr: options.inherit ? ['pipe', 'inherit'] : 'pipe',
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    all: false,
  });
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? (notFound ? 127 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    notFound,
  };
}
