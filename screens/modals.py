"""Typed dialogs: save (folder, what it overwrites, backups), build tag, yes/no, help and plain messages."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.folders import EXPECTED, folder_of, plain, why_not
from wizard import checks
from wizard.context import WriteReport, plan_write, write
from wizard.render import BuildContext
from wizard.safeio import SafeIOError
from wizard.text import tr

R = TypeVar("R")


def save_plan_text(report: WriteReport, lang: str) -> Text:
    """What saving will do (a plan_write report): new files, overwritten files and their backups, files to add."""
    out = Text()
    new = [n for n in report.written if n not in report.backups]
    if new:
        out.append(tr("ui.save.will_write", lang), style="bold")
        out.append(", ".join(new) + "\n")
    for name, backup in report.backups.items():
        out.append(tr("ui.save.will_overwrite", lang), style="bold yellow")
        out.append(tr("ui.save.kept_as", lang, name=name, backup=backup) + "\n")
    if report.unchanged:
        out.append(tr("ui.save.unchanged", lang), style="dim")
        out.append(", ".join(report.unchanged) + "\n", style="dim")
    for name, what in report.missing:
        out.append(tr("ui.save.to_place", lang), style="bold cyan")
        out.append(tr("ui.save.file_what", lang, name=name, what=what) + "\n")
    return out


def refusal_text(folder: Path | str, error: OSError | SafeIOError, lang: str) -> Text:
    """One line: why the context cannot be saved in `folder` (the folder as typed, escaped: wizard.text)."""
    return Text(plain(tr("plain.cannot_save", lang, why=why_not(folder, error, lang)).strip()), style="bold red")


async def off_the_loop(call: Callable[[], R]) -> R:
    """`call()` in a daemon thread: a FIFO or a hung mount in the folder blocks that thread, never the dialog
    or Ctrl+Q, and never the exit (a thread pool's thread would be waited for)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[R] = loop.create_future()

    def settle(result: Any = None, error: BaseException | None = None) -> None:
        if future.done():  # the dialog went on meanwhile (another folder typed, closed)
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result = call()
        except BaseException as error:  # handed to the awaiting coroutine, which decides
            outcome = functools.partial(settle, error=error)
        else:
            outcome = functools.partial(settle, result)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits any more
            loop.call_soon_threadsafe(outcome)

    threading.Thread(target=run, name="imgwizard-folder", daemon=True).start()
    return await future


class SaveModal(ModalScreen[tuple[Path, WriteReport] | None]):
    """Asks the folder (default ./<image name>/), shows what will be overwritten and backed up, and saves.

    A folder that cannot take the context (its Dockerfile is a folder or a FIFO, no permission...) is one red
    line in the dialog, which stays open for another folder. Dismisses with (folder, report) once written.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, ctx: BuildContext, folder: Path, lang: str,
                 review: Callable[[Path | None], Text] | None = None) -> None:
        super().__init__()
        self.ctx, self.folder, self.lang = ctx, folder, lang
        self.review = review  # the review page for a folder (screens.review.review_text): shown under the plan
        self.saving = False

    def compose(self) -> ComposeResult:
        t = self.lang
        with Vertical(id="dialog", classes="dialog review" if self.review else "dialog"):
            yield Label(tr("ui.save.title", t), classes="dialog-title")
            yield Label(tr("ui.save.folder", t))
            yield Input(str(self.folder), id="save-folder")
            yield Static(tr("ui.save.looking", t), id="save-plan")
            if self.review is not None:
                with VerticalScroll(id="review-scroll"):
                    yield Static(self.review(self.folder), id="review")
            with Horizontal(classes="buttons"):
                yield Button(tr("key.Save", t), variant="primary", id="save-ok")
                yield Button(tr("key.Cancel", t), id="save-cancel")

    def on_mount(self) -> None:
        self._folder_changed()

    def _say(self, text: str | Text) -> None:
        self.query_one("#save-plan", Static).update(text)

    def _folder(self) -> Path | None:
        """The folder typed; None when it is empty or cannot be one (then the dialog says why)."""
        text = self.query_one("#save-folder", Input).value.strip()
        try:
            return folder_of(text) if text else None
        except SafeIOError as error:
            self._say(refusal_text(text, error, self.lang))
            return None

    @on(Input.Changed, "#save-folder")
    def _folder_changed(self) -> None:
        folder = self._folder()
        if folder is not None:
            self.show_plan(folder)

    @work(exclusive=True, group="save-plan")
    async def show_plan(self, folder: Path) -> None:
        try:
            report = await off_the_loop(lambda: plan_write(self.ctx, folder))
        except EXPECTED as error:
            self._say(refusal_text(folder, error, self.lang))
            return
        self._say(save_plan_text(report, self.lang))

    @on(Input.Submitted, "#save-folder")
    @on(Button.Pressed, "#save-ok")
    def _ok(self) -> None:
        folder = self._folder()
        if folder is not None and not self.saving:  # one write at a time into a folder
            self.save(folder)

    @work(group="save")
    async def save(self, folder: Path) -> None:
        self.saving = True
        self._say(Text(tr("ui.save.saving", self.lang, folder=plain(folder))))  # a Text: "[/]" is no markup
        try:
            report = await off_the_loop(lambda: write(self.ctx, folder))
        except EXPECTED as error:
            self._say(refusal_text(folder, error, self.lang))
            return
        finally:
            self.saving = False
        self.dismiss((folder, report))

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class JumpModal(ModalScreen[bool]):
    """Save or Build pressed while an answer is not accepted: why, and Enter goes to the step that fixes it."""

    BINDINGS = [Binding("enter", "answer(True)", "Go there"), Binding("escape", "answer(False)", "Stay")]

    def __init__(self, action: str, blocked, lang: str) -> None:  # blocked: screens.review.Blocker
        super().__init__(id="blocked")
        self.action, self.blocked, self.lang = action, blocked, lang

    def compose(self) -> ComposeResult:
        t, step = self.lang, self.blocked.step
        with Vertical(id="dialog", classes="dialog"):
            yield Label(tr(f"ui.jump.{self.action}", t), classes="dialog-title")
            yield Static(Text(self.blocked.message, style="bold red"), id="blocked-why")
            yield Static(tr("ui.jump.keys", t, step=step.title(t)), classes="dim")

    def action_answer(self, go: bool) -> None:
        self.dismiss(go)


class TagModal(ModalScreen[str | None]):
    """Asks the tag the build gives the image."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, tag: str, lang: str) -> None:
        super().__init__()
        self.tag, self.lang = tag, lang

    def compose(self) -> ComposeResult:
        t = self.lang
        with Vertical(id="dialog", classes="dialog"):
            yield Label(tr("ui.tag.title", t), classes="dialog-title")
            yield Label(tr("ui.tag.label", t))
            yield Input(self.tag, id="build-tag")
            yield Static("", id="tag-error", classes="field-error")

    @on(Input.Changed, "#build-tag")
    def _check(self, event: Input.Changed) -> None:
        bad = checks.image_ref(event.value.strip())
        self.query_one("#tag-error", Static).update(
            Text(tr("ui.tag.refused", self.lang, problem=bad), style="bold red") if bad else "")

    @on(Input.Submitted, "#build-tag")
    def _ok(self, event: Input.Submitted) -> None:
        if checks.image_ref(event.value.strip()) is None:
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n", "answer(False)", "No"),
                Binding("escape", "answer(False)", "No")]

    def __init__(self, question: str, lang: str) -> None:
        super().__init__()
        self.question, self.lang = question, lang

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.question, id="confirm-question")
            yield Static(tr("ui.confirm.keys", self.lang), classes="dim")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class MessageModal(ModalScreen[None]):
    """A titled message (help, why a build cannot start); Esc or Enter closes."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close")]

    def __init__(self, title: str, body: str | Text, modal_id: str = "message") -> None:
        super().__init__(id=modal_id)
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, id="message-body")

    def action_close(self) -> None:
        self.dismiss(None)
