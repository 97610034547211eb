"""What the wizard can tell about the machine it runs on, to pre-fill answers as hints the user can override.

Every probe is an injected adapter so tests pass fakes: `run` is a subprocess.run-like callable (a fake
command runner), `machine` returns platform.machine(), `distro_name` the host distribution, `engine` returns
None when a Docker engine answers or the reason it does not, and `home` is where ~/.ssh lives.
No probe ever raises: a missing command or a timeout just means "not found".
"""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from wizard import checks
from wizard.text import T

Runner = Callable[..., Any]  # subprocess.run-like: run(args, capture_output=True, text=True, timeout=...)

ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv8l": "arm64"}
KEY_FILES = ("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub", "id_ed25519_sk.pub", "id_ecdsa_sk.pub")


@dataclass(frozen=True)
class HostFacts:
    arch: str | None = None  # amd64 | arm64 | None (unknown machine)
    nvidia_driver: str | None = None  # first line of nvidia-smi's driver_version
    ascend: bool = False  # npu-smi info answered
    distro: str | None = None  # e.g. "Ubuntu 22.04"
    engine_problem: str | None = "not checked"  # None when a Docker engine answers, else why not
    ssh_key: str | None = None  # the public key text
    ssh_key_path: str | None = None  # where it was read from
    origin: str | None = None  # None: arch, GPU and distro are this machine's; else the remote engine they came from

    @property
    def engine_ok(self) -> bool:
        return self.engine_problem is None


def _output(run: Runner, args: list[str]) -> str | None:
    """The stdout of a command that succeeded, else None (absent command, failure, timeout)."""
    try:
        proc = run(args, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if getattr(proc, "returncode", 1) != 0:
        return None
    return proc.stdout or ""


def detect_arch(machine: Callable[[], str] = platform.machine) -> str | None:
    return ARCHES.get(machine().lower())


def detect_nvidia(run: Runner = subprocess.run) -> str | None:
    out = _output(run, ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"])
    if not out:
        return None
    first = out.strip().splitlines()[0].strip() if out.strip() else ""
    return first if first and checks.driver_version(first) is None else None


def detect_ascend(run: Runner = subprocess.run) -> bool:
    return _output(run, ["npu-smi", "info"]) is not None


def detect_distro() -> str | None:
    try:
        import distro
    except ImportError:  # pragma: no cover - distro is a dependency
        return None
    name, version = distro.name(), distro.version()
    return f"{name} {version}".strip() or None


def detect_ssh_key(home: Path) -> tuple[str | None, str | None]:
    folder = home / ".ssh"
    for name in KEY_FILES:
        path = folder / name
        try:
            text = path.read_text(errors="replace").strip()
        except OSError:
            continue
        line = text.splitlines()[0].strip() if text else ""
        if checks.public_key_text(line) is None:
            return line, str(path)
    return None, None


def detect(run: Runner = subprocess.run, machine: Callable[[], str] = platform.machine,
           distro_name: Callable[[], str | None] = detect_distro,
           engine: Callable[[], str | None] | None = None,
           home: Path | None = None) -> HostFacts:
    """Probe the host. `engine=None` skips the Docker check (the fact then says "not checked")."""
    key, key_path = detect_ssh_key(home if home is not None else Path.home())
    return HostFacts(
        arch=detect_arch(machine),
        nvidia_driver=detect_nvidia(run),
        ascend=detect_ascend(run),
        distro=distro_name(),
        engine_problem=engine() if engine else "not checked",
        ssh_key=key,
        ssh_key_path=key_path,
    )


def prefill(facts: HostFacts) -> dict[str, Any]:
    """Given answers the host suggests: architecture, the GPU and its driver, the user's public key."""
    given: dict[str, Any] = {}
    if facts.arch:
        given["image.arch"] = facts.arch
    if facts.nvidia_driver:
        given["gpu.vendor"] = "nvidia"
        given["gpu.host_driver"] = facts.nvidia_driver
    elif facts.ascend:
        given["gpu.vendor"] = "ascend"
    if facts.ssh_key:
        given["ssh.authorized_key"] = facts.ssh_key
    return given


def hints(facts: HostFacts) -> dict[str, T]:
    """Per answer key, a line saying what was detected on this host (shown under the field)."""
    if facts.origin:
        return {**engine_hints(facts), **_key_hint(facts)}
    out: dict[str, T] = {}
    if facts.arch:
        out["image.arch"] = T(f"Detected on this host: {facts.arch}", f"本机检测到：{facts.arch}")
    if facts.nvidia_driver:
        out["gpu.vendor"] = T(f"nvidia-smi on this host: driver {facts.nvidia_driver}",
                              f"本机 nvidia-smi：驱动 {facts.nvidia_driver}")
        out["gpu.host_driver"] = T(f"From nvidia-smi on this host: {facts.nvidia_driver}",
                                   f"来自本机 nvidia-smi：{facts.nvidia_driver}")
    elif facts.ascend:
        out["gpu.vendor"] = T("npu-smi info answered on this host: Ascend", "本机 npu-smi info 有输出：昇腾")
    if facts.distro:
        out["os.family"] = T(f"This host runs {facts.distro}", f"本机系统：{facts.distro}")
    return {**out, **_key_hint(facts)}


def _key_hint(facts: HostFacts) -> dict[str, T]:
    if not facts.ssh_key_path:
        return {}
    return {"ssh.authorized_key": T(f"Your key from {facts.ssh_key_path}", f"来自 {facts.ssh_key_path} 的公钥")}


def engine_hints(facts: HostFacts) -> dict[str, T]:
    """The hints when arch, GPU and distro came from a remote Docker engine (wizard/engine/host_facts.py)."""
    where = facts.origin
    out: dict[str, T] = {}
    if facts.arch:
        out["image.arch"] = T(f"From the Docker engine at {where}: {facts.arch}",
                              f"来自 Docker 引擎 {where}：{facts.arch}")
    if facts.nvidia_driver:
        out["gpu.vendor"] = T(f"nvidia-smi in a --gpus all container on {where}: driver {facts.nvidia_driver}",
                              f"{where} 上 --gpus all 容器中的 nvidia-smi：驱动 {facts.nvidia_driver}")
        out["gpu.host_driver"] = T(f"From nvidia-smi on the engine's host ({where}): {facts.nvidia_driver}",
                                   f"来自引擎主机（{where}）的 nvidia-smi：{facts.nvidia_driver}")
    if facts.distro:
        out["os.family"] = T(f"The engine's host ({where}) runs {facts.distro}",
                             f"引擎主机（{where}）系统：{facts.distro}")
    return out


def engine_help(problem: str) -> T:
    """What to tell a user whose Docker engine does not answer."""
    return T(
        f"No Docker engine answers ({problem}). Start one with `sudo systemctl start docker` "
        "(or run `sudo dockerd` where there is no systemd), check `docker info`, then build again. "
        "The wizard still saves the build context: build it later with `docker build`.",
        f"Docker 引擎没有响应（{problem}）。请用 `sudo systemctl start docker` 启动"
        "（没有 systemd 时运行 `sudo dockerd`），用 `docker info` 确认后再构建。"
        "向导仍可保存构建目录，之后用 `docker build` 构建。",
    )
