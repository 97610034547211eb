"""The user's own Python service on the real engine (issue 30): a small project folder (one requirements.txt with
FastAPI, uvicorn, Flask and Streamlit, a FastAPI main.py, a Flask app.py and a Streamlit dash.py) is scanned as the wizard would, rendered into
itself (the build context is the project folder) and built three times: the FastAPI service, then the Flask and Streamlit ones
from the same folder, which share every layer up to the start command (three builds, one pip install). Each is
reached over HTTP from outside (a free port on 127.0.0.1), by `imgwizard check`'s own check and by reading what
its route answers. Then the layer cache: a code-only change re-runs the code COPY and the few steps after it,
never the dependency install; a dependency-only change re-runs from the dependency file's COPY, and the system
set-up stays cached. PyPI is reached through this machine's CA (network.extra_ca), as test_pip_mirror.py does.
The Streamlit service comes from the same folder and install (Streamlit's wheels are ~115 MB: one install
for the three services keeps this module near a minute and a half on 2 CPUs)."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.answers_kit import MACHINE_CA, PREFIX
from tests.docker.conftest import SESSION_TAG, Built
from tests.scheduling import IMAGES
from wizard.context import write
from wizard.engine.build import docker_builder
from wizard.engine.check import check_image, run_spec
from wizard.render import render
from wizard.scan import given, scan
from wizard.validate import validate

pytestmark = [pytest.mark.docker,
              pytest.mark.long_build("the FastAPI, Flask and Streamlit services, about 70 s on 2 CPUs")]

PROJECT = {
    "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.6\nflask==3.0.3\nstreamlit==1.38.0\n",
    "main.py": ('from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n'
                '    return {"service": "fastapi", "version": 1}\n'),
    "app.py": ('from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef root():\n'
               '    return {"service": "flask"}\n'),
    "dash.py": 'import streamlit as st\n\nst.title("imgwizard")\n',
    ".gitignore": "secret.txt\n/scratch/\n",
    "secret.txt": "not for the image\n",
    "scratch/notes.txt": "x\n",
    ".venv/bin/python": "a virtual environment\n",
    "data/big.bin": "0" * 4096,
    "pkg/__pycache__/mod.cpython-311.pyc": "x",
    "pkg/mod.py": "",
}
FLASK = "flask --app app run --host 0.0.0.0 --port 31000"
STREAMLIT = "streamlit run dash.py --server.port 31000 --server.address 0.0.0.0"


def _write_project(folder: Path) -> Path:
    for name, text in PROJECT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def _build(client, folder: Path, tag: str, **answers) -> Built:
    """Scan `folder` as the wizard does, lay `answers` over what it found, render the context into the folder
    itself and build it as `tag` with the cache."""
    found = given(scan(folder))
    assert found["app.name"] == "python", found
    resolved, problems = validate({**found, "image.name": f"{PREFIX}/pysvc", "packages.common": False,
                                   "network.extra_ca": MACHINE_CA["extra_ca"], **answers}, folder)
    assert not problems, problems
    ctx = render(resolved, folder)
    write(ctx, folder)
    start = time.monotonic()
    events = list(docker_builder(client)(folder, tag, threading.Event()))
    seconds = time.monotonic() - start
    log = "\n".join(e.text if e.kind != "step" else f"Step {e.step}/{e.total} : {e.text}" for e in events)
    (folder / "build.log").write_text(log)  # left out of the context by .dockerignore
    assert events[-1].kind == "done", log[-4000:]
    IMAGES.append((tag.split("/")[-1], seconds, client.images.get(tag).attrs["Size"]))
    return Built(tag, folder, resolved, log, seconds, run_spec(resolved, ctx.plan))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return _write_project(tmp_path_factory.mktemp("pysvc") / "inference-api")


@pytest.fixture(scope="module")
def fastapi_image(docker_client, project, images_to_remove) -> Built:
    tag = f"{PREFIX}/pysvc-fastapi:{SESSION_TAG}"
    images_to_remove.append(tag)
    return _build(docker_client, project, tag)


@pytest.fixture(scope="module")
def flask_image(docker_client, project, fastapi_image, images_to_remove) -> Built:
    tag = f"{PREFIX}/pysvc-flask:{SESSION_TAG}"
    images_to_remove.append(tag)
    return _build(docker_client, project, tag, **{"app.command": FLASK})


@pytest.fixture(scope="module")
def streamlit_image(docker_client, project, flask_image, images_to_remove) -> Built:
    tag = f"{PREFIX}/pysvc-streamlit:{SESSION_TAG}"
    images_to_remove.append(tag)
    return _build(docker_client, project, tag, **{"app.command": STREAMLIT})


def _get(client, image: str, path: str = "/") -> str:
    """Start `image` with its port 31000 on a free 127.0.0.1 port and read what its route answers."""
    c = client.containers.run(image, detach=True, init=True, ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        deadline = time.monotonic() + 60
        while True:
            c.reload()
            bound = (c.attrs["NetworkSettings"]["Ports"] or {}).get("31000/tcp")
            try:
                assert bound, "not published yet"
                with urllib.request.urlopen(f"http://127.0.0.1:{bound[0]['HostPort']}{path}", timeout=5) as r:
                    return r.read().decode()
            except (AssertionError, urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and c.status != "exited", c.logs().decode()[-2000:]
                time.sleep(0.5)
    finally:
        c.remove(force=True)


def test_the_fastapi_service_answers_over_http_as_user_app(docker_client, fastapi_image):
    report = check_image(docker_client, fastapi_image.tag, fastapi_image.spec, timeout=60)
    assert report.ok, (report.results, report.logs)
    assert [r.name for r in report.results] == ["http on 31000"]
    assert json.loads(_get(docker_client, fastapi_image.tag)) == {"service": "fastapi", "version": 1}
    who = docker_client.containers.run(fastapi_image.tag, ["sh", "-c", "id -un; pwd; ls -A"], entrypoint=[],
                                       remove=True).decode().split()
    assert who[:2] == ["app", "/opt/pysvc"], who
    # .dockerignore: the .gitignore's patterns, the virtual environment, data and caches stayed out
    assert {"main.py", "app.py", "pkg", "requirements.txt"} <= set(who[2:]), who
    assert not {"secret.txt", "scratch", ".venv", "data", "run.sh", "imgwizard.toml", "Dockerfile", "README.md",
                "build.log"} & set(who[2:]), who
    pyc = docker_client.containers.run(fastapi_image.tag, ["ls", "-A", "pkg"], entrypoint=[], remove=True).decode()
    assert pyc.split() == ["mod.py"]


def test_the_flask_service_shares_every_layer_but_its_start_command(docker_client, flask_image):
    report = check_image(docker_client, flask_image.tag, flask_image.spec, timeout=60)
    assert report.ok, (report.results, report.logs)
    assert json.loads(_get(docker_client, flask_image.tag)) == {"service": "flask"}
    rerun = [step for step, cached in _steps(flask_image.log) if not cached]
    assert [s.split()[0] for s in rerun] == ["CMD", "LABEL"], rerun


def test_the_streamlit_service_answers_its_health_check(docker_client, streamlit_image):
    report = check_image(docker_client, streamlit_image.tag, streamlit_image.spec, timeout=90)
    assert report.ok, (report.results, report.logs)
    assert _get(docker_client, streamlit_image.tag, "/_stcore/health") == "ok"
    rerun = [step for step, cached in _steps(streamlit_image.log) if not cached]
    assert [s.split()[0] for s in rerun] == ["CMD", "LABEL"], rerun


def _steps(log: str) -> list[tuple[str, bool]]:
    """(instruction, from the cache) of each step of a build log, FROM left out."""
    steps: list[list[str]] = []
    for line in log.splitlines():
        if line.startswith("Step "):
            steps.append([line.split(" : ", 1)[1]])
        elif steps:
            steps[-1].append(line)
    return [(s[0], any("Using cache" in line for line in s)) for s in steps[1:]]


def test_a_code_change_reruns_the_code_copy_and_a_dependency_change_the_install(docker_client, fastapi_image,
                                                                                 tmp_path, tags):
    folder = tmp_path / "inference-api"
    shutil.copytree(fastapi_image.context, folder, symlinks=True)
    main = folder / "main.py"
    main.write_text(main.read_text().replace('"version": 1', f'"version": {time.time_ns()}'))
    code = _build(docker_client, folder, tags("pysvc-code"))
    rerun = [step.split()[0] for step, cached in _steps(code.log) if not cached]
    assert rerun == ["COPY", "WORKDIR", "ARG", "USER", "CMD", "LABEL"], _steps(code.log)
    assert [step for step, _ in _steps(code.log) if not _][0].startswith("COPY --chown=app:app . /opt/pysvc")
    assert all(cached for step, cached in _steps(code.log) if step.startswith("RUN "))  # no install re-ran

    # a dependency-only change: a smaller file (Flask alone and six), so the test does not install Streamlit again
    (folder / "requirements.txt").write_text(f"flask==3.0.3\nsix==1.16.0  # {time.time_ns()}\n")
    deps = _build(docker_client, folder, tags("pysvc-deps"))
    steps = _steps(deps.log)
    first = next(i for i, (_, cached) in enumerate(steps) if not cached)
    assert steps[first][0].startswith("COPY requirements.txt /tmp/imgwizard-deps/"), steps
    assert steps[first + 1][0].startswith("RUN pip install") and not steps[first + 1][1], steps
    assert all(cached for _, cached in steps[:first]) and steps[0][0].startswith("COPY extra-ca.crt"), steps
    assert "six-1.16.0" in deps.log, deps.log[-3000:]
