#!/bin/bash
# Make `docker buildx version` work: a docker client plus the buildx plugin, no daemon.
# Unit tests only need `docker buildx bake --print`, which never talks to a daemon.
# Also installs shellcheck (Debian 12's own package), which `npm test` runs on every shell script
# crossbake ships, and tmux, in which the e2e suite runs crossbake's live view.
#
# Debian 12 has no docker-buildx package, so this takes docker-buildx (and docker-cli when
# there is no docker client at all) from Debian 13 "trixie", through an apt source pinned at
# priority 100: nothing else is ever upgraded from trixie unless named as pkg/trixie.
#
# Usage: scripts/install-buildx.sh                   ensure buildx (idempotent, quick when present)
#        scripts/install-buildx.sh --apt-source-only only add the pinned trixie source (used by
#                                                    test/e2e/setup.sh) and refresh apt's lists
set -euo pipefail

SOURCE_FILE=/etc/apt/sources.list.d/crossbake-trixie.sources
PIN_FILE=/etc/apt/preferences.d/crossbake-trixie
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
start=$(date +%s)
log() { printf '[install-buildx %(%T)T] %s\n' -1 "$*" >&2; }

buildx_ok() { docker buildx version >/dev/null 2>&1; }

ensure_trixie_source() {
  local changed=0
  if [ ! -f "$SOURCE_FILE" ]; then
    cat >"$SOURCE_FILE" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    changed=1
  fi
  if [ ! -f "$PIN_FILE" ]; then
    cat >"$PIN_FILE" <<'EOF'
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
    changed=1
  fi
  # Refresh lists when the source is new or apt has never read trixie's index.
  if [ $changed = 1 ] || ! apt-cache policy docker-buildx 2>/dev/null | grep -q ' trixie/main '; then
    log "apt-get update (trixie source pinned at 100)"
    apt-get update -qq || log "apt-get update reported errors; trying to go on"
  fi
}

# Installs the given pkg/trixie names, refusing anything that would upgrade libc6.
apt_install_from_trixie() {
  local sim
  if ! sim=$(apt-get install -s --no-install-recommends "$@" 2>&1); then
    printf '%s\n' "$sim" >&2
    log "apt cannot install: $*"
    return 1
  fi
  if grep -q '^Inst libc6 ' <<<"$sim"; then
    grep '^Inst ' <<<"$sim" >&2
    log "refusing: installing $* would upgrade libc6"
    return 1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ "${1:-}" = --apt-source-only ]; then
  ensure_trixie_source
  exit 0
fi

ensure_shellcheck() {
  command -v shellcheck >/dev/null && return 0
  [ "$(id -u)" = 0 ] || { log "not root and shellcheck missing: run as root (apt-get)"; return 1; }
  log "installing shellcheck"
  # bookworm's, not trixie's: the pin keeps trixie at 100, so a plain name takes the stable one.
  apt-get install -y -qq --no-install-recommends shellcheck >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; }
}

ensure_shellcheck
log "shellcheck: $(shellcheck --version | sed -n 's/^version: //p')"

# tmux: the e2e suite drives crossbake's live view in a real pseudo-terminal (test/e2e/terminal.test.ts).
ensure_tmux() {
  command -v tmux >/dev/null && return 0
  [ "$(id -u)" = 0 ] || { log "not root and tmux missing: run as root (apt-get)"; return 1; }
  log "installing tmux"
  apt-get install -y -qq --no-install-recommends tmux >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends tmux >/dev/null; }
}

ensure_tmux
log "tmux: $(tmux -V)"

if buildx_ok; then
  log "already there: $(docker buildx version) ($(( $(date +%s) - start ))s)"
  exit 0
fi

[ "$(id -u)" = 0 ] || { log "not root and buildx missing: run as root (apt-get)"; exit 1; }
ensure_trixie_source
pkgs=(docker-buildx/trixie)
command -v docker >/dev/null || pkgs+=(docker-cli/trixie)
log "installing ${pkgs[*]}"
apt_install_from_trixie "${pkgs[@]}"

buildx_ok || { log "docker buildx still does not answer"; docker buildx version; exit 1; }
log "ready in $(( $(date +%s) - start ))s: $(docker --version); $(docker buildx version)"
