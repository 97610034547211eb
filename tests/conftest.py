"""Shared fixtures. `docker_client`: a real Docker engine for the tests marked `docker`; `need_tool`: a program
of the host a test needs (Debian's docker-registry, openssh-server's sshd, chromium...).

Without an engine, or without such a program, those tests skip with the reason and the command that installs
it; with IMGWIZARD_REQUIRE_DOCKER=1 (CI, whose .ci/run installs them all) they fail instead, so a CI run can
never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

pytest_plugins = ["tests.scheduling", "pytester"]  # what runs, on which worker, in which order

# Property tests without their own max_examples (tests/test_hostile.py) draw a few dozen examples per test
# locally and many more in CI (CI=true), where a whole run of them stays under about 90 s.
settings.register_profile("dev", max_examples=40)
settings.register_profile("ci", max_examples=300)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "dev")


def docker_required() -> bool:
    return os.environ.get("IMGWIZARD_REQUIRE_DOCKER", "") not in ("", "0")


def unavailable(reason: str) -> None:
    """Skip the test for `reason` (what it needs and how to get it), or fail under IMGWIZARD_REQUIRE_DOCKER."""
    if docker_required():
        pytest.fail(f"IMGWIZARD_REQUIRE_DOCKER is set but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set IMGWIZARD_REQUIRE_DOCKER=1 to make this a failure)")


# The host programs tests need: name -> (the package's words, how to install it). Debian's package names.
TOOLS = {
    "docker-registry": ("Debian's docker-registry", "apt-get install docker-registry"),
    "sshd": ("the OpenSSH server", "apt-get install openssh-server"),
    "ssh": ("the OpenSSH client", "apt-get install openssh-client"),
    "ssh-keygen": ("the OpenSSH client", "apt-get install openssh-client"),
    "ssh-keyscan": ("the OpenSSH client", "apt-get install openssh-client"),
    "chromium": ("Debian's chromium", "apt-get install chromium"),
    "openssl": ("openssl", "apt-get install openssl"),
    "docker-compose": ("Debian's docker-compose", "apt-get install docker-compose"),
}
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"  # sshd's folder, on root's PATH only


def need_tool(name: str) -> str:
    """The path of the host program `name` (on PATH; sshd also in the sbin folders), found as shutil.which finds
    it: an executable file. Without it the test skips, naming the package and its install command."""
    path = os.environ.get("PATH", os.defpath) + (os.pathsep + SBIN if name == "sshd" else "")
    found = shutil.which(name, path=path)
    if found is None:
        what, install = TOOLS[name]
        unavailable(f"this test needs {what} ({name} is not installed): {install}")
    return found


@pytest.fixture(scope="session")
def docker_client():
    import docker

    from wizard.engine.connect import engine_status

    reason = engine_status()
    if reason:
        unavailable(reason)
    client = docker.from_env(timeout=600)
    yield client
    client.close()
