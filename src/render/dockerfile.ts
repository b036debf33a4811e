import { generatedHeader } from '../generated.js';
import {
  BUILD_ALL,
  DEPS,
  type ImagePlan,
  LLD_LINKERS,
  type Plan,
  RUNTIME_ROOTS,
  RUNTIME_SCRIPTS,
  RUST_STD,
  TARGET_STAGE,
} from '../plan.js';
import { PLATFORMS, SUPPORTED_PLATFORMS } from '../platforms.js';
import { fill, templates } from '../templates.js';
import { dockerfileValue, heredocDelimiter, shellWord, shellWords } from './encode.js';

const LINE = ' \\\n';
/** Where the skeleton stage leaves the lock's Debian crate packages, one per line. */
const DEBIAN_CRATES = '/crossbake/debian-crates';
/**
 * apt's binary package cache, which the Debian image's docker-clean turns off: steps that call apt more
 * than once keep it while they run, or each call parses every architecture's package lists again.
 */
const APT_CACHE = '/var/cache/apt/crossbake.bin';
/** Where the skeleton stage leaves the native build inputs per architecture (src/native/sys-crates.ts nativeFiles). */
const NATIVE_PLAN = '/crossbake/native-plan';

// The delimiter occurs nowhere in the body, not even inside a line: no trimming can make a line match it.
export { heredocDelimiter };

function withNewline(content: string): string {
  return content.endsWith('\n') || content === '' ? content : `${content}\n`;
}

/** Shell `case` arms, one per platform row, in the continued-line layout the templates use. */
function caseArms(arms: readonly string[], indent = '      '): string {
  return arms.map((arm) => `${indent}${arm} ;;${LINE.trimEnd()}`).join('\n');
}

/**
 * `[build] rustflags` in cargo's home config: joined with a workspace's own `[build] rustflags`, but
 * replaced by `target.<triple>.rustflags` (or CARGO_TARGET_<TRIPLE>_RUSTFLAGS) and by RUSTFLAGS.
 */
function remapConfig(plan: Plan): string {
  const flags = plan.remapPaths.map(({ from, to }) => JSON.stringify(`--remap-path-prefix=${from}=${to}`));
  return `[build]\n# No path of the build stage in the binaries (panic locations, debug info).\nrustflags = [${flags.join(', ')}]\n`;
}

function toolchainNote(plan: Plan): string {
  const notes = [
    plan.skeleton.mode === 'crossbake'
      ? "# And nodejs, for crossbake's skeleton planner, which runs on this stage: BuildKit starts a stage only once a\n# later step needs its output, and the steps after the toolchain wait for the skeleton's, so a skeleton on\n# any other stage held the toolchain back."
      : '',
    plan.linkerDir
      ? `# cargo links each target through ${plan.linkerDir}/<its gcc>: that gcc with Debian's lld as its ld (lld runs on\n# the LLVM rustc already has): GNU ld took a sixth of the CPU of a one-file change's three build-all steps.`
      : '',
    plan.toolchain.kind === 'debian'
      ? "# A foreign platform's Rust standard library comes from libstd-rust-dev alone, downloaded by the\n# runtime-packages stage beside this one and unpacked by the rust-std stage: installed as a package it\n# brings that platform's rustc and LLVM (about 450 MB each), which nothing here runs."
      : '',
  ].filter(Boolean);
  return notes.map((note) => `\n${note}`).join('');
}

/** The toolchain's first stage: the one that needs nothing from the skeleton or another stage. */
function toolchainStageName(plan: Plan): string {
  return plan.toolchain.kind === 'debian' ? 'toolchain-base' : 'toolchain';
}

function toolchainStage(plan: Plan): string {
  const arms = plan.platforms.map((p) => `${p.debianArch}) packages="$packages ${p.gccPackage} ${p.libcDevPackage}"`);
  const wrapper = withNewline(templates.cargoWrapper);
  const checksums = withNewline(templates.debianChecksums);
  const packages = plan.toolchain.kind === 'debian' ? [...(plan.toolchain.crates ?? []), ...plan.toolchain.packages] : [];
  return fill(plan.toolchain.kind === 'rustup' ? templates.toolchainRustup : templates.toolchainDebian, {
    stage: toolchainStageName(plan),
    plannerPackages: plan.skeleton.mode === 'crossbake' ? `${plan.toolchain.kind === 'debian' ? ' ' : ''}nodejs` : '',
    debianArches: plan.platforms.map((p) => p.debianArch).join(' '),
    crossPackageCases: caseArms(arms, '        '),
    extraPackages: packages.length > 0 ? `${LINE}      ${shellWords(packages)}` : '',
    lldPackage: LLD_LINKERS.package,
    linkerWrappers: linkerWrappers(plan),
    cargoWrapper: wrapper,
    wrapperEof: heredocDelimiter(wrapper),
    debianChecksums: checksums,
    checksumsEof: heredocDelimiter(checksums),
    configEof: 'CROSSBAKE_EOF',
    remapConfig: remapConfig(plan),
  }).trimEnd();
}

/**
 * Each selected platform's linker for cargo (Plan.linkerDir): a script running its gcc with lld as the ld
 * gcc finds first (-B), so the C library's startup files and gcc's own link line stay gcc's.
 */
function linkerWrappers(plan: Plan): string {
  if (!plan.linkerDir) return '';
  const dir = plan.linkerDir;
  const linkers = [...new Set(plan.platforms.map((p) => p.linker))].join(' ');
  return (
    `    mkdir -p ${dir}/lld; ln -s /usr/bin/ld.lld ${dir}/lld/ld;${LINE}` +
    `    for cc in ${linkers}; do${LINE}` +
    `      printf '#!/bin/sh\\nexec %s -B${dir}/lld/ "$@"\\n' "$cc" > "${dir}/$cc"; chmod 755 "${dir}/$cc";${LINE}` +
    '    done'
  );
}

/** The debian toolchain's last stage, after the skeleton: the foreign standard libraries, then the lock's crate packages. */
function debianToolchainStage(plan: Plan): string {
  const { cratesFromLock } = plan.skeleton;
  return fill(templates.toolchainStd, {
    rustStdStage: RUST_STD.stage,
    cratesNote: cratesFromLock
      ? ", and the crate packages Debian has for this Cargo.lock,\n# in a layer of their own: a lock change reruns only that step, and needs no new Dockerfile. They are the\n# build platform's own: apt reads only its package list. A crate package without maintainer scripts is only\n# source files: those are unpacked in parallel without dpkg, whose bookkeeping over the toolchain's file\n# database took 7 s for 60 crates; apt installs the rest (pkg-config, -dev packages, any with scripts)"
      : '',
    cratesStep: cratesFromLock ? fill(templates.toolchainCrates, { cratesList: DEBIAN_CRATES, aptCache: APT_CACHE }) : '',
  }).trimEnd();
}

function skeletonStage(plan: Plan): string {
  if (plan.skeleton.mode === 'cargo-chef') {
    return [
      'FROM toolchain AS chef',
      `RUN cargo install cargo-chef --locked --version ${plan.skeleton.cargoChefVersion}`,
      '',
      'FROM chef AS skeleton',
      'WORKDIR /build',
      'COPY . .',
      'RUN cargo chef prepare --recipe-path /recipe.json',
    ].join('\n');
  }
  const { planner, cratesFromLock, binaryLock, inputs } = plan.skeleton;
  // Only the files the planner reads, each mounted on its own, when the Plan has them (see SKELETON_LAYOUT)
  const contextMounts = inputs
    ? [
        ...inputs.recorded.read.map((p) => `--mount=type=bind,source=${p},target=/context/${p}`),
        `--mount=type=bind,from=${planner.context},source=${inputs.layoutFile},target=/crossbake/${inputs.layoutFile}`,
      ]
    : ['--mount=type=bind,target=/context'];
  const skeleton = fill(templates.skeletonCrossbake, {
    toolchainStage: toolchainStageName(plan),
    contextMounts: contextMounts.map((m, i) => `${i > 0 ? '    ' : ''}${m}${LINE}`).join(''),
    plannerContext: planner.context,
    plannerFile: planner.file,
    plannerFlags: `${cratesFromLock ? ` --debian-crates ${DEBIAN_CRATES}` : ''} --native ${NATIVE_PLAN}${binaryLock ? ` --sbom ${binaryLock.dir}` : ''}${inputs ? ` --layout /crossbake/${inputs.layoutFile}` : ''}`,
  });
  return plan.toolchain.kind === 'debian' ? `${skeleton}\n${debianToolchainStage(plan)}` : skeleton;
}

function nativeStage(plan: Plan): string {
  const fromLock = plan.skeleton.mode === 'crossbake';
  const files = ['build', ...plan.platforms.map((p) => p.debianArch)].map((f) => `${f}.packages`).join(' ');
  const derived = fromLock ? `$(cd ${NATIVE_PLAN} && cat ${files} | tr '\\n' ' ')` : '';
  const extra = plan.platforms.flatMap((p) => plan.nativePackages[p.docker] ?? []);
  return fill(templates.native, {
    planMount: fromLock ? `--mount=type=bind,from=skeleton,source=${NATIVE_PLAN},target=${NATIVE_PLAN} \\\n    ` : '',
    debianArches: plan.platforms.map((p) => p.debianArch).join(' '),
    packages: [derived, shellWords(extra)].filter(Boolean).join(' '),
    aptCache: APT_CACHE,
  }).trimEnd();
}

/**
 * `--target <triple>` for the platforms the call compiles: one in build-all, every selected one in deps.
 * build-all runs without a network, where crossbake-cargo's retry of a network fault has nothing to retry.
 */
function cargoBuild(plan: Plan, extra: string, targets = '--target "$RUST_TARGET"', cargo = 'cargo'): string {
  const locked = plan.locked ? ' --locked' : '';
  return `${cargo} build --profile ${plan.profile}${locked} ${targets} --workspace${extra}`;
}

function featureFlags(features: readonly string[]): string {
  return features.length > 0 ? ` --features ${shellWord(features.join(','))}` : '';
}

/** The RUN flags of a step that compiles in the cache mount `id` at /build/target, and reads the script. */
function targetMounts(plan: Plan, id: string): string {
  const { script } = plan.targetCache;
  return (
    `--mount=type=cache,id=${id},target=/build/target,sharing=locked${LINE}` +
    (plan.toolchain.kind === 'debian'
      ? `    --mount=type=bind,from=${RUST_STD.stage},source=${RUST_STD.path},target=${RUST_STD.path}${LINE}`
      : '') +
    `    --mount=type=bind,from=${plan.skeleton.planner.context},source=${script},target=/crossbake/${script}${LINE}    `
  );
}

/** cargo's linker for a platform whose gcc is `gcc`: that gcc, or its lld wrapper (Plan.linkerDir). */
function cargoLinker(plan: Plan, gcc: string): string {
  return plan.linkerDir ? `${plan.linkerDir}/${gcc}` : gcc;
}

/**
 * Every selected platform's linker and C compiler for cargo, then its native build environment (the
 * skeleton's `<arch>.env`, all of it keyed by triple), and the triples themselves for the target cache:
 * what the deps step sources to compile for all of them at once.
 */
function targetsEnvStep(plan: Plan): string {
  const lines = plan.platforms.map((p) => {
    const upper = p.rustTarget.toUpperCase().replace(/-/g, '_');
    return `echo "export CARGO_TARGET_${upper}_LINKER=${cargoLinker(plan, p.linker)} CC_${p.rustTarget.replace(/-/g, '_')}=${p.linker}";`;
  });
  const natives = plan.platforms.map((p) => `/crossbake/native/${p.debianArch}.env`).join(' ');
  return (
    `RUN set -eu; mkdir -p /crossbake; {${LINE}` +
    lines.map((l) => `      ${l}${LINE}`).join('') +
    `      echo "export CROSSBAKE_TRIPLES='${plan.platforms.map((p) => p.rustTarget).join(' ')}'";${LINE}` +
    `      for env in ${natives}; do if [ -f "$env" ]; then cat "$env"; fi; done; } > ${plan.targetCache.env}`
  );
}

/**
 * The dependency graph for every selected platform in one cargo call, so that the build platform's build
 * scripts and proc-macros (most of a small graph's compile) compile once, not once per platform. Compiled in
 * a cache mount so that a lock change compiles only the new crates and their dependents; the result is
 * copied into the layer, where each platform's build-all and the registry cache find it.
 */
function depsStage(plan: Plan): string {
  const features = featureFlags(
    [...new Set(plan.images.flatMap((i) => i.features.map((f) => (f.includes('/') ? f : `${i.package}/${f}`))))].sort(),
  );
  const { script, arg, seed, ids, env } = plan.targetCache;
  const all = plan.platforms.map((p) => p.docker);
  // The platforms named in DEPS.arg, each as cargo's --target; -f: they are words, never globs.
  const arms = plan.platforms.map((p) => `${p.docker}) targets="$targets --target ${p.rustTarget}"`);
  const targets =
    `set -f; targets=""; for platform in $(echo "$${DEPS.arg}" | tr ',' ' '); do case "$platform" in${LINE}` +
    `${caseArms(arms)}\n` +
    `      *) echo "crossbake: ${DEPS.arg} names '$platform', which this Dockerfile was not generated for: ${all.join(', ')}; run crossbake generate --platforms with it" >&2; exit 1 ;;${LINE}` +
    `    esac; done;${LINE}` +
    `    [ -n "$targets" ] || { echo "crossbake: ${DEPS.arg} is empty; name platforms from: ${all.join(', ')}" >&2; exit 1; };${LINE}    `;
  const prepare = `sh /crossbake/${script} deps "$${arg}" &&${LINE}    `;
  const save = ` &&${LINE}    sh /crossbake/${script} save ${seed}`;
  const head = [
    `FROM native AS ${DEPS.stage}`,
    `ARG ${DEPS.arg}=${all.join(',')}`,
    `ARG ${arg}=1`,
    targetsEnvStep(plan),
    // A Rust image's rustup fetches each target's standard library; Debian's are unpacked by the rust-std stage.
    ...(plan.toolchain.kind === 'rustup'
      ? [`RUN if command -v rustup >/dev/null; then rustup target add ${plan.platforms.map((p) => p.rustTarget).join(' ')}; fi`]
      : []),
    'WORKDIR /build',
  ];
  if (plan.skeleton.mode === 'cargo-chef') {
    return [
      ...head,
      'COPY --from=skeleton /recipe.json /recipe.json',
      `RUN ${targetMounts(plan, ids.deps)}${targets}. ${env} &&${LINE}    ${prepare}` +
        `cargo chef cook --profile ${plan.profile} $targets --workspace${features} --recipe-path /recipe.json${save}`,
    ].join('\n');
  }
  const checksums = plan.toolchain.kind === 'debian' ? `crossbake-debian-checksums Cargo.lock &&${LINE}    ` : '';
  return [
    ...head,
    'COPY --from=skeleton /skeleton/ ./',
    `RUN ${targetMounts(plan, ids.deps)}${targets}. ${env} &&${LINE}    ${checksums}${prepare}${cargoBuild(plan, features, '$targets', 'crossbake-cargo')}${save}`,
  ].join('\n');
}

function binFeatures(image: ImagePlan): string[] {
  return [...image.requiredFeatures, ...image.features].map((f) => (f.includes('/') ? f : `${image.package}/${f}`));
}

/**
 * One cargo call per platform for the binaries the build arg names (one per distinct feature set, so each
 * binary keeps its own features): the workspace crates compile once, not once per binary. Each binary's
 * ELF checks run in the same step (a step of their own cost each platform a container start on the way to
 * every image); its runtime packages go to /out/<bin>.packages, which the libs stage mounts by content, so
 * a binary that came out the same keeps its packages, libs and runtime layers cached.
 */
function buildAllStage(plan: Plan): string {
  const names = plan.images.map((i) => i.bin);
  const pattern = (bins: readonly string[]) => bins.map(shellWord).join('|');
  const groups = new Map<string, string[]>();
  for (const image of plan.images) {
    const features = featureFlags(binFeatures(image));
    groups.set(features, [...(groups.get(features) ?? []), image.bin]);
  }
  const arg = BUILD_ALL.arg;
  const builds = [...groups].map(
    ([features, bins]) =>
      `    bins=""; for bin in $${arg}; do case "$bin" in ${pattern(bins)}) bins="$bins --bin $bin" ;; esac; done;${LINE}` +
      `    if [ -n "$bins" ]; then ${cargoBuild(plan, ` $bins${features}`)}; fi;`,
  );
  const roots = Object.values(RUNTIME_ROOTS)
    .map(({ dpkg, kind }) => ({ dpkg, bins: plan.images.filter((i) => i.root.kind === kind).map((i) => i.bin) }))
    .filter(({ bins }) => bins.length > 0);
  const rootMounts = roots.map(({ dpkg }) => `--mount=type=bind,from=${dpkg.stage},source=${dpkg.path},target=${dpkg.mount}${LINE}    `);
  const rootArms = roots.map(({ dpkg, bins }) => `${pattern(bins)}) base=${dpkg.mount}`);
  const libs = RUNTIME_SCRIPTS.libs;
  return [
    '',
    `# ---- ${BUILD_ALL.stage}: the binaries named in ${arg} (default: all; the bake file names its own), one cargo call`,
    '# per platform, each checked against its runtime root; libs-<bin> and runtime-<bin> take them from /out',
    `FROM ${TARGET_STAGE} AS ${BUILD_ALL.stage}`,
    `ARG ${arg}=${dockerfileValue(names.join(' '))}`,
    'ARG TARGETPLATFORM',
    `ARG ${plan.targetCache.arg}=1`,
    'COPY . .',
    // -f: the names are words, never globs; the case below admits only this Dockerfile's binaries.
    // No network: deps fetched every crate, and the engine then sets up no network endpoint for the step.
    `RUN --network=none ${targetMounts(plan, `${plan.targetCache.ids.build}-$TARGETPLATFORM`)}${rootMounts.join('')}` +
      `--mount=type=bind,from=${plan.skeleton.planner.context},source=${libs},target=/crossbake/${libs}${LINE}` +
      `    set -euf; . /crossbake/target.env;${LINE}` +
      `    [ -n "$${arg}" ] || { echo "crossbake: ${arg} is empty; name binaries from: ${names.join(', ')}" >&2; exit 1; };${LINE}` +
      `    for bin in $${arg}; do case "$bin" in ${pattern(names)}) ;; *) echo "crossbake: ${arg} names '$bin', which is not a binary of this workspace: ${names.join(', ')}" >&2; exit 1 ;; esac; done;${LINE}` +
      // Context files keep their old mtimes: the script gives them the ones cargo last saw, or now if changed.
      `    sh /crossbake/${plan.targetCache.script} build ${plan.targetCache.seed} "$${plan.targetCache.arg}";${LINE}` +
      `${builds.join(LINE)}${LINE}` +
      `    for bin in $${arg}; do install -D -m 0755 "target/$RUST_TARGET/${plan.profileDir}/$bin" "/out/$bin"; done;${LINE}` +
      // The binary's own ELF decides its runtime packages; its checks fail this platform with one line.
      `    for bin in $${arg}; do case "$bin" in ${rootArms.join(' ;; ')} ;; esac;${LINE}` +
      `      CROSSBAKE_MEMO=target/.crossbake-libs sh /crossbake/${libs} "/out/$bin" "$CROSSBAKE_PLATFORM" "$CROSSBAKE_ARCH" "$CROSSBAKE_MULTIARCH" "$CROSSBAKE_ELF_MACHINE" "$CROSSBAKE_ELF_CLASS" "$base" > "/out/$bin.packages"; done;${LINE}` +
      // The files each binary was compiled from, in the step's log: crossbake bake --push reads them.
      `    for bin in $${arg}; do sh /crossbake/${plan.targetCache.script} inputs "$bin" "target/$RUST_TARGET/${plan.profileDir}/$bin.d"; done`,
  ].join('\n');
}

/** The minimal images' root, on the build platform (rendered when an image has runtime = "minimal"). */
function minimalStage(plan: Plan, archCases: string): string {
  const minimal = plan.minimal;
  if (!minimal) return '';
  return fill(templates.minimalRoot, {
    stage: minimal.stage,
    packages: minimal.packages.join(', '),
    packageWords: shellWords(minimal.packages),
    dropPaths: minimal.drop.map((path) => ` ${shellWord(`/rootfs${path}`)}`).join(''),
    plannerContext: plan.skeleton.planner.context,
    installScript: RUNTIME_SCRIPTS.install,
    archCases,
    supportedPlatforms: SUPPORTED_PLATFORMS.join(', '),
    userName: minimal.user.name,
    uid: String(minimal.user.uid),
  }).trimEnd();
}

function runtimeLibsStage(plan: Plan, image: ImagePlan): string {
  return [
    '',
    `# ---- ${image.stages.libs}: the Debian packages ${image.bin} needs at run time and the base lacks, unpacked and recorded on the build platform`,
    `FROM ${image.root.files} AS ${image.stages.libs}`,
    `RUN --mount=type=bind,from=${BUILD_ALL.stage},source=/out/${image.bin}.packages,target=/crossbake/runtime-packages${LINE}` +
      `    --mount=type=bind,from=${plan.skeleton.planner.context},source=${RUNTIME_SCRIPTS.install},target=/crossbake/${RUNTIME_SCRIPTS.install}${LINE}` +
      `    sh /crossbake/${RUNTIME_SCRIPTS.install} /crossbake/runtime-packages /base/status /rootfs`,
  ].join('\n');
}

function runtimeStage(plan: Plan, image: ImagePlan): string {
  const lines = [
    '',
    `FROM ${image.root.from} AS ${image.stages.runtime}`,
    `COPY --from=${image.stages.libs} /rootfs/ /`,
    ...(plan.skeleton.binaryLock
      ? [`COPY --from=skeleton ${plan.skeleton.binaryLock.dir}/${image.bin}/Cargo.lock ${plan.skeleton.binaryLock.image}`]
      : []),
    'WORKDIR /app',
    // Last: a change of the binary alone re-runs this one step of the image.
    `COPY --from=${BUILD_ALL.stage} /out/${image.bin} /app/${image.bin}`,
    `USER ${plan.user.uid}:${plan.user.uid}`,
  ];
  const env = Object.entries({ ...(image.port ? { PORT: String(image.port) } : {}), ...image.env }).sort(([a], [b]) => a.localeCompare(b));
  if (env.length > 0) lines.push(`ENV ${env.map(([k, v]) => `${k}=${dockerfileValue(v)}`).join(' ')}`);
  if (image.port) lines.push(`EXPOSE ${image.port}`);
  const hc = image.healthcheck;
  if (hc) {
    lines.push(
      `HEALTHCHECK --interval=${hc.interval} --timeout=${hc.timeout} --start-period=${hc.startPeriod} --retries=${hc.retries} CMD ${JSON.stringify(hc.command).replace(/","/g, '", "')}`,
    );
  }
  lines.push(`ENTRYPOINT ["/usr/bin/tini", "--", "/app/${image.bin}"]`);
  return lines.join('\n');
}

/**
 * What the images of one platform share (build-all, and through it toolchain, skeleton and deps) and each
 * selected image's own stages, so that one registry cache export per platform carries them all.
 */
function sharedCacheStage(plan: Plan): string {
  const shared = plan.sharedCache;
  if (!shared) return '';
  const early = shared.early
    ? [
        '',
        `# ---- ${shared.early.stage}: the build-platform stages, for the cache a cold build writes while the dependencies compile`,
        `FROM native AS ${shared.early.stage}`,
        ...(plan.toolchain.kind === 'debian' ? [`COPY --from=${RUST_STD.stage} /etc/group /crossbake/cache/${RUST_STD.stage}.group`] : []),
      ]
    : [];
  return [
    ...early,
    '',
    `# ---- ${shared.stage}: what the images of one platform share and each selected image's own stages, for one`,
    "# cache export per platform (no image). A slot names an image's runtime stage, or the empty one; each",
    "# COPY of a slot's /etc/group only makes the slot a dependency.",
    `FROM scratch AS ${shared.none}`,
    'COPY --from=runtime-files /base/group /etc/group',
    ...shared.slots.map((slot) => `FROM \${${slot.arg}} AS ${slot.stage}`),
    `FROM ${BUILD_ALL.stage} AS ${shared.stage}`,
    ...shared.slots.map((slot) => `COPY --from=${slot.stage} /etc/group /crossbake/cache/${slot.stage}.group`),
  ].join('\n');
}

/** The cache slots' global build args, each defaulting to its image's runtime stage. */
function sharedCacheArgs(plan: Plan): string {
  return (plan.sharedCache?.slots ?? []).map((slot) => `ARG ${slot.arg}=${slot.runtime}`).join('\n');
}

export function renderDockerfile(plan: Plan, source: string): string {
  const targetCases = PLATFORMS.map(
    (p) =>
      `${p.docker}) triple=${p.rustTarget}; linker=${p.linker}; linker_package=${p.gccPackage}; arch=${p.debianArch}; multiarch=${p.multiarch}; machine=${shellWord(p.readelfMachine)}; class=${p.readelfClass}`,
  );

  const archCases = plan.platforms.map((p) => `${p.docker}) arch=${p.debianArch}`);
  const selected = plan.platforms.map((p) => p.docker).join(', ');
  return fill(templates.dockerfile, {
    header: generatedHeader(source),
    runtimeImage: plan.baseImages.runtime,
    debianImage: plan.baseImages.debian,
    toolchainArg: [plan.toolchain.kind === 'rustup' ? `ARG RUST_IMAGE=${plan.toolchain.image}` : '', sharedCacheArgs(plan)]
      .filter(Boolean)
      .join('\n'),
    toolchainStage: toolchainStage(plan),
    skeletonStage: skeletonStage(plan),
    toolchainNote: toolchainNote(plan),
    stdNote:
      plan.toolchain.kind === 'debian'
        ? ",\n# and each foreign platform's Rust standard library package, which the rust-std stage unpacks (a step\n# that needs them, so BuildKit runs this stage at the start)"
        : '',
    aptCache: APT_CACHE,
    dpkgRecord: withNewline(templates.dpkgRecord),
    dpkgRecordEof: heredocDelimiter(withNewline(templates.dpkgRecord)),
    rustStdPackage: plan.toolchain.kind === 'debian' ? ' [ "$arch" = "$native" ] || echo "libstd-rust-dev:$arch";' : '',
    rustStdMove: plan.toolchain.kind === 'debian' ? templates.rustStdMove : '',
    skeletonNote:
      plan.skeleton.mode === 'crossbake'
        ? "\n# Computed inside the build from the build context, by crossbake's own code (the named context crossbake)."
        : '',
    targetCases: caseArms(targetCases),
    targetsEnv: plan.targetCache.env,
    linkerPrefix: cargoLinker(plan, ''),
    supportedPlatforms: SUPPORTED_PLATFORMS.join(', '),
    selectedPlatforms: selected,
    depsStage: depsStage(plan),
    buildStages: buildAllStage(plan),
    debianArches: plan.platforms.map((p) => p.debianArch).join(' '),
    archCases: caseArms(archCases),
    minimalStage: minimalStage(plan, caseArms(archCases)),
    userName: plan.user.name,
    uid: String(plan.user.uid),
    runtimeStages: [...plan.images.map((i) => `${runtimeLibsStage(plan, i)}\n${runtimeStage(plan, i)}`), sharedCacheStage(plan)].join('\n'),
    nativeStage: nativeStage(plan),
    nativeSource:
      plan.skeleton.mode === 'crossbake'
        ? "the -dev packages of Cargo.lock's -sys crates, which\n# the skeleton stage lists, and native.packages"
        : 'native.packages',
  }).replace(/\n{3,}/g, '\n\n');
}
