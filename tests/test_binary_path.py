"""A binary app's file may sit in a subfolder of the build folder (bin/server, target/release/app); a path that
leaves the folder (.., absolute, a symbolic link out) is refused with one line naming app.command.
The real build and run of bin/hello: tests/docker/test_ssh_session.py (ssh_binary_image)."""

from pathlib import Path

import pytest

from wizard.context import plan_write
from wizard.render import render
from wizard.validate import validate

BINARY = {"app.type": "binary"}


@pytest.mark.parametrize("path", ["app", "bin/server", "target/release/app", "out/my_app-1.2+x"])
def test_a_path_inside_the_folder_is_accepted_and_copied_from_there(path, tmp_path):
    answers, problems = validate({**BINARY, "app.command": path}, tmp_path)
    assert problems == []
    ctx = render(answers, tmp_path)
    name = path.rsplit("/", 1)[-1]
    assert f"COPY {path} /app/{name}\n" in ctx.dockerfile  # scratch
    assert f'ENTRYPOINT ["/app/{name}"]' in ctx.dockerfile
    assert f"!{path}\n" in ctx.files[".dockerignore"].text
    assert (path, "the binary (statically linked for scratch)") in ctx.plan.user_files


def test_on_debian_it_lands_on_path(tmp_path):
    answers, problems = validate({**BINARY, "app.command": "target/release/app", "os.family": "debian"}, tmp_path)
    assert problems == []
    ctx = render(answers, tmp_path)
    assert "COPY target/release/app /usr/local/bin/app\n" in ctx.dockerfile
    assert '"/usr/local/bin/app"' in ctx.dockerfile


@pytest.mark.parametrize("path", ["../app", "bin/../../app", "/usr/bin/app", "./app", "bin//app", "bin/", "bin/./app",
                                  "~/app", "bin\\app", ".."])
def test_a_path_that_leaves_or_is_not_plain_is_refused_with_one_line(path, tmp_path):
    _, problems = validate({**BINARY, "app.command": path}, tmp_path)
    assert [k for k, _ in problems] == ["app.command"], problems
    message = problems[0][1]
    assert "\n" not in message
    # ~ and \ are not even command words (the field's own check says so); the rest gets the binary's rule
    assert ("accepted: a path inside the build folder" if path.isascii() and "~" not in path and "\\" not in path
            else "accepted: ") in message


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "server").symlink_to("/bin/true")
    _, problems = validate({**BINARY, "app.command": "bin/server"}, tmp_path)
    assert [k for k, _ in problems] == ["app.command"], problems
    assert "symbolic link to" in problems[0][1] and "outside the build folder" in problems[0][1]


def test_a_folder_link_out_is_refused_too(tmp_path):
    (tmp_path / "target").symlink_to("/usr")  # target/bin/env resolves to /usr/bin/env
    _, problems = validate({**BINARY, "app.command": "target/bin/env"}, tmp_path)
    assert [k for k, _ in problems] == ["app.command"], problems


def test_a_link_inside_the_folder_is_fine(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "real").write_text("#!/bin/sh\n")
    (tmp_path / "bin" / "server").symlink_to("../real")
    assert validate({**BINARY, "app.command": "bin/server"}, tmp_path)[1] == []


def test_saving_says_when_the_binary_in_the_save_folder_links_out(tmp_path: Path):
    answers, _ = validate({**BINARY, "app.command": "bin/server"}, tmp_path)
    out = tmp_path / "ctx"
    (out / "bin").mkdir(parents=True)
    report = plan_write(render(answers, tmp_path), out)
    assert report.missing == [("bin/server", "the binary (statically linked for scratch)")]  # not there yet
    (out / "bin" / "server").symlink_to("/bin/true")
    (reason,) = [what for name, what in plan_write(render(answers, tmp_path), out).missing if name == "bin/server"]
    assert "outside the build folder" in reason
    (out / "bin" / "server").unlink()
    (out / "bin" / "server").write_bytes(b"\x7fELF")
    assert plan_write(render(answers, tmp_path), out).missing == []
