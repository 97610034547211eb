"""Stand-ins for the pinned third-party bases (jlesage, linuxserver, kasmweb), which cannot be pulled here.

A stand-in is built FROM the local debian:bookworm-slim (Debian rows only) out of the row's facts in bases.toml and
nothing else (wizard.knowledge.Base): its `links` (account files into /tmp, /var/log to the missing /config/log),
the uid-1000 account, the helpers (small scripts of our own in /opt/base/bin that behave as upstream documents
them), the sources file and the third-party apt lists, dpkg's foreign architectures, NVIDIA_DRIVER_CAPABILITIES,
USER, ENTRYPOINT and CMD (tiny scripts at those paths). `imgwizard bases check` reads the same facts back
(wizard/basefacts.py), so the data, the stand-ins and the check cannot drift apart.

It is labelled imgwizard.standin=<row> and tagged with the pinned reference (without a digest, which cannot be a
tag) only when that tag is absent or already a stand-in: a real image is never overwritten (the test skips with
the reason). The `standin` fixture builds one per row per session; they are removed at the end unless
IMGWIZARD_KEEP_TEST_IMAGES=1.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from pathlib import Path

import pytest

from wizard import knowledge
from wizard.basefacts import ACCOUNT_FILES, row_name
from wizard.knowledge import Base

FROM = "debian:bookworm-slim"  # the local base every stand-in starts from (made without a registry)
LABEL = "imgwizard.standin"
IMAGE_SOURCES = "/etc/apt/sources.list.d/debian.sources"  # what FROM has; a row with another sources file replaces it
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HELPER_DIR = "/opt/base/bin"  # jlesage/docker-baseimage Dockerfile line 179: PATH ends /opt/base/sbin:/opt/base/bin
ACCOUNTS_KEPT = "/opt/standin/accounts"  # copies of the account files the stand-in's add-pkg puts in place

# The helpers imgwizard calls, written here (not upstream's code) to behave as jlesage documents them:
# jlesage/docker-baseimage@d601d89 helpers/add-pkg and helpers/cmn-pkg (init_env_apt: /config/log and the account
# files made by cont-init.d/10-init-users.sh when missing; cleanup_env_apt: apt's lists and what it made removed),
# helpers/set-cont-env (NAME [VALUE] -> /etc/cont-env.d/NAME); README "Adding/Removing Packages".
ADD_PKG = f"""#!/bin/sh
# imgwizard test stand-in for the base's add-pkg: the log folder and the account files (kept copies in
# {ACCOUNTS_KEPT}) exist while apt-get installs, and are removed again with apt's lists afterwards.
set -eu
usage() {{ echo "usage: add-pkg [--virtual NAME] PKG [PKG...]" >&2; exit 1; }}
made=""
finish() {{
    apt-get -q clean
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*
    for m in $made; do rm -rf "$m"; done
}}
if [ "${{1:-}}" = "--virtual" ]; then
    [ -n "${{2:-}}" ] || usage
    name=$2; shift 2
    echo "$*" > "/var/lib/apt/$name.virtual"
fi
[ "$#" -gt 0 ] || usage
trap finish EXIT
if [ ! -d /config ]; then mkdir /config; made="$made /config"; fi
if [ ! -d /config/log ]; then mkdir /config/log; made="$made /config/log"; fi
for kept in {ACCOUNTS_KEPT}/*; do
    [ -f "$kept" ] || continue
    target=$(readlink "/etc/${{kept##*/}}") || continue
    if [ ! -e "$target" ]; then cp -p "$kept" "$target"; made="$made $target"; fi
done
export DEBIAN_FRONTEND=noninteractive
apt-get -q update
apt-get -q install -y --no-install-recommends "$@"
"""

SET_CONT_ENV = """#!/bin/sh
# imgwizard test stand-in for the base's set-cont-env: NAME [VALUE] -> /etc/cont-env.d/NAME
set -eu
case "${1:-}" in
    '' | [0-9]* | *[!A-Z0-9_]*) echo "usage: set-cont-env NAME [VALUE]" >&2; exit 1 ;;
esac
mkdir -p /etc/cont-env.d
printf '%s' "${2:-}" > "/etc/cont-env.d/$1"
"""

HELPERS = {"add-pkg": ADD_PKG, "set-cont-env": SET_CONT_ENV}

ENTRY = """#!/bin/sh
# imgwizard test stand-in for {path} of {row}: the real base starts its services here; this one runs what
# follows it when that is a program, else waits.
if [ "$#" -gt 0 ] && [ -x "$1" ]; then exec "$@"; fi
exec sleep infinity
"""

# Third-party apt lists as their owners write them (real hosts, which builds here cannot reach: a list left in
# place makes apt-get update fail). linuxserver/docker-baseimage-kasmvnc debianbookworm@0b648f0 Dockerfile
# line 259 (docker.list), line 260 NodeSource's setup_18.x (nodesource.list, its `nodistro` suite).
FOREIGN_LINES = {
    "docker.list": "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable",
    "nodesource.list": "deb https://deb.nodesource.com/node_18.x nodistro main",
}


def debian_rows() -> list[Base]:
    """The third-party Debian rows of bases.toml: each gets a stand-in."""
    return [b for b in knowledge.bases() if knowledge.third_party(b) and b.key[1] == "debian"]


def _foreign_line(path: str, base: Base) -> str:
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return FOREIGN_LINES.get(name, f"deb https://{stem}.invalid/debian {base.codename} main")


def _sources_lines(base: Base) -> str:
    """A one-line-style sources file of the row's repositories (mirror_from): security gets CODENAME-security,
    the others CODENAME and CODENAME-updates."""
    lines = []
    for url in base.mirror_from:
        suites = [f"{base.codename}-security"] if url.rstrip("/").endswith("-security") else \
            [base.codename, f"{base.codename}-updates"]
        lines += [f"deb {url} {suite} main" for suite in suites]
    return "\n".join(lines) + "\n"


def _entry_paths(base: Base) -> list[str]:
    """The entrypoint's and cmd's programs a stand-in provides: absolute paths outside the system folders."""
    return [p for p in (*base.entrypoint, *base.cmd)
            if p.startswith("/") and not p.startswith(("/bin/", "/sbin/", "/usr/"))]


def files(base: Base) -> dict[str, str]:
    """The files a stand-in adds, by their path in the image (under root/ in the build context)."""
    if base.key[1] != "debian":
        raise ValueError(f"{row_name(base)}: stand-ins are Debian only (FROM {FROM})")
    out: dict[str, str] = {}
    for helper in base.helpers:
        if helper not in HELPERS:
            raise ValueError(f"{row_name(base)}: no stand-in script for the helper {helper!r} (tests/standins.py)")
        out[f"{HELPER_DIR}/{helper}"] = HELPERS[helper]
    for path in _entry_paths(base):
        out[path] = ENTRY.format(path=path, row=row_name(base))
    if base.sources != IMAGE_SOURCES:
        if base.sources.endswith(".sources"):
            raise ValueError(f"{row_name(base)}: a deb822 sources file other than {IMAGE_SOURCES} is not made here")
        out[base.sources] = _sources_lines(base)
    for path in base.foreign_sources:
        out[path] = _foreign_line(path, base) + "\n"
    return out


def dockerfile(base: Base) -> str:
    """The stand-in's Dockerfile: FROM the local Debian, then only what the row's facts say."""
    links = dict(base.links)
    steps = ["set -e"]
    if base.uid_1000:
        steps.append(f"useradd --uid 1000 --user-group --create-home --shell /bin/bash {shlex.quote(base.uid_1000)}")
    if base.sources != IMAGE_SOURCES:
        steps.append(f"rm -f {IMAGE_SOURCES}")
    steps += [f"dpkg --add-architecture {shlex.quote(a)}" for a in base.foreign_archs]
    kept = [p for p in (*ACCOUNT_FILES, "/etc/gshadow") if p in links]
    if kept:
        steps.append(f"mkdir -p {ACCOUNTS_KEPT} && cp -p {' '.join(kept)} {ACCOUNTS_KEPT}/")
    # the links last: after them the account files are gone until add-pkg (or the real base's /init) makes them
    steps += [f"rm -rf {shlex.quote(p)} && ln -s {shlex.quote(t)} {shlex.quote(p)}" for p, t in base.links]
    lines = [f"# imgwizard test stand-in for {row_name(base)} ({base.image}), from bases.toml's facts only",
             f"FROM {FROM}"]
    programs = [p for p in files(base) if not p.startswith("/etc/")]
    if files(base):
        lines.append("COPY root/ /")
    if programs:
        lines.append("RUN chmod 755 " + " ".join(shlex.quote(p) for p in programs))
    lines.append("RUN " + " \\\n    && ".join(steps))
    if base.helpers:
        lines.append(f"ENV PATH={BASE_PATH}:{HELPER_DIR}")
    if base.nvidia_capabilities:
        lines.append(f"ENV NVIDIA_DRIVER_CAPABILITIES={base.nvidia_capabilities}")
    lines.append(f"LABEL {LABEL}={row_name(base)}")
    if base.user != "root":  # "root" is an image without USER (its config's User is ""), as the real bases are
        lines.append(f"USER {base.user}")
    lines.append(f"ENTRYPOINT {json.dumps(list(base.entrypoint))}")
    lines.append(f"CMD {json.dumps(list(base.cmd))}")
    return "\n".join(lines) + "\n"


def write_context(base: Base, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile(base))
    for path, text in files(base).items():
        target = folder / "root" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        target.chmod(0o644 if path.startswith("/etc/") else 0o755)
    return folder


def real_image_reason(client, tag: str) -> str:
    """Why `tag` may not be (re)tagged as a stand-in: "" when it is absent or already a stand-in."""
    import docker.errors

    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return ""
    if LABEL in (image.labels or {}):
        return ""
    return f"{tag} is a real image on this engine (no {LABEL} label): not overwritten by a stand-in"


def build(client, base: Base, tag: str, folder: Path) -> float:
    """Build the stand-in of `base` as `tag` (never pulling: FROM is local); its seconds."""
    from wizard.engine.build import parse_stream

    write_context(base, folder)
    start = time.monotonic()
    chunks = client.api.build(path=str(folder), tag=tag, decode=True, rm=True, forcerm=True, pull=False)
    events = list(parse_stream(chunks))
    assert events and events[-1].kind == "done", "\n".join(e.text for e in events)[-4000:]
    return time.monotonic() - start


class _Summary:
    """Prints TIMES at the end of the session (a plugin the `standin` fixture registers)."""
    NAME = "imgwizard-standin-times"

    def pytest_terminal_summary(self, terminalreporter):
        if TIMES:
            terminalreporter.write_sep("-", "bases stand-ins and the builds on them (seconds)")
            for name, seconds in TIMES:
                terminalreporter.write_line(f"{name:44s} {seconds:6.1f} s")


TIMES: list[tuple[str, float]] = []  # (what was built, seconds), written at the end of the session
_BUILT: dict[str, str] = {}  # row -> tag, shared by every module that imports the fixture


def keep_images() -> bool:
    return os.environ.get("IMGWIZARD_KEEP_TEST_IMAGES", "") not in ("", "0")


@pytest.fixture(scope="session")
def standin(docker_client, tmp_path_factory, request):
    """standin(base) -> the pinned tag of the row's stand-in, built the first time a test asks in this session
    (skips when a real image holds that tag). Removed at the end unless IMGWIZARD_KEEP_TEST_IMAGES=1."""

    def get(base: Base) -> str:
        row = row_name(base)
        if row not in _BUILT:
            reason = real_image_reason(docker_client, base.image)
            if reason:
                pytest.skip(reason)
            folder = tmp_path_factory.mktemp("standin-" + row.replace("/", "-"))
            TIMES.append((f"stand-in {row}", build(docker_client, base, base.image, folder)))
            _BUILT[row] = base.image
        return _BUILT[row]

    if not request.config.pluginmanager.has_plugin(_Summary.NAME):
        request.config.pluginmanager.register(_Summary(), _Summary.NAME)
    yield get
    if keep_images():
        return
    for row in list(_BUILT):
        try:
            docker_client.images.remove(_BUILT.pop(row), force=True)
        except Exception:  # noqa: BLE001 - already removed
            pass
