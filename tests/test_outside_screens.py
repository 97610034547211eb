"""Text from outside, shown by the faces (issue 26): image labels and saved archives read by `imgwizard answers` and
`imgwizard --answers`, a build's output in the terminal, the build screen and build.log, names the user typed
(the save folder) shown back; and what the wizard says instead of dropping input (a paste that does not fit, a
terminal too small to use).

The CLI is checked from the user's side: the real command runs with a pseudo-terminal as its terminal and the
raw bytes it writes there are searched for control characters (ESC, BEL, the C1 CSI 0x9b and OSC 0x9d...) from
the input. No engine is needed: labels come from hand-made `docker save` archives, and the build's events from a
builder put in place of the engine's (the engine side, wizard/engine/, has its own tests).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.terminal import in_pty
from rich.text import Text
from textual import events
from textual.widgets import Input

from screens.app import make_app
from screens.build import BuildScreen
from screens.cli.command import main
from screens.scenarios import LAPTOP
from screens.widgets import TooSmall
from wizard.engine.build_events import BuildEvent

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)

# What an attacker puts in a label, a tag or a build's output: OSC 52 (sets the clipboard), OSC 0 (the window
# title), a screen clear, the C1 forms of CSI and OSC, a carriage return, the bidi override, line separators,
# and Rich markup that would break a widget.
OSC52 = "\x1b]52;c;aGVsbG8=\x07"
HOSTILE = [OSC52, "\x1b]0;owned\x07", "\x1b[2J\x1b[H", "\x9b31m", "\x9d0;t\x9c", "\rfake", "\u202eevil",
           "\x85", "\u2028", "[/]", "[bold]x[/bold", "\x00", "\x7f"]
# Every character that must not reach a terminal raw (wizard.text.safe_to_show escapes them), but the line break.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def nothing_raw(data: bytes, ours: tuple[bytes, ...] = ()) -> str:
    """The bytes a process wrote to its terminal as text, after checking they hold no control character but the
    sequences `ours` (what imgwizard itself writes, e.g. its progress line's `\\r ESC [K`). A pty writes a line
    break as CR LF. Strict UTF-8: a lone C1 byte fails too."""
    data = data.replace(b"\r\n", b"\n")
    for sequence in ours:
        data = data.replace(sequence, b"")
    text = data.decode("utf-8")
    found = UNSAFE.search(text)
    assert found is None, (found, text[max(0, found.start() - 80): found.end() + 80])
    return text


def run_in_pty(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60) -> tuple[bytes, int]:
    """`argv` under a pseudo-terminal (tests/terminal.py), this checkout first on its path: (every byte it wrote,
    its exit status)."""
    return in_pty(argv, cwd, {"PYTHONPATH": str(ROOT), "COLUMNS": "120", "LINES": "40", **(env or {})}, timeout)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "screens.cli", *args]


# ------------------------------------------------------------------ hand-made `docker save` archives

def saved_archive(path: Path, doc: dict, tag: str = "team/app:1") -> Path:
    """A docker save archive of one image whose imgwizard.answers label holds `doc` as JSON (the layout
    wizard/engine/labels.py reads: manifest.json naming a config JSON)."""
    config = json.dumps({"config": {"Labels": {"imgwizard.answers": json.dumps(doc)}}, "history": []}).encode()
    manifest = json.dumps([{"Config": "c0.json", "RepoTags": [tag], "Layers": []}]).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in (("c0.json", config), ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def hostile_doc() -> dict:
    return {"version": 1,
            "image": {"name": "team" + OSC52 + "app", "tag": "1\x9b2J"},
            "app": {"type": "shell"},
            "packages": {"pip": ["ok", "\x1b[2J\x9d0;x\x9c", "[/]"]},
            "locale": {"timezone": "\u202eUTC\u2028"}}


def test_answers_of_a_hostile_archive_writes_no_control_character_to_the_terminal(tmp_path: Path):
    """`imgwizard answers FILE.tar` on a label holding OSC 52, C1 controls and bidi characters: the bytes on the
    terminal hold none of them; the TOML it prints (stdout alone) still reads back as exactly the label's
    answers (TOML's own \\uXXXX escapes)."""
    doc = hostile_doc()
    tar = saved_archive(tmp_path / "img.tar", doc, tag="team/app:1" + OSC52)
    out, status = run_in_pty(cli("answers", str(tar)), tmp_path)
    assert status == 0, out
    text = nothing_raw(out)
    assert "\\u001b]52;c;aGVsbG8=\\u0007" in text and "\\u009b2J" in text and "\\u202eUTC\\u2028" in text
    assert "WARNING" in text and "image.name" in text  # the values are refused by validation, and said
    printed = subprocess.run(cli("answers", str(tar)), cwd=tmp_path, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert tomllib.loads(printed) == doc


def test_the_wizard_refuses_a_label_answer_with_a_control_character_naming_the_key(tmp_path: Path):
    """`imgwizard --answers FILE.tar`: an answer holding a control character is refused like any other answer,
    naming its key, before any field (or the terminal) gets it: exit 2, one line per key, nothing raw."""
    tar = saved_archive(tmp_path / "img.tar", hostile_doc())
    out, status = run_in_pty(cli("--answers", str(tar)), tmp_path)
    assert status == 2, out
    text = nothing_raw(out)  # also: the full-screen wizard never started (it writes ESC sequences)
    lines = [line for line in text.splitlines() if line.strip()]
    assert [line.split(": ")[1] for line in lines] == ["image.name", "image.tag", "packages.pip", "locale.timezone"]
    assert all("control character" in line and line.startswith(f"{tar}: ") for line in lines)


def test_an_answers_file_with_a_control_character_is_refused_before_the_wizard_opens(tmp_path: Path, capsys):
    """The same for an answers file given to --answers (TOML writes ESC as \\u001b): exit 2, the key named."""
    answers = tmp_path / "a.toml"
    answers.write_text('version = 1\n[image]\nname = "x\\u001b]0;t\\u0007"\n[user]\nworkdir = "/w\\u0085"\n')
    assert main(["--answers", str(answers), "--plain"]) == 2
    err = capsys.readouterr().err
    assert [line.split(": ")[1] for line in err.splitlines()] == ["image.name", "user.workdir"]
    assert UNSAFE.search(err.replace("\n", "")) is None


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(HOSTILE) | st.text(st.characters(max_codepoint=0x30ff), max_size=6),
                min_size=1, max_size=6).map("".join))
def test_any_label_value_is_printed_escaped_and_reads_back(tmp_path_factory, value: str):
    """Generated hostile label values in every text answer the archive's label holds: what `answers` prints (and
    its warnings) holds no control character, and the TOML reads back as the label's answers."""
    folder = tmp_path_factory.mktemp("label")
    doc = {"version": 1, "image": {"name": value, "tag": value}, "app": {"type": "shell", "command": value},
           "packages": {"apt": [value]}, "mirror": {"apt": value}}
    tar = saved_archive(folder / "img.tar", doc)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["answers", str(tar)]) == 0
    assert UNSAFE.search(out.getvalue().replace("\n", "")) is None
    assert UNSAFE.search(err.getvalue().replace("\n", "")) is None
    assert tomllib.loads(out.getvalue()) == doc


def test_answers_naming_files_outside_the_folder_are_dropped_and_said(tmp_path: Path, capsys):
    """A label's key file or CA bundle that names a host path (absolute, ~, ..) is left out, one line each
    naming the key; a file inside the folder and key text stay. The wizard gets the same answers."""
    from screens.cli.image import given_of_image

    doc = {"version": 1, "image": {"name": "demo"},
           "ssh": {"enabled": True, "auth": "key", "authorized_key": "/root/.ssh/id_ed25519.pub"},
           "network": {"extra_ca": "/etc/ssl/certs/ca-certificates.crt"}}
    tar = saved_archive(tmp_path / "img.tar", doc)
    assert main(["answers", str(tar)]) == 0
    out, err = capsys.readouterr()
    back = tomllib.loads(out)
    assert "authorized_key" not in back["ssh"] and "extra_ca" not in back.get("network", {})
    dropped = [line for line in err.splitlines() if "dropped" in line]
    assert [line.split(": ")[2] for line in dropped] == ["ssh.authorized_key", "network.extra_ca"]
    assert "'/root/.ssh/id_ed25519.pub'" in dropped[0] and "inside the folder" in dropped[0]

    said: list = []
    given_answers, problems = given_of_image(str(tar), dropped=said)
    assert problems == [] and "ssh.authorized_key" not in given_answers and "network.extra_ca" not in given_answers
    assert [key for key, _ in said] == ["ssh.authorized_key", "network.extra_ca"]

    for kept in ({"authorized_key": "keys/me.pub"}, {"authorized_key": "ssh-ed25519 AAAAC3Nza me@x"},
                 {"authorized_key": "../me.pub"}, {"authorized_key": "~/me.pub"}):
        tar = saved_archive(tmp_path / "k.tar", {"version": 1, "ssh": {"enabled": True, **kept}})
        assert main(["answers", str(tar)]) == 0
        out, _ = capsys.readouterr()
        inside = not kept["authorized_key"].startswith(("..", "~"))
        assert ("authorized_key" in tomllib.loads(out)["ssh"]) is inside, kept


async def test_the_wizard_says_which_answers_of_an_image_were_dropped(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx")
    app.dropped = ("img[/].tar", [("network.extra_ca", "names a file outside the folder ('/etc/x[/]'): dropped")])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = [n for n in app._notifications if n.severity == "warning"]
        assert len(notes) == 1 and "network.extra_ca" in notes[0].message and "img[/].tar" in notes[0].title
    assert app.crash is None


def test_answers_o_a_folder_is_refused_saying_what_is_accepted(tmp_path: Path, capsys):
    tar = saved_archive(tmp_path / "img.tar", {"version": 1, "image": {"name": "demo"}})
    for output in (f"{tmp_path}/new/", str(tmp_path)):
        assert main(["answers", str(tar), "-o", output]) == 2
        err = capsys.readouterr().err.strip()
        assert err == (f"answers: -o {output} names a folder; accepted: the name of a new file, e.g. "
                       f"{Path(output) / 'answers.toml'}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img.tar"]  # no file named `new`
    assert main(["answers", str(tar), "-o", str(tmp_path / "a.toml")]) == 0
    assert tomllib.loads((tmp_path / "a.toml").read_text())["image"] == {"name": "demo"}


# ------------------------------------------------------------------ a build's output

HOSTILE_BUILD = [
    ("step", "RUN echo " + OSC52, 1, 2),
    ("output", "plain line [notice] kept", 1, 2),
    ("output", OSC52 + " \x1b]0;title\x07 \x1b[2J\x9b31m \x9d0;t\x9c \u202eevil \rfake \x00 [/]", 1, 2),
    ("step", "RUN fail\x1b[8m", 2, 2),
    ("output", "E: hidden\x1b[8m secret", 2, 2),
    ("error", "The command returned a non-zero code: 3\x1b]8;;http://evil\x07", 2, 2),
]

CLI_BUILD = """
import json, os, sys
import docker.errors
from screens.cli import build as cli_build
from wizard.engine import build as engine_build
from wizard.engine.build_events import BuildEvent

class Images:
    def get(self, ref):
        raise docker.errors.ImageNotFound("no such image")

class Client:
    images = Images()

def docker_builder(client=None, nocache=False, host=None):
    def builder(context_dir, tag, cancel):
        for kind, text, step, total in json.loads(os.environ["EVENTS"]):
            yield BuildEvent(kind, text, step, total)
    return builder

cli_build.connect_or_say = lambda host: Client()  # the engine: the events above, as a builder streams them
engine_build.docker_builder = docker_builder
from screens.cli.command import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_build_output_reaches_the_terminal_and_build_log_escaped(tmp_path: Path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM scratch\n")
    out, status = run_in_pty([sys.executable, "-c", CLI_BUILD, "build", str(ctx), "-t", "demo:1"], tmp_path,
                         env={"EVENTS": json.dumps(HOSTILE_BUILD)})
    assert status == 1, out
    text = nothing_raw(out, ours=(b"\r\x1b[K",))  # the CLI's own progress line: back to the start, erase it
    assert "\\x1b]52;c;aGVsbG8=\\x07" in text and "\\x9b31m" in text and "\\u202eevil" in text
    assert "failing instruction (step 2/2): RUN fail\\x1b[8m" in text
    assert "error: The command returned a non-zero code: 3" in text
    log = (ctx / "build.log").read_text()
    assert UNSAFE.search(log.replace("\n", "")) is None
    assert "Step 1/2 : RUN echo \\x1b]52;c;aGVsbG8=\\x07" in log and "plain line [notice] kept" in log
    assert "E: hidden\\x1b[8m secret" in log and "\\x0dfake" in log


def hostile_builder(context_dir: Path, tag: str, cancel) -> object:
    for kind, text, step, total in HOSTILE_BUILD:
        yield BuildEvent(kind, text, step, total)


async def test_the_build_screen_shows_and_logs_hostile_output_escaped(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=hostile_builder, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")  # save into ctx
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # the tag
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BuildScreen) and screen.state == "failed"
        log = "\n".join(str(line.text) for line in screen.query_one("#build-log").lines)
        status = str(screen.query_one("#build-status").render())
    assert app.crash is None
    for shown in (log, status):
        assert UNSAFE.search(shown.replace("\n", "")) is None, shown
    assert "\\x1b]52;c;aGVsbG8=\\x07" in log and "[/]" in log and "plain line [notice] kept" in log
    assert "RUN fail\\x1b[8m" in status and "\\x1b]8;;http://evil\\x07" in status
    build_log = (tmp_path / "ctx" / "build.log").read_text()
    assert UNSAFE.search(build_log.replace("\n", "")) is None
    assert "Step 1/2 : RUN echo \\x1b]52;c;aGVsbG8=\\x07" in build_log and "\\x0dfake" in build_log


# ------------------------------------------------------------------ names the user typed, shown back

async def test_markup_in_the_save_folder_is_shown_as_typed_and_the_build_goes_on(tmp_path: Path):
    """Issue 26 #12: `[/]` in the save folder ended the wizard (MarkupError, answers recovered, exit 1). Now the
    dialog, the saved notification, the build screen and build.log show the folder as typed."""
    folder = tmp_path / "a[/]b[bold"  # a folder "a[" holding "]b[bold"
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=hostile_builder, recovery_dirs=[tmp_path / "rec"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")  # save first, then the tag
        await app.workers.wait_for_complete()
        await pilot.pause()
        field = app.screen.query_one("#save-folder", Input)
        field.value = f"{tmp_path}/"
        field.action_end()  # no selection left: the keys add to the folder
        await pilot.press(*str(folder.relative_to(tmp_path)))  # the markup typed, key by key: a[/]b[bold
        assert field.value == str(folder)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Will write" in str(app.screen.query_one("#save-plan").render())
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "TagModal"
        saved = [n.message for n in app._notifications if n.title == "Saved"]
        assert saved and Text.from_markup(saved[0]).plain.startswith(f"{folder}: Dockerfile")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, BuildScreen)
        assert str(folder) in str(app.screen.query_one("#build-title").render())
    assert app.crash is None and not (tmp_path / "rec").exists()
    assert (folder / "Dockerfile").is_file() and (folder / "build.log").is_file()


async def test_a_refused_value_with_markup_is_explained_not_a_crash(tmp_path: Path):
    app = make_app(host=LAPTOP, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to("user")
        await app.screen.show_step()
        await pilot.pause()
        field = app.screen.query_one("#input-user-workdir", Input)
        field.focus()
        await pilot.press("ctrl+u", *"[/]x[bold", "ctrl+n")  # Next: the step is refused, in a notification
        await pilot.pause()
        refused = [n.message for n in app._notifications if n.severity == "error"]
        assert refused and "'[/]x[bold'" in Text.from_markup(refused[-1]).plain
    assert app.crash is None and list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ input the wizard used to drop silently

def last_note(app):
    return list(app._notifications)[-1]


async def paste(pilot, field_id: str, text: str) -> Input:
    field = pilot.app.screen.query_one(field_id, Input)
    field.focus()
    await pilot.pause()
    field.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()
    return field


async def test_a_paste_that_does_not_fit_is_said_and_the_field_keeps_its_value():
    app = make_app(host=LAPTOP, given={"image.name": "myapp", "ssh.enabled": True})
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to("image")
        await app.screen.show_step()
        field = await paste(pilot, "#input-image-name", "x" * 1_000_000)
        assert field.value == "myapp" and app.session.answers["image.name"] == "myapp"
        note = last_note(app)
        assert note.title == "Not pasted" and note.message == (
            "Image name (image.name): the pasted text is 1000000 characters; accepted: at most 255. Nothing was pasted")
        field = await paste(pilot, "#input-image-name", "\nfirst\nsecond\n")  # Textual pasted "" here
        assert field.value == "myapp"
        assert last_note(app).message.startswith("Image name (image.name): the pasted text has 2 lines")
        field = await paste(pilot, "#input-image-name", "team" + OSC52)  # a control character: never in the field
        assert field.value == "myapp" and last_note(app).message.startswith(
            "Image name (image.name): 'team\\x1b]52;c;aGVsbG8=\\x07' has a control character U+001B at position 5")
        field.value = ""
        field = await paste(pilot, "#input-image-name", "pasted-name\n")  # one line and its break: taken
        assert field.value == "pasted-name" and app.session.given["image.name"] == "pasted-name"

        app.session.go_to("packages")
        await app.screen.show_step()
        field = await paste(pilot, "#input-packages-pip", "requests\nrich==13.7.1\n")  # a list: lines are items
        assert app.session.answers["packages.pip"] == ["requests", "rich==13.7.1"]

        app.session.go_to("image")
        await app.screen.action_language()  # F4: the wizard in Chinese
        await paste(pilot, "#input-image-name", "y" * 300)
        assert last_note(app).message == ("镜像名称（image.name）：粘贴的文本有 300 个字符；可接受：最多 255 个。"
                                                   "未粘贴任何内容")
    assert app.crash is None


@pytest.mark.parametrize("lang, said", [
    ("en", "The terminal is 20x8: enlarge it to at least 60x16"),
    ("zh", "终端只有 20x8：请放大到至少 60x16"),
])
async def test_a_tiny_terminal_says_how_big_it_must_be(lang: str, said: str):
    app = make_app(host=LAPTOP, lang=lang)
    async with app.run_test(size=(20, 8)) as pilot:
        await pilot.pause()
        hint = app.screen.query_one(TooSmall)
        assert hint.has_class("-shown") and hint.display
        assert str(hint.render()).startswith(said)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert not hint.display  # the wizard is usable again: the hint goes
        await pilot.resize_terminal(50, 12)
        await pilot.pause()
        assert hint.display and "50x12" in str(hint.render())
    assert app.crash is None
