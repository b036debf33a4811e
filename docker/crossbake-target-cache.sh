#!/bin/sh
# cargo's target directory kept between builds on one machine, in a BuildKit cache mount at ./target
# (run from the workspace root, /build). Correct first, fast second: whatever the mount holds, cargo
# must see exactly what a build from scratch would.
#
#   deps MODE        before the deps stage's cargo call: empties the mount when the toolchain changed
#   save DIR         after it: copies the mount into the layer at DIR, stamped with a new id
#   build SEED MODE  before build-all's cargo call: seeds the mount from the deps layer's copy SEED, or
#                    merges a new copy into it; of the copy's target triples ($CROSSBAKE_TRIPLES when it
#                    was saved) only this platform's ($RUST_TARGET) comes along
#   inputs BIN DEPFILE  after it: prints the context files cargo's dep-info DEPFILE lists for BIN (its
#                    sources, include_str! files, build scripts' rerun-if-changed paths), for crossbake bake
#                    --push to leave out the images whose files did not change (src/buildx/image-inputs.ts)
#
# MODE 0 (crossbake verify, bake --no-cache) empties the mount first: a build from scratch.
#
# Freshness is by content, not by the build context's mtimes: the mount keeps a manifest of every
# source file (all files outside target/: sources, build.rs, manifests, included files) with its sha256
# and the mtime cargo last saw. A file whose hash is unchanged gets that mtime back, so cargo finds its
# crate fresh; a changed or new file gets the current time, so cargo recompiles its crate and dependents.
# A crate not compiled since its file changed (another CROSSBAKE_BINS) still sees the newer mtime.
set -eu
target=target
manifest="$target/.crossbake-sources"

# The crate packages (name version lines) in $2 that $1 has at another version: rebuilt by Debian.
rebuilt() {
  [ -f "$1" ] || return 0
  awk 'FILENAME == ARGV[1] { v[$1] = $2; next } ($1 in v) && v[$1] != $2' "$1" "$2"
}

empty() {
  find -H "$target" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
}

# Copies the deps copy $1 into the mount, over it or (merge) beside what it has, but no other platform's
# triple directory.
seed() {
  find "$1" -mindepth 1 -maxdepth 1 -print | while IFS= read -r entry; do
    name="${entry##*/}"
    if [ "$name" != "${RUST_TARGET:-}" ] && grep -qxF -- "$name" "$1/.crossbake-triples" 2>/dev/null; then continue; fi
    if [ "$2" = merge ]; then cp -a -n "$entry" "$target/"; else cp -a "$entry" "$target/"; fi
  done
}

# Every file outside target/ gets its mtime from the manifest (same hash) or now (changed or new).
fresh() {
  now="$(date +%s.%N)"
  work="$(mktemp -d)"
  nl='
'
  # sha256sum escapes a name with a newline or a backslash: such files are always taken as changed.
  find . -path ./target -prune -o -type f \( -name "*$nl*" -o -name '*\\*' \) -exec touch -c -m -d "@$now" {} +
  find . -path ./target -prune -o -type f ! -name "*$nl*" ! -name '*\\*' -print0 | xargs -0r sha256sum > "$work/sums"
  [ -f "$manifest" ] || : > "$manifest"
  # manifest lines: sha256 mtime path; sha256sum lines: sha256, two spaces, path.
  awk -v now="$now" -v dir="$work" '
    FILENAME == ARGV[1] { t = $2; seen[substr($0, length($1) + length(t) + 3)] = $1 " " t; next }
    { p = substr($0, 67); split(seen[p], o, " "); t = (o[1] == $1) ? o[2] : now; print $1 " " t " " p; print p > (dir "/at." t) }
  ' "$manifest" "$work/sums" > "$work/manifest"
  for list in "$work"/at.*; do
    [ -e "$list" ] || continue
    xargs -d '\n' -r touch -c -m -d "@${list##*/at.}" < "$list"
  done
  mv "$work/manifest" "$manifest"
  rm -rf "$work"
}

case "${1:-}" in
  deps)
    # Registry crates are fingerprinted by version: a new compiler, C library or target setting, or a
    # Debian crate package rebuilt at the same crate version, must not find the old artifacts. A crate
    # package added or removed (a lock change) keeps them: cargo compiles the new crate.
    base="$({ rustc -vV; cargo -V; cat /crossbake/targets.env; cat "${CARGO_HOME:-/usr/local/cargo}/config.toml" 2>/dev/null || true; awk 'BEGIN { RS = "" } !/^Package: librust-/' /var/lib/dpkg/status; } | sha256sum)"
    crates="$(dpkg-query -W -f '${Package} ${Version}\n' 'librust-*' 2>/dev/null | sort)"
    printf '%s\n' "$crates" > "$target/.crossbake-crates.new"
    changed="$(rebuilt "$target/.crossbake-crates" "$target/.crossbake-crates.new")"
    if [ "$2" != 1 ] || [ "$(cat "$target/.crossbake-toolchain" 2>/dev/null || true)" != "$base" ] || [ -n "$changed" ]; then
      empty
      echo "$base" > "$target/.crossbake-toolchain"
    fi
    printf '%s\n' "$crates" > "$target/.crossbake-crates"
    rm -f "$target/.crossbake-crates.new"
    fresh
    ;;
  save)
    rm -rf "$2"
    mkdir -p "$2"
    cp -a "$target/." "$2/"
    # The workspace's own crates were compiled from the skeleton's stubs: without their fingerprints, cargo
    # compiles them again wherever this copy goes, and the copy can be merged into a kept build-all mount.
    # `cargo metadata --no-deps` lists only the workspace's packages, each object starting with name, version.
    names="$(cargo metadata --no-deps --format-version 1 --offline 2>/dev/null | grep -o '"name":"[^"]*","version":"' | cut -d'"' -f4 | sort -u || true)"
    if [ -n "$names" ]; then
      for name in $names; do
        find "$2" -path "*/.fingerprint/$name-*" -prune -exec rm -rf {} +
      done
      : > "$2/.crossbake-merge"
    fi
    echo "${CROSSBAKE_TRIPLES:-}" | tr ' ' '\n' > "$2/.crossbake-triples"
    cat /proc/sys/kernel/random/uuid > "$2/.crossbake-deps"
    ;;
  build)
    # A new deps copy (a lock change) with the same toolchain and crate packages is merged into the mount:
    # cargo finds the new dependencies beside the workspace crates it compiled before. Anything else, or a
    # copy that could not drop its stubs' fingerprints, starts the mount again from the copy.
    [ -f "$2/.crossbake-deps" ]
    if [ "$3" = 1 ] && cmp -s "$2/.crossbake-deps" "$target/.crossbake-seeded"; then
      :
    elif [ "$3" = 1 ] && [ -f "$2/.crossbake-merge" ] && [ -f "$target/.crossbake-seeded" ] &&
      cmp -s "$2/.crossbake-toolchain" "$target/.crossbake-toolchain" && [ -z "$(rebuilt "$target/.crossbake-crates" "$2/.crossbake-crates")" ]; then
      seed "$2" merge
      cp "$2/.crossbake-crates" "$target/.crossbake-crates"
      cp "$2/.crossbake-deps" "$target/.crossbake-seeded"
    else
      empty
      seed "$2" over
      cp "$2/.crossbake-deps" "$target/.crossbake-seeded"
    fi
    fresh
    ;;
  inputs)
    # One line: marker, platform, binary, count, then the workspace-relative paths, one per line, gzip and
    # base64 (a log line each way: BuildKit clips a step's log past a few hundred KiB). cargo writes
    # `target: dep dep...` on one line with a space in a path as `\ `; paths outside the context (the
    # toolchain's) or under target/ (generated) are no file of the context.
    [ -f "$3" ] || exit 0
    # The line of an earlier build whose dep-info was the same (kept in the mount: one check for a binary
    # cargo did not link again).
    key="$({ printf '%s\n' "${CROSSBAKE_PLATFORM:-} $2 $(pwd)"; cat "$0" "$3"; } | sha256sum)"
    memo="$target/.crossbake-inputs/$(printf '%s' "${CROSSBAKE_PLATFORM:-} $2" | tr -c 'A-Za-z0-9._-' '_')"
    if [ -f "$memo.line" ] && [ "$(cat "$memo.key" 2>/dev/null)" = "$key" ]; then
      cat "$memo.line"
      exit 0
    fi
    mkdir -p "$target/.crossbake-inputs"
    list="$(head -n 1 "$3" | sed -e 's/^[^ ]*: *//' -e 's/\\ /\x01/g' | tr ' ' '\n' | tr '\001' ' ' |
      awk -v root="$(pwd)/" 'index($0, root) == 1 { p = substr($0, length(root) + 1); if (p != "target" && index(p, "target/") != 1) print p }' | LC_ALL=C sort -u)"
    count="$(printf '%s' "$list" | grep -c '' || true)"
    echo "crossbake-inputs ${CROSSBAKE_PLATFORM:-} $2 $count $(printf '%s' "$list" | gzip -n | base64 -w 0)" > "$memo.line"
    echo "$key" > "$memo.key"
    cat "$memo.line"
    ;;
  *)
    echo "crossbake-target-cache: usage: deps MODE | save DIR | build SEED MODE | inputs BIN DEPFILE" >&2
    exit 2
    ;;
esac
