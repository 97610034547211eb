"""Issue 29 items 2.6 and 2.7, from the user's side: what `imgwizard validate` says, what the review and the
choice lists show, how the "files to add first" dialog wraps in Chinese, and what the answers label holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screens.cli.command import main
from screens.scenarios import TEST_KEY
from wizard import answers_file, labels
from wizard.answers import BY_KEY, FIELDS
from wizard.load import load, names_outside
from wizard.render import render
from wizard.text import EN, ZH, tr

SHELL = 'version = 1\n[image]\nname = "app"\n[app]\ntype = "shell"\n'


def validate_out(tmp_path: Path, capsys, extra: str) -> str:
    (tmp_path / "a.toml").write_text(SHELL + extra)
    assert main(["validate", str(tmp_path / "a.toml")]) == 2
    return capsys.readouterr().err


# ------------------------------------------------------------------ 2.6 texts


def test_a_bad_host_driver_says_what_the_host_driver_is(tmp_path, capsys):
    err = validate_out(tmp_path, capsys, '[gpu]\nvendor = "nvidia"\nhost_driver = "5.5"\n')
    line = next(ln for ln in err.splitlines() if "gpu.host_driver" in ln)
    assert "no driver in the image" not in line  # gpu.driver's own empty value
    assert "nvidia-smi shows on the GPU host" in line and "choose the PyTorch build yourself" in line
    err = validate_out(tmp_path, capsys, '[gpu]\nvendor = "nvidia"\ndriver = "5.5"\n')
    assert "(empty: no driver in the image)" in next(ln for ln in err.splitlines() if "gpu.driver" in ln)


def test_the_devices_texts_never_offer_all_to_ascend(tmp_path, capsys):
    field = BY_KEY["gpu.devices"]
    for lang in ("en", "zh"):
        assert "npu-smi info" in field.help(lang)
    assert "never all" in field.help("en") and "不能填 all" in field.help("zh")
    err = validate_out(tmp_path, capsys, '[gpu]\nvendor = "ascend"\ndevices = "x"\n')
    assert "or all (NVIDIA only)" in err
    err = validate_out(tmp_path, capsys, '[gpu]\nvendor = "ascend"\ndevices = "all"\n')
    assert "the device numbers `npu-smi info` shows on the host" in err


def _review_line(field, lang: str) -> str:
    from screens.review import _what_it_changes

    return _what_it_changes(field, None, {}, lang)


@pytest.mark.parametrize("field", FIELDS, ids=[f.key for f in FIELDS])
def test_the_review_never_cuts_a_help_at_an_abbreviation(field):
    """The review shows a field's help up to its first '. ': an 'e.g.' there cut the time zone's at
    'IANA name, e.g'."""
    for lang in ("en", "zh"):
        shown = _review_line(field, lang)
        assert not re.search(r"\b(?:e\.g|i\.e|etc|vs|cf)$", shown), shown


def test_the_review_shows_the_whole_time_zone_help():
    assert _review_line(BY_KEY["locale.timezone"], "en") == "An IANA name such as Asia/Shanghai; empty keeps UTC."


@pytest.mark.parametrize("typed, near", [("Asia/Shangai", "Asia/Shanghai"), ("asia/shanghai", "Asia/Shanghai"),
                                         ("Europe/Berln", "Europe/Berlin")])
def test_a_time_zone_typo_gets_a_did_you_mean(tmp_path, capsys, typed, near):
    err = validate_out(tmp_path, capsys, f'[locale]\ntimezone = "{typed}"\n')
    assert "zoneinfo" not in err and "available_timezones" not in err
    line = next(ln for ln in err.splitlines() if "locale.timezone" in ln)
    assert re.search(rf"did you mean {re.escape(near)}\b", line), line


def test_a_time_zone_far_from_any_says_what_is_accepted(tmp_path, capsys):
    err = validate_out(tmp_path, capsys, '[locale]\ntimezone = "Qqqqq/Zzzzzz"\n')
    assert "an IANA time zone like Asia/Shanghai or UTC" in err and "did you mean" not in err
    assert "zoneinfo" not in ZH["accepted.timezone"] + EN["accepted.timezone"]


def test_the_ascend_reason_is_said_once_in_the_pytorch_list():
    field = BY_KEY["gpu.pytorch"]
    choices = field.choices_for({"app.type": "shell", "gpu.vendor": "ascend", "os.family": "debian",
                                 "os.version": "12"})
    assert len(choices) > 10
    for lang in ("en", "zh"):
        whys = [c.why(lang) for c in choices]
        assert whys.count(tr("torch.ascend", lang)) == 1 and whys[0] == tr("torch.ascend", lang), whys
    assert all(" · not for Ascend" in c.label("en") for c in choices[1:])


def test_nvidia_releases_keep_their_own_reasons():
    field = BY_KEY["gpu.pytorch"]
    choices = field.choices_for({"app.type": "shell", "gpu.vendor": "nvidia", "gpu.host_driver": "450.80.02",
                                 "os.family": "debian", "os.version": "12"})
    assert choices[0].why("en") == ""  # no shared reason to move there


def _wrapped(text: str, width: int) -> list[str]:
    from textual.content import Content

    return [str(line) for line in Content(text).wrap(width)]


@pytest.mark.parametrize("msg_id", ["ui.build.file_copied", "ui.build.files_first"])
def test_the_files_to_add_dialog_never_breaks_dockerfile_mid_word(msg_id):
    """Textual wraps at spaces; `path：Dockerfile` was one word, folded inside 'Dockerfile' (a path folds when
    it is longer than the line: nothing else can be done with it)."""
    for path in ("/home/me/pycharm/pycharm-community-2024.3.tar.gz", "/root/x/idea-2025.3.tar.gz"):
        for lang in ("en", "zh"):
            text = tr(msg_id, lang, path=path) if "{path}" in (ZH if lang == "zh" else EN)[msg_id] else tr(msg_id, lang)
            for width in range(20, 81):
                for line in _wrapped(text, width):
                    assert not re.search(r"Docker$|^file", line.strip()), (lang, width, _wrapped(text, width))


# ------------------------------------------------------------------ 2.7 the answers label


def test_portable_answers_hold_the_key_line_not_the_path(tmp_path):
    (tmp_path / "me.pub").write_text(TEST_KEY + "\n")
    path = str(tmp_path / "me.pub")
    out = labels.portable({"ssh.authorized_key": path, "ssh.auth": "key"}, TEST_KEY)
    assert out == {"ssh.authorized_key": TEST_KEY, "ssh.auth": "key"}
    assert not names_outside("ssh.authorized_key", out["ssh.authorized_key"])  # read back, it is kept
    several = TEST_KEY + "\n" + TEST_KEY.replace("me@laptop", "other")
    assert labels.portable({"ssh.authorized_key": path}, several) == {"ssh.authorized_key": path}
    assert labels.portable({"ssh.auth": "password"}, None) == {"ssh.auth": "password"}


def test_the_answers_label_of_an_image_holds_the_key_and_rebuilds_elsewhere(tmp_path):
    """The image's answers, read back into another folder without the key file, validate and render the same
    authorized_keys (needs render.py to label `labels.portable(a, plan.authorized_keys)`)."""
    (tmp_path / "build").mkdir()
    key_file = tmp_path / "build" / "id_ed25519.pub"
    key_file.write_text(TEST_KEY + "\n")
    (tmp_path / "build" / "a.toml").write_text(
        SHELL + f'[ssh]\nenabled = true\nauth = "key"\nauthorized_key = "{key_file}"\n')
    answers, problems = load(tmp_path / "build" / "a.toml")
    assert not problems, problems
    ctx = render(answers, tmp_path / "build")
    value = _label_value(ctx.dockerfile)
    text = labels.answers_text({labels.ANSWERS: value}, "the image")
    assert str(key_file) not in text and str(tmp_path) not in text
    given, problems = answers_file.parse(text)
    assert given["ssh.authorized_key"] == TEST_KEY and not problems
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "back.toml").write_text(text)
    again, problems = load(elsewhere / "back.toml")
    assert not problems, problems
    assert render(again, elsewhere).files["authorized_keys"].text == TEST_KEY + "\n"


def _label_value(dockerfile: str) -> str:
    """The answers label's value as the builder reads it: continued lines joined, the quotes' escapes undone."""
    joined = dockerfile.replace("\\\n", "")
    found = re.search(rf'{re.escape(labels.ANSWERS)}="((?:[^"\\]|\\.)*)"', joined)
    assert found, "no answers label"
    return re.sub(r"\\(.)", r"\1", found.group(1))


# ------------------------------------------------------------------ 2.7 an export's first progress line


def test_an_exports_first_line_in_a_log_says_no_time_left(monkeypatch, capsys):
    """A big image's docker save prepares for minutes before its first byte (it said "13:11:26 left" on the
    first line): the printer starts at the first byte, and says a time only once there is a rate. The engine's
    pause is a clock step here (the real engine cannot be made to pause)."""
    import time

    from screens.cli.archive import _export_progress

    clock = [5000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    progress = _export_progress(Path("big.tar"), tty=False)
    clock[0] += 600.0  # the engine prepares the tar
    progress(2 * 2**20, 3 * 2**30)  # the first chunk
    clock[0] += 5.0
    progress(4 * 2**20, 3 * 2**30)  # 0.1 %: still no rate worth a time
    clock[0] += 5.0
    progress(600 * 2**20, 3 * 2**30)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "writing big.tar: 2.0 MiB of about 3.0 GiB (0%)"
    assert "left" not in lines[1]
    assert lines[2].endswith("0:41 left"), lines


def test_the_plain_flow_suggests_imgwizard_build_and_the_cli_reads_it(tmp_path):
    import shlex

    from screens.cli.command import _parser

    for lang in ("en", "zh"):
        line = tr("plain.build_it", lang, image="app:latest", folder=tmp_path / "app")
        assert "docker build" not in line
        words = shlex.split(line.split("imgwizard ", 1)[1])
        args = _parser().parse_args(words)
        assert args.command == "build" and args.tag == "app:latest" and str(args.dir) == str(tmp_path / "app")
