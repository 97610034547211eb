"""Every row of bases.toml, rendered over a spread of answers, against the facts the row records (issue 27).

Ubuntu, Alpine, jlesage, linuxserver and kasmweb images cannot be pulled or built here (no registry; Ubuntu and
Alpine packages cannot be fetched), so this is the check for those rows: the rendered Dockerfile is read
against the row's facts, which are the same facts `imgwizard bases check` reads back from the real image and the
stand-ins of the real-engine tests are built from. Per row and answers:
- FROM names the pinned release (knowledge.Base.ref: with the digest where recorded), never a moving tag;
- a base whose helpers list add-pkg (jlesage) installs every package through it: no RUN holds a bare
  apt-get install / apk add, and no RUN uses what its links leave dangling at build time (account files,
  /var/log, /var/tmp);
- with an apt mirror, exactly the row's third-party lists are removed, before anything is downloaded;
- NVIDIA_DRIVER_CAPABILITIES is never narrower than the base's own;
- where uid 1000 may be taken (the row's uid_1000, or an os.base_image of unknown contents) the user step
  decides in the shell; elsewhere it is a plain useradd;
- the official parser and hadolint accept every Dockerfile (wizard.lint).
"""

from __future__ import annotations

import re

import dockerfile
import pytest

from wizard import knowledge
from wizard.lint import is_failure, lint
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import KEY

ROWS = [b for b in knowledge.bases() if b.key[1] != "scratch"]
IDS = ["-".join(b.key) for b in ROWS]

# What a base's links leave dangling at build time, and the commands that would go through them.
NEEDS_ACCOUNTS = re.compile(r"\b(useradd|usermod|groupadd|groupmod|adduser|addgroup|deluser|chpasswd|chown)\b"
                            r"|/etc/(passwd|group|shadow)\b|/var/(log|tmp)\b")
BARE_INSTALL = re.compile(r"\bapt-get\b[^&|;]*\binstall\b|\bapk\s+add\b|\bapt-get\s+update\b")


def _app(b: knowledge.Base) -> dict:
    """A desktop app every row accepts: a command whose package is named (JetBrains needs glibc, not Alpine)."""
    engine = b.key[0]
    if engine == "plain":
        return {"app.type": "shell"}
    return {"app.type": "desktop", "desktop.engine": engine, "app.name": "command", "app.command": "xterm",
            "packages.apt": ["xterm"]}


def _variants(b: knowledge.Base) -> list[dict]:
    """The spread of answers for a row: bare; the China mirror with packages, locale and time zone; NVIDIA
    (glibc rows); SSH by key as a non-root user (the engines that allow it)."""
    engine, family, _ = b.key
    out = [{"mirror.apt": "none"},
           {"mirror.apt": "tuna", "packages.common": True, "locale.chinese": True, "locale.timezone": "Asia/Shanghai"}]
    if family != "alpine":
        out.append({"mirror.apt": "tuna", "gpu.vendor": "nvidia"})
    if engine in ("plain", "builtin", "kasm"):
        out.append({"mirror.apt": "tuna", "ssh.enabled": True, "ssh.auth": "key", "ssh.authorized_key": KEY,
                    **({"user.root": False} if engine != "kasm" else {})})
    if engine in ("plain", "builtin"):
        out.append({"user.root": False})
    return out


def _render(b: knowledge.Base, extra: dict):
    engine, family, version = b.key
    answers, problems = validate({"os.family": family, "os.version": version, "ssh.enabled": False,
                                  **_app(b), **extra})
    assert problems == [], f"{b.key} {extra}: {problems}"
    return render(answers)


def _runs(text: str) -> list[str]:
    """Each RUN's shell, its runs of blanks (the continuation lines' indents) as one space."""
    return [" ".join(c.value[0].split()) for c in dockerfile.parse_string(text) if c.cmd.upper() == "RUN"]


CASES = [(b, extra) for b in ROWS for extra in _variants(b)]
CASE_IDS = [f"{'-'.join(b.key)}-{i}" for b in ROWS for i, _ in enumerate(_variants(b))]


@pytest.mark.parametrize("b,extra", CASES, ids=CASE_IDS)
def test_the_dockerfile_agrees_with_the_rows_facts(b: knowledge.Base, extra: dict):
    ctx = _render(b, extra)
    text = ctx.dockerfile
    final = [c for c in dockerfile.parse_string(text) if c.cmd.upper() == "FROM"][-1]
    assert final.value == (b.ref(),), "FROM names the row's pinned release"
    runs = _runs(text)

    if b.has_helper("add-pkg"):
        assert [r for r in runs if BARE_INSTALL.search(r)] == [], "every install goes through add-pkg"
        # (with locale.chinese, locale.j2's dpkg rule for the translations comes first)
        assert any(re.match(r"(printf 'path-include [^&]*zz-imgwizard-zh && )?(mkdir -p /usr/share/man/man1 && )?"
                            r"add-pkg ", r) for r in runs), "the system packages are installed by add-pkg"
    else:
        assert "add-pkg" not in text
    if b.links:
        assert [r for r in runs if NEEDS_ACCOUNTS.search(r)] == [], "no RUN needs what the links leave dangling"

    mirrored = extra.get("mirror.apt", "none") != "none"
    removed = [r for r in runs if r.startswith("rm -f /etc/apt/sources.list.d/")]
    if mirrored and b.foreign_sources:
        assert [set(r.split()[2:]) for r in removed] == [set(b.foreign_sources)]
        first_download = min(i for i, r in enumerate(runs) if "update" in r or "add-pkg" in r or "apk add" in r)
        assert runs.index(removed[0]) < first_download
    else:
        assert removed == [] and not any(path in text for path in b.foreign_sources)

    if extra.get("gpu.vendor") == "nvidia":
        caps = set(_env(text)["NVIDIA_DRIVER_CAPABILITIES"].split(","))
        base_caps = {c for c in b.nvidia_capabilities.split(",") if c}
        needs = {"compute", "utility"} | ({"graphics", "display"} if b.key[0] != "plain" else set())
        assert caps == {"all"} if "all" in base_caps else caps == base_caps | needs

    setup = next((r for r in runs if "useradd" in r or "adduser" in r), "")
    if extra.get("user.root") is False:
        assert setup, "the configured user is made"
        assert ("awk -F: '$3 == 1000" in setup) == bool(b.uid_1000), "uid 1000 is looked up where it is taken"
    else:
        assert setup == ""
    assert [str(f) for f in lint(text) if is_failure(f)] == []


def _env(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for c in dockerfile.parse_string(text):
        if c.cmd.upper() == "ENV":
            found.update(zip(c.value[::2], c.value[1::2]))
    return found


@pytest.mark.parametrize("family,version", [("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04"),
                                            ("alpine", "3.21")])
def test_an_os_base_image_of_unknown_contents_decides_about_uid_1000_at_build_time(family, version):
    answers, problems = validate({"os.family": family, "os.version": version, "app.type": "shell",
                                  "ssh.enabled": False, "user.root": False,
                                  "os.base_image": f"registry.example.com/{family}:{version}"})
    assert problems == []
    text = render(answers).dockerfile
    assert f"FROM registry.example.com/{family}:{version}\n" in text
    setup = next(r for r in _runs(text) if "awk -F: '$3 == 1000" in r)
    if family == "alpine":  # busybox has no usermod: the old account goes, app gets uid and gid 1000
        assert 'deluser "$old"' in setup and "adduser -D -u 1000 -G app" in setup
    else:  # the account with uid 1000 becomes app, else useradd as always
        assert 'usermod --login app --shell /bin/bash "$old"' in setup and "groupmod --new-name app" in setup
        assert 'useradd --create-home --home-dir "$home" --uid 1000' in setup and "home=/home/app" in setup
    assert "app:*:" in setup or "usermod --password '*' app" in setup  # never the locked `!` sshd refuses
    assert [str(f) for f in lint(text) if is_failure(f)] == []


def test_another_release_of_a_pinned_base_is_named_with_a_warning():
    b = knowledge.base("novnc", "debian", "12")
    answers, problems = validate({"os.family": "debian", "os.version": "12", "ssh.enabled": False, **_app(b)})
    assert problems == []
    same = render({**answers, "os.base_release": b.release})
    assert same.plan.base_image == b.ref() and not any("os.base_release" in w for w in same.warnings)
    other = render({**answers, "os.base_release": "debian-12-v4.12.0"})
    assert other.plan.base_image == "jlesage/baseimage-gui:debian-12-v4.12.0"  # no digest: it is not recorded
    assert "FROM jlesage/baseimage-gui:debian-12-v4.12.0\n" in other.dockerfile
    warning = next(w for w in other.warnings if "debian-12-v4.12.0" in w)
    assert b.release in warning  # names the release the facts were read at
    assert 'org.opencontainers.image.base.name="jlesage/baseimage-gui:debian-12-v4.12.0"' in other.dockerfile
