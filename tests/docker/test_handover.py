"""Scenario 7: commit a container, export the image (docker save), remove it, import it (docker load) and run
it; the free-space refusal against a real small filesystem; a truncated archive refused on import."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from screens.cli import main
from tests.conftest import unavailable
from wizard.engine.archive import NotEnoughSpace, export_image, import_image
from wizard.engine.check import check_image
from wizard.engine.commit import commit
from wizard.engine.common import DockerOpError

pytestmark = pytest.mark.docker


@pytest.fixture
def committed(docker_client, ssh_key_image):
    """A container of the SSH image with a file added by hand, committed as a new image."""
    tag = f"imgwizard-test/committed:{uuid.uuid4().hex[:8]}"
    c = docker_client.containers.run(ssh_key_image.tag, detach=True, init=True)
    try:
        assert c.exec_run(["sh", "-c", "echo made-by-hand > /root/marker"]).exit_code == 0
        image_id = commit(docker_client, c.name, tag).image_id
    finally:
        c.remove(force=True)
    assert docker_client.images.get(tag).id == image_id
    yield tag
    try:
        docker_client.images.remove(tag, force=True)
    except Exception:  # noqa: BLE001 - removed by the test
        pass


def test_commit_export_remove_import_run(docker_client, committed, ssh_key_image, tmp_path, capsys):
    archive = tmp_path / "handover.tar"
    seen: list[tuple[int, int]] = []
    written = export_image(docker_client, committed, archive, progress=lambda done, total: seen.append((done, total)))
    assert archive.stat().st_size == written > 50 * 2**20
    assert seen and seen[-1][0] == written
    assert [p.name for p in tmp_path.iterdir()] == ["handover.tar"], "the temporary file was left behind"

    docker_client.images.remove(committed, force=True)
    with pytest.raises(Exception):
        docker_client.images.get(committed)

    # Through the CLI, as a user would: the tag comes back.
    assert main(["import", str(archive)]) == 0
    assert f"loaded {committed}" in capsys.readouterr().out
    out = docker_client.containers.run(committed, ["cat", "/root/marker"], entrypoint=[], remove=True)
    assert out == b"made-by-hand\n"
    report = check_image(docker_client, committed, ssh_key_image.spec, timeout=60)
    assert report.ok, (report.results, report.logs)


def test_commit_of_a_missing_container_is_a_clear_error(docker_client):
    with pytest.raises(DockerOpError, match="no container"):
        commit(docker_client, "imgwizard-no-such-container", "x:y")


@pytest.fixture
def small_fs(tmp_path):
    """A real 5 MiB tmpfs, smaller than any image here."""
    mount = tmp_path / "small"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mount)], capture_output=True, text=True)
    if r.returncode != 0:
        unavailable(f"this test needs a tmpfs mount of its own (run as root): {r.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_export_refuses_when_the_folder_is_too_small(docker_client, ssh_key_image, small_fs, capsys):
    size = docker_client.images.get(ssh_key_image.tag).attrs["Size"]
    with pytest.raises(NotEnoughSpace) as refused:
        export_image(docker_client, ssh_key_image.tag, small_fs / "image.tar")
    assert refused.value.needed >= size and refused.value.free <= 5 * 2**20
    assert str(refused.value.needed) in str(refused.value) and str(refused.value.free) in str(refused.value)
    assert list(small_fs.iterdir()) == []
    # The CLI says the same, with exit 1 and nothing written.
    assert main(["export", ssh_key_image.tag, "-o", str(small_fs / "image.tar")]) == 1
    err = capsys.readouterr().err
    assert "not enough free space" in err and "nothing was written" in err
    assert list(small_fs.iterdir()) == []


def test_import_refuses_a_truncated_archive(docker_client, ssh_key_image, tmp_path, capsys):
    whole = tmp_path / "whole.tar"
    export_image(docker_client, ssh_key_image.tag, whole)
    cut = tmp_path / "cut.tar"
    with open(whole, "rb") as f:
        cut.write_bytes(f.read(whole.stat().st_size // 2))
    with pytest.raises(DockerOpError, match="not a complete image archive"):
        import_image(docker_client, cut)
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is not a tar file\n" * 100)
    assert main(["import", str(garbage)]) == 1
    assert "not a complete image archive" in capsys.readouterr().err
