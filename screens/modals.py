"""Typed dialogs: save (folder, what it overwrites, backups), build tag, yes/no, help and plain messages."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from wizard import checks
from wizard.context import plan_write
from wizard.render import BuildContext
from wizard.text import T


def save_plan_text(ctx: BuildContext, folder: Path, lang: str) -> Text:
    """What saving into `folder` will do: new files, overwritten files and their backups, files to add."""
    report = plan_write(ctx, folder)
    out = Text()
    new = [n for n in report.written if n not in report.backups]
    if new:
        out.append(T("Will write: ", "将写入：")(lang), style="bold")
        out.append(", ".join(new) + "\n")
    for name, backup in report.backups.items():
        out.append(T("Will overwrite ", "将覆盖 ")(lang), style="bold yellow")
        out.append(f"{name}" + T(f" (the old one is kept as {backup})", f"（旧文件保留为 {backup}）")(lang) + "\n")
    if report.unchanged:
        out.append(T("Unchanged: ", "未改变：")(lang), style="dim")
        out.append(", ".join(report.unchanged) + "\n", style="dim")
    for name, what in report.missing:
        out.append(T("Still to place there: ", "还需放入：")(lang), style="bold cyan")
        out.append(f"{name} ({what})\n")
    return out


class SaveModal(ModalScreen[Path | None]):
    """Asks the folder (default ./<image name>/) and shows what will be overwritten and backed up."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, ctx: BuildContext, folder: Path, lang: str) -> None:
        super().__init__()
        self.ctx, self.folder, self.lang = ctx, folder, lang

    def compose(self) -> ComposeResult:
        t = self.lang
        with Vertical(id="dialog", classes="dialog"):
            yield Label(T("Save the build context", "保存构建目录")(t), classes="dialog-title")
            yield Label(T("Folder:", "目录：")(t))
            yield Input(str(self.folder), id="save-folder")
            yield Static(save_plan_text(self.ctx, self.folder, t), id="save-plan")
            with Horizontal(classes="buttons"):
                yield Button(T("Save", "保存")(t), variant="primary", id="save-ok")
                yield Button(T("Cancel", "取消")(t), id="save-cancel")

    @on(Input.Changed, "#save-folder")
    def _folder_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.query_one("#save-plan", Static).update(save_plan_text(self.ctx, Path(event.value.strip()), self.lang))

    @on(Input.Submitted, "#save-folder")
    @on(Button.Pressed, "#save-ok")
    def _ok(self) -> None:
        value = self.query_one("#save-folder", Input).value.strip()
        if value:
            self.dismiss(Path(value))

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TagModal(ModalScreen[str | None]):
    """Asks the tag the build gives the image."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, tag: str, lang: str) -> None:
        super().__init__()
        self.tag, self.lang = tag, lang

    def compose(self) -> ComposeResult:
        t = self.lang
        with Vertical(id="dialog", classes="dialog"):
            yield Label(T("Build the image", "构建镜像")(t), classes="dialog-title")
            yield Label(T("Tag (name:tag):", "标签（名称:标签）：")(t))
            yield Input(self.tag, id="build-tag")
            yield Static("", id="tag-error", classes="field-error")

    @on(Input.Changed, "#build-tag")
    def _check(self, event: Input.Changed) -> None:
        bad = checks.image_ref(event.value.strip())
        self.query_one("#tag-error", Static).update(
            Text(f"✗ {T('Tag', '标签')(self.lang)}: {bad}", style="bold red") if bad else "")

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
            yield Static(T("y: yes   n / Esc: no", "y：是   n / Esc：否")(self.lang), classes="dim")

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
