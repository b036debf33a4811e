// The dependency skeleton computed inside the build: bundled into one file (scripts/bundle-skeleton.ts)
// that Debian's nodejs runs in the Dockerfile's skeleton stage, over the build context.
//   node skeleton.mjs <workspace> <out-dir> [--debian-crates <file>]
// It writes the skeleton's files under <out-dir> and, when asked, the lock's Debian crate packages.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CrossbakeError, formatError } from './errors.js';
import { diskFiles } from './fs/read.js';
import { debianCratePackages } from './workspace/debian.js';
import { readWorkspace } from './workspace/read.js';
import { dependencySkeleton } from './workspace/skeleton.js';

const USAGE = 'usage: skeleton.mjs <workspace> <out-dir> [--debian-crates <file>]';

function parse(argv: readonly string[]): { workspace: string; out: string; crates?: string } {
  const [workspace, out, flag, crates, ...rest] = argv;
  if (!workspace || !out || rest.length > 0 || (flag !== undefined && (flag !== '--debian-crates' || !crates))) {
    throw new CrossbakeError('input', USAGE);
  }
  return { workspace, out, ...(crates ? { crates } : {}) };
}

function main(argv: readonly string[]): void {
  const args = parse(argv);
  mkdirSync(args.out, { recursive: true });
  const ws = readWorkspace(diskFiles(args.workspace), '.');
  for (const file of dependencySkeleton(ws)) {
    if (file.path.startsWith('../') || file.path === '..') {
      throw new CrossbakeError('input', `${file.path} is outside the workspace; the skeleton holds only files inside it.`);
    }
    const path = join(args.out, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  if (args.crates) {
    const packages = debianCratePackages(ws.lockfile);
    writeFileSync(args.crates, packages.map((p) => `${p}\n`).join(''));
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CrossbakeError)) throw error;
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = error.exitCode;
}
