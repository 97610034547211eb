"""The accepted Debian combinations of each third-party engine, built on the real engine FROM its row's stand-in
(tests/standins.py: the real jlesage, linuxserver and kasmweb images cannot be pulled here, so each is stood in for
by debian:bookworm-slim plus bases.toml's facts, tagged with the pinned reference). And a base whose uid 1000 is
taken (a stand-in with the plain/ubuntu/24.04 row's uid-1000 account on the local Debian), under a shell image
with SSH key login as the configured user.

One build per scenario, one stand-in per row per session; each build's seconds are printed at the end.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from tests.answers_kit import KEY_LOGIN, PREFIX, answers_toml, put_test_key
from tests.docker.conftest import (OWN_MIRROR, SESSION_TAG, build_scenario, host_network_build, recording_proxy,
                                   rendered, serving)
from tests.docker.test_ssh import SSH_OPTS, host_port, start, wait_banner
from tests.standins import FROM, LABEL, TIMES, real_image_reason
from tests.standins import standin  # noqa: F401 - the session fixture
from wizard import knowledge
from wizard.context import write

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
PYCHARM = ROOT / "docs" / "examples" / "pycharm-novnc.toml"
UPSTREAM = "http://deb.debian.org"  # this machine's Debian mirror, behind the recording proxy
XTERM_APP = {"type": "desktop", "name": "command", "command": "xterm", "port": 31000}


def row(engine: str):
    base = knowledge.base(engine, "debian", "12")
    if base is None:
        pytest.fail(f"bases.toml has no {engine}.debian.\"12\" row")
    return base


def inside(client, tag: str, script: str) -> str:
    """What `script` prints in a container of `tag` (sh as root, no network, removed after)."""
    return client.containers.run(tag, ["-c", script], entrypoint=["/bin/sh"], user="0", network_disabled=True,
                                 remove=True).decode()


def jetbrains_archive(path: Path, top: str) -> None:
    """A small stand-in for a JetBrains Linux archive: top/bin/<launchers> and bin/idea.properties."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text, mode in ((f"{top}/bin/pycharm", "#!/bin/sh\necho stand-in pycharm\n", 0o755),
                                 (f"{top}/bin/pycharm.sh", "#!/bin/sh\nexec \"$(dirname \"$0\")/pycharm\"\n", 0o755),
                                 (f"{top}/bin/idea.properties", "idea.config.path=${user.home}/.config\n", 0o644)):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))


def pycharm_on_debian_12() -> str:
    """The guide's PyCharm example on Debian 12, with mirrors this machine reaches (its own Debian mirror; pip
    from PyPI, which this example does not use)."""
    text = PYCHARM.read_text()
    for old, new in (('family = "ubuntu"', 'family = "debian"'), ('version = "22.04"', 'version = "12"'),
                     ('apt = "tuna"', f'apt = "{OWN_MIRROR}"'), ('pip = "tuna"', 'pip = "none"')):
        text = text.replace(old, new)
    assert 'family = "debian"' in text and 'version = "12"' in text and f'apt = "{OWN_MIRROR}"' in text, text
    return text.replace('name = "pycharm"', f'name = "{PREFIX}/pycharm-debian"')


@pytest.mark.long_build("the PyCharm example on the jlesage stand-in, about 45 s on 2 CPUs")
def test_pycharm_example_builds_on_the_jlesage_stand_in(docker_client, standin, scenario_dir,  # noqa: F811
                                                        images_to_remove):
    standin(row("novnc"))
    folder = scenario_dir / "pycharm-debian"
    (folder / "context").mkdir(parents=True)
    jetbrains_archive(folder / "context" / "pycharm-community-2024.2.1.tar.gz", "pycharm-community-2024.2.1")
    built = build_scenario(docker_client, folder, "pycharm-debian", pycharm_on_debian_12())
    images_to_remove.append(built.tag)
    TIMES.append(("novnc/debian/12: the PyCharm example", built.seconds))
    assert "add-pkg" in (built.context / "Dockerfile").read_text()
    out = inside(docker_client, built.tag,
                 "readlink /etc/passwd /var/log; locale -a | grep -ix zh_CN.utf8; command -v sudo; command -v git;"
                 " /usr/local/bin/pycharm; cat /etc/cont-env.d/APP_NAME; echo;"
                 " test -e /tmp/.passwd || echo no-accounts; test -e /config/log || echo no-log-folder")
    lines = out.splitlines()
    # the base's own links are still there (its /init writes the account files at start), nothing add-pkg made
    # (/config itself exists: it is the image's WORKDIR and HOME; dash's `command -v` reads one name only)
    assert lines[:2] == ["/tmp/.passwd", "/config/log"], out
    assert lines[2].lower() == "zh_cn.utf8" and lines[3:5] == ["/usr/bin/sudo", "/usr/bin/git"], out
    assert lines[5:] == ["stand-in pycharm", "PyCharm Community", "no-accounts", "no-log-folder"], out


def test_kasm_with_an_apt_mirror_reaches_only_the_mirror(docker_client, standin, tmp_path):  # noqa: F811
    """The linuxserver base's NodeSource and Docker lists (on the stand-in: their real hosts, which builds here
    cannot reach) must be gone before apt-get update: apt only warns about a host it cannot resolve ("W: Failed
    to fetch", exit 0), so the build log is read for their hosts; every apt request goes to the mirror."""
    base = row("kasm")
    standin(base)
    proxy = recording_proxy(UPSTREAM)
    with serving(proxy) as port:
        mirror = f"http://127.0.0.1:{port}"
        _, ctx = rendered(answers_toml("kasm-mirror", app=XTERM_APP, desktop={"engine": "kasm"},
                                       mirror={"apt": mirror}, packages={"apt": ["xterm"]}), tmp_path)
        context = tmp_path / "context"
        write(ctx, context)
        tag = f"{PREFIX}/kasm-mirror:{SESSION_TAG}"
        start_time = time.monotonic()
        try:
            log = host_network_build(docker_client, context, tag)
            TIMES.append(("kasm/debian/12: xterm, apt mirror", time.monotonic() - start_time))
            out = inside(docker_client, tag, "ls /etc/apt/sources.list.d; cat /etc/apt/sources.list; command -v xterm")
        finally:
            try:
                docker_client.images.remove(tag, force=True)
            except Exception:  # noqa: BLE001 - the build failed before tagging
                pass
    assert "deb.nodesource.com" not in log and "download.docker.com" not in log, log[-3000:]
    assert "/debian/dists/bookworm/InRelease" in proxy.seen, proxy.seen
    assert any(p.startswith("/debian-security/dists/bookworm-security/") for p in proxy.seen), proxy.seen
    assert any(p.startswith("/debian/pool/main/x/xterm/") for p in proxy.seen), proxy.seen
    assert "nodesource.list" not in out and "docker.list" not in out and "/usr/bin/xterm" in out, out
    assert "deb.debian.org" not in out and "security.debian.org" not in out, out


def test_kasmweb_debian_12_builds_on_its_stand_in(docker_client, standin, scenario_dir,  # noqa: F811
                                                 images_to_remove):
    base = row("kasmweb")
    standin(base)
    built = build_scenario(docker_client, scenario_dir / "kasmweb-debian", "kasmweb-debian",
                           answers_toml("kasmweb-debian", app=XTERM_APP, desktop={"engine": "kasmweb"},
                                        packages={"apt": ["xterm"]}))
    images_to_remove.append(built.tag)
    TIMES.append(("kasmweb/debian/12: xterm", built.seconds))
    config = docker_client.images.get(built.tag).attrs["Config"]
    assert config["User"] == base.user  # the base's USER 1000 is where the image ends
    assert "/usr/bin/xterm" in inside(docker_client, built.tag, "command -v xterm")


@pytest.fixture(scope="session")
def uid_1000_base(docker_client, tmp_path_factory, images_to_remove) -> str:
    """The local Debian plus the uid-1000 account ubuntu:24.04 ships (the plain/ubuntu/24.04 row's uid_1000),
    as imgwizard-test/uid1000-base:SESSION."""
    account = knowledge.base("plain", "ubuntu", "24.04").uid_1000
    assert account, "bases.toml records the uid-1000 account of ubuntu:24.04"
    tag = f"{PREFIX}/uid1000-base:{SESSION_TAG}"
    assert not real_image_reason(docker_client, tag)
    folder = tmp_path_factory.mktemp("uid1000-base")
    (folder / "Dockerfile").write_text(
        f"FROM {FROM}\nRUN useradd --uid 1000 --user-group --create-home --shell /bin/bash {account}\n"
        f"LABEL {LABEL}=uid-1000\n")
    start_time = time.monotonic()
    docker_client.images.build(path=str(folder), tag=tag, pull=False, rm=True, forcerm=True)
    TIMES.append(("stand-in base with a uid-1000 account", time.monotonic() - start_time))
    images_to_remove.append(tag)
    return tag


def test_a_base_with_a_uid_1000_account_logs_in_by_ssh_as_the_configured_user(docker_client, uid_1000_base,
                                                                              scenario_dir, images_to_remove,
                                                                              ssh_keypair):
    folder = put_test_key(scenario_dir / "uid1000-ssh", ssh_keypair)
    toml = answers_toml("uid1000-ssh", os={"family": "debian", "version": "12", "base_image": uid_1000_base},
                        user={"root": False}, ssh=KEY_LOGIN)
    built = build_scenario(docker_client, folder, "uid1000-ssh", toml)
    images_to_remove.append(built.tag)
    TIMES.append(("plain/debian/12 on the uid-1000 base: SSH key login", built.seconds))
    c = start(docker_client, built)
    try:
        port = host_port(c, 22)
        wait_banner(c, port)
        r = subprocess.run(["ssh", *SSH_OPTS, "-p", str(port), "-i", str(ssh_keypair), "-o", "BatchMode=yes",
                            "-o", "IdentitiesOnly=yes", "app@127.0.0.1",
                            "id -un; id -u; echo $HOME; stat -c %U /home/app; getent passwd ubuntu || echo gone"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert r.returncode == 0, r.stderr + c.logs().decode()[-2000:]
        assert r.stdout.splitlines() == ["app", "1000", "/home/app", "app", "gone"], r.stdout
    finally:
        c.remove(force=True)
