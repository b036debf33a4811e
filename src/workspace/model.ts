import type { WorkspaceInputs } from './inputs.js';
import type { TomlTable } from './toml.js';

export interface BinTarget {
  readonly package: string;
  readonly name: string;
  /** Source path, relative to the workspace root. */
  readonly path: string;
  readonly requiredFeatures: readonly string[];
}

/** A target file Cargo insists on finding when it reads a manifest; the dependency skeleton stubs each. */
export interface TargetFile {
  readonly kind: 'lib' | 'bin' | 'example' | 'test' | 'bench' | 'build-script';
  /** Relative to the workspace root. */
  readonly path: string;
}

export interface Package {
  readonly name: string;
  readonly version: string;
  /** Directory, relative to the workspace root ('.' for a root package). */
  readonly dir: string;
  readonly manifestPath: string;
  readonly edition: string;
  readonly bins: readonly BinTarget[];
  readonly targetFiles: readonly TargetFile[];
  /** `[package.metadata.crossbake]`, not yet validated. */
  readonly crossbakeMetadata: unknown;
  readonly manifest: TomlTable;
}

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  /** Absent for the workspace's own packages. */
  readonly source?: string;
  readonly checksum?: string;
  /** As the lock spells them: `name`, `name version` or `name version (source)`. */
  readonly dependencies: readonly string[];
}

export interface Lockfile {
  readonly path: string;
  readonly version: number;
  readonly packages: readonly LockedPackage[];
  readonly manifest: TomlTable;
}

export interface Toolchain {
  readonly file: string;
  readonly channel: string;
}

export interface Workspace {
  /** The root as the user named it (for messages), not used to read. */
  readonly root: string;
  readonly manifestPath: string;
  readonly members: readonly Package[];
  /**
   * Local packages cargo builds that are no members (no images of their binaries): path dependencies of
   * a root package without [workspace], excluded ones, and `[patch]`/`[replace]` paths. The skeleton
   * needs their manifests like the members'.
   */
  readonly localPackages: readonly Package[];
  readonly defaultMembers: readonly string[];
  readonly bins: readonly BinTarget[];
  readonly lockfile?: Lockfile;
  readonly toolchain?: Toolchain;
  /** `rust-version` of the workspace (or of its packages, the highest). */
  readonly rustVersion?: string;
  /** `[workspace.metadata.crossbake]`, not yet validated. */
  readonly crossbakeMetadata: unknown;
  readonly manifest: TomlTable;
  /** What reading it looked at (set by the reader of the disk), for the skeleton stage to read it again. */
  readonly inputs?: WorkspaceInputs;
}
