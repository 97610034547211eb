"""Scenarios 1 and 2: SSH with key auth and with password auth, built and run on the real engine."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tarfile
import time

import pytest

from wizard.engine.check import _ssh_banner, _wait, check_image

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("openssh_client")]  # ssh, ssh-keygen, ssh-keyscan

# A PEM private key block with its body (libraries hold the header alone as a string literal).
PEM_PRIVATE = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40}")
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR"]


def start(client, built, env=None):
    spec = built.spec
    c = client.containers.run(built.tag, detach=True, init=spec.init, environment=env or {},
                              ports={f"{p}/tcp": ("127.0.0.1", None) for p in spec.ports})
    return c


WAIT_S = 90  # the longest a state may take on a loaded 2-CPU machine; each wait ends as soon as it is there


def host_port(c, port: int) -> int:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        c.reload()
        bindings = (c.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp")
        if bindings:
            return int(bindings[0]["HostPort"])
        time.sleep(0.2)
    raise AssertionError(f"port {port} not published")


def wait_banner(c, port: int) -> None:
    ok, detail = _wait(lambda: _ssh_banner(port), c, time.monotonic() + WAIT_S)
    assert ok, f"{detail}\n{c.logs().decode()}"


def ssh(port: int, *args: str, env=None, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run(["ssh", *SSH_OPTS, "-p", str(port), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=timeout)


def test_key_auth_accepts_the_key_and_refuses_passwords(docker_client, ssh_key_image, ssh_keypair):
    c = start(docker_client, ssh_key_image)
    try:
        port = host_port(c, 22)
        wait_banner(c, port)
        ok = ssh(port, "-i", str(ssh_keypair), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                 "root@127.0.0.1", "echo logged-in-as-$(id -un)")
        assert ok.returncode == 0, ok.stderr
        assert "logged-in-as-root" in ok.stdout
        refused = ssh(port, "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no",
                      "-o", "PreferredAuthentications=password,keyboard-interactive", "root@127.0.0.1", "true")
        assert refused.returncode == 255
        # The server offers no password method at all, so no password can ever be tried.
        assert "Permission denied (publickey)" in refused.stderr, refused.stderr
    finally:
        c.remove(force=True)


def host_key(port: int) -> str:
    r = subprocess.run(["ssh-keyscan", "-p", str(port), "-t", "ed25519", "127.0.0.1"],
                       capture_output=True, text=True, timeout=30)
    lines = [ln for ln in r.stdout.splitlines() if "ssh-ed25519" in ln]
    assert lines, r.stderr
    return lines[0].split()[-1]


def test_two_containers_of_one_image_have_different_host_keys(docker_client, ssh_key_image):
    containers = [start(docker_client, ssh_key_image) for _ in range(2)]
    try:
        keys = []
        for c in containers:
            port = host_port(c, 22)
            wait_banner(c, port)
            keys.append(host_key(port))
        assert keys[0] != keys[1]
    finally:
        for c in containers:
            c.remove(force=True)


def saved_archive(client, tag: str):
    """(member name, bytes, the layer as a TarFile or None) for every file of `docker save TAG`: the config and
    manifests (None), and every layer."""
    outer = tarfile.open(fileobj=io.BytesIO(b"".join(client.api.get_image(tag))))
    for member in outer.getmembers():
        if not member.isfile():
            continue
        blob = outer.extractfile(member).read()
        try:
            layer = tarfile.open(fileobj=io.BytesIO(blob))
        except tarfile.TarError:
            layer = None  # the manifest, the config json
        yield member.name, blob, layer


def layer_files(client, tag: str):
    """(path, content) of every regular file in every layer of the image, from `docker save`."""
    for _, _, layer in saved_archive(client, tag):
        for inner in layer.getmembers() if layer else ():
            if inner.isfile():
                yield inner.name.removeprefix("./"), layer.extractfile(inner).read()


def test_no_private_key_or_password_in_any_layer(docker_client, ssh_key_image, ssh_keypair):
    private = ssh_keypair.read_text().split("\n")[1]  # a line of the private key's body
    history = docker_client.api.history(ssh_key_image.tag)
    for entry in history:
        assert "PRIVATE KEY" not in entry["CreatedBy"]
        assert "chpasswd" not in entry["CreatedBy"] and "root:" not in entry["CreatedBy"]
    seen_keys_file = False
    for name, content in layer_files(docker_client, ssh_key_image.tag):
        assert not (name.startswith("etc/ssh/ssh_host_") and name.endswith("_key")), f"host key {name} in a layer"
        # Shared libraries (gnutls) embed self-test keys: a leaked key would be a text file, so skip ELF files.
        assert content.startswith(b"\x7fELF") or not PEM_PRIVATE.search(content), f"a private key in {name}"
        assert private.encode() not in content, f"the client's private key in {name}"
        if name == "etc/ssh/authorized_keys/root":
            seen_keys_file = True
        if name == "etc/shadow":
            root = [ln for ln in content.decode().splitlines() if ln.startswith("root:")][0]
            assert root.split(":")[1] in ("*", "!", "!*", ""), "root has a password hash in the image"
    assert seen_keys_file, "the authorized key was not copied into the image"


def test_the_build_makes_no_host_key_and_each_container_makes_its_own(docker_client, ssh_key_image):
    """packages.j2 puts empty placeholders where openssh-server's postinst would make host keys, so the install
    spends no time on keys the same RUN deletes; a container still starts sshd with keys of its own."""
    log = ssh_key_image.log
    assert "Setting up openssh-server" in log, "the install is not in this build's log (cached?)"
    assert "Creating SSH2" not in log, "openssh-server's postinst made host keys at build time"
    host_keys = []
    for _ in range(2):
        c = start(docker_client, ssh_key_image)
        try:
            port = host_port(c, 22)
            wait_banner(c, port)
            scan = subprocess.run(["ssh-keyscan", "-p", str(port), "-t", "ed25519", "127.0.0.1"],
                                  capture_output=True, text=True, timeout=30)
            keys = [ln.split()[-1] for ln in scan.stdout.splitlines() if "ssh-ed25519" in ln]
            assert keys, f"no ed25519 host key offered: {scan.stderr}"
            host_keys.append(keys[0])
        finally:
            c.remove(force=True)
    assert host_keys[0] != host_keys[1], "two containers of one image offer the same host key"


def test_password_auth_takes_the_password_from_the_environment(docker_client, ssh_password_image, tmp_path):
    password = "imgwizard-Test-" + os.urandom(6).hex()
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
    askpass.chmod(0o700)
    wrong = tmp_path / "wrong.sh"
    wrong.write_text("#!/bin/sh\necho not-the-password\n")
    wrong.chmod(0o700)
    c = start(docker_client, ssh_password_image, env={"SSH_PASSWORD": password})
    try:
        port = host_port(c, 2222)
        wait_banner(c, port)
        opts = ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                "-o", "NumberOfPasswordPrompts=1", "root@127.0.0.1"]
        env = {**os.environ, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
        ok = ssh(port, *opts, "echo password-login-ok", env={**env, "SSH_ASKPASS": str(askpass)})
        assert ok.returncode == 0, ok.stderr
        assert "password-login-ok" in ok.stdout
        bad = ssh(port, *opts, "true", env={**env, "SSH_ASKPASS": str(wrong)})
        assert bad.returncode == 255 and "Permission denied" in bad.stderr
    finally:
        c.remove(force=True)


def test_password_image_holds_no_password(docker_client, ssh_password_image):
    shadow = docker_client.containers.run(ssh_password_image.tag, ["cat", "/etc/shadow"], entrypoint=[],
                                          remove=True).decode()
    root = [ln for ln in shadow.splitlines() if ln.startswith("root:")][0]
    assert root.split(":")[1] in ("*", "!", "!*", ""), f"root has a password in the image: {root.split(':')[1][:3]}..."
    for entry in docker_client.api.history(ssh_password_image.tag):
        assert "chpasswd" not in entry["CreatedBy"] and "SSH_PASSWORD=" not in entry["CreatedBy"]
    cfg = docker_client.images.get(ssh_password_image.tag).attrs["Config"]
    assert not any(e.startswith("SSH_PASSWORD") for e in cfg.get("Env") or [])


def test_check_reports_the_ssh_service(docker_client, ssh_password_image):
    report = check_image(docker_client, ssh_password_image.tag, ssh_password_image.spec, timeout=60)
    assert report.ok, (report.results, report.logs)
    assert [r.name for r in report.results] == ["ssh on 2222"]
    # this image's check containers only: another session (or xdist worker) may be checking its own image now
    assert docker_client.containers.list(all=True, filters={"label": "imgwizard.check",
                                                            "ancestor": ssh_password_image.tag}) == []
