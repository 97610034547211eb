"""A custom pip mirror (mirror.pip) reaches both installers of a Jupyter venv image: pip, which fetches uv through
PIP_INDEX_URL, and uv, which reads no pip setting and gets the mirror as --index-url (apps/jupyter.j2).

The mirror is a plain-http index on 127.0.0.1 that passes each /simple/ page on to PyPI and records the path; the
pages link the files on files.pythonhosted.org, which the build fetches through this machine's CA
(network.extra_ca). The build runs on the host's network so it reaches 127.0.0.1. What the image then has is read
from a container of it: JupyterLab installed by uv with its bytecode, and no uv left behind."""

from __future__ import annotations

import pytest

from tests.answers_kit import JUPYTER, MACHINE_CA, answers_toml
from tests.docker.conftest import host_network_build, recording_proxy, rendered, serving
from wizard import knowledge
from wizard.context import write

pytestmark = pytest.mark.docker

UPSTREAM = "https://pypi.org"


@pytest.fixture
def pip_mirror():
    """A plain-http index on 127.0.0.1 in front of PyPI: its URL and the paths asked of it."""
    index = recording_proxy(UPSTREAM)
    with serving(index) as port:
        yield f"http://127.0.0.1:{port}/simple", index.seen


@pytest.mark.long_build("pip and uv through a mirror, about 60 s on 2 CPUs")
def test_pip_and_uv_both_install_through_a_custom_pip_mirror(docker_client, pip_mirror, tmp_path, tags):
    tag = tags("pip-mirror")
    url, seen = pip_mirror
    _, ctx = rendered(answers_toml("pip-mirror", app=JUPYTER, mirror={"pip": url}, network=MACHINE_CA),
                      tmp_path)
    assert any("plain http" in str(w) for w in ctx.warnings), ctx.warnings  # the warning for an http index
    write(ctx, tmp_path / "context")
    log = host_network_build(docker_client, tmp_path / "context", tag, nocache=True)
    assert f"uv=={knowledge.uv_version()}" in log
    pages = {path.rstrip("/") for path in seen}
    assert "/simple/uv" in pages, seen  # pip fetched uv through PIP_INDEX_URL
    # uv resolved JupyterLab and its dependencies through --index-url
    assert {"/simple/jupyterlab", "/simple/jupyter-server", "/simple/tornado"} <= pages, seen
    script = ("import importlib.metadata as m, pathlib, shutil, jupyterlab, jupyter_server; "
              "print(m.distribution('jupyterlab').read_text('INSTALLER').strip()); "
              "print(pathlib.Path('/tmp/uv').exists(), shutil.which('uv')); "
              "print(len(list(pathlib.Path(jupyter_server.__file__).parent.rglob('*.cpython-*.pyc'))))")
    out = docker_client.containers.run(tag, ["-c", script], entrypoint=["python"], remove=True).decode().split()
    assert out[:3] == ["uv", "False", "None"], out  # installed by uv; uv itself is gone
    assert int(out[3]) > 50, out  # bytecode compiled at build time (--compile-bytecode), as pip would
