"""`imgwizard bases` and `imgwizard bases check` without an engine: the listing, what the arguments accept (exit 2),
no engine (exit 3), and how a report is printed (the engine side is tests/docker/test_bases_check.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screens.cli import bases as bases_cli
from screens.cli import main
from wizard import knowledge
from wizard.basefacts import Difference, row_name
from wizard.engine import bases_check

NOVNC = knowledge.base("novnc", "debian", "12")


def test_bases_lists_every_row_with_its_reference_and_upstream(capsys):
    assert main(["bases"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = knowledge.bases()
    assert len(out) == len(rows) + 1
    for line, b in zip(out, rows):
        assert line.startswith(row_name(b) + " ") and b.ref() in line
        assert ("third-party" in line) == knowledge.third_party(b)
        if b.upstream:
            assert line.endswith(f"facts read at {b.upstream}")
    assert "bases check" in out[-1]


def test_help_of_bases_and_bases_check_from_the_console_script():
    exe = shutil.which("imgwizard", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed"
    for argv, usage in ((["bases", "--help"], "usage: imgwizard bases"),
                        (["bases", "check", "--help"], "usage: imgwizard bases check")):
        proc = subprocess.run([exe, *argv], capture_output=True, text=True)
        assert proc.returncode == 0 and usage in proc.stdout, proc.stderr
    check_help = subprocess.run([exe, "bases", "check", "--help"], capture_output=True, text=True).stdout
    assert "--no-pull" in check_help and "--row" in check_help and "--host" in check_help


def test_an_unknown_row_is_refused_naming_the_rows(capsys):
    assert main(["bases", "check", "--row", "novnc/debian/13"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bases check: --row 'novnc/debian/13' is not a row of bases.toml; accepted: ")
    assert "novnc/debian/12" in err and "plain/scratch" not in err


def test_an_image_that_is_not_pinned_is_refused_naming_the_pinned_ones(capsys):
    assert main(["bases", "check", "jlesage/baseimage-gui:debian-12-v4"]) == 2
    err = capsys.readouterr().err.strip()
    assert "IMAGE jlesage/baseimage-gui:debian-12-v4 is not a pinned base; accepted: " in err
    assert NOVNC.ref() in err and "--row ENGINE/FAMILY/VERSION" in err


def test_a_bad_image_name_or_scratch_row_is_refused(capsys):
    assert main(["bases", "check", "--row", "novnc/debian/12", "Not An\x1b[31mImage"]) == 2
    err = capsys.readouterr().err
    assert "is not an image name" in err and "\x1b" not in err
    assert main(["bases", "check", "--row", "plain/scratch/"]) == 2
    assert "scratch has no shell" in capsys.readouterr().err


def test_no_engine_is_exit_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    assert main(["bases", "check", "--no-pull"]) == 3
    assert "no Docker engine answers" in capsys.readouterr().err
    assert main(["bases", "check", "--host", f"unix://{tmp_path}/other.sock", NOVNC.image]) == 3


def test_targets_default_to_every_pinned_base_and_row_to_its_reference():
    every = bases_cli.targets(_args([]))[0]
    assert [b for b, _ in every] == [b for b in knowledge.bases() if knowledge.third_party(b)]
    assert all(ref == b.ref() for b, ref in every)
    assert bases_cli.targets(_args([], row="plain/debian/12"))[0] == [(knowledge.base("plain", "debian", "12"),
                                                                         "debian:bookworm-slim")]
    assert bases_cli.targets(_args(["my/try:4.14.0"], row="novnc/debian/12"))[0] == [(NOVNC, "my/try:4.14.0")]


def test_a_report_is_printed_safely_one_line_per_difference(monkeypatch, capsys):
    """check_base is replaced here (no engine): what an image says is shown escaped, and drift is exit 1."""
    def fake(client, base, ref, pull=True, say=None):
        report = bases_check.BaseReport(base, ref)
        report.differences = [Difference("/etc/apt/sources.list.d/\x1b]0;x\x07.list", "absent", "present")]
        return report

    monkeypatch.setattr(bases_check, "check_base", fake)
    assert bases_cli.run_check(object(), [(NOVNC, NOVNC.image)], pull=False) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"novnc/debian/12 {NOVNC.image}: /etc/apt/sources.list.d/\\x1b]0;x\\x07.list: recorded absent, "
                      "found present")
    assert out[-1] == "bases check: 1 image(s): 0 as recorded, 1 with drift, 0 not checked"


def test_an_image_not_checked_is_exit_1_and_said_on_stderr(monkeypatch, capsys):
    def fake(client, base, ref, pull=True, say=None):
        return bases_check.BaseReport(base, ref, problem="not present on the engine")

    monkeypatch.setattr(bases_check, "check_base", fake)
    assert bases_cli.run_check(object(), [(NOVNC, NOVNC.image)], pull=False) == 1
    captured = capsys.readouterr()
    assert f"novnc/debian/12 {NOVNC.image}: not checked: not present on the engine" in captured.err
    assert captured.out.strip() == "bases check: 1 image(s): 0 as recorded, 0 with drift, 1 not checked"


def _args(images, row=None, no_pull=True):
    import argparse
    return argparse.Namespace(images=images, row=row, no_pull=no_pull, host=None)


@pytest.mark.parametrize("text", ["novnc/debian", "NOVNC/debian/12", "a/b/c/d", "novnc/debian/12\n"])
def test_row_names_outside_the_form_are_refused(text, capsys):
    assert main(["bases", "check", "--row", text]) == 2
    assert "is not a row of bases.toml" in capsys.readouterr().err
