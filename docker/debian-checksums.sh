#!/bin/sh
# Debian patches some crates and records "Could not get crate checksum" for them, while a Cargo.lock
# resolved against crates.io carries crates.io's checksums: copy each lock checksum into the vendored
# crate, so --locked works. Only real (64-hex) checksums are copied: a lock resolved against Debian's
# registry already carries Debian's own "Could not get crate checksum", which must stay as it is.
set -eu
lock="${1:-Cargo.lock}"
registry="${CROSSBAKE_CARGO_REGISTRY:-/usr/share/cargo/registry}"
[ -f "$lock" ] || exit 0
# Every registry crate of the lock, at its locked version, must be one Debian packaged: name each one
# that is not, with the version Debian has, before cargo's own "failed to select a version".
missing="$(awk '/^\[\[package\]\]/ { n = ""; v = "" }
     /^name = /    { n = $3; gsub(/"/, "", n) }
     /^version = / { v = $3; gsub(/"/, "", v) }
     /^source = "registry\+/ { print n, v }' "$lock" |
while read -r crate version; do
  if [ -d "$registry/$crate-$version" ] || [ -d "$registry/$crate-${version%%+*}" ]; then continue; fi
  have="$(cd "$registry" && for d in "$crate"-[0-9]*; do if [ -d "$d" ]; then printf '%s ' "${d#"$crate"-}"; fi; done)"
  have="${have% }"
  printf '%s %s (Debian: %s), ' "$crate" "$version" "${have:-none}"
done)"
if [ -n "$missing" ]; then
  echo "crossbake: Cargo.lock locks crate versions Debian's crate registry does not carry: ${missing%, }; resolve Cargo.lock against Debian's crates (cargo update -p <crate> --precise <Debian's version>, in a container of the runtime's Debian release with its cargo and librust-*-dev packages), or build with toolchain = \"rustup\"" >&2
  exit 1
fi
awk '/^\[\[package\]\]/ { n = ""; v = "" }
     /^name = /     { n = $3; gsub(/"/, "", n) }
     /^version = /  { v = $3; gsub(/"/, "", v) }
     /^checksum = / { c = $0; sub(/^checksum = "/, "", c); sub(/"[[:space:]]*$/, "", c);
                      if (c ~ /^[0-9a-f]+$/ && length(c) == 64) print n "-" v " " c }' "$lock" |
while read -r crate sum; do
  file="$registry/$crate/.cargo-checksum.json"
  if [ -f "$file" ] && ! grep -Eq '"package":"[0-9a-f]{64}"' "$file"; then
    sed -i -E "s/\"package\":(\"[^\"]*\"|null)/\"package\":\"$sum\"/" "$file"
  fi
done
