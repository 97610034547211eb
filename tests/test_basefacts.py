"""The facts of a bases.toml row, the probe that reads them back, the comparison, and the stand-in Dockerfile made
from the same facts (wizard/basefacts.py, tests/standins.py), without an engine. The probe script itself runs
here under this machine's /bin/sh against paths in a temporary folder."""

from __future__ import annotations

import dataclasses
import os
import subprocess

import dockerfile
import pytest

from tests import standins
from wizard import basefacts, knowledge
from wizard.basefacts import Difference, Probe, differences, facts, parse_probe, probe_args, probe_problem

NOVNC = knowledge.base("novnc", "debian", "12")
KASM = knowledge.base("kasm", "debian", "12")


def config_of(base) -> dict:
    """The image config a base with exactly its recorded facts has."""
    env = [f"NVIDIA_DRIVER_CAPABILITIES={base.nvidia_capabilities}"] if base.nvidia_capabilities else []
    return {"Entrypoint": list(base.entrypoint) or None, "Cmd": list(base.cmd) or None,
            "User": "" if base.user == "root" else base.user, "Env": ["PATH=/usr/bin", *env]}


def probe_of(base) -> Probe:
    """What PROBE prints in an image with exactly the row's facts."""
    links = dict(base.links)
    lines = []
    for path in basefacts.probed_paths(base):
        kind = f"link:{links[path]}" if path in links else ("dir" if path == basefacts.LOG_DIR else "file")
        lines.append(f"path\t{path}\t{kind}")
    lines += [f"helper\t{h}\t/opt/base/bin/{h}" for h in base.helpers]
    lines += [f"source\t{s}\t" for s in basefacts.expected_sources(base)]
    lines += [f"arch\t{a}\t" for a in base.foreign_archs]
    lines += [f"uid1000\t{base.uid_1000}\t", "end"]
    return parse_probe("\n".join(lines) + "\n")


@pytest.mark.parametrize("base", [b for b in knowledge.bases() if probe_problem(b) is None], ids=basefacts.row_name)
def test_an_image_with_the_recorded_facts_has_no_difference(base):
    assert differences(base, config_of(base), probe_of(base)) == []


def test_every_recorded_fact_of_the_jlesage_row_is_checked():
    subjects = {f.subject: f.recorded for f in facts(NOVNC)}
    assert subjects["/etc/passwd"] == "link to /tmp/.passwd" and subjects["/var/log"] == "link to /config/log"
    assert subjects["helper add-pkg"] == subjects["helper set-cont-env"] == "on PATH"
    assert subjects["cmd"] == '["/init"]' and subjects["entrypoint"] == "[]" and subjects["user"] == "root"
    assert subjects[NOVNC.sources] == "present" and subjects["uid 1000"] == "none"
    kasm = {f.subject: f.recorded for f in facts(KASM)}
    assert kasm["/etc/passwd"] == "regular file" and kasm["/var/log"] == "directory"  # no link recorded
    assert kasm["/etc/apt/sources.list.d/nodesource.list"] == "present" and kasm["uid 1000"] == "kasm-user"
    assert kasm["NVIDIA_DRIVER_CAPABILITIES"] == "all"


def test_drift_is_one_line_per_changed_fact():
    probe = probe_of(NOVNC)
    probe.paths["/etc/passwd"] = "file"
    probe.helpers["set-cont-env"] = ""
    probe.sources.append("/etc/apt/sources.list.d/extra.list")
    config = {**config_of(NOVNC), "User": "app", "Env": ["NVIDIA_DRIVER_CAPABILITIES=compute"]}
    lines = [d.line("novnc/debian/12", NOVNC.image) for d in differences(NOVNC, config, probe)]
    head = f"novnc/debian/12 {NOVNC.image}: "
    assert lines == [head + "user: recorded root, found app",
                     head + "NVIDIA_DRIVER_CAPABILITIES: recorded not set, found compute",
                     head + "/etc/passwd: recorded link to /tmp/.passwd, found regular file",
                     head + "helper set-cont-env: recorded on PATH, found not on PATH",
                     head + "/etc/apt/sources.list.d/extra.list: recorded absent (not in sources or foreign_sources), "
                            "found present"]


def test_a_missing_foreign_list_uid_1000_and_arch_differ():
    probe = probe_of(KASM)
    probe.sources.remove("/etc/apt/sources.list.d/nodesource.list")
    probe.uid_1000 = "ubuntu"
    probe.archs.append("i386")
    found = {(d.subject, d.found) for d in differences(KASM, config_of(KASM), probe)}
    assert found == {("/etc/apt/sources.list.d/nodesource.list", "absent"), ("uid 1000", "ubuntu"),
                     ("foreign architectures", "i386")}


def test_parse_probe_leaves_out_lines_it_does_not_know_and_says_when_the_end_is_missing():
    probe = parse_probe("noise\npath\t/etc/passwd\tlink:/tmp/.passwd\nsource\t/etc/apt/a\tb\tc\n")
    assert probe.paths == {"/etc/passwd": "link:/tmp/.passwd"} and probe.sources == [] and not probe.complete
    assert parse_probe("uid1000\tkasm-user\t\nend\n").uid_1000 == "kasm-user"


def test_the_probe_is_fixed_text_and_its_arguments_come_from_the_row():
    assert probe_args(NOVNC)[-3:] == ["--", "add-pkg", "set-cont-env"]
    bad = dataclasses.replace(NOVNC, links=(("/etc/pass wd; rm -rf /", "/tmp/x"),))
    assert "links: " in probe_problem(bad)
    assert "helpers: " in probe_problem(dataclasses.replace(NOVNC, helpers=("$(id)",)))
    assert probe_problem(knowledge.base("plain", "scratch", "")) == "scratch has no shell to run the probe in"


def test_the_probe_reads_links_files_folders_and_helpers(tmp_path):
    """PROBE run by this machine's /bin/sh: the kinds it reports for paths in a temporary folder."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    os.symlink("/nonexistent/target", tmp_path / "dangling")
    paths = [str(tmp_path / n) for n in ("file", "dir", "dangling", "missing")]
    out = subprocess.run(["/bin/sh", "-c", basefacts.PROBE, "probe", *paths, "--", "sh", "no-such-helper-xyz"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    probe = parse_probe(out)
    assert probe.complete
    assert [probe.paths[p] for p in paths] == ["file", "dir", "link:/nonexistent/target", "missing"]
    assert probe.helpers["sh"].endswith("/sh") and probe.helpers["no-such-helper-xyz"] == ""


def test_difference_line_names_row_image_fact_and_both_values():
    d = Difference("/etc/passwd", "link to /tmp/.passwd", "regular file")
    assert d.line("novnc/debian/12", "jlesage/baseimage-gui:debian-12-v4.13.1") == (
        "novnc/debian/12 jlesage/baseimage-gui:debian-12-v4.13.1: /etc/passwd: recorded link to /tmp/.passwd, "
        "found regular file")


def test_parse_row():
    assert basefacts.parse_row("novnc/debian/12") == ("novnc", "debian", "12")
    assert basefacts.parse_row("novnc/debian") is None and basefacts.parse_row("a/b/c; x") is None


# ------------------------------------------------------------------ the stand-ins' Dockerfiles

@pytest.mark.parametrize("base", standins.debian_rows(), ids=basefacts.row_name)
def test_the_stand_in_dockerfile_is_made_of_the_rows_facts(base):
    text = standins.dockerfile(base)
    commands = dockerfile.parse_string(text)
    by = {}
    for c in commands:
        by.setdefault(c.cmd, []).append(c)
    assert [c.value for c in by["FROM"]] == [(standins.FROM,)]  # the local base only
    assert by["ENTRYPOINT"][-1].json and by["ENTRYPOINT"][-1].value == base.entrypoint
    assert by["CMD"][-1].json and by["CMD"][-1].value == base.cmd
    assert [c.value for c in by.get("USER", [])] == ([] if base.user == "root" else [(base.user,)])
    labels = [c.value for c in by["LABEL"]]
    assert (standins.LABEL, basefacts.row_name(base)) in labels
    env = dict(c.value for c in by.get("ENV", []))
    assert env.get("NVIDIA_DRIVER_CAPABILITIES", "") == base.nvidia_capabilities
    run = " ".join(c.value[0] for c in by["RUN"])
    for path, target in base.links:
        assert f"ln -s {target} {path}" in run
    assert (f"useradd --uid 1000 --user-group --create-home --shell /bin/bash {base.uid_1000}" in run) == \
        bool(base.uid_1000)
    for arch in base.foreign_archs:
        assert f"dpkg --add-architecture {arch}" in run
    files = standins.files(base)
    for helper in base.helpers:
        assert f"{standins.HELPER_DIR}/{helper}" in files and env["PATH"].endswith(":" + standins.HELPER_DIR)
    for path in base.foreign_sources:
        assert files[path].startswith("deb ") and " https://" in files[path]
    if base.sources != standins.IMAGE_SOURCES:
        assert f"rm -f {standins.IMAGE_SOURCES}" in run and files[base.sources].startswith("deb http")


def test_the_jlesage_stand_in_keeps_account_copies_before_linking_them():
    run = " && ".join(c.value[0] for c in dockerfile.parse_string(standins.dockerfile(NOVNC)) if c.cmd == "RUN")
    kept = run.index(f"cp -p /etc/passwd /etc/group /etc/shadow /etc/gshadow {standins.ACCOUNTS_KEPT}/")
    assert kept < run.index("ln -s /tmp/.passwd /etc/passwd")


def test_the_kasm_stand_in_has_the_real_format_third_party_lists_and_its_sources_file():
    files = standins.files(KASM)
    nodesource = files["/etc/apt/sources.list.d/nodesource.list"]
    assert nodesource == "deb https://deb.nodesource.com/node_18.x nodistro main\n"
    assert "download.docker.com/linux/debian bookworm stable" in files["/etc/apt/sources.list.d/docker.list"]
    assert files["/etc/apt/sources.list"] == ("deb http://deb.debian.org/debian bookworm main\n"
                                              "deb http://deb.debian.org/debian bookworm-updates main\n"
                                              "deb http://security.debian.org/debian-security bookworm-security main\n")


@pytest.mark.parametrize("script", [standins.ADD_PKG, standins.SET_CONT_ENV, standins.ENTRY])
def test_the_stand_in_scripts_are_valid_sh(script, tmp_path):
    (tmp_path / "s").write_text(script)
    assert subprocess.run(["/bin/sh", "-n", str(tmp_path / "s")], capture_output=True).returncode == 0


def test_stand_ins_are_refused_for_what_they_cannot_stand_in_for():
    with pytest.raises(ValueError, match="Debian only"):
        standins.files(knowledge.base("novnc", "alpine", "3.21"))
    with pytest.raises(ValueError, match="no stand-in script for the helper 'del-pkg'"):
        standins.files(dataclasses.replace(NOVNC, helpers=("del-pkg",)))


def test_an_unknown_third_party_list_gets_an_unreachable_host():
    base = dataclasses.replace(KASM, foreign_sources=("/etc/apt/sources.list.d/extra.list",))
    assert standins.files(base)["/etc/apt/sources.list.d/extra.list"] == \
        "deb https://extra.invalid/debian bookworm main\n"
