"""The labels every rendered Dockerfile ends with, and reading the answers file back from labels or a saved
archive (wizard/labels.py, wizard/engine/labels.py). The real engine's side (build, recover, render, compare) is
tests/docker/test_reproduce.py."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from wizard import answers_file
from wizard import labels as core_labels
from wizard.engine import labels as engine_labels
from wizard.engine.common import DockerOpError
from wizard.labels import ANSWERS, MetaError
from wizard.load import load
from wizard.render import render

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.toml"))


def _rendered(example: Path):
    answers, problems = load(example)
    assert not problems, problems
    return answers, render(answers, example.parent)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_dockerfile_ends_with_the_labels_after_its_last_layer(example):
    answers, ctx = _rendered(example)
    instructions = [line.split()[0] for line in ctx.dockerfile.splitlines()
                    if line and not line[0].isspace() and not line.startswith(("#", "\\\""))]
    # the one LABEL comes last; the build-time value's ARG after every step that makes a layer, with only the
    # start command's metadata (USER, CMD) between them: no other step's cache depends on them, and a
    # start-command change re-runs CMD and LABEL alone
    assert instructions[-1] == "LABEL", instructions[-4:]
    last_arg = len(instructions) - 1 - instructions[::-1].index("ARG")
    assert set(instructions[last_arg + 1:-1]) <= {"USER", "CMD"}, instructions[-5:]
    assert f"\nARG {core_labels.CREATED_ARG}\n" in ctx.dockerfile
    assert f'LABEL org.opencontainers.image.created="${{{core_labels.CREATED_ARG}}}"' in ctx.dockerfile
    assert f'org.opencontainers.image.title="{answers["image.name"]}"' in ctx.dockerfile
    assert f'org.opencontainers.image.version="{answers["image.tag"]}"' in ctx.dockerfile


def _label_value(dockerfile: str, name: str) -> str:
    """The value the legacy builder gives LABEL name="...": continuations joined, then \\" \\\\ \\$ unescaped."""
    joined = re.sub(r"\\\n", "", dockerfile)
    raw = re.search(rf'{re.escape(name)}="((?:[^"\\]|\\.)*)"', joined).group(1)
    return re.sub(r'\\(["\\$])', r"\1", raw)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_answers_label_gives_back_the_answers_file(example):
    answers, ctx = _rendered(example)
    value = _label_value(ctx.dockerfile, ANSWERS)
    assert core_labels.answers_text({ANSWERS: value}, "x") == ctx.files["imgwizard.toml"].text


def test_no_dockerfile_line_reaches_the_builders_64_kib_limit_and_the_label_reads_back():
    answers, _ = _rendered(ROOT / "docs" / "examples" / "debian-shell-ssh.toml")
    key = "ssh-ed25519 " + "A" * 68 + " " + "\\\"$#中 " * 3000  # a comment of 15 000 characters, escapes galore
    answers = {**answers, "packages.pip": [f"package-number-{i}==1.0" for i in range(3000)], "ssh.authorized_key": key}
    dockerfile = render(answers, ROOT).dockerfile
    labels = dockerfile[dockerfile.index("\n# --- labels:") + 1:].splitlines()  # (pip.j2's RUN line is longer)
    assert max(len(line.encode()) for line in labels) < 65535 and len(labels) > 20
    assert not any(line.lstrip().startswith("#") for line in labels[1:])
    doc = json.loads(_label_value(dockerfile, ANSWERS))
    assert doc["ssh"]["authorized_key"] == key and doc["packages"]["pip"][2999] == "package-number-2999==1.0"


def test_the_answers_label_has_one_line_per_section_whatever_the_values():
    answers, _ = _rendered(ROOT / "docs" / "examples" / "debian-shell-ssh.toml")
    longer = {**answers, "packages.pip": ["x" * 250] * 1, "user.workdir": "/" + "w" * 200}
    assert len(core_labels.answers_json(longer).splitlines()) == len(core_labels.answers_json(answers).splitlines())


def test_a_label_value_is_escaped_for_a_double_quoted_dockerfile_word():
    word = core_labels.dockerfile_word('say "hi" to $HOME\\n 中文\nnext')
    assert word == 'say \\"hi\\" to \\$HOME\\\\n 中文\\\nnext'
    with pytest.raises(ValueError, match="control characters"):
        core_labels.dockerfile_word("a\tb")
    with pytest.raises(ValueError, match="cannot be blank or start with #"):
        core_labels.dockerfile_word("a\n  # b")


@pytest.mark.parametrize("value, why", [
    (None, "has no imgwizard.answers label"),
    ("not json", "not an answers document"),
    ("[1, 2]", "not an answers document"),
    ('{"version": 1, "image": {"name": null}}', "not an answers document"),
    ("[" * 300_000 + "]" * 300_000, "at most"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "not an answers document"),
], ids=["missing", "not-json", "a-list", "null", "too-long", "too-deep"])
def test_labels_without_an_answers_document_are_one_clear_line(value, why):
    labels = {} if value is None else {ANSWERS: value}
    with pytest.raises(MetaError, match=why) as err:
        core_labels.answers_text(labels, "team/app:1")
    assert "\n" not in str(err.value) and str(err.value).startswith("team/app:1")


# ------------------------------------------------------------------ saved archives (docker save's layout)

def _archive(path: Path, images: dict[str, dict], gz: bool = False) -> Path:
    """A docker save archive (manifest.json + one config JSON per image, as Docker 20.10 writes them)."""
    manifest = []
    with tarfile.open(path, "w:gz" if gz else "w") as tar:
        for i, (tag, labels) in enumerate(images.items()):
            config = json.dumps({"config": {"Labels": labels}, "history": []}).encode()
            name = f"{i:064x}.json"
            _add(tar, name, config)
            manifest.append({"Config": name, "RepoTags": [tag], "Layers": []})
        _add(tar, "manifest.json", json.dumps(manifest).encode())
    return path


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("gz", [False, True], ids=["tar", "tar.gz"])
def test_a_saved_archive_gives_its_image_answers(tmp_path, gz):
    answers, ctx = _rendered(ROOT / "docs" / "examples" / "debian-shell-ssh.toml")
    labels = {ANSWERS: core_labels.answers_json(answers)}
    path = _archive(tmp_path / "a.tar", {"team/app:1": labels, "debian:bookworm-slim": {}}, gz)
    assert engine_labels.archive_answers(path) == ("team/app:1", ctx.files["imgwizard.toml"].text)


def test_an_archive_with_several_imgwizard_images_names_them(tmp_path):
    labels = {ANSWERS: '{"version": 1}'}
    path = _archive(tmp_path / "a.tar", {"team/a:1": labels, "team/b:1": labels})
    with pytest.raises(MetaError, match=r"2 images with answers \(team/a:1, team/b:1\)"):
        engine_labels.archive_answers(path)


def test_not_an_archive_is_one_clear_line(tmp_path):
    (tmp_path / "x.tar").write_text("version = 1\n")
    with pytest.raises(DockerOpError, match="not a complete image archive"):
        engine_labels.archive_answers(tmp_path / "x.tar")
    with tarfile.open(tmp_path / "y.tar", "w") as tar:
        _add(tar, "hello.txt", b"hi")
    with pytest.raises(MetaError, match="no manifest.json"):
        engine_labels.archive_answers(tmp_path / "y.tar")


def test_the_document_round_trips_through_dump():
    answers, ctx = _rendered(ROOT / "docs" / "examples" / "jupyter-nvidia.toml")
    assert answers_file.dump_document(answers_file.document(answers)) == ctx.files["imgwizard.toml"].text


def test_answers_of_an_answers_file_or_a_bad_name_is_one_clear_line(tmp_path, capsys):
    from screens.cli import main

    (tmp_path / "a.toml").write_text("version = 1\n")
    assert main(["answers", str(tmp_path / "a.toml")]) == 2
    assert capsys.readouterr().err == f"answers: {tmp_path / 'a.toml'} is not a docker save archive; accepted: an " \
                                      f"image name[:tag] or id, or a saved .tar (imgwizard export IMAGE -o FILE.tar)\n"
    assert main(["answers", "Not An Image"]) == 2
    assert "is not an image name" in capsys.readouterr().err
    assert main(["answers", "x:1", "-o", str(tmp_path / "a.toml")]) == 2  # never replaces a file
    assert "exists; imgwizard does not replace it" in capsys.readouterr().err
    assert (tmp_path / "a.toml").read_text() == "version = 1\n"


def test_the_build_time_is_passed_only_to_a_dockerfile_that_declares_it():
    _, ctx = _rendered(ROOT / "docs" / "examples" / "binary-scratch.toml")
    assert list(core_labels.build_args(ctx.dockerfile)) == [core_labels.CREATED_ARG]
    assert core_labels.build_args("FROM debian:bookworm-slim\nCMD [\"true\"]\n") == {}


def test_wizard_answers_that_name_a_file_are_read_as_a_file(tmp_path):
    from screens.cli.image import given_of_image

    (tmp_path / "a.toml").write_text("version = 1\n")
    assert given_of_image(str(tmp_path / "a.toml")) is None  # load.read_given reads it
    assert given_of_image(str(tmp_path / "missing.toml")) is None  # and says it is not there
    assert given_of_image(str(tmp_path / "missing.tar")) is None
    assert given_of_image("Not An Image") is None


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "$\\#\t中') ), max_size=3 * core_labels.LINE_BYTES // 2))
def test_the_short_line_fast_path_escapes_exactly_as_the_cutting_path(line):
    """_word_line's one-translate path (lines up to LINE_BYTES) gives what the per-character path gives."""
    assert core_labels._word_line(line) == "\\\n".join(core_labels._chunks(core_labels._escaped(line)))


def test_control_characters_are_refused_but_the_line_break():
    for bad in ("a\x00b", "tab\there", "del\x7f", "cr\r"):
        with pytest.raises(ValueError, match="control characters"):
            core_labels.dockerfile_word(bad)
    assert core_labels.dockerfile_word('x\ny "$"') == 'x\\\ny \\"\\$\\"'
