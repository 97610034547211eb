"""Scenarios 3 to 6: socat forwarding, Chinese locale and time zone, a mirror switch, Jupyter through the
extra-CA feature. Each image is built on the real engine and checked from outside the container."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from screens.cli import main
from wizard.engine.check import check_image

pytestmark = pytest.mark.docker


def test_forwarded_port_reaches_its_target_through_the_cli(forward_image, capsys):
    """`imgwizard check` starts the image as its context declares and reaches a listener on 8006 via 31000."""
    code = main(["check", forward_image.tag, "--context", str(forward_image.context), "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   forward 31000 -> 8006: reached a listener on 8006" in out


def test_forwarding_keeps_the_base_start_command_running(docker_client, forward_image):
    """The wrapper starts socat, then execs the image's own start command (here the base's `sleep infinity`)."""
    c = docker_client.containers.run(forward_image.tag, detach=True, init=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            procs = [" ".join(p[-1:]) for p in c.top()["Processes"]]
            if any("sleep infinity" in p for p in procs) and any("socat" in p for p in procs):
                break
            assert time.monotonic() < deadline, procs
            time.sleep(0.5)
        # The start command replaced the wrapper shell (exec), so no sh is left waiting around.
        assert not any(p.startswith("/bin/sh /usr/local/bin/imgwizard-entry.sh") for p in procs), procs
    finally:
        c.remove(force=True)


def test_chinese_locale_and_time_zone(docker_client, locale_mirror_image):
    out = docker_client.containers.run(locale_mirror_image.tag, ["sh", "-c", "locale; date +%Z; locale -a"],
                                       remove=True).decode()
    assert "LANG=zh_CN.UTF-8" in out
    assert "LC_ALL=zh_CN.UTF-8" in out
    assert "\nCST\n" in out
    assert "zh_CN.utf8" in out
    # A Chinese date proves the locale data is really there, not only the variable.
    date = docker_client.containers.run(locale_mirror_image.tag, ["date", "+%A"], remove=True).decode()
    assert "星期" in date


def test_mirror_rewrite_is_used_by_apt_in_the_build(docker_client, locale_mirror_image):
    """The custom mirror is the machine's own Debian mirror written with its port (:80), so apt's lines show
    that the rewritten sources were read; the internet beyond that mirror is not needed."""
    log = locale_mirror_image.log
    own_mirror = locale_mirror_image.answers["mirror.apt"]  # http://deb.debian.org:80 (tests/docker/conftest.py)
    assert f"{own_mirror}/debian bookworm InRelease" in log, log[:3000]
    assert "http://deb.debian.org/debian bookworm InRelease" not in log
    sources = docker_client.containers.run(locale_mirror_image.tag,
                                           ["cat", "/etc/apt/sources.list.d/debian.sources"], remove=True).decode()
    assert f"URIs: {own_mirror}/debian\n" in sources
    assert f"URIs: {own_mirror}/debian-security\n" in sources
    assert "URIs: http://deb.debian.org/debian\n" not in sources


TOKEN = "imgwizard-test-token"


def test_jupyter_answers_on_31000_and_wants_its_token(docker_client, jupyter_image):
    report = check_image(docker_client, jupyter_image.tag, jupyter_image.spec, env={"JUPYTER_TOKEN": TOKEN},
                         timeout=120, keep=False)
    assert report.ok, (report.results, report.logs)
    assert report.results[0].name == "http on 31000"

    spec = jupyter_image.spec
    c = docker_client.containers.run(jupyter_image.tag, detach=True, init=spec.init,
                                     environment={"JUPYTER_TOKEN": TOKEN},
                                     ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        c.reload()
        port = int(c.attrs["NetworkSettings"]["Ports"]["31000/tcp"][0]["HostPort"])
        url = f"http://127.0.0.1:{port}/api/sessions"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"}),
                                            timeout=5) as r:
                    assert r.status == 200
                    assert json.loads(r.read()) == []
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, c.logs().decode()[-2000:]
                time.sleep(1)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as wrong:
            urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "token wrong"}), timeout=5)
        assert wrong.value.code == 403
    finally:
        c.remove(force=True)


def test_the_notebook_extra_is_installed_and_enabled_in_jupyter_server(docker_client, jupyter_image):
    """app.jupyter_extras = ["notebook"]: the package imports in the image's Python and Jupyter Server lists it
    as an enabled extension (Notebook 7 is a Jupyter Server extension, enabled by its own config file)."""
    run = ("import notebook, subprocess, sys; print('notebook', notebook.__version__); "
           "r = subprocess.run(['jupyter', 'server', 'extension', 'list'], capture_output=True, text=True); "
           "print(r.stdout + r.stderr)")
    out = docker_client.containers.run(jupyter_image.tag, ["-c", run], entrypoint=["python"], remove=True).decode()
    assert out.startswith("notebook 7."), out
    assert any(line.split()[:1] == ["notebook"] and "enabled" in line for line in out.splitlines()[1:]), out
