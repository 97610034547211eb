"""run.sh and compose.yaml as their users run them (issue 28: a restart policy the user can change; issue 29 item
2.5: the app's host port and the bind address in both files), and the entry wrapper's refusal to start sshd as a
user other than root. run.sh runs in sh with a `docker` on PATH that records its arguments; compose.yaml is read
by Debian's docker-compose (v1, `config`: no engine needed) when it is installed. tests/docker/test_run_sh.py
starts the real containers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
import yaml

from tests.conftest import unavailable
from tests.test_golden import EXAMPLES, load
from wizard.render import render

ACCEPTED = ["no", "always", "unless-stopped", "on-failure", "on-failure:1", "on-failure:5", "on-failure:999"]
REFUSED = ["sometimes", "No", "on-failure:0", "on-failure:1000", "on-failure:", "on-failure:x", "on-failure:-1",
           "always --privileged", "always\n", "unless-stopped; rm -rf /", "always:3"]
REFUSAL = ("run.sh: RESTART_POLICY must be no, always, unless-stopped, on-failure or on-failure:N "
           "(N: 1-999 tries)")
SECRETS = {"DESKTOP_PASSWORD": "pw", "PASSWORD": "pw", "JUPYTER_TOKEN": "t", "VNC_PW": "pw", "VNC_PASSWORD": "pw",
           "SSH_PASSWORD": "pw"}
CHOSEN = {"BIND_ADDRESS": "127.0.0.1", "APP_HOST_PORT": "40000", "SSH_HOST_PORT": "40022",
          "RESTART_POLICY": "on-failure:3"}


def example(stem: str):
    path = next(p for p in EXAMPLES if p.stem == stem)
    return render(load(path)[0], path.parent)


def run_sh(text: str, tmp_path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list[str] | None]:
    """run.sh in sh with a fake `docker` that records what it is called with: (the run, the arguments of
    `docker run`, None when run.sh never called it)."""
    script = tmp_path / "run.sh"
    script.write_text(text)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "docker-run.args"
    record.unlink(missing_ok=True)
    fake = bin_dir / "docker"
    fake.write_text('#!/bin/sh\n[ "$1" = run ] || exit 1  # run.sh first asks for a container left by a failed start\n'
                    f'for arg in "$@"; do printf "%s\\0" "$arg"; done > {record}\n')
    fake.chmod(0o755)
    r = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=30,
                       env={"PATH": f"{bin_dir}:/usr/bin:/bin", **SECRETS, **env})
    return r, (record.read_text().split("\0")[:-1] if record.exists() else None)


def values(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == flag]


def interpolate(text: str, env: dict[str, str]) -> str:
    """${NAME:-default} as sh and compose expand it (unset or empty: the default)."""
    return re.sub(r"\$\{([A-Z_]+):-([^}]*)\}", lambda m: env.get(m[1]) or m[2], text)


@pytest.mark.parametrize("policy", ACCEPTED)
def test_each_restart_policy_docker_accepts_reaches_docker_run(policy, tmp_path):
    r, argv = run_sh(example("jupyter-nvidia").files["run.sh"].text, tmp_path, {"RESTART_POLICY": policy})
    assert r.returncode == 0, r.stderr
    assert values(argv, "--restart") == [policy]


@pytest.mark.parametrize("given", [{}, {"RESTART_POLICY": ""}])
def test_the_restart_policy_is_unless_stopped_when_not_given(given, tmp_path):
    text = example("builtin-desktop").files["run.sh"].text
    r, argv = run_sh(text, tmp_path, given)
    assert r.returncode == 0, r.stderr
    assert values(argv, "--restart") == ["unless-stopped"]
    assert "#   RESTART_POLICY: what docker does when the container stops (default unless-stopped" in text


@pytest.mark.parametrize("policy", REFUSED)
def test_a_restart_policy_docker_would_not_take_is_one_line_and_docker_is_never_called(policy, tmp_path):
    r, argv = run_sh(example("debian-shell-ssh").files["run.sh"].text, tmp_path, {"RESTART_POLICY": policy})
    assert (r.returncode, r.stderr, argv) == (2, REFUSAL + "\n", None)


@pytest.mark.parametrize("port", ["0", "022", "80 -v /:/host", "ssh"])
def test_a_bad_ssh_host_port_is_one_line_and_docker_is_never_called(port, tmp_path):
    r, argv = run_sh(example("debian-shell-ssh").files["run.sh"].text, tmp_path, {"SSH_HOST_PORT": port})
    assert (r.returncode, r.stderr, argv) == (2, "run.sh: SSH_HOST_PORT must be a port number (1-65535)\n", None)


@pytest.mark.parametrize("stem", sorted(p.stem for p in EXAMPLES))
@pytest.mark.parametrize("env", [{}, CHOSEN], ids=["defaults", "chosen"])
def test_run_sh_and_compose_yaml_publish_alike_and_restart_alike(stem, env, tmp_path):
    """Both files take BIND_ADDRESS, APP_HOST_PORT, SSH_HOST_PORT and RESTART_POLICY with the same defaults: the
    ports and the policy docker gets from run.sh are the ones compose.yaml asks for."""
    path = next(p for p in EXAMPLES if p.stem == stem)
    answers = load(path)[0]
    c = render(answers, path.parent)
    r, argv = run_sh(c.files["run.sh"].text, tmp_path, env)
    assert r.returncode == 0, r.stderr
    service = next(iter(yaml.safe_load(c.files["compose.yaml"].text)["services"].values()))
    assert service["restart"] == "${RESTART_POLICY:-unless-stopped}"
    assert values(argv, "-p") == [interpolate(spec, env) for spec in service.get("ports", [])]
    assert values(argv, "--restart") == [interpolate(service["restart"], env)]
    for spec in values(argv, "-p"):
        assert spec.startswith(env.get("BIND_ADDRESS", "0.0.0.0") + ":")
    app_port = answers.get("app.port")
    if app_port and service.get("ports"):  # the app's port: APP_HOST_PORT on the host, by default its own number
        assert f":{env.get('APP_HOST_PORT', app_port)}:{app_port}" in " ".join(values(argv, "-p"))


def test_docker_compose_reads_each_example_as_run_sh_starts_it(tmp_path):
    """Debian's docker-compose (v1, which refuses an empty host address and ${VARIABLE:+...}) reads every
    example's compose.yaml, with the defaults and with chosen values, to the ports and policy run.sh gives docker."""
    compose = shutil.which("docker-compose")
    if compose is None:
        unavailable("this test needs Debian's docker-compose (docker-compose is not installed): "
                    "apt-get install docker-compose")
    for path in EXAMPLES:
        c = render(load(path)[0], path.parent)
        (tmp_path / "compose.yaml").write_text(c.files["compose.yaml"].text)
        for env in ({}, CHOSEN):
            read = subprocess.run([compose, "-f", str(tmp_path / "compose.yaml"), "config"], capture_output=True,
                                  text=True, timeout=60, env={"PATH": os.environ["PATH"], **SECRETS, **env})
            assert read.returncode == 0, f"{path.stem}: {read.stderr}"
            service = next(iter(yaml.safe_load(read.stdout)["services"].values()))
            _, argv = run_sh(c.files["run.sh"].text, tmp_path, env)
            assert [p.removesuffix("/tcp") for p in service.get("ports", [])] == values(argv, "-p"), path.stem
            assert [service["restart"]] == values(argv, "--restart"), path.stem


def test_the_entry_wrapper_refuses_to_start_sshd_as_another_user_in_one_line_at_once(tmp_path):
    """The rendered wrapper of an SSH image, run by sh as uid 65534 (as `docker run --user 65534` would): one line
    naming --user, exit 1, before it writes anything. tests/docker/test_run_sh.py runs it in a container, with
    --read-only too."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("this test runs the wrapper as another user: it needs root and setpriv (util-linux)")
    wrapper = example("debian-shell-ssh").files["imgwizard-entry.sh"].text
    start = time.monotonic()  # the script on sh's input: uid 65534 may not read pytest's folders
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-s", "true"],
                       input=wrapper, capture_output=True, text=True, timeout=30, cwd="/")
    assert time.monotonic() - start < 1
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == ("imgwizard: this container runs as uid 65534 (docker run --user?) but sshd needs root: "
                        "drop --user (SSH logs in as root all the same)\n")
