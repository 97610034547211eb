"""`imgwizard push` against a real registry: Debian's docker-registry (distribution) started by the test on
127.0.0.1 with htpasswd login, so the credentials must come from the Docker config file. Push, remove the image
locally, pull it back, run it. The engine allows plain HTTP to 127.0.0.0/8 registries by default.
The user's tags (issue 26): a tag of another image is kept (exit 2) unless --force; a failed or cancelled push
leaves no tag it made and puts back a tag it moved; --to without a registry host is refused.

Needs docker-registry (.ci/run installs it) and bcrypt (paramiko's own dependency) for the htpasswd file.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import docker.errors
import pytest

from tests.docker.conftest import docker_registry
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

    folder = tmp_path_factory.mktemp("registry")
    password = secrets.token_urlsafe(12)
    (folder / "htpasswd").write_text(f"{USER}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n")
    auth = f"""auth:
  htpasswd:
    realm: imgwizard-test
    path: {folder / 'htpasswd'}
"""
    port = free_port()
    with docker_registry(folder, port, auth):
        yield Registry(f"127.0.0.1:{port}", password, folder)


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


def test_push_remove_pull_run(registry, fresh_image, other_image, docker_client):
    """Also --force: the target is first a tag of another image (the user's), which the push moves."""
    source, marker, image_id = fresh_image
    target = f"{registry.host}/imgwizard-test/pushed:{marker[:12]}"
    docker_client.images.get(other_image).tag(target)
    config = registry.config("logged-in")
    try:
        done = run_cli({"DOCKER_CONFIG": str(config)}, "push", source, "--to", target, "--force")
        assert done.returncode == 0, done.stderr
        assert (f"push: --force moved {target} from image {other_image.split(':')[1][:12]} (that image keeps: "
                "debian:bookworm-slim)") in done.stderr
        assert docker_client.images.get(target).id == image_id  # moved
        assert docker_client.images.get("debian:bookworm-slim").id == other_image
        assert f"credentials for {registry.host}: {USER}, from {config / 'config.json'}" in done.stderr
        assert registry.password not in done.stdout + done.stderr
        assert "Pushed" in done.stderr  # the layer made by the RUN above went up
        assert f"pushed {target} (sha256:" in done.stdout
    finally:
        remove_tag(docker_client, target)
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
        assert_no_tag(docker_client, target)  # the registry answered 401: the tag this push made is gone
    finally:
        remove_tag(docker_client, target)


def test_push_with_a_wrong_password_says_so(registry, fresh_image, docker_client):
    source, marker, _ = fresh_image
    target = f"{registry.host}/imgwizard-test/pushed:badpw-{marker[:8]}"
    config = registry.config("wrong-password", password="not-the-password")
    try:
        done = run_cli({"DOCKER_CONFIG": str(config)}, "push", source, "--to", target)
        assert done.returncode == 1
        assert f"push: {registry.host} refused the push" in done.stderr.strip().splitlines()[-1]
        assert_no_tag(docker_client, target)
    finally:
        remove_tag(docker_client, target)


def test_push_to_a_closed_port_says_nothing_answers(fresh_image, docker_client, tmp_path):
    source, marker, _ = fresh_image
    target = f"127.0.0.1:{free_port()}/imgwizard-test/pushed:{marker[:8]}"
    try:
        done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", source, "--to", target)
        assert done.returncode == 1
        assert "push: nothing answers at 127.0.0.1:" in done.stderr.strip().splitlines()[-1]
        assert_no_tag(docker_client, target)
    finally:
        remove_tag(docker_client, target)


def test_bad_target_is_exit_2(tmp_path):
    done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", "debian:bookworm-slim", "--to", "Not A Name")
    assert done.returncode == 2 and "push: --to 'Not A Name' is not an image name" in done.stderr


# ------------------------------------------------------------------ the user's tags (issue 26, item 6)


def assert_no_tag(client, ref: str) -> None:
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(ref)


def remove_tag(client, ref: str) -> None:
    """Remove a tag this test made (an untag: every image the tests tag keeps another name), never force."""
    try:
        client.images.remove(ref)
    except docker.errors.ImageNotFound:
        pass


@pytest.fixture
def other_image(docker_client):
    """The id of another image than fresh_image's: the local debian:bookworm-slim (tagged, never changed)."""
    return docker_client.images.get("debian:bookworm-slim").id


def test_a_tag_of_another_image_is_kept_without_force(registry, fresh_image, other_image, docker_client):
    """Refused before anything moves (exit 2, one line); test_push_remove_pull_run pushes over such a tag with
    --force (one real push for both, for CI's time)."""
    source, marker, _ = fresh_image
    target = f"{registry.host}/imgwizard-test/taken:{marker[:12]}"
    docker_client.images.get(other_image).tag(target)  # the user's tag, naming another image
    try:
        done = run_cli({"DOCKER_CONFIG": str(registry.config(f"kept-{marker[:8]}"))}, "push", source, "--to", target)
        assert done.returncode == 2 and done.stdout == "", done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0] == (f"push: --to {target} already names image {other_image.split(':')[1][:12]} (also: "
                            f"debian:bookworm-slim); imgwizard keeps it: push under another tag, or add --force "
                            f"to move it to {source}")
        assert docker_client.images.get(target).id == other_image  # kept: same id before and after
        assert docker_client.images.get("debian:bookworm-slim").id == other_image
    finally:
        remove_tag(docker_client, target)


def test_a_failed_push_puts_back_the_tags_the_user_had(fresh_image, other_image, docker_client, tmp_path):
    """A closed port refuses every push at once: a tag that named IMAGE stays; a tag of another image moved
    with --force names that image again."""
    source, marker, image_id = fresh_image
    port = free_port()
    same = f"127.0.0.1:{port}/imgwizard-test/had:{marker[:12]}"
    other = f"127.0.0.1:{port}/imgwizard-test/other:{marker[:12]}"
    docker_client.images.get(image_id).tag(same)
    docker_client.images.get(other_image).tag(other)
    try:
        done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", source, "--to", same)
        assert done.returncode == 1 and "push: nothing answers at" in done.stderr.splitlines()[-1], done.stderr
        assert docker_client.images.get(same).id == image_id  # the user's tag stays

        done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", source, "--to", other, "--force")
        assert done.returncode == 1, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("push: nothing answers at")
        assert last.endswith(f"; {other} names image {other_image.split(':')[1][:12]} again, as before")
        assert docker_client.images.get(other).id == other_image
        assert docker_client.images.get("debian:bookworm-slim").id == other_image
    finally:
        remove_tag(docker_client, same)
        remove_tag(docker_client, other)


def test_a_name_without_a_registry_host_is_refused_and_no_tag_is_made(docker_client, tmp_path):
    name = f"imgwizard-test-{uuid.uuid4().hex[:12]}/app:1"
    done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", "debian:bookworm-slim", "--to", name)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"push: --to {name} names no registry"), done.stderr
    assert f"docker.io/{name}" in lines[0] and "registry.example.com/" in lines[0]
    assert_no_tag(docker_client, name)
    assert_no_tag(docker_client, f"docker.io/{name}")


def test_docker_io_written_out_passes_the_check(docker_client, tmp_path):
    """Nothing goes to the internet: IMAGE does not exist, so the push stops at the engine's image look-up,
    after --to was accepted."""
    marker = uuid.uuid4().hex[:12]
    target = f"docker.io/imgwizard-test/never-pushed:{marker}"
    done = run_cli({"DOCKER_CONFIG": str(tmp_path)}, "push", f"imgwizard-test/no-such-image:{marker}",
                   "--to", target)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"push: no image imgwizard-test/no-such-image:{marker} in this engine (docker images lists them)")
    assert "names no registry" not in done.stderr
    assert_no_tag(docker_client, target)


def test_sigterm_during_a_push_removes_the_tag_it_made(docker_client, tmp_path):
    """A "registry" that accepts the connection and never answers holds the push; SIGTERM (as a closed
    terminal's SIGHUP) then ends it with one line, and the tag it made is gone (debian:bookworm-slim keeps its
    own name)."""
    source, marker = "debian:bookworm-slim", uuid.uuid4().hex
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        target = f"127.0.0.1:{silent.getsockname()[1]}/imgwizard-test/held:{marker[:12]}"
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
        proc = subprocess.Popen([sys.executable, "-m", "screens.cli", "push", source, "--to", target],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**env, "DOCKER_CONFIG": str(tmp_path)})
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    docker_client.images.get(target)
                    break
                except docker.errors.ImageNotFound:
                    time.sleep(0.05)
            else:
                pytest.fail(f"the push never tagged {target}: {proc.communicate(timeout=30)}")
            time.sleep(0.3)  # into the push request, which the silent registry holds
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            remove_tag(docker_client, target)
    assert proc.returncode == 1, err
    assert err.strip().splitlines()[-1] == ("push: cancelled; the registry keeps the layers already sent, "
                                            "the tag was not pushed") and "Traceback" not in err
    assert_no_tag(docker_client, target)
