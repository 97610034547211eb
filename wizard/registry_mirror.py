"""Where the base image is pulled from: the `mirror.registry` answer (a pull-through mirror of Docker Hub) and
the image references every FROM names through it (issue 30 part 3; docs/answers.md 'mirror.registry').

A reference is read as docker reads it (distribution/reference `ParseNormalizedNamed`): its first part is a
registry host only when it holds a `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub
(`docker.io`), and an official image's path gets `library/` (`debian` is `docker.io/library/debian`).

Through a mirror `mirror.example:5000`, a Docker Hub image keeps its path and tag or digest under the mirror:
`debian:bookworm-slim` -> `mirror.example:5000/library/debian:bookworm-slim`, `jlesage/baseimage-gui:TAG` ->
`mirror.example:5000/jlesage/baseimage-gui:TAG`. An image of another registry (`ghcr.io/...`, `lscr.io/...`,
`registry.example.com/...`) is left as it is: a Docker Hub pull-through mirror (distribution's `proxy.remoteurl`,
Harbor's proxy cache project, the China mirrors) serves the one registry it proxies, and asking it for ghcr.io's
image would fail or, worse, give another image of the same path. `scratch` is no image and is never rewritten.
"""

from __future__ import annotations

import re

from wizard.text import Msg

HUB = "docker.io"
_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io")

# A mirror: a host of DNS labels (an IPv4 address is such a name) or localhost, an optional port 1-65535 without a
# leading zero, and an optional path prefix of lower-case name parts (Harbor's proxy-cache project:
# harbor.example.com/hub-proxy). A one-label host needs a port (mirror:5000) or must be localhost: docker reads
# `mirror/library/debian` as the Docker Hub repository mirror/library/debian.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_MIRROR = re.compile(rf"(?:localhost|{_LABEL}(?:\.{_LABEL})+)(?::{_PORT})?(?:/{_PART})*"
                     rf"|{_LABEL}:{_PORT}(?:/{_PART})*")
MAX_LEN = 128  # with the longest base reference, the name stays under docker's 255 characters


def check(v: str) -> str | None:
    """None for an accepted `mirror.registry` (empty: no mirror), else what is accepted."""
    if v == "" or _MIRROR.fullmatch(v):
        return None
    if v.startswith(("http://", "https://")):
        return Msg("accepted.registry_mirror_scheme")
    return Msg("accepted.registry_mirror")


def registry_of(ref: str) -> str:
    """The registry an image reference names (`docker.io` for Docker Hub, whichever way it is written)."""
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return HUB if first in _HUB_ALIASES else first
    return HUB


def hub_path(ref: str) -> str:
    """A Docker Hub reference's repository path with its tag or digest: `debian:12` -> `library/debian:12`,
    `docker.io/jlesage/baseimage-gui:TAG` -> `jlesage/baseimage-gui:TAG`."""
    first, _, rest = ref.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else ref
    name = re.split(r"[:@]", path, maxsplit=1)[0]
    return path if "/" in name else f"library/{path}"


def through(ref: str, mirror: str) -> str:
    """What FROM names for `ref` with `mirror` (a `mirror.registry` answer; empty: none): a Docker Hub image under
    the mirror, anything else (another registry, scratch) as it is."""
    if not mirror or ref == "scratch" or registry_of(ref) != HUB:
        return ref
    return f"{mirror}/{hub_path(ref)}"


def left_alone(ref: str, mirror: str) -> bool:
    """Whether a mirror is set but `ref` does not go through it (an image of another registry)."""
    return bool(mirror) and ref != "scratch" and registry_of(ref) != HUB
