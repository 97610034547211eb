#!/usr/bin/env bash
# Make a local debian:bookworm-slim that behaves like the registry's one, for machines that cannot pull
# (CI, the development machines; see shared facts: "The development and CI machines").
#   - debootstrap --variant=minbase from the machine's own Debian mirror;
#   - apt sources in deb822 form at /etc/apt/sources.list.d/debian.sources, as the real image has them
#     (the generated Dockerfiles rewrite that file in place), and no /etc/apt/sources.list;
#   - CMD ["bash"], as the real image.
# Usage: scripts/make-base-image.sh [TAG]   (MIRROR=http://host/debian to override the mirror)
set -euo pipefail
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
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "made $tag from $mirror"
