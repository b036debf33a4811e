// The dependency skeleton computed inside the build: bundled into one file (scripts/bundle-skeleton.ts)
// that Debian's nodejs runs in the Dockerfile's skeleton stage, over the build context.
//   node skeleton.mjs <workspace> <out-dir> [--debian-crates <file>] [--native <dir>] [--sbom <dir>] [--layout <file>]
// With --layout, <workspace> holds only the files the recorded reading read (src/workspace/inputs.ts), and
// every other answer about the tree comes from the layout file.
// It writes the skeleton's files under <out-dir> and, when asked, the lock's Debian crate packages, the
// native build inputs its -sys crates need per architecture (src/native/sys-crates.ts), and each
// binary's own Cargo.lock as <dir>/<bin>/Cargo.lock (kept out of <out-dir>: the skeleton's bytes decide
// the dependency layer's cache key, and a binary's lock must not).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CrossbakeError, formatError } from './errors.js';
import { diskFiles } from './fs/read.js';
import { nativeFiles } from './native/sys-crates.js';
import { PLATFORMS } from './platforms.js';
import { binaryLock } from './workspace/crates.js';
import { debianCratePackages } from './workspace/debian.js';
import type { WorkspaceFiles } from './workspace/files.js';
import { layoutFiles, type WorkspaceInputs } from './workspace/inputs.js';
import { readWorkspace } from './workspace/read.js';
import { dependencySkeleton } from './workspace/skeleton.js';

const USAGE = 'usage: skeleton.mjs <workspace> <out-dir> [--debian-crates <file>] [--native <dir>] [--sbom <dir>] [--layout <file>]';
const FLAGS = { '--debian-crates': 'crates', '--native': 'native', '--sbom': 'sbom', '--layout': 'layout' } as const;

interface Args {
  workspace: string;
  out: string;
  crates?: string;
  native?: string;
  sbom?: string;
  layout?: string;
}

function parse(argv: readonly string[]): Args {
  const [workspace, out, ...rest] = argv;
  if (!workspace || !out || rest.length % 2 !== 0) throw new CrossbakeError('input', USAGE);
  const args: Args = { workspace, out };
  for (let i = 0; i < rest.length; i += 2) {
    const key = FLAGS[rest[i] as keyof typeof FLAGS];
    if (!key || args[key] !== undefined || !rest[i + 1]) throw new CrossbakeError('input', USAGE);
    args[key] = rest[i + 1]!;
  }
  return args;
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function recordedFiles(file: string, disk: WorkspaceFiles): WorkspaceFiles {
  let recorded: WorkspaceInputs;
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8')) as WorkspaceInputs;
    if (!Array.isArray(recorded.read) || typeof recorded.layout?.lists !== 'object') throw new Error('not a layout');
  } catch {
    throw new CrossbakeError(
      'input',
      `${file} is not the layout crossbake recorded (missing, edited or broken); run \`crossbake generate\` to write it again.`,
    );
  }
  return layoutFiles(recorded.layout, recorded.read, (path) => disk.read(path));
}

function main(argv: readonly string[]): void {
  const args = parse(argv);
  mkdirSync(args.out, { recursive: true });
  const disk = diskFiles(args.workspace, '.');
  const ws = readWorkspace(args.layout ? recordedFiles(args.layout, disk) : disk, '.');
  for (const file of dependencySkeleton(ws)) {
    if (file.path.startsWith('../') || file.path === '..') {
      throw new CrossbakeError('input', `${file.path} is outside the workspace; the skeleton holds only files inside it.`);
    }
    write(join(args.out, file.path), file.content);
  }
  if (args.crates) {
    const packages = debianCratePackages(ws.lockfile);
    writeFileSync(args.crates, packages.map((p) => `${p}\n`).join(''));
  }
  if (args.native) {
    mkdirSync(args.native, { recursive: true });
    for (const file of nativeFiles(ws.lockfile?.packages ?? [], PLATFORMS)) writeFileSync(join(args.native, file.path), file.content);
  }
  if (args.sbom) {
    mkdirSync(args.sbom, { recursive: true });
    for (const bin of ws.bins) write(join(args.sbom, bin.name, 'Cargo.lock'), binaryLock(ws, bin));
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CrossbakeError)) throw error;
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = error.exitCode;
}
