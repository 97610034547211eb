"""The PyTorch build decision (knowledge.torch_build), walked over everything the tables allow, and the answers
that reach it through validation, the plan and the wizard's release labels."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from wizard import knowledge
from wizard.answers import BY_KEY
from wizard.knowledge import driver_can_run, driver_supports, torch_build, torch_release, torch_releases
from wizard.plan import build_plan
from wizard.validate import validate

DRIVERS = (None, "470.57.02", "535.171.04", "550.54.14", "580.65.06")
PYTHONS = ("3.8", "3.10", "3.11", "3.12", "3.13", "3.14")
VENDORS = ("none", "nvidia", "ascend")


def _python_ok(python: str, release: knowledge.TorchRelease) -> bool:
    lo, hi = (tuple(int(p) for p in v.split(".")) for v in release.python)
    return lo <= tuple(int(p) for p in python.split(".")) <= hi


def _walk():
    for release in torch_releases():
        for choice, vendor, driver, arch, python in itertools.product(
                ("", *release.variants, "cu999"), VENDORS, DRIVERS, ("amd64", "arm64"), PYTHONS):
            yield release, choice, vendor, driver, arch, python, torch_build(release, choice, vendor, driver, arch, python)


def test_every_accepted_combination_has_a_wheel_in_the_table():
    accepted = 0
    for release, choice, vendor, driver, arch, python, build in _walk():
        if build.variant is None:
            continue
        accepted += 1
        where = (release.torch, choice, vendor, driver, arch, python)
        assert build.variant in release.variants, where
        assert arch != "arm64" or build.variant in release.aarch64, where
        assert _python_ok(python, release), where
        assert choice in ("", build.variant), where
        if vendor in ("nvidia", "ascend") and choice != "cpu":
            assert build.variant != "cpu", where  # never a silent CPU build on a GPU image
        if build.variant != "cpu":
            assert vendor == "nvidia", where
            assert driver is None or driver_can_run(driver, build.variant), where
            if choice == "":  # picked for the user: fully supported by the driver, never by compat alone
                assert driver is not None and driver_supports(driver, build.variant), where
            if driver and not driver_supports(driver, build.variant):
                assert "minor-version compatibility" in build.warning, where
    assert accepted > 1000


def test_every_refused_combination_names_the_key_and_why():
    refused = 0
    for release, choice, vendor, driver, arch, python, build in _walk():
        if build.variant is not None:
            continue
        refused += 1
        where = (release.torch, choice, vendor, driver, arch, python)
        assert build.key in ("gpu.pytorch", "gpu.cuda", "gpu.host_driver"), where
        assert "accepted" in build.reason and "\n" not in build.reason, where
        assert build.note, where
    assert refused > 1000


@pytest.mark.parametrize("given,key,words", [
    # the guide's driver and a release with no CUDA build it fully supports: refused, with what would run
    ({"gpu.vendor": "nvidia", "gpu.host_driver": "535.171.04", "gpu.pytorch": "2.8.0"}, "gpu.pytorch",
     "gpu.cuda = cu126 / cu128 / cu129 (runs only by CUDA minor-version compatibility) or cpu"),
    ({"gpu.vendor": "nvidia", "gpu.pytorch": "2.9.1"}, "gpu.host_driver", "the version nvidia-smi shows"),
    ({"image.arch": "arm64", "gpu.vendor": "nvidia", "gpu.host_driver": "550.54.14", "gpu.pytorch": "2.3.1",
      "gpu.cuda": "cu121"}, "gpu.cuda", "no aarch64 wheels"),
    ({"image.arch": "arm64", "gpu.vendor": "nvidia", "gpu.host_driver": "550.54.14", "gpu.pytorch": "2.3.1"},
     "gpu.pytorch", "no aarch64 CUDA wheels"),
    ({"os.family": "ubuntu", "os.version": "24.04", "gpu.pytorch": "2.1.2"}, "gpu.pytorch",
     "Python 3.8-3.11, the image's Python is 3.12"),
    ({"app.type": "web", "app.name": "jupyter", "app.python_from": "conda", "app.python": "3.13",
      "gpu.pytorch": "2.4.0"}, "gpu.pytorch", "the image's Python is 3.13"),
    ({"app.type": "web", "app.name": "jupyter", "app.python_from": "conda", "app.python": "3.8",
      "gpu.pytorch": "2.5.1"}, "gpu.pytorch", "Python 3.9-3.12"),
    ({"gpu.vendor": "ascend", "gpu.pytorch": "2.4.0"}, "gpu.pytorch", "torch_npu"),
])
def test_answers_without_a_wheel_are_refused_naming_the_key(given, key, words):
    _, problems = validate({"ssh.enabled": False, **given})
    assert any(k == key and words in m for k, m in problems), problems


def test_the_guides_host_gets_cu121_and_a_chosen_compat_build_a_warning():
    base = {"ssh.enabled": False, "gpu.vendor": "nvidia", "gpu.host_driver": "535.171.04"}
    answers, problems = validate({**base, "gpu.pytorch": "2.4.0"})
    assert problems == [] and build_plan(answers).cuda == "cu121"
    answers, problems = validate({**base, "gpu.pytorch": "2.8.0", "gpu.cuda": "cu126"})
    plan = build_plan(answers)
    assert problems == [] and plan.cuda == "cu126" and plan.torch_index.endswith("/whl/cu126")
    assert any("minor-version compatibility" in w and "gpu.cuda cu126" in w for w in plan.warnings)


def test_cpu_is_a_choice_on_a_gpu_image_never_a_fallback():
    answers, problems = validate({"ssh.enabled": False, "gpu.vendor": "ascend", "gpu.pytorch": "2.4.0",
                                  "gpu.cuda": "cpu"})
    assert problems == [] and build_plan(answers).cuda == "cpu"
    answers, problems = validate({"ssh.enabled": False, "gpu.pytorch": "2.4.0"})  # no GPU: CPU is the build
    assert problems == [] and build_plan(answers).cuda == "cpu"


def test_the_release_labels_show_the_build_for_the_answers_so_far():
    labels = {c.value: c.label.en for c in BY_KEY["gpu.pytorch"].choices_for(
        {"gpu.vendor": "nvidia", "gpu.host_driver": "535.171.04", "os.family": "ubuntu", "os.version": "22.04",
         "image.arch": "amd64"})}
    assert labels["2.5.1"] == "2.5.1 · cu121"
    assert labels["2.8.0"] == "2.8.0 · cu126/cu128/cu129 by minor-version compat only"
    assert labels["2.1.2"] == "2.1.2 · cu121"
    assert labels[""] == "No PyTorch"
    zh = {c.value: c.label.zh for c in BY_KEY["gpu.pytorch"].choices_for({"gpu.vendor": "nvidia", "image.arch": "arm64"})}
    assert zh["2.14.1"] == "2.14.1 · 请填写宿主机驱动版本" and zh["2.4.0"] == "2.4.0 · 无 aarch64 CUDA 版本"


def test_the_table_reaches_the_newest_release_and_every_variant_has_a_driver_floor():
    assert torch_releases()[-1].torch == "2.15.0" and torch_release("2.12").variants == ("cpu", "cu126", "cu130", "cu132")
    for release in torch_releases():
        assert set(release.aarch64) <= set(release.variants), release.torch
        for variant in release.variants[1:]:
            assert variant in knowledge.table("cuda")["minimum_driver"], (release.torch, variant)
            assert variant[2:-1] in knowledge.table("cuda")["minor_compat_floor"], (release.torch, variant)


def test_the_dockerfile_installs_the_decided_build_and_no_torchaudio_after_2_11():
    from tests.test_snippets import df
    text = df(gpu__vendor="nvidia", gpu__host_driver="595.45.04", gpu__pytorch="2.14.1")
    assert "# --- PyTorch 2.14.1 (cu132)" in text and "--index-url https://download.pytorch.org/whl/cu132" in text
    assert "torch==2.14.1 torchvision==0.29.1 \\" in text and "torchaudio" not in text
    text = df(image__arch="arm64", gpu__vendor="nvidia", gpu__host_driver="580.65.06", gpu__pytorch="2.9.1")
    assert "--index-url https://download.pytorch.org/whl/cu130" in text  # 2.9 has aarch64 cu130 wheels


def test_the_summary_names_the_build_it_installs():
    """The one-line summary (wizard, README) says which build the image gets: a CPU torch is never unsaid."""
    from wizard.render import summary
    from wizard.validate import validate

    a, problems = validate({"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "nvidia",
                            "gpu.host_driver": "535.171.04", "gpu.pytorch": "2.4.0"})
    assert problems == [] and summary(a).endswith("nvidia, PyTorch 2.4.0 (cu121)")
    a, problems = validate({"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "ascend", "gpu.devices": "0",
                            "gpu.pytorch": "2.4.0", "gpu.cuda": "cpu"})
    assert problems == [] and summary(a).endswith("ascend, PyTorch 2.4.0 (cpu)")


def test_2_15_needs_python_3_11_so_ubuntu_22_04_s_system_python_is_refused_with_the_reason():
    """torch 2.15.0 has cp311-cp315 wheels only (PyPI, 2026-11-30): Debian 12's 3.11 gets it, Ubuntu 22.04's 3.10
    is refused naming Python."""
    from tests.test_snippets import df
    text = df(gpu__vendor="nvidia", gpu__host_driver="595.45.04", gpu__pytorch="2.15.0")
    assert "torch==2.15.0 torchvision==0.29.2 \\" in text and "--index-url https://download.pytorch.org/whl/cu132" in text
    answers, problems = validate({"app.type": "shell", "os.family": "ubuntu", "os.version": "22.04", "ssh.enabled": False,
                                  "gpu.pytorch": "2.15.0", "gpu.cuda": "cpu", "packages.pip": ["six"]}, Path("."))
    assert any(key == "gpu.pytorch" and "3.10" in why for key, why in problems), problems


def test_a_pytorch_index_mirror_replaces_the_index_keeps_the_layout_and_plain_http_is_trusted_with_a_warning():
    from tests.test_snippets import df
    text = df(gpu__pytorch="2.13.0", gpu__cuda="cpu", mirror__pytorch="http://10.0.0.5:8080/pytorch/whl/")
    assert "--index-url http://10.0.0.5:8080/pytorch/whl/cpu \\" in text
    assert 'ENV PIP_TRUSTED_HOST="10.0.0.5:8080"' in text
    text = df(gpu__pytorch="2.13.0", gpu__cuda="cpu", mirror__pip="http://pypi.lan/simple",
              mirror__pytorch="https://torch.example.com/whl")
    assert "--index-url https://torch.example.com/whl/cpu" in text and 'ENV PIP_TRUSTED_HOST="pypi.lan"' in text
    for bad in ("ftp://x.example/whl", "http://a b", "https://x.example/whl;rm -rf /"):
        _, problems = validate({"app.type": "shell", "ssh.enabled": False, "gpu.pytorch": "2.13.0", "gpu.cuda": "cpu",
                                "mirror.pytorch": bad}, Path("."))
        assert [key for key, _ in problems] == ["mirror.pytorch"], (bad, problems)
        assert "http(s) URL" in problems[0][1]


def test_every_python_the_table_allows_is_one_app_python_accepts():
    """pytorch.toml may not offer a Python no image can have: every minor between a release's bounds is an
    accepted app.python (2.15.0 listed 3.15 while app.python stops at 3.14), and so is every system python3."""
    from wizard import checks
    for release in torch_releases():
        lo, hi = (tuple(int(p) for p in v.split(".")) for v in release.python)
        minors = [f"3.{m}" for m in range(lo[1], hi[1] + 1)]
        assert lo[0] == hi[0] == 3 and minors, release
        assert [m for m in minors if checks.python_version(m) is not None] == [], release.torch
        assert BY_KEY["app.python"].check(release.python[1]) is None, release.torch
    for python in knowledge.table("pytorch")["system_python"].values():
        assert checks.python_version(python) is None
    assert torch_release("2.15.0").python == ("3.11", "3.14")
