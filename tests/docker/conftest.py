"""Images shared by the integration tests: each scenario is rendered from answers (written by
tests/answers_kit.py), built once per session on the real engine and removed at the end
(IMGWIZARD_KEEP_TEST_IMAGES=1 keeps them for a faster re-run).
"""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.answers_kit import (BUILTIN_DESKTOP, FORWARD, JUPYTER, KEY_LOGIN, MACHINE_CA, PASSWORD_LOGIN, PREFIX,
                               answers_toml, desktop_app, put_test_key)
from tests.conftest import need_tool, unavailable
from tests.scheduling import IMAGES
from wizard import answers_file
from wizard.context import write
from wizard.engine.build import docker_builder, parse_stream
from wizard.engine.check import RunSpec, run_spec
from wizard.render import BuildContext, render
from wizard.validate import validate

# One tag per test session, so two sessions on one engine (a developer's run beside CI's) never remove or
# rebuild each other's images; the build cache is shared all the same.
SESSION_TAG = f"s{os.getpid()}"


@dataclass
class Built:
    tag: str
    context: Path
    answers: dict
    log: str
    seconds: float
    spec: RunSpec


def build_scenario(client, folder: Path, name: str, toml: str, nocache: bool = False) -> Built:
    """Render `toml` (an answers file) into folder/context and build it as imgwizard-test/NAME:SESSION_TAG
    (`nocache`: every step runs, so its output is in the log even when an earlier run cached it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answers.toml").write_text(toml)
    answers, ctx = rendered(toml, folder)
    context = folder / "context"
    write(ctx, context)
    tag = f"{PREFIX}/{name}:{SESSION_TAG}"
    start = time.monotonic()
    events = list(docker_builder(client, nocache=nocache)(context, tag, threading.Event()))
    seconds = time.monotonic() - start
    log = "\n".join(e.text if e.kind != "step" else f"Step {e.step}/{e.total} : {e.text}" for e in events)
    (folder / "build.log").write_text(log)
    assert events[-1].kind == "done", f"build of {name} failed:\n" + "\n".join(log.splitlines()[-30:])
    size = client.images.get(tag).attrs["Size"]
    IMAGES.append((name, seconds, size))
    return Built(tag, context, answers, log, seconds, run_spec(answers, ctx.plan))


def rendered(toml: str, folder: Path) -> tuple[dict, BuildContext]:
    """The resolved answers of `toml` (an answers file whose relative paths are under folder) and their build
    context, in memory; the test fails on any problem with them."""
    given, problems = answers_file.parse(toml)
    assert not problems, problems
    answers, problems = validate(given, folder)
    assert not problems, problems
    return answers, render(answers, folder)


def host_network_build(client, context: Path, tag: str, nocache: bool = False) -> str:
    """Build `context` as `tag` on the host's network, so the build reaches a server of the test on 127.0.0.1
    (docker-py's API build, as the builder calls it); its log, and the test fails unless the build is done."""
    chunks = client.api.build(path=str(context), tag=tag, decode=True, rm=True, forcerm=True, nocache=nocache,
                              network_mode="host")
    events = list(parse_stream(chunks))
    log = "\n".join(e.text for e in events)
    assert events[-1].kind == "done", log[-4000:]
    return log


def recording_proxy(upstream: str) -> type[http.server.BaseHTTPRequestHandler]:
    """A request handler that passes GET and HEAD on to `upstream` (with the client's Accept header, and the
    answer's Content-Type back) and records each path asked for in its `seen` list: a test's mirror in front of
    a real one, for `serving`."""

    class Proxy(http.server.BaseHTTPRequestHandler):
        seen: list[str] = []  # noqa: RUF012 - one list per proxy class, read by the test

        def do_GET(self):
            self._forward(body=True)

        def do_HEAD(self):
            self._forward(body=False)

        def _forward(self, body: bool):
            Proxy.seen.append(self.path)
            request = urllib.request.Request(upstream + self.path, method="GET" if body else "HEAD",
                                             headers={"Accept": self.headers.get("Accept", "*/*")})
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    data = r.read() if body else b""
                    self.send_response(r.status)
                    self.send_header("Content-Type", r.headers.get("Content-Type", "application/octet-stream"))
                    length = r.headers.get("Content-Length", str(len(data)))
            except urllib.error.HTTPError as exc:
                data, length = b"", "0"
                self.send_response(exc.code)
            self.send_header("Content-Length", length)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Proxy


@contextlib.contextmanager
def serving(handler, wrap_socket=None):
    """An HTTP server of `handler` on 127.0.0.1 at a free port, in a thread, for as long as the `with` lasts; the
    port is what it yields. `wrap_socket` (e.g. an SSLContext's, server side) wraps the listening socket."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if wrap_socket:
        server.socket = wrap_socket(server.socket)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def docker_registry(folder: Path, port: int, auth: str = "", level: str = "warn"):
    """Debian's docker-registry (distribution) serving folder/data on 127.0.0.1:PORT for as long as the `with`
    lasts (the engine allows plain HTTP to 127.0.0.0/8 registries by default); `auth` is extra config (an
    htpasswd section), `level` its log level (info logs each request) into folder/registry.log, the path it yields.
    Skips without docker-registry (CI: required). test_push.py and test_mirror_pull.py start it."""
    binary = need_tool("docker-registry")
    (folder / "config.yml").write_text(f"""version: 0.1
log:
  level: {level}
storage:
  filesystem:
    rootdirectory: {folder / 'data'}
http:
  addr: 127.0.0.1:{port}
{auth}""")
    with open(folder / "registry.log", "wb") as log:
        proc = subprocess.Popen([binary, "serve", str(folder / "config.yml")], stdout=log, stderr=log)
    try:
        _wait_for_v2(port, proc)
        yield folder / "registry.log"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_v2(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60  # a loaded 2-CPU machine; it ends as soon as the registry answers
    while time.monotonic() < deadline:
        assert proc.poll() is None, "docker-registry stopped at once (registry.log in the test's tmp folder)"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2)
            return  # up, without a login
        except urllib.error.HTTPError as exc:
            if exc.code == 401:  # up, and asking for a login
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("docker-registry did not answer within 60 s")


@pytest.fixture
def tags(docker_client):
    """tags(NAME): a new tag imgwizard-test/NAME-RANDOM:1 for one test; all are removed afterwards (with their
    untagged parents)."""
    made: list[str] = []

    def new(name: str) -> str:
        made.append(f"{PREFIX}/{name}-{uuid.uuid4().hex[:8]}:1")
        return made[-1]

    yield new
    for tag in made:
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - not made, or already removed
            pass


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("scenarios")


@pytest.fixture(scope="session")
def images_to_remove(docker_client):
    tags: list[str] = []
    yield tags
    if os.environ.get("IMGWIZARD_KEEP_TEST_IMAGES"):
        return
    for tag in tags:
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


@pytest.fixture(scope="session")
def openssh_client() -> None:
    """The tests that log in by SSH need the OpenSSH client (ssh, ssh-keygen, ssh-keyscan): they skip without
    it, saying so (CI: required)."""
    for name in ("ssh", "ssh-keygen", "ssh-keyscan"):
        need_tool(name)


@pytest.fixture(scope="session")
def ssh_keypair(tmp_path_factory, openssh_client):
    folder = tmp_path_factory.mktemp("keys")
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "imgwizard-test", "-f", str(key)],
                   check=True)
    return key


@pytest.fixture(scope="session")
def ssh_key_image(docker_client, scenario_dir, images_to_remove, ssh_keypair) -> Built:
    folder = put_test_key(scenario_dir / "ssh-key", ssh_keypair)
    # nocache: openssh-server's install output must be in this build's log (test_ssh checks it makes no key)
    built = build_scenario(docker_client, folder, "ssh-key", answers_toml("ssh-key", ssh=KEY_LOGIN), nocache=True)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def ssh_password_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "ssh-password", "ssh-password",
                           answers_toml("ssh-password", ssh={**PASSWORD_LOGIN, "port": 2222}))
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def forward_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "forward", "forward", answers_toml("forward", forward=FORWARD))
    images_to_remove.append(built.tag)
    return built


# The machine's own Debian mirror, written with an explicit port so the rewritten sources are told apart
# from the original ones in apt's output ("Get:1 http://deb.debian.org:80/debian ...").
OWN_MIRROR = "http://deb.debian.org:80"


@pytest.fixture(scope="session")
def locale_mirror_image(docker_client, scenario_dir, images_to_remove) -> Built:
    toml = answers_toml("locale-mirror", mirror={"apt": OWN_MIRROR},
                        locale={"chinese": True, "timezone": "Asia/Shanghai"})
    # nocache: apt's "Get:" lines must be in this build's log, not cached away by an earlier run
    built = build_scenario(docker_client, scenario_dir / "locale", "locale-mirror", toml, nocache=True)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def jupyter_image(docker_client, scenario_dir, images_to_remove) -> Built:
    toml = answers_toml("jupyter", app={**JUPYTER, "jupyter_extras": ["notebook"]}, network=MACHINE_CA)
    built = build_scenario(docker_client, scenario_dir / "jupyter", "jupyter", toml)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def java_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "java", "java", answers_toml("java", packages={"java": "17"}))
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def ssh_user_key_image(docker_client, scenario_dir, images_to_remove, ssh_keypair):
    """Non-root user, key login, Chinese locale, time zone, a pip package (so /opt/venv) and Java 17."""
    folder = put_test_key(scenario_dir / "ssh-session-user-key", ssh_keypair)
    toml = answers_toml("ssh-session-user-key", locale={"chinese": True, "timezone": "Asia/Shanghai"},
                        packages={"pip": ["six"], "java": "17"}, network=MACHINE_CA,
                        user={"root": False, "workdir": "/work"}, ssh=KEY_LOGIN)
    built = build_scenario(docker_client, folder, "ssh-session-user-key", toml)
    images_to_remove.append(built.tag)
    return built


SSH_BINARY = """#!/bin/sh
# a stand-in for a user's binary: says how it was started, then stays up
echo "hello started as $(id -un) with: $*"
exec sleep infinity
"""


@pytest.fixture(scope="session")
def ssh_binary_image(docker_client, scenario_dir, images_to_remove):
    """A binary app (a shell script) on Debian, non-root, password login on 2200, forwarding 31000 -> 8006.
    The binary sits in a subfolder of the build folder (bin/hello), as a cargo or go build leaves it."""
    folder = scenario_dir / "ssh-session-binary"
    (folder / "context" / "bin").mkdir(parents=True)  # the user puts the binary in the build folder
    (folder / "context" / "bin" / "hello").write_text(SSH_BINARY)
    (folder / "context" / "bin" / "hello").chmod(0o755)
    toml = answers_toml("ssh-session-binary", app={"type": "binary", "command": "bin/hello"},
                        locale={"timezone": "Asia/Shanghai"}, user={"root": False},
                        ssh={**PASSWORD_LOGIN, "port": 2200}, forward=FORWARD)
    built = build_scenario(docker_client, folder, "ssh-session-binary", toml)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def browser() -> None:
    """The browser tests need Debian's chromium and Playwright: they skip without them, saying so, before any
    image is built (session scope, and first in each browser test's arguments: set up before the session's
    desktop images; CI: required)."""
    need_tool("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("this test needs Playwright (the test extras): .venv/bin/pip install -e '.[test]'")


@pytest.fixture(scope="session")
def xterm_image(docker_client, scenario_dir, images_to_remove, ssh_keypair):
    """xterm on the built-in desktop, run as the non-root user `app`, with SSH key login and socat forwarding
    31001 -> 8006 (the entry wrapper). Built once per session (test_desktop_builtin, test_desktop_survives)."""
    folder = put_test_key(scenario_dir / "desktop-xterm", ssh_keypair)
    toml = answers_toml("desktop-xterm", app=desktop_app("xterm"), desktop=BUILTIN_DESKTOP,
                        packages={"apt": ["xterm", "xclip"]}, user={"root": False}, ssh=KEY_LOGIN,
                        forward={**FORWARD, "listen": 31001})
    built = build_scenario(docker_client, folder, "desktop-xterm", toml)
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def xterm_root_image(docker_client, scenario_dir, images_to_remove):
    """xterm on the built-in desktop as root, nothing else. Built once per session (test_desktop_survives,
    test_check_desktop, test_run_sh, test_app_files_engine)."""
    toml = answers_toml("desktop-xterm-root", app=desktop_app("xterm"), desktop=BUILTIN_DESKTOP,
                        packages={"apt": ["xterm"]})
    built = build_scenario(docker_client, scenario_dir / "desktop-xterm-root", "desktop-xterm-root", toml)
    images_to_remove.append(built.tag)
    return built
