"""The wizard never loses the answers to an exception (issue 9, item 9).

Each crash the issue names is reproduced as a person meets it: keys arriving faster than a step is drawn,
`~r` typed in the SSH key field, Save when the folder's Dockerfile is a folder or a FIFO. After the fix the app
keeps running with every answer; an error nobody foresaw ends the app with a non-zero status and a recovery
file holding the answers typed (written into tmp_path: the folder is injected through make_app).
"""

import io
import os
from pathlib import Path

from textual import events
from textual.widgets import Input

from screens.app import finish, make_app
from screens.scenarios import LAPTOP
from screens.widgets import FieldBox, StepPane
from wizard import tree
from wizard.answers_file import parse

SIZE = (160, 50)


def burst(app, *keys: str) -> None:
    """Hand the keys to the app all at once, as a terminal does when they come faster than the app draws.
    (pilot.press waits for the app to go idle after each key, which hides this race.)"""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def go_to_step(pilot, step: str) -> None:
    await pilot.press("f2")
    while pilot.app.focused.highlighted_child.id != f"step-{step}":
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.session.step == step


def shown_step(app) -> tuple[str, list[str]]:
    """The step title the pane shows and the keys of its questions (each once, or the pane is broken)."""
    pane = app.screen.query_one(StepPane)
    titles = [str(s.render()) for s in pane.query("#step-title")]
    assert len(titles) == 1, titles
    return titles[0], [box.field.key for box in pane.query(FieldBox)]


async def test_keys_faster_than_the_steps_are_drawn_keep_the_app_and_the_answers(tmp_path: Path):
    app = make_app(host=LAPTOP, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("up")  # an answer of the user's: a web app
        await pilot.pause()
        burst(app, *["enter", "f4"] * 10, *["enter", "ctrl+n", "escape"] * 8, *["down", "enter", "escape"] * 5)
        await pilot.press("f3")  # queued after the burst: once it is handled, so is every key of the burst
        while app.screen.query_one(StepPane).busy:  # and the rebuilds the keys started
            await pilot.pause()
        await settle(pilot)
        assert app.is_running and app.return_code is None
        _title, keys = shown_step(app)
        assert keys == list(tree.BY_ID[app.session.step].keys)  # the pane shows the session's step
        assert app.session.given["app.type"] == "web"
    assert list(tmp_path.iterdir()) == []  # no crash, no recovery file


async def test_tilde_user_in_the_ssh_key_field_is_a_message_not_a_crash(tmp_path: Path):
    app = make_app(host=LAPTOP, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await go_to_step(pilot, "ssh")
        field = app.screen.query_one("#input-ssh-authorized_key", Input)
        field.focus()
        await pilot.press("home", "ctrl+k", "~", "r")
        await settle(pilot)
        assert app.is_running
        assert app.session.given["ssh.authorized_key"] == "~r"
        message = str(app.screen.query_one("#box-ssh-authorized_key .field-error").render())
        assert message.startswith("✗ Authorized public key (ssh.authorized_key): ")
        assert field.value == "~r"
        assert not app.session.valid and app.screen.check_action("fix", ()) is True  # Save waits for this step
        await pilot.press("home", "ctrl+k", *"ssh-ed25519")  # the user goes on typing: still alive
        await settle(pilot)
        assert app.is_running and app.session.given["ssh.authorized_key"] == "ssh-ed25519"
    assert list(tmp_path.iterdir()) == []


async def test_save_where_the_dockerfile_is_a_folder_says_so_and_another_folder_works(tmp_path: Path):
    bad = tmp_path / "ctx"
    (bad / "Dockerfile").mkdir(parents=True)
    good = tmp_path / "other"
    app = make_app(host=LAPTOP, output=bad, given={"image.name": "typed-name"}, recovery_dirs=[tmp_path / "rec"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "SaveModal"
        plan = str(app.screen.query_one("#save-plan").render())
        assert "Dockerfile" in plan and "\n" not in plan.strip()  # one line naming the file
        await pilot.press("enter")  # Save anyway: refused in the dialog, nothing lost
        await settle(pilot)
        assert type(app.screen).__name__ == "SaveModal" and app.is_running
        assert "Dockerfile" in str(app.screen.query_one("#save-plan").render())
        folder = app.screen.query_one("#save-folder", Input)
        for typed, shown in (("~r/ctx", "~r/ctx"), ("ctx\0x", "'ctx\\x00x'")):  # no user r; a NUL
            folder.value = typed
            await pilot.press("enter")
            await settle(pilot)
            said = str(app.screen.query_one("#save-plan").render())
            assert said.startswith(f"✗ Cannot save there: {shown}") and "\n" not in said.strip(), said
        folder.value = str(good)  # the user picks another folder
        await settle(pilot)
        assert "Will write" in str(app.screen.query_one("#save-plan").render())
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "WizardScreen"
    assert (bad / "Dockerfile").is_dir()
    given, problems = parse((good / "imgwizard.toml").read_text())
    assert problems == [] and given["image.name"] == "typed-name"
    assert app.session.saved_to == good and not (tmp_path / "rec").exists()


async def test_save_where_the_dockerfile_is_a_fifo_does_not_hang_and_ctrl_q_quits(tmp_path: Path):
    out = tmp_path / "ctx"
    out.mkdir()
    fifo = out / "Dockerfile"
    os.mkfifo(fifo)
    app = make_app(host=LAPTOP, output=out, recovery_dirs=[tmp_path / "rec"])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("up")  # an unsaved change: quitting asks first
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert type(app.screen).__name__ == "SaveModal"
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmModal"
            await pilot.press("y")
            await pilot.pause()
        assert app.return_code == 0
        assert fifo.exists() and not (out / "imgwizard.toml").exists()
    finally:  # a reader still blocked on the FIFO (a core that opens it blocking) gets its end of file
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # no reader waiting


def raising_engine() -> str | None:
    raise ZeroDivisionError("engine probe divided by zero")


async def test_an_unexpected_error_keeps_the_answers_in_a_recovery_file_and_exits_non_zero(tmp_path: Path):
    rec = tmp_path / "cache"
    app = make_app(host=LAPTOP, engine=raising_engine, recovery_dirs=[rec])
    async with app.run_test(size=SIZE) as pilot:
        await go_to_step(pilot, "image")
        app.screen.query_one("#input-image-name", Input).focus()
        await pilot.press("home", "ctrl+k", *"half-typed")
        await pilot.press("f5")  # the injected engine probe raises: nobody foresaw that
        await pilot.pause()
    assert app.return_code == 1
    [saved] = rec.glob("recovered-*.toml")
    given, problems = parse(saved.read_text())
    assert problems == [] and given["image.name"] == "half-typed" and given["app.type"] == "shell"
    err = io.StringIO()
    assert finish(app, err) == 1
    said = err.getvalue()
    assert "ZeroDivisionError: engine probe divided by zero" in said
    assert str(saved) in said and "--answers" in said
    assert "Traceback" not in said


async def test_a_refused_value_is_kept_as_typed_in_the_recovery_file(tmp_path: Path):
    rec = tmp_path / "cache"
    app = make_app(host=LAPTOP, recovery_dirs=[rec])
    async with app.run_test(size=SIZE) as pilot:
        await go_to_step(pilot, "image")
        app.screen.query_one("#input-image-name", Input).focus()
        await pilot.press("home", "ctrl+k", *"Bad", "space", *"Name")
        await pilot.pause()
        assert app.session.problem("image.name")
        app.call_later(raising_engine)  # an error in a callback goes to the same place as one in a handler
        await pilot.pause()
    assert app.return_code == 1
    [saved] = rec.glob("recovered-*.toml")
    assert parse(saved.read_text())[0]["image.name"] == "Bad Name"


async def test_a_failing_background_check_is_shown_and_the_wizard_goes_on(tmp_path: Path):
    app = make_app(host=LAPTOP, engine=raising_engine, probe_engine=True, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        said = [n.message for n in app._notifications]
        assert "ZeroDivisionError: engine probe divided by zero" in said, said
    assert app.crash is None and list(tmp_path.iterdir()) == []


async def test_an_unexpected_error_while_saving_keeps_the_answers(tmp_path: Path):
    rec = tmp_path / "cache"
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", given={"image.name": "typed"}, recovery_dirs=[rec])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.ctx = None  # a save dialog holding nothing to write: plan_write fails on it (AttributeError)
        await pilot.press("enter")
        await settle(pilot)
    assert app.return_code == 1 and "AttributeError" in app.crash.error
    [saved] = rec.glob("recovered-*.toml")
    assert parse(saved.read_text())[0]["image.name"] == "typed"


def test_recovery_falls_back_to_the_next_folder_and_last_to_the_message(tmp_path: Path):
    from screens.recovery import save_recovery
    from wizard.session import Session

    session = Session({"image.name": "kept"})
    blocked = tmp_path / "file"
    blocked.write_text("")
    saved = save_recovery(session, ValueError("boom"), [blocked / "sub", tmp_path / "nul\0", tmp_path / "tmp"])
    assert saved.path is not None and saved.path.parent == tmp_path / "tmp"
    assert parse(saved.path.read_text())[0]["image.name"] == "kept"
    assert oct(saved.path.stat().st_mode & 0o777) == "0o600"

    nowhere = save_recovery(session, ValueError("boom"), [blocked / "sub"])
    assert nowhere.path is None
    assert 'name = "kept"' in nowhere.describe() and "ValueError: boom" in nowhere.describe()
