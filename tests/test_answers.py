"""The answers model and the answers file: defaults, per-value validation, cross-field rules, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard import answers_file
from wizard.answers import BY_KEY, FIELDS, defaults, resolve
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
    ({"app.type": "binary", "app.command": "run me"}, "app.command", "file name"),
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
