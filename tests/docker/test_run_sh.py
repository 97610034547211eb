"""run.sh as written, on the real engine (issue 29, item 2.5): the app's host port is APP_HOST_PORT, the bind
address BIND_ADDRESS (127.0.0.1 here: tests reach only this machine); a start that fails on a busy host port leaves
a container that never ran, which the next run.sh removes, saying so, before it starts the image; a running
container of that name, and one that is not imgwizard's, are never touched.

The image is the session's Jupyter image (tests/docker/conftest.py, shared with test_services), tagged under a
name of this test's own so its container name is unique; run.sh is rendered from its answers for that name."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

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
                       "run.sh: BIND_ADDRESS must be an IP address of this host, e.g. 127.0.0.1")):
        done = run_sh(path, **env)
        assert done.returncode == 2 and done.stderr.strip() == said, done.stderr
    assert state(name) == ""
