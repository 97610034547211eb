"""compose.yaml as written, started by Debian's docker-compose (v1 1.29; compose v2 is not packaged for Debian 12)
on the real engine: the same variables as run.sh (BIND_ADDRESS, APP_HOST_PORT, RESTART_POLICY; issue 28 and issue
29 item 2.5) reach the container, and the app answers on the chosen port of 127.0.0.1. The image is the session's
Jupyter image (tests/docker/conftest.py, shared with test_run_sh and test_services). Without docker-compose the test
skips, naming the package (CI installs it: .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

from tests.conftest import unavailable
from tests.docker.test_run_sh import TOKEN, free_port, wait_for_jupyter
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
