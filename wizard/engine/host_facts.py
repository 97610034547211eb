"""Host pre-fill that follows the Docker engine: when the engine is not on this machine (DOCKER_HOST=ssh://...,
a remote context, --host), the image is built and run there, so the architecture, the NVIDIA driver and the
distribution come from the engine's host, not the laptop (docs/remote.md).

- architecture: the engine's `docker info` (Architecture: x86_64 / aarch64);
- NVIDIA driver: only when the engine has the NVIDIA runtime (`docker info` Runtimes has "nvidia"), a
  short-lived container with `--gpus all` runs `nvidia-smi --query-gpu=driver_version --format=csv,noheader`
  (the NVIDIA Container Toolkit mounts nvidia-smi into any glibc image when the `utility` capability is asked);
- distribution: the engine's `docker info` (OperatingSystem).
The user's SSH public key stays the one on this machine (it is the user's key, wherever the engine is).
The engine adapter: stdlib + docker.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import docker.errors
import docker.types

from wizard import checks
from wizard.engine.common import outside_line
from wizard.host import ARCHES, HostFacts

PROBE_IMAGE = "debian:bookworm-slim"  # glibc; the toolkit mounts nvidia-smi and the driver's libraries into it
NVIDIA_SMI = ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]


def engine_facts(client: Any, origin: str, local: HostFacts, image: str = PROBE_IMAGE) -> HostFacts:
    """`local` (this machine's facts) with arch, NVIDIA driver and distribution taken from the engine's host;
    `origin` says where they came from (shown under each pre-filled field)."""
    info = client.info()
    info = info if isinstance(info, dict) else {}
    driver = engine_nvidia_driver(client, image) if "nvidia" in (info.get("Runtimes") or {}) else None
    # OperatingSystem is the engine's own text (a remote engine may be anyone's): shown safely, one line.
    return dataclasses.replace(
        local, arch=ARCHES.get(str(info.get("Architecture") or "").lower()), nvidia_driver=driver,
        ascend=False, distro=outside_line(info.get("OperatingSystem") or "", 100) or None, engine_problem=None,
        origin=outside_line(origin))


def engine_nvidia_driver(client: Any, image: str = PROBE_IMAGE) -> str | None:
    """The driver version nvidia-smi reports in a `--gpus all` container on the engine (removed after), or
    None when that does not work (no GPU, no toolkit, no image)."""
    try:
        out = client.containers.run(
            image, NVIDIA_SMI, remove=True, environment={"NVIDIA_DRIVER_CAPABILITIES": "utility"},
            device_requests=[docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])],
            labels={"imgwizard.probe": "nvidia-smi"})
    except (docker.errors.DockerException, OSError):
        return None
    lines = out.decode("utf-8", "replace").strip().splitlines() if out else []
    first = lines[0].strip() if lines else ""
    return first if first and checks.driver_version(first) is None else None


def remote_facts(local: HostFacts, host: str | None = None) -> HostFacts | None:
    """The engine's facts when the chosen engine is remote; None for a local one or when none answers."""
    from wizard.engine.connect import EngineError, connect, resolve

    try:
        endpoint = resolve(host)
        if not endpoint.remote:
            return None
        client = connect(endpoint)
        try:
            return engine_facts(client, str(endpoint), local)
        finally:
            client.close()
    except (EngineError, docker.errors.DockerException, OSError):
        return None
