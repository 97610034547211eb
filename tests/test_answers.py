"""The answers model and the answers file: defaults, per-value validation, cross-field rules, round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard import answers_file, checks
from wizard.answers import BY_KEY, FIELDS, defaults, resolve
from wizard.load import load
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import CA, KEY


def test_defaults_are_a_debian_shell_with_ssh_key_auth_on_31000_free_ports():
    a = defaults()
    assert (a["app.type"], a["os.family"], a["os.version"]) == ("shell", "debian", "12")
    assert a["ssh.enabled"] is True and a["ssh.auth"] == "key"
    assert a["user.root"] is True and a["user.workdir"] == "/root"
    assert "desktop.engine" not in a and "app.port" not in a  # fields that do not apply are left out


def test_every_field_has_english_and_chinese_texts():
    for f in FIELDS:
        assert f.label.en and f.label.zh and f.help.en and f.help.zh, f.key


def test_defaults_follow_earlier_answers():
    a, _ = resolve({"app.type": "desktop"})
    assert a["desktop.engine"] == "novnc" and a["os.family"] == "ubuntu" and a["os.version"] == "22.04"
    assert a["user.workdir"] == "/config" and a["app.port"] == 31000
    a, _ = resolve({"app.type": "web", "app.name": "jupyter"})
    assert a["os.family"] == "ubuntu" and a["app.python"] == "3.11" and a["app.auth"] is True
    a, _ = resolve({"app.type": "binary"})
    assert a["os.family"] == "scratch" and "mirror.apt" not in a and "ssh.enabled" not in a
    a, _ = resolve({"locale.chinese": True})
    assert a["locale.timezone"] == "Asia/Shanghai"
    a, _ = resolve({"mirror.apt": "aliyun"})
    assert a["mirror.pip"] == "aliyun"


@pytest.mark.parametrize("key,value,words", [
    ("app.port", 0, "outside 1-65535"),
    ("app.port", 70000, "outside 1-65535"),
    ("app.port", "http", "not a whole number"),
    ("ssh.port", True, "not a whole number"),
    ("image.name", "My App", "lower-case"),
    ("image.tag", "-bad", "1-128 characters"),
    ("app.type", "gui", "accepted: desktop, web, shell, binary"),
    ("os.family", "centos", "accepted: ubuntu, debian, alpine"),
    ("packages.apt", ["htop", "rm -rf /"], "a package name"),
    ("packages.pip", ["ray==2.9.0", "ray; rm"], "a pip requirement"),
    ("packages.java", 8, "accepted: 0, 17"),
    ("user.workdir", "relative/dir", "an absolute path"),
    ("user.workdir", "/a/../../etc", "an absolute path"),
    ("mirror.apt", "ftp://mirror", "an http(s) URL"),
    ("gpu.pytorch", "1.0.0", "a torch release"),
    ("locale.chinese", "yes", "accepted: true or false"),
    ("locale.timezone", "Shanghai time", "IANA time zone"),
])
def test_a_bad_value_is_refused_with_a_line_naming_the_key_and_what_is_accepted(key, value, words):
    given = {"ssh.enabled": False}
    if key == "app.port":
        given.update({"app.type": "web", "app.name": "jupyter"})
    if key.startswith("ssh."):
        given = {"ssh.enabled": True, "ssh.authorized_key": KEY}
    _, problems = validate({**given, key: value})
    assert [k for k, _ in problems] == [key], problems
    assert words in problems[0][1]


@pytest.mark.parametrize("given,key,words", [
    ({"gpu.vendor": "nvidia", "os.family": "alpine", "os.version": "3.21"}, "gpu.vendor", "need glibc"),
    ({"gpu.pytorch": "2.4.0", "os.family": "alpine", "os.version": "3.21"}, "gpu.pytorch", "no musl"),
    ({"app.type": "web", "app.name": "code-server", "os.family": "alpine", "os.version": "3.21"}, "app.name", "glibc"),
    ({"app.type": "desktop", "desktop.engine": "kasm", "os.family": "scratch"}, "os.family", "accepted: ubuntu, debian, alpine"),
    ({"gpu.vendor": "nvidia", "gpu.pytorch": "2.1.2", "gpu.cuda": "cu124"}, "gpu.cuda", "accepted: '' (Best for the driver), cpu, cu118, cu121"),
    ({"gpu.vendor": "nvidia", "gpu.host_driver": "470.57.02", "gpu.pytorch": "2.4.0", "gpu.cuda": "cu124"}, "gpu.cuda", "needs driver >= 525.60.13"),
    ({"gpu.vendor": "nvidia", "gpu.host_driver": "570.86.10", "gpu.pytorch": "2.10.0", "gpu.cuda": "cu130"}, "gpu.cuda", "needs driver >= 580.65.06"),
    ({"gpu.vendor": "nvidia", "gpu.driver": "550.135", "gpu.host_driver": "535.171.04"}, "gpu.driver", "must EQUAL the host's"),
    ({"ssh.enabled": True, "ssh.authorized_key": KEY, "forward.enabled": True, "forward.listen": 22}, "forward.listen", "already used by ssh.port"),
    ({"app.type": "web", "app.name": "jupyter", "ssh.enabled": True, "ssh.authorized_key": KEY, "ssh.port": 31000}, "ssh.port", "already used by app.port"),
    ({"forward.enabled": True, "forward.listen": 8006, "forward.target": 8006}, "forward.target", "same as forward.listen"),
    ({"ssh.enabled": True, "ssh.auth": "key", "ssh.authorized_key": ""}, "ssh.authorized_key", "OpenSSH public key"),
    ({"ssh.enabled": True, "ssh.authorized_key": "not a key"}, "ssh.authorized_key", "OpenSSH public key"),
    ({"network.extra_ca": "/nonexistent.pem"}, "network.extra_ca", "PEM"),
    ({"app.type": "binary", "app.command": "run me"}, "app.command", "a path inside the build folder"),
    ({"app.type": "desktop", "app.name": "jetbrains", "app.archive": "eclipse.tar.gz"}, "app.archive", "JetBrains"),
])
def test_impossible_combinations_name_the_key(given, key, words):
    given.setdefault("ssh.enabled", False)
    _, problems = validate(given)
    assert key in [k for k, _ in problems], problems
    assert any(words in m for k, m in problems if k == key), problems


def test_an_explicit_cuda_build_within_minor_version_compatibility_is_accepted():
    # cu124 wants 550.54.14 for every feature, but 12.x runs on >= 525 (minor-version compatibility)
    _, problems = validate({"ssh.enabled": False, "gpu.vendor": "nvidia", "gpu.host_driver": "535.171.04",
                            "gpu.pytorch": "2.4.0", "gpu.cuda": "cu124"})
    assert problems == []


def test_authorized_key_and_ca_can_be_files_relative_to_the_answers_file(tmp_path: Path):
    (tmp_path / "me.pub").write_text(KEY + "\n")
    (tmp_path / "ca.pem").write_text(CA.read_text())
    _, problems = validate({"ssh.authorized_key": "me.pub", "network.extra_ca": "ca.pem"}, tmp_path)
    assert problems == []


def test_answers_file_round_trips_and_reports_unknown_keys():
    a, _ = resolve({"app.type": "web", "app.name": "jupyter", "packages.java": "17", "packages.pip": ["ray==2.9.0"],
                    "ssh.enabled": False})
    text = answers_file.dump(a)
    assert "version = 1" in text and "java = 17" in text
    given, problems = answers_file.parse(text)
    assert problems == []
    again, _ = resolve(given)
    assert again == a
    _, problems = answers_file.parse("version = 2\n[app]\ntypo = 1\n[nope]\nx = 1\n")
    assert [k for k, _ in problems] == ["version", "app.typo", "nope"]
    assert "accepted in [app]: type, name" in problems[1][1]
    _, problems = answers_file.parse("[app\n")
    assert problems[0][0] == "file" and "not valid TOML" in problems[0][1]


def test_every_key_is_documented_in_docs_answers_md():
    doc = (Path(__file__).parent.parent / "docs" / "answers.md").read_text()
    missing = [f.key for f in FIELDS if f"`{f.key}`" not in doc]
    assert missing == []
    assert set(BY_KEY) == {f.key for f in FIELDS}


# ------------------------------------------------------------------ issue 9: hostile and faulty input

@pytest.mark.parametrize("text,words", [
    ("version = true\n", "true is a true/false, not an integer; accepted: version = 1 (an integer)"),
    ("version = 1.0\n", "1.0 is a decimal number, not an integer; accepted: version = 1"),
    ('version = "1"\n', "'1' is a string, not an integer"),
    ("[ssh]\nenabled = false\n", "missing; accepted: version = 1 (an integer) at the top of the file"),
    ("version = 2\n", "2 is not supported"),
])
def test_version_must_be_the_integer_1(text, words):
    _, problems = answers_file.parse(text)
    assert [k for k, _ in problems] == ["version"] and words in problems[0][1], problems


def test_toml_nested_thousands_of_levels_is_a_message():
    _, problems = answers_file.parse("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems == [("file", "not valid TOML: values nested too deeply; accepted: an answers file (docs/answers.md)")]


def test_answers_file_not_utf8_with_a_bom_or_a_device(tmp_path: Path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("version = 1\n[image]\nname = \"caf\xe9\"\n".encode("latin-1"))
    _, problems = load(bad)
    assert problems == [("file", f"{bad} is not UTF-8 text (byte 31, line 3); accepted: a UTF-8 text file")]
    bom = tmp_path / "bom.toml"
    bom.write_bytes("\ufeffversion = 1\n[ssh]\nenabled = false\n".encode())
    assert load(bom)[1] == []
    _, problems = load(Path("/dev/zero"))
    assert problems == [("file", "/dev/zero is a character device; accepted: a regular file")]


def test_an_empty_answers_file_says_what_is_missing_and_how_to_give_a_key_or_turn_ssh_off(tmp_path: Path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    _, problems = load(empty)
    assert [k for k, _ in problems] == ["version", "ssh.authorized_key"]
    message = problems[1][1]
    assert message.startswith("SSH is on by default for a shell image")
    assert 'authorized_key = "ssh-ed25519 AAAA..."' in message and "enabled = false" in message


@pytest.mark.parametrize("key", ["packages.apt", "packages.pip"])
def test_a_list_item_with_a_trailing_newline_is_refused(key):
    _, problems = validate({"ssh.enabled": False, key: ["bash\n", "run", "touch", "x"]})
    assert problems == [(key, "'bash\\n' has a control character U+000A at position 5; accepted: one line of printable text")]


def test_a_long_value_is_shortened_in_the_message():
    _, problems = validate({"ssh.enabled": False, "image.name": "a" * 10240})
    assert problems == [("image.name", f"{'a' * 40!r}… (10240 characters) is too long; accepted: at most 255 characters")]


def test_every_free_text_field_has_a_length_limit():
    free = [f for f in FIELDS if f.kind in ("text", "list") or f.free]
    assert all(0 < f.max_len <= 16 * 1024 for f in free)
    assert BY_KEY["ssh.authorized_key"].max_len == 16 * 1024 and BY_KEY["image.tag"].max_len == 128


@pytest.mark.parametrize("value", ["²", "３１０００", "٣١", "1e3", "0x10", "+22", "2 2"])
def test_ports_take_ascii_digits_only(value):
    _, problems = validate({"ssh.enabled": True, "ssh.authorized_key": KEY, "ssh.port": value})
    assert [k for k, _ in problems] == ["ssh.port"] and "not a whole number" in problems[0][1]


def test_a_port_in_quotes_with_ascii_digits_is_a_number():
    a, problems = validate({"ssh.enabled": True, "ssh.authorized_key": KEY, "ssh.port": " 2222 "})
    assert problems == [] and a["ssh.port"] == 2222


@pytest.mark.parametrize("key_text,words", [
    ("ssh-ed25519 notakey", "the base64 after ssh-ed25519 is not a key of that type"),
    ("ssh-rsa " + KEY.split()[1], "is not a key of that type (it holds 'ssh-ed25519')"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "not a key of that type"),  # the type and no key
    # 30 bytes where an Ed25519 key has 32 (sshd refuses it), and a valid key with its base64 cut short
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk1x2XfakeKeyForTestsOnly0000000000000000", "not a key of that type"),
    (KEY.split()[0] + " " + KEY.split()[1][:-2], "not a key of that type"),
])
def test_a_key_line_must_hold_a_key_of_the_type_it_names(key_text, words):
    _, problems = validate({"ssh.enabled": True, "ssh.authorized_key": key_text})
    assert [k for k, _ in problems] == ["ssh.authorized_key"] and words in problems[0][1], problems


@pytest.mark.parametrize("value,words", [
    ("~nosuchuser/id.pub", "there is no user 'nosuchuser' on this machine"),
    ("~r", "there is no user 'r' on this machine"),
    ("/proc/self/mem", "cannot read /proc/self/mem"),
    ("/dev/zero", "/dev/zero is a character device"),
])
def test_odd_key_paths_are_one_line_messages(value, words):
    answers, problems = validate({"ssh.enabled": True, "ssh.authorized_key": value})
    assert [k for k, _ in problems] == ["ssh.authorized_key"] and words in problems[0][1], problems
    assert "authorized_keys" not in render(answers).files  # the wizard's preview of a half-typed key: no crash
    _, problems = validate({"ssh.enabled": False, "network.extra_ca": value})
    assert [k for k, _ in problems] == ["network.extra_ca"] and words in problems[0][1], problems


def test_a_2gb_sparse_key_or_ca_file_is_refused_without_reading_it(tmp_path: Path):
    sparse = tmp_path / "big.pem"
    with sparse.open("wb") as fh:
        fh.truncate(2 * 1024 ** 3)
    _, problems = validate({"ssh.enabled": True, "ssh.authorized_key": str(sparse), "network.extra_ca": str(sparse)})
    assert [k for k, _ in problems] == ["ssh.authorized_key", "network.extra_ca"]
    assert all("is 2147483648 bytes; accepted: at most" in m for _, m in problems), problems


def _ca_file(tmp_path: Path, name: str, data: bytes) -> dict:
    (tmp_path / name).write_bytes(data)
    return {"ssh.enabled": False, "network.extra_ca": name}


SECRET = b"MC4CAQAwBQYDK2VwBCIEIJ+secretsecretsecretsecretsecretsecretsecret"


@pytest.mark.parametrize("kind", ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
                                  "OPENSSH PRIVATE KEY"])
@pytest.mark.parametrize("end", [True, False])
def test_a_ca_file_with_a_private_key_is_refused_without_echoing_it(tmp_path: Path, kind, end):
    key = b"-----BEGIN " + kind.encode() + b"-----\n" + SECRET + b"\n"
    if end:
        key += b"-----END " + kind.encode() + b"-----\n"
    _, problems = validate(_ca_file(tmp_path, "bundle.pem", CA.read_bytes() + key), tmp_path)
    assert [k for k, _ in problems] == ["network.extra_ca"]
    assert "holds a private key" in problems[0][1] and "secret" not in problems[0][1] and "MC4C" not in problems[0][1]


@pytest.mark.parametrize("data,words", [
    (b"just some text\n", "holds no PEM certificate"),
    (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "has a certificate at line 1 that is not valid X.509"),
    (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "holds no PEM certificate"),
])
def test_a_ca_file_without_a_valid_certificate_is_refused(tmp_path: Path, data, words):
    _, problems = validate(_ca_file(tmp_path, "ca.pem", data), tmp_path)
    assert [k for k, _ in problems] == ["network.extra_ca"] and words in problems[0][1], problems


def test_only_the_certificates_of_a_ca_file_go_into_the_context(tmp_path: Path):
    pem = CA.read_bytes()
    data = b"\xff\xfe Latin-1 comment: caf\xe9\n" + pem + b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n" + pem
    answers, problems = validate(_ca_file(tmp_path, "ca.pem", data), tmp_path)
    assert problems == []
    written = render(answers, tmp_path).files["extra-ca.crt"].text
    cert = pem.decode().strip() + "\n"
    assert written == cert + cert


def test_a_time_zone_must_be_in_the_iana_database():
    _, problems = validate({"ssh.enabled": False, "locale.timezone": "Asia/Shangai"})
    assert [k for k, _ in problems] == ["locale.timezone"] and "IANA time zone" in problems[0][1]
    assert validate({"ssh.enabled": False, "locale.timezone": "America/Argentina/Buenos_Aires"})[1] == []


@pytest.mark.parametrize("family,version,image,ok", [
    ("ubuntu", "22.04", "alpine:3.20", False),
    ("debian", "12", "ubuntu:24.04", False),
    ("ubuntu", "24.04", "docker.io/library/debian:bookworm", False),
    ("alpine", "3.21", "registry.example.com/debian:12", False),
    ("debian", "12", "registry.example.com/debian:12-slim", True),
    ("ubuntu", "22.04", "registry.example.com/team/base:1", True),
])
def test_a_base_image_of_another_os_family_is_refused(family, version, image, ok):
    _, problems = validate({"ssh.enabled": False, "os.family": family, "os.version": version, "os.base_image": image})
    assert (problems == []) is ok, problems
    if not ok:
        assert problems[0][0] == "os.base_image" and f"but os.family is {family}" in problems[0][1]


def test_a_desktop_command_must_be_installed():
    """The package comes from commands.toml (or packages.apt when the user names one): tests/test_commands.py."""
    desktop = {"ssh.enabled": False, "app.type": "desktop", "app.name": "command"}
    a, problems = validate({**desktop, "app.command": "xterm"})
    assert problems == [] and a["packages.apt"] == ["xterm"]  # commands.toml: xterm is in package xterm
    _, problems = validate({**desktop, "app.command": "xterm", "packages.apt": ["htop"]})
    assert [k for k, _ in problems] == ["app.command"] and "packages.apt with xterm" in problems[0][1]
    assert validate({**desktop, "app.command": "/usr/bin/firefox-esr --kiosk", "os.family": "debian",
                     "os.version": "12"})[1] == []
    assert validate({**desktop, "app.command": "vim", "packages.apt": []})[1] == []  # packages.common installs it
    _, problems = validate({**desktop, "app.command": "xterm; touch x"})
    assert [k for k, _ in problems] == ["app.command"] and "separated by single spaces" in problems[0][1]


def test_an_http_pip_mirror_is_trusted_and_warned_about():
    a, problems = validate({"ssh.enabled": False, "mirror.pip": "http://pypi.example.com:8080/simple",
                            "packages.pip": ["ray==2.9.0"]})
    assert problems == []
    ctx = render(a)
    assert "ENV PIP_INDEX_URL=http://pypi.example.com:8080/simple\n" in ctx.dockerfile
    assert 'ENV PIP_TRUSTED_HOST="pypi.example.com:8080"\n' in ctx.dockerfile
    assert any("plain http" in w and "pypi.example.com:8080" in w for w in ctx.warnings)
    https, _ = validate({"ssh.enabled": False, "mirror.pip": "https://pypi.example.com/simple"})
    assert "PIP_TRUSTED_HOST" not in render(https).dockerfile and render(https).warnings == []


def test_the_length_limits_in_docs_answers_md_are_the_code_s():
    doc = (Path(__file__).parent.parent / "docs" / "answers.md").read_text()
    rows = re.findall(r"^  \| (`[^|]+) \| ([0-9]+)", doc, re.MULTILINE)
    documented = {key: int(limit) for keys, limit in rows for key in re.findall(r"`([a-z_.]+)`", keys)}
    free = {f.key: f.max_len for f in FIELDS if f.kind in ("text", "list") or f.free}
    assert documented == free


@pytest.mark.parametrize("content,words", [
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "line 1 is not one"),
    (KEY + "\nssh-ed25519 notakey\n", "line 2 is not one"),
    ("\n\n", "it is empty"),
])
def test_a_key_file_must_hold_only_public_keys_and_is_not_echoed(tmp_path: Path, content, words):
    (tmp_path / "id.pub").write_text(content)
    _, problems = validate({"ssh.enabled": True, "ssh.authorized_key": "id.pub"}, tmp_path)
    assert [k for k, _ in problems] == ["ssh.authorized_key"] and words in problems[0][1], problems
    assert "b3Blbn" not in problems[0][1] and "notakey" not in problems[0][1]


@pytest.mark.parametrize("check,good", [
    (checks.image_name, "team/app"), (checks.image_tag, "1.0"), (checks.apt_package, "htop"),
    (checks.pip_package, "ray==2.9.0"), (checks.timezone, "Asia/Shanghai"), (checks.driver_version, "550.135"),
    (checks.devices, "0,1"), (checks.python_version, "3.11"), (checks.torch_version, "2.4.0"),
    (checks.absolute_path, "/root"), (checks.file_name, "app"), (checks.command_line, "firefox-esr --kiosk"),
    (lambda v: checks.mirror(v, ("none",)), "http://mirrors.example.com"), (checks.image_ref, "debian:12"),
    (checks.public_key_text, KEY),
])
@pytest.mark.parametrize("tail", ["\n", "\r", "\u2028", "\x00"])
def test_every_check_matches_the_whole_string_by_itself(check, good, tail):
    """The checks hold even without answers.coerce's control-character refusal in front of them."""
    assert check(good) is None
    assert check(good + tail + "touch x") is not None
    assert check(good + tail) is not None or check is checks.public_key_text  # a key line's outer space is stripped


@pytest.mark.parametrize("check,digits", [(checks.driver_version, "５５0.135"), (checks.devices, "²"),
                                          (checks.devices, "0,١"), (checks.torch_version, "２.4.0")])
def test_checks_take_ascii_digits_only(check, digits):
    assert check(digits) is not None


def test_app_files_from_the_wizard_s_text_box_are_split_on_spaces_and_asked_before_the_command():
    """app.files is a list the wizard shows as one text box (as packages.apt): `tool build/libs/app.jar` is two
    entries; it is asked on the app's step before app.command, which may start a program from there."""
    from wizard.tree import BY_ID
    given = {"app.type": "desktop", "app.name": "command", "app.files": "tool  build/libs/app.jar"}
    answers, problems = resolve(given)
    assert problems == [] and answers["app.files"] == ["tool", "build/libs/app.jar"]
    keys = BY_ID["app_details"].keys
    assert keys.index("app.files") < keys.index("app.command")
    assert [f.key for f in BY_ID["app_details"].fields(answers)][:2] == ["app.files", "app.command"]


@pytest.mark.parametrize("given, name", [
    ({"app.type": "web", "app.name": "jupyter"}, "jupyter"),
    ({"app.type": "web", "app.name": "code-server"}, "code-server"),
    ({"app.type": "desktop", "app.name": "jetbrains", "app.archive": "pycharm-community-2024.3.tar.gz"}, "pycharm"),
    ({"app.type": "desktop", "app.name": "jetbrains", "app.archive": "ideaIC-2024.3.tar.gz"}, "ideaic"),  # as scan.py names it
    ({"app.type": "desktop", "app.name": "command", "app.command": "xterm"}, "myapp"),
    ({"app.type": "shell"}, "myapp"),
    ({"app.type": "web", "app.name": "jupyter", "image.name": "team/lab"}, "team/lab"),  # given: kept
    ({"app.type": "web", "app.name": "jupyter", "image.name": "myapp"}, "myapp"),  # given, even the default
])
def test_an_image_name_not_given_is_the_app_s_own_name(given, name):
    answers, problems = resolve(given)
    assert problems == [] and answers["image.name"] == name
