"""What each base image does (wizard/data/bases.toml, docs/upstream.md) against what the wizard renders for it.

The desktop base images (jlesage, linuxserver KASM, kasmweb) and the Ubuntu and Alpine images cannot be pulled
here (no registry access): these tests are render- and validation-level. They check the rendered build context
against the facts recorded for each base, each fact verified in the base's upstream source (the `source`
fields of bases.toml); the real-engine tests (tests/docker/) build the Debian plain image only.
"""

from __future__ import annotations

import itertools
import re

import pytest

from wizard import knowledge
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import KEY

PAIRS = [(engine, family, version) for engine in ("plain", "novnc", "kasm", "kasmweb", "builtin")
         for family in knowledge.os_families(engine) if family != "scratch"
         for version in knowledge.os_versions(engine, family)]
SSH = ({"ssh.enabled": False}, {"ssh.enabled": True, "ssh.auth": "key", "ssh.authorized_key": KEY},
       {"ssh.enabled": True, "ssh.auth": "password"})
USERS = ({"user.root": True}, {"user.root": False})
FORWARD = ({"forward.enabled": False}, {"forward.enabled": True, "forward.listen": 31001, "forward.target": 8006})
MIRRORS = ({"mirror.apt": "none"}, {"mirror.apt": "tuna"})


def _given(engine: str, family: str, version: str, *parts: dict) -> dict:
    app = {"app.type": "shell"} if engine == "plain" else \
        {"app.type": "desktop", "desktop.engine": engine, "app.name": "command", "app.command": "bash"}
    given = {**app, "os.family": family, "os.version": version}
    for part in parts:
        given.update(part)
    return given


def _reason(engine: str, given: dict) -> str | None:
    """The reason recorded in bases.toml why this combination cannot work, or None."""
    why = knowledge.ssh_refusal(engine, given["ssh.auth"]) if given["ssh.enabled"] else None
    return why.en if why else None


def _final_user(dockerfile: str) -> str:
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    return users[-1] if users else "root"


def _assert_sources(base: knowledge.Base, dockerfile: str, mirror: str) -> None:
    seds = [ln for ln in dockerfile.splitlines() if ln.startswith("RUN sed -i -e 's|")]
    if mirror == "none":
        assert seds == [] and "RUN rm -f /etc/apt/sources.list.d/" not in dockerfile
        return
    root = knowledge.mirror_root(mirror)
    assert len(seds) == 1 and seds[0].endswith(f" {base.sources}")  # the one file the base has, nothing else
    for url in base.mirror_from:
        assert f"'s|{url}|{root}/{url.split('/', 3)[3]}|g'" in seds[0]
    for extra in base.foreign_sources:  # download.docker.com: no mirror serves it; apt-get update stays in China
        assert re.search(rf"^RUN rm -f .*{re.escape(extra)}", dockerfile, re.M)


@pytest.mark.parametrize("engine,family,version", PAIRS)
def test_every_combination_renders_what_its_base_does_or_is_refused_with_the_base_reason(engine, family, version):
    base = knowledge.base(engine, family, version)
    facts = knowledge.engine_facts(engine)
    for parts in itertools.product(SSH, USERS, FORWARD, MIRRORS):
        given = _given(engine, family, version, *parts)
        answers, problems = validate(given)
        reason = _reason(engine, given)
        if reason:
            assert len(problems) == 1 and reason in problems[0][1], (given, problems)
            continue
        assert problems == [], (given, problems)
        ctx = render(answers)
        _assert_sources(base, ctx.dockerfile, given["mirror.apt"])
        assert f"FROM {base.image}" in ctx.dockerfile
        if engine in ("plain", "builtin"):  # the built-in desktop sits on the plain image and keeps its users
            expected = "root" if given["user.root"] or given["ssh.enabled"] else "app"
        else:
            expected = facts["final_user"]
        assert _final_user(ctx.dockerfile) == expected, given
        if given["ssh.enabled"] and given["ssh.auth"] == "password":
            assert not facts.get("known_passwords"), given  # no account with a known password is reachable


def test_linuxserver_kasm_bases_record_the_sources_file_their_own_build_writes():
    """baseimage-debian:bookworm and baseimage-ubuntu:noble write sources.list and delete the deb822 file;
    the Alpine base writes http://dl-cdn...; every KASM base adds download.docker.com's docker.list."""
    for family, version in (("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04")):
        base = knowledge.base("kasm", family, version)
        assert base.sources == "/etc/apt/sources.list"
        assert "/etc/apt/sources.list.d/docker.list" in base.foreign_sources
    assert "http://security.debian.org/debian-security" in knowledge.base("kasm", "debian", "12").mirror_from
    assert knowledge.base("kasm", "alpine", "3.21").mirror_from == ("http://dl-cdn.alpinelinux.org/alpine",)
    assert knowledge.base("plain", "alpine", "3.21").mirror_from == ("https://dl-cdn.alpinelinux.org/alpine",)
    table = knowledge.table("bases")
    for engine in ("kasm", "novnc"):
        for family, versions in table[engine].items():
            for version, row in versions.items():
                assert row["sources_source"].count("@") >= 1, (engine, family, version)  # repo@commit path lines


def test_kasm_debian_mirror_line_rewrites_main_and_security_hosts():
    answers, problems = validate(_given("kasm", "debian", "12", {"mirror.apt": "aliyun"}))
    assert problems == []
    text = render(answers).dockerfile
    assert ("RUN sed -i -e 's|http://deb.debian.org/debian|http://mirrors.aliyun.com/debian|g' "
            "-e 's|http://security.debian.org/debian-security|http://mirrors.aliyun.com/debian-security|g' "
            "/etc/apt/sources.list") in text
    assert text.index("RUN rm -f /etc/apt/sources.list.d/docker.list") < text.index("apt-get update")


def test_kasm_key_login_is_accepted_and_logs_in_as_abc():
    answers, problems = validate(_given("kasm", "ubuntu", "24.04", SSH[1]))
    assert problems == []
    ctx = render(answers)
    assert "PasswordAuthentication no" in ctx.files["sshd_config"].text
    assert "COPY authorized_keys /etc/ssh/authorized_keys/abc" in ctx.dockerfile


def test_kasmweb_desktop_auth_cannot_be_turned_off_and_its_readme_says_https_and_the_user():
    _, problems = validate(_given("kasmweb", "ubuntu", "22.04", {"desktop.auth": False}))
    assert [k for k, _ in problems] == ["desktop.auth"] and "VNC_PW has a default" in problems[0][1]
    answers, problems = validate(_given("kasmweb", "ubuntu", "22.04"))
    ctx = render(answers)
    readme = ctx.files["README.md"].text
    assert "`https://HOST:31000`" in readme and "`kasm_user`" in readme
    assert "    --shm-size=512m \\" in ctx.files["run.sh"].text.splitlines()


def test_novnc_readme_says_only_8_password_characters_count():
    answers, _ = validate(_given("novnc", "debian", "12"))
    assert "only its first 8 characters count" in render(answers).files["README.md"].text
    answers, _ = validate(_given("novnc", "debian", "12", {"desktop.auth": False}))
    assert "first 8 characters" not in render(answers).files["README.md"].text


@pytest.mark.parametrize("driver,module,systemd", [
    ("460.91.03", "--no-kernel-module", False),  # before 465.19.01: no --no-systemd
    ("470.256.02", "--no-kernel-module", True),
    ("515.43.04", "--no-kernel-modules", True),  # the plural from here on
    ("580.95.05", "--no-kernel-modules", True),
])
def test_nvidia_installer_gets_only_the_flags_its_version_knows(driver, module, systemd):
    given = {"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "nvidia", "gpu.driver": driver}
    answers, problems = validate(given)
    assert problems == []
    line = " ".join(render(answers).dockerfile.split("\\\n"))
    flags = line[line.index(f"NVIDIA-Linux-x86_64-{driver}.run --"):].split("\n", 1)[0].split()[1:]
    assert module in flags and {"--no-kernel-module", "--no-kernel-modules"} - {module} & set(flags) == set()
    assert ("--no-systemd" in flags) == systemd


def test_ascend_devices_all_is_refused_and_the_driver_facts_reach_the_container():
    _, problems = validate({"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "ascend", "gpu.devices": "all"})
    assert [k for k, _ in problems] == ["gpu.devices"] and "npu-smi info" in problems[0][1]
    answers, _ = validate({"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "ascend", "gpu.devices": "0,1"})
    run = render(answers).files["run.sh"].text
    assert "--device /dev/davinci0" in run and "--device /dev/davinci1" in run
    assert "-v /etc/ascend_install.info:/etc/ascend_install.info:ro" in run
    answers, _ = validate({"app.type": "shell", "ssh.enabled": False, "gpu.vendor": "ascend",
                           "gpu.ascend_driver": "copy"})
    assert "COPY ascend/vnpu.cfg /etc/vnpu.cfg" in render(answers).dockerfile


@pytest.mark.parametrize("archive,product,name", [
    ("goland-2024.3.tar.gz", "goland", "goland"), ("GoLand-2024.3.tar.gz", "goland", "goland"),
    ("datagrip-2024.3.1.tar.gz", "datagrip", "datagrip"), ("dataspell-2024.3.tar.gz", "dataspell", "dataspell"),
    ("pycharm-2025.1.tar.gz", "pycharm", "pycharm"), ("idea-2025.3.tar.gz", "idea", "idea"),
    ("ideaIU-2024.2.1.tar.gz", "ideaiu", "idea"), ("JetBrains.Rider-2024.3.tar.gz", "rider", "rider"),
])
def test_jetbrains_archives_named_as_published_are_accepted_and_start_the_native_launcher_when_present(archive,
                                                                                                      product, name):
    answers, problems = validate(_given("novnc", "debian", "12", {"app.name": "jetbrains", "app.archive": archive}))
    assert problems == []
    ctx = render(answers)
    assert f"RUN bin=/opt/{product}/bin/{name} \\" in ctx.dockerfile
    assert f'if [ -x "$bin" ]; then ln -s "$bin" /usr/local/bin/{product}; else ln -s "$bin.sh"' in ctx.dockerfile
    assert f"exec /usr/local/bin/{product}" in ctx.files["startapp.sh"].text


def test_jetbrains_arm64_archive_needs_an_arm64_image_and_no_ide_on_alpine():
    arm = {"app.name": "jetbrains", "app.archive": "pycharm-2025.1-aarch64.tar.gz"}
    _, problems = validate(_given("novnc", "debian", "12", arm))
    assert [k for k, _ in problems] == ["app.archive"] and "-aarch64.tar.gz" in problems[0][1]
    assert validate(_given("novnc", "debian", "12", arm, {"image.arch": "arm64"}))[1] == []
    _, problems = validate(_given("novnc", "alpine", "3.21", {"app.name": "jetbrains",
                                                               "app.archive": "goland-2024.3.tar.gz"}))
    assert [k for k, _ in problems] == ["app.name"] and "glibc" in problems[0][1]


@pytest.mark.parametrize("engine,family,version,auth,key", [
    ("novnc", "ubuntu", "24.04", "key", "ssh.enabled"),  # /init rewrites passwd and shadow at every start
    ("novnc", "alpine", "3.21", "password", "ssh.enabled"),
    ("kasmweb", "ubuntu", "22.04", "key", "ssh.enabled"),  # USER 1000: sshd cannot start
    ("kasm", "debian", "12", "password", "ssh.auth"),  # abc:abc and kasm-user:kasm with passwordless sudo
])
def test_ssh_the_base_breaks_is_refused_naming_the_base_behaviour(engine, family, version, auth, key):
    ssh = {"ssh.enabled": True, "ssh.auth": auth, "ssh.authorized_key": KEY}
    _, problems = validate(_given(engine, family, version, ssh))
    words = {"novnc": "10-init-users.sh", "kasmweb": "USER 1000", "kasm": "abc:abc"}[engine]
    assert [k for k, _ in problems] == [key] and words in problems[0][1], problems


# ------------------------------------------------------------------ issue 27: pinned releases and their facts

FACT_SOURCES = {"links": "links_source", "helpers": "helpers_source", "uid_1000": "users_source",
                "nvidia_capabilities": "nvidia_source", "foreign_sources": "foreign_sources_source",
                "foreign_archs": "foreign_archs_source", "image": "release_source"}


@pytest.mark.parametrize("key", [b.key for b in knowledge.bases() if knowledge.third_party(b)])
def test_every_third_party_row_names_its_release_commit_and_a_source_for_each_fact(key):
    engine, family, version = key
    row = knowledge.table("bases")[engine][family][version]
    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", row["upstream"]), row["upstream"]
    tag = knowledge.base(*key).release
    assert tag and not re.fullmatch(r"(?:[a-z]+-[0-9.]+-)?v[0-9]+|debianbookworm|ubuntujammy|ubuntunoble|alpine321|"
                                    r"latest", tag), tag  # never a moving tag
    for fact, source in FACT_SOURCES.items():
        if row.get(fact):
            assert re.search(r"[0-9a-f]{40}|facts.md|docs/upstream.md", row[source]), (key, source)


def test_the_recorded_facts_are_the_ones_read_upstream():
    base = knowledge.base
    jlesage = dict(base("novnc", "debian", "12").links)
    assert jlesage["/var/log"] == "/config/log" and jlesage["/etc/passwd"] == "/tmp/.passwd"
    for version in ("22.04", "24.04"):
        assert dict(base("novnc", "ubuntu", version).links) == jlesage
        assert base("novnc", "ubuntu", version).helpers == ("add-pkg", "set-cont-env")
        assert base("novnc", "ubuntu", version).uid_1000 == ""  # /etc/passwd is a link to nothing at build time
    alpine = dict(base("novnc", "alpine", "3.21").links)
    assert "/etc/gshadow" not in alpine and {k: v for k, v in jlesage.items() if k != "/etc/gshadow"} == alpine
    assert "/etc/apt/sources.list.d/nodesource.list" in base("kasm", "debian", "12").foreign_sources
    assert base("kasm", "ubuntu", "24.04").foreign_sources == ("/etc/apt/sources.list.d/docker.list",)
    assert all(base("kasm", f, v).uid_1000 == "kasm-user" and base("kasm", f, v).nvidia_capabilities == "all"
               for f, v in (("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04"), ("alpine", "3.21")))
    jammy = base("kasmweb", "ubuntu", "22.04")
    assert jammy.foreign_sources == ("/etc/apt/sources.list.d/kisak-ubuntu-turtle-jammy.list",)
    assert jammy.foreign_archs == ("i386",) and jammy.user == "1000" and jammy.uid_1000 == "kasm-user"
    assert {base("kasmweb", f, v).nvidia_capabilities for f, v in (("ubuntu", "22.04"), ("ubuntu", "24.04"),
                                                                   ("debian", "12"))} == {"graphics,compat32,utility"}
    assert base("plain", "ubuntu", "24.04").uid_1000 == base("builtin", "ubuntu", "24.04").uid_1000 == "ubuntu"
    assert base("plain", "ubuntu", "22.04").uid_1000 == base("plain", "debian", "12").uid_1000 == ""


def test_kasmweb_on_debian_is_offered_with_its_facts():
    answers, problems = validate(_given("kasmweb", "debian", "12"))
    assert problems == [] and answers["os.family"] == "debian"
    ctx = render(answers)
    base = knowledge.base("kasmweb", "debian", "12")
    assert base.image == "kasmweb/core-debian-bookworm:1.18.0" and base.sources.endswith("debian.sources")
    assert f"FROM {base.image}" in ctx.dockerfile and _final_user(ctx.dockerfile) == "1000"
    assert base.entrypoint == knowledge.base("kasmweb", "ubuntu", "22.04").entrypoint and base.cmd == ("--wait",)
    _, problems = validate(_given("kasmweb", "debian", "12", {"desktop.auth": False}))
    assert [k for k, _ in problems] == ["desktop.auth"]  # the same engine rules as on Ubuntu
    _, problems = validate(_given("kasmweb", "debian", "12", SSH[1]))
    assert [k for k, _ in problems] == ["ssh.enabled"]


@pytest.mark.parametrize("engine,family,version,ref,ok", [
    ("novnc", "ubuntu", "24.04", "ubuntu:24.04", False),  # the case: set-cont-env: not found at build
    ("novnc", "debian", "12", "debian:bookworm-slim", False),
    ("novnc", "debian", "12", "jlesage/baseimage-gui:debian-12-v4", True),
    ("novnc", "debian", "12", "docker.m.daocloud.io/jlesage/baseimage-gui:debian-12-v4.13.1", True),  # a mirror
    ("novnc", "debian", "12", "jlesage/baseimage:debian-12-v3", False),  # not the GUI image
    ("kasm", "debian", "12", "ghcr.io/linuxserver/baseimage-kasmvnc:debianbookworm", True),
    ("kasm", "ubuntu", "22.04", "jlesage/baseimage-gui:ubuntu-22.04-v4", False),
    ("kasmweb", "debian", "12", "kasmweb/core-debian-bookworm:1.17.0", True),
    ("kasmweb", "debian", "12", "kasmweb/core-ubuntu-jammy:1.18.0", False),  # another OS's core image
    ("kasmweb", "ubuntu", "24.04", "kasmweb/core-ubuntu-noble:1.19.0", True),
    ("builtin", "ubuntu", "24.04", "registry.example.com/team/ubuntu:24.04", True),  # plain rules there
    ("plain", "debian", "12", "registry.example.com/team/base:1", True),
])
def test_a_base_image_over_a_desktop_engine_is_that_engine_s_image(engine, family, version, ref, ok):
    _, problems = validate(_given(engine, family, version, {"os.base_image": ref, "ssh.enabled": False}))
    assert (problems == []) is ok, problems
    if not ok:
        assert [k for k, _ in problems] == ["os.base_image"]
        assert "desktop's repository" in problems[0][1] and "accepted: an image of" in problems[0][1]
