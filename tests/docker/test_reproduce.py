"""Reproducing an image and seeing where its bytes go, on the real engine (issue 15, parts 2 and 4).

One image is built once for the module (Debian, a venv with one pip package, the extra CA so pip trusts this
machine's network); every test reads it from outside with the `imgwizard` commands a user types.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.docker.conftest import PREFIX, SESSION_TAG, build_scenario
from wizard import image_meta
from wizard.docker_ops import docker_builder

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
HANG = 600

ANSWERS = """
version = 1
[image]
name = "imgwizard-test/reproduce"
[app]
type = "shell"
[os]
family = "debian"
[packages]
common = false
pip = ["six"]
[ssh]
enabled = false
[network]
extra_ca = "/etc/ssl/certs/ca-certificates.crt"
"""


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=cwd, env=_env())


def _env() -> dict:
    import os
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def built(docker_client, scenario_dir, images_to_remove):
    started = datetime.now(timezone.utc).replace(microsecond=0)
    result = build_scenario(docker_client, scenario_dir / "reproduce", "reproduce", ANSWERS)
    images_to_remove.append(result.tag)
    return result, started


def test_the_image_carries_oci_labels_and_its_answers(docker_client, built):
    result, started = built
    labels = docker_client.images.get(result.tag).attrs["Config"]["Labels"]
    created = datetime.strptime(labels[image_meta.CREATED], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert started <= created <= datetime.now(timezone.utc), labels[image_meta.CREATED]
    assert labels["org.opencontainers.image.title"] == "imgwizard-test/reproduce"
    assert labels["org.opencontainers.image.version"] == "latest"
    assert labels["org.opencontainers.image.base.name"] == "debian:bookworm-slim"
    assert labels[image_meta.ANSWERS].startswith('{"version": 1,')


def test_recovered_answers_render_the_same_dockerfile_byte_for_byte(built, tmp_path):
    result, _ = built
    out = run_cli("answers", result.tag, "-o", str(tmp_path / "recovered.toml"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "recovered.toml").read_text() == (result.context / "imgwizard.toml").read_text()
    out = run_cli("render", str(tmp_path / "recovered.toml"), "-o", str(tmp_path / "again"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "again" / "Dockerfile").read_bytes() == (result.context / "Dockerfile").read_bytes()
    # an existing file is never replaced
    again = run_cli("answers", result.tag, "-o", str(tmp_path / "recovered.toml"))
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_a_saved_archive_gives_the_same_answers_with_progress_both_ways(built, tmp_path):
    result, _ = built
    archive = tmp_path / "image.tar"
    out = run_cli("export", result.tag, "-o", str(archive))
    assert out.returncode == 0, out.stderr
    # not a terminal: the first progress line is printed at once, then one every 5 s
    assert re.search(rf"writing {re.escape(str(archive))}: [0-9.]+ \w+ of about [0-9.]+ MiB \(\d+%\)", out.stderr)
    out = run_cli("answers", str(archive))
    assert out.returncode == 0, out.stderr
    assert out.stdout == (result.context / "imgwizard.toml").read_text()
    out = run_cli("import", str(archive))
    assert out.returncode == 0, out.stderr
    assert re.search(rf"reading {re.escape(str(archive))}: [0-9.]+ \w+ of about [0-9.]+ MiB", out.stderr), out.stderr
    assert f"loaded {result.tag}" in out.stdout


def test_an_image_without_answers_is_one_clear_line():
    out = run_cli("answers", "debian:bookworm-slim")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "answers: debian:bookworm-slim has no imgwizard.answers label: it was not built from an imgwizard "
        "context (imgwizard 0.1.0 or later renders it)"]
    out = run_cli("answers", "no/such-image:1")
    assert out.returncode == 1 and "no image no/such-image:1" in out.stderr and "Traceback" not in out.stderr


def test_the_wizard_starts_from_an_image_answers(built):
    from screens.image_cli import given_of_image
    from wizard import answers_file

    result, _ = built
    given, problems = given_of_image(result.tag)
    assert not problems
    assert given == answers_file.parse((result.context / "imgwizard.toml").read_text())[0]


def test_a_new_build_time_reruns_only_the_last_step(docker_client, built):
    """The labels' step comes last and is the only one the build time touches: every other step is cached."""
    result, _ = built
    time.sleep(1.1)  # a new second, so `created` differs
    events = list(docker_builder(docker_client)(result.context, f"{PREFIX}/reproduce-again:{SESSION_TAG}",
                                                threading.Event()))
    try:
        assert events[-1].kind == "done"
        steps: list[list[str]] = []
        for e in events:
            if e.kind == "step":
                steps.append([e.text])
            elif e.kind == "output" and steps:
                steps[-1].append(e.text)
        cached = [any("Using cache" in line for line in s) for s in steps]
        assert steps[-1][0].startswith("LABEL org.opencontainers.image.created")
        assert cached[1:-1] == [True] * (len(steps) - 2) and not cached[-1], list(zip([s[0][:40] for s in steps],
                                                                                     cached))
    finally:
        docker_client.images.remove(f"{PREFIX}/reproduce-again:{SESSION_TAG}", force=True)


def test_layers_names_the_wizard_step_of_each_layer_largest_first(built):
    result, _ = built
    for args in (("layers", result.tag), ("layers", result.tag, "--context", str(result.context))):
        out = run_cli(*args)
        assert out.returncode == 0, out.stderr
        rows = [line for line in out.stdout.splitlines() if "█" in line]
        sizes = [_bytes(line.split()[0], line.split()[1]) for line in rows]
        assert sizes == sorted(sizes, reverse=True)
        steps = " ".join(rows)
        for step in ("base image: debian:bookworm-slim", "system set-up, one layer:", "pip packages:"):
            assert step in steps, out.stdout
        assert re.search(r"in \d+ layers, base image [0-9.]+ MiB \(\d+%\)", out.stdout)


def test_the_cli_build_prints_the_layers(built):
    result, _ = built
    out = run_cli("build", str(result.context), "-t", result.tag)
    assert out.returncode == 0, out.stderr
    assert f"layers of {result.tag} (steps from {result.context / 'Dockerfile'}):" in out.stdout
    assert "system set-up, one layer:" in out.stdout


def _bytes(number: str, unit: str) -> float:
    return float(number) * {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit]


def test_the_builder_reads_escaped_label_values_back_exactly(docker_client, tmp_path, images_to_remove):
    """What dockerfile_word writes, the legacy builder reads back unchanged: quotes, $VARIABLES, backslashes,
    line breaks (as continuations), non-ASCII; only the labels snippet on the local base, so it builds at once."""
    from wizard.render import environment

    tricky = {
        "test.quotes": 'say "hi" and \'bye\'',
        "test.dollars": "$HOME ${PATH} $$ \\$",
        "test.backslashes": "C:\\path\\ \\n \\\\ ends with \\",
        "test.lines": '{"a": 1,\n "b": "x\\"y",\n "c": "中文"}',
    }
    labels = {name: image_meta.dockerfile_word(value) for name, value in tricky.items()}
    snippet = environment().get_template("labels.j2").render(labels=labels, created_arg=image_meta.CREATED_ARG)
    (tmp_path / "Dockerfile").write_text(f"FROM debian:bookworm-slim\n{snippet}")
    tag = f"{PREFIX}/labels-escaping:{SESSION_TAG}"
    events = list(docker_builder(docker_client)(tmp_path, tag, threading.Event()))
    images_to_remove.append(tag)
    assert events[-1].kind == "done", [e.text for e in events]
    got = docker_client.images.get(tag).attrs["Config"]["Labels"]
    assert {name: got[name] for name in tricky} == {name: value.replace("\n", "") for name, value in tricky.items()}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got[image_meta.CREATED])
