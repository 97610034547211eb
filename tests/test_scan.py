"""wizard.scan on real temporary folders: what each file answers, and that the answers it gives are valid."""

from pathlib import Path

from screens.scenarios import TEST_KEY
from wizard import knowledge
from wizard.plan import ASCEND_FILES
from wizard.scan import given, hints, saves_here, scan
from wizard.validate import validate


def found(folder: Path) -> dict:
    return given(scan(folder))


def test_a_jetbrains_archive_makes_a_jetbrains_desktop_named_after_the_product(tmp_path):
    (tmp_path / "pycharm-community-2024.2.1.tar.gz").write_bytes(b"\x1f\x8b")
    got = found(tmp_path)
    assert got == {"app.type": "desktop", "app.name": "jetbrains", "app.archive": "pycharm-community-2024.2.1.tar.gz",
                   "image.arch": "amd64", "image.name": "pycharm"}
    answers, problems = validate(got, tmp_path)
    assert problems == [] and answers["app.archive"] == "pycharm-community-2024.2.1.tar.gz"


def test_an_aarch64_archive_says_arm64(tmp_path):
    (tmp_path / "goland-2024.3-aarch64.tar.gz").write_bytes(b"")
    assert found(tmp_path)["image.arch"] == "arm64"


def test_an_nvidia_installer_gives_the_exact_driver(tmp_path):
    name = knowledge.nvidia_run_name("amd64", "550.135")
    assert name == "NVIDIA-Linux-x86_64-550.135.run"
    (tmp_path / name).write_bytes(b"#!/bin/sh\n")
    got = found(tmp_path)
    assert {k: got[k] for k in ("gpu.vendor", "gpu.driver", "image.arch")} == \
        {"gpu.vendor": "nvidia", "gpu.driver": "550.135", "image.arch": "amd64"}
    answers, problems = validate({**got, "ssh.enabled": False}, tmp_path)
    assert problems == [] and answers["gpu.host_driver"] == "550.135"  # its default: the driver in the image
    # a host whose nvidia-smi says otherwise keeps its version, and the pair is refused
    _, problems = validate({"gpu.host_driver": "535.171.04", **got, "ssh.enabled": False}, tmp_path)
    assert [k for k, _ in problems] == ["gpu.driver"]
    assert answers.get("gpu.driver") and knowledge.nvidia_run(name) == ("amd64", "550.135")


def test_names_that_only_look_like_installers_are_passed_over(tmp_path):
    for name in ("NVIDIA-Linux-x86_64-latest.run", "NVIDIA-Linux-sparc-550.135.run", "pycharm.tar.gz",
                 "notes-2024.1.tar.gz"):
        (tmp_path / name).write_bytes(b"")
    assert set(found(tmp_path)) <= {"image.name"}


def test_an_ascend_folder_with_the_driver_files_means_copy_mode(tmp_path):
    for name, _ in ASCEND_FILES:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    got = found(tmp_path)
    assert got["gpu.vendor"] == "ascend" and got["gpu.ascend_driver"] == "copy"
    (tmp_path / ASCEND_FILES[0][0]).unlink()  # incomplete: nothing is claimed
    assert "gpu.vendor" not in found(tmp_path)


def test_a_public_key_file_gives_its_key_text(tmp_path):
    (tmp_path / "me.pub").write_text(TEST_KEY + "\n")
    (tmp_path / "bad.pub").write_text("not a key\n")
    assert found(tmp_path)["ssh.authorized_key"] == TEST_KEY


def test_an_answers_file_gives_its_answers_and_wins(tmp_path):
    (tmp_path / "pycharm-2025.1.tar.gz").write_bytes(b"")
    (tmp_path / "imgwizard.toml").write_text('version = 1\n[image]\nname = "team/ide"\n[app]\ntype = "web"\n')
    got = found(tmp_path)
    assert got["image.name"] == "team/ide" and got["app.type"] == "web"
    assert "imgwizard.toml" in hints(scan(tmp_path))["image.name"]("en")


def test_a_broken_answers_file_is_passed_over(tmp_path):
    (tmp_path / "imgwizard.toml").write_text("[[[")
    assert "app.type" not in found(tmp_path)


def test_the_image_name_comes_from_the_folder_when_it_held_something_and_nothing_else_names_it(tmp_path):
    folder = tmp_path / "My Project_2"
    folder.mkdir()
    (folder / "me.pub").write_text(TEST_KEY + "\n")
    assert found(folder) == {"ssh.authorized_key": TEST_KEY, "image.name": "my-project-2"}
    assert hints(scan(folder))["image.name"]("zh") == "在当前目录发现：目录名 My Project_2"
    odd = tmp_path / "___"
    odd.mkdir()
    (odd / "me.pub").write_text(TEST_KEY + "\n")
    assert "image.name" not in found(odd)


def test_a_folder_that_holds_nothing_recognised_names_no_image(tmp_path):
    """The source checkout (`imgwizard`, `work`) or a home folder: the wizard asks for the name."""
    checkout = tmp_path / "imgwizard"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "notes.txt"):
        (checkout / name).write_text("x\n")
    (checkout / "wizard").mkdir()
    assert found(checkout) == {}


def test_links_and_folders_named_like_files_are_not_taken(tmp_path):
    (tmp_path / "pycharm-2025.1.tar.gz").mkdir()
    (tmp_path / "id.pub").symlink_to("/etc/passwd")
    got = found(tmp_path)
    assert "app.archive" not in got and "ssh.authorized_key" not in got


def test_a_missing_folder_finds_nothing(tmp_path):
    assert found(tmp_path / "gone") == {}


def test_the_context_goes_into_the_start_folder_that_holds_the_files_the_answers_name(tmp_path):
    here = tmp_path / "work"
    here.mkdir()
    (here / "pycharm-community-2024.2.1.tar.gz").write_bytes(b"")
    answers = {"image.name": "pycharm"}
    why = saves_here(here, answers, ["pycharm-community-2024.2.1.tar.gz"])
    assert why is not None and why("en") == ("the start folder already holds pycharm-community-2024.2.1.tar.gz, "
                                             "which the answers name")
    assert saves_here(here, answers, ["other.tar.gz"]) is None
    (here / "link.tar.gz").symlink_to(tmp_path / "outside.tar.gz")  # a link out of the folder never builds
    (tmp_path / "outside.tar.gz").write_bytes(b"")
    assert saves_here(here, answers, ["link.tar.gz"]) is None


def test_the_context_goes_into_the_start_folder_named_after_the_image(tmp_path):
    here = tmp_path / "nc3-jupyter"
    here.mkdir()
    why = saves_here(here, {"image.name": "nc3-jupyter"}, [])
    assert why is not None and why("zh") == "起始目录与镜像同名（nc3-jupyter）"
    assert saves_here(here, {"image.name": "jupyter"}, []) is None
