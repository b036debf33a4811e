#!/bin/bash
# Provision this machine (Debian 12, root) for crossbake's end-to-end tests, with no container
# registry on the internet: only Debian's package mirror is reachable.
#
# Idempotent: each phase checks what is already there and only does what is missing.
#   a. engine    dockerd 26 (trixie) with the containerd image store + buildx; skipped when an engine
#                that builds multi-platform images already answers
#   b. binfmt    qemu-user-static for aarch64 and arm, with the F flag
#   c. registry  Debian's docker-registry on 127.0.0.1:5000
#   d. debian    multi-platform debian:bookworm-slim (amd64, arm64, arm/v7) made with mmdebstrap
#   e. rust      rust:<X.Y>-bookworm (amd64) made from this machine's rustup stable toolchain, with
#                Debian's packaged crates standing in for crates.io
#   f. checks
#
# Environment:
#   CROSSBAKE_E2E_CACHE   rootfs tars and build contexts (default /var/cache/crossbake-e2e)
#   CROSSBAKE_E2E_CRATES  Debian crate packages for the rust image
#                         (default: librust-serde-dev librust-serde-json-dev librust-serde-derive-dev)
#   CROSSBAKE_E2E_FORCE=1 rebuild the rootfs tars and both images
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REG=127.0.0.1:5000
CACHE=${CROSSBAKE_E2E_CACHE:-/var/cache/crossbake-e2e}
CRATES=${CROSSBAKE_E2E_CRATES:-librust-serde-dev librust-serde-json-dev librust-serde-derive-dev}
FORCE=${CROSSBAKE_E2E_FORCE:-0}
MIRROR=http://deb.debian.org/debian
SECMIRROR=http://deb.debian.org/debian-security
ARCHES="amd64 arm64 armhf"
RUSTUP_SRC=${RUSTUP_HOME:-${HOME:-/root}/.rustup}
CARGO_SRC=${CARGO_HOME:-${HOME:-/root}/.cargo}
HOST_TRIPLE=x86_64-unknown-linux-gnu
KEY_LABEL=org.crossbake.e2e.key
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes

log() { printf '[setup %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# A daemon outlives this script and must not keep any descriptor its caller opened: `flock LOCK cmd`
# hands its lock to cmd as fd 3 or so, and a dockerd holding it blocks every later build under that lock.
detached() {
  (
    for fd in "/proc/$BASHPID/fd"/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    setsid nohup "$@" &
  )
}
run_phase() {
  local t0; t0=$(date +%s)
  "$2"
  log "$1: $(( $(date +%s) - t0 ))s"
}
T_START=$(date +%s)
[ "$(id -u)" = 0 ] || die "run as root"
mkdir -p "$CACHE"
# one set-up at a time (e.g. an e2e run and a CI run started together)
exec 9>"$CACHE/.lock"
flock 9
trap 'rm -rf "$CACHE"/debian-ctx.* "$CACHE"/rust-ctx.*' EXIT

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# apt-get install that refuses to upgrade libc6 (a pkg/trixie name can pull a newer libc in).
apt_install() {
  local sim
  sim=$(apt-get install -s --no-install-recommends "$@" 2>&1) || { printf '%s\n' "$sim" >&2; return 1; }
  if grep -q '^Inst libc6 ' <<<"$sim"; then
    grep '^Inst ' <<<"$sim" >&2
    die "refusing: installing $* would upgrade libc6"
  fi
  # 9>&-: a service that a package's postinst starts must not inherit this script's lock
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 9>&-
}

# ----------------------------------------------------------------------------- a. engine
multiplatform_probe() {
  local d rc=0
  d=$(mktemp -d)
  printf 'FROM scratch\nCOPY probe /probe\n' >"$d/Dockerfile"
  echo probe >"$d/probe"
  docker buildx build -q --provenance=false --platform linux/amd64,linux/arm64 \
    -t crossbake-e2e-probe:multi "$d" >/dev/null 2>&1 || rc=1
  docker image rm crossbake-e2e-probe:multi >/dev/null 2>&1 || true
  rm -rf "$d"
  return $rc
}

engine_ok() {
  docker info >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1 && multiplatform_probe
}

stop_dockerd() {
  local pid
  for pid in $(pgrep -x dockerd); do kill "$pid"; done
  for _ in $(seq 1 60); do pgrep -x dockerd >/dev/null || return 0; sleep 0.5; done
  die "dockerd did not stop"
}

start_dockerd() {
  # containerd image store: the default `docker` driver can then build and keep multi-platform
  # images. The mirror makes an unchanged `FROM debian:bookworm-slim` resolve from the local
  # registry whenever the image store does not have it.
  local want='{"features":{"containerd-snapshotter":true},"registry-mirrors":["http://127.0.0.1:5000"],"insecure-registries":["127.0.0.1:5000"]}'
  mkdir -p /etc/docker
  if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$want" ]; then
    [ -s /etc/docker/daemon.json ] && cp /etc/docker/daemon.json /etc/docker/daemon.json.bak
    echo "$want" >/etc/docker/daemon.json
  fi
  pgrep -x dockerd >/dev/null && stop_dockerd
  log "starting dockerd (log: /var/log/dockerd.log)"
  detached /usr/sbin/dockerd </dev/null >>/var/log/dockerd.log 2>&1
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 /var/log/dockerd.log >&2; die "dockerd does not answer"; }
}

phase_engine() {
  local missing=() p engine=1
  if engine_ok; then
    engine=0
    log "engine: already answers and builds multi-platform, not touching it"
  fi
  for p in qemu-user-static binfmt-support mmdebstrap arch-test docker-registry file curl xz-utils ca-certificates; do
    pkg_installed "$p" || missing+=("$p")
  done
  if [ $engine = 1 ]; then
    dpkg --compare-versions "$(dpkg-query -W -f='${Version}' docker.io 2>/dev/null || echo 0)" ge 26 || missing+=(docker.io/trixie)
    for p in docker-cli docker-buildx containerd; do pkg_installed "$p" || missing+=("$p/trixie"); done
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    case " ${missing[*]}" in *'/trixie'*) bash "$ROOT/scripts/install-buildx.sh" --apt-source-only;; esac
    # a running dockerd (e.g. bookworm's 20.10) must not keep running while its binary is replaced
    case " ${missing[*]}" in *' docker.io/trixie'*) pgrep -x dockerd >/dev/null && stop_dockerd;; esac
    log "installing ${missing[*]}"
    # the trixie engine packages go in together so apt sees their mutual version constraints
    if ! apt_install "${missing[@]}"; then
      apt-get update -qq || true
      apt_install "${missing[@]}" || die "apt cannot install ${missing[*]}"
    fi
  fi
  if [ $engine = 1 ]; then
    start_dockerd
    docker info --format '{{.DriverStatus}}' | grep -q io.containerd.snapshotter \
      || die "dockerd runs without the containerd snapshotter (see /var/log/dockerd.log)"
    multiplatform_probe || die "dockerd answers but cannot build a multi-platform image"
  fi
}

# ----------------------------------------------------------------------------- b. binfmt
phase_binfmt() {
  local f
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  for f in qemu-aarch64 qemu-arm; do
    head -1 /proc/sys/fs/binfmt_misc/$f 2>/dev/null | grep -qx enabled || update-binfmts --enable $f
    head -1 /proc/sys/fs/binfmt_misc/$f | grep -qx enabled || die "binfmt $f not enabled"
    # F (fix-binary): the kernel opens the interpreter at registration, so it works inside containers
    grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/$f || die "binfmt $f has no F flag"
  done
}

# ----------------------------------------------------------------------------- c. registry
registry_ok() { curl -fsS -o /dev/null --max-time 2 "http://$REG/v2/" 2>/dev/null; }

phase_registry() {
  if registry_ok; then log "registry: already answers"; return; fi
  mkdir -p /etc/docker/registry /var/lib/docker-registry
  cat >/etc/docker/registry/crossbake-e2e.yml <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: true
http:
  addr: $REG
EOF
  log "starting docker-registry on $REG (log: /var/log/docker-registry.log)"
  detached /usr/bin/docker-registry serve /etc/docker/registry/crossbake-e2e.yml </dev/null >>/var/log/docker-registry.log 2>&1
  for _ in $(seq 1 40); do registry_ok && return; sleep 0.25; done
  tail -20 /var/log/docker-registry.log >&2
  die "docker-registry does not answer on $REG"
}

# ----------------------------------------------------------------------------- shared by d and e
image_key() { docker image inspect --format "{{index .Config.Labels \"$KEY_LABEL\"}}" "$1" 2>/dev/null || true; }

registry_digest() { # repo tag
  curl -fsSI --max-time 10 \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REG/v2/$1/manifests/$2" 2>/dev/null | tr -d '\r' | awk 'tolower($1)=="docker-content-digest:"{print $2}'
}

# current: the store has the image with the wanted key and the registry serves the very same
# manifest (the store's image id is the digest of what `docker push` sends); unpushed: only the
# registry lacks it; stale: it must be built.
image_state() { # local-ref repo tag key
  if [ "$FORCE" = 1 ] || [ "$(image_key "$1")" != "$4" ]; then echo stale
  elif [ "$(registry_digest "$2" "$3")" != "$(docker image inspect --format '{{.Id}}' "$1")" ]; then echo unpushed
  else echo current
  fi
}

# Pushes one tag only: `-t a -t 127.0.0.1:5000/b --push` would push the docker.io name as well.
push_local() { # local-ref repo tag
  docker tag "$1" "$REG/$2:$3"
  docker push -q "$REG/$2:$3" >/dev/null
  docker image rm "$REG/$2:$3" >/dev/null
  [ "$(registry_digest "$2" "$3")" = "$(docker image inspect --format '{{.Id}}' "$1")" ] \
    || die "the registry's $2:$3 differs from the local $1 after push"
}

# ----------------------------------------------------------------------------- d. debian:bookworm-slim
# The mirror can serve a bookworm-security index that does not match its InRelease (seen for armhf:
# the by-hash file is missing and Packages.xz has another size), so `apt-get update` exits 100 on
# that arch and in any stage that adds it. Then bookworm-security is left out of every image, for
# all arches alike, so that Multi-Arch: same packages keep one version across arches.
security_index_ok() { # arch InRelease-text
  local file want url
  file=main/binary-$1/Packages.xz
  want=$(awk -v f="$file" '/^SHA256:/{s=1; next} /^[^ ]/{s=0} s && $3==f {print $1; exit}' <<<"$2")
  [ -n "$want" ] || return 1
  for url in "$SECMIRROR/dists/bookworm-security/main/binary-$1/by-hash/SHA256/$want" \
             "$SECMIRROR/dists/bookworm-security/$file"; do
    [ "$(curl -fsS --max-time 60 "$url" 2>/dev/null | sha256sum | cut -d' ' -f1)" = "$want" ] && return 0
  done
  return 1
}

apt_sources() {
  local a sec=1 rel
  # the mirror does not answer: keep the sources the cached tars were made from
  if ! rel=$(curl -fsS --max-time 30 "$SECMIRROR/dists/bookworm-security/InRelease") && [ -s "$CACHE/sources.list" ]; then
    log "cannot read bookworm-security's InRelease: keeping $CACHE/sources.list"
    cat "$CACHE/sources.list"
    return
  fi
  for a in $ARCHES; do
    security_index_ok "$a" "$rel" || { log "bookworm-security index for $a is broken on the mirror: leaving bookworm-security out"; sec=0; break; }
  done
  echo "deb $MIRROR bookworm main"
  echo "deb $MIRROR bookworm-updates main"
  [ $sec = 0 ] || echo "deb $SECMIRROR bookworm-security main"
}

mmdebstrap_arch() { # arch out sources-file
  local srcs
  mapfile -t srcs <"$3"
  # shellcheck disable=SC2016 # the hook's $1 (the chroot) is mmdebstrap's to expand
  mmdebstrap --variant=minbase --arch="$1" --mode=root --format=tar --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --aptopt='Acquire::Languages "none"' \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$2.tmp" "${srcs[@]}"
  mv "$2.tmp" "$2"
}

build_rootfs() {
  # The tars are valid only for the sources they were made from.
  if [ "$FORCE" = 1 ] || ! cmp -s "$CACHE/sources.list" "$CACHE/sources.list.new"; then
    rm -f "$CACHE"/rootfs-*.tar
  fi
  mv "$CACHE/sources.list.new" "$CACHE/sources.list"
  local a pids=() failed=0 t0
  t0=$(date +%s)
  # the arches build in parallel: the foreign ones spend their time single-threaded under qemu
  for a in $ARCHES; do
    [ -s "$CACHE/rootfs-$a.tar" ] && continue
    log "mmdebstrap $a (log: $CACHE/mmdebstrap-$a.log)"
    ( s=$(date +%s)
      mmdebstrap_arch "$a" "$CACHE/rootfs-$a.tar" "$CACHE/sources.list" >"$CACHE/mmdebstrap-$a.log" 2>&1
      log "rootfs $a: $(( $(date +%s) - s ))s, $(du -h "$CACHE/rootfs-$a.tar" | cut -f1)" ) &
    pids+=($!)
  done
  for a in "${pids[@]}"; do wait "$a" || failed=1; done
  [ $failed = 0 ] || die "mmdebstrap failed, see $CACHE/mmdebstrap-*.log"
  [ ${#pids[@]} = 0 ] || log "rootfs tars: $(( $(date +%s) - t0 ))s"
}

write_base_context() { # dir
  local a n
  for a in $ARCHES; do
    case $a in armhf) n=armv7;; *) n=$a;; esac
    ln -f "$CACHE/rootfs-$a.tar" "$1/rootfs-$n.tar" 2>/dev/null || cp "$CACHE/rootfs-$a.tar" "$1/rootfs-$n.tar"
  done
  cp "$CACHE/sources.list" "$1/sources.list"
  # the official slim images' apt settings: no .deb files or package caches left in layers
  cat >"$1/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$1/docker-autoremove-suggests"
  echo 'Acquire::GzipIndexes "true";' >"$1/docker-gzip-indexes"
  cat >"$1/Dockerfile" <<'EOF'
FROM scratch
ARG TARGETARCH TARGETVARIANT
ADD rootfs-${TARGETARCH}${TARGETVARIANT}.tar /
COPY sources.list /etc/apt/sources.list
COPY docker-clean docker-autoremove-suggests docker-gzip-indexes /etc/apt/apt.conf.d/
CMD ["bash"]
EOF
}

# What the image is made of: the sources, the recipe, and the rootfs tars (by size and mtime).
debian_key() {
  { cat "$CACHE/sources.list"; declare -f mmdebstrap_arch write_base_context
    stat -c '%n %s %Y' "$CACHE"/rootfs-{amd64,arm64,armhf}.tar 2>/dev/null || true; } | sha256sum | cut -c1-16
}

phase_debian() {
  apt_sources >"$CACHE/sources.list.new"
  if cmp -s "$CACHE/sources.list" "$CACHE/sources.list.new"; then
    case $(image_state debian:bookworm-slim library/debian bookworm-slim "$(debian_key)") in
      current) rm -f "$CACHE/sources.list.new"; log "debian:bookworm-slim: up to date"; return;;
      unpushed) rm -f "$CACHE/sources.list.new"; log "debian:bookworm-slim: pushing to $REG"
                push_local debian:bookworm-slim library/debian bookworm-slim; return;;
    esac
  fi
  build_rootfs
  local ctx
  ctx=$(mktemp -d "$CACHE/debian-ctx.XXXXXX")
  write_base_context "$ctx"
  log "building debian:bookworm-slim for linux/amd64,linux/arm64,linux/arm/v7"
  docker buildx build -q --provenance=false --platform linux/amd64,linux/arm64,linux/arm/v7 \
    --label "$KEY_LABEL=$(debian_key)" -t debian:bookworm-slim "$ctx" >/dev/null
  rm -rf "$ctx"
  push_local debian:bookworm-slim library/debian bookworm-slim
}

# ----------------------------------------------------------------------------- e. rust:<X.Y>-bookworm
RUST_TAG=

write_rust_context() { # dir toolchain-src version
  local ctx=$1 src=$2 ver=$3 name p tc
  name=$ver-$HOST_TRIPLE
  tc=$ctx/rustup/toolchains/$name
  mkdir -p "$tc" "$ctx/rustup/update-hashes" "$ctx/cargo/bin"
  # a real copy (not hard links): the copy is edited below and must not touch ~/.rustup
  tar -C "$src" --exclude=./share/doc -cf - . | tar -C "$tc" -xf -
  # share/doc held the rust-docs component: record it as removed, so rustup does not think it is installed
  rm -f "$tc/lib/rustlib/manifest-rust-docs-$HOST_TRIPLE"
  grep -vx "rust-docs-$HOST_TRIPLE" "$tc/lib/rustlib/components" >"$tc/lib/rustlib/components.new" || true
  mv "$tc/lib/rustlib/components.new" "$tc/lib/rustlib/components"
  awk 'BEGIN{RS=""; ORS="\n\n"} !/pkg = "rust-docs"/' "$tc/lib/rustlib/multirust-config.toml" >"$tc/lib/rustlib/multirust-config.toml.new"
  mv "$tc/lib/rustlib/multirust-config.toml.new" "$tc/lib/rustlib/multirust-config.toml"
  [ -f "$RUSTUP_SRC/update-hashes/stable-$HOST_TRIPLE" ] && cp "$RUSTUP_SRC/update-hashes/stable-$HOST_TRIPLE" "$ctx/rustup/update-hashes/$name"
  # named by version like the official image's toolchain, so a rust-toolchain.toml pinning
  # channel = "X.Y.Z" uses it without a download
  cat >"$ctx/rustup/settings.toml" <<EOF
$(grep '^version = ' "$RUSTUP_SRC/settings.toml" 2>/dev/null || echo 'version = "12"')
default_toolchain = "$name"
profile = "minimal"

[overrides]
EOF
  cp "$CARGO_SRC/bin/rustup" "$ctx/cargo/bin/rustup"
  for p in cargo cargo-clippy cargo-fmt cargo-miri clippy-driver rls rust-analyzer rust-gdb rust-gdbgui rust-lldb rustc rustdoc rustfmt; do
    ln -s rustup "$ctx/cargo/bin/$p"
  done
  # Debian's packaged crates stand in for crates.io, which this machine cannot reach
  cat >"$ctx/cargo/config.toml" <<'EOF'
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "/usr/share/cargo/registry"

[net]
offline = true
EOF
  chmod -R a+w "$ctx/rustup" "$ctx/cargo"
  # Debian records no crates.io checksum for some patched crates; the stand-in registry must answer
  # with crates.io's, which the example's Cargo.lock carries (the same fix crossbake's debian toolchain makes)
  cp "$ROOT/docker/debian-checksums.sh" "$ctx/debian-checksums.sh"
  cp "$ROOT/examples/workspace/Cargo.lock" "$ctx/crates.lock"
  cat >"$ctx/Dockerfile" <<EOF
FROM debian:bookworm-slim
ARG CRATES
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev pkg-config \$CRATES \\
 && rm -rf /var/lib/apt/lists/*
COPY debian-checksums.sh crates.lock /tmp/
RUN sh /tmp/debian-checksums.sh /tmp/crates.lock && rm /tmp/debian-checksums.sh /tmp/crates.lock
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:\$PATH RUST_VERSION=$ver
COPY rustup /usr/local/rustup
COPY cargo /usr/local/cargo
RUN rustup --version && cargo --version && rustc --version
EOF
}

verify_rust_image() { # tag
  log "verifying $1 offline (docker run --network none)"
  docker run --rm --network none "$1" sh -ec '
    rustup target add '"$HOST_TRIPLE"'
    cd /tmp && cargo new -q --vcs none demo && cd demo
    cat >>Cargo.toml <<EOF
serde = { version = "1", features = ["derive"] }
serde_json = "1"
EOF
    cat >src/main.rs <<EOF
#[derive(serde::Serialize, serde::Deserialize)]
struct P { x: i32 }
fn main() {
    let p: P = serde_json::from_str("{\"x\":7}").unwrap();
    println!("{}", serde_json::to_string(&p).unwrap());
}
EOF
    cargo build -q
    [ "$(./target/debug/demo)" = "{\"x\":7}" ]
  ' || die "$1 cannot add its host target or build a serde crate offline"
}

phase_rust() {
  local src=$RUSTUP_SRC/toolchains/stable-$HOST_TRIPLE ver key ctx
  [ -x "$src/bin/rustc" ] || die "no rustup stable toolchain at $src"
  [ -x "$CARGO_SRC/bin/rustup" ] || die "no rustup at $CARGO_SRC/bin/rustup"
  ver=$("$src/bin/rustc" --version | awk '{print $2}')
  RUST_TAG=${ver%.*}-bookworm
  # what the image is made of: toolchain version, crates, base image, recipe
  key=$( { echo "$ver $CRATES"; docker image inspect --format '{{.Id}}' debian:bookworm-slim
           declare -f write_rust_context; cat "$ROOT/docker/debian-checksums.sh" "$ROOT/examples/workspace/Cargo.lock"; } | sha256sum | cut -c1-16)
  case $(image_state "rust:$RUST_TAG" library/rust "$RUST_TAG" "$key") in
    current) log "rust:$RUST_TAG: up to date"; return;;
    unpushed) log "rust:$RUST_TAG: pushing to $REG"; push_local "rust:$RUST_TAG" library/rust "$RUST_TAG"; return;;
  esac
  ctx=$(mktemp -d "$CACHE/rust-ctx.XXXXXX")
  write_rust_context "$ctx" "$src" "$ver"
  log "building rust:$RUST_TAG from rustc $ver + $CRATES"
  docker buildx build -q --provenance=false --platform linux/amd64 --build-arg "CRATES=$CRATES" \
    --label "$KEY_LABEL=$key" -t "rust:$RUST_TAG" "$ctx" >/dev/null
  rm -rf "$ctx"
  verify_rust_image "rust:$RUST_TAG"
  log "pushing $REG/library/rust:$RUST_TAG"
  push_local "rust:$RUST_TAG" library/rust "$RUST_TAG"
}

# ----------------------------------------------------------------------------- f. checks
phase_checks() {
  local m
  m=$(docker run --rm --platform linux/arm64 debian:bookworm-slim uname -m)
  [ "$m" = aarch64 ] || die "linux/arm64 container says $m"
  m=$(docker run --rm --platform linux/arm/v7 debian:bookworm-slim uname -m)
  [ "$m" = armv7l ] || die "linux/arm/v7 container says $m"
  registry_ok || die "registry on $REG does not answer"
}

run_phase engine phase_engine
run_phase binfmt phase_binfmt
run_phase registry phase_registry
run_phase debian phase_debian
run_phase rust phase_rust
run_phase checks phase_checks
log "ready in $(( $(date +%s) - T_START ))s: docker $(docker version --format '{{.Server.Version}}'), $(docker buildx version | awk '{print $2}'), registry $REG"
echo "rust:$RUST_TAG"
