#!/bin/sh
# Adds the Debian packages a binary needs at run time to a runtime root, on the build platform (nothing
# runs under emulation): LIST holds "name:arch" lines (crossbake-runtime-libs); apt, told that arch is
# its own and the runtime base's dpkg status is the installed set, resolves their dependencies against
# the base, so it fetches only what the base lacks. Each
# package is unpacked into ROOTFS and recorded in its dpkg status and info lists, for image scanners, by
# crossbake-dpkg-record (the runtime-packages stage's, which every stage that runs this builds on);
# ROOTFS/usr/share/crossbake/runtime-packages names them ("name:arch version"), for crossbake's report.
# In a merged-/usr ROOTFS (its /lib a symlink), what a package puts under /bin, /sbin or /lib* goes under
# /usr, as Debian's usrmerge does: unpacking over the symlink would replace it with a directory.
#   crossbake-runtime-install LIST BASE_STATUS ROOTFS
set -eu
list="$1" base="$2" root="$3"
[ -s "$list" ] || exit 0
arch="$(sed -n '1s/.*://p' "$list")"
debs="$(mktemp -d)"
mkdir -p "$debs/partial" "$root/var/lib/dpkg/info" "$root/usr/share/crossbake"
apt-get update -qq
# shellcheck disable=SC2046 # one package a word
apt-get install -qq -y --download-only --no-install-recommends \
  -o APT::Architecture="$arch" -o APT::Architectures::="$arch" -o APT::Sandbox::User=root \
  -o Dir::State::status="$base" -o Dir::Cache::archives="$debs" \
  $(cat "$list")
added="$(mktemp)"
for deb in "$debs"/*.deb; do
  [ -e "$deb" ] || continue
  pkg="$(dpkg-deb -f "$deb" Package)" pkg_arch="$(dpkg-deb -f "$deb" Architecture)"
  if [ -L "$root/lib" ]; then
    unpacked="$(mktemp -d)"
    dpkg-deb -x "$deb" "$unpacked"
    for dir in bin sbin lib lib32 lib64 libx32; do
      if [ -d "$unpacked/$dir" ] && [ ! -L "$unpacked/$dir" ]; then
        mkdir -p "$unpacked/usr/$dir" "$root/usr/$dir"
        cp -a "$unpacked/$dir/." "$unpacked/usr/$dir/"
        rm -rf "${unpacked:?}/$dir"
        if [ ! -L "$root/$dir" ]; then ln -s "usr/$dir" "$root/$dir"; fi
      fi
    done
    cp -a "$unpacked/." "$root/"
    rm -rf "$unpacked"
  else
    dpkg-deb -x "$deb" "$root"
  fi
  crossbake-dpkg-record "$deb" "$root"
  echo "$pkg:$pkg_arch $(dpkg-deb -f "$deb" Version)" >> "$added"
done
# As the slim base keeps them: copyright files, no other documentation, no translations.
find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" "$root/usr/share/lintian" "$debs" /var/lib/apt/lists/*
# Added to what an earlier run recorded (a root assembled in two steps names all its packages).
cat "$added" "$root/usr/share/crossbake/runtime-packages" 2>/dev/null | sort -u > "$added.all" || true
mv "$added.all" "$root/usr/share/crossbake/runtime-packages"
rm -f "$added"
cat -s "$root/var/lib/dpkg/status" > "$root/var/lib/dpkg/status.new" && mv "$root/var/lib/dpkg/status.new" "$root/var/lib/dpkg/status"
echo "crossbake-runtime: $(tr '\n' ' ' < "$root/usr/share/crossbake/runtime-packages")"
