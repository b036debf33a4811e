import { run } from '../../src/cli.js';
import { repoRoot } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output, as a user would from `cwd`. */
export async function cli(argv: string[], cwd = repoRoot): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}
