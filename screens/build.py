"""The build screen: streams an injected builder's events (wizard.engine.build_events) with a progress bar, the elapsed
time and an estimate, keeps the full log in build.log beside the context, and ends with the outcome: after a
failure the failing step and the output lines that say why, after success the next steps (run, check, export).
The builder runs in a thread worker; Esc sets the cancel Event, which stops it.

After success a chart beside the log shows where the image's bytes went: each layer as a bar labelled with the
wizard step that made it (wizard.engine.layers, from the image's history on the engine and the context's Dockerfile).

The estimate comes from the step count and, when this context was built before from the wizard, from the
times the previous build.log recorded for each step ("[12.3s] Step 3/10 : ...").
"""

from __future__ import annotations

import re
import shlex
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar, RichLog, Static

from screens.folders import plain
from screens.widgets import QuietFooter
from wizard.engine import layers
from wizard.engine.build_events import BuildEvent, Builder
from wizard.safeio import TEXT_LIMIT, SafeIOError, open_new_log, os_reason, read_text
from wizard.plan_start import Secret
from wizard.session import run_label
from wizard.text import in_lang, tr

LOG_NAME = "build.log"
_TIMED = re.compile(r"\[(\d+(?:\.\d+)?)s\] (?:Step (\d+)/(\d+) :|built )")
# Output lines that name the cause of a failed step (apt, pip, the shell, compilers, curl/wget...).
_CAUSE = re.compile(r"^(E:|ERROR|Error|error|fatal|FATAL)|No matching distribution|not found|No such file|"
                    r"Unable to|cannot|Could not|Permission denied|returned a non-zero|failed")
CAUSE_LINES = 6  # at most this many lines of the failing step are shown under the failure


def clock_text(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60:d}:{s % 60:02d}"


def previous_times(log_text: str) -> tuple[dict[int, float], float | None, int]:
    """From a previous build.log: when each step started, when the build ended (None if it did not), and its
    step count (0 when the log holds no times)."""
    starts: dict[int, float] = {}
    end, total = None, 0
    for found in _TIMED.finditer(log_text):
        at, step, steps = found.groups()
        if step is None:
            end = float(at)
        else:
            starts[int(step)], total = float(at), int(steps)
    return starts, end, total


def remaining(step: int, total: int, elapsed: float, step_elapsed: float,
              before: tuple[dict[int, float], float | None, int]) -> float | None:
    """Seconds left, estimated: from the previous build of this context when it had the same steps and
    finished, else from the mean time of the steps done so far; None before there is anything to go by."""
    starts, end, previous_total = before
    if end is not None and previous_total == total and step in starts:
        return max(0.0, end - starts[step] - step_elapsed)
    if 1 < step <= total:
        per_step = (elapsed - step_elapsed) / (step - 1)
        return max(0.0, per_step * (total - step + 1) - step_elapsed)
    return None


def cause_lines(lines: list[str]) -> list[str]:
    """The lines of a failed step's output that say why (the last few that look like an error), else its last
    lines."""
    clean = [" ".join(line.split()) for line in lines if line.strip()]
    causes = [line for line in clean if _CAUSE.search(line)]
    return (causes or clean)[-CAUSE_LINES:]


def next_steps(folder: Path, tag: str) -> list[tuple[str, str]]:
    """What to do with a built image (message id, command): run it as run.sh does, check its services, export it
    to a tar file."""
    tar = tag.replace("/", "_").replace(":", "-") + ".tar"
    where, image = shlex.quote(str(folder)), shlex.quote(tag)
    return [
        ("ui.build.run_it", f"cd {where} && ./run.sh"),
        ("ui.build.check_it", f"imgwizard check {image} --context {where}"),
        ("ui.build.export_it", f"imgwizard export {image} -o {shlex.quote(tar)}"),
    ]


def chart_text(view: layers.LayerView, width: int = 12, label_width: int = 24, lang: str = "en") -> Text:
    """One line per layer: size, a bar against the largest, its share, and the wizard step that made it."""
    from wizard.engine.common import human_size

    largest = max((r.size for r in view.rows), default=0) or 1
    out = Text()
    for r in view.rows:
        filled = max(1, round(width * r.size / largest))
        out.append(f"{human_size(r.size):>9} ")
        out.append("█" * filled, style="green" if r.step != layers.BASE else "blue")
        out.append("·" * (width - filled) + f" {100 * r.share:3.0f}% ", style="dim")
        out.append(plain((r.step if r.step else r.instruction)[:label_width]) + "\n")  # from the image's history
    out.append(tr("ui.build.in_all", lang, size=f"{human_size(view.total):>9}"), style="bold")
    return out


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

    class Layers(Message):
        def __init__(self, view: layers.LayerView | None, problem: str = "") -> None:
            super().__init__()
            self.view, self.problem = view, problem

    def __init__(self, builder: Builder, context_dir: Path, tag: str, lang: str,
                 clock: Callable[[], float] = time.monotonic,
                 history: Callable[[str], list[dict[str, Any]]] | None = None,
                 secrets: Sequence[Secret] = ()) -> None:
        """`history(tag)`: the image's history as the engine gives it (newest first), for the layer chart;
        `secrets`: the variables run.sh takes the image's secrets from (named in "Run it")."""
        super().__init__()
        self.secrets = tuple(secrets)
        self.builder, self.context_dir, self.tag, self.lang, self.clock = builder, context_dir, tag, lang, clock
        self.history = history
        self.layer_view: layers.LayerView | None = None
        self.cancel = threading.Event()
        self.state = "running"  # running | done | failed | cancelled
        self.step, self.total, self.step_text = 0, 0, ""
        self.step_output: list[str] = []  # the current step's output lines
        self.error = ""
        self.upload = ""  # "sending the build context: X of Y" until the first step
        self.started = 0.0
        self.step_started = 0.0
        self.ended: float | None = None
        self.log_path = context_dir / LOG_NAME
        self.log_file: TextIO | None = None
        self.before: tuple[dict[int, float], float | None, int] = ({}, None, 0)

    def compose(self) -> ComposeResult:
        yield Static(Text(tr("ui.build.title", self.lang, tag=self.tag, folder=plain(self.context_dir),
                             log=plain(self.log_path)), style="bold"), id="build-title")
        with Horizontal(id="build-bar"):
            yield ProgressBar(total=None, show_eta=False, show_percentage=True, id="build-meter")
            yield Static("", id="build-progress")
        with Horizontal(id="build-body"):
            yield RichLog(id="build-log", wrap=True, max_lines=5000)
            yield Static("", id="build-layers")  # the layer chart, after success
        yield Static("", id="build-status")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.started = self.step_started = self.clock()
        self._open_log()
        self._show_progress()
        self.timer = self.set_interval(0.5, self._show_progress)
        self.run_build()

    # ------------------------------------------------------------------ build.log
    def _open_log(self) -> None:
        """Read the previous build's step times, then start a new build.log (a link or a special file there is
        refused: the build goes on without a log, and the screen says why)."""
        try:
            self.before = previous_times(read_text(self.log_path, TEXT_LIMIT))
        except (OSError, SafeIOError):
            pass  # no previous log (or not a readable one): the estimate goes by the step count
        try:
            self.log_file = open_new_log(self.log_path)
        except SafeIOError as error:
            self.query_one(RichLog).write(Text(tr("ui.build.no_log", self.lang, why=plain(error.message(self.lang))),
                                               style="yellow"))

    def _log(self, line: str) -> None:
        if self.log_file is None:
            return
        try:
            self.log_file.write(line + "\n")
            self.log_file.flush()
        except OSError as error:  # a full disk: the build goes on, the log stops
            self._close_log()
            self.query_one(RichLog).write(Text(tr("ui.build.log_stopped", self.lang, why=os_reason(error)),
                                               style="yellow"))

    def _close_log(self) -> None:
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def _at(self) -> str:
        return f"[{self.clock() - self.started:.1f}s]"

    # ------------------------------------------------------------------ the build
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
        """Show and log one event. Its text comes from the engine (the build's own output, the instruction, the
        error): escaped (screens.folders.plain) before it reaches the log, build.log or the status."""
        ev = message.event
        text = plain(in_lang(ev.text, self.lang).rstrip("\n"))  # imgwizard's own lines (a Msg) in the UI's language
        log = self.query_one(RichLog)
        if ev.kind == "upload":  # the text in the UI's language from the counts (the event's text is English)
            from wizard.engine.common import human_size

            self.upload = tr("ui.build.sending", self.lang, sent=human_size(ev.step), total=human_size(ev.total))
            if ev.step >= ev.total:
                log.write(Text(self.upload, style="dim"))
        elif ev.kind == "step":
            self.step, self.total, self.step_text = ev.step, ev.total, text
            self.step_output, self.step_started = [], self.clock()
            self._log(f"{self._at()} Step {ev.step}/{ev.total} : {text}")
            log.write(Text(f"Step {ev.step}/{ev.total} : {text}", style="bold cyan"))
        elif ev.kind == "output":
            self.step_output.append(text)
            self._log(text)
            log.write(Text.from_ansi(text))  # from_ansi keeps a line's leading blanks; no escape is left in it
        elif ev.kind == "error":
            self.state = "cancelled" if self.cancel.is_set() else "failed"  # a cut stream after Esc is the cancel
            self.error = plain(in_lang(ev.text, self.lang), lines=True)
            self._log(f"ERROR: {self.error}")
            log.write(Text(self.error, style="bold red"))
        elif ev.kind == "done":
            if self.state == "running":
                self.state = "done"
            self._log(f"{self._at()} built {text} as {self.tag}")
            log.write(Text(text, style="green"))
        self._show_progress()

    def on_build_screen_finished(self, _message: Finished) -> None:
        if self.state == "running":
            self.state = "cancelled" if self.cancel.is_set() else "failed"
            self.error = self.error or tr("ui.build.no_end", self.lang)
            self._log(f"ERROR: {self.error}")
        self._close_log()
        self.ended = self.clock()
        self.timer.stop()
        self._show_progress()
        self.query_one("#build-status", Static).update(self._outcome())
        self.refresh_bindings()
        if self.state == "done" and self.history is not None:
            self.read_layers()

    # ------------------------------------------------------------------ the layer chart
    @work(exclusive=True, exit_on_error=False, thread=True, group="layers")
    def read_layers(self) -> None:
        try:
            dockerfile = read_text(self.context_dir / "Dockerfile", TEXT_LIMIT)
            history = self.history(self.tag)  # type: ignore[misc]
        except Exception as exc:  # an engine gone or an unreadable Dockerfile: the chart says so, the build stands
            self.post_message(self.Layers(None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            return
        base = re.search(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE)
        self.post_message(self.Layers(layers.layer_view(history, dockerfile, base.group(1) if base else "")))

    def on_build_screen_layers(self, message: Layers) -> None:
        self.layer_view = message.view
        chart = self.query_one("#build-layers", Static)
        chart.add_class("shown")
        if message.view is None:
            chart.update(Text(tr("ui.build.no_layers", self.lang, why=plain(message.problem)), style="yellow"))
            return
        out = Text(tr("ui.build.layers", self.lang) + "\n", style="bold")
        out.append_text(chart_text(message.view, lang=self.lang))
        chart.update(out)

    def _outcome(self) -> Text:
        t = self.lang
        if self.state == "done":
            out = Text(tr("ui.build.built", t, tag=self.tag) + "\n", style="bold green")
            for what, command in next_steps(self.context_dir, self.tag):
                label = run_label(self.secrets, t) if what == "ui.build.run_it" else tr(what, t)
                out.append(f"  {tr('ui.build.next_step', t, what=label)}", style="bold")
                out.append(plain(command) + "\n", style="cyan")
            out.append(tr("ui.build.q_closes", t))
            return out
        if self.state == "cancelled":
            return Text(tr("ui.build.cancelled", t), style="bold yellow")
        return self._failure()

    def _failure(self) -> Text:
        t = self.lang
        where = (tr("ui.build.at_step", t, step=self.step, total=self.total, text=self.step_text) if self.step
                 else tr("ui.build.before_first", t))
        out = Text(tr("ui.build.failed_at", t, where=where) + "\n", style="bold red")
        for line in cause_lines(self.step_output):
            out.append(f"  | {line}\n", style="red")
        out.append(f"{self.error}\n", style="bold red")
        out.append(tr("ui.build.full_log", t, log=plain(self.log_path)))
        return out

    def _show_progress(self) -> None:
        now = self.ended if self.ended is not None else self.clock()
        elapsed = now - self.started
        bar = self.query_one("#build-meter", ProgressBar)
        if self.total:
            bar.update(total=self.total, progress=self.total if self.state == "done" else max(0, self.step - 1))
        lang = self.lang
        parts = [tr("ui.build.step_of", lang, step=self.step, total=self.total) if self.total
                 else (self.upload or tr("ui.build.step_none", lang)),
                 tr("ui.build.elapsed", lang, time=clock_text(elapsed))]
        if self.state == "running":
            left = remaining(self.step, self.total, elapsed, now - self.step_started, self.before)
            parts.append(tr("ui.build.left", lang, time=clock_text(left)) if left is not None
                         else tr("ui.build.estimate_later", lang))
        parts.append(tr(f"ui.build.state.{self.state}", lang))
        self.query_one("#build-progress", Static).update(Text(" · ".join(parts), style="bold"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.state == "running" and not self.cancel.is_set()
        if action == "close":
            return self.state != "running"
        return True

    def action_cancel(self) -> None:
        self.cancel.set()
        self.query_one(RichLog).write(Text(tr("ui.build.cancelling", self.lang), style="yellow"))
        self.refresh_bindings()

    def action_close(self) -> None:
        self._close_log()
        self.dismiss(self.state)
