"""SSH from the user's side: log in over SSH (key or password, root or the non-root user `app`) and check inside
the login shell what `docker exec` sees: the locale, TZ, the venv's python, JAVA_HOME, `docker run -e` values;
never a secret. Also a binary app with SSH and forwarding: the entry wrapper starts sshd and socat, then the binary.

Images (conftest): ssh_user_key_image (a non-root user with key login, Chinese locale, time zone, a pip package and
Java), ssh_binary_image (a binary with password login, time zone and forwarding), ssh_key_image and
ssh_password_image (root).
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.docker.test_ssh import SSH_OPTS, WAIT_S, host_port, start, wait_banner
from wizard.engine.check import check_image
from wizard.plan_start import SESSION_VARIABLES, secret_names

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("openssh_client")]  # ssh, ssh-keygen, ssh-keyscan

KEY_OPTS = ["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"]
PASSWORD_OPTS = ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                 "-o", "NumberOfPasswordPrompts=1"]
ENV_FILE = "/etc/profile.d/imgwizard-env.sh"
# a `docker run -e` value a shell could misread: quotes, $, a newline
TRICKY = "it's \"quoted\" $(not run) `nor this`\nsecond line"
# Set by sshd or the login itself, not by the container: never compared with `docker exec`'s environment.
SSH_OWN = {"SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY", "SSH_AUTH_SOCK"}


def askpass(tmp_path, password: str) -> dict[str, str]:
    script = tmp_path / "askpass.sh"
    script.write_text(f"#!/bin/sh\necho '{password}'\n")
    script.chmod(0o700)
    return {**os.environ, "SSH_ASKPASS": str(script), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}


def login_shell(port: int, user: str, script: str, opts: list[str], env=None) -> str:
    """Run `script` in the login shell sshd starts for `user` (no command given: the shell reads stdin)."""
    r = subprocess.run(["ssh", *SSH_OPTS, "-T", "-p", str(port), *opts, f"{user}@127.0.0.1"], input=script,
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def ssh_command(port: int, user: str, opts: list[str], command: str, env=None) -> str:
    """Run `command` the way `ssh host command` does: sshd hands it to the user's shell with -c."""
    r = subprocess.run(["ssh", *SSH_OPTS, "-p", str(port), *opts, f"{user}@127.0.0.1", command], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def environment(text: str) -> dict[str, str]:
    """`env -0` output as a dict (values may hold newlines)."""
    return dict(item.split("=", 1) for item in text.split("\0") if "=" in item)


def session_env(port, user, opts, env=None) -> dict[str, str]:
    return environment(login_shell(port, user, "env -0\n", opts, env))


def exec_env(c) -> dict[str, str]:
    return environment(c.exec_run(["env", "-0"]).output.decode())


def assert_session_has_the_container_environment(c, session: dict[str, str]) -> None:
    """Every variable `docker exec` sees is in the SSH session with the same value, secrets and per-login ones
    excepted; no secret is in the session or the file."""
    expected = {k: v for k, v in exec_env(c).items() if k not in SESSION_VARIABLES | secret_names() | SSH_OWN}
    assert {k: session.get(k) for k in expected} == expected
    assert not secret_names() & set(session), "a secret reached the SSH session"


def wait_for(c, what: str, check) -> None:
    deadline = time.monotonic() + WAIT_S  # a loaded 2-CPU machine; it ends as soon as `check` holds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}\n{c.logs().decode()}")


def test_non_root_key_login_has_locale_tz_venv_java(docker_client, ssh_user_key_image, ssh_keypair):
    c = start(docker_client, ssh_user_key_image, env={"EXTRA_SETTING": TRICKY, "JUPYTER_TOKEN": "token-" + os.urandom(4).hex()})
    try:
        port = host_port(c, 22)
        wait_banner(c, port)
        opts = ["-i", str(ssh_keypair), *KEY_OPTS]
        out = login_shell(port, "app", "echo \"$0\"; id -un; locale; echo TZ=$TZ; date +%Z; command -v python; echo JH=$JAVA_HOME;"
                                       " java -version 2>&1 | head -1; pwd\n", opts)
        lines = out.splitlines()
        assert lines[0] == "-bash"  # sshd started a login shell
        assert lines[1] == "app"  # the account is not locked: sshd took the key (item 3)
        assert "LANG=zh_CN.UTF-8" in lines and "LC_ALL=zh_CN.UTF-8" in lines
        assert "TZ=Asia/Shanghai" in lines and "CST" in lines
        assert "/opt/venv/bin/python" in lines
        assert any(ln.startswith("JH=/usr/lib/jvm/") for ln in lines)
        assert any("openjdk version \"17" in ln for ln in lines), out
        assert lines[-1] == "/work"
        session = session_env(port, "app", opts)
        assert session["EXTRA_SETTING"] == TRICKY
        assert_session_has_the_container_environment(c, session)
        # a command given to ssh (a non-interactive bash, no profile read) sees the same environment
        command = ssh_command(port, "app", opts, "env -0")
        assert_session_has_the_container_environment(c, environment(command))
        # once per session: a bash started inside (it reads /etc/bash.bashrc again) keeps a PATH changed before it
        path = ssh_command(port, "app", opts, "PATH=/changed:$PATH bash -ic 'echo $PATH' 2>/dev/null")
        assert path.startswith("/changed:"), path
        assert "JUPYTER_TOKEN" not in c.exec_run(["cat", ENV_FILE]).output.decode()
        shadow = c.exec_run(["grep", "^app:", "/etc/shadow"]).output.decode()
        assert shadow.split(":")[1] == "*"  # no password, not locked
    finally:
        c.remove(force=True)


def test_root_key_login_has_the_container_environment(docker_client, ssh_key_image, ssh_keypair):
    c = start(docker_client, ssh_key_image, env={"EXTRA_SETTING": TRICKY})
    try:
        port = host_port(c, 22)
        wait_banner(c, port)
        opts = ["-i", str(ssh_keypair), *KEY_OPTS]
        session = session_env(port, "root", opts)
        assert session["EXTRA_SETTING"] == TRICKY
        assert_session_has_the_container_environment(c, session)
        assert_session_has_the_container_environment(c, environment(ssh_command(port, "root", opts, "env -0")))
    finally:
        c.remove(force=True)


def test_root_password_login_has_the_environment_but_not_the_password(docker_client, ssh_password_image, tmp_path):
    password = "imgwizard-Test-" + os.urandom(6).hex()
    c = start(docker_client, ssh_password_image, env={"SSH_PASSWORD": password, "EXTRA_SETTING": TRICKY})
    try:
        port = host_port(c, 2222)
        wait_banner(c, port)
        session = session_env(port, "root", PASSWORD_OPTS, askpass(tmp_path, password))
        assert session["EXTRA_SETTING"] == TRICKY
        assert_session_has_the_container_environment(c, session)
        assert password not in c.exec_run(["cat", ENV_FILE]).output.decode()
    finally:
        c.remove(force=True)


def test_env_file_is_held_out_of_a_commit_and_put_back(docker_client, ssh_key_image):
    c = start(docker_client, ssh_key_image)
    try:
        wait_for(c, "the wrapper wrote no environment file", lambda: c.exec_run(["test", "-f", ENV_FILE]).exit_code == 0)
        assert c.exec_run(["sh", "/usr/local/bin/imgwizard-entry.sh", "--before-commit"]).exit_code == 0
        assert c.exec_run(["test", "-e", ENV_FILE]).exit_code == 1
        assert c.exec_run(["sh", "/usr/local/bin/imgwizard-entry.sh", "--after-commit"]).exit_code == 0
        assert c.exec_run(["test", "-f", ENV_FILE]).exit_code == 0
    finally:
        c.remove(force=True)


def test_binary_with_ssh_and_forwarding_starts_all_three(docker_client, ssh_binary_image, tmp_path):
    # app.command = "bin/hello": a path inside the build folder, sent to the engine and started from PATH
    assert "COPY bin/hello /usr/local/bin/hello" in (ssh_binary_image.context / "Dockerfile").read_text()
    password = "imgwizard-Test-" + os.urandom(6).hex()
    c = start(docker_client, ssh_binary_image, env={"SSH_PASSWORD": password})
    try:
        port = host_port(c, 2200)
        wait_banner(c, port)
        wait_for(c, "the binary did not start", lambda: b"hello started as root" in c.logs())
        procs = [p[-1] for p in c.top()["Processes"]]
        assert any("/usr/sbin/sshd" in p for p in procs), procs
        assert any(p.startswith("socat TCP-LISTEN:31000") for p in procs), procs
        assert "sleep infinity" in procs, procs  # the binary replaced the wrapper (exec)
        out = login_shell(port, "app", "id -un; echo TZ=$TZ; date +%Z\n", PASSWORD_OPTS, askpass(tmp_path, password))
        assert out.splitlines() == ["app", "TZ=Asia/Shanghai", "CST"]
        assert_session_has_the_container_environment(c, session_env(port, "app", PASSWORD_OPTS, askpass(tmp_path, password)))
    finally:
        c.remove(force=True)


def test_binary_check_reaches_ssh_and_the_forward(docker_client, ssh_binary_image):
    report = check_image(docker_client, ssh_binary_image.tag, ssh_binary_image.spec, timeout=60)
    assert report.ok, (report.results, report.logs)
    assert sorted(r.name for r in report.results) == ["forward 31000 -> 8006", "ssh on 2200"]
