"""Reproducing an image and seeing where its bytes go, on the real engine (issue 15, parts 2 and 4).

One image is built once for the module (Debian, a venv with one pip package, the extra CA so pip trusts this
machine's network); every test reads it from outside with the `imgwizard` commands a user types.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.answers_kit import MACHINE_CA, answers_toml
from tests.docker.conftest import PREFIX, SESSION_TAG, build_scenario
from wizard import labels as core_labels
from wizard.engine.build import docker_builder

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
HANG = 600

# The machine's CA bundle (MACHINE_CA) as a file beside the answers: answers read back from an image may name
# files only inside the folder (an absolute path is dropped and said: tests/test_outside_screens.py), so the
# recovered answers render the same Dockerfile once the file is put beside them, as a user would.
CA_FILE = "machine-ca.crt"
ANSWERS = answers_toml("reproduce", packages={"pip": ["six"]}, network={"extra_ca": CA_FILE})


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=cwd, env=_env())


def _env() -> dict:
    import os
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def built(docker_client, scenario_dir, images_to_remove):
    started = datetime.now(timezone.utc).replace(microsecond=0)
    (scenario_dir / "reproduce").mkdir(parents=True, exist_ok=True)
    shutil.copy(MACHINE_CA["extra_ca"], scenario_dir / "reproduce" / CA_FILE)
    result = build_scenario(docker_client, scenario_dir / "reproduce", "reproduce", ANSWERS)
    images_to_remove.append(result.tag)
    return result, started


def test_the_image_carries_oci_labels_and_its_answers(docker_client, built):
    result, started = built
    labels = docker_client.images.get(result.tag).attrs["Config"]["Labels"]
    created = datetime.strptime(labels[core_labels.CREATED], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert started <= created <= datetime.now(timezone.utc), labels[core_labels.CREATED]
    assert labels["org.opencontainers.image.title"] == "imgwizard-test/reproduce"
    assert labels["org.opencontainers.image.version"] == "latest"
    assert labels["org.opencontainers.image.base.name"] == "debian:bookworm-slim"
    assert labels[core_labels.ANSWERS].startswith('{"version": 1,')


def test_recovered_answers_render_the_same_dockerfile_byte_for_byte(built, tmp_path):
    result, _ = built
    out = run_cli("answers", result.tag, "-o", str(tmp_path / "recovered.toml"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "recovered.toml").read_text() == (result.context / "imgwizard.toml").read_text()
    shutil.copy(MACHINE_CA["extra_ca"], tmp_path / CA_FILE)  # the file the answers name, beside them
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


def test_an_image_without_answers_is_one_clear_line(docker_client):  # an engine that has the base image
    out = run_cli("answers", "debian:bookworm-slim")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "answers: debian:bookworm-slim has no imgwizard.answers label: it was not built from an imgwizard "
        "context (imgwizard 0.1.0 or later renders it)"]
    out = run_cli("answers", "no/such-image:1")
    assert out.returncode == 1 and "no image no/such-image:1" in out.stderr and "Traceback" not in out.stderr


def test_the_wizard_starts_from_an_image_answers(built):
    from screens.cli.image import given_of_image
    from wizard import answers_file

    result, _ = built
    given, problems = given_of_image(result.tag)
    assert not problems
    assert given == answers_file.parse((result.context / "imgwizard.toml").read_text())[0]


def _rebuild(docker_client, context: Path) -> list[tuple[str, bool]]:
    """Build `context` again with the cache: (instruction, from the cache) per step, FROM included."""
    tag = f"{PREFIX}/reproduce-again:{SESSION_TAG}"
    events = list(docker_builder(docker_client)(context, tag, threading.Event()))
    try:
        assert events[-1].kind == "done", [e.text for e in events[-5:]]
        steps: list[list[str]] = []
        for e in events:
            if e.kind == "step":
                steps.append([e.text])
            elif e.kind == "output" and steps:
                steps[-1].append(e.text)
        return [(s[0], any("Using cache" in line for line in s)) for s in steps]
    finally:
        docker_client.images.remove(tag, force=True)


def test_a_new_build_time_reruns_only_the_last_step(docker_client, built):
    """The labels' step comes last and is the only one the build time touches: every other step is cached."""
    result, _ = built
    time.sleep(1.1)  # a new second, so `created` differs
    steps = _rebuild(docker_client, result.context)
    assert steps[-1][0].startswith("LABEL org.opencontainers.image.created")
    assert [cached for _, cached in steps[1:]] == [True] * (len(steps) - 2) + [False], steps


def test_a_start_command_change_reruns_two_steps(docker_client, built, tmp_path):
    """Issue 13: a change of only the start command re-runs CMD and the labels, nothing else (the build time's
    ARG comes before CMD, so it stays cached)."""
    result, _ = built
    context = tmp_path / "context"
    shutil.copytree(result.context, context)
    dockerfile = context / "Dockerfile"
    text = dockerfile.read_text()
    assert len(re.findall(r"^CMD ", text, re.M)) == 1
    unique = time.time_ns()  # a CMD no earlier build made on this parent, or the engine's cache has it
    dockerfile.write_text(re.sub(r"^CMD .*$", f'CMD ["sleep", "{unique}"]', text, flags=re.M))
    steps = _rebuild(docker_client, context)
    rerun = [instruction.split()[0] for instruction, cached in steps[1:] if not cached]
    assert rerun == ["CMD", "LABEL"], steps
