"""An interrupted `imgwizard commit` leaves the container as it was (issue 26, critical 3), on the real engine with
the real command (`python -m screens.cli commit`, a subprocess): SIGINT, SIGTERM and SIGHUP at several steps, a
commit killed outright (SIGKILL), a second commit while one runs, and an engine that goes away. "As it was": the
container runs (not paused), an SSH login works and meets the same host key as before (the client's known_hosts
holds the key seen before the commit, StrictHostKeyChecking=yes), /etc/shadow and /etc/shadow- are as before,
and nothing is left held in /dev; no image is left behind.

How a step is reached deterministically: the command reads IMGWIZARD_TEST_COMMIT_WAIT=POINT:FILE (read only by
tests, wizard/engine/commit_hold.py `reached`); at POINT it writes FILE and waits while FILE exists (60 s at most). The
test waits for FILE, then signals the process (the wait ends as any step would) or removes FILE (it goes on).
Points: held (the entry script holds the keys and hash aside, container running), paused, scanning (the first
changed file read), committed (the first image made, still paused), recommitted (the final image made, not tagged).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import docker.errors
import pytest

from tests.docker.test_commit_secrets import SSH_OPTS, images, password_login, secret
from tests.docker.test_ssh import host_port, start
from wizard.engine.check import _ssh_banner, _wait

# they log in by SSH from outside: without the OpenSSH client they skip, saying so (CI: required)
pytestmark = pytest.mark.usefixtures("openssh_client")

ROOT = Path(__file__).resolve().parents[2]


def known_hosts(c, tmp_path) -> Path:
    """The container's ed25519 host key as an SSH client first meets it (ssh-keyscan), in a known_hosts file."""
    port = host_port(c, 2222)
    ok, detail = _wait(lambda: _ssh_banner(port), c, time.monotonic() + 30)
    assert ok, detail
    r = subprocess.run(["ssh-keyscan", "-t", "ed25519", "-p", str(port), "127.0.0.1"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and r.stdout.strip(), r.stderr
    path = tmp_path / f"known_hosts-{os.urandom(3).hex()}"
    path.write_text(r.stdout)
    return path


def login_with_pinned_key(c, password: str, known: Path, tmp_path) -> bool:
    """An SSH password login that fails unless the server shows the host key in `known`."""
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
    askpass.chmod(0o700)
    opts = [o.replace("StrictHostKeyChecking=no", "StrictHostKeyChecking=yes")
            .replace("UserKnownHostsFile=/dev/null", f"UserKnownHostsFile={known}") for o in SSH_OPTS]
    env = {**os.environ, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0", "SSH_ASKPASS": str(askpass)}
    r = subprocess.run(["ssh", *opts, "-p", str(host_port(c, 2222)), "root@127.0.0.1", "echo login-ok"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=30)
    return r.returncode == 0 and "login-ok" in r.stdout


def state(c) -> tuple:
    """What a commit must leave as it found: running state, the shadow files, the host keys, nothing held."""
    c.reload()
    if c.status != "running":
        return (c.status,)
    code, out = c.exec_run(["sh", "-c", "cat /etc/shadow /etc/shadow-; cat /etc/ssh/ssh_host_*; "
                                        "ls /dev/imgwizard-commit /dev/imgwizard-commit.lock 2>&1"], user="0")
    return c.status, code, out


def assert_as_before(c, before: tuple, password: str, known: Path, tmp_path, wait: float = 0.0) -> None:
    deadline = time.monotonic() + wait
    while state(c) != before and time.monotonic() < deadline:
        time.sleep(0.2)
    now = state(c)
    assert now[0] == "running", now
    assert now == before, (now[2].decode(errors="replace")[-600:], before[2].decode(errors="replace")[-600:])
    assert login_with_pinned_key(c, password, known, tmp_path)


class Cli:
    """`python -m screens.cli commit CONTAINER TAG` that waits at `point` (IMGWIZARD_TEST_COMMIT_WAIT)."""

    def __init__(self, container: str, tag: str, point: str, tmp_path: Path, docker_host: str | None = None):
        self.mark = tmp_path / f"at-{point}-{os.urandom(3).hex()}"
        env = {**os.environ, "IMGWIZARD_TEST_COMMIT_WAIT": f"{point}:{self.mark}", "PYTHONPATH": str(ROOT)}
        if docker_host:
            env["DOCKER_HOST"] = docker_host
        self.p = subprocess.Popen([sys.executable, "-m", "screens.cli", "commit", container, tag], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_point(self) -> None:
        deadline = time.monotonic() + 90
        while not self.mark.exists():
            if self.p.poll() is not None or time.monotonic() > deadline:
                out, err = self.p.communicate()
                raise AssertionError(f"the point was not reached (exit {self.p.returncode}): {out}{err}")
            time.sleep(0.02)

    def go_on(self) -> None:
        self.mark.unlink()

    def end(self) -> tuple[int, str, str]:
        out, err = self.p.communicate(timeout=90)
        return self.p.returncode, out, err


@pytest.fixture
def ssh_container(docker_client, ssh_password_image, tmp_path):
    password = secret("Signal")
    c = start(docker_client, ssh_password_image, env={"SSH_PASSWORD": password})
    try:
        assert password_login(c, password, tmp_path)  # the start-up is done
        known = known_hosts(c, tmp_path)
        yield c, password, known, state(c)
    finally:
        c.remove(force=True)


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}
POINTS = {"SIGINT": ["paused", "scanning", "committed"], "SIGTERM": ["held", "paused", "scanning", "committed",
                                                                     "recommitted"],
          "SIGHUP": ["paused", "scanning", "committed"]}


@pytest.mark.docker
@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_at_any_step_leaves_the_container_as_it_was(name, docker_client, ssh_container, tags, tmp_path):
    """Each signal at each step: one line on stderr (no traceback), exit 1, no image, the container as it was. Before:
    SIGTERM or SIGHUP ended the process at once, leaving the container paused with its host keys moved away."""
    c, password, known, before = ssh_container
    for point in POINTS[name]:
        tag = tags(f"signal-{point}")
        made_before = images(docker_client, c)
        cli = Cli(c.name, tag, point, tmp_path)
        cli.wait_point()
        cli.p.send_signal(SIGNALS[name])
        code, out, err = cli.end()
        assert (code, err) == (1, f"commit: stopped by {name}: no image was made; {c.name} is as it was\n"), \
            (point, out, err)
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(tag)
        assert images(docker_client, c) == made_before, point
        assert_as_before(c, before, password, known, tmp_path)


@pytest.mark.docker
def test_a_second_commit_while_one_runs_is_refused_and_changes_nothing(docker_client, ssh_container, tags, tmp_path,
                                                                       capsys):
    """A second commit while the first holds the container (running) is refused by the lock, in one line; while the
    first has it paused, by the pause. The first then completes, and the container is as it was. Before: the second
    --before-commit copied the already restored /etc/shadow over the held one: the password hash was lost."""
    from screens.cli import main

    c, password, known, before = ssh_container
    first_tag, second_tag = tags("first"), tags("second")
    for point, said in [("held", f"another imgwizard commit of {c.name} is in progress"),
                        ("paused", f"{c.name} is paused")]:
        cli = Cli(c.name, first_tag, point, tmp_path)
        cli.wait_point()
        assert main(["commit", c.name, second_tag]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"commit: {said}") and len(err.strip().splitlines()) == 1, err
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(second_tag)
        cli.go_on()
        code, out, err = cli.end()
        assert code == 0 and f"committed {c.name} as {first_tag}" in out, err
        assert_as_before(c, before, password, known, tmp_path)


@pytest.mark.docker
def test_a_killed_commit_is_put_back_by_the_container_itself(docker_client, ssh_container, tags, tmp_path, capsys):
    """SIGKILL (nothing can be cleaned up by the process): the entry script's holder reads the end of its input and
    puts everything back, at once when the container runs, and once it is unpaused when it was paused (the next
    commit says to unpause it). A commit after that works and leaves the container as it was."""
    from screens.cli import main

    c, password, known, before = ssh_container
    for point in ["held", "paused"]:
        made_before = images(docker_client, c)
        cli = Cli(c.name, tags("killed"), point, tmp_path)
        cli.wait_point()
        cli.p.kill()
        cli.end()
        if point == "paused":
            c.reload()
            assert c.status == "paused"
            assert main(["commit", c.name, tags("refused")]) == 1
            assert f"docker unpause {c.name}, then commit again" in capsys.readouterr().err
            c.unpause()  # what the message says to do
        assert_as_before(c, before, password, known, tmp_path, wait=10)
        assert images(docker_client, c) == made_before
        tag = tags("after-killed")
        assert main(["commit", c.name, tag]) == 0, capsys.readouterr().err
        docker_client.images.get(tag)
        assert_as_before(c, before, password, known, tmp_path)


class EngineProxy:
    """A Unix socket in front of the engine's, for one command's DOCKER_HOST; `stop` closes it and every connection
    through it at once: to the command, the engine is gone."""

    def __init__(self, path: Path, target: str = "/var/run/docker.sock"):
        self.path, self.target, self.conns = path, target, []
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        self.path.unlink()  # no new connection: a closed listening socket still accepts while accept() waits on it
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() up (Linux)
        except OSError:
            pass
        self.server.close()
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.mark.docker
def test_an_engine_that_goes_away_leaves_the_container_to_put_itself_back(docker_client, ssh_container, tags,
                                                                           tmp_path):
    """The engine goes away while the container is paused (before and after the first image is made): the command
    says in one line that the container may be left paused and how to unpause it (and which untagged image to
    remove, when one was made); once unpaused, the container's holder has put everything back by itself."""
    c, password, known, before = ssh_container
    for point in ["paused", "committed"]:
        made_before = images(docker_client, c)
        proxy = EngineProxy(tmp_path / f"engine-{point}.sock")
        cli = Cli(c.name, tags(f"lost-{point}"), point, tmp_path, docker_host=f"unix://{proxy.path}")
        cli.wait_point()
        proxy.stop()
        cli.go_on()
        code, out, err = cli.end()
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert err.startswith("commit: lost the Docker engine") and f"docker unpause {c.name}" in err, err
        left = images(docker_client, c) - made_before
        if point == "committed":  # the first image, untagged: named, to be removed once the engine answers
            assert len(left) == 1 and f"docker rmi {next(iter(left))[:19]}" in err, err
            docker_client.images.remove(next(iter(left)), force=True)
        else:
            assert not left
        c.reload()
        assert c.status == "paused", (point, err)
        c.unpause()
        assert_as_before(c, before, password, known, tmp_path, wait=10)
