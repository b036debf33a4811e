// The dependency skeleton computed inside the build: bundled into one file (scripts/bundle-skeleton.ts)
// that Debian's nodejs runs in the Dockerfile's skeleton stage, over the build context.
//   node skeleton.mjs <workspace> <out-dir> [--debian-crates <file>] [--native <dir>]
// It writes the skeleton's files under <out-dir> and, when asked, the lock's Debian crate packages and
// the native build inputs its -sys crates need per architecture (src/native/sys-crates.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CrossbakeError, formatError } from './errors.js';
import { diskFiles } from './fs/read.js';
import { nativeFiles } from './native/sys-crates.js';
import { PLATFORMS } from './platforms.js';
import { debianCratePackages } from './workspace/debian.js';
import { readWorkspace } from './workspace/read.js';
import { dependencySkeleton } from './workspace/skeleton.js';

const USAGE = 'usage: skeleton.mjs <workspace> <out-dir> [--debian-crates <file>] [--native <dir>]';

function parse(argv: readonly string[]): { workspace: string; out: string; crates?: string; native?: string } {
  const [workspace, out, ...flags] = argv;
  if (!workspace || !out || flags.length % 2 !== 0) throw new CrossbakeError('input', USAGE);
  const options: { crates?: string; native?: string } = {};
  for (let i = 0; i < flags.length; i += 2) {
    const [flag, value] = [flags[i], flags[i + 1]];
    if (flag === '--debian-crates' && value && !options.crates) options.crates = value;
    else if (flag === '--native' && value && !options.native) options.native = value;
    else throw new CrossbakeError('input', USAGE);
  }
  return { workspace, out, ...options };
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
  if (args.native) {
    mkdirSync(args.native, { recursive: true });
    for (const file of nativeFiles(ws.lockfile?.packages ?? [], PLATFORMS)) writeFileSync(join(args.native, file.path), file.content);
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CrossbakeError)) throw error;
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = error.exitCode;
}
