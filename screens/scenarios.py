"""The common scenarios as the exact keys a person presses from launch to saved files.

The pilot tests (tests/test_tui_scenarios.py) play these and check the saved files; bench/run.py prints the
counts (`SCENARIOS[name].keystrokes`). A typed character is one key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wizard.host import HostFacts

TEST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPUEO3HnE2So1hfL4wKe5hOtSfxtthiCLfQQ/RmVakqp me@laptop"

# A laptop with a key in ~/.ssh and no GPU; a GPU server with nvidia-smi answering.
LAPTOP = HostFacts(arch="amd64", distro="Debian GNU/Linux 12", engine_problem=None, ssh_key=TEST_KEY,
                   ssh_key_path="~/.ssh/id_ed25519.pub")
GPU_SERVER = HostFacts(arch="amd64", nvidia_driver="570.133.20", distro="Ubuntu 22.04", engine_problem=None,
                       ssh_key=TEST_KEY, ssh_key_path="~/.ssh/id_ed25519.pub")

NEXT, SAVE, OK = "ctrl+n", "ctrl+s", "enter"


@dataclass(frozen=True)
class Scenario:
    name: str
    keys: tuple[str, ...]
    host: HostFacts = LAPTOP
    expect: dict[str, str] = field(default_factory=dict)  # saved file -> a line it must contain
    answers: dict[str, object] = field(default_factory=dict)  # answers the state must hold
    lang: str = "en"  # the wizard's language at launch (from LANG)

    @property
    def keystrokes(self) -> int:
        return len(self.keys)


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "debian-shell-ssh (every step reviewed, defaults taken)",
        (NEXT,) * 9 + (SAVE, OK),
        answers={"app.type": "shell", "os.family": "debian", "ssh.enabled": True, "ssh.auth": "key",
                 "ssh.authorized_key": TEST_KEY},
        expect={"Dockerfile": "FROM debian:bookworm-slim", "authorized_keys": TEST_KEY,
                "imgwizard.toml": 'family = "debian"'},
    ),
    Scenario(
        "debian-shell-ssh (defaults saved at once)",
        (SAVE, OK),
        answers={"app.type": "shell", "ssh.enabled": True},
        expect={"Dockerfile": "FROM debian:bookworm-slim", "sshd_config": "PasswordAuthentication no"},
    ),
    Scenario(
        "novnc-ide (PyCharm on noVNC)",
        ("up", "up", NEXT, NEXT, SAVE, OK),
        answers={"app.type": "desktop", "app.name": "jetbrains", "desktop.engine": "novnc", "os.family": "ubuntu"},
        expect={"Dockerfile": "FROM jlesage/baseimage-gui:ubuntu-22.04", "startapp.sh": "pycharm"},
    ),
    Scenario(
        "web-nvidia (JupyterLab + PyTorch on an NVIDIA host)",
        ("up",) + (NEXT,) * 6 + ("tab",) * 4 + ("down", "down", SAVE, OK),
        host=GPU_SERVER,
        answers={"app.type": "web", "app.name": "jupyter", "gpu.vendor": "nvidia", "gpu.host_driver": "570.133.20"},
        # the newest, 2.15.0, is listed as having no build for driver 570 (cu132 needs 595): the user takes 2.14.1,
        # whose cu130 needs 580, so cu126
        expect={"Dockerfile": "download.pytorch.org/whl/cu126", "run.sh": "--gpus"},
    ),
    Scenario(
        "novnc-nvidia-tuna-zh (the guide's PyCharm on noVNC, NVIDIA host, TUNA mirror, Chinese, zh UI)",
        ("up", "up", NEXT, NEXT, NEXT, NEXT, "down", NEXT, "up", SAVE, OK),
        host=GPU_SERVER, lang="zh",
        answers={"app.type": "desktop", "app.name": "jetbrains", "desktop.engine": "novnc", "gpu.vendor": "nvidia",
                 "mirror.apt": "tuna", "mirror.pip": "tuna", "locale.chinese": True},
        expect={"Dockerfile": "mirrors.tuna.tsinghua.edu.cn", "run.sh": "--gpus"},
    ),
    Scenario(
        "kasm-desktop (PyCharm on KASM)",
        ("up", "up", NEXT, "down", NEXT, SAVE, OK),
        answers={"app.type": "desktop", "desktop.engine": "kasm"},
        expect={"Dockerfile": "FROM ghcr.io/linuxserver/baseimage-kasmvnc", "autostart": "pycharm"},
    ),
)}


def keystroke_counts() -> dict[str, int]:
    """Scenario name -> keys pressed from launch to saved files."""
    return {name: s.keystrokes for name, s in SCENARIOS.items()}


async def play(scenario: Scenario, output: Path, size: tuple[int, int] = (160, 50)):
    """Run the app headless with the scenario's host, press its keys, return the app (for its state)."""
    from screens.app import make_app

    app = make_app(host=scenario.host, output=output, lang=scenario.lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in scenario.keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()  # the save dialog looks and writes in the background
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    return app


if __name__ == "__main__":  # pragma: no cover
    for name, count in keystroke_counts().items():
        print(f"{count:3d}  {name}")
