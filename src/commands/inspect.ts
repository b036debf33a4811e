import type { Workspace } from '../workspace/model.js';

/** The workspace model as `crossbake inspect --json` prints it. */
export function inspectJson(ws: Workspace) {
  return {
    root: ws.root,
    members: ws.members.map((m) => ({ name: m.name, version: m.version, manifest_path: m.manifestPath })),
    default_members: ws.defaultMembers,
    bins: ws.bins.map((b) => ({ package: b.package, name: b.name, src_path: b.path, required_features: b.requiredFeatures })),
    toolchain: ws.toolchain ?? null,
    rust_version: ws.rustVersion ?? null,
    lockfile: ws.lockfile ? { path: ws.lockfile.path, version: ws.lockfile.version, packages: ws.lockfile.packages.length } : null,
  };
}

export function inspectText(ws: Workspace): string {
  const lines = [`workspace ${ws.root}`];
  for (const m of ws.members) {
    lines.push(`  package ${m.name} ${m.version} (${m.manifestPath})`);
    for (const b of m.bins)
      lines.push(`    bin ${b.name}  ${b.path}${b.requiredFeatures.length ? `  requires ${b.requiredFeatures.join(',')}` : ''}`);
  }
  if (ws.toolchain) lines.push(`  toolchain ${ws.toolchain.channel} (${ws.toolchain.file})`);
  lines.push(ws.lockfile ? `  Cargo.lock: ${ws.lockfile.packages.length} packages` : '  no Cargo.lock');
  return lines.join('\n');
}
