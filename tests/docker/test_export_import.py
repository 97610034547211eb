"""export and import on the real engine with small images (the local debian:bookworm-slim re-tagged, and one
layer built on it): an existing archive kept unless --force, FIFOs never written, an import that moves a tag
says so and lists only the archive's tags.

Commands that could hang run in a subprocess with a time-out of their own.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from screens.cli import main
from wizard.engine.archive import BadTarget, archive_tags, export_image, import_image

pytestmark = pytest.mark.docker

ROOT = Path(__file__).parent.parent.parent
HANG = 300  # seconds: saving a ~80 MB image takes a few


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=ROOT)


@pytest.fixture
def base_tag(docker_client, tags) -> str:
    """The local debian:bookworm-slim under a test tag."""
    tag = tags("base")
    assert docker_client.images.get("debian:bookworm-slim").tag(*tag.split(":"))
    return tag


@pytest.fixture
def other_image(docker_client, tags) -> str:
    """A second image (one layer on debian:bookworm-slim): its id differs from the base's."""
    tag = tags("other")
    dockerfile = io.BytesIO(f"FROM debian:bookworm-slim\nRUN echo {tag} > /marker\n".encode())
    docker_client.images.build(fileobj=dockerfile, tag=tag, rm=True)
    return tag


def test_export_keeps_an_existing_archive_unless_forced(docker_client, base_tag, tmp_path):
    archive = tmp_path / "image.tar"
    archive.write_text("an archive I need\n")
    proc = run_cli("export", base_tag, "-o", str(archive))
    assert proc.returncode == 2 and "exists; pass --force to replace it" in proc.stderr
    assert archive.read_text() == "an archive I need\n"
    proc = run_cli("export", base_tag, "-o", str(archive), "--force")
    assert proc.returncode == 0, proc.stderr
    assert archive_tags(archive) == [base_tag]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.tar"], "a temporary file was left behind"


def test_export_image_refuses_a_fifo_even_with_force(docker_client, base_tag, tmp_path):
    fifo = tmp_path / "image.tar"
    os.mkfifo(fifo)
    with pytest.raises(BadTarget, match="is a FIFO"):
        export_image(docker_client, base_tag, fifo, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["image.tar"]


def test_import_lists_only_the_archive_tags_and_says_which_it_moved(docker_client, base_tag, other_image, tags,
                                                                    tmp_path):
    moved = tags("moved")
    docker_client.images.get(base_tag).tag(*moved.split(":"))
    archive = tmp_path / "moved.tar"
    export_image(docker_client, moved, archive)  # holds the base image under `moved` only
    docker_client.images.get(other_image).tag(*moved.split(":"))  # now `moved` names another image
    before = docker_client.images.get(moved).id
    assert before == docker_client.images.get(other_image).id

    report = import_image(docker_client, archive)

    assert report.loaded == [moved], "only the archive's tag (the loaded image also has base_tag)"
    assert report.replaced == {moved: before[:19]}
    assert docker_client.images.get(moved).id == docker_client.images.get(base_tag).id
    # Again: now nothing is moved, and the CLI says so in one line.
    proc = run_cli("import", str(archive))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"loaded {moved}\n"


def test_import_cli_says_which_tag_it_moved(docker_client, base_tag, other_image, tmp_path):
    archive = tmp_path / "other.tar"
    export_image(docker_client, other_image, archive)
    old = docker_client.images.get(other_image).id
    docker_client.images.get(base_tag).tag(*other_image.split(":"))
    proc = run_cli("import", str(archive))
    assert proc.returncode == 0, proc.stderr
    was = docker_client.images.get(base_tag).id[:19]
    assert proc.stdout == f"loaded {other_image} (replaced: it named image {was} before)\n"
    assert docker_client.images.get(other_image).id == old


def test_import_of_an_archive_without_manifest_is_refused_before_loading(docker_client, tmp_path):
    archive = tmp_path / "plain.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(__file__, arcname="hello.py")
    with pytest.raises(Exception, match="has no manifest.json"):
        import_image(docker_client, archive)
    assert main(["import", str(archive)]) == 1
