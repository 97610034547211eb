"""Hostile input: for every free-text answer, any string is either refused or inert.

The keys come from wizard.answers.FIELDS (text fields, free choice fields, list items), so a new free-text
key is covered as soon as it exists (and `test_every_free_text_key_has_a_plain_value` asks for its plain
value). For each key, hypothesis draws strings built to break things (control characters, line separators,
quotes, `$(`, backticks, a `\\` at the end, a trailing newline followed by a command, very long values,
non-ASCII digits, spaces) around a plain value, and checks one of:

- refused: validate() reports a problem naming that key, on one line, with a long value shortened;
- inert: the context renders, the Dockerfile parses (official parser) into the same instructions with the
  same number of arguments as with the plain value, every shell script passes `sh -n` and has the same
  operators, expansions and (but for app.command, whose words are arguments) words, compose.yaml and
  condarc load as YAML with the same shape, and no generated file gains or loses a line.

Examples per key: the hypothesis profile (tests/conftest.py): a few dozen locally, hundreds in CI.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import dockerfile
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from screens.cli import main
from wizard import answers_file
from wizard.answers import BY_KEY, FIELDS, resolve
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import CA, KEY

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"

FREE_TEXT = [f.key for f in FIELDS if f.kind in ("text", "list") or (f.kind == "choice" and f.free)]

# A plain value per free-text key (an item, for lists): the baseline each hostile value is compared with.
# Non-empty on purpose, so the baseline renders the same sections as an accepted hostile value would.
PLAIN = {
    "image.name": "myapp", "image.tag": "1.0", "app.archive": "pycharm-community-2024.2.1.tar.gz",
    "app.command": "firefox-esr", "app.files": "tool", "app.python": "3.11", "app.requirements": "requirements.txt", "app.jupyter_extras": "notebook", "os.base_image": "registry.example.com/base:1",
    "os.base_release": "v9.9.9",
    "mirror.apt": "https://mirrors.example.com", "mirror.pip": "https://mirrors.example.com/pypi/simple",
    "mirror.conda": "https://mirrors.example.com", "mirror.pytorch": "https://mirrors.example.com/pytorch/whl",
    "mirror.registry": "mirror.example.com:5000",
    "locale.timezone": "Europe/Berlin",
    "packages.apt": "htop", "packages.pip": "requests", "gpu.devices": "0,1", "gpu.driver": "550.135",
    "gpu.host_driver": "550.135", "gpu.pytorch": "2.4.0", "ssh.authorized_key": KEY, "user.workdir": "/workspace",
    "network.extra_ca": str(CA),
}
# Answers that would judge the key under test by another key's rule (a driver must equal the host's):
# left out of the context so a refusal is always about the key itself.
UNRELATED = {"gpu.driver": ("gpu.host_driver", "gpu.cuda"), "gpu.host_driver": ("gpu.driver", "gpu.cuda")}
# Examples where the plain value itself is refused, left out: PyTorch on Ascend (torch_npu is not installed) or on
# NVIDIA with no host driver to choose the CUDA build by.
REFUSED_IN = {"gpu.pytorch": lambda a: a.get("gpu.vendor") == "ascend"
              or (a.get("gpu.vendor") == "nvidia" and not a.get("gpu.host_driver")),
              # a desktop engine's base may only be replaced by an image of that engine (validate._base_image_engine)
              "os.base_image": lambda a: a.get("app.type") == "desktop"
              and a.get("desktop.engine") in ("novnc", "kasm", "kasmweb")}

PIECES = ["\n", "\r\n", "\r", "\t", "\x00", "\x1b[31m", "\x85", "\x9b", "\u2028", "\u2029", "\x7f", " ", "  ", "'",
          '"', "$(", "$(touch /tmp/pwned)", ")", "`", "`id`", "\\", ";", "&&", "|", "#", "${HOME}", "*", "?", "~", "²",
          "３", "٣", "\u00a0", "\u3000", "{{ a }}", "%", "<", ">", "!", "=", ",", ":", "/", "..", "-", "\nRUN touch x",
          "\nrun touch x", "\\\n", "\ufeff", "é", "\U0001f600"]


def hostile(plain: str) -> st.SearchStrategy[str]:
    """Strings around `plain` meant to break a Dockerfile, a shell script, YAML or TOML."""
    piece = st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=3))
    return st.one_of(
        st.builds(lambda p, rest: plain + p + rest, piece, st.text(max_size=8)),  # trailing newline + a command
        st.builds(lambda p: p + plain, piece),
        st.builds(lambda i, p: plain[:i] + p + plain[i:], st.integers(0, len(plain)), piece),
        st.builds(lambda n: plain * n, st.integers(2, 3000)),  # long, then very long
        st.builds(lambda n: plain + "x" * n, st.integers(1, 20_000)),
        st.lists(piece, min_size=1, max_size=6).map("".join),
        st.text(max_size=40),
    )


@functools.cache
def contexts(key: str) -> list[dict[str, Any]]:
    """The example answer sets (docs/examples) in which `key` applies, with its plain value given."""
    out = []
    for path in sorted(EXAMPLES.glob("*.toml")):
        given_, problems = answers_file.parse(path.read_text())
        assert problems == [], (path, problems)
        for other in UNRELATED.get(key, ()):
            given_.pop(other, None)
        resolved, _ = resolve(given_)
        if key not in resolved or REFUSED_IN.get(key, lambda a: False)(resolved):
            continue
        plain = [*resolved[key], PLAIN[key]] if BY_KEY[key].kind == "list" else PLAIN[key]
        given_ = {**given_, key: plain}
        _, problems = validate(given_)
        assert problems == [], (key, path.name, problems)
        out.append(given_)
    assert out, f"no example in docs/examples uses {key}: add one"
    return out


# An accepted value that is a list in disguise (gpu.devices "0,4,7") renders one flag per item: its baseline
# is a plain value with as many items.
SAME_SHAPE = {"gpu.devices": lambda v: v if v == "all" else ",".join(str(i) for i in range(v.count(",") + 1))}


@functools.cache
def baseline(key: str, index: int, plain: str | None = None) -> dict[str, str]:
    given_ = contexts(key)[index] if plain is None else with_value(key, contexts(key)[index], plain)
    answers, problems = validate(given_)
    assert problems == []
    return {name: f.text for name, f in render(answers).files.items()}


def with_value(key: str, given_: dict[str, Any], value: str) -> dict[str, Any]:
    if BY_KEY[key].kind == "list":
        return {**given_, key: [*given_[key][:-1], value]}
    return {**given_, key: value}


# ------------------------------------------------------------------ what "inert" means, file by file

def instructions(text: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """(instruction, number of arguments, flags) per instruction, from the official parser."""
    return [(c.cmd, len(c.value), c.flags) for c in dockerfile.parse_string(text)]


def shell_shape(text: str) -> tuple[int, list[str], int]:
    """(words, operators in order, active expansions) of a POSIX shell script: enough to see a value that
    splits into more words, starts a new command or expands something (`$`, backticks outside '...')."""
    words, operators, expansions = 0, [], 0
    i, state, in_word = 0, "", False
    while i < len(text):
        ch = text[i]
        if state == "'":
            state = "" if ch == "'" else state
        elif state == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                state = ""
            elif ch in "$`":
                expansions += 1
        elif ch == "\\":
            i += 1
            in_word = True
        elif ch == "#" and not in_word:
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif ch in " \t":
            in_word = False
        elif ch in "\n;&|()<>":
            in_word = False
            operators.append(ch)
        else:
            if not in_word:
                words += 1
            in_word = True
            if ch in "'\"":
                state = ch
            elif ch in "$`":
                expansions += 1
        i += 1
    return words, operators, expansions


def yaml_shape(node: Any, parent: str = "") -> Any:
    """Keys and types of a YAML document; the service's name (from image.name) counts as a value."""
    if isinstance(node, dict):
        return {("<service>" if parent == "services" else k): yaml_shape(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [yaml_shape(v) for v in node]
    return type(node).__name__


def is_shell(name: str, text: str) -> bool:
    return name.endswith(".sh") or name == "autostart" or text.startswith("#!/bin/sh")


def assert_inert(key: str, value: str, files: dict[str, str], plain: dict[str, str]) -> None:
    assert set(files) == set(plain)
    assert instructions(files["Dockerfile"]) == instructions(plain["Dockerfile"])
    for name, text in files.items():
        assert len(text.splitlines()) == len(plain[name].splitlines()), name
        if text == plain[name]:
            continue
        if is_shell(name, text):
            check = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True)
            assert check.returncode == 0, (name, check.stderr)
            words, operators, expansions = shell_shape(text)
            plain_words, plain_operators, plain_expansions = shell_shape(plain[name])
            assert (operators, expansions) == (plain_operators, plain_expansions), name
            assert key == "app.command" or words == plain_words, name
        elif name.endswith(".yaml") or name == "condarc":
            assert yaml_shape(yaml.safe_load(text)) == yaml_shape(yaml.safe_load(plain[name])), name
        elif name == "imgwizard.toml":
            section, field = key.split(".", 1)
            stored = tomllib.loads(text)[section][field]
            assert (stored[-1] if isinstance(stored, list) else stored) == value
        elif name.endswith(".py"):
            compile(text, name, "exec")


def assert_refused(key: str, value: str, problems: list[tuple[str, str]]) -> None:
    assert key in [k for k, _ in problems], problems
    for _, message in problems:
        assert len(message.splitlines()) == 1 and "\n" not in message, message
        assert len(message) < 600, message
        if len(value) > 60:
            assert value not in message, message


# ------------------------------------------------------------------ the properties

def test_every_free_text_key_has_a_plain_value():
    assert sorted(PLAIN) == sorted(FREE_TEXT)


@pytest.mark.parametrize("key", FREE_TEXT)
def test_the_plain_value_renders(key: str):
    for index in range(len(contexts(key))):
        assert baseline(key, index)["Dockerfile"].startswith("# Generated by imgwizard")


@st.composite
def case(draw, key: str) -> tuple[int, str]:
    index = draw(st.integers(0, len(contexts(key)) - 1))
    return index, draw(hostile(PLAIN[key]))


@pytest.mark.parametrize("key", FREE_TEXT)
@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_hostile_value_is_refused_or_inert(key: str, data):
    index, value = data.draw(case(key))
    assume(value != "")  # empty means "none" for optional keys: a different context, drawn in test_properties
    given_ = with_value(key, contexts(key)[index], value)
    if BY_KEY[key].kind == "list":
        assume(value not in given_[key][:-1])  # a repeated item is dropped, which is not what is tested here
    answers, problems = validate(given_)
    if problems:
        event("refused")
        assert_refused(key, value, problems)
        return
    event("accepted: checked inert")
    files = {name: f.text for name, f in render(answers).files.items()}
    assert_inert(key, value, files, baseline(key, index, SAME_SHAPE.get(key, lambda v: None)(value)))


# ------------------------------------------------------------------ named cases from issue 9

@pytest.mark.parametrize("key,value", [
    ("packages.apt", ["bash\n", "run", "touch", "x"]),
    ("image.name", "myapp\n"), ("image.tag", "latest\n"), ("locale.timezone", "Asia/Shanghai\n"),
    ("user.workdir", "/root\n"), ("mirror.apt", "http://mirrors.example.com\n"), ("os.base_image", "debian:12\n"),
    ("packages.pip", ["ray\n"]), ("gpu.devices", "0\n"), ("gpu.driver", "550.135\n"), ("app.python", "3.11\n"),
    ("app.port", "²"), ("app.port", "３１０００"), ("gpu.devices", "²"), ("gpu.driver", "５５0.135"),
    ("image.tag", "x" * 10240), ("locale.timezone", "Asia/Shangai"),
])
def test_issue_cases_are_refused_naming_the_key(key: str, value):
    given_ = {"ssh.enabled": False, key: value}
    if key.startswith("gpu."):
        given_["gpu.vendor"] = "nvidia"
    if key.startswith("app."):
        given_.update({"app.type": "web", "app.name": "jupyter"})
    _, problems = validate(given_)
    assert_refused(key, value if isinstance(value, str) else "", problems)


def test_the_cli_refuses_hostile_answers_with_one_line_each_and_writes_nothing(tmp_path: Path, capsys):
    answers = tmp_path / "answers.toml"
    answers.write_text('version = 1\n[image]\nname = "myapp\\n"\ntag = "' + "x" * 10240 + '"\n'
                       '[app]\ntype = "web"\nname = "jupyter"\nport = "²"\n'
                       '[packages]\napt = ["bash\\n", "run", "touch", "x"]\n[ssh]\nenabled = false\n')
    out = tmp_path / "out"
    assert main(["render", str(answers), "-o", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [ln.split(": ")[1] for ln in lines[:-1]] == ["image.name", "image.tag", "app.port", "packages.apt"], lines
    assert lines[-1] == "nothing was written"
    assert all(len(ln) < 300 for ln in lines), lines
    assert not out.exists()


def _faulty_answers_files(tmp_path: Path) -> dict[str, Path]:
    files = {"not UTF-8": ("version = 1\n[image]\nname = \"caf\xe9\"\n".encode("latin-1"), "is not UTF-8 text"),
             "nested": (("x = " + "[" * 5000 + "]" * 5000 + "\n").encode(), "nested too deeply"),
             "version true": (b"version = true\n", "not an integer"),
             "empty": (b"", "version: missing")}
    out = {}
    for name, (data, _) in files.items():
        out[name] = tmp_path / f"{name.replace(' ', '-')}.toml"
        out[name].write_bytes(data)
    out["/dev/zero"] = Path("/dev/zero")
    return out


@pytest.mark.parametrize("command", [["validate"], ["render", "-o", "OUT"], ["--answers"]])
def test_faulty_answers_files_are_one_line_messages_in_every_command(tmp_path: Path, capsys, command):
    for name, path in _faulty_answers_files(tmp_path).items():
        argv = [*command, str(path)] if command[0] != "render" else ["render", str(path), "-o", str(tmp_path / "out")]
        assert main(argv) == 2, name
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.startswith(f"{path}: "), (name, err)
        assert all(len(line) < 400 for line in err.splitlines()), (name, err)
        assert not (tmp_path / "out").exists()


def test_a_bundle_with_a_private_key_is_refused_before_anything_is_written(tmp_path, capsys):
    key = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPrivateKeyBodyThatMustNotLeak0000000\n-----END PRIVATE KEY-----\n"
    (tmp_path / "bundle.pem").write_bytes(CA.read_bytes() + key)
    (tmp_path / "answers.toml").write_text('version = 1\n[ssh]\nenabled = false\n[network]\nextra_ca = "bundle.pem"\n')
    out = tmp_path / "context"
    assert main(["render", str(tmp_path / "answers.toml"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"network\.extra_ca: 'bundle\.pem' holds a private key", err), err
    assert "PrivateKeyBody" not in err and not out.exists()
