"""run.sh as written, on the real engine (issue 29, item 2.5): the app's host port is APP_HOST_PORT, the bind
address BIND_ADDRESS (127.0.0.1 here: tests reach only this machine); a start that fails on a busy host port leaves
a container that never ran, which the next run.sh removes, saying so, before it starts the image; a running
container of that name, and one that is not imgwizard's, are never touched. The container gets the restart policy
RESTART_POLICY names, unless-stopped by default (issue 28). Started as run.sh users sometimes start it, with
--read-only or --user, the entry wrapper (SSH) and the built-in desktop stop at once with one line saying what to
drop (issue 28).

The image is the session's Jupyter image (tests/docker/conftest.py, shared with test_services), tagged under a
name of this test's own so its container name is unique; run.sh is rendered from its answers for that name."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from tests.docker.test_desktop_builtin import PASSWORD
from wizard.render import render

pytestmark = pytest.mark.docker

TOKEN = "run-sh-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state(name: str) -> str:
    """The container's status (created, running, exited...), "" when there is none."""
    r = subprocess.run(["docker", "container", "inspect", "--format", "{{.State.Status}}", name],
                       capture_output=True, text=True, timeout=60)
    return r.stdout.strip() if r.returncode == 0 else ""


def run_sh(script: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=120, cwd=script.parent,
                          env={**os.environ, "BIND_ADDRESS": "127.0.0.1", "JUPYTER_TOKEN": TOKEN, **env})


@pytest.fixture
def script(docker_client, jupyter_image, tmp_path):
    """run.sh of the Jupyter answers with a name of this test's own (the session's image tagged under it); its
    container is removed afterwards, and so is the tag."""
    name = f"imgwizard-test/runsh-{uuid.uuid4().hex[:8]}"
    docker_client.images.get(jupyter_image.tag).tag(name, "1")
    answers = {**jupyter_image.answers, "image.name": name, "image.tag": "1"}
    path = tmp_path / "run.sh"
    path.write_text(render(answers, jupyter_image.context).files["run.sh"].text)
    container = name.replace("/", "-")
    yield path, container
    subprocess.run(["docker", "rm", "-f", container], capture_output=True, timeout=60)
    docker_client.images.remove(f"{name}:1")


def wait_for_jupyter(port: int, timeout: float = 90) -> int:
    """The HTTP status of Jupyter's /api on 127.0.0.1:PORT once it answers (a loaded 2-CPU machine: up to 90 s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_busy_port_fails_and_the_next_run_removes_what_it_left_and_starts(script):
    path, name = script
    with socket.socket() as busy:  # another program holds the port
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        failed = run_sh(path, APP_HOST_PORT=str(taken))
        assert failed.returncode != 0, failed.stdout
        assert "run.sh: docker run failed (above: why). A host port in use? Choose another: APP_HOST_PORT=PORT" \
            in failed.stderr, failed.stderr
        assert state(name) == "created"  # docker made the container, then could not start it
    port = free_port()
    started = run_sh(path, APP_HOST_PORT=str(port))
    assert started.returncode == 0, started.stderr
    assert f"run.sh: removing the container {name} left by a start that failed (created, never ran)" in started.stderr
    assert state(name) == "running"
    bindings = subprocess.run(["docker", "port", name], capture_output=True, text=True, timeout=60).stdout
    assert bindings.split() == ["31000/tcp", "->", f"127.0.0.1:{port}"], bindings  # only this machine's address
    assert wait_for_jupyter(port) == 200

    again = run_sh(path, APP_HOST_PORT=str(free_port()))  # a running container of the name is never removed
    assert again.returncode != 0 and "removing" not in again.stderr
    assert "is already in use" in again.stderr, again.stderr
    assert state(name) == "running" and wait_for_jupyter(port) == 200


def test_a_container_of_the_name_that_is_not_imgwizard_s_is_left_alone(script):
    path, name = script
    subprocess.run(["docker", "create", "--name", name, "debian:bookworm-slim", "true"], check=True,
                   capture_output=True, timeout=60)
    done = run_sh(path, APP_HOST_PORT=str(free_port()))
    assert done.returncode != 0 and "removing" not in done.stderr, done.stderr
    assert state(name) == "created"


def test_a_bad_port_or_address_is_one_line_and_nothing_runs(script):
    path, name = script
    for env, said in (({"APP_HOST_PORT": "80; rm -rf /"}, "run.sh: APP_HOST_PORT must be a port number (1-65535)"),
                      ({"APP_HOST_PORT": "8080", "BIND_ADDRESS": "0.0.0.0 -v /:/host"},
                       "run.sh: BIND_ADDRESS must be an IP address of this host, e.g. 127.0.0.1"),
                      ({"RESTART_POLICY": "sometimes"}, "run.sh: RESTART_POLICY must be no, always, unless-stopped, "
                                                        "on-failure or on-failure:N (N: 1-999 tries)")):
        done = run_sh(path, **env)
        assert done.returncode == 2 and done.stderr.strip() == said, done.stderr
    assert state(name) == ""


def restart_policy(name: str) -> dict:
    r = subprocess.run(["docker", "container", "inspect", "--format", "{{json .HostConfig.RestartPolicy}}", name],
                       capture_output=True, text=True, check=True, timeout=60)
    return json.loads(r.stdout)


def test_the_container_has_the_restart_policy_run_sh_gives_it(script):
    path, name = script
    started = run_sh(path, APP_HOST_PORT=str(free_port()))
    assert started.returncode == 0, started.stderr
    assert restart_policy(name) == {"Name": "unless-stopped", "MaximumRetryCount": 0}
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=True, timeout=60)
    started = run_sh(path, APP_HOST_PORT=str(free_port()), RESTART_POLICY="on-failure:3")
    assert started.returncode == 0, started.stderr
    assert restart_policy(name) == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert state(name) == "running"


def refused_start(image: str, *options: str) -> tuple[int, str, float]:
    """`docker run IMAGE` with options it cannot run under: (exit code, log, seconds from the start of its first
    process to its end, as the engine timed them). No restart policy: the first exit is the one looked at."""
    name = f"imgwizard-test-refused-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(["docker", "run", "-d", "--name", name, *options, image], capture_output=True, check=True,
                       timeout=60)
        subprocess.run(["docker", "wait", name], capture_output=True, check=True, timeout=30)
        r = subprocess.run(["docker", "container", "inspect", "--format", "{{json .State}}", name],
                           capture_output=True, text=True, check=True, timeout=60)
        st = json.loads(r.stdout)
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60)
        took = (datetime.fromisoformat(st["FinishedAt"]) - datetime.fromisoformat(st["StartedAt"])).total_seconds()
        return st["ExitCode"], logs.stdout + logs.stderr, took
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


@pytest.mark.parametrize("options,said", [
    (("--read-only",), "imgwizard: the container's root file system is read-only (docker run --read-only?) but SSH "
                       "writes its host keys to /etc/ssh at every start: drop --read-only"),
    (("--user", "1234"), "imgwizard: this container runs as uid 1234 (docker run --user?) but sshd needs root: drop "
                         "--user (SSH logs in as root all the same)"),
])
def test_the_entry_wrapper_under_read_only_or_user_says_what_to_drop_within_a_second(ssh_password_image, options,
                                                                                   said):
    code, log, took = refused_start(ssh_password_image.tag, "-e", "SSH_PASSWORD=not-used-here", *options)
    assert (code, log) == (1, said + "\n")
    assert took < 1, f"{took:.2f} s"


@pytest.mark.parametrize("options,said", [
    (("--read-only",), "[imgwizard-desktop] /tmp is read-only (docker run --read-only?): the desktop writes its "
                       "display in /tmp and the app its settings in /root: drop --read-only, or add --tmpfs /tmp "
                       "--tmpfs /root"),
    (("--read-only", "--tmpfs", "/tmp"), "[imgwizard-desktop] /root is read-only (docker run --read-only?): the "
                                         "desktop writes its display in /tmp and the app its settings in /root: drop "
                                         "--read-only, or add --tmpfs /tmp --tmpfs /root"),
    (("--user", "1234"), "[imgwizard-desktop] this container runs as uid 1234 (docker run --user?), not as root: "
                         "drop --user (this image's desktop runs as root)"),
])
def test_the_built_in_desktop_under_read_only_or_user_says_what_to_drop_within_a_second(xterm_root_image, options,
                                                                                      said):
    """The root xterm desktop (no SSH, so no entry wrapper in front): one line, exit 1, before Xvnc starts."""
    code, log, took = refused_start(xterm_root_image.tag, "-e", f"DESKTOP_PASSWORD={PASSWORD}", *options)
    assert (code, log) == (1, said + "\n")
    assert took < 1, f"{took:.2f} s"
