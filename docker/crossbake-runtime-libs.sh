#!/bin/sh
# Reads a built binary's ELF on the build platform and names the Debian packages its runtime image needs.
#   crossbake-runtime-libs BINARY PLATFORM DEBIAN_ARCH MULTIARCH READELF_MACHINE ELF_CLASS BASE
# Checks, each failing with one "crossbake: ..." line: the ELF machine and class are the platform's (as
# xx-verify does), the binary's highest GLIBC_x.y is not above the runtime base's glibc, and every NEEDED
# library is provided by a package installed for DEBIAN_ARCH or by the base. Prints the packages that
# provide the NEEDED libraries and are not in the base, one "name:arch" a line. BASE is the runtime
# base's dpkg status file, or its /var/lib/dpkg directory (then its info/*.list files count as well).
set -eu
bin="$1" platform="$2" arch="$3" multiarch="$4" machine="$5" class="$6" base="$7"
status="$base" lists=""
if [ -d "$base" ]; then status="$base/status" lists="$base/info"; fi
name="$(basename "$bin")"

got_machine="$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')"
got_class="$(readelf -h "$bin" | sed -n 's/^ *Class: *//p')"
# armhf is ARM with the hard-float ABI; a soft-float ARM binary would not run on it.
if [ "$arch" = armhf ] && [ "$got_machine" = ARM ] && ! readelf -h "$bin" | grep -q 'hard-float ABI'; then
  got_machine="ARM soft-float"
fi
if [ "$got_machine" != "$machine" ] || [ "$got_class" != "$class" ]; then
  echo "crossbake: $name for $platform is an ELF for $got_machine ($got_class), not $machine ($class); it was built for the wrong target or linked by the wrong linker" >&2
  exit 1
fi

# The base's glibc: libc6's upstream version for this architecture, from its dpkg status.
base_glibc="$(awk -v arch="$arch" '
  /^Package: / { p = $2; a = ""; v = "" } /^Architecture: / { a = $2 } /^Version: / { v = $2 }
  /^$/ { if (p == "libc6" && a == arch) { sub(/-.*/, "", v); print v; exit } }
  END { if (p == "libc6" && a == arch) { sub(/-.*/, "", v); print v } }' "$status" | head -n 1)"
floor="$(readelf -V --wide "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)"
if [ -n "$floor" ] && [ -n "$base_glibc" ]; then
  higher="$(printf '%s\n%s\n' "$floor" "$base_glibc" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)"
  if [ "$higher" != "$base_glibc" ]; then
    echo "crossbake: $name for $platform needs glibc $floor (GLIBC_$floor) but the runtime base has glibc $base_glibc; build with a toolchain whose glibc is not newer than the runtime's (the debian toolchain matches bookworm), or use a newer runtime base image" >&2
    exit 1
  fi
fi

needed="$(mktemp)" found="$(mktemp)" shipped="$(mktemp)"
trap 'rm -f "$needed" "$found" "$shipped"' EXIT
readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' > "$needed"
# The files the base ships, read once: a library among them needs no package, and no dpkg -S (which
# reads the build stage's whole file database, about a second under load, for each library).
if [ -n "$lists" ]; then cat "$lists"/*.list 2>/dev/null > "$shipped" || true; fi
while read -r lib; do
  if [ -s "$shipped" ] && grep -Fxq -e "/lib/$multiarch/$lib" -e "/usr/lib/$multiarch/$lib" -e "/lib/$lib" -e "/usr/lib/$lib" "$shipped"; then
    continue
  fi
  pkg=""
  for dir in "/usr/lib/$multiarch" "/lib/$multiarch" /usr/lib /lib; do
    [ -e "$dir/$lib" ] || continue
    owners="$(dpkg -S "$dir/$lib" 2>/dev/null || true)"
    pkg="$(echo "$owners" | sed -n "s/^\([^:, ]*\):$arch: .*/\1/p" | head -n 1)"
    # dpkg leaves the architecture off for native packages that are not Multi-Arch: same.
    if [ -z "$pkg" ] && [ "$arch" = "$(dpkg --print-architecture)" ]; then
      pkg="$(echo "$owners" | sed -n 's/^\([^:, ]*\): .*/\1/p' | head -n 1)"
    fi
    [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    echo "crossbake: $name for $platform needs $lib, which no installed $arch package provides; add the Debian package that has it to native.packages.\"$platform\" in [workspace.metadata.crossbake]" >&2
    exit 1
  fi
  if ! awk -v p="$pkg" -v arch="$arch" '
       /^Package: / { n = $2; a = "" } /^Architecture: / { a = $2 }
       n == p && (a == arch || a == "all") { found = 1 }
       END { exit found ? 0 : 1 }' "$status"; then
    echo "$pkg:$arch" >> "$found"
  fi
done < "$needed"
sort -u "$found"
