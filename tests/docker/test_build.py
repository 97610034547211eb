"""The build adapter and `imgwizard build` on the real engine: success, a failing instruction, cancelling."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from screens.cli import main
from wizard.engine.build import docker_builder

pytestmark = pytest.mark.docker


def context(tmp_path, dockerfile: str):
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return tmp_path


def test_cli_build_streams_steps_and_writes_the_log(docker_client, tmp_path, capsys):
    ctx = context(tmp_path, "FROM debian:bookworm-slim\nRUN echo hello-from-the-build\nCMD [\"true\"]\n")
    tag = "imgwizard-test/cli-ok:latest"
    try:
        assert main(["build", str(ctx), "-t", tag, "--no-cache"]) == 0  # the RUN's output must be in this log
        out = capsys.readouterr().out
        assert "step 1/3: FROM debian:bookworm-slim" in out and "step 3/3" in out
        assert f"built {tag}" in out
        log = (ctx / "build.log").read_text()
        assert "hello-from-the-build" in log and "Step 2/3 : RUN echo hello-from-the-build" in log
    finally:
        docker_client.images.remove(tag, force=True)


def test_cli_build_failure_names_the_instruction_and_its_output(docker_client, tmp_path, capsys):
    ctx = context(tmp_path, "FROM debian:bookworm-slim\nRUN echo before-failing && echo to-stderr >&2 && exit 3\n")
    assert main(["build", str(ctx), "-t", "imgwizard-test/cli-fail:latest"]) == 1
    err = capsys.readouterr().err
    assert "failing instruction (step 2/2): RUN echo before-failing" in err
    assert "  | before-failing" in err and "  | to-stderr" in err
    assert "returned a non-zero code: 3" in err
    assert "\x1b[" not in err
    assert "ERROR:" in (ctx / "build.log").read_text()


def test_cancel_stops_a_running_build(docker_client, tmp_path):
    # A fresh instruction each run, so the layer cache never answers it.
    marker = uuid.uuid4().hex
    ctx = context(tmp_path, f"FROM debian:bookworm-slim\nRUN echo started && sleep 120 && echo {marker}\n")
    cancel = threading.Event()
    events = []
    start = time.monotonic()
    for ev in docker_builder(docker_client)(ctx, "imgwizard-test/cancelled:latest", cancel):
        events.append(ev)
        if ev.kind == "output" and ev.text == "started":
            threading.Timer(1.0, cancel.set).start()
    assert time.monotonic() - start < 30
    assert events[-1].kind == "error" and events[-1].text == "build cancelled"
    # forcerm: the engine removes the intermediate container of the cancelled step.
    deadline = time.monotonic() + 20
    # ignore_removed: another session's container may go between the listing and its inspection
    while any(marker in " ".join(c.attrs["Config"]["Cmd"] or [])
              for c in docker_client.containers.list(all=True, ignore_removed=True)):
        assert time.monotonic() < deadline, "the cancelled build's container is still there"
        time.sleep(0.5)
