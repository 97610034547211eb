"""os.base_release: another release (tag) of the pinned third-party base (issue 27).

Render level: the third-party bases cannot be pulled here. Every accepted release renders FROM the same
repository with that tag and the warning that the facts were read at the pinned release; every refusal names
os.base_release and what is accepted.
"""

from __future__ import annotations

import pytest

from wizard import knowledge
from wizard.render import render
from wizard.text import in_lang
from wizard.validate import validate

THIRD_PARTY = [b.key for b in knowledge.bases() if knowledge.third_party(b)]


def _desktop(engine: str, family: str, version: str, **more) -> dict:
    return {"ssh.enabled": False, "app.type": "desktop", "desktop.engine": engine, "app.name": "command",
            "app.command": "xterm", "os.family": family, "os.version": version, **more}


def _from(dockerfile: str) -> str:
    return next(ln for ln in dockerfile.splitlines() if ln.startswith("FROM "))


@pytest.mark.parametrize("engine,family,version", THIRD_PARTY)
def test_every_third_party_row_builds_its_pinned_release_or_the_one_asked_for_with_a_warning(engine, family, version):
    base = knowledge.base(engine, family, version)
    answers, problems = validate(_desktop(engine, family, version))
    assert problems == [] and answers["os.base_release"] == ""
    ctx = render(answers)
    assert _from(ctx.dockerfile) == f"FROM {base.ref()}" and not any("facts read at" in w for w in ctx.warnings)
    answers, problems = validate(_desktop(engine, family, version, **{"os.base_release": "next-1.0_rc2"}))
    assert problems == []
    ctx = render(answers)
    assert _from(ctx.dockerfile) == f"FROM {base.repository}:next-1.0_rc2"
    warning = next(w for w in ctx.warnings if "facts read at" in w)
    assert f"facts read at {base.release}" in warning and "imgwizard bases check" in warning
    assert in_lang(warning, "zh") != warning
    answers, _ = validate(_desktop(engine, family, version, **{"os.base_release": base.release}))
    assert _from(render(answers).dockerfile) == f"FROM {base.ref()}"  # the pinned release itself: no warning


@pytest.mark.parametrize("value", ["v4.13.1", "debian-12-v4", "_x", "A" * 128, "ubuntujammy-b455693b-ls146", "1.18.0"])
def test_docker_s_tag_grammar_is_accepted(value):
    assert validate(_desktop("novnc", "debian", "12", **{"os.base_release": value}))[1] == []


@pytest.mark.parametrize("value,words", [
    ("-v4", "not starting with . or -"), (".v4", "not starting with . or -"), ("v 4", "letters, digits, _ . -"),
    ("v4;touch x", "letters, digits, _ . -"), ("v4:latest", "letters, digits, _ . -"), ("v4@sha256", "_ . -"),
    ("A" * 129, "at most 128 characters"), ("v4\n", "control character"), ("v4\u2028x", "control character"),
    ("ｖ4", "letters, digits, _ . -"), (4, "text in quotes"),
])
def test_anything_else_is_refused_naming_os_base_release(value, words):
    _, problems = validate(_desktop("kasm", "debian", "12", **{"os.base_release": value}))
    assert [k for k, _ in problems] == ["os.base_release"], problems
    assert words in problems[0][1] and "accepted: " in problems[0][1]


@pytest.mark.parametrize("given,image", [
    ({"app.type": "shell"}, "debian:bookworm-slim"),
    ({"app.type": "web", "app.name": "jupyter", "os.family": "ubuntu", "os.version": "24.04"}, "ubuntu:24.04"),
    ({"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command", "app.command": "xterm",
      "os.family": "debian", "os.version": "12"}, "debian:bookworm-slim"),
    ({"app.type": "binary", "app.command": "app"}, "scratch"),
])
def test_a_plain_built_in_or_scratch_image_refuses_it_and_points_at_os_base_image(given, image):
    _, problems = validate({"ssh.enabled": False, **given, "os.base_release": "v2"})
    assert [k for k, _ in problems] == ["os.base_release"], problems
    assert image in problems[0][1] and "os.base_image" in problems[0][1]
    assert "os.base_image" in in_lang(problems[0][1], "zh")
    assert validate({"ssh.enabled": False, **given, "os.base_release": ""})[1] == []


def test_it_is_refused_together_with_os_base_image():
    given = _desktop("novnc", "debian", "12", **{"os.base_release": "debian-12-v4.14.0",
                                                  "os.base_image": "jlesage/baseimage-gui:debian-12-v4"})
    _, problems = validate(given)
    assert [k for k, _ in problems] == ["os.base_release"]
    assert "one of them" in problems[0][1] and "jlesage/baseimage-gui" in problems[0][1]
