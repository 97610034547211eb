"""The knowledge tables and the pure look-ups over them."""

from __future__ import annotations

import pytest

from wizard import knowledge
from wizard.knowledge import torch_build, torch_release


def test_every_table_names_its_source():
    for engine, families in knowledge.table("bases").items():
        if engine == "engines":
            continue
        for family, versions in families.items():
            for version, row in versions.items():
                assert row["source"], (engine, family, version)
    assert knowledge.table("apps")["code_server"]["source"]


@pytest.mark.parametrize("driver,torch,expected", [
    ("535.171.04", "2.4.0", "cu121"),  # the guide's host: 12.4 needs 550.54.14
    ("550.135", "2.4.0", "cu124"),
    ("550.135", "2.7.1", "cu118"),  # 2.7 has cu118/cu126/cu128: 12.6 needs 560.28.03
    ("570.86.10", "2.7.1", "cu128"),
    ("580.65.06", "2.9.1", "cu130"),
    ("595.45.04", "2.14.1", "cu132"),
])
def test_torch_build_takes_the_newest_variant_the_driver_supports(driver, torch, expected):
    assert torch_build(torch_release(torch), "", "nvidia", driver, "amd64", "3.11").variant == expected


@pytest.mark.parametrize("driver,torch,key,says", [
    ("535.171.04", "2.8.0", "gpu.pytorch", "gpu.cuda = cu126 / cu128 / cu129 (runs only by CUDA minor-version"),
    ("470.57.02", "2.4.0", "gpu.pytorch", "or gpu.cuda = cu118 (runs only by CUDA minor-version compatibility) or cpu"),
    ("440.33.01", "2.4.0", "gpu.pytorch", "accepted: an older release, a newer host driver, or gpu.cuda = cpu"),
    (None, "2.9.1", "gpu.host_driver", "accepted: the version nvidia-smi shows"),
])
def test_an_nvidia_image_never_gets_a_silent_cpu_build(driver, torch, key, says):
    build = torch_build(torch_release(torch), "", "nvidia", driver, "amd64", "3.11")
    assert build.variant is None and build.key == key and says in build.reason


def test_minor_version_compatibility_is_chosen_explicitly_and_warned():
    build = torch_build(torch_release("2.8.0"), "cu128", "nvidia", "535.171.04", "amd64", "3.11")
    assert build.variant == "cu128" and "minor-version compatibility" in build.warning


def test_driver_can_run_uses_the_minor_version_floor():
    from wizard.knowledge import driver_can_run, driver_supports
    assert driver_can_run("535.171.04", "cu124") and not driver_supports("535.171.04", "cu124")
    assert not driver_can_run("470.57.02", "cu121") and driver_can_run("470.57.02", "cu118")
    assert not driver_can_run("570.86.10", "cu130") and driver_can_run("580.65.06", "cu130")


def test_torch_release_accepts_a_minor_and_knows_its_companions():
    rel = torch_release("2.4")
    assert (rel.torch, rel.vision, rel.audio) == ("2.4.1", "0.19.1", "2.4.1")
    assert torch_release("9.9") is None
    assert "cu128" not in torch_release("2.6.0").variants


def test_bases_per_engine_and_family():
    assert knowledge.base("novnc", "ubuntu", "22.04").image == "jlesage/baseimage-gui:ubuntu-22.04-v4.13.1"
    assert knowledge.base("novnc", "ubuntu", "22.04").cmd == ("/init",)
    assert knowledge.base("kasm", "debian", "12").image.endswith(":debianbookworm-876361b9-ls121")
    assert knowledge.base("plain", "debian", "12").sources == "/etc/apt/sources.list.d/debian.sources"
    assert knowledge.base("plain", "ubuntu", "24.04").sources.endswith("ubuntu.sources")
    assert knowledge.os_families("kasmweb") == ["ubuntu", "debian"]  # kasmtech builds Debian bookworm core images


@pytest.mark.parametrize("engine,family,version,image", [
    ("novnc", "ubuntu", "22.04", "jlesage/baseimage-gui:ubuntu-22.04-v4.13.1"),
    ("novnc", "ubuntu", "24.04", "jlesage/baseimage-gui:ubuntu-24.04-v4.13.1"),
    ("novnc", "debian", "12", "jlesage/baseimage-gui:debian-12-v4.13.1"),
    ("novnc", "alpine", "3.21", "jlesage/baseimage-gui:alpine-3.21-v4.13.1"),
    ("kasm", "debian", "12", "ghcr.io/linuxserver/baseimage-kasmvnc:debianbookworm-876361b9-ls121"),
    ("kasm", "ubuntu", "22.04", "ghcr.io/linuxserver/baseimage-kasmvnc:ubuntujammy-b455693b-ls146"),
    ("kasm", "ubuntu", "24.04", "ghcr.io/linuxserver/baseimage-kasmvnc:ubuntunoble-8076605d-ls70"),
    ("kasm", "alpine", "3.21", "ghcr.io/linuxserver/baseimage-kasmvnc:alpine321-89d8a445-ls32"),
    ("kasmweb", "ubuntu", "22.04", "kasmweb/core-ubuntu-jammy:1.18.0"),
    ("kasmweb", "ubuntu", "24.04", "kasmweb/core-ubuntu-noble:1.18.0"),
    ("kasmweb", "debian", "12", "kasmweb/core-debian-bookworm:1.18.0"),
])
def test_every_third_party_base_is_pinned_to_one_release(engine, family, version, image):
    base = knowledge.base(engine, family, version)
    assert base.image == image and knowledge.third_party(base)
    assert base.ref() == image and base.ref("other-1") == f"{base.repository}:other-1"


def test_mirrors_and_java():
    assert knowledge.mirror_root("tuna") == "http://mirrors.tuna.tsinghua.edu.cn"
    assert knowledge.mirror_root("http://deb.debian.org/") == "http://deb.debian.org"
    assert knowledge.pip_index("aliyun") == "https://mirrors.aliyun.com/pypi/simple/"
    assert knowledge.java_versions("debian") == ["17"]  # bookworm has no 11 or 21
    assert knowledge.java_home("ubuntu", "21", "arm64") == "/usr/lib/jvm/java-21-openjdk-arm64"
    assert knowledge.jetbrains_archive("ideaIC-2024.2.1.tar.gz") == ({"product": "ideaic", "launcher": "idea",
                                                                       "title": "IntelliJ IDEA Community"},
                                                                      "amd64")
    assert knowledge.jetbrains_archive("eclipse.tar.gz") is None
