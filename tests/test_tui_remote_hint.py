"""The wizard follows a remote engine: once the engine check (after the first frame) finds the engine is on
another host, the pre-filled architecture and NVIDIA driver are that host's, each hint says where it came from,
and what the user gave stays. The remote facts are injected here (wizard/engine/host_facts.py reads them from a
real engine: tests/test_engine_host.py)."""

from __future__ import annotations

import dataclasses

from textual.widgets import Static

from screens.app import make_app
from screens.scenarios import LAPTOP, TEST_KEY
from wizard.host import HostFacts

ORIGIN = "ssh://root@gpu-server (from DOCKER_HOST)"
SERVER = HostFacts(arch="arm64", nvidia_driver="570.133.20", distro="Ubuntu 22.04.4 LTS", engine_problem=None,
                   ssh_key=TEST_KEY, ssh_key_path="~/.ssh/id_ed25519.pub", origin=ORIGIN)


async def run_probe(**kwargs):
    app = make_app(host=LAPTOP, engine=lambda: None, probe_engine=True, engine_facts=lambda: SERVER, **kwargs)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        summary = str(app.screen.query_one("#summary", Static).render())
        assert app.session.go_to("image")  # the step that asks image.arch
        await app.screen.show_step()
        await pilot.pause()
        heads = " ".join(str(s.render()) for s in app.screen.query(".field-head"))
        return app, summary, heads


async def test_prefill_follows_the_remote_engine_and_says_so():
    app, summary, heads = await run_probe()
    assert app.session.value("image.arch") == "arm64"  # the laptop said amd64
    assert app.session.value("gpu.vendor") == "nvidia" and app.session.value("gpu.host_driver") == "570.133.20"
    assert f"Docker engine at {ORIGIN}: ready (F5 builds there" in summary
    assert app.hints["gpu.host_driver"]("en") == f"From nvidia-smi on the engine's host ({ORIGIN}): 570.133.20"
    assert app.hints["ssh.authorized_key"]("en") == "Your key from ~/.ssh/id_ed25519.pub"  # still the user's
    assert not app.session.dirty  # suggestions, not the user's changes
    assert f"⌂ From the Docker engine at {ORIGIN}: arm64" in heads


async def test_what_the_user_gave_wins_over_the_engine():
    app, _, _ = await run_probe(given={"image.arch": "amd64"})
    assert app.session.value("image.arch") == "amd64"
    assert app.session.value("gpu.host_driver") == "570.133.20"


async def test_a_local_engine_changes_nothing():
    app = make_app(host=LAPTOP, engine=lambda: None, probe_engine=True, engine_facts=lambda: None)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.value("image.arch") == "amd64"
        assert app.hints["image.arch"]("en") == "Detected on this host: amd64"
        assert "Docker engine: ready (F5 builds)" in str(app.screen.query_one("#summary", Static).render())


def test_engine_hints_in_chinese_name_the_engine():
    hint = make_app(host=dataclasses.replace(SERVER)).hints["image.arch"]("zh")
    assert hint == f"来自 Docker 引擎 {ORIGIN}：arm64"
