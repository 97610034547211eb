"""Issue 26, medium: answers that validated but could not work are refused, each with one line naming the key.

image.name as a container name, a binary or app file named like a file imgwizard writes or starting with -,
ports a desktop engine's own services hold, mirror URL hosts and ports, scratch as os.base_image, and device
numbers with leading zeros."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard import checks, knowledge, render
from wizard.plan import ASCEND_FILES
from wizard.render import render as render_context
from wizard.text import EN, ZH
from wizard.validate import validate

NO_SSH = {"ssh.enabled": False}
# moby daemon/names/names.go: RestrictedNameChars = `[a-zA-Z0-9][a-zA-Z0-9_.-]`, RestrictedNamePattern =
# `^` + RestrictedNameChars + `+$` (ValidateContainerName): the rule `docker run --name` applies
DOCKER_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")


def problems(given: dict, base: Path = Path(".")) -> dict[str, str]:
    _, found = validate({**NO_SSH, **given}, base)
    return dict(found)


def refused(given: dict, key: str, *words: str, base: Path = Path(".")) -> str:
    found = problems(given, base)
    assert key in found, found
    assert "\n" not in found[key] and "accepted:" in found[key]
    for word in words:
        assert word in found[key], found[key]
    return found[key]


# ------------------------------------------------------------------ 1. image.name is the container's name

@pytest.mark.parametrize("name", ["a", "7"])
def test_a_one_character_image_name_is_refused_docker_run_name_needs_two(name):
    assert not DOCKER_CONTAINER_NAME.fullmatch(name)
    refused({"image.name": name}, "image.name", repr(name), "2-255")


@pytest.mark.parametrize("name", ["ab", "x9", "team/pycharm", "a.b-c_d", "a/b", "my--app", "a" * 255])
def test_every_accepted_image_name_gives_a_container_name_docker_accepts(name):
    assert problems({"image.name": name}) == {}
    ctx = render_context(validate({**NO_SSH, "image.name": name})[0])
    container = re.search(r"--name (\S+)", ctx.files["run.sh"].text).group(1)
    assert DOCKER_CONTAINER_NAME.fullmatch(container), container


# ------------------------------------------------------------------ 2. a binary's path, files imgwizard writes

BINARY = {"app.type": "binary"}


@pytest.mark.parametrize("path", ["--help", "-x", "-", "-bin/app"])
def test_a_binary_command_starting_with_a_dash_is_refused(path):
    refused({**BINARY, "app.command": path}, "app.command", "not starting with -")


@pytest.mark.parametrize("path", ["bin/-x", "a-b", "app-"])
def test_a_dash_inside_a_binary_path_is_fine(path, tmp_path):
    assert problems({**BINARY, "app.command": path}, tmp_path) == {}


def test_the_generated_names_are_every_file_render_writes_plus_build_log():
    names = {name for name, *_ in render.SUPPORT}
    names |= {"Dockerfile", ".dockerignore", "run.sh", "compose.yaml", "README.md", "imgwizard.toml",
              "authorized_keys", "extra-ca.crt", "build.log"}
    assert set(checks.GENERATED_FILES) == names
    src = Path(render.__file__).read_text()
    written = set(re.findall(r'ctx\.files\["([^"]+)"\]', src))
    assert written <= names, written - names


@pytest.mark.parametrize("name", checks.GENERATED_FILES)
def test_a_binary_named_like_a_file_imgwizard_writes_is_refused(name, tmp_path):
    assert checks.relative_path(name) is None  # every one passes the path rule: this rule is what refuses it
    message = refused({**BINARY, "app.command": name}, "app.command", name, ".bak", base=tmp_path)
    assert "accepted:" in message


@pytest.mark.parametrize("path,name", [("dockerfile", "Dockerfile"), ("RUN.SH", "run.sh"),
                                       ("run.sh/app", "run.sh"), ("Readme.md", "README.md")])
def test_the_name_clash_ignores_case_and_covers_a_folder_named_like_a_generated_file(path, name, tmp_path):
    refused({**BINARY, "app.command": path}, "app.command", repr(path), name)


@pytest.mark.parametrize("path", ["bin/run.sh", "app/Dockerfile", "run", "Dockerfile2", "build.log.d/x"])
def test_a_generated_name_deeper_in_a_folder_is_fine(path, tmp_path):
    assert problems({**BINARY, "app.command": path}, tmp_path) == {}


@pytest.mark.parametrize("name", ["Dockerfile", "run.sh", "README.md", "imgwizard-desktop.sh"])
def test_an_app_file_named_like_a_file_imgwizard_writes_is_refused(name, tmp_path):
    given = {"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command", "app.files": ["tool", name]}
    assert "accepted:" in refused(given, "app.files", repr(name), ".bak", base=tmp_path)


def test_app_files_hold_at_most_16_entries_of_at_most_255_characters(tmp_path):
    given = {"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command"}
    assert problems({**given, "app.files": [f"f{i}" for i in range(16)]}, tmp_path) == {}
    assert "at most 16 items" in refused({**given, "app.files": [f"f{i}" for i in range(17)]}, "app.files", "17",
                                         base=tmp_path)
    assert "at most 255 characters" in refused({**given, "app.files": ["a" * 256]}, "app.files", "256", base=tmp_path)


def test_the_other_user_files_have_names_that_never_clash():
    for path, _ in ASCEND_FILES:
        assert checks.generated_name(path) is None
    assert checks.generated_name(knowledge.nvidia_run_name("amd64", "550.135")) is None
    # a JetBrains archive must be named as downloaded (*.tar.gz): never like a generated file
    for name in checks.GENERATED_FILES:
        assert knowledge.jetbrains_archive(name) is None


# ------------------------------------------------------------------ 3. ports the desktop's own services hold

BUILTIN = {"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command"}


def test_the_built_in_desktop_refuses_its_own_vnc_port_for_the_app_naming_xvnc():
    vnc = knowledge.desktop("builtin")["vnc_port"]
    assert vnc in knowledge.engine_ports("builtin")
    message = refused({**BUILTIN, "app.port": vnc}, "app.port", str(vnc), "Xvnc", "builtin")
    assert message.startswith(f"port {vnc} is taken")


@pytest.mark.parametrize("key,extra", [
    ("ssh.port", {"ssh.enabled": True, "ssh.auth": "password"}),
    ("forward.listen", {"forward.enabled": True}),
])
def test_the_built_in_desktop_refuses_its_vnc_port_for_ssh_and_the_forwarder_too(key, extra):
    refused({**BUILTIN, **extra, key: 5901}, key, "5901", "Xvnc")


def test_the_built_in_desktop_s_template_listens_on_no_other_port():
    """imgwizard-desktop.sh: Xvnc on vnc_port (127.0.0.1), websockify on app.port; nothing else listens."""
    ctx = render_context(validate({**NO_SSH, **BUILTIN})[0])
    script = ctx.files["imgwizard-desktop.sh"].text
    assert "-rfbport 5901" in script and "0.0.0.0:31000 127.0.0.1:5901" in script
    assert "-listen tcp" not in script  # X11 over TCP stays off (X.Org's default)
    assert problems({**BUILTIN, "app.port": 5900}) == {} and problems({**BUILTIN, "app.port": 6001}) == {}


@pytest.mark.parametrize("engine,port,owner", [
    ("novnc", 5900, "VNC_LISTENING_PORT"), ("kasm", 3001, "nginx"), ("kasm", 6901, "KasmVNC"), ("kasm", 6900, "kclient"),
    ("kasmweb", 4901, "kasm_audio_out"), ("kasmweb", 4902, "kasm_upload_server"), ("kasmweb", 5901, "KasmVNC"),
])
def test_each_desktop_engine_refuses_its_own_ports_naming_the_owner(engine, port, owner):
    given = {"app.type": "desktop", "desktop.engine": engine, "app.port": port}
    if engine == "kasmweb":
        given["os.family"] = "ubuntu"
    refused(given, "app.port", str(port), owner, engine)


def test_every_engine_s_own_ports_have_a_source_and_plain_images_have_none():
    facts = knowledge.table("bases")["engines"]
    for engine, spec in facts.items():
        if spec.get("own_ports"):
            assert spec.get("own_ports_source"), engine
            assert spec["web_port"] not in knowledge.engine_ports(engine), engine  # the web port is app.port's default
    assert knowledge.engine_ports("plain") == {}
    assert problems({"app.type": "web", "app.port": 5901}) == {}


# ------------------------------------------------------------------ 4. mirror URLs: host labels and port

@pytest.mark.parametrize("key", ["mirror.apt", "mirror.pip"])
@pytest.mark.parametrize("url", ["http://m.example:0", "http://m.example:99999", "http://m.example:65536",
                                 "http://-x.example", "http://x-.example/debian", "http://a..b", "http://.a",
                                 "http://a.", "https://m.example:080", "http://" + "a" * 64 + ".example",
                                 "http://" + ".".join(["a" * 60] * 5)])
def test_a_mirror_url_with_a_bad_port_or_host_label_is_refused(key, url):
    refused({key: url}, key, "1-65535", "neither start nor end with -")


@pytest.mark.parametrize("url", ["http://m.example:1", "http://m.example:65535/debian", "https://mirrors.tuna.tsinghua.edu.cn",
                                 "http://10.0.0.5:8080/whl", "http://localhost:3142", "http://a-b.c-d.example:443/x/",
                                 "http://" + "a" * 63 + ".example"])
def test_a_mirror_url_with_dns_labels_and_a_port_1_65535_is_accepted(url):
    assert problems({"mirror.apt": url}) == {}


def test_the_pytorch_index_takes_the_same_url_rule():
    given = {"gpu.pytorch": "2.4.0", "gpu.cuda": "cpu"}
    assert problems({**given, "mirror.pytorch": "http://10.0.0.5:8080/whl"}) == {}
    for url in ("http://m.example:0/whl", "http://-x.example/whl"):
        refused({**given, "mirror.pytorch": url}, "mirror.pytorch")


# ------------------------------------------------------------------ 5. scratch as os.base_image

@pytest.mark.parametrize("given", [
    {},  # the default Debian shell image
    {"app.type": "web", "app.name": "code-server"},
    {"app.type": "binary", "os.family": "debian"},
    {"app.type": "desktop", "desktop.engine": "builtin", "app.name": "command", "os.family": "debian"},
])
def test_scratch_is_refused_as_the_base_of_an_image_that_needs_a_shell(given):
    refused({**given, "os.base_image": "scratch"}, "os.base_image", "'scratch'", "no shell", "empty")


def test_scratch_stays_accepted_for_a_binary_on_scratch_but_only_by_its_bare_name():
    assert problems({**BINARY, "os.base_image": "scratch"}) == {}
    assert problems({**BINARY, "os.base_image": "registry.example.com/base:1"}) == {}
    for ref in ("library/scratch", "docker.io/library/scratch", "scratch:latest"):
        refused({**BINARY, "os.base_image": ref}, "os.base_image", "reserved", "accepted: scratch, or empty")


# ------------------------------------------------------------------ 6. device numbers without leading zeros

ASCEND = {"gpu.vendor": "ascend", "gpu.ascend_driver": "mount"}


@pytest.mark.parametrize("devices", ["007", "00", "0,01", "01,1"])
def test_a_device_number_with_a_leading_zero_is_refused(devices):
    refused({**ASCEND, "gpu.devices": devices}, "gpu.devices", "without leading zeros", repr(devices))
    refused({"gpu.vendor": "nvidia", "gpu.devices": devices}, "gpu.devices", "without leading zeros")


@pytest.mark.parametrize("devices,flags", [("0", ["/dev/davinci0"]), ("0,1", ["/dev/davinci0", "/dev/davinci1"]),
                                           ("10,7", ["/dev/davinci10", "/dev/davinci7"])])
def test_device_numbers_reach_run_sh_as_written(devices, flags):
    a, found = validate({**NO_SSH, **ASCEND, "gpu.devices": devices})
    assert found == []
    run = render_context(a).files["run.sh"].text
    assert re.findall(r"/dev/davinci[0-9]+", run) == flags


# ------------------------------------------------------------------ every new message in both languages

@pytest.mark.parametrize("msg_id", ["cross.port_engine", "cross.base_scratch", "cross.base_scratch_name",
                                    "cross.generated_name", "accepted.devices_zero", "accepted.mirror_url",
                                    "accepted.app_file", "files.taken", "files.same_name", "files.link", "files.kind",
                                    "files.inner_link", "files.inner_kind", "files.not_brought", "files.missing",
                                    "files.not_executable", "files.other_opt", "plan.file.app_files"])
def test_each_new_message_has_english_and_chinese_with_the_same_parameters(msg_id):
    fields = re.compile(r"\{(\w+)\}")
    assert set(fields.findall(EN[msg_id])) == set(fields.findall(ZH[msg_id]))
