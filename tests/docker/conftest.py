"""Images shared by the integration tests: each scenario is rendered from answers, built once per session on
the real engine and removed at the end (IMGWIZARD_KEEP_TEST_IMAGES=1 keeps them for a faster re-run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from wizard import answers_file
from wizard.context import write
from wizard.docker_ops import RunSpec, docker_builder, run_spec
from wizard.render import render
from wizard.validate import validate

PREFIX = "imgwizard-test"
# One tag per test session, so two sessions on one engine (a developer's run beside CI's) never remove or
# rebuild each other's images; the build cache is shared all the same.
SESSION_TAG = f"s{os.getpid()}"
TIMINGS: list[tuple[str, float, int]] = []


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
    source = folder / "answers.toml"
    source.write_text(toml)
    given, problems = answers_file.parse(toml)
    assert not problems, problems
    answers, problems = validate(given, folder)
    assert not problems, problems
    context = folder / "context"
    ctx = render(answers, folder)
    write(ctx, context)
    tag = f"{PREFIX}/{name}:{SESSION_TAG}"
    start = time.monotonic()
    events = list(docker_builder(client, nocache=nocache)(context, tag, threading.Event()))
    seconds = time.monotonic() - start
    log = "\n".join(e.text if e.kind != "step" else f"Step {e.step}/{e.total} : {e.text}" for e in events)
    (folder / "build.log").write_text(log)
    assert events[-1].kind == "done", f"build of {name} failed:\n" + "\n".join(log.splitlines()[-30:])
    size = client.images.get(tag).attrs["Size"]
    TIMINGS.append((name, seconds, size))
    return Built(tag, context, answers, log, seconds, run_spec(answers, ctx.plan))


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
def ssh_keypair(tmp_path_factory):
    if not shutil.which("ssh-keygen") or not shutil.which("ssh"):
        pytest.fail("the openssh client (ssh, ssh-keygen) is needed: apt-get install openssh-client")
    folder = tmp_path_factory.mktemp("keys")
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "imgwizard-test", "-f", str(key)],
                   check=True)
    return key


@pytest.fixture(scope="session")
def ssh_key_image(docker_client, scenario_dir, images_to_remove, ssh_keypair) -> Built:
    folder = scenario_dir / "ssh-key"
    folder.mkdir()
    shutil.copy(f"{ssh_keypair}.pub", folder / "id.pub")
    built = build_scenario(docker_client, folder, "ssh-key", """
version = 1
[image]
name = "imgwizard-test/ssh-key"
[app]
type = "shell"
[os]
family = "debian"
[packages]
common = false
[ssh]
enabled = true
auth = "key"
authorized_key = "id.pub"
""")
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def ssh_password_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "ssh-password", "ssh-password", """
version = 1
[image]
name = "imgwizard-test/ssh-password"
[app]
type = "shell"
[os]
family = "debian"
[packages]
common = false
[ssh]
enabled = true
auth = "password"
port = 2222
""")
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def forward_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "forward", "forward", """
version = 1
[image]
name = "imgwizard-test/forward"
[app]
type = "shell"
[os]
family = "debian"
[packages]
common = false
[ssh]
enabled = false
[forward]
enabled = true
listen = 31000
target = 8006
""")
    images_to_remove.append(built.tag)
    return built


# The machine's own Debian mirror, written with an explicit port so the rewritten sources are told apart
# from the original ones in apt's output ("Get:1 http://deb.debian.org:80/debian ...").
OWN_MIRROR = "http://deb.debian.org:80"


@pytest.fixture(scope="session")
def locale_mirror_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "locale", "locale-mirror", f"""
version = 1
[image]
name = "imgwizard-test/locale-mirror"
[app]
type = "shell"
[os]
family = "debian"
[mirror]
apt = "{OWN_MIRROR}"
[locale]
chinese = true
timezone = "Asia/Shanghai"
[packages]
common = false
[ssh]
enabled = false
""", nocache=True)  # apt's "Get:" lines must be in this build's log, not cached away by an earlier run
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def jupyter_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "jupyter", "jupyter", """
version = 1
[image]
name = "imgwizard-test/jupyter"
[app]
type = "web"
name = "jupyter"
python_from = "system"
jupyter_extras = ["notebook"]
auth = true
port = 31000
[os]
family = "debian"
[packages]
common = false
[network]
extra_ca = "/etc/ssl/certs/ca-certificates.crt"
""")
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def java_image(docker_client, scenario_dir, images_to_remove) -> Built:
    built = build_scenario(docker_client, scenario_dir / "java", "java", """
version = 1
[image]
name = "imgwizard-test/java"
[app]
type = "shell"
[os]
family = "debian"
[packages]
common = false
java = "17"
[ssh]
enabled = false
""")
    images_to_remove.append(built.tag)
    return built


@pytest.fixture(scope="session")
def ssh_user_key_image(docker_client, scenario_dir, images_to_remove, ssh_keypair):
    """Non-root user, key login, Chinese locale, time zone, a pip package (so /opt/venv) and Java 17."""
    folder = scenario_dir / "ssh-session-user-key"
    folder.mkdir()
    (folder / "id.pub").write_text((ssh_keypair.parent / f"{ssh_keypair.name}.pub").read_text())
    built = build_scenario(docker_client, folder, "ssh-session-user-key", """
version = 1
[image]
name = "imgwizard-test/ssh-session-user-key"
[app]
type = "shell"
[os]
family = "debian"
[locale]
chinese = true
timezone = "Asia/Shanghai"
[packages]
common = false
pip = ["six"]
java = "17"
[network]
extra_ca = "/etc/ssl/certs/ca-certificates.crt"
[user]
root = false
workdir = "/work"
[ssh]
enabled = true
auth = "key"
authorized_key = "id.pub"
""")
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
    built = build_scenario(docker_client, folder, "ssh-session-binary", """
version = 1
[image]
name = "imgwizard-test/ssh-session-binary"
[app]
type = "binary"
command = "bin/hello"
[os]
family = "debian"
[locale]
timezone = "Asia/Shanghai"
[packages]
common = false
[user]
root = false
[ssh]
enabled = true
auth = "password"
port = 2200
[forward]
enabled = true
listen = 31000
target = 8006
""")
    images_to_remove.append(built.tag)
    return built


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", "imgwizard test images (build time, size)")
        for name, seconds, size in TIMINGS:
            terminalreporter.write_line(f"{name:16s} {seconds:6.1f} s {size / 2**20:8.1f} MiB")
