"""The build screen: streams an injected builder's events (wizard.build_events) with "step N/M", the elapsed
time and the outcome. The builder runs in a thread worker; Esc sets the cancel Event, which stops it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import RichLog, Static

from screens.widgets import QuietFooter
from wizard.build_events import BuildEvent, Builder
from wizard.text import T


class BuildScreen(Screen[str]):
    """Dismisses with the outcome: "done", "failed" or "cancelled"."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel build"),
        Binding("q", "close", "Close"),
    ]

    class Progress(Message):
        def __init__(self, event: BuildEvent) -> None:
            super().__init__()
            self.event = event

    class Finished(Message):
        pass

    def __init__(self, builder: Builder, context_dir: Path, tag: str, lang: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.builder, self.context_dir, self.tag, self.lang, self.clock = builder, context_dir, tag, lang, clock
        self.cancel = threading.Event()
        self.state = "running"  # running | done | failed | cancelled
        self.step, self.total, self.step_text = 0, 0, ""
        self.error = ""
        self.upload = ""  # "sending the build context: X of Y" until the first step
        self.started = 0.0
        self.ended: float | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(T(f"Building {self.tag} from {self.context_dir}",
                            f"正在从 {self.context_dir} 构建 {self.tag}")(self.lang), style="bold"), id="build-title")
        yield Static("", id="build-progress")
        yield RichLog(id="build-log", wrap=True, max_lines=5000)
        yield Static("", id="build-status")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.started = self.clock()
        self._show_progress()
        self.timer = self.set_interval(0.5, self._show_progress)
        self.run_build()

    @work(exclusive=True, exit_on_error=False, thread=True)
    def run_build(self) -> None:
        try:
            for event in self.builder(self.context_dir, self.tag, self.cancel):
                self.post_message(self.Progress(event))
                if self.cancel.is_set():
                    break
        except Exception as exc:  # the engine going away mid-build is an outcome, not a crash
            self.post_message(self.Progress(BuildEvent("error", f"{type(exc).__name__}: {exc}")))
        self.post_message(self.Finished())

    def on_build_screen_progress(self, message: Progress) -> None:
        ev = message.event
        log = self.query_one(RichLog)
        if ev.kind == "upload":
            self.upload = ev.text
            if ev.step >= ev.total:
                log.write(Text(ev.text, style="dim"))
        elif ev.kind == "step":
            self.step, self.total, self.step_text = ev.step, ev.total, ev.text
            log.write(Text(f"Step {ev.step}/{ev.total} : {ev.text}", style="bold cyan"))
        elif ev.kind == "output":
            log.write(Text.from_ansi(ev.text.rstrip("\n")))
        elif ev.kind == "error":
            self.state = "cancelled" if self.cancel.is_set() else "failed"  # a cut stream after Esc is the cancel
            self.error = ev.text
            log.write(Text(ev.text, style="bold red"))
        elif ev.kind == "done":
            if self.state == "running":
                self.state = "done"
            log.write(Text(ev.text, style="green"))
        self._show_progress()

    def on_build_screen_finished(self, _message: Finished) -> None:
        if self.state == "running":
            self.state = "cancelled" if self.cancel.is_set() else "failed"
            self.error = self.error or "the builder stopped without saying the image was built"
        self.ended = self.clock()
        self.timer.stop()
        self._show_progress()
        t = self.lang
        status = self.query_one("#build-status", Static)
        if self.state == "done":
            status.update(Text(T(f"✓ Built {self.tag}. q closes.", f"✓ 已构建 {self.tag}。按 q 关闭。")(t), style="bold green"))
        elif self.state == "cancelled":
            status.update(Text(T("Build cancelled: the engine stopped at the current step. q closes.",
                                 "构建已取消。按 q 关闭。")(t), style="bold yellow"))
        else:
            where = f"step {self.step}/{self.total}: {self.step_text}" if self.step else "before the first step"
            status.update(Text(T(f"✗ Failed at {where}\n{self.error}\nThe output above shows why. q closes.",
                                 f"✗ 失败于 {where}\n{self.error}\n原因见上方输出。按 q 关闭。")(t), style="bold red"))
        self.refresh_bindings()

    def _show_progress(self) -> None:
        elapsed = (self.ended if self.ended is not None else self.clock()) - self.started
        step = f"step {self.step}/{self.total}" if self.total else (self.upload or "step -/-")
        self.query_one("#build-progress", Static).update(
            Text(f"{step} · {int(elapsed)}s · {self.state}", style="bold"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.state == "running" and not self.cancel.is_set()
        if action == "close":
            return self.state != "running"
        return True

    def action_cancel(self) -> None:
        self.cancel.set()
        self.query_one(RichLog).write(Text(T("Cancelling...", "正在取消...")(self.lang), style="yellow"))
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(self.state)
