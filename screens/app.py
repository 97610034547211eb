"""The Textual wizard: steps left, the current question in the middle, the live build context right.

`make_app` is the one factory the CLI (`run_app`) and the tests use; every side effect is injected: the given
answers, the host facts, the builder, the engine probe, the output folder, the snippets folder, the clock and the
folders a recovery file may go to. An error nobody foresaw never costs the answers: they go to a recovery file,
the app exits with status 1 and `finish` says what failed and where the answers are.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.css.query import NoMatches
from textual.widget import MountError
from textual.widgets import ListView, Static
from textual.worker import Worker, WorkerFailed, WorkerState

from screens.build import BuildScreen
from screens.modals import ConfirmModal, MessageModal, SaveModal, TagModal
from screens.recovery import Recovery, default_dirs, save_recovery
from screens.widgets import PreviewPane, QuietFooter, StepPane, StepsList, show_once
from wizard import tree
from wizard.build_events import Builder
from wizard.context import WriteReport
from wizard.host import HostFacts, default_engine_probe, engine_help, hints, prefill
from wizard.render import copied_files, summary
from wizard.session import Session
from wizard.text import T

HELP = T(
    "Answer the questions in the middle; the build context on the right follows every change "
    "(changed lines are highlighted, F3 shows the other files and the lint findings).\n\n"
    "  ↑ ↓ / j k    move between choices (the highlighted one is the answer)\n"
    "  Enter        next question; on the last one, the next step\n"
    "  Tab          next field\n"
    "  Ctrl+N       next step (refused while a field of the step is wrong)\n"
    "  Esc          previous step\n"
    "  F2           the steps list: pick a step with ↑ ↓ and Enter\n"
    "  F3           next preview file (Dockerfile, entry wrapper, compose.yaml, run.sh, answers, lint)\n"
    "  F4           中文 / English\n"
    "  Ctrl+S       save the build context (asks the folder, shows what it overwrites, keeps NAME.bak)\n"
    "  F5           build the image with Docker (saves first; Esc cancels the build)\n"
    "  F1           this help\n"
    "  Ctrl+Q       quit (asks when there are unsaved changes)\n\n"
    "⌂ marks values detected on this host; they are only suggestions.",
    "在中间回答问题；右侧构建目录随每次修改更新（改动行高亮，F3 查看其他文件和检查结果）。\n\n"
    "  ↑ ↓ / j k    在选项间移动（高亮的即为答案）\n"
    "  Enter        下一个问题；最后一个问题时进入下一步\n"
    "  Tab          下一个输入框\n"
    "  Ctrl+N       下一步（本步有错误时不能前进）\n"
    "  Esc          上一步\n"
    "  F2           步骤列表：用 ↑ ↓ 和 Enter 跳转\n"
    "  F3           下一个预览文件（Dockerfile、入口脚本、compose.yaml、run.sh、答案文件、检查结果）\n"
    "  F4           中文 / English\n"
    "  Ctrl+S       保存构建目录（询问目录，显示将覆盖的文件，保留 NAME.bak 备份）\n"
    "  F5           用 Docker 构建镜像（先保存；Esc 取消构建）\n"
    "  F1           帮助\n"
    "  Ctrl+Q       退出（有未保存的修改时会询问）\n\n"
    "⌂ 表示从本机检测到的值，仅作建议。",
)


class WizardScreen(Screen):
    """The one persistent wizard screen; it owns the Session and re-renders on StepPane.Changed."""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next"),
        Binding("escape", "back", "Back"),
        Binding("f2", "steps", "Steps"),
        Binding("f3", "next_file", "Files"),
        Binding("ctrl+s", "save", "Save"),
        Binding("f5", "build", "Build"),
        Binding("f4", "language", "中文/English"),
        Binding("f1", "help", "Help"),
    ]

    def compose(self) -> ComposeResult:
        # The preview (six tabs, highlighted text) is mounted right after the first frame, Textual's lazy-mount
        # pattern: the steps and the first question show at once, the preview a frame later (bench/run.py
        # measures both).
        with Horizontal(id="main"):
            yield StepsList(id="steps")
            with Vertical(id="middle"):
                yield Static("", id="summary")
                yield StepPane(id="pane")
        yield QuietFooter()

    @property
    def wizard(self) -> "WizardApp":
        return self.app  # type: ignore[return-value]

    async def on_mount(self) -> None:
        await self.show_step()
        self.call_after_refresh(self._add_preview)
        if self.wizard.probe_engine:
            self.check_engine()

    async def _add_preview(self) -> None:
        try:
            await self.query_one("#main", Horizontal).mount(PreviewPane(id="preview"))
        except MountError:  # the app quit before its first frame was followed by a second
            return
        self.refresh_state()

    @property
    def preview(self) -> PreviewPane | None:
        """The preview pane, or None in the moment before it is mounted."""
        try:
            return self.query_one(PreviewPane)
        except NoMatches:
            return None

    @work(exclusive=True, exit_on_error=False, thread=True, group="engine")
    def check_engine(self) -> None:
        """Whether a Docker engine answers, checked after the first frame (it can take seconds) and shown as a
        hint on the summary line; F5 says how to start one."""
        problem = self.wizard.engine_problem()
        self.wizard.engine_note = (T("Docker engine: ready (F5 builds)", "Docker 引擎：可用（F5 构建）") if problem is None
                                   else T("No Docker engine answers: you can still save; F5 says how to start one",
                                          "Docker 引擎没有响应：仍可保存；按 F5 查看如何启动"))
        self.app.call_from_thread(self.refresh_state)

    async def show_step(self) -> None:
        """Show the session's current step and focus its first question."""
        await self.query_one(StepPane).show(self.wizard.session, self.wizard.lang, self.wizard.hints)
        self.refresh_state()
        self.query_one(StepPane).focus_first()

    def refresh_state(self) -> None:
        app = self.wizard
        session = app.session
        self.query_one(StepPane).update()
        self.query_one(StepsList).show(session, app.lang)
        if self.preview is not None:
            self.preview.show(session, app.lang)
        line = summary(session.answers, app.lang)
        if app.engine_note is not None:
            line += "  ·  ⌂ " + app.engine_note(app.lang)
        show_once(self.query_one("#summary", Static), Text(line, style="italic"), line)
        self.refresh_bindings()
        self._lint_if_shown()

    def _lint_if_shown(self) -> None:
        """hadolint runs only while the lint tab is open: typing stays fast everywhere else."""
        context = self.wizard.session.context
        if context is not None and self.preview is not None and self.preview.active == "tab-lint":
            self.lint_preview(context.dockerfile)

    def on_tabbed_content_tab_activated(self, _event) -> None:
        self._lint_if_shown()

    @work(exclusive=True, exit_on_error=False, thread=True, group="lint")
    def lint_preview(self, text: str) -> None:
        from wizard.lint import lint  # the parser library is slow to import: not on the way to the first frame

        findings = lint(text)
        self.app.call_from_thread(self.query_one(PreviewPane).show_lint, findings, self.wizard.lang)
        self.wizard.findings = findings

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background check (engine, lint) that fails is shown; it holds no answers, so the wizard goes on."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", severity="error",
                        title=T("A background check failed", "后台检查失败")(self.wizard.lang))

    # ------------------------------------------------------------------ messages up
    def on_step_pane_changed(self, message: StepPane.Changed) -> None:
        self.wizard.session.set(message.key, message.value)
        self.refresh_state()

    async def on_step_pane_done(self, _message: StepPane.Done) -> None:
        if self.wizard.session.can_next():
            await self.action_next()
        elif tree.next_step(self.wizard.session.step, self.wizard.session.answers) is None:
            self.action_save()
        else:
            self._refuse()

    async def on_list_view_selected(self, event: ListView.Selected) -> None:
        step_id = (event.item.id or "").removeprefix("step-")
        if step_id in tree.BY_ID and self.wizard.session.go_to(step_id):
            await self.show_step()

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.wizard.session
        if action == "next":
            return session.can_next()
        if action == "back":
            return session.can_back()
        if action in ("save", "build"):
            return session.valid
        return True

    def _refuse(self) -> None:
        session = self.wizard.session
        lines = [session.message(k, self.wizard.lang) for k, _ in session.step_problems()]
        self.notify("\n".join(m for m in lines if m), title=T("Fix this step first", "请先修正本步")(self.wizard.lang),
                    severity="error")

    async def action_next(self) -> None:
        if self.wizard.session.go_next():
            await self.show_step()
        else:
            self._refuse()

    async def action_back(self) -> None:
        if self.wizard.session.go_back():
            await self.show_step()

    def action_steps(self) -> None:
        self.query_one(StepsList).focus()

    def action_next_file(self) -> None:
        if self.preview is not None:
            self.preview.next_tab()

    async def action_language(self) -> None:
        self.wizard.lang = "zh" if self.wizard.lang == "en" else "en"
        await self.show_step()

    def action_help(self) -> None:
        self.app.push_screen(MessageModal(T("imgwizard keys", "imgwizard 按键")(self.wizard.lang),
                                          HELP(self.wizard.lang), modal_id="help"))

    def action_save(self, then: Callable[[Path], None] | None = None) -> None:
        app = self.wizard
        session = app.session
        if not session.valid:
            self._refuse_invalid()
            return

        def saved(result: tuple[Path, WriteReport] | None) -> None:
            if result is None:
                return
            folder, report = result
            app.saved(folder, report)
            written = ", ".join(report.written) or T("nothing changed", "没有变化")(app.lang)
            backups = "".join(f"\n{n} → {b}" for n, b in report.backups.items())
            self.notify(f"{folder}: {written}{backups}", title=T("Saved", "已保存")(app.lang))
            self.refresh_bindings()
            if then is not None:
                then(folder)

        self.app.push_screen(SaveModal(session.context, session.default_folder(app.output), app.lang), saved)

    def _refuse_invalid(self) -> None:
        session = self.wizard.session
        lines = [session.message(k, self.wizard.lang) or k for k, _ in session.problems] or [session.render_error or ""]
        self.notify("\n".join(lines), title=T("Some answers are not accepted", "有答案不被接受")(self.wizard.lang),
                    severity="error")

    def action_build(self) -> None:
        app = self.wizard
        problem = app.engine_problem()
        if problem is not None:
            app.push_screen(MessageModal(T("Cannot build", "无法构建")(app.lang), engine_help(problem)(app.lang),
                                         modal_id="no-engine"))
            return

        def ask_tag(folder: Path) -> None:
            missing = [name for name in copied_files(app.session.context.dockerfile) if not (folder / name).exists()]
            if missing:
                app.push_screen(MessageModal(
                    T("Files to add first", "请先放入这些文件")(app.lang),
                    "\n".join(T(f"{folder / n}: the Dockerfile COPYs it (see README.md there)",
                                 f"{folder / n}：Dockerfile 需要复制它（见该目录的 README.md）")(app.lang) for n in missing),
                    modal_id="missing-files"))
                return

            def start(tag: str | None) -> None:
                if tag:
                    app.push_screen(BuildScreen(app.get_builder(), folder, tag, app.lang, app.clock), app.built)
            app.push_screen(TagModal(app.session.context.image, app.lang), start)

        if app.session.dirty or app.session.saved_to is None:
            self.action_save(then=ask_tag)
        else:
            ask_tag(app.session.saved_to)


class WizardApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "imgwizard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, session: Session, lang: str = "en", output: Path | None = None,
                 builder: Builder | None = None, host: HostFacts | None = None,
                 engine: Callable[[], str | None] | None = None, clock: Callable[[], float] = time.monotonic,
                 probe_engine: bool = False, recovery_dirs: list[Path] | None = None) -> None:
        super().__init__()
        self.recovery_dirs = default_dirs() if recovery_dirs is None else recovery_dirs
        self.crash: Recovery | None = None  # set when an unexpected error ended the app
        self.probe_engine = probe_engine  # check the engine after the first frame and show it as a hint
        self.engine_note: T | None = None
        self.session = session
        self.lang = lang
        self.output = output
        self.builder = builder
        self.host = host or HostFacts()
        self.hints = hints(self.host)
        self.engine = engine
        self.clock = clock
        self.reports: list[tuple[Path, WriteReport]] = []
        self.builds: list[str] = []
        self.findings: list = []

    def on_mount(self) -> None:
        self.push_screen(WizardScreen())

    async def action_quit(self) -> None:
        """Quit; with unsaved changes, ask first."""
        if not self.session.dirty:
            self.exit(0)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        if not isinstance(self.screen, ConfirmModal):
            self.push_screen(ConfirmModal(T("There are unsaved changes. Quit without saving?",
                                            "有未保存的修改。不保存就退出吗？")(self.lang), self.lang), answered)

    def _handle_exception(self, error: Exception) -> None:
        """Textual calls this for every exception nobody caught: in a handler, a callback, compose, a timer, a
        worker that exits on error (Textual 8.2: message_pump, widget, worker, timer). It is the one place to
        keep the answers: they go to a recovery file and the app exits with status 1 (Textual's own would print
        a traceback and lose them)."""
        if self.crash is None:
            cause = error.error if isinstance(error, WorkerFailed) else error
            self.crash = save_recovery(self.session, cause, self.recovery_dirs)
        self._exception_event.set()  # what Textual's own sets: a Pilot stops waiting on the pump that died
        self.exit(None, return_code=1)

    def saved(self, folder: Path, report: WriteReport) -> None:
        """The save dialog wrote the context into `folder`: the answers are no longer unsaved."""
        self.session.mark_saved(folder)
        self.reports.append((folder, report))

    def engine_problem(self) -> str | None:
        """None when a Docker engine answers, else why not (the injected probe, else docker_ops)."""
        if self.engine is not None:
            return self.engine()
        if self.builder is not None:
            return None  # an injected builder is its own engine
        return default_engine_probe()

    def get_builder(self) -> Builder:
        if self.builder is None:
            from wizard.docker_ops import docker_builder
            self.builder = docker_builder()
        return self.builder

    def built(self, outcome: str | None) -> None:
        self.builds.append(outcome or "")


def make_app(given: Mapping[str, Any] | None = None, lang: str = "en", output: Path | None = None,
             builder: Builder | None = None, host: HostFacts | None = None, snippets: Path | None = None,
             engine: Callable[[], str | None] | None = None, base_dir: Path = Path("."),
             clock: Callable[[], float] = time.monotonic, probe_engine: bool = False,
             recovery_dirs: list[Path] | None = None) -> WizardApp:
    """The app for the CLI and the tests. `host` pre-fills answers (the user's own `given` win over it);
    `probe_engine` checks the Docker engine after the first frame and shows the result as a hint;
    `recovery_dirs`: where the answers go after an unexpected error (default: screens.recovery.default_dirs)."""
    facts = host or HostFacts()
    session = Session({**prefill(facts), **dict(given or {})}, base_dir=base_dir, snippets=snippets)
    return WizardApp(session, lang=lang, output=output, builder=builder, host=facts, engine=engine, clock=clock,
                     probe_engine=probe_engine, recovery_dirs=recovery_dirs)


def finish(app: WizardApp, err: TextIO) -> int:
    """The exit status once the app has closed; after an unexpected error, say what it was and where the
    answers are (on `err`), and return 1."""
    if app.crash is not None:
        print(app.crash.describe(), file=err)
        return 1
    return app.return_code or 0


def run_app(given: Mapping[str, Any], lang: str = "en", output: Path | None = None) -> int:
    from wizard.host import detect

    # The Docker probe runs after the first frame (it can take seconds when no engine answers).
    app = make_app(given, lang=lang, output=output, host=detect(engine=None), probe_engine=True)
    app.run()
    return finish(app, sys.stderr)
