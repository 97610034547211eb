"""The program a desktop `command` app starts and the package that provides it (wizard/data/commands.toml).

Render level: the desktop bases of Ubuntu and Alpine cannot be pulled here, and the Debian package names of the
table were read in bookworm's Contents index (the table's header says how). What is checked is that validate and
the rendered install agree: an accepted answer installs the table's package (or the one the user names), a
refused one names app.command, the reason and what is accepted, and no package is ever made up from a name.
"""

from __future__ import annotations

import re

import pytest

from wizard import checks, knowledge
from wizard.render import render
from wizard.text import EN, ZH, in_lang
from wizard.validate import validate

OSES = (("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04"), ("alpine", "3.21"))
COMMANDS = knowledge.table("commands")["commands"]


def _desktop(command: str, family: str = "debian", version: str = "12", engine: str = "novnc", **more) -> dict:
    return {"ssh.enabled": False, "app.type": "desktop", "desktop.engine": engine, "app.name": "command",
            "app.command": command, "os.family": family, "os.version": version, **more}


def _installed(dockerfile: str) -> set[str]:
    """The package names the Dockerfile's install lines (apt-get install, add-pkg, apk add) name."""
    words = re.findall(r"[a-z0-9][a-z0-9+.-]+", " ".join(dockerfile.split("\\\n")))
    return set(words)


def test_every_row_has_a_source_valid_package_names_and_known_messages():
    for program, row in COMMANDS.items():
        assert row.get("source"), program
        for family, value in row.items():
            if family in ("source", "refused", "via", "snap"):
                continue
            for package in [value] if isinstance(value, str) else value:
                assert package == "" or checks.apt_package(package) is None, (program, package)
        for message in row.get("refused", {}).values():
            assert message in EN and message in ZH, (program, message)
    for package, programs in knowledge.table("commands")["packages"].items():
        for program in programs:  # a package named as the command points at programs the table knows
            assert package in knowledge.command_need(program, "debian", "12").packages[0] or \
                package == "libreoffice-common", (package, program)


@pytest.mark.parametrize("family,version", OSES)
@pytest.mark.parametrize("program", sorted(COMMANDS))
def test_every_known_program_installs_its_package_or_is_refused_with_the_alternative(program, family, version):
    need = knowledge.command_need(program, family, version)
    answers, problems = validate(_desktop(program, family, version))
    if need is None:  # not known there: its package must be named
        assert [k for k, _ in problems] == ["app.command"] and "packages.apt" in problems[0][1]
        return
    if need.refused:
        assert [k for k, _ in problems] == ["app.command"], problems
        assert "accepted: " in problems[0][1] and in_lang(problems[0][1], "zh") != problems[0][1]
        return
    if need.via:  # java: packages.java's JDK
        assert [k for k, _ in problems] == ["app.command"] and "packages.java" in problems[0][1]
        answers, problems = validate(_desktop(program, family, version, **{"packages.java": "17"}))
        assert problems == [] and answers["packages.apt"] == []
        return
    assert problems == [], problems
    assert answers["packages.apt"] == list(need.packages[:1])  # the default: the table's package, or nothing
    if need.packages:
        assert need.packages[0] in _installed(render(answers).dockerfile)


@pytest.mark.parametrize("program,package", [("xclock", "x11-apps"), ("xeyes", "x11-apps"), ("xdpyinfo", "x11-utils"),
                                             ("xev", "x11-utils"), ("firefox", "firefox-esr"), ("xterm", "xterm")])
def test_a_program_gets_the_package_that_provides_it_not_one_named_like_it(program, package):
    answers, problems = validate(_desktop(program))
    assert problems == [] and answers["packages.apt"] == [package]
    assert package in _installed(render(answers).dockerfile)
    answers, problems = validate(_desktop(program, engine="builtin"))  # the built-in desktop on Debian too
    assert problems == [] and answers["packages.apt"] == [package]


def test_alpine_names_its_own_packages():
    for program, package in (("xclock", "xclock"), ("xdpyinfo", "xdpyinfo"), ("bash", "bash"), ("firefox", "firefox")):
        answers, problems = validate(_desktop(program, "alpine", "3.21"))
        assert problems == [] and answers["packages.apt"] == [package], program


@pytest.mark.parametrize("version", ["22.04", "24.04"])
@pytest.mark.parametrize("program,snap", [("firefox", "firefox"), ("chromium", "chromium-browser"),
                                          ("chromium-browser", "chromium-browser")])
def test_ubuntu_s_snap_stubs_are_refused_with_the_debian_alternative(program, snap, version):
    for apt in ([], [program]):  # naming the stub in packages.apt does not make it run
        _, problems = validate(_desktop(program, "ubuntu", version, **{"packages.apt": apt}))
        assert [k for k, _ in problems] == ["app.command"], problems
        message = problems[0][1]
        assert f"snap transitional package {snap}" in message and "os.family = debian" in message
        assert "snap 过渡包" in in_lang(message, "zh")


def test_firefox_esr_is_debian_s_and_alpine_s_not_ubuntu_s():
    assert validate(_desktop("firefox-esr --kiosk"))[1] == []
    assert validate(_desktop("firefox-esr", "alpine", "3.21"))[1] == []
    _, problems = validate(_desktop("firefox-esr", "ubuntu", "22.04"))
    assert [k for k, _ in problems] == ["app.command"] and "Mozilla's PPA" in problems[0][1]


@pytest.mark.parametrize("package,program", [("x11-utils", "xdpyinfo"), ("x11-apps", "xclock"),
                                             ("libreoffice-common", "libreoffice")])
def test_a_package_name_as_the_command_is_refused_naming_its_programs(package, program):
    for apt in ([], [package]):
        _, problems = validate(_desktop(package, **{"packages.apt": apt}))
        assert [k for k, _ in problems] == ["app.command"], problems
        assert "is a package, not a program" in problems[0][1] and program in problems[0][1]


def test_an_unknown_program_needs_its_package_named_and_then_installs_exactly_that():
    answers, problems = validate(_desktop("myviewer --full"))
    assert answers["packages.apt"] == []  # never ["myviewer"]
    assert [k for k, _ in problems] == ["app.command"]
    assert "never guesses one" in problems[0][1] and "packages.apt naming the package" in problems[0][1]
    assert "xclock" in problems[0][1]  # and the programs it does know
    answers, problems = validate(_desktop("myviewer --full", **{"packages.apt": ["viewer-pkg"]}))
    assert problems == [] and answers["packages.apt"] == ["viewer-pkg"]
    assert "viewer-pkg" in _installed(render(answers).dockerfile) and "myviewer" not in \
        " ".join(ln for ln in render(answers).dockerfile.splitlines() if "install" in ln)


def test_a_known_program_whose_package_packages_apt_leaves_out_is_refused():
    _, problems = validate(_desktop("xclock", **{"packages.apt": ["htop"]}))
    assert [k for k, _ in problems] == ["app.command"]
    assert "comes from the debian 12 package x11-apps" in problems[0][1]
    assert "packages.apt with x11-apps" in problems[0][1]
    assert validate(_desktop("libreoffice --calc", **{"packages.apt": ["libreoffice-calc"]}))[1] == []


def test_java_and_sh_need_no_package_of_their_name():
    """`java -jar ...` used to default packages.apt to ["java"] and `sh ...` to ["sh"]: both fail at build."""
    answers, problems = validate(_desktop("java -jar /opt/app/app.jar", **{"packages.java": "17"}))
    assert problems == [] and answers["packages.apt"] == []
    assert "openjdk-17-jdk" in _installed(render(answers).dockerfile)  # a desktop gets the full JDK (AWT)
    answers, problems = validate(_desktop("java -jar /opt/app/app.jar", **{"packages.apt": ["default-jre"]}))
    assert problems == [] and answers["packages.apt"] == ["default-jre"]
    _, problems = validate(_desktop("java -jar /opt/app/app.jar"))
    assert [k for k, _ in problems] == ["app.command"]
    assert "packages.java = 17" in problems[0][1] and "default-jre" in problems[0][1]
    for family, version in OSES:
        answers, problems = validate(_desktop("sh -c xterm", family, version))
        assert problems == [] and answers["packages.apt"] == [], family


def test_code_is_refused_with_code_server_as_the_way():
    _, problems = validate(_desktop("code --no-sandbox", **{"packages.apt": ["code"]}))
    assert [k for k, _ in problems] == ["app.command"] and "app.name = code-server" in problems[0][1]


def test_a_common_tool_counts_only_when_packages_common_installs_it():
    assert validate(_desktop("vim"))[1] == []
    _, problems = validate(_desktop("vim", **{"packages.common": False}))
    assert [k for k, _ in problems] == ["app.command"]


@pytest.mark.parametrize("family,version", [("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04")])
def test_kasmweb_offers_every_program_on_every_os_it_has(family, version):
    answers, problems = validate(_desktop("xclock", family, version, engine="kasmweb"))
    assert problems == [] and answers["packages.apt"] == ["x11-apps"]
    assert "x11-apps" in _installed(render(answers).dockerfile)


@pytest.mark.parametrize("command", ["else", "fi --now", "in", "do x"])
def test_a_shell_keyword_as_the_program_is_refused_naming_it(command):
    """Found by tests/test_hostile.py: `else` as app.command made autostart a script sh cannot read."""
    for app in (_desktop(command, **{"packages.apt": ["xterm"]}),
                {"ssh.enabled": False, "app.type": "binary", "app.command": command}):
        _, problems = validate(app)
        assert [k for k, _ in problems] == ["app.command"], problems
        assert repr(command) in problems[0][1] and "not a word of the shell's own grammar" in problems[0][1]
        assert "不是 shell 语法本身的关键字" in in_lang(problems[0][1], "zh")
    assert checks.command_line("elsewhere --x") is None and checks.command_line("xterm else") is None
