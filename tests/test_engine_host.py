"""Host facts from the engine (wizard/engine/host_facts.py). The architecture and distribution are read from this
machine's real engine. The NVIDIA part is MOCKED: there is no GPU, NVIDIA driver or Container Toolkit here, so
a recording client stands in for an engine with the nvidia runtime (what it is asked to run is checked)."""

from __future__ import annotations

import docker.errors
import pytest

from wizard.engine.host_facts import NVIDIA_SMI, engine_facts, engine_nvidia_driver
from wizard.host import HostFacts, detect_arch


class RecordingContainers:
    def __init__(self, output=b"570.133.20\n570.133.20\n", error=None):
        self.output, self.error, self.runs = output, error, []

    def run(self, image, command, **kwargs):
        self.runs.append((image, command, kwargs))
        if self.error:
            raise self.error
        return self.output


class GPUEngine:  # mock: an engine whose host has the NVIDIA runtime (none can run here)
    def __init__(self, containers):
        self.containers = containers

    def info(self):
        return {"Architecture": "aarch64", "OperatingSystem": "Ubuntu 22.04.4 LTS",
                "Runtimes": {"runc": {}, "nvidia": {"path": "nvidia-container-runtime"}}}


LOCAL = HostFacts(arch="amd64", nvidia_driver=None, ascend=True, distro="Debian GNU/Linux 12", ssh_key="k",
                  ssh_key_path="~/.ssh/id_ed25519.pub")


def test_gpu_engine_driver_comes_from_a_gpus_all_container():
    containers = RecordingContainers()
    facts = engine_facts(GPUEngine(containers), "ssh://root@gpu (from --host)", LOCAL)
    assert (facts.arch, facts.nvidia_driver, facts.distro, facts.ascend) == ("arm64", "570.133.20",
                                                                            "Ubuntu 22.04.4 LTS", False)
    assert facts.origin == "ssh://root@gpu (from --host)" and facts.ssh_key == "k"
    [(image, command, kwargs)] = containers.runs
    assert command == NVIDIA_SMI and kwargs["remove"] is True
    [request] = kwargs["device_requests"]
    assert request["Count"] == -1 and request["Capabilities"] == [["gpu"]]  # what `--gpus all` sends
    assert kwargs["environment"] == {"NVIDIA_DRIVER_CAPABILITIES": "utility"}


@pytest.mark.parametrize("output, error", [(b"", None), (b"garbage\n", None),
                                           (None, docker.errors.APIError("could not select device driver"))])
def test_no_driver_when_the_container_says_nothing_useful(output, error):
    assert engine_nvidia_driver(GPUEngine(RecordingContainers(output, error))) is None


@pytest.mark.docker
def test_this_machines_engine_gives_its_arch_and_runs_no_gpu_container(docker_client):
    facts = engine_facts(docker_client, "unix:///var/run/docker.sock (from the local socket)", LOCAL)
    assert facts.arch == detect_arch()  # the engine runs here: same machine, same answer
    assert facts.distro == docker_client.info()["OperatingSystem"]
    has_nvidia = "nvidia" in (docker_client.info().get("Runtimes") or {})
    assert facts.nvidia_driver is None or has_nvidia
