"""mirror.registry on the real engine (issue 30 part 3): Debian's docker-registry on 127.0.0.1 holds a copy of the
local debian:bookworm-slim as library/debian:bookworm-slim, as a pull-through mirror of Docker Hub would; a small
Debian image rendered with that mirror builds, and its base is pulled from the registry (the engine had no image
of that name). With a mirror on a closed port the pre-build check says so in one line, within its time-out, and
nothing is built. Needs docker-registry (.ci/run installs it). Every tag made here is removed; the local
debian:bookworm-slim is never touched (an image with several tags loses only the tag removed)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import docker.errors
import pytest

from tests.answers_kit import PREFIX, answers_toml
from tests.docker.conftest import SESSION_TAG, docker_registry, rendered
from tests.docker.test_run_sh import free_port
from wizard.context import write
from wizard.engine.build import docker_builder
from wizard.engine.pull_check import TIMEOUT

pytestmark = pytest.mark.docker

BASE = "debian:bookworm-slim"
ROOT = Path(__file__).parent.parent.parent


def untag(client, ref: str) -> None:
    try:
        client.images.remove(ref)  # no force: a tag of an image that has others goes, the image stays
    except docker.errors.ImageNotFound:
        pass


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, docker_client):
    """A registry on 127.0.0.1 holding library/debian:bookworm-slim (the local base, pushed), and no local tag of
    that name left: a build must pull it. Yields (host:port, the registry's log)."""
    port = free_port()
    host = f"127.0.0.1:{port}"
    copy = f"{host}/library/{BASE}"
    with docker_registry(tmp_path_factory.mktemp("mirror"), port, level="info") as log:
        assert docker_client.images.get(BASE).tag(copy)
        try:
            pushed = docker_client.images.push(copy)
            assert '"error"' not in pushed, pushed[-2000:]
        finally:
            untag(docker_client, copy)
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(copy)
        yield host, log
        untag(docker_client, copy)  # pulled by the build


def test_the_base_is_pulled_through_the_registry_mirror(mirror, docker_client, scenario_dir):
    host, log = mirror
    folder = scenario_dir / "mirror-pull"
    _, ctx = rendered(answers_toml("mirror-pull", mirror={"registry": host}), folder)
    assert f"FROM {host}/library/{BASE}\n" in ctx.dockerfile
    write(ctx, folder / "context")
    tag = f"{PREFIX}/mirror-pull:{SESSION_TAG}"
    before = log.read_text().count("/v2/library/debian/manifests/bookworm-slim")
    start = time.monotonic()
    try:
        events = list(docker_builder(docker_client)(folder / "context", tag, threading.Event()))
        seconds = time.monotonic() - start
        text = "\n".join(e.text for e in events)
        assert events[-1].kind == "done", text[-3000:]
        assert f"the base image {host}/library/{BASE} is not on the engine: the build pulls it from {host}" in text
        assert "Pulling from library/debian" in text  # the legacy builder's pull, from the mirror
        assert log.read_text().count("/v2/library/debian/manifests/bookworm-slim") > before  # the registry served it
        assert docker_client.images.get(f"{host}/library/{BASE}").id == docker_client.images.get(BASE).id
        print(f"built through the mirror in {seconds:.1f} s")
    finally:
        try:
            docker_client.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass


def test_an_unreachable_mirror_stops_the_build_in_one_line_within_the_time_out(docker_client, scenario_dir):
    closed = free_port()  # nothing listens there
    folder = scenario_dir / "mirror-closed"
    _, ctx = rendered(answers_toml("mirror-closed", mirror={"registry": f"127.0.0.1:{closed}"}), folder)
    write(ctx, folder / "context")
    tag = f"{PREFIX}/mirror-closed:{uuid.uuid4().hex[:8]}"
    start = time.monotonic()
    events = list(docker_builder(docker_client)(folder / "context", tag, threading.Event()))
    seconds = time.monotonic() - start
    assert seconds < TIMEOUT + 3, seconds
    assert [e.kind for e in events] == ["error"], events  # nothing sent, no step run
    line = events[0].text
    assert "\n" not in line
    assert line.startswith(f"the engine cannot reach the registry mirror 127.0.0.1:{closed} (mirror.registry) for "
                           f"127.0.0.1:{closed}/library/{BASE} (")
    assert "set mirror.registry (the mirrors step)" in line
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)
    print(f"refused in {seconds:.1f} s: {line}")
    # the command says the same line and exits 1 (F5 runs the same builder: wizard/engine/build.py)
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    done = subprocess.run([sys.executable, "-m", "screens.cli", "build", str(folder / "context"), "-t", tag],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert done.returncode == 1, done.stderr
    assert f"error: {line}" in done.stderr.splitlines()
    assert "step 1/" not in done.stdout  # nothing was built
