import type { ImagePlan, Plan } from '../plan.js';
import { PLATFORMS, SUPPORTED_PLATFORMS } from '../platforms.js';
import { fill, templates } from '../templates.js';
import { generatedHeader } from './header.js';

const EOF_MARK = 'CROSSBAKE_EOF';
const LINE = ' \\\n';

function heredocCopy(content: string, dest: string, extra = ''): string {
  const body = content.endsWith('\n') || content === '' ? content : `${content}\n`;
  return `COPY ${extra}<<'${EOF_MARK}' ${dest}\n${body}${EOF_MARK}`;
}

function shellCases(arms: readonly string[]): string {
  return arms.map((arm) => `      ${arm} ;;${LINE.trimEnd()}`).join('\n');
}

/** Cross packages (and, for Debian's Rust, the target's std) for every platform but the build host's. */
function foreignPackagesLoop(plan: Plan): string {
  const withStd = plan.toolchain.kind === 'debian';
  const arms = PLATFORMS.map((p) => {
    const std = withStd ? ` libstd-rust-dev:${p.debianArch}` : '';
    return `        ${p.debianArch}) packages="$packages ${p.gccPackage} ${p.libcDevPackage}${std}" ;;`;
  });
  return [
    `    for arch in ${PLATFORMS.map((p) => p.debianArch).join(' ')}; do${LINE}`,
    `      [ "$arch" = "$native" ] && continue;${LINE}`,
    withStd ? `      dpkg --add-architecture "$arch";${LINE}` : '',
    `      case "$arch" in${LINE}`,
    arms.map((a) => `${a}${LINE}`).join(''),
    `      esac;${LINE}`,
    `    done;${LINE}`,
  ].join('');
}

function toolchainStage(plan: Plan): string {
  const wrapper = heredocCopy(templates.cargoWrapper, '/usr/local/bin/crossbake-cargo', '--chmod=755 ');
  const env = 'ENV CARGO_NET_RETRY=5 CARGO_TERM_COLOR=never';
  if (plan.toolchain.kind === 'rustup') {
    return [
      'FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS toolchain',
      env,
      `RUN set -eu;${LINE}    native="$(dpkg --print-architecture)";${LINE}    packages="";${LINE}` +
        foreignPackagesLoop(plan) +
        `    if [ -n "$packages" ]; then${LINE}` +
        `      apt-get update;${LINE}` +
        `      apt-get install -y --no-install-recommends $packages;${LINE}` +
        `      rm -rf /var/lib/apt/lists/*;${LINE}` +
        `    fi`,
      wrapper,
    ].join('\n');
  }
  const extra = plan.toolchain.packages.length > 0 ? `${LINE}      ${plan.toolchain.packages.join(' ')}` : '';
  return [
    'FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS toolchain',
    `${env} CARGO_HOME=/usr/local/cargo`,
    `RUN set -eu;${LINE}    native="$(dpkg --print-architecture)";${LINE}    packages="rustc cargo gcc libc6-dev";${LINE}` +
      foreignPackagesLoop(plan) +
      `    apt-get update;${LINE}` +
      `    apt-get install -y --no-install-recommends $packages${extra};${LINE}` +
      `    rm -rf /var/lib/apt/lists/*`,
    "# Debian's packaged crates stand in for crates.io: nothing is downloaded outside Debian's mirror.",
    heredocCopy(
      '[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n\n[net]\noffline = true\n',
      '/usr/local/cargo/config.toml',
    ),
    heredocCopy(templates.debianChecksums, '/usr/local/bin/crossbake-debian-checksums', '--chmod=755 '),
    wrapper,
  ].join('\n');
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
  return ['FROM scratch AS skeleton', ...plan.skeleton.files.map((f) => heredocCopy(f.content, `/${f.path}`))].join('\n');
}

function cargoBuild(plan: Plan, extra: string): string {
  const locked = plan.locked ? ' --locked' : '';
  return `crossbake-cargo build --profile ${plan.profile}${locked} --target "$RUST_TARGET" --workspace${extra}`;
}

function featureFlags(features: readonly string[]): string {
  return features.length > 0 ? ` --features ${features.join(',')}` : '';
}

function depsStage(plan: Plan): string {
  const features = featureFlags(
    [...new Set(plan.images.flatMap((i) => i.features.map((f) => (f.includes('/') ? f : `${i.package}/${f}`))))].sort(),
  );
  if (plan.skeleton.mode === 'cargo-chef') {
    return [
      'FROM target AS deps',
      'WORKDIR /build',
      'COPY --from=skeleton /recipe.json /recipe.json',
      `RUN . /crossbake/target.env &&${LINE}    cargo chef cook --profile ${plan.profile} --target "$RUST_TARGET" --workspace${features} --recipe-path /recipe.json`,
    ].join('\n');
  }
  const checksums = plan.toolchain.kind === 'debian' ? `crossbake-debian-checksums Cargo.lock &&${LINE}    ` : '';
  return [
    'FROM target AS deps',
    'WORKDIR /build',
    'COPY --from=skeleton / ./',
    `RUN . /crossbake/target.env &&${LINE}    ${checksums}${cargoBuild(plan, features)}`,
  ].join('\n');
}

function binFeatures(image: ImagePlan): string[] {
  return [...image.requiredFeatures, ...image.features].map((f) => (f.includes('/') ? f : `${image.package}/${f}`));
}

function buildStage(plan: Plan, image: ImagePlan): string {
  const out = `target/$RUST_TARGET/${plan.profileDir}/${image.bin}`;
  return [
    '',
    `# ---- ${image.buildStage}: package ${image.package}`,
    `FROM deps AS ${image.buildStage}`,
    'COPY . .',
    // Context files keep their old mtimes; touching them makes cargo rebuild over the skeleton's stubs.
    `RUN . /crossbake/target.env &&${LINE}` +
      `    find . -path ./target -prune -o -name '*.rs' -type f -exec touch {} + &&${LINE}` +
      `    ${cargoBuild(plan, ` --bin ${image.bin}${featureFlags(binFeatures(image))}`)} &&${LINE}` +
      `    install -D -m 0755 "${out}" /out/${image.bin}`,
  ].join('\n');
}

function runtimeStage(plan: Plan, image: ImagePlan): string {
  const lines = [
    '',
    `FROM runtime-base AS ${image.runtimeStage}`,
    'COPY --from=runtime-files /rootfs/ /',
    `COPY --from=${image.buildStage} /out/${image.bin} /app/${image.bin}`,
    'WORKDIR /app',
    `USER ${plan.user.uid}:${plan.user.uid}`,
  ];
  const env = Object.entries({ ...(image.port ? { PORT: String(image.port) } : {}), ...image.env }).sort(([a], [b]) => a.localeCompare(b));
  if (env.length > 0) lines.push(`ENV ${env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
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

export function renderDockerfile(plan: Plan, source: string): string {
  const targetCases = PLATFORMS.map((p) => `${p.docker}) triple=${p.rustTarget}; linker=${p.linker}; linker_package=${p.gccPackage}`);
  const archCases = PLATFORMS.map((p) => `${p.docker}) arch=${p.debianArch}`);
  return fill(templates.dockerfile, {
    header: generatedHeader(source),
    baseImage: plan.baseImage,
    toolchainArg: plan.toolchain.kind === 'rustup' ? `ARG RUST_IMAGE=${plan.toolchain.image}` : '',
    toolchainStage: toolchainStage(plan),
    skeletonStage: skeletonStage(plan),
    targetCases: shellCases(targetCases),
    supportedPlatforms: SUPPORTED_PLATFORMS.join(', '),
    rustupTargetAdd: plan.toolchain.kind === 'rustup' ? `;${LINE}    rustup target add "$triple"` : '',
    depsStage: depsStage(plan),
    buildStages: plan.images.map((i) => buildStage(plan, i)).join('\n'),
    debianArches: PLATFORMS.map((p) => p.debianArch).join(' '),
    archCases: shellCases(archCases),
    userName: plan.user.name,
    uid: String(plan.user.uid),
    runtimeStages: plan.images.map((i) => runtimeStage(plan, i)).join('\n'),
  }).replace(/\n{3,}/g, '\n\n');
}
