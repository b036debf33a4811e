import { readFileSync } from 'node:fs';

/** Templates shipped beside src/ and dist/; read once, as static assets. */
function template(name: string): string {
  return readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
}

export const templates = {
  dockerfile: template('docker/Dockerfile.tmpl'),
  toolchainRustup: template('docker/toolchain-rustup.tmpl'),
  toolchainDebian: template('docker/toolchain-debian.tmpl'),
  toolchainCrates: template('docker/toolchain-crates.tmpl'),
  toolchainStd: template('docker/toolchain-std.tmpl'),
  rustStdMove: template('docker/rust-std-move.tmpl'),
  skeletonCrossbake: template('docker/skeleton-crossbake.tmpl'),
  /** crossbake's skeleton planner, bundled (npm run bundle); written beside the Dockerfile. */
  skeletonPlanner: template('docker/crossbake-skeleton.mjs'),
  cargoWrapper: template('docker/crossbake-cargo.sh'),
  native: template('docker/native.tmpl'),
  minimalRoot: template('docker/minimal-root.tmpl'),
  runtimeLibs: template('docker/crossbake-runtime-libs.sh'),
  runtimeInstall: template('docker/crossbake-runtime-install.sh'),
  dpkgRecord: template('docker/crossbake-dpkg-record.sh'),
  debianChecksums: template('docker/debian-checksums.sh'),
  targetCache: template('docker/crossbake-target-cache.sh'),
  bakeHcl: template('docker-bake.hcl.tmpl'),
  /** The `run:` scripts of the generated workflow, embedded byte for byte; their values come through `env:`. */
  workflow: {
    check: template('docker/workflow/check.sh'),
    report: template('docker/workflow/report.sh'),
    imageName: template('docker/workflow/image-name.sh'),
    digest: template('docker/workflow/digest.sh'),
    merge: template('docker/workflow/merge.sh'),
    inspect: template('docker/workflow/inspect.sh'),
  },
};

export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return value;
  });
}
