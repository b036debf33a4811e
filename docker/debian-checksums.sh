#!/bin/sh
# Debian patches some crates and records "Could not get crate checksum" for them, while a Cargo.lock
# resolved against crates.io carries crates.io's checksums: copy each lock checksum into the vendored
# crate, so --locked works. Only real (64-hex) checksums are copied: a lock resolved against Debian's
# registry already carries Debian's own "Could not get crate checksum", which must stay as it is.
set -eu
lock="${1:-Cargo.lock}"
registry="${CROSSBAKE_CARGO_REGISTRY:-/usr/share/cargo/registry}"
[ -f "$lock" ] || exit 0
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
