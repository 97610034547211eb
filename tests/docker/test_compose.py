"""compose.yaml as written, started by Debian's docker-compose (v1 1.29; compose v2 is not packaged for Debian 12)
on the real engine: the same variables as run.sh (BIND_ADDRESS, APP_HOST_PORT, RESTART_POLICY; issue 28 and issue
29 item 2.5) reach the container, and the app answers on the chosen port of 127.0.0.1. The image is the session's
Jupyter image (tests/docker/conftest.py, shared with test_run_sh and test_services). Without docker-compose the test
skips, naming the package (CI installs it: .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid

import docker.errors
import pytest

from tests.answers_kit import PASSWORD_LOGIN, PREFIX, answers_toml
from tests.conftest import unavailable
from tests.docker.conftest import rendered
from tests.docker.test_run_sh import TOKEN, free_port, wait_for_jupyter
from wizard.context import write
from wizard.render import render

pytestmark = pytest.mark.docker


def test_docker_compose_starts_the_container_run_sh_would_start(jupyter_image, tmp_path):
    compose = shutil.which("docker-compose")
    if compose is None:
        unavailable("this test needs Debian's docker-compose (docker-compose is not installed): "
                    "apt-get install docker-compose")
    name, tag = jupyter_image.tag.rsplit(":", 1)
    (tmp_path / "compose.yaml").write_text(
        render({**jupyter_image.answers, "image.name": name, "image.tag": tag},
               jupyter_image.context).files["compose.yaml"].text)
    port = free_port()
    project = f"imgwizard-test-{uuid.uuid4().hex[:8]}"
    env = {"PATH": os.environ["PATH"], "BIND_ADDRESS": "127.0.0.1", "APP_HOST_PORT": str(port),
           "RESTART_POLICY": "on-failure:2", "JUPYTER_TOKEN": TOKEN}

    def compose_run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([compose, "-p", project, "-f", str(tmp_path / "compose.yaml"), *args],
                              capture_output=True, text=True, timeout=180, env=env)

    try:
        up = compose_run("up", "-d")
        assert up.returncode == 0, up.stderr
        container = compose_run("ps", "-q").stdout.strip()
        r = subprocess.run(["docker", "container", "inspect", "--format",
                            "{{json .HostConfig.RestartPolicy}} {{json .HostConfig.PortBindings}}", container],
                           capture_output=True, text=True, check=True, timeout=60)
        policy, bindings = r.stdout.split(" ", 1)
        assert json.loads(policy) == {"Name": "on-failure", "MaximumRetryCount": 2}
        assert json.loads(bindings) == {"31000/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
        assert wait_for_jupyter(port) == 200
    finally:
        down = compose_run("down")
        assert down.returncode == 0, down.stderr


def _ssh_banner(port: int, timeout: float = 90) -> bytes:
    """The first bytes sshd sends on 127.0.0.1:PORT once it answers (a loaded 2-CPU machine: up to 90 s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                banner = s.recv(64)
                if banner:
                    return banner
        except OSError:
            pass
        if time.monotonic() > deadline:
            return b""
        time.sleep(0.5)


def test_docker_compose_up_build_builds_the_image_run_sh_starts_and_runs_it(docker_client, scenario_dir):
    """Issue 30 part 2: in a rendered build folder, `docker-compose up -d --build` builds the image from the
    folder's Dockerfile, tags it as run.sh's image, and starts it: sshd answers on the published port of
    127.0.0.1; `down` removes the container, the test the image. The answers are the session's password-login
    SSH image's (conftest `ssh_password_image`) under another name, so on a warm cache only the labels step runs.
    Debian's compose v1 builds through docker-py (the legacy builder: COMPOSE_DOCKER_CLI_BUILD=0, and no
    BuildKit)."""
    compose = shutil.which("docker-compose")
    if compose is None:
        unavailable("this test needs Debian's docker-compose (docker-compose is not installed): "
                    "apt-get install docker-compose")
    tag = uuid.uuid4().hex[:12]
    name = f"{PREFIX}/compose-build"
    folder = scenario_dir / f"compose-build-{tag}"
    folder.mkdir()
    toml = answers_toml("compose-build", image={"name": name, "tag": tag}, ssh={**PASSWORD_LOGIN, "port": 2222})
    _, ctx = rendered(toml, folder)
    write(ctx, folder / "context")
    image = f"{name}:{tag}"
    assert f'image: "{image}"' in ctx.files["compose.yaml"].text
    port = free_port()
    project = f"imgwizard-test-{uuid.uuid4().hex[:8]}"
    env = {"PATH": os.environ["PATH"], "BIND_ADDRESS": "127.0.0.1", "SSH_HOST_PORT": str(port),
           "RESTART_POLICY": "no", "SSH_PASSWORD": uuid.uuid4().hex, "COMPOSE_DOCKER_CLI_BUILD": "0",
           "DOCKER_BUILDKIT": "0"}

    def compose_run(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
        return subprocess.run([compose, "-p", project, *args], capture_output=True, text=True, timeout=timeout,
                              env=env, cwd=folder / "context")

    start = time.monotonic()
    try:
        up = compose_run("up", "-d", "--build", timeout=900)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        built = docker_client.images.get(image)  # compose tagged what it built as run.sh's image
        assert built.labels["org.opencontainers.image.title"] == name
        container = compose_run("ps", "-q").stdout.strip()
        assert docker_client.containers.get(container).image.id == built.id
        assert _ssh_banner(port).startswith(b"SSH-2.0-OpenSSH")
    finally:
        down = compose_run("down")
        try:
            docker_client.images.remove(image, force=True)
        except docker.errors.ImageNotFound:
            pass
    assert down.returncode == 0, down.stderr
    print(f"compose up --build, check and down: {time.monotonic() - start:.1f} s")
