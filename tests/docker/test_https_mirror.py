"""A custom https:// apt mirror on slim Debian (no CA certificates before the packages layer): the build bootstraps
ca-certificates, then every later apt-get checks the mirror's certificate. The mirror is a local HTTPS server
(127.0.0.1, its own CA given as network.extra_ca) in front of this machine's Debian mirror; the build runs on the
host's network so it reaches 127.0.0.1."""

from __future__ import annotations

import functools
import ssl
import subprocess

import pytest

from tests.answers_kit import answers_toml
from tests.conftest import need_tool
from tests.docker.conftest import host_network_build, recording_proxy, rendered, serving
from wizard.context import write

pytestmark = pytest.mark.docker

UPSTREAM = "http://deb.debian.org"  # this machine's Debian mirror (its /etc/apt/sources.list.d/debian.sources)
TAG = "imgwizard-test/https-mirror:latest"


def make_certificates(folder):
    """A CA and a server certificate for 127.0.0.1 signed by it (openssl)."""
    need_tool("openssl")

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=imgwizard test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.fixture
def https_mirror(tmp_path):
    ca, cert, key = make_certificates(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    proxy = recording_proxy(UPSTREAM)
    with serving(proxy, functools.partial(context.wrap_socket, server_side=True)) as port:
        yield f"https://127.0.0.1:{port}", ca, proxy.seen


def test_https_apt_mirror_builds_on_slim_debian(docker_client, https_mirror, tmp_path):
    url, ca, seen = https_mirror
    _, ctx = rendered(answers_toml("https-mirror", mirror={"apt": url}, packages={"apt": ["less"]},
                                   network={"extra_ca": str(ca)}), tmp_path)
    context = tmp_path / "context"
    write(ctx, context)
    try:
        log = host_network_build(docker_client, context, TAG, nocache=True)
        # both apt runs went to the mirror over https: the bootstrap (unchecked) and the packages layer (checked)
        assert log.count(f"Get:1 {url}/debian bookworm InRelease") == 2, log
        assert "/debian/dists/bookworm/InRelease" in seen
        assert any(p.startswith("/debian/pool/main/l/less/") for p in seen)
        out = docker_client.containers.run(TAG, ["sh", "-c", "command -v less; cat /etc/apt/sources.list.d/debian.sources"],
                                           entrypoint=[], remove=True).decode()
        assert "/usr/bin/less" in out and f"URIs: {url}/debian" in out
    finally:
        try:
            docker_client.images.remove(TAG, force=True)
        except Exception:  # noqa: BLE001 - the build failed before tagging
            pass
