"""app.files on the real engine, from outside: a built-in desktop (Debian 12) whose app is a folder of the build
folder, `tool/` with `bin/start` (a shell script that execs xterm with a title), copied to /opt/<image name>/tool
with its mode kept; `imgwizard check IMAGE` (the answers from the image's label) says the app runs, and the
browser tab names the app. The same answers with the folder's program missing are refused by `imgwizard validate`
and `imgwizard render` with one line naming app.command, before anything is built or written. The packages are
conftest's xterm_root_image's, so the engine's cache makes the build a few COPY steps."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.answers_kit import BUILTIN_DESKTOP, answers_toml
from tests.docker.conftest import rendered
from tests.docker.test_desktop_builtin import PASSWORD, _mapped, _wait_for
from wizard.context import write
from wizard.engine.build import docker_builder

pytestmark = pytest.mark.docker

NAME = "desktop-app-files"
TITLE = "Tool from app.files"
# the user's own launcher: starts the app from its folder and stays its parent
START = f"#!/bin/sh\ncd \"$(dirname \"$0\")/..\" || exit 1\nxterm -T '{TITLE}'\n"
# the same launcher ending in exec, as most launchers do (JetBrains' bin/*.sh): `start` becomes xterm
START_EXEC = f"#!/bin/sh\ncd \"$(dirname \"$0\")/..\" || exit 1\nexec xterm -T '{TITLE}'\n"
CLI = [str(Path(sys.executable).parent / "imgwizard")]


def _answers(name: str = NAME) -> str:
    return answers_toml(name, app={"type": "desktop", "name": "command", "files": ["tool"],
                                   "command": f"/opt/{name}/tool/bin/start"},
                        desktop=BUILTIN_DESKTOP, packages={"apt": ["xterm"]})


def _tool(context: Path, start: str | None = START) -> None:
    """The user's folder in the build folder: bin/start (0755) and a data file only its owner may read (0600)."""
    (context / "tool" / "bin").mkdir(parents=True)
    (context / "tool" / "data.txt").write_text("the app's own data\n")
    (context / "tool" / "data.txt").chmod(0o600)
    if start is not None:
        (context / "tool" / "bin" / "start").write_text(start)
        (context / "tool" / "bin" / "start").chmod(0o755)


def _build(client, folder: Path, start: str, like: str, images_to_remove: list) -> tuple[str, str]:
    """The image, rendered with its build folder as the base of app.files (validate looks at the real folder)."""
    context = folder / "context"
    _tool(context, start)
    _, ctx = rendered(_answers(), context)
    write(ctx, context)
    tag = f"{like.split('/')[0]}/{NAME}-{folder.name}:{like.rsplit(':', 1)[1]}"
    events = list(docker_builder(client)(context, tag, threading.Event()))
    images_to_remove.append(tag)
    log = "\n".join(e.text for e in events)
    assert events[-1].kind == "done", log[-3000:]
    return tag, log


@pytest.fixture(scope="module")
def tool_image(docker_client, scenario_dir, images_to_remove, xterm_root_image):
    return _build(docker_client, scenario_dir / "app-files-runs", START, xterm_root_image.tag, images_to_remove)


@pytest.fixture(scope="module")
def exec_image(docker_client, scenario_dir, images_to_remove, xterm_root_image):
    return _build(docker_client, scenario_dir / "app-files-execs", START_EXEC, xterm_root_image.tag, images_to_remove)


def test_the_folder_lands_in_opt_with_its_modes_and_only_it_is_sent(docker_client, tool_image):
    tag, log = tool_image
    out = docker_client.containers.run(tag, entrypoint=["stat", "-c", "%a %U %n", f"/opt/{NAME}/tool/bin/start",
                                                        f"/opt/{NAME}/tool/data.txt"], remove=True)
    assert out.decode().splitlines() == [f"755 root /opt/{NAME}/tool/bin/start", f"600 root /opt/{NAME}/tool/data.txt"]
    assert f"COPY tool /opt/{NAME}/tool" in log
    # the packages and the desktop's files came from the cache of xterm_root_image's build
    assert "Using cache" in log


def test_imgwizard_check_from_the_label_sees_the_app_running(tool_image):
    """No --context: `check` reads the answers from the image's label, starts it and watches the app's process."""
    tag, _ = tool_image
    run = subprocess.run([*CLI, "check", tag, "--timeout", "90"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok   noVNC viewer on 31000" in run.stdout
    assert "ok   app " in run.stdout, run.stdout


def test_imgwizard_check_sees_a_launcher_that_execs_the_app(exec_image):
    """The launcher `start` execs xterm: its pid stays, its name does not; check follows the pid the supervisor
    wrote (check_desktop.supervised_app)."""
    tag, _ = exec_image
    run = subprocess.run([*CLI, "check", tag, "--timeout", "30"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_app_window_is_the_folder_s_program_and_the_tab_names_the_app(docker_client, tool_image):
    """The window on the desktop is the one bin/start opened (its title), and Xvnc's desktop name (noVNC's tab
    title) is the app's, the image's name, not the launcher's file name `start`."""
    tag, _ = tool_image
    c = docker_client.containers.run(tag, detach=True, environment={"DESKTOP_PASSWORD": PASSWORD},
                                     ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        _wait_for(lambda: _mapped(c, "xterm"), "the xterm window", c)
        names = c.exec_run(["sh", "-c", "export DISPLAY=:1; xprop -root _NET_CLIENT_LIST | grep -o '0x[0-9a-f]*' | "
                                        "xargs -I{} xprop -id {} WM_NAME"]).output.decode()
        assert TITLE in names, names
        xvnc = [row[-1] for row in c.top()["Processes"] if row[-1].startswith("Xvnc")]
        assert xvnc and f"-desktop {NAME} " in xvnc[0], xvnc  # the name noVNC puts in the browser tab
        logs = c.logs().decode()
        assert f"starting the app: /opt/{NAME}/tool/bin/start" in logs, logs
    finally:
        c.remove(force=True)


def test_a_missing_program_in_the_folder_is_refused_before_anything_is_written(scenario_dir):
    folder = scenario_dir / "desktop-app-files-missing"
    _tool(folder, start=None)
    (folder / "answers.toml").write_text(_answers())
    for command in (["validate", str(folder / "answers.toml")],
                    ["render", str(folder / "answers.toml"), "-o", str(folder / "out")]):
        run = subprocess.run([*CLI, *command], capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, run.stdout + run.stderr
        lines = [line for line in run.stderr.splitlines() if "app.command" in line]
        assert len(lines) == 1, run.stderr
        assert "'tool/bin/start' of the build folder, which 'tool' does not hold" in lines[0], lines
    assert not (folder / "out").exists()
    shutil.rmtree(folder)
