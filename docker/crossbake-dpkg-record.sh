#!/bin/sh
# Records a .deb unpacked into ROOT as dpkg records what it installs, for dpkg-query and image scanners:
# its files in ROOT/var/lib/dpkg/info/<package>.list (<package>:<arch> when Multi-Arch: same) and its
# control stanza, "install ok installed", appended to ROOT/var/lib/dpkg/status. The names come from the
# package's data tar as they are: `dpkg-deb -c` escapes non-ASCII bytes, and its columns split at spaces.
#   crossbake-dpkg-record DEB ROOT
set -eu
deb="$1" root="${2%/}"
name="$(dpkg-deb -f "$deb" Package)"
if [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ]; then name="$name:$(dpkg-deb -f "$deb" Architecture)"; fi
mkdir -p "$root/var/lib/dpkg/info"
dpkg-deb --fsys-tarfile "$deb" | tar -t --quoting-style=literal |
  sed -e 's|^\./|/|' -e 's|/$||' -e 's|^$|/.|' > "$root/var/lib/dpkg/info/$name.list"
status="$root/var/lib/dpkg/status"
if [ -s "$status" ]; then
  [ -z "$(tail -c 1 "$status")" ] || echo >> "$status"
  [ -z "$(tail -n 1 "$status")" ] || echo >> "$status"
fi
{ dpkg-deb -f "$deb" | awk 'NR == 1 { print; print "Status: install ok installed"; next } { print }'; echo; } >> "$status"
