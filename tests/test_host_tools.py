"""A test that needs a program of the host the machine lacks skips, naming the package and its install command,
exactly as the Docker tests skip without an engine; with IMGWIZARD_REQUIRE_DOCKER=1 (CI) it fails instead
(issue 29, item 1). First the look-up itself (shutil.which made to find nothing), then the real fixtures of the
push, remote-engine and browser tests in a pytest run where Debian's docker-registry, sshd and chromium are gone
(a private mount namespace lays /dev/null over each: not an executable file, as on a machine without them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TOOLS, need_tool, unavailable

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_a_missing_program_skips_with_its_package_and_install_command(name, monkeypatch):
    monkeypatch.delenv("IMGWIZARD_REQUIRE_DOCKER", raising=False)
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        need_tool(name)
    what, install = TOOLS[name]
    assert str(skipped.value) == (f"this test needs {what} ({name} is not installed): {install} "
                                  "(set IMGWIZARD_REQUIRE_DOCKER=1 to make this a failure)")
    assert install.startswith("apt-get install ")


def test_under_ci_a_missing_program_is_a_failure(monkeypatch):
    monkeypatch.setenv("IMGWIZARD_REQUIRE_DOCKER", "1")
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    with pytest.raises(pytest.fail.Exception) as failed:
        need_tool("docker-registry")
    assert str(failed.value) == ("IMGWIZARD_REQUIRE_DOCKER is set but this test needs Debian's docker-registry "
                                 "(docker-registry is not installed): apt-get install docker-registry")


def test_sshd_is_found_in_sbin_when_path_lacks_it(monkeypatch, tmp_path):
    """A user's PATH often lacks /usr/sbin, where openssh-server puts sshd."""
    monkeypatch.setenv("PATH", str(tmp_path))
    if not any(os.access(Path(d) / "sshd", os.X_OK) for d in ("/usr/local/sbin", "/usr/sbin", "/sbin")):
        unavailable("this test needs the OpenSSH server (sshd is not installed): apt-get install openssh-server")
    assert need_tool("sshd").endswith("/sshd")
    monkeypatch.delenv("IMGWIZARD_REQUIRE_DOCKER", raising=False)  # (CI's: it would make the skip a failure)
    with pytest.raises(pytest.skip.Exception):
        need_tool("ssh-keyscan")  # no other program is looked for in sbin


# One test of each fixture that needs a program, and the program; the run below hides each program that is here.
USERS = {
    "tests/docker/test_push.py::test_push_without_login_says_so": "docker-registry",
    "tests/docker/test_remote.py::test_host_option_wins_over_docker_host": "sshd",
    "tests/docker/test_desktop_builtin.py::test_browser_with_a_wrong_password_is_refused": "chromium",
}


def run_without_tools(require: bool) -> subprocess.CompletedProcess:
    hide = [path for name in USERS.values() if (path := shutil.which(name, path=os.environ["PATH"] + ":/usr/sbin"))]
    mounts = " && ".join(f"mount --bind /dev/null {p}" for p in hide) or "true"
    env = {k: v for k, v in os.environ.items() if k != "IMGWIZARD_REQUIRE_DOCKER"}
    if require:
        env["IMGWIZARD_REQUIRE_DOCKER"] = "1"
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", f'{mounts} && exec "$@"', "sh",
                           sys.executable, "-m", "pytest", "-q", "-rsE", "-p", "no:cacheprovider", "-n", "0", *USERS],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)


@pytest.mark.docker
def test_the_push_remote_and_browser_tests_skip_on_a_machine_without_their_programs(docker_client):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        unavailable("this test hides programs in a private mount namespace: run it as root (util-linux's unshare)")
    done = run_without_tools(require=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    assert "3 skipped" in out, out[-3000:]
    for line in ("this test needs Debian's docker-registry (docker-registry is not installed): "
                 "apt-get install docker-registry",
                 "this test needs the OpenSSH server (sshd is not installed): apt-get install openssh-server",
                 "this test needs Debian's chromium (chromium is not installed): apt-get install chromium"):
        assert line in out, out[-3000:]
    assert "imgwizard test images" not in out  # skipped before anything was built

    required = run_without_tools(require=True)
    assert required.returncode != 0
    assert "3 errors" in required.stdout, required.stdout[-3000:]
    assert "IMGWIZARD_REQUIRE_DOCKER is set but this test needs Debian's docker-registry" in required.stdout
