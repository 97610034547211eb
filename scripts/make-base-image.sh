#!/usr/bin/env bash
# Make a local debian:bookworm-slim that behaves like the registry's one, for machines that cannot pull
# (CI, the development machines; see shared facts: "The development and CI machines").
#   - debootstrap --variant=minbase from the machine's own Debian mirror;
#   - apt sources in deb822 form at /etc/apt/sources.list.d/debian.sources, as the real image has them
#     (the generated Dockerfiles rewrite that file in place), and no /etc/apt/sources.list;
#   - the registry image's minimizing settings (debuerreotype-minimizing-config): policy-rc.d, dpkg
#     force-unsafe-io, apt's docker-clean (no .debs or package caches left after an install), gzipped
#     indexes, no translations, aggressive autoremove;
#   - the "slim" variant's dpkg path excludes (debuerreotype-slimify): no docs except copyright, no man
#     pages, info pages or message translations, now and in every later install;
#   - CMD ["bash"], as the real image.
# Sources: debuerreotype/debuerreotype scripts/debuerreotype-minimizing-config, debuerreotype-slimify,
# .slimify-excludes, .slimify-includes (docs/upstream.md, "The base image").
# Usage: scripts/make-base-image.sh [TAG]   (MIRROR=http://host/debian to override the mirror)
#        scripts/make-base-image.sh --check [TAG]   exit 0 when TAG is such a base (.ci/run, bench/run.py)
set -euo pipefail
if [[ "${1:-}" == --check ]]; then
  exec docker run --rm --entrypoint /bin/sh "${2:-debian:bookworm-slim}" -c \
    'test -f /etc/apt/sources.list.d/debian.sources && test ! -e /etc/apt/sources.list \
     && test -f /etc/dpkg/dpkg.cfg.d/docker && test -f /etc/apt/apt.conf.d/docker-clean' >/dev/null 2>&1
fi
tag=${1:-debian:bookworm-slim}
mirror=${MIRROR:-}
if [[ -z "$mirror" && -r /etc/apt/sources.list.d/debian.sources ]]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
security=${mirror%/debian}/debian-security

root=$(mktemp -d /tmp/imgwizard-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror/" >"$root.log" 2>&1 || { tail -n 30 "$root.log"; exit 1; }
rm -f "$root.log" "$root/etc/apt/sources.list"
sources="$root/etc/apt/sources.list.d/debian.sources"
mkdir -p "${sources%/*}"
printf '%s\n' "Types: deb" "URIs: $mirror" "Suites: bookworm bookworm-updates" "Components: main" \
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$sources"
# The real image has a second stanza for the security suite on the same host. Keep it only when this machine
# reaches it, so apt-get update inside builds does not fail on an unreachable suite.
if python3 - "$security/dists/bookworm-security/Release" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=15)
except Exception:
    sys.exit(1)
PY
then
  printf '\n' >>"$sources"
  printf '%s\n' "Types: deb" "URIs: $security" "Suites: bookworm-security" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >>"$sources"
else
  echo "note: $security is not reachable here: the security stanza is left out of debian.sources" >&2
  printf '\n%s\n' "# The security suite ($security) was not reachable when this image was made: left out." >>"$sources"
fi

# debuerreotype-minimizing-config: what the registry's debian images carry in /etc/apt and /etc/dpkg.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'force-unsafe-io\n' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
printf 'Apt::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
printf '%s\n' "DPkg::Post-Invoke { $clean };" "APT::Update::Post-Invoke { $clean };" \
  'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >"$root/etc/apt/apt.conf.d/docker-clean"
printf 'Acquire::GzipIndexes "true";\n' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/docker-no-languages"

# debuerreotype-slimify: dpkg leaves these paths out of every later install, and the files already there go.
# quoted: these are dpkg patterns, not globs for this shell
excludes=('/usr/share/doc/*' '/usr/share/info/*' '/usr/share/linda/*' '/usr/share/lintian/overrides/*'
  '/usr/share/locale/*' '/usr/share/man/*' '/usr/share/doc/kde/HTML/*/*' '/usr/share/gnome/help/*/*'
  '/usr/share/omf/*/*-*.emf')
includes=('/usr/share/doc/*/copyright' '/usr/share/doc/kde/HTML/C/*' '/usr/share/gnome/help/*/C/*'
  '/usr/share/locale/all_languages' '/usr/share/locale/currency/*' '/usr/share/locale/l10n/*'
  '/usr/share/locale/languages' '/usr/share/locale/locale.alias' '/usr/share/omf/*/*-C.emf')
{
  echo '# This is the "slim" variant of the Debian base image (made by imgwizard scripts/make-base-image.sh'
  echo '# with the path list of debuerreotype-slimify).'
  printf 'path-exclude %s\n' "${excludes[@]}"
  printf 'path-include %s\n' "${includes[@]}"
} >"$root/etc/dpkg/dpkg.cfg.d/docker"
keep=()
for pattern in "${includes[@]}"; do keep+=(${keep:+-o} -path "$pattern"); done
for dir in /usr/share/doc /usr/share/info /usr/share/linda /usr/share/lintian/overrides /usr/share/locale \
           /usr/share/man /usr/share/gnome/help /usr/share/omf; do
  [[ -d "$root$dir" ]] || continue
  # files that no include keeps, then (repeatedly) empty folders and dangling links, as debuerreotype does
  chroot "$root" find "$dir" -depth -mindepth 1 -not \( -type d -o -type l \) -not \( "${keep[@]}" \) -delete
  while [[ -n "$(chroot "$root" find "$dir" -depth -mindepth 1 \( -empty -o -xtype l \) -print \
                  -exec rm -rf '{}' ';')" ]]; do :; done
done

rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "made $tag from $mirror"
