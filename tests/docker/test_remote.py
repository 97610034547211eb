"""A remote engine over SSH, for real: an OpenSSH server started by the test on 127.0.0.1 (key login only) in
front of this machine's engine, and `imgwizard` run as a user runs it, with DOCKER_HOST=ssh://root@127.0.0.1:PORT
and a HOME of its own (its ~/.ssh holds the key and the server's host key). The server's log proves each
command came through SSH. A wrong key, an unknown host key and a closed port are one line each, exit 3.

Needs root (sshd logs a user in) and openssh-server (.ci/run installs it); skips without them, naming what is
missing, unless IMGWIZARD_REQUIRE_DOCKER=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need_tool, unavailable
from tests.docker.conftest import SESSION_TAG
from wizard.engine.archive import archive_tags

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("sshd_program")]  # first: it may skip

ROOT = Path(__file__).parent.parent.parent
HANG = 300


@dataclass
class SSHD:
    port: int
    home: Path  # a HOME whose ~/.ssh has the authorised key and knows the server's host key
    folder: Path
    log: Path

    def env(self, home: Path | None = None, port: int | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "DOCKER_CONTEXT", "DOCKER_CONFIG")}
        return {**env, "HOME": str(home or self.home), "DOCKER_HOST": f"ssh://root@127.0.0.1:{port or self.port}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "imgwizard-test", "-f", str(path)],
                   check=True)
    return Path(f"{path}.pub").read_text().strip()


def make_home(folder: Path, key_from: Path | None, known: str) -> Path:
    ssh = folder / ".ssh"
    ssh.mkdir(parents=True, mode=0o700)
    if key_from is not None:
        shutil.copy(key_from, ssh / "id_ed25519")
        os.chmod(ssh / "id_ed25519", 0o600)
    (ssh / "known_hosts").write_text(known)
    return folder


@pytest.fixture(scope="session")
def sshd_program() -> str:
    """sshd's path; without openssh-server (or root) the tests skip, saying so, before the session's images are
    built for them (a session fixture: set up before ssh_key_image). CI: required."""
    server = need_tool("sshd")
    need_tool("ssh-keygen")
    if os.geteuid() != 0:
        unavailable("sshd must run as root to log a user in: run the tests as root")
    return server


@pytest.fixture(scope="module")
def sshd(sshd_program, tmp_path_factory, docker_client):
    server = sshd_program
    folder = tmp_path_factory.mktemp("sshd")
    host_pub = keygen(folder / "host_key")
    user_pub = keygen(folder / "user_key")
    (folder / "authorized_keys").write_text(user_pub + "\n")
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {folder / 'host_key'}
PidFile {folder / 'sshd.pid'}
AuthorizedKeysFile {folder / 'authorized_keys'}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
LogLevel VERBOSE
""")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    log = folder / "sshd.log"
    proc = subprocess.Popen([server, "-D", "-f", str(config), "-E", str(log)])
    known = f"[127.0.0.1]:{port} {host_pub}\n"
    try:
        _wait_for_banner(port, proc)
        yield SSHD(port, make_home(folder / "home", folder / "user_key", known), folder, log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_banner(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60  # a loaded 2-CPU machine; it ends as soon as sshd answers
    while time.monotonic() < deadline:
        assert proc.poll() is None, "sshd stopped at once (its log is in the test's tmp folder)"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(64).startswith(b"SSH-2.0"):
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail("sshd did not answer within 60 s")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=ROOT, env=env)


def logins(sshd: SSHD) -> int:
    return sshd.log.read_text().count("Accepted publickey for root")


def test_build_check_export_through_ssh(sshd, ssh_key_image, docker_client, tmp_path):
    tag = f"imgwizard-test/remote:{SESSION_TAG}"
    env = sshd.env()
    try:
        before = logins(sshd)
        built = run_cli(env, "build", str(ssh_key_image.context), "-t", tag, "--log", str(tmp_path / "build.log"))
        assert built.returncode == 0, built.stderr
        assert f"using the Docker engine at ssh://root@127.0.0.1:{sshd.port} (from DOCKER_HOST)" in built.stderr
        assert "sending the build context: " in built.stdout and f"built {tag}" in built.stdout
        assert logins(sshd) > before
        checked = run_cli(env, "check", tag, "--context", str(ssh_key_image.context), "--timeout", "60")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        # the banner came through the SSH session
        assert "ok   ssh on " in checked.stdout and "SSH-2.0-OpenSSH" in checked.stdout
        archive = tmp_path / "remote.tar"
        saved = run_cli(env, "export", tag, "-o", str(archive))
        assert saved.returncode == 0, saved.stderr
        assert archive_tags(archive) == [tag]
        assert logins(sshd) >= before + 3
    finally:
        docker_client.images.remove(tag, force=True)


def test_host_option_wins_over_docker_host(sshd, tmp_path):
    env = {**sshd.env(), "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    done = run_cli(env, "export", "imgwizard-test/absent:1", "-o", str(tmp_path / "x.tar"),
                   "--host", f"ssh://root@127.0.0.1:{sshd.port}")
    assert done.returncode == 1, done.stderr
    assert f"using the Docker engine at ssh://root@127.0.0.1:{sshd.port} (from --host)" in done.stderr
    assert "no image imgwizard-test/absent:1 in this engine" in done.stderr


def one_line_exit_3(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_wrong_key_is_one_line(sshd, tmp_path):
    other = tmp_path / "other_key"
    keygen(other)
    home = make_home(tmp_path / "home", other, f"[127.0.0.1]:{sshd.port} " +
                     (sshd.folder / "host_key.pub").read_text())
    done = run_cli(sshd.env(home=home), "export", "imgwizard-test/x:1", "-o", str(tmp_path / "x.tar"))
    one_line_exit_3(done, "refused the key login", f"-p {sshd.port} root@127.0.0.1")


def test_unknown_host_key_is_refused(sshd, tmp_path):
    home = make_home(tmp_path / "home", sshd.folder / "user_key", "")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    done = run_cli(sshd.env(home=home), "build", str(tmp_path), "-t", "imgwizard-test/x:1")
    one_line_exit_3(done, "not in ~/.ssh/known_hosts")


def test_unreachable_host_is_one_line(sshd, tmp_path):
    done = run_cli(sshd.env(port=free_port()), "commit", "some-container", "imgwizard-test/x:1")
    one_line_exit_3(done, "nothing listens at 127.0.0.1:", "connection refused")


async def test_the_wizard_follows_the_engine_through_ssh(sshd, monkeypatch):
    """The wizard with --host: the engine check after the first frame goes through SSH, the summary names the
    engine, and the architecture pre-filled is the engine's (the laptop here pretends to be arm64)."""
    from textual.widgets import Static

    from screens.app import make_app
    from wizard.host import HostFacts, detect_arch

    monkeypatch.setenv("HOME", str(sshd.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    engine_arch = detect_arch()
    pretend = "arm64" if engine_arch == "amd64" else "amd64"
    url = f"ssh://root@127.0.0.1:{sshd.port}"
    before = logins(sshd)
    app = make_app(host=HostFacts(arch=pretend, distro="Laptop OS 1"), probe_engine=True, docker_host=url)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#summary", Static).render())
    assert f"Docker engine at {url} (from --host): ready (F5 builds there" in summary
    assert app.session.value("image.arch") == engine_arch
    assert app.hints["image.arch"]("en") == f"From the Docker engine at {url} (from --host): {engine_arch}"
    assert logins(sshd) > before


def test_cancel_stops_a_build_through_ssh(sshd, docker_client, tmp_path, monkeypatch):
    """Esc in the wizard / Ctrl-C in the CLI: the build stream over SSH is shut and the engine stops the step."""
    import threading
    import uuid

    from wizard.engine.build import docker_builder
    from wizard.engine.connect import Endpoint, connect

    monkeypatch.setenv("HOME", str(sshd.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    client = connect(Endpoint(f"ssh://root@127.0.0.1:{sshd.port}", "the test"))
    marker = uuid.uuid4().hex
    (tmp_path / "Dockerfile").write_text(f"FROM debian:bookworm-slim\nRUN echo started && sleep 120 && echo {marker}\n")
    cancel, events = threading.Event(), []
    start = time.monotonic()
    try:
        for ev in docker_builder(client)(tmp_path, "imgwizard-test/remote-cancelled:latest", cancel):
            events.append(ev)
            if ev.kind == "output" and ev.text == "started":
                threading.Timer(1.0, cancel.set).start()
    finally:
        client.close()
    assert time.monotonic() - start < 40
    assert events[0].kind == "upload" and events[-1].text == "build cancelled"
    deadline = time.monotonic() + 20
    # ignore_removed: another session's container may go between the listing and its inspection
    while any(marker in " ".join(c.attrs["Config"]["Cmd"] or [])
              for c in docker_client.containers.list(all=True, ignore_removed=True)):
        assert time.monotonic() < deadline, "the cancelled build's container is still there"
        time.sleep(0.5)


def test_answers_and_layers_of_a_remote_engines_image(sshd, ssh_key_image, tmp_path):
    """Issue 15 part 2 and 4 through SSH: the answers file comes back from the GPU server's image, the same
    file its context holds, and the layer view reads that engine's history."""
    env = sshd.env()
    before = logins(sshd)
    out = run_cli(env, "answers", ssh_key_image.tag, "-o", str(tmp_path / "back.toml"))
    assert out.returncode == 0, out.stderr
    assert f"using the Docker engine at ssh://root@127.0.0.1:{sshd.port}" in out.stderr
    assert (tmp_path / "back.toml").read_text() == (ssh_key_image.context / "imgwizard.toml").read_text()
    layers = run_cli(env, "layers", ssh_key_image.tag, "--context", str(ssh_key_image.context))
    assert layers.returncode == 0, layers.stderr
    assert "base image: debian:bookworm-slim" in layers.stdout and "system set-up, one layer:" in layers.stdout
    assert "SSH configuration:" in layers.stdout
    assert logins(sshd) >= before + 2
