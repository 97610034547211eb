"""A tcp:// engine with TLS, for real: a TLS endpoint started by the test on 127.0.0.1 that asks for a client
certificate signed by the test's CA (what `dockerd --tlsverify` does) and passes the bytes to this machine's
engine socket (the shared engine cannot be restarted with TLS flags). imgwizard runs as a user runs it, with
DOCKER_HOST=tcp://127.0.0.1:PORT, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem).
Certificates are made with `cryptography` (paramiko's own dependency)."""

from __future__ import annotations

import datetime
import ipaddress
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.docker.conftest import SESSION_TAG

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
ENGINE_SOCKET = "/var/run/docker.sock"


def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn: str, issuer=None, ca: bool = False, server: bool = False):
    """(certificate, key); self-signed when `issuer` (cert, key) is None."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    signer_cert, signer_key = issuer if issuer else (None, key)
    builder = (x509.CertificateBuilder().subject_name(_name(cn))
               .issuer_name(signer_cert.subject if signer_cert else _name(cn))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        here = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(here, critical=False)
    from cryptography.hazmat.primitives import hashes
    return builder.sign(signer_key, hashes.SHA256()), key


def _write(folder: Path, name: str, cert, key=None) -> None:
    from cryptography.hazmat.primitives import serialization

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        key_name = "key.pem" if name == "cert" else f"{name}-key.pem"
        (folder / key_name).write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))


class TLSFront:
    """127.0.0.1:PORT, TLS with a required client certificate, in front of the engine's unix socket."""

    def __init__(self, folder: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(folder / "server.pem", folder / "server-key.pem")
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_verify_locations(folder / "ca.pem")
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.served = self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1
            conn.close()
            return
        self.served += 1
        engine = socket.socket(socket.AF_UNIX)
        engine.connect(ENGINE_SOCKET)
        try:
            _relay(tls, engine)
        finally:
            tls.close()
            engine.close()

    def close(self) -> None:
        self.server.close()


def _relay(tls: ssl.SSLSocket, engine: socket.socket) -> None:
    """Both directions in one thread (an SSL socket must not be read and written from two threads)."""
    while True:
        ready, _, _ = select.select([tls, engine], [], [], 120)
        if not ready:
            return
        if tls in ready:
            data = tls.recv(65536)
            while data and tls.pending():
                data += tls.recv(tls.pending())
            if not data:
                return
            engine.sendall(data)
        if engine in ready:
            data = engine.recv(65536)
            if not data:
                return
            tls.sendall(data)


@pytest.fixture(scope="module")
def tls_front(tmp_path_factory, docker_client):
    if not os.path.exists(ENGINE_SOCKET):
        unavailable(f"the engine is not at {ENGINE_SOCKET} (this test puts TLS in front of that socket)")
    folder = tmp_path_factory.mktemp("tls")
    ca = _cert("imgwizard test CA", ca=True)
    _write(folder / "server", "ca", ca[0])
    _write(folder / "server", "server", *_cert("127.0.0.1", issuer=ca, server=True))
    _write(folder / "client", "ca", ca[0])
    _write(folder / "client", "cert", *_cert("imgwizard client", issuer=ca))
    other = _cert("another CA", ca=True)  # trusts another CA and holds a client certificate from it
    _write(folder / "stranger", "ca", other[0])
    _write(folder / "stranger", "cert", *_cert("stranger", issuer=other))
    front = TLSFront(folder / "server")
    yield front, folder
    front.close()


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**base, **env})


def tls_env(front: TLSFront, certs: Path) -> dict[str, str]:
    return {"DOCKER_HOST": f"tcp://127.0.0.1:{front.port}", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(certs)}


def test_build_through_tcp_with_tls(tls_front, docker_client, tmp_path):
    front, folder = tls_front
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nRUN echo built-over-tls > /how\n")
    tag = f"imgwizard-test/remote-tls:{SESSION_TAG}"
    served = front.served
    try:
        done = run_cli(tls_env(front, folder / "client"), "build", str(tmp_path), "-t", tag)
        assert done.returncode == 0, done.stderr
        assert f"using the Docker engine at tcp://127.0.0.1:{front.port} (from DOCKER_HOST)" in done.stderr
        assert f"built {tag}" in done.stdout and front.served > served
        assert docker_client.images.get(tag)
        # check cannot reach the engine host's 127.0.0.1 over tcp://: refused with the reason, nothing started
        (tmp_path / "imgwizard.toml").write_text('version = 1\n[app]\ntype = "shell"\n')
        checked = run_cli(tls_env(front, folder / "client"), "check", tag, "--context", str(tmp_path))
        assert checked.returncode == 1 and "cannot be reached from here over tcp://" in checked.stderr
    finally:
        docker_client.images.remove(tag, force=True)


def test_a_certificate_from_another_ca_is_one_line(tls_front, tmp_path):
    front, folder = tls_front
    refused = front.refused
    done = run_cli(tls_env(front, folder / "stranger"), "export", "a:b", "-o", str(tmp_path / "x.tar"))
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"imgwizard: no Docker engine answers at tcp://127.0.0.1:{front.port} (from "
                               f"DOCKER_HOST): TLS failed (")
    assert "DOCKER_CERT_PATH" in lines[0] and front.refused > refused


def test_missing_certificate_files_name_the_folder(tls_front, tmp_path):
    front, _ = tls_front
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    done = run_cli(tls_env(front, tmp_path / "empty"), "build", str(tmp_path), "-t", "a:b")
    assert done.returncode == 3
    line = done.stderr.strip().splitlines()[0]
    assert line.startswith("imgwizard: DOCKER_TLS_VERIFY/DOCKER_CERT_PATH: ") and str(tmp_path / "empty") in line
