"""app.files: a desktop command app's own files and folders from the build folder, copied with their names (and
modes) to /opt/<image name>/, and a command that starts a program from there. Validation looks at the real build
folder: a missing or non-executable program, a link that leaves, two entries of one name and a folder imgwizard
fills itself are refused with one line naming the key; an entry not there yet is listed as a file to place.
The real build and run: tests/docker/test_app_files_engine.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.answers import resolve
from wizard.render import render
from wizard.validate import validate

DESKTOP = {"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command", "os.family": "debian",
           "os.version": "12", "packages.apt": ["xterm"], "image.name": "team/mytool"}
TOOL = {**DESKTOP, "app.files": ["tool"], "app.command": "/opt/mytool/tool/bin/start"}


def _tool(base: Path, mode: int = 0o755) -> Path:
    (base / "tool" / "bin").mkdir(parents=True)
    start = base / "tool" / "bin" / "start"
    start.write_text("#!/bin/sh\nexec xterm -T Tool\n")
    start.chmod(mode)
    return start


def _problems(given: dict, base: Path) -> list[tuple[str, str]]:
    return validate(given, base)[1]


def test_a_folder_is_copied_to_opt_image_name_after_the_pip_packages(tmp_path):
    _tool(tmp_path)
    answers, problems = validate({**TOOL, "packages.pip": ["requests"]}, tmp_path)
    assert problems == []
    ctx = render(answers, tmp_path)
    d = ctx.dockerfile
    assert "COPY tool /opt/mytool/tool\n" in d
    # late: after the installed parts (pip included), before the build-time ARG, CMD and the labels
    assert d.index("RUN pip install") < d.index("COPY tool ") < d.index("ARG IMGWIZARD_CREATED") < d.index("CMD [")
    assert "--chmod" not in d
    assert "!tool\n" in ctx.files[".dockerignore"].text
    assert ("tool", "the app's own file or folder, copied to /opt/mytool/tool") in ctx.plan.user_files
    assert "#   tool  (the app's own file or folder, copied to /opt/mytool/tool)" in ctx.files["README.md"].text
    assert "chmod +x" in ctx.files["README.md"].text
    desktop = ctx.plan.desktop
    assert desktop["command"] == "/opt/mytool/tool/bin/start"
    assert desktop["process"] == "start"  # what `imgwizard check` watches
    assert desktop["title"] == "mytool"  # the browser tab names the app, not its launcher's file
    assert "exec /opt/mytool/tool/bin/start" in ctx.files["imgwizard-desktop.sh"].text


def test_a_jar_started_by_java_from_packages_java(tmp_path):
    (tmp_path / "build" / "libs").mkdir(parents=True)
    (tmp_path / "build" / "libs" / "app.jar").write_bytes(b"PK\x03\x04")
    given = {**DESKTOP, "packages.apt": [], "packages.java": "17", "app.files": ["build/libs/app.jar"],
             "app.command": "java -jar /opt/mytool/app.jar"}
    answers, problems = validate(given, tmp_path)
    assert problems == []
    d = render(answers, tmp_path).dockerfile
    assert "COPY build/libs/app.jar /opt/mytool/app.jar\n" in d
    assert "openjdk-17-jre" in d or "openjdk-17-jdk" in d


def test_an_entry_not_placed_yet_is_accepted_and_listed_to_place(tmp_path):
    answers, problems = validate(TOOL, tmp_path)
    assert problems == []
    placed = render(answers, tmp_path).plan.user_files
    assert ("tool", "the app's own file or folder, copied to /opt/mytool/tool") in placed


@pytest.mark.parametrize("engine, file, line", [("novnc", "startapp.sh", "exec /opt/mytool/tool/bin/start"),
                                                ("kasm", "autostart", "/opt/mytool/tool/bin/start"),
                                                ("kasmweb", "custom_startup.sh", "    /opt/mytool/tool/bin/start")])
def test_every_desktop_engine_starts_the_program_from_there(engine, file, line, tmp_path):
    _tool(tmp_path)
    given = {**TOOL, "desktop.engine": engine, "os.family": "debian", "os.version": "12"}
    answers, problems = validate(given, tmp_path)
    assert problems == []
    ctx = render(answers, tmp_path)
    assert "COPY tool /opt/mytool/tool\n" in ctx.dockerfile
    assert line in ctx.files[file].text.splitlines()


def test_the_command_must_start_what_app_files_bring_never_otherwise(tmp_path):
    _tool(tmp_path)
    nothing = _problems({**DESKTOP, "app.command": "/opt/mytool/tool/bin/start"}, tmp_path)
    assert [k for k, _ in nothing] == ["app.command"]
    assert "nothing (app.files is empty)" in nothing[0][1] and 'app.files = ["tool"]' in nothing[0][1]
    other = _problems({**TOOL, "app.command": "/opt/mytool/other/bin/start"}, tmp_path)
    assert [k for k, _ in other] == ["app.command"] and "(/opt/mytool/tool)" in other[0][1]
    jar = _problems({**TOOL, "packages.java": "17", "app.command": "java -jar /opt/mytool/app.jar"}, tmp_path)
    assert [k for k, _ in jar] == ["app.command"]
    # a program under another /opt folder: the folder follows image.name, which may have changed since
    renamed = _problems({**TOOL, "image.name": "team/newname"}, tmp_path)
    assert renamed == [("app.command", "'/opt/mytool/tool/bin/start' is under /opt but app.files go to /opt/newname "
                                       "(the folder follows image.name); accepted: a program under /opt/newname/")]
    leaving = _problems({**TOOL, "app.command": "/opt/mytool/tool/../../../bin/sh"}, tmp_path)
    assert [k for k, _ in leaving] == ["app.command"]


def test_a_missing_program_in_a_placed_folder_is_refused_naming_the_file(tmp_path):
    (tmp_path / "tool").mkdir()
    problems = _problems(TOOL, tmp_path)
    assert problems == [("app.command", "'/opt/mytool/tool/bin/start' would be 'tool/bin/start' of the build folder, "
                                        "which 'tool' does not hold; accepted: the path of a file inside 'tool'")]
    (tmp_path / "tool" / "bin" / "start").mkdir(parents=True)  # a folder is no program either
    assert [k for k, _ in _problems(TOOL, tmp_path)] == ["app.command"]


def test_a_program_that_is_not_executable_is_refused_the_image_keeps_the_mode(tmp_path):
    _tool(tmp_path, mode=0o644)
    problems = _problems(TOOL, tmp_path)
    assert [k for k, _ in problems] == ["app.command"]
    assert "chmod +x 'tool/bin/start'" in problems[0][1]
    # started by its interpreter, the script needs no x bit
    assert _problems({**TOOL, "app.command": "sh /opt/mytool/tool/bin/start"}, tmp_path) == []


def test_links_that_leave_the_entry_and_special_files_are_refused(tmp_path):
    _tool(tmp_path)
    inside = tmp_path / "tool" / "bin" / "run"
    inside.symlink_to("start")  # relative, stays inside: fine
    assert _problems(TOOL, tmp_path) == []
    (tmp_path / "tool" / "etc").symlink_to("/etc")
    problems = _problems(TOOL, tmp_path)
    assert [k for k, _ in problems] == ["app.files"] and "'tool/etc'" in problems[0][1]
    (tmp_path / "tool" / "etc").unlink()
    (tmp_path / "other").mkdir()
    (tmp_path / "tool" / "up").symlink_to("../other")  # inside the build folder, outside the entry
    assert [k for k, _ in _problems(TOOL, tmp_path)] == ["app.files"]
    (tmp_path / "tool" / "up").unlink()
    os.mkfifo(tmp_path / "tool" / "pipe")
    problems = _problems(TOOL, tmp_path)
    assert [k for k, _ in problems] == ["app.files"] and "FIFO" in problems[0][1]


def test_an_entry_that_is_a_link_is_refused_even_inside_the_folder(tmp_path):
    _tool(tmp_path)
    (tmp_path / "alias").symlink_to("tool")
    problems = _problems({**TOOL, "app.files": ["alias"], "app.command": "/opt/mytool/alias/bin/start"}, tmp_path)
    assert [k for k, _ in problems] == ["app.files"] and "symbolic link" in problems[0][1]
    (tmp_path / "out").symlink_to("/usr")
    problems = _problems({**TOOL, "app.files": ["out"], "app.command": "xterm"}, tmp_path)
    assert [k for k, _ in problems] == ["app.files"] and "outside the build folder" in problems[0][1]


def test_two_entries_of_one_name_a_generated_name_and_a_taken_folder_are_refused(tmp_path):
    same = _problems({**TOOL, "app.files": ["tool", "vendor/tool"]}, tmp_path)
    assert same == [("app.files", "'vendor/tool' and 'tool' would both be copied to /opt/mytool/tool; accepted: "
                                  "entries whose last parts differ")]
    generated = _problems({**TOOL, "app.files": ["tool", "run.sh"]}, tmp_path)
    assert [k for k, _ in generated] == ["app.files"] and "run.sh" in generated[0][1]
    taken = _problems({**TOOL, "image.name": "team/venv", "app.command": "/opt/venv/tool/bin/start"}, tmp_path)
    assert [k for k, _ in taken] == ["app.files"] and "venv, conda, nvidia, base" in taken[0][1]


@pytest.mark.parametrize("entry", ["../tool", "/opt/tool", "tool/", "./tool", "tool/../x", "-tool", "a//b", "~/tool",
                                   "tool\n", "to ol", "tool\x1b[31m", "x" * 256, "tool;id", "$(id)"])
def test_an_entry_that_is_not_a_plain_path_inside_the_folder_is_refused(entry, tmp_path):
    problems = _problems({**DESKTOP, "app.files": [entry], "app.command": "xterm"}, tmp_path)
    assert [k for k, _ in problems] == ["app.files"], problems
    assert "\n" not in problems[0][1]


def test_at_most_16_entries(tmp_path):
    many = [f"f{i}" for i in range(17)]
    problems = _problems({**DESKTOP, "app.files": many, "app.command": "xterm"}, tmp_path)
    assert [k for k, _ in problems] == ["app.files"] and "16" in problems[0][1]


@pytest.mark.parametrize("given", [{"app.type": "desktop", "app.name": "jetbrains"}, {"app.type": "binary"},
                                   {"app.type": "web", "app.name": "jupyter"}, {"app.type": "shell"}])
def test_app_files_apply_only_to_a_desktop_command_app(given):
    answers, _ = resolve({**given, "app.files": ["tool"]})
    assert "app.files" not in answers
    assert resolve({"app.type": "desktop", "app.name": "command"})[0]["app.files"] == []


def test_without_app_files_nothing_changes(tmp_path):
    answers, problems = validate(DESKTOP, tmp_path)
    assert problems == [] and answers["app.files"] == []
    ctx = render(answers, tmp_path)
    assert "/opt/mytool" not in ctx.dockerfile and ctx.plan.app_files == []
    assert ctx.plan.desktop["title"] == "xterm"
