// The corpus of bad inputs: manifests, settings, flags, generated files edited by hand, and broken
// environments. Each case runs the real CLI (in-process through `run()`, or as a subprocess where its
// environment differs) in a temp copy of a fixture, and asserts the exact message (or a precise pattern), the exit code, no stack
// trace, and that nothing was half-written (every file is as before, or a whole generated file; no
// *.tmp left). Environments are real: PATH without docker, DOCKER_HOST at nothing, a user without access
// to the socket, a mount namespace without the buildx plugin, a registry that answers 401. Cases that
// need docker buildx skip (with the reason) where it is missing, unless CROSSBAKE_REQUIRE_BUILDX=1.

import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { run as runCli } from '../src/cli.js';
import { outputFiles } from '../src/commands/generate.js';
import { loadProject } from '../src/commands/project.js';
import { writeFiles } from '../src/fs/write.js';
import { provenance } from '../src/generated.js';
import { buildxAvailable } from './helpers/buildx.js';
import { repoRoot, workspaceFixture } from './helpers/paths.js';

const hasBuildx = buildxAvailable();
const daemonUp =
  hasBuildx && spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
const isRoot = process.getuid?.() === 0;
const tsx = import.meta.resolve('tsx');
const main = join(repoRoot, 'src/main.ts');
const ENV = ['/usr/bin/env', '/bin/env'].find((p) => existsSync(p)) ?? 'env';
const SUPPORTED = 'supported: linux/amd64, linux/arm64, linux/arm/v7';

type Needs = 'buildx' | 'daemon' | 'root';

interface Case {
  readonly name: string;
  /** A fixture under test/fixtures/workspaces, or the example workspace; copied to a temp dir. */
  readonly from: string | 'example' | 'empty';
  readonly args: readonly string[];
  readonly setup?: (dir: string) => void;
  readonly env?: Record<string, string>;
  /** Run through a wrapper: as user nobody, or in a mount namespace without the buildx plugin. */
  readonly as?: 'nobody' | 'no-buildx';
  /** Run as a subprocess even without env/as (environments always are). */
  readonly subprocess?: boolean;
  readonly needs?: readonly Needs[];
  readonly exit: number;
  /** stderr's last message (from its `crossbake: ` line that is not a warning/note/step), exactly or by pattern. */
  readonly message: string | RegExp;
}

const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`setup: ${file} has no ${String(from)}`);
  writeFileSync(path, next);
};

/** The generated files of the example, written as crossbake writes them (the state after a first run). */
const generated = (dir: string) => {
  const project = loadProject({ workspace: dir, flags: {}, cwd: dir });
  writeFiles(outputFiles(project), { force: false, cwd: dir });
};

let registryPort = 0;
/** HOME directories made for subprocesses; removed when the test ends. */
const homes: string[] = [];
const tempHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'crossbake-home-'));
  homes.push(home);
  return home;
};
t.teardown(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const cases: Case[] = [
  // ---- manifests
  {
    name: 'manifest: TOML syntax error',
    from: 'bad-toml',
    args: ['bake'],
    subprocess: true,
    exit: 2,
    message: /^crossbake: Cargo\.toml:7:16: invalid TOML: .+\. Fix the syntax there and run again\.$/,
  },
  {
    name: 'manifest: a member glob matches a directory without Cargo.toml',
    from: 'bad-member-missing-manifest',
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: workspace member "crates/no-manifest" has no Cargo.toml. Add one, or list "crates/no-manifest" under workspace.exclude in Cargo.toml.',
  },
  {
    name: 'manifest: a member glob matches nothing',
    from: 'bad-glob-nomatch',
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: Cargo.toml: workspace.members pattern "plugins/*" matches no directory. Fix the pattern or remove it from workspace.members.',
  },
  {
    name: 'manifest: two packages build a binary of the same name',
    from: 'duplicate-bins',
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: binary "server" is defined by two packages, "(admin|api)" and "(admin|api)": an image is named after its binary, so the names must differ\. Rename one \[\[bin\]\]\.$/,
  },
  {
    name: 'manifest: --workspace names a member of a workspace',
    from: 'example',
    args: ['bake', '--workspace', 'crates/backend'],
    exit: 2,
    message:
      "crossbake: crates/backend is a package of the workspace at . (its Cargo.toml has [workspace]): cargo builds it there, with that workspace's Cargo.lock and settings. Run crossbake on the workspace (--workspace .) and choose the binary with --bin.",
  },
  {
    name: 'manifest: a path dependency outside the workspace root',
    from: 'example',
    args: ['bake'],
    setup: (d) => edit(d, 'crates/backend/Cargo.toml', '[dependencies]', '[dependencies]\nproto = { path = "../../../proto" }'),
    exit: 2,
    message:
      'crossbake: crates/backend/Cargo.toml: the path "../../../proto" of dependency "proto" is outside the workspace root; the build context holds only what is inside it. Move that crate inside the workspace, or build from a directory that holds both.',
  },
  {
    name: 'manifest: no Cargo.toml at all',
    from: 'empty',
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: no Cargo.toml in .. Run crossbake in a Cargo workspace, or point --workspace at the directory that holds its Cargo.toml.',
  },
  {
    name: 'manifest: neither [workspace] nor [package]',
    from: 'empty',
    setup: (d) => writeFileSync(join(d, 'Cargo.toml'), '[dependencies]\nserde = "1"\n'),
    args: ['bake'],
    exit: 2,
    message: 'crossbake: Cargo.toml has neither [workspace] nor [package]. Point --workspace at a Cargo workspace.',
  },
  {
    name: 'manifest: a workspace with no binary',
    from: 'lib-only',
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: the workspace in \. has no binary targets, so there is no image to build\. Add a src\/main\.rs or a \[\[bin\]\]\.$/,
  },
  {
    name: 'manifest: a listed member does not exist',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'members = ["crates/*"]', 'members = ["crates/*", "crates/ghost"]'),
    args: ['bake'],
    exit: 2,
    message: 'crossbake: Cargo.toml: workspace member "crates/ghost" does not exist. Create it or remove it from workspace.members.',
  },
  {
    name: 'manifest: a package without a name',
    from: 'example',
    setup: (d) => edit(d, 'crates/frontend/Cargo.toml', 'name = "frontend"\n', ''),
    args: ['bake'],
    exit: 2,
    message: 'crossbake: crates/frontend/Cargo.toml: [package] has no name. Add `name = "..."`.',
  },
  {
    name: 'manifest: version.workspace = true with no [workspace.package] version',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'version = "0.1.0"\n', ''),
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: crates\/(backend|frontend|shared)\/Cargo\.toml: `version\.workspace = true` but the workspace's Cargo\.toml has no \[workspace\.package\] version\. Add it there\.$/,
  },
  {
    name: 'manifest: a broken member manifest',
    from: 'example',
    setup: (d) => edit(d, 'crates/backend/Cargo.toml', '[dependencies]', '[dependencies'),
    args: ['bake'],
    exit: 2,
    message: /^crossbake: crates\/backend\/Cargo\.toml:\d+:\d+: invalid TOML: .+\. Fix the syntax there and run again\.$/,
  },
  {
    name: 'manifest: a broken Cargo.lock',
    from: 'example',
    setup: (d) => writeFileSync(join(d, 'Cargo.lock'), 'version = 3\n[[package]\nname = "x"\n'),
    args: ['bake'],
    exit: 2,
    message: /^crossbake: Cargo\.lock:2:\d+: invalid TOML: .+\. Fix the syntax there and run again\.$/,
  },

  // ---- settings
  {
    name: 'settings: an unsupported platform in Cargo.toml',
    from: 'example',
    setup: (d) =>
      edit(d, 'Cargo.toml', 'platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]', 'platforms = ["linux/amd64", "linux/riscv64"]'),
    args: ['bake'],
    exit: 2,
    message: `crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.platforms[1]: unsupported platform "linux/riscv64"; ${SUPPORTED}`,
  },
  {
    name: 'settings: a misspelt key',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchian = "debian"'),
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: invalid crossbake settings \(1 problem\); fix it and run again:\n {2}Cargo\.toml: workspace\.metadata\.crossbake: Unrecognized key: "toolchian" \(known keys: toolchain, rust-version, .*\)$/,
  },
  {
    name: 'settings: a tag with a space',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\ntag = "v1 beta"'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.tag: expected a Docker tag such as "latest" or "v1.2.3"',
  },
  {
    name: 'settings: a native package given with an architecture',
    from: 'example',
    setup: (d) =>
      edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\nnative.packages."linux/arm64" = ["libssl-dev:arm64"]'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.native.packages.linux/arm64[0]: expected a Debian package name without ":arch" or "=version", such as "libpq-dev": crossbake installs it for each platform\'s architecture, not "libssl-dev:arm64"',
  },
  {
    name: 'settings: a native package name that cannot be a Debian package',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\nnative.packages."*" = ["Lib SSL; rm -rf /"]'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.native.packages.*[0]: expected a Debian package name such as "libpq-dev" (lower-case letters, digits, + . -), not "Lib SSL; rm -rf /"',
  },
  {
    name: 'settings: native packages for a platform crossbake does not build',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\nnative.packages."linux/riscv64" = ["libpq-dev"]'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.native.packages.linux/riscv64: unsupported platform "linux/riscv64"; use "*" for every platform or one of linux/amd64, linux/arm64, linux/arm/v7',
  },
  {
    name: 'settings: an unknown runtime',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\nruntime = "distroless"'),
    args: ['generate'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.runtime: Invalid option: expected one of "slim"|"minimal"',
  },
  {
    name: "settings: an unknown runtime in a package's own settings",
    from: 'example',
    setup: (d) =>
      writeFileSync(
        join(d, 'crates/backend/Cargo.toml'),
        `${readFileSync(join(d, 'crates/backend/Cargo.toml'), 'utf8')}\n[package.metadata.crossbake]\nruntime = "alpine"\n`,
      ),
    args: ['generate'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  crates/backend/Cargo.toml: package.metadata.crossbake.runtime: Invalid option: expected one of "slim"|"minimal"',
  },
  {
    name: 'flag: --runtime tiny',
    from: 'example',
    args: ['bake', '--runtime', 'tiny'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  command line: --runtime: Invalid option: expected one of "slim"|"minimal"',
  },
  {
    name: 'settings: cargo-chef with the debian toolchain',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'toolchain = "debian"', 'toolchain = "debian"\nskeleton = "cargo-chef"'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: skeleton = "cargo-chef" needs `cargo install cargo-chef` from crates.io, which the debian toolchain cannot do. Use skeleton = "crossbake" with toolchain = "debian".',
  },
  {
    name: 'settings: port 0',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'port = 8080', 'port = 0'),
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: invalid crossbake settings \(1 problem\); fix it and run again:\n {2}Cargo\.toml: workspace\.metadata\.crossbake\.defaults\.port: Too small: expected number to be >=1$/,
  },
  {
    name: 'settings: per-binary settings for a binary the package does not have',
    from: 'example',
    setup: (d) =>
      writeFileSync(
        join(d, 'crates/backend/Cargo.toml'),
        `${readFileSync(join(d, 'crates/backend/Cargo.toml'), 'utf8')}\n[package.metadata.crossbake.bins.backnd]\nport = 9000\n`,
      ),
    args: ['bake'],
    exit: 2,
    message:
      /^crossbake: invalid crossbake settings \(1 problem\); fix it and run again:\n {2}crates\/backend\/Cargo\.toml: package\.metadata\.crossbake\.bins\.backnd: package "backend" has no binary "backnd"; its binaries: backend\.$/,
  },
  {
    name: 'settings: two binaries set to one image name',
    from: 'example',
    setup: (d) => {
      for (const p of ['backend', 'frontend'])
        writeFileSync(
          join(d, `crates/${p}/Cargo.toml`),
          `${readFileSync(join(d, `crates/${p}/Cargo.toml`), 'utf8')}\n[package.metadata.crossbake]\nimage = "app"\n`,
        );
    },
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: binaries "backend" and "frontend" are both set to image "app". Give one another `image` in its package.metadata.crossbake.',
  },
  {
    name: 'settings: a registry that would break the bake file',
    from: 'example',
    setup: (d) => edit(d, 'Cargo.toml', 'registry = "127.0.0.1:5000/crossbake"', 'registry = "127.0.0.1:5000/a${b"'),
    args: ['bake'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  Cargo.toml: workspace.metadata.crossbake.registry: expected a registry and namespace such as "docker.io/acme" or "ghcr.io/acme"',
  },

  // ---- flags
  {
    name: 'flag: --platforms linux/386',
    from: 'example',
    args: ['bake', '--platforms', 'linux/amd64,linux/386'],
    exit: 2,
    message: `crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  command line: --platforms[1]: unsupported platform "linux/386"; ${SUPPORTED}`,
  },
  {
    name: 'flag: --platforms with a typo',
    from: 'example',
    args: ['bake', '--platforms', 'linux/arm64/v9'],
    exit: 2,
    message: `crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  command line: --platforms[0]: unsupported platform "linux/arm64/v9"; ${SUPPORTED}`,
  },
  {
    name: 'flag: an unknown option',
    from: 'example',
    args: ['bake', '--frobnicate'],
    exit: 2,
    message: "crossbake: Unknown option '--frobnicate'. Run `crossbake --help` for the options.",
  },
  {
    name: 'flag: an unknown command',
    from: 'example',
    args: ['bake2'],
    exit: 2,
    message: 'crossbake: unknown command "bake2". Commands: inspect, generate, bake, ci, verify.',
  },
  {
    name: 'flag: --progress fancy',
    from: 'example',
    args: ['bake', '--progress', 'fancy'],
    exit: 2,
    message: 'crossbake: --progress must be one of auto, plain, tty, rawjson, quiet, not "fancy".',
  },
  {
    name: 'flag: --push with --load',
    from: 'example',
    args: ['bake', '--push', '--load'],
    exit: 2,
    message: 'crossbake: --push and --load exclude each other: push to a registry, or load into the local image store.',
  },
  {
    name: 'flag: --print with --dry-run',
    from: 'example',
    args: ['bake', '--print', '--dry-run'],
    exit: 2,
    message: 'crossbake: --print and --dry-run overlap: --dry-run shows the definition and the commands; use one of them.',
  },
  {
    name: 'flag: a binary that does not exist',
    from: 'example',
    args: ['bake', 'nosuch'],
    exit: 2,
    message: 'crossbake: no binary "nosuch" in the workspace; binaries: backend, frontend. Pick one of those.',
  },
  {
    name: 'flag: --toolchain gcc',
    from: 'example',
    args: ['bake', '--toolchain', 'gcc'],
    exit: 2,
    message:
      'crossbake: invalid crossbake settings (1 problem); fix it and run again:\n  command line: --toolchain: Invalid option: expected one of "rustup"|"debian"',
  },
  {
    name: 'flag: --report into a directory that does not exist',
    from: 'example',
    args: ['bake', '--report', 'no/such/dir/report.json'],
    exit: 2,
    message: 'crossbake: --report no/such/dir/report.json: the directory no/such/dir does not exist. Create it, or choose another path.',
  },
  {
    name: 'flag: --metadata-file naming a directory',
    from: 'example',
    args: ['bake', '--metadata-file', 'crates'],
    exit: 2,
    message: 'crossbake: --metadata-file crates is a directory; give a file name, e.g. crates/metadata.json.',
  },
  {
    name: 'flag: --push with no registry in the tags',
    from: 'bins',
    args: ['bake', '--push'],
    needs: ['buildx'],
    exit: 2,
    message:
      /^crossbake: --push needs a registry in the image tags, but [\w-]+-linux-amd64 is tagged "[\w-]+:latest-linux-amd64"\. Set registry in \[workspace\.metadata\.crossbake\], pass --registry, or set REGISTRY\.$/,
  },
  {
    name: 'flag: --set a platform outside the table',
    from: 'example',
    args: ['bake', '--set', '*.platform=linux/riscv64'],
    needs: ['buildx'],
    exit: 2,
    message: `crossbake: the bake definition asks for a platform crossbake does not build (from --set, or the PLATFORMS variable in the environment); fix it and run again:\n  bake target backend: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target backend-linux-amd64: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target backend-linux-arm-v7: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target backend-linux-arm64: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target frontend: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target frontend-linux-amd64: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target frontend-linux-arm-v7: unsupported platform "linux/riscv64"; ${SUPPORTED}\n  bake target frontend-linux-arm64: unsupported platform "linux/riscv64"; ${SUPPORTED}`,
  },
  {
    name: 'env: PLATFORMS with a platform outside the table',
    from: 'example',
    args: ['bake'],
    env: { PLATFORMS: 'linux/amd64,linux/386' },
    needs: ['buildx'],
    exit: 2,
    message: `crossbake: the bake definition asks for a platform crossbake does not build (from --set, or the PLATFORMS variable in the environment); fix it and run again:\n  bake target backend: unsupported platform "linux/386"; ${SUPPORTED}\n  bake target frontend: unsupported platform "linux/386"; ${SUPPORTED}`,
  },
  {
    name: 'flag: --set without TARGET.KEY=VALUE',
    from: 'example',
    args: ['bake', '--set', 'nonsense'],
    needs: ['buildx'],
    exit: 2,
    message:
      'crossbake: docker buildx bake --print rejects docker-bake.json (with --set nonsense): invalid override key nonsense, expected target.name\n  Fix the --set values (TARGET.KEY=VALUE; see `docker buildx bake --help`), or the settings the file comes from, and run again.',
  },
  {
    name: 'flag: --set an unknown key',
    from: 'example',
    args: ['bake', '--set', 'backend.nosuch=1'],
    needs: ['buildx'],
    exit: 2,
    message:
      'crossbake: docker buildx bake --print rejects docker-bake.json (with --set backend.nosuch=1): unknown key: nosuch\n  Fix the --set values (TARGET.KEY=VALUE; see `docker buildx bake --help`), or the settings the file comes from, and run again.',
  },

  // ---- generated files edited by hand
  {
    name: 'conflict: the generated Dockerfile was edited',
    from: 'example',
    setup: (d) => {
      generated(d);
      writeFileSync(join(d, 'Dockerfile'), `${readFileSync(join(d, 'Dockerfile'), 'utf8')}\nRUN echo mine\n`);
    },
    args: ['bake'],
    exit: 7,
    message:
      'crossbake: refusing to overwrite a file; move your changes into the crossbake settings, or run again with --force to replace it:\n  Dockerfile was edited by hand since crossbake wrote it',
  },
  {
    name: 'conflict: a docker-bake.hcl crossbake did not write',
    from: 'example',
    setup: (d) => writeFileSync(join(d, 'docker-bake.hcl'), 'target "default" {}\n'),
    args: ['bake'],
    exit: 7,
    message:
      'crossbake: refusing to overwrite a file; move your changes into the crossbake settings, or run again with --force to replace it:\n  docker-bake.hcl exists and was not written by crossbake',
  },
  {
    name: 'conflict: a dry run says so too',
    from: 'example',
    setup: (d) => {
      generated(d);
      edit(d, 'docker-bake.json', '"TAG": {', '"TAG":  {');
    },
    args: ['bake', '--dry-run'],
    exit: 7,
    message:
      'crossbake: refusing to overwrite a file; move your changes into the crossbake settings, or run again with --force to replace it:\n  docker-bake.json was edited by hand since crossbake wrote it',
  },

  // ---- environments
  {
    name: 'env: no docker on PATH',
    from: 'example',
    args: ['bake'],
    env: { PATH: '/nonexistent' },
    exit: 3,
    message:
      'crossbake: docker is not installed: no `docker` command on PATH. Install Docker Engine (or Docker Desktop) with the buildx plugin, then run again.',
  },
  {
    name: 'env: no buildx plugin',
    from: 'example',
    args: ['bake'],
    as: 'no-buildx',
    needs: ['buildx', 'root'],
    exit: 3,
    message:
      /^crossbake: docker buildx is not installed \(`docker buildx version` said: .*(unknown command|is not a docker command).*\)\. Install the buildx plugin \(Debian\/Ubuntu: apt-get install docker-buildx; Docker's repository: docker-buildx-plugin\), then run again\.$/,
  },
  {
    name: 'env: DOCKER_HOST at a socket that does not exist',
    from: 'example',
    args: ['bake'],
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    needs: ['buildx'],
    exit: 3,
    message:
      'crossbake: cannot reach the Docker daemon: Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running? There is no socket at /nonexistent.sock (DOCKER_HOST=unix:///nonexistent.sock): start the Docker daemon (`sudo systemctl start docker`, or open Docker Desktop), or point DOCKER_HOST at the right socket.',
  },
  {
    name: 'env: DOCKER_HOST where nothing listens',
    from: 'example',
    args: ['bake'],
    env: { DOCKER_HOST: 'tcp://127.0.0.1:1' },
    needs: ['buildx'],
    exit: 3,
    message:
      'crossbake: cannot reach the Docker daemon: Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running? No Docker daemon answers at DOCKER_HOST=tcp://127.0.0.1:1: start it (`sudo systemctl start docker`, or open Docker Desktop), or fix DOCKER_HOST / DOCKER_CONTEXT.',
  },
  {
    name: 'env: DOCKER_CONTEXT that does not exist',
    from: 'example',
    args: ['bake'],
    env: { DOCKER_CONTEXT: 'crossbake-no-such-context' },
    needs: ['buildx'],
    exit: 3,
    message:
      /^crossbake: cannot reach the Docker daemon: .*context "crossbake-no-such-context": context not found.* The docker context does not exist: list them with `docker context ls`, or unset DOCKER_CONTEXT\.$/,
  },
  {
    name: 'env: a user without access to the Docker socket',
    from: 'example',
    args: ['bake'],
    as: 'nobody',
    needs: ['buildx', 'daemon', 'root'],
    exit: 3,
    message:
      /^crossbake: cannot reach the Docker daemon: permission denied while trying to connect to the Docker daemon socket at unix:\/\/\/var\/run\/docker\.sock: .+ Your user may not use the Docker socket: add it to the docker group \(`sudo usermod -aG docker \$USER`, then log in again\), or run as root\.$/,
  },
  {
    name: 'env: --builder that does not exist',
    from: 'example',
    args: ['bake', '--builder', 'crossbake-no-such-builder'],
    needs: ['buildx', 'daemon'],
    exit: 3,
    message:
      /^crossbake: no buildx builder named "crossbake-no-such-builder"; builders here: default[^.]*\. Create it \(`docker buildx create --name crossbake-no-such-builder --driver docker-container`\) or leave --builder out\.$/,
  },
  {
    name: 'env: --push to a registry that refuses the login',
    from: 'example',
    args: ['bake', '--push', '--registry', '127.0.0.1:REGISTRY_PORT/team'],
    needs: ['buildx', 'daemon'],
    exit: 6,
    message:
      'crossbake: the registry 127.0.0.1:REGISTRY_PORT refused the login for 127.0.0.1:REGISTRY_PORT/team/backend:latest: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials. Run `docker login 127.0.0.1:REGISTRY_PORT` with an account that may push there, then run again.',
  },
  {
    name: 'env: --push to a registry nobody answers for',
    from: 'example',
    args: ['bake', '--push', '--registry', '127.0.0.1:1/team'],
    needs: ['buildx', 'daemon'],
    exit: 5,
    message:
      /^crossbake: cannot reach the registry 127\.0\.0\.1:1 to push 127\.0\.0\.1:1\/team\/(backend|frontend):latest: .*connect: connection refused\. Check the network and the registry address \(--registry, REGISTRY\), then run again\.$/,
  },
];

/** Every file under `dir` with a digest of its content: the same before and after means nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(rel);
      } else
        out[rel] = createHash('sha256')
          .update(readFileSync(join(dir, rel)))
          .digest('hex')
          .slice(0, 16);
    }
  };
  walk('');
  return out;
}

/**
 * A case starts where a first run left the workspace, when its inputs allow one: bake writes the
 * generated files before it checks the environment (a newcomer without docker still gets them), so a
 * later failure must leave them as they were.
 */
function prepare(c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-bad-'));
  chmodSync(dir, 0o755);
  if (c.from === 'example') {
    cpSync(join(repoRoot, 'examples/workspace'), dir, { recursive: true });
    for (const f of ['Dockerfile', 'docker-bake.hcl', 'docker-bake.json', '.dockerignore']) rmSync(join(dir, f), { force: true });
  } else if (c.from !== 'empty') {
    cpSync(workspaceFixture(c.from), dir, { recursive: true });
  }
  c.setup?.(dir);
  if (c.from === 'example') {
    try {
      generated(dir);
    } catch {
      // the case breaks the workspace or its settings: nothing can be generated, and nothing must be
    }
  }
  return dir;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const PLUGIN_DIRS = [
  '/usr/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
];

/** tap's own hooks must not follow the CLI into a subprocess (one as user nobody could not write them). */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/i.test(k)));
}

/** Inputs that no environment is part of run in-process (the same `run` the binary calls), for speed. */
async function runInProcess(c: Case, dir: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    c.args.map((a) => a.replace('REGISTRY_PORT', String(registryPort))),
    { cwd: dir, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
  );
  return { code, stdout, stderr };
}

function run(c: Case, dir: string): Promise<Run> {
  if (!c.env && !c.as && !c.subprocess) return runInProcess(c, dir);
  const args = c.args.map((a) => a.replace('REGISTRY_PORT', String(registryPort)));
  // `env -u NODE_OPTIONS`: tap's process-info hook, which it adds to every child's NODE_OPTIONS, stays out
  const node = [ENV, '-u', 'NODE_OPTIONS', process.execPath, `--import=${tsx}`, main, ...args];
  let file = node[0]!;
  let argv = node.slice(1);
  const env: Record<string, string | undefined> = { ...cleanEnv(), ...c.env, CROSSBAKE_DEBUG: '', FORCE_COLOR: '0' };
  if (c.as === 'nobody') {
    const home = tempHome();
    chmodSync(home, 0o777);
    env.HOME = home;
    file = 'setpriv';
    argv = ['--reuid=65534', '--regid=65534', '--clear-groups', ...node];
  } else if (c.as === 'no-buildx') {
    // A mount namespace where every CLI plugin directory is empty: docker without buildx, for real.
    const mounts = PLUGIN_DIRS.filter((d) => existsSync(d)).map((d) => `mount -t tmpfs none ${d}`);
    const home = tempHome();
    env.HOME = home;
    env.DOCKER_CONFIG = join(home, '.docker');
    file = 'unshare';
    argv = ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts.join(' && ')} && exec "$@"`, 'sh', ...node];
  }
  return new Promise((resolve) => {
    execFile(file, argv, { cwd: dir, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The message a case is about: stderr from its last `crossbake: ` line that is not a step, note or warning. */
function finalMessage(stderr: string): string {
  const lines = stderr.replace(/\n$/, '').split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (/^crossbake: /.test(lines[i]!) && !/^crossbake: (warning|note|generate|preflight|wrote|build|push|merge) /.test(lines[i]!))
      start = i;
  }
  return start < 0 ? stderr : lines.slice(start).join('\n');
}

function unmet(c: Case): string | false {
  for (const need of c.needs ?? []) {
    if (need === 'buildx' && !hasBuildx) return 'docker buildx is not installed here';
    if (need === 'daemon' && !daemonUp) return 'the Docker daemon does not answer';
    if (need === 'root' && !isRoot) return 'needs root (setpriv / a mount namespace)';
  }
  if (
    c.as === 'nobody' &&
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'docker', 'info'], { stdio: 'ignore' }).status === 0
  ) {
    return 'user nobody can use the Docker socket here';
  }
  if (c.as === 'no-buildx' && spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status !== 0)
    return 'unshare --mount is not available';
  return false;
}

t.test('the corpus has at least 30 cases, every one different', async (t) => {
  t.ok(cases.length >= 30, `${cases.length} cases`);
  t.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

t.test('bad inputs: one message, its exit code, no stack trace, nothing written', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(401, {
      'WWW-Authenticate': 'Basic realm="crossbake-test"',
      'Docker-Distribution-API-Version': 'registry/2.0',
      'Content-Type': 'application/json',
    });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registryPort = (server.address() as AddressInfo).port;
  t.teardown(() => server.close());

  const runnable = cases.filter((c) => !unmet(c));
  for (const c of cases.filter((c) => unmet(c))) t.test(c.name, { skip: unmet(c) as string }, async () => {});
  const results = new Map<Case, { dir: string; before: Record<string, string>; run: Run; after: Record<string, string> }>();
  const one = async (c: Case) => {
    const dir = prepare(c);
    const before = snapshot(dir);
    const began = Date.now();
    const result = await run(c, dir);
    if (process.env.CROSSBAKE_TIMINGS) console.error(`${Date.now() - began}ms ${c.name}`);
    results.set(c, { dir, before, run: result, after: snapshot(dir) });
  };
  const queue = runnable.filter((c) => c.env || c.as || c.subprocess);
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await one(c);
  };
  const subprocesses = Promise.all(Array.from({ length: 4 }, worker));
  for (const c of runnable.filter((c) => !(c.env || c.as || c.subprocess))) await one(c);
  await subprocesses;

  for (const c of runnable) {
    const r = results.get(c)!;
    t.test(c.name, async (t) => {
      const message = typeof c.message === 'string' ? c.message.replaceAll('REGISTRY_PORT', String(registryPort)) : c.message;
      t.equal(r.run.code, c.exit, `exit ${c.exit}\n${r.run.stderr}`);
      if (typeof message === 'string') t.equal(finalMessage(r.run.stderr), message);
      else t.match(finalMessage(r.run.stderr), message);
      t.notMatch(r.run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
      t.notMatch(r.run.stderr, /internal error|TypeError|ReferenceError/, 'no internal error');
      // Only whole generated files may change (a flag such as --registry changes what bake renders and
      // writes before it checks the environment); every other file stays as it was.
      const changed = Object.keys({ ...r.before, ...r.after }).filter((p) => r.before[p] !== r.after[p]);
      const whole = (p: string) =>
        existsSync(join(r.dir, p)) && (p.endsWith('/') || provenance(readFileSync(join(r.dir, p), 'utf8')) === 'generated');
      t.same(
        changed.filter((p) => !whole(p)),
        [],
        'nothing written but whole generated files; nothing half-written',
      );
      t.same(
        Object.keys(r.after).filter((p) => /\.tmp$/.test(p)),
        [],
        'no *.tmp left',
      );
      rmSync(r.dir, { recursive: true, force: true });
    });
  }
});

t.test('--force replaces an edited file (the conflict has a way out)', async (t) => {
  const dir = prepare({ name: 'force', from: 'example', args: [], exit: 0, message: '' });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  generated(dir);
  writeFileSync(join(dir, 'Dockerfile'), `${readFileSync(join(dir, 'Dockerfile'), 'utf8')}\nRUN echo mine\n`);
  const r = await run({ name: 'generate --force', from: 'example', args: ['generate', '--force'], exit: 0, message: '' }, dir);
  t.equal(r.code, 0, r.stderr);
  t.notMatch(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /RUN echo mine/);
  t.ok(statSync(join(dir, 'Dockerfile')).isFile());
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

t.test('without docker, bake still writes the generated files, whole, then stops at the preflight', async (t) => {
  const dir = prepare({ name: 'fresh', from: 'example', args: [], exit: 3, message: '' });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'bake', 'backend', '--workspace', dir], {
    cwd: repoRoot,
    env: { ...process.env, PATH: '/nonexistent' },
  });
  t.equal(result.status, 3);
  t.match(result.stderr.toString(), /crossbake: docker is not installed/);
  const files = snapshot(dir);
  for (const name of ['Dockerfile', '.dockerignore', 'docker-bake.hcl', 'docker-bake.json']) {
    t.ok(files[name], `${name} written`);
    t.equal(provenance(readFileSync(join(dir, name), 'utf8')), 'generated', `${name} is whole`);
  }
  t.same(
    Object.keys(files).filter((p) => /\.tmp$/.test(p)),
    [],
    'no *.tmp left',
  );
});

t.test('a daemon that never answers does not hold back an input error: the docker info started early stops with the command', async (t) => {
  const silent = createNetServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const dir = prepare({ name: 'silent daemon', from: 'bad-toml', args: [], exit: 2, message: '' });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const r = await run(
    {
      name: 'silent daemon',
      from: 'bad-toml',
      args: ['bake'],
      env: { DOCKER_HOST: `tcp://127.0.0.1:${(silent.address() as AddressInfo).port}` },
      exit: 2,
      message: '',
    },
    dir,
  );
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /crossbake: Cargo\.toml:7:16: invalid TOML/);
  t.ok(Date.now() - started < 30_000, `exited after ${Date.now() - started} ms, not after docker info's 60 s`);
});
