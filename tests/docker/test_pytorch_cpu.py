"""PyTorch on the system-Python Jupyter path, built on the real engine with a real CPU wheel.

download.pytorch.org cannot be reached from this machine, but a PyTorch 2.13.0 CPU wheel for Python 3.11 lies
on its disk (/opt/wheels, the workplace's env notes) and Debian 12's python3 is 3.11. The test serves that wheel
from a PEP 503 index on 127.0.0.1 laid out like download.pytorch.org/whl (/whl/cpu/torch/), gives it as
`mirror.pytorch`, and builds on the host's network so the build reaches 127.0.0.1. Everything else (torchvision,
torch's dependencies, JupyterLab) comes from PyPI as it would for a user; this machine reaches PyPI through a
TLS proxy whose CA is in its bundle, given as network.extra_ca as the other PyPI-using tests do.

torchvision comes from PyPI here, because the CPU index's torchvision is not on this disk: PyPI's build does not
import beside the CPU torch (env notes: "operator torchvision::nms does not exist"), so only torch is run.
"""

from __future__ import annotations

import functools
import http.server
import os
from pathlib import Path

import pytest

from tests.answers_kit import JUPYTER, MACHINE_CA, answers_toml
from tests.docker.conftest import PREFIX, SESSION_TAG, host_network_build, rendered, serving
from wizard.context import write
from wizard.engine.check import check_image, run_spec

pytestmark = [pytest.mark.docker, pytest.mark.long_build("torch and JupyterLab, about 105 s on 2 CPUs")]

WHEEL = Path("/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
TOKEN = "imgwizard-torch-token"


class Index(http.server.SimpleHTTPRequestHandler):
    """Serves the index folder; every path asked for is recorded."""
    seen: list[str] = []

    def do_GET(self):
        Index.seen.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def torch_index(tmp_path_factory):
    """http://127.0.0.1:PORT/whl with whl/cpu/torch/ listing the CPU wheel (the PyTorch index's layout)."""
    if not WHEEL.is_file():
        pytest.fail(f"{WHEEL} is missing: this machine kind carries it (env notes); the test needs a CPU torch wheel")
    root = tmp_path_factory.mktemp("torch-index")
    project = root / "whl" / "cpu" / "torch"
    project.mkdir(parents=True)
    os.symlink(WHEEL, project / WHEEL.name)
    link = WHEEL.name.replace("+", "%2B")
    (project / "index.html").write_text(f'<!DOCTYPE html><html><body><a href="{link}">{WHEEL.name}</a></body></html>\n')
    (root / "whl" / "cpu" / "index.html").write_text('<a href="torch/">torch</a>\n')
    Index.seen = []
    with serving(functools.partial(Index, directory=str(root))) as port:
        yield f"http://127.0.0.1:{port}/whl"


@pytest.fixture(scope="module")
def torch_image(docker_client, torch_index, tmp_path_factory):
    folder = tmp_path_factory.mktemp("torch-cpu")
    answers, ctx = rendered(answers_toml("torch-cpu", app=JUPYTER, gpu={"vendor": "none", "pytorch": "2.13.0"},
                                         mirror={"pytorch": torch_index}, network=MACHINE_CA), folder)
    assert f"--index-url {torch_index}/cpu" in ctx.dockerfile
    write(ctx, folder / "context")
    tag = f"{PREFIX}/torch-cpu:{SESSION_TAG}"
    log = host_network_build(docker_client, folder / "context", tag)
    yield tag, run_spec(answers, ctx.plan), log
    docker_client.images.remove(tag, force=True)


def test_the_cpu_build_comes_from_the_pytorch_index_and_runs_in_the_image_s_python(docker_client, torch_image):
    tag, _, log = torch_image
    assert "/whl/cpu/torch/" in Index.seen and f"/whl/cpu/torch/{WHEEL.name.replace('+', '%2B')}" in Index.seen, Index.seen
    assert "Successfully installed" in log and "torch-2.13.0+cpu" in log, log[-3000:]
    out = docker_client.containers.run(tag, ["-c", "import torch; print(torch.__version__, torch.cuda.is_available(), "
                                            "int(torch.ones(3) @ torch.ones(3)))"],
                                       entrypoint=["python"], remove=True).decode()
    assert out.split() == ["2.13.0+cpu", "False", "3"], out


def test_jupyter_with_pytorch_answers_on_31000_with_its_token(docker_client, torch_image):
    tag, spec, _ = torch_image
    report = check_image(docker_client, tag, spec, env={"JUPYTER_TOKEN": TOKEN}, timeout=120, keep=False)
    assert report.ok, (report.results, report.logs)
