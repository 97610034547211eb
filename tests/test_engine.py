"""Choosing the Docker engine as the Docker CLI does (wizard/engine/connect.py), without an engine: the order --host >
DOCKER_HOST > docker context > local socket, a context's meta.json and TLS files as `docker context create`
writes them, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, refused addresses, and the one-line reasons. The real SSH
transport is tested in tests/docker/test_remote.py."""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import time
from pathlib import Path

import pytest

from screens.cli import main
from wizard.engine.connect import LOCAL_SOCKET, BadHost, Endpoint, EngineError, connect, explain, host_problem, resolve

CA = Path(__file__).parent / "fixtures" / "test-ca.pem"


def write_context(config_dir: Path, name: str, host: str, current: bool = True, tls: bool = False,
                  skip_verify: bool = False) -> None:
    """What `docker context create NAME --docker host=HOST[,ca=...]` and `docker context use NAME` write."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({
        "Name": name, "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}}}))
    if tls:
        folder = config_dir / "contexts" / "tls" / digest / "docker"
        folder.mkdir(parents=True)
        (folder / "ca.pem").write_text(CA.read_text())
    if current:
        (config_dir / "config.json").write_text(json.dumps({"auths": {}, "currentContext": name}))


def test_the_order_is_host_then_docker_host_then_context_then_socket(tmp_path):
    write_context(tmp_path, "gpu", "ssh://me@gpu-server")
    env = {"DOCKER_CONFIG": str(tmp_path), "DOCKER_HOST": "ssh://root@other:2222"}
    assert resolve("tcp://10.0.0.5:2375", env) == Endpoint("tcp://10.0.0.5:2375", "--host")
    assert resolve(None, env) == Endpoint("ssh://root@other:2222", "DOCKER_HOST")
    del env["DOCKER_HOST"]
    assert resolve(None, env) == Endpoint("ssh://me@gpu-server", "docker context gpu")
    assert resolve(None, {"DOCKER_CONFIG": str(tmp_path / "none")}) == Endpoint(LOCAL_SOCKET, "the local socket")


def test_docker_context_variable_wins_over_current_context(tmp_path):
    write_context(tmp_path, "gpu", "ssh://me@gpu-server")
    write_context(tmp_path, "lab", "tcp://lab.example.com:2375", current=False)
    env = {"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "lab"}
    assert resolve(None, env).url == "tcp://lab.example.com:2375"
    assert resolve(None, {**env, "DOCKER_CONTEXT": "default"}).url == LOCAL_SOCKET


def test_the_context_folder_defaults_to_home_docker(tmp_path):
    write_context(tmp_path / ".docker", "gpu", "ssh://me@gpu-server")
    assert resolve(None, {"HOME": str(tmp_path)}) == Endpoint("ssh://me@gpu-server", "docker context gpu")


def test_a_context_with_tls_files_verifies_with_its_ca(tmp_path):
    write_context(tmp_path, "secure", "tcp://lab.example.com:2376", tls=True)
    endpoint = resolve(None, {"DOCKER_CONFIG": str(tmp_path)})
    assert endpoint.tls is not None and endpoint.tls.verify is True
    assert endpoint.tls.ca_cert.endswith("/docker/ca.pem")
    write_context(tmp_path / "b", "insecure", "tcp://lab.example.com:2376", tls=True, skip_verify=True)
    assert resolve(None, {"DOCKER_CONFIG": str(tmp_path / "b")}).tls.verify is False


def test_a_missing_or_broken_context_is_one_line(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "gone"}))
    with pytest.raises(BadHost, match=r"docker context 'gone' .*does not exist .*docker context ls"):
        resolve(None, {"DOCKER_CONFIG": str(tmp_path)})
    write_context(tmp_path / "b", "odd", "ftp://x")
    with pytest.raises(BadHost, match=r"the Host of docker context odd 'ftp://x' is not a Docker engine address"):
        resolve(None, {"DOCKER_CONFIG": str(tmp_path / "b")})
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "config.json").write_text("{not json")
    with pytest.raises(BadHost, match="cannot read"):
        resolve(None, {"DOCKER_CONFIG": str(tmp_path / "c")})


def test_tls_from_the_environment_as_the_docker_cli(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    env = {"DOCKER_HOST": "tcp://10.0.0.5:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)}
    tls = resolve(None, env).tls
    assert tls.verify and tls.ca_cert == str(tmp_path / "ca.pem")
    assert tls.cert == (str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    assert resolve(None, {"DOCKER_HOST": "ssh://root@gpu", "DOCKER_TLS_VERIFY": "1"}).tls is None  # ssh: no TLS
    with pytest.raises(BadHost, match=r"DOCKER_TLS_VERIFY/DOCKER_CERT_PATH: .* \(looked in .*/nowhere"):
        resolve(None, {**env, "DOCKER_CERT_PATH": str(tmp_path / "nowhere")})


@pytest.mark.parametrize("value", ["ssh://root@gpu", "ssh://gpu.example.com:2222", "tcp://10.0.0.5:2376",
                                   "unix:///var/run/docker.sock", "ssh://[::1]:22", "tcp://[fe80::1]:2375"])
def test_accepted_hosts(value):
    assert host_problem(value) is None


@pytest.mark.parametrize("value", ["gpu-server", "http://x:2375", "tcp://x", "ssh://x:99999", "ssh://a b",
                                   "ssh://root@gpu\n", "ssh://x;rm -rf /", "tcp://x:1" + "0" * 400, ""])
def test_refused_hosts_say_what_is_accepted(value):
    problem = host_problem(value)
    assert problem and problem.startswith("--host ") and "accepted: ssh://[USER@]HOST[:PORT]" in problem
    assert "\n" not in problem


def test_cli_refuses_a_bad_host_naming_it(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["export", "a:b", "-o", str(tmp_path / "x.tar"), "--host", "gpu-server"])
    assert stop.value.code == 2
    assert "argument -H/--host: 'gpu-server' is not a Docker engine address" in capsys.readouterr().err


def test_bad_docker_host_is_one_line_exit_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_HOST", "gpu-server")
    assert main(["export", "a:b", "-o", str(tmp_path / "x.tar")]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["imgwizard: DOCKER_HOST 'gpu-server' is not a Docker engine address; accepted: "
                   "ssh://[USER@]HOST[:PORT], tcp://HOST:PORT or unix:///PATH (e.g. ssh://root@gpu-server or "
                   "tcp://10.0.0.5:2376)"]


def test_a_closed_port_is_refused_at_once(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    assert main(["commit", "c", "a:b", "--host", f"tcp://127.0.0.1:{port}"]) == 3
    assert time.monotonic() - start < 10
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"imgwizard: no Docker engine answers at tcp://127.0.0.1:{port} (from --host): nothing listens at "
                   f"127.0.0.1:{port} (connection refused)"]


def test_an_engine_that_never_answers_is_reported_after_the_time_limit():
    with socket.socket() as server:  # accepts the connection, never says a word
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        endpoint = Endpoint(f"tcp://127.0.0.1:{server.getsockname()[1]}", "--host")
        start = time.monotonic()
        with pytest.raises(EngineError, match=r"no answer within 1 s"):
            connect(endpoint, seconds=1)
        assert time.monotonic() - start < 5


class FakeAuthFailed(Exception):
    pass


def test_explain_walks_the_chain_to_the_known_cause():
    endpoint = Endpoint("ssh://root@gpu:2222", "DOCKER_HOST")
    FakeAuthFailed.__name__ = "AuthenticationException"  # paramiko's name; paramiko is tested for real elsewhere
    try:
        try:
            raise FakeAuthFailed("Authentication failed.")
        except FakeAuthFailed as inner:
            raise RuntimeError("Error while fetching server API version") from inner
    except RuntimeError as outer:
        line = explain(outer, endpoint)
    assert line.startswith("the SSH server at gpu:2222 refused the key login (Authentication failed.)")
    assert "`ssh -p 2222 root@gpu docker version`" in line
    tls = explain(ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
                  Endpoint("tcp://lab:2376", "DOCKER_HOST"))
    assert tls.startswith("TLS failed (") and "DOCKER_CERT_PATH" in tls
    assert explain(ValueError("first\nsecond"), endpoint) == "first"



def test_host_before_the_command_counts_too(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["--host", f"tcp://127.0.0.1:{port}", "commit", "c", "a:b"]) == 3
    assert f"at tcp://127.0.0.1:{port} (from --host)" in capsys.readouterr().err


def test_the_wizard_uses_its_host_for_f5_and_the_hint():
    from screens.app import make_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(docker_host=f"tcp://127.0.0.1:{port}")
    assert app.engine_problem() == (f"no Docker engine answers at tcp://127.0.0.1:{port} (from --host): nothing "
                                    f"listens at 127.0.0.1:{port} (connection refused)")
