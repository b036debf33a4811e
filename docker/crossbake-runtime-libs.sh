#!/bin/sh
# Reads a built binary's ELF on the build platform and names the Debian packages its runtime image needs.
#   crossbake-runtime-libs BINARY PLATFORM DEBIAN_ARCH MULTIARCH READELF_MACHINE ELF_CLASS BASE
# Checks, each failing with one "crossbake: ..." line: the ELF machine and class are the platform's (as
# xx-verify does), the binary's highest GLIBC_x.y is not above the runtime base's glibc, and every NEEDED
# library is provided by a package installed for DEBIAN_ARCH or by the base. Prints the packages that
# provide the NEEDED libraries and are not in the base, one "name:arch" a line. BASE is the runtime
# base's dpkg status file, or its /var/lib/dpkg directory (then its info/*.list files count as well).
# It runs for every binary of every platform on each build, in a step that shares the cores with the
# other platforms' steps: one readelf and a few awk calls, since each process start costs more than the work.
set -eu
bin="$1" platform="$2" arch="$3" multiarch="$4" machine="$5" class="$6" base="$7"
status="$base"
set --
if [ -d "$base" ]; then
  status="$base/status"
  set -- "$base"/info/*.list
  [ -e "$1" ] || set --
fi
[ -f "$status" ] || status=/dev/null
name="${bin##*/}"

# With CROSSBAKE_MEMO (a directory kept between builds): a binary whose bytes, arguments, base and this
# script are what an earlier run checked gets that run's answer without reading its ELF again: a build
# that compiled one binary of many checks that one.
if [ -n "${CROSSBAKE_MEMO:-}" ]; then
  key="$({ printf '%s\n' "$bin $platform $arch $multiarch $machine $class $base"; cat "$0" "$status" "$bin"; } | sha256sum)"
  memo="$CROSSBAKE_MEMO/$(printf '%s' "$platform $name" | tr -c 'A-Za-z0-9._-' '_')"
  if [ -f "$memo.out" ] && [ "$(cat "$memo.key" 2>/dev/null)" = "$key" ]; then
    cat "$memo.out"
    exit 0
  fi
  mkdir -p "$CROSSBAKE_MEMO"
  rm -f "$memo.key"
  CROSSBAKE_MEMO='' sh "$0" "$bin" "$platform" "$arch" "$multiarch" "$machine" "$class" "$base" > "$memo.out"
  echo "$key" > "$memo.key"
  cat "$memo.out"
  exit 0
fi
# Where Debian's dynamic loader finds a platform's libraries, in its order.
dirs="/usr/lib/$multiarch /lib/$multiarch /usr/lib /lib"

# One readelf: the header (machine, class, float ABI), the dynamic section (NEEDED) and the version
# sections (every GLIBC_x.y the binary asks for; the highest is checked against the base below).
elf="$(readelf -h -d -V --wide "$bin" | awk '
  /^ELF Header:/ || /^Dynamic section/ { versions = 0 }
  /^Version (needs|symbols|definition) section/ { versions = 1 }
  /^ *Machine:/ { sub(/^ *Machine: */, ""); print "machine " $0; next }
  /^ *Class:/ { print "class " $2; next }
  /^ *Flags:/ && /hard-float ABI/ { print "hard-float" }
  /\(NEEDED\)/ && match($0, /\[.*\]/) { print "needed " substr($0, RSTART + 1, RLENGTH - 2); next }
  versions {
    line = $0
    while (match(line, /GLIBC_[0-9][0-9.]*/)) {
      v = substr(line, RSTART + 6, RLENGTH - 6); line = substr(line, RSTART + RLENGTH)
      if (!(v in seen)) { seen[v]; print "glibc " v }
    }
  }')"

got_machine="" got_class="" hard_float="" glibcs="" needed=""
nl='
'
while IFS= read -r line; do
  case "$line" in
    "machine "*) got_machine="${line#machine }" ;;
    "class "*) got_class="${line#class }" ;;
    hard-float) hard_float=1 ;;
    "glibc "*) glibcs="$glibcs${line#glibc }$nl" ;;
    "needed "*) needed="$needed${line#needed }$nl" ;;
  esac
done <<EOF
$elf
EOF
# armhf is ARM with the hard-float ABI; a soft-float ARM binary would not run on it.
if [ "$arch" = armhf ] && [ "$got_machine" = ARM ] && [ -z "$hard_float" ]; then
  got_machine="ARM soft-float"
fi
if [ "$got_machine" != "$machine" ] || [ "$got_class" != "$class" ]; then
  echo "crossbake: $name for $platform is an ELF for $got_machine ($got_class), not $machine ($class); it was built for the wrong target or linked by the wrong linker" >&2
  exit 1
fi

# The base's dpkg status and the files it ships, read once: the base's glibc (libc6's upstream version
# for this architecture) against the binary's, and the NEEDED libraries the base does not ship, whose
# candidate paths dpkg -S then resolves in one call.
unshipped="$(CROSSBAKE_NEEDED="$needed" CROSSBAKE_GLIBCS="$glibcs" awk -v arch="$arch" -v dirs="$dirs" -v name="$name" -v platform="$platform" '
  BEGIN {
    n = split(ENVIRON["CROSSBAKE_NEEDED"], lib, "\n"); nd = split(dirs, dir, " ")
    for (i = 1; i <= n; i++) if (lib[i] != "") for (k = 1; k <= nd; k++) wanted[dir[k] "/" lib[i]]
  }
  FILENAME == status {
    if (/^Package: /) { p = $2; a = ""; v = "" } else if (/^Architecture: /) a = $2; else if (/^Version: /) v = $2
    if (/^$/ && p == "libc6" && a == arch && glibc == "") { sub(/-.*/, "", v); glibc = v }
    next
  }
  $0 in wanted { shipped[$0] = 1 }
  function newer(a, b,   x, y, i) {
    if (b == "") return 1
    split(a, x, "."); split(b, y, ".")
    for (i = 1; i <= 3; i++) if (x[i] + 0 != y[i] + 0) return x[i] + 0 > y[i] + 0
    return 0
  }
  END {
    if (p == "libc6" && a == arch && glibc == "") { sub(/-.*/, "", v); glibc = v }
    ng = split(ENVIRON["CROSSBAKE_GLIBCS"], g, "\n")
    for (i = 1; i <= ng; i++) if (g[i] != "" && newer(g[i], floor)) floor = g[i]
    if (floor != "" && glibc != "" && newer(floor, glibc)) {
      printf "crossbake: %s for %s needs glibc %s (GLIBC_%s) but the runtime base has glibc %s; build with a toolchain whose glibc is not newer than the runtime'"'"'s (the debian toolchain matches bookworm), or use a newer runtime base image\n", name, platform, floor, floor, glibc > "/dev/stderr"
      exit 3
    }
    for (i = 1; i <= n; i++) {
      if (lib[i] == "") continue
      for (k = 1; k <= nd && !((dir[k] "/" lib[i]) in shipped); k++) {}
      if (k > nd) print lib[i]
    }
  }' status="$status" "$status" "$@")" || exit 1
[ -n "$unshipped" ] || exit 0

# Each library is looked for in the order of the dynamic loader's Debian paths: the first path that an
# installed package of this architecture owns names its package. One dpkg -S for every path that exists.
set --
while IFS= read -r lib; do
  for dir in $dirs; do
    if [ -e "$dir/$lib" ]; then set -- "$@" "$dir/$lib"; fi
  done
done <<EOF
$unshipped
EOF
owners=""
if [ "$#" -gt 0 ]; then owners="$(dpkg -S "$@" 2>/dev/null || true)"; fi
native="$(dpkg --print-architecture)"
CROSSBAKE_OWNERS="$owners" CROSSBAKE_UNSHIPPED="$unshipped" \
  awk -v arch="$arch" -v native="$native" -v dirs="$dirs" -v name="$name" -v platform="$platform" '
  /^Package: / { p = $2 }
  /^Architecture: / && ($2 == arch || $2 == "all") { installed[p] = 1 }
  END {
    no = split(ENVIRON["CROSSBAKE_OWNERS"], line, "\n")
    for (i = 1; i <= no; i++) {
      if (line[i] ~ /^diversion by /) continue
      k = index(line[i], ": /"); if (!k) continue
      path = substr(line[i], k + 2); n = split(substr(line[i], 1, k - 1), who, ", ")
      for (j = 1; j <= n; j++) {
        if (who[j] ~ (":" arch "$")) { owner[path] = who[j]; sub(/:[^:]*$/, "", owner[path]); break }
        if (arch == native && who[j] !~ /:/ && !(path in fallback)) fallback[path] = who[j]
      }
    }
    nd = split(dirs, dir, " "); nl = split(ENVIRON["CROSSBAKE_UNSHIPPED"], lib, "\n")
    for (i = 1; i <= nl; i++) {
      l = lib[i]; pkg = ""
      if (l == "") continue
      for (k = 1; k <= nd && pkg == ""; k++) {
        path = dir[k] "/" l
        pkg = (path in owner) ? owner[path] : ((path in fallback) ? fallback[path] : "")
      }
      if (pkg == "") {
        printf "crossbake: %s for %s needs %s, which no installed %s package provides; add the Debian package that has it to native.packages.\"%s\" in [workspace.metadata.crossbake]\n", name, platform, l, arch, platform > "/dev/stderr"
        exit 1
      }
      if (!(pkg in installed) && !(pkg in printed)) { printed[pkg] = 1; out[++m] = pkg ":" arch }
    }
    for (i = 1; i <= m; i++) print out[i] | "sort -u"
  }' "$status"
