import { inputError } from '../errors.js';
import { cargoFeature, cargoTargetName } from '../grammar.js';
import { isFile, joinPath, leavesRoot, type WorkspaceFiles } from './files.js';
import type { BinTarget, TargetFile } from './model.js';
import { isTable, type TomlTable, table, typed } from './toml.js';

interface Candidate {
  readonly name: string;
  readonly path: string;
}

/** Cargo's inferred binaries: src/main.rs, src/bin/*.rs, src/bin/<name>/main.rs. */
function inferredBins(files: WorkspaceFiles, dir: string, packageName: string): Candidate[] {
  const found: Candidate[] = [];
  if (isFile(files, joinPath(dir, 'src/main.rs'))) found.push({ name: packageName, path: joinPath(dir, 'src/main.rs') });
  const binDir = joinPath(dir, 'src/bin');
  for (const entry of [...(files.list(binDir) ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory && entry.name.endsWith('.rs')) {
      found.push({ name: entry.name.slice(0, -3), path: joinPath(binDir, entry.name) });
    } else if (entry.isDirectory && isFile(files, joinPath(binDir, entry.name, 'main.rs'))) {
      found.push({ name: entry.name, path: joinPath(binDir, entry.name, 'main.rs') });
    }
  }
  return found;
}

function explicitTargets(manifest: TomlTable, key: string): TomlTable[] {
  const value = manifest[key];
  return Array.isArray(value) ? value.filter(isTable) : [];
}

/** Where Cargo looks for a target declared without `path`. */
function defaultTargetPath(
  files: WorkspaceFiles,
  dir: string,
  kind: 'bin' | 'example' | 'test' | 'bench',
  name: string,
  inferred: readonly Candidate[],
): string | undefined {
  const hit = inferred.find((c) => c.name === name);
  if (hit) return hit.path;
  const folder = { bin: 'src/bin', example: 'examples', test: 'tests', bench: 'benches' }[kind];
  const candidates = [joinPath(dir, folder, `${name}.rs`), joinPath(dir, folder, name, 'main.rs')];
  return candidates.find((p) => isFile(files, p));
}

export interface PackageTargets {
  readonly bins: BinTarget[];
  readonly targetFiles: TargetFile[];
}

export function discoverTargets(
  files: WorkspaceFiles,
  dir: string,
  manifestPath: string,
  packageName: string,
  edition: string,
  manifest: TomlTable,
): PackageTargets {
  const pkg = table(manifest.package);
  const explicitBins = typed.tables(manifest.bin, manifestPath, 'bin');
  const autobinsDefault = !(edition === '2015' && explicitBins.length > 0);
  const autobins = typed.boolean(pkg.autobins, manifestPath, 'package.autobins') ?? autobinsDefault;
  const inferred = inferredBins(files, dir, packageName);

  const bins: BinTarget[] = [];
  for (const bin of explicitBins) {
    typed.string(bin.name, manifestPath, 'bin.name');
    typed.string(bin.path, manifestPath, `bin "${String(bin.name)}" path`);
    if (typeof bin.name !== 'string' || bin.name === '') {
      throw inputError(`${manifestPath}: a [[bin]] has no name. Give every [[bin]] a \`name = "..."\`.`);
    }
    const path = typeof bin.path === 'string' ? joinPath(dir, bin.path) : defaultTargetPath(files, dir, 'bin', bin.name, inferred);
    if (path === undefined) {
      throw inputError(
        `${manifestPath}: [[bin]] "${bin.name}" has no path and none of src/main.rs, src/bin/${bin.name}.rs, src/bin/${bin.name}/main.rs exists. Add \`path = "..."\` to it.`,
      );
    }
    if (typeof bin.path === 'string') {
      confineTarget(files, manifestPath, bin.name, bin.path, path);
      if (!isFile(files, path)) {
        throw inputError(
          `${manifestPath}: [[bin]] "${bin.name}" has path "${bin.path}", but ${path} does not exist; cargo stops there too. Fix the path or create the file.`,
        );
      }
    }
    const requiredFeatures = typed.strings(bin['required-features'], manifestPath, `bin "${bin.name}" required-features`);
    for (const f of requiredFeatures) {
      const problem = cargoFeature(f);
      if (problem)
        throw inputError(`${manifestPath}: [[bin]] "${bin.name}" required-features: "${f}" is not ${problem.replace(/^a /, 'a valid ')}.`);
    }
    bins.push({ package: packageName, name: bin.name, path, requiredFeatures });
  }
  if (autobins) {
    for (const c of inferred) {
      if (bins.some((b) => b.name === c.name || b.path === c.path)) continue;
      bins.push({ package: packageName, name: c.name, path: c.path, requiredFeatures: [] });
    }
  }

  for (const b of bins) {
    const problem = cargoTargetName(b.name);
    if (problem) {
      throw inputError(
        `${manifestPath}: binary "${b.name}" (${b.path}) cannot name an image or a Dockerfile stage: expected ${problem}. Rename it with a [[bin]] name.`,
      );
    }
  }
  const targetFiles: TargetFile[] = bins.map((b) => ({ kind: 'bin', path: b.path }));
  const lib = table(manifest.lib);
  const libPath = typeof lib.path === 'string' ? joinPath(dir, lib.path) : joinPath(dir, 'src/lib.rs');
  if (typeof lib.path === 'string' || (pkg.autolib !== false && isFile(files, libPath)) || isTable(manifest.lib)) {
    targetFiles.push({ kind: 'lib', path: libPath });
  }
  for (const kind of ['example', 'test', 'bench'] as const) {
    for (const t of explicitTargets(manifest, kind)) {
      if (typeof t.name !== 'string') continue;
      const path = typeof t.path === 'string' ? joinPath(dir, t.path) : defaultTargetPath(files, dir, kind, t.name, []);
      if (path !== undefined) targetFiles.push({ kind, path });
    }
  }
  const build = pkg.build;
  if (typeof build === 'string') targetFiles.push({ kind: 'build-script', path: joinPath(dir, build) });
  else if (build !== false && isFile(files, joinPath(dir, 'build.rs'))) {
    targetFiles.push({ kind: 'build-script', path: joinPath(dir, 'build.rs') });
  }
  return { bins, targetFiles };
}

/** A target path must stay inside the workspace root, as written and after symlinks: the build context holds nothing else. */
function confineTarget(files: WorkspaceFiles, manifestPath: string, name: string, raw: string, path: string): void {
  const real = raw.startsWith('/') ? raw : leavesRoot(path) ? path : files.realpath(path);
  if (real !== undefined && leavesRoot(real)) {
    throw inputError(
      `${manifestPath}: [[bin]] "${name}" path "${raw}" ${real === path || real === raw ? 'is' : `resolves to ${real},`} outside the workspace root, which is all the Docker build can see. Move the file inside the workspace.`,
    );
  }
}
