"""`imgwizard push` against a real registry: Debian's docker-registry (distribution) started by the test on
127.0.0.1 with htpasswd login, so the credentials must come from the Docker config file. Push, remove the image
locally, pull it back, run it. The engine allows plain HTTP to 127.0.0.0/8 registries by default.

Needs docker-registry (.ci/run installs it) and bcrypt (paramiko's own dependency) for the htpasswd file.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import docker.errors
import pytest

from tests.docker.test_remote import free_port

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
USER = "imgwizard"


@dataclass
class Registry:
    host: str  # 127.0.0.1:PORT
    password: str
    folder: Path

    def config(self, name: str, user: str = USER, password: str | None = None) -> Path:
        """A Docker config folder (DOCKER_CONFIG) with a login for this registry, as `docker login` writes it."""
        folder = self.folder / name
        folder.mkdir()
        auth = base64.b64encode(f"{user}:{password or self.password}".encode()).decode()
        (folder / "config.json").write_text(json.dumps({"auths": {self.host: {"auth": auth}}}))
        return folder


@pytest.fixture(scope="module")
def registry(tmp_path_factory, docker_client):
    import bcrypt

    binary = shutil.which("docker-registry")
    if binary is None:
        pytest.fail("Debian's docker-registry is needed: apt-get install docker-registry", pytrace=False)
    folder = tmp_path_factory.mktemp("registry")
    password = secrets.token_urlsafe(12)
    (folder / "htpasswd").write_text(f"{USER}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n")
    port = free_port()
    (folder / "config.yml").write_text(f"""version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {folder / 'data'}
http:
  addr: 127.0.0.1:{port}
auth:
  htpasswd:
    realm: imgwizard-test
    path: {folder / 'htpasswd'}
""")
    with open(folder / "registry.log", "wb") as log:
        proc = subprocess.Popen([binary, "serve", str(folder / "config.yml")], stdout=log, stderr=log)
    try:
        _wait_for_v2(port, proc)
        yield Registry(f"127.0.0.1:{port}", password, folder)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_v2(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, "docker-registry stopped at once (registry.log in the test's tmp folder)"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:  # up, and asking for a login
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("docker-registry did not answer within 20 s")


@pytest.fixture
def fresh_image(docker_client):
    """A one-layer image on the local debian:bookworm-slim whose top layer exists nowhere else."""
    marker = uuid.uuid4().hex
    tag = f"imgwizard-test/push-src:{marker[:12]}"
    dockerfile = f"FROM debian:bookworm-slim\nRUN echo {marker} > /marker\nCMD [\"cat\", \"/marker\"]\n"
    image, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    yield tag, marker, image.id
    try:
        docker_client.images.remove(tag, force=True)
    except docker.errors.ImageNotFound:
        pass


def run_cli(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**env, **env_extra})


def test_push_remove_pull_run(registry, fresh_image, docker_client):
    source, marker, image_id = fresh_image
    target = f"{registry.host}/imgwizard-test/pushed:{marker[:12]}"
    config = registry.config("logged-in")
    done = run_cli({"DOCKER_CONFIG": str(config)}, "push", source, "--to", target)
    assert done.returncode == 0, done.stderr
    assert f"credentials for {registry.host}: {USER}, from {config / 'config.json'}" in done.stderr
    assert registry.password not in done.stdout + done.stderr
    assert "Pushed" in done.stderr  # the layer made by the RUN above went up
    assert f"pushed {target} (sha256:" in done.stdout
    docker_client.images.remove(target)
    docker_client.images.remove(source)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(image_id)
    repo, tag = target.rsplit(":", 1)
    pulled = docker_client.images.pull(repo, tag=tag, auth_config={"username": USER, "password": registry.password})
    try:
        assert pulled.id == image_id  # the same image, byte for byte
        out = docker_client.containers.run(target, remove=True)
        assert out.decode().strip() == marker
    finally:
        docker_client.images.remove(target, force=True)


def test_push_without_login_says_so(registry, fresh_image, docker_client, tmp_path):
    source, marker, _ = fresh_image
    target = f"{registry.host}/imgwizard-test/pushed:nologin-{marker[:8]}"
    empty = tmp_path / "docker-config"
    empty.mkdir()
    try:
        done = run_cli({"DOCKER_CONFIG": str(empty)}, "push", source, "--to", target)
        assert done.returncode == 1
        assert f"no Docker config file: pushing to {registry.host} without credentials" in done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith(f"push: {registry.host} refused the push: not logged in")
        assert f"docker login {registry.host}" in last and "Traceback" not in done.stderr
    finally:
        docker_client.images.remove(target, force=True)


def test_push_with_a_wrong_password_says_so(registry, fresh_image, docker_client):
    source, marker, _ = fresh_image
    target = f"{registry.host}/imgwizard-test/pushed:badpw-{marker[:8]}"
    config = registry.config("wrong-password", password="not-the-password")
    try:
        done = run_cli({"DOCKER_CONFIG": str(config)}, "push", source, "--to", target)
        assert done.returncode == 1
        assert f"push: {registry.host} refused the push" in done.stderr.strip().splitlines()[-1]
    finally:
        docker_client.images.remove(target, force=True)


def test_push_to_a_closed_port_says_nothing_answers(fresh_image, docker_client, tmp_path):
    source, marker, _ = fresh_image
    target = f"127.0.0.1:{free_port()}/imgwizard-test/pushed:{marker[:8]}"
    try:
        done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", source, "--to", target)
        assert done.returncode == 1
        assert "push: nothing answers at 127.0.0.1:" in done.stderr.strip().splitlines()[-1]
    finally:
        docker_client.images.remove(target, force=True)


def test_bad_target_is_exit_2(tmp_path):
    done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", "debian:bookworm-slim", "--to", "Not A Name")
    assert done.returncode == 2 and "push: --to 'Not A Name' is not an image name" in done.stderr
