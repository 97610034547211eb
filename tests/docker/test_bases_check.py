"""`imgwizard bases check --no-pull`, run as the user meets it (the console script), on the real engine: on each
Debian stand-in (tests/standins.py: built from the row's facts, since the real jlesage/linuxserver/kasmweb images
cannot be pulled here) no fact differs; on a stand-in built from the jlesage row with three changes it prints one
line per changed fact and exits 1. Also: the jlesage stand-in behaves as the real base does at build time (a plain
`apt-get install sudo` fails on its account links; its add-pkg installs it)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.standins import TIMES
from tests.standins import build as build_standin
from tests.standins import debian_rows, standin  # noqa: F401 - standin is the session fixture
from wizard import knowledge
from wizard.basefacts import row_name

pytestmark = pytest.mark.docker

NOVNC = knowledge.base("novnc", "debian", "12")
EXTRA_LIST = "/etc/apt/sources.list.d/extra.list"


def imgwizard(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("imgwizard", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, env=dict(os.environ))


@pytest.mark.parametrize("base", debian_rows(), ids=row_name)
def test_bases_check_finds_every_fact_on_the_rows_stand_in(standin, base):  # noqa: F811
    ref = standin(base)
    proc = imgwizard("bases", "check", "--no-pull", ref)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["bases check: 1 image(s): 1 as recorded, 0 with drift, 0 not checked"]
    assert proc.stderr == ""


def test_bases_check_prints_one_line_per_changed_fact_of_a_drifted_stand_in(docker_client, tags, tmp_path):
    drifted = dataclasses.replace(
        NOVNC, links=tuple((p, t) for p, t in NOVNC.links if p != "/etc/passwd"),  # /etc/passwd a regular file
        helpers=tuple(h for h in NOVNC.helpers if h != "set-cont-env"),  # a helper missing
        foreign_sources=(*NOVNC.foreign_sources, EXTRA_LIST))  # an unrecorded list
    tag = tags("standin-drifted")
    seconds = build_standin(docker_client, drifted, tag, tmp_path / "context")
    TIMES.append(("stand-in novnc/debian/12, drifted", seconds))
    proc = imgwizard("bases", "check", "--no-pull", "--row", "novnc/debian/12", tag)
    head = f"novnc/debian/12 {tag}: "
    assert proc.stdout.splitlines() == [
        head + "/etc/passwd: recorded link to /tmp/.passwd, found regular file",
        head + "helper set-cont-env: recorded on PATH, found not on PATH",
        head + f"{EXTRA_LIST}: recorded absent (not in sources or foreign_sources), found present",
        "bases check: 1 image(s): 0 as recorded, 1 with drift, 0 not checked"], proc.stderr
    assert proc.returncode == 1


def test_an_absent_image_with_no_pull_is_said_and_exit_1(docker_client, tags):
    missing = tags("never-built")
    proc = imgwizard("bases", "check", "--no-pull", "--row", "novnc/debian/12", missing)
    assert proc.returncode == 1
    assert f"novnc/debian/12 {missing}: not checked: not present on the engine" in proc.stderr


def test_the_jlesage_stand_in_fails_a_plain_install_as_upstream_does_and_add_pkg_works(docker_client, standin):  # noqa: F811
    """The defect of issue 27 item 1, on the stand-in: dpkg's maintainer scripts cannot resolve root while
    /etc/passwd is a link into /tmp; add-pkg makes the account files for the install and removes them after."""
    script = ("apt-get -qq update >/dev/null && apt-get install -y -qq --no-install-recommends sudo >/tmp/plain 2>&1;"
              " echo plain=$?; grep -m1 'invalid user' /tmp/plain;"
              " add-pkg sudo >/tmp/add 2>&1; echo add-pkg=$?; test -x /usr/bin/sudo && echo has-sudo;"
              " test -e /tmp/.passwd || echo accounts-removed; test -e /config || echo config-removed;"
              " ls /var/lib/apt/lists | grep -c _ || true")
    out = docker_client.containers.run(standin(NOVNC), ["-c", script], entrypoint=["/bin/sh"], user="0",
                                       remove=True).decode()
    lines = out.splitlines()
    assert "plain=100" in lines and any("chown: invalid user: 'root:root'" in ln for ln in lines), out
    assert "add-pkg=0" in lines and "has-sudo" in lines, out
    assert "accounts-removed" in lines and "config-removed" in lines and lines[-1] == "0", out
