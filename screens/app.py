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

from screens import keys
from screens.folders import plain, save_base, source_root
from screens.idle import IdleCollector
from screens.modals import ConfirmModal, JumpModal, MessageModal, SaveModal, TagModal
from screens.recovery import Recovery, answers_step, default_dirs, save_recovery
from screens.settings import Settings, default_path
from screens.review import Blocker, auth_off, blocker, review_text
from screens.widgets import PreviewPane, QuietFooter, StepPane, StepsList, TooSmall, show_once
from wizard import scan, tree
from wizard.engine.build_events import Builder
from wizard.context import WriteReport
from wizard.host import HostFacts, engine_help, hints, prefill
from wizard.render import copied_files, summary
from wizard.scan import Finding
from wizard.session import Session
from wizard.text import Msg, in_lang, safe_to_show, tr


class WizardScreen(Screen):
    """The one persistent wizard screen; it owns the Session and re-renders on StepPane.Changed."""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next"),
        Binding("escape", "back", "Back"),
        Binding("f2", "steps", "Steps"),
        Binding("f3", "next_file", "Files"),
        Binding("ctrl+s", "save", "Save"),
        Binding("f5", "build", "Build"),
        Binding("f6", "fix", "Go to the problem"),
        Binding("f7", "wrap", "Wrap/scroll"),
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
        yield TooSmall(id="too-small")
        yield QuietFooter()

    def on_resize(self, event) -> None:
        """Say how big the terminal must be while it is too small to use the wizard."""
        self.query_one(TooSmall).show_for(event.size.width, event.size.height, self.wizard.lang)

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
        self.query_one(PreviewPane).set_wrap(self.wizard.settings.preview_wrap)
        self.refresh_state()
        self.wizard.collector.start()  # the wizard is on screen: freeze it, full collections only when idle

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
        facts = self.wizard.remote_facts() if problem is None else None
        self.wizard.engine_note = Msg("ui.engine.ready") if problem is None else Msg("ui.engine.none")
        if facts is not None:
            self.wizard.engine_note = Msg("ui.engine.remote", origin=facts.origin)
            self.app.call_from_thread(self.follow_engine, facts)
        self.app.call_from_thread(self.refresh_state)

    async def follow_engine(self, facts: HostFacts) -> None:
        """Pre-fill from the remote engine's host (wizard/engine/host_facts.py) and show the step again."""
        if self.wizard.follow_engine(facts):
            await self.show_step()

    async def show_step(self) -> None:
        """Show the session's current step and focus its first question."""
        self.query_one(TooSmall).show_for(self.size.width, self.size.height, self.wizard.lang)  # F4: its language
        await self.query_one(StepPane).show(self.wizard.session, self.wizard.lang, self.wizard.hints)
        self.refresh_state()
        self.query_one(StepPane).focus_first()

    def refresh_state(self) -> None:
        app = self.wizard
        session = app.session
        app.collector.touched()
        self.query_one(StepPane).update()
        self.query_one(StepsList).show(session, app.lang)
        if self.preview is not None:
            self.preview.show(session, app.lang)
        text = self._summary()
        show_once(self.query_one("#summary", Static), text, text.plain)
        self.refresh_bindings()
        self._lint_if_shown()

    def _summary(self) -> Text:
        """The answers in one line, the engine hint, authentication turned off, and why Save waits."""
        app = self.wizard
        line = summary(app.session.answers, app.lang)
        if app.engine_note is not None:
            line += "  ·  ⌂ " + plain(app.engine_note.in_lang(app.lang))  # it may name the engine's host
        out = Text(line, style="italic")
        for _key, warning in auth_off(app.session.answers):
            out.append("\n" + tr(warning, app.lang), style="bold red")
        blocked = blocker(app.session, app.lang)
        if blocked is not None:
            out.append("\n" + blocked.line(app.lang), style="bold yellow")
        return out

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
            self.notify(safe_to_show(f"{type(error).__name__}: {error}"), severity="error",
                        title=tr("ui.wizard.check_failed", self.wizard.lang))

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
        if action == "next":  # shown while there is a next step; a wrong answer is said when it is pressed
            return tree.next_step(session.step, session.answers) is not None
        if action == "back":
            return session.can_back()
        if action == "fix":
            return not session.valid
        return True

    def _refuse(self) -> None:
        session = self.wizard.session
        lines = [session.message(k, self.wizard.lang) for k, _ in session.step_problems()]
        # the messages quote the values as typed ("[/]" too): notify reads markup
        self.notify(safe_to_show("\n".join(m for m in lines if m), lines=True),
                    title=tr("ui.wizard.fix_first", self.wizard.lang),
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

    def action_wrap(self) -> None:
        """F7: the preview wraps long lines or scrolls them sideways; the choice is remembered."""
        settings = self.wizard.settings
        settings.preview_wrap = not settings.preview_wrap
        if self.preview is not None:
            self.preview.set_wrap(settings.preview_wrap)
        problem = settings.save()
        if problem is not None:
            self.notify(safe_to_show(in_lang(problem, self.wizard.lang)), severity="warning",
                        title=tr("ui.wizard.not_remembered", self.wizard.lang))

    def action_next_file(self) -> None:
        if self.preview is not None:
            self.preview.next_tab()

    async def action_language(self) -> None:
        self.wizard.lang = "zh" if self.wizard.lang == "en" else "en"
        keys.in_lang(self, self.wizard.lang)  # show_step refreshes the Footer
        keys.in_lang(self.app, self.wizard.lang)
        await self.show_step()

    def action_help(self) -> None:
        lang = self.wizard.lang
        self.app.push_screen(MessageModal(tr("ui.help.title", lang), tr("ui.help.body", lang), modal_id="help"))

    async def action_fix(self) -> None:
        """Go to the step holding the first problem (F6, or Enter in the dialog a blocked Save/Build shows)."""
        blocked = blocker(self.wizard.session, self.wizard.lang)
        if blocked is not None and self.wizard.session.go_to(blocked.step.id):
            await self.show_step()
            if blocked.key is not None:
                self.query_one(StepPane).focus_key(blocked.key)

    def _offer_jump(self, blocked: Blocker, action: str) -> None:
        """Save or Build pressed while an answer is not accepted: say why, and offer to go to its step."""
        lang = self.wizard.lang

        async def answered(go: bool | None) -> None:
            if go:
                await self.action_fix()

        self.app.push_screen(JumpModal(action, blocked, lang), answered)

    def action_save(self, then: Callable[[Path], None] | None = None) -> None:
        app = self.wizard
        session = app.session
        blocked = blocker(session, app.lang)
        if blocked is not None:
            self._offer_jump(blocked, "build" if then else "save")
            return

        def saved(result: tuple[Path, WriteReport] | None) -> None:
            if result is None:
                return
            folder, report = result
            app.saved(folder, report)
            written = ", ".join(report.written) or tr("ui.saved.nothing", app.lang)
            backups = "".join(f"\n{n} → {b}" for n, b in report.backups.items())
            self.notify(safe_to_show(f"{folder}: {written}{backups}", lines=True),
                        title=tr("ui.saved.title", app.lang))
            self.refresh_bindings()
            if then is not None:
                then(folder)

        def review(folder: Path | None) -> Text:
            return review_text(session, app.lang, folder, with_files=False)

        self.app.push_screen(SaveModal(session.context, app.default_folder(), app.lang, review=review), saved)

    def action_build(self) -> None:
        app = self.wizard
        blocked = blocker(app.session, app.lang)
        if blocked is not None:
            self._offer_jump(blocked, "build")
            return
        problem = app.engine_problem()
        if problem is not None:
            app.push_screen(MessageModal(tr("ui.build.cannot", app.lang),
                                         engine_help(safe_to_show(problem))(app.lang),
                                         modal_id="no-engine"))
            return

        def ask_tag(folder: Path) -> None:
            missing = [name for name in copied_files(app.session.context.dockerfile) if not (folder / name).exists()]
            if missing:
                app.push_screen(MessageModal(
                    tr("ui.build.files_first", app.lang),
                    "\n".join(tr("ui.build.file_copied", app.lang, path=safe_to_show(folder / n)) for n in missing),
                    modal_id="missing-files"))
                return

            def start(tag: str | None) -> None:
                if tag:
                    from screens.build import BuildScreen  # after the first frame: RichLog, ProgressBar

                    secrets = app.session.context.plan.secrets if app.session.context else []
                    app.push_screen(BuildScreen(app.get_builder(), folder, tag, app.lang, app.clock,
                                                history=app.get_history(), secrets=secrets), app.built)
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
                 probe_engine: bool = False, recovery_dirs: list[Path] | None = None,
                 engine_facts: Callable[[], HostFacts | None] | None = None, docker_host: str | None = None,
                 base: Path = Path("."), settings: Settings | None = None,
                 history: Callable[[str], list[dict[str, Any]]] | None = None) -> None:
        super().__init__()
        self.history = history  # the image history for the build screen's layer chart (None: the engine's)
        self.docker_host = docker_host  # --host: the engine F5, the hint and the pre-fill use (None: as docker does)
        self.settings = settings or Settings()
        self.base = base  # where a context goes by default: base / image.name (screens.folders.save_base)
        self.picked: Path | None = None  # a folder the user chose in the save dialog: the default from then on
        self.recovery_dirs = default_dirs() if recovery_dirs is None else recovery_dirs
        self.crash: Recovery | None = None  # set when an unexpected error ended the app
        self.probe_engine = probe_engine  # check the engine after the first frame and show it as a hint
        self.engine_note: Msg | None = None
        self.session = session
        self.lang = lang
        self.output = output
        self.builder = builder
        self.builder_injected = builder is not None
        self.host = host or HostFacts()
        self.hints = hints(self.host)
        self.engine = engine
        self.engine_facts = engine_facts  # the remote engine's host facts (None: ask wizard.engine.host_facts)
        self.suggested: dict[str, Any] = {}  # answers pre-filled from the host, not given by the user
        self.clock = clock
        self.reports: list[tuple[Path, WriteReport]] = []
        self.builds: list[str] = []
        self.findings: list = []
        self.found: list[Finding] = []  # what wizard.scan found in the folder (listed once at start)
        # (where --answers read them, the answers left out: (key, why)): said once at start
        self.dropped: tuple[str, list[tuple[str, str]]] = ("", [])
        self.collector = IdleCollector()  # full garbage collections between key presses (screens/idle.py)

    def push_screen(self, screen, *args, **kwargs):  # every screen's Footer keys in the wizard's language
        if isinstance(screen, Screen):
            keys.in_lang(screen, self.lang)
        return super().push_screen(screen, *args, **kwargs)

    def on_mount(self) -> None:
        keys.in_lang(self, self.lang)
        self.set_interval(0.5, self.collector.tick)
        self.push_screen(WizardScreen())
        if self.found:  # never silently: the list once, and each one under its question
            self.notify(safe_to_show("\n".join(scan.described(self.found, self.lang)), lines=True),
                        title=tr("found.title", self.lang), timeout=15)  # the folder's file names, escaped
        source, dropped = self.dropped
        if dropped:  # answers of an image that named a file outside the folder: left out, and said
            lines = [f"{key}: {in_lang(message, self.lang)}" for key, message in dropped]
            self.notify(safe_to_show("\n".join(lines), lines=True), severity="warning", timeout=30,
                        title=tr("ui.answers.dropped", self.lang, source=plain(source)))  # a title reads no markup

    def on_unmount(self) -> None:
        self.collector.stop()

    async def action_quit(self) -> None:
        """Quit; with unsaved changes, ask first."""
        if not self.session.dirty:
            self.exit(0)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        if not isinstance(self.screen, ConfirmModal):
            self.push_screen(ConfirmModal(tr("ui.quit.unsaved", self.lang), self.lang), answered)

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

    def default_folder(self) -> Path:
        """The folder the save dialog offers: -o/--output, else the one the user picked, else the start folder when
        it holds the files the answers name or is named after the image (Session.home), else base/<image name>
        (it follows the image name until the user picks a folder)."""
        if self.output is not None:
            return self.output
        return self.picked or self.session.home() or self.base / str(self.session.answers.get("image.name", "myapp"))

    def saved(self, folder: Path, report: WriteReport) -> None:
        """The save dialog wrote the context into `folder`: the answers are no longer unsaved."""
        if folder != self.default_folder():
            self.picked = folder
        self.session.mark_saved(folder)
        self.reports.append((folder, report))

    def engine_problem(self) -> str | None:
        """None when a Docker engine answers, else why not (the injected probe, else wizard.engine.connect)."""
        if self.engine is not None:
            return self.engine()
        if self.builder is not None:
            return None  # an injected builder is its own engine
        from wizard.engine.connect import default_engine_probe  # docker-py: in the worker, after the first frame
        return default_engine_probe(self.docker_host)

    def remote_facts(self) -> HostFacts | None:
        """The remote engine's host facts (None for a local engine), from the injected probe or the real one."""
        if self.engine_facts is not None:
            return self.engine_facts()
        if self.engine is not None or self.builder is not None:
            return None  # an injected engine or builder: no real engine to ask
        from wizard.engine.host_facts import remote_facts
        return remote_facts(self.host, self.docker_host)

    def follow_engine(self, facts: HostFacts) -> bool:
        """Replace the pre-filled answers the user has not changed by the engine host's; True if any changed.
        The answers stay "not changed by the user" (no unsaved-changes question for them)."""
        was_dirty = self.session.dirty
        changed = False
        for key, value in prefill(facts).items():
            if key not in self.session.given or self.session.given[key] == self.suggested.get(key, object()):
                changed |= self.session.set(key, value)
                self.suggested[key] = value
        if changed and not was_dirty:
            self.session.saved_answers = dict(self.session.answers)
        self.host, self.hints = facts, hints(facts)
        return changed

    def get_builder(self) -> Builder:
        if self.builder is None:
            from wizard.engine.build import docker_builder
            self.builder = docker_builder(host=self.docker_host)
        return self.builder

    def get_history(self) -> Callable[[str], list[dict[str, Any]]] | None:
        """The image history the build screen's layer chart reads: injected, else asked of the engine the build
        used (None, so no chart, when the builder was injected without a history: it built on no engine)."""
        if self.history is not None or self.builder_injected:
            return self.history
        host = self.docker_host

        def history(tag: str) -> list[dict[str, Any]]:
            from wizard.engine.connect import client_for

            client, _ = client_for(host)
            try:
                return client.images.get(tag).history()
            finally:
                client.close()
        return history

    def built(self, outcome: str | None) -> None:
        self.builds.append(outcome or "")


def make_app(given: Mapping[str, Any] | None = None, lang: str = "en", output: Path | None = None,
             builder: Builder | None = None, host: HostFacts | None = None, snippets: Path | None = None,
             engine: Callable[[], str | None] | None = None, base_dir: Path = Path("."),
             clock: Callable[[], float] = time.monotonic, probe_engine: bool = False,
             recovery_dirs: list[Path] | None = None,
             engine_facts: Callable[[], HostFacts | None] | None = None,
             docker_host: str | None = None, base: Path = Path("."),
             settings: Settings | None = None, found: list[Finding] | None = None,
             history: Callable[[str], list[dict[str, Any]]] | None = None, step: str = "",
             start: Path | None = None) -> WizardApp:
    """The app for the CLI and the tests. `host` pre-fills answers (the user's own `given` win over it);
    `probe_engine` checks the Docker engine after the first frame and shows the result as a hint;
    `recovery_dirs`: where the answers go after an unexpected error (default: screens.recovery.default_dirs);
    `engine_facts`: the remote engine's host facts, which replace the pre-filled ones (default: asked of the
    engine DOCKER_HOST / the docker context names, when it is remote); `base`: the folder new contexts go into
    (run_app: screens.folders.save_base); `settings`: the wizard's own remembered settings (run_app:
    screens.settings.default_path; default: nothing remembered); `found`: what wizard.scan found in the folder
    the wizard runs in (pre-filled; the user's `given` win); `history`: an image's history for the layer chart
    after a build (default: asked of the engine); `step`: the step to open at (an answers file's, when it applies to
    the answers; else the first); `start`: the folder the wizard started in (scanned), where a new context goes when
    it holds the files the answers name (Session.home)."""
    facts, found = host or HostFacts(), found or []
    from_folder = scan.given(found)
    session = Session({**prefill(facts), **from_folder, **dict(given or {})}, base_dir=base_dir, snippets=snippets,
                      step=step, start=start)
    app = WizardApp(session, lang=lang, output=output, builder=builder, host=facts, engine=engine, clock=clock,
                    probe_engine=probe_engine, recovery_dirs=recovery_dirs, engine_facts=engine_facts,
                    docker_host=docker_host, base=base, settings=settings, history=history)
    app.suggested = {k: v for k, v in prefill(facts).items() if k not in (given or {}) and k not in from_folder}
    app.found = found
    app.hints.update(scan.hints(found))  # what the folder answered is shown under its field, never silently
    return app


def finish(app: WizardApp, err: TextIO) -> int:
    """The exit status once the app has closed; after an unexpected error, say what it was and where the
    answers are (on `err`), and return 1."""
    if app.crash is not None:
        print(plain(app.crash.describe(), lines=True), file=err)
        return 1
    return app.return_code or 0


def run_app(given: Mapping[str, Any], lang: str = "en", output: Path | None = None,
            docker_host: str | None = None, dropped: tuple[str, list[tuple[str, str]]] = ("", [])) -> int:
    """Run the wizard; `dropped`: where --answers read the answers, and those it left out (said at start)."""
    from wizard.host import detect

    # The Docker probe runs after the first frame (it can take seconds when no engine answers).
    base = save_base(Path.cwd(), source_root(), Path.home())
    app = make_app(given, lang=lang, output=output, host=detect(engine=None), probe_engine=True,
                   docker_host=docker_host, base=base, settings=Settings.load(default_path()),
                   found=scan.scan(Path.cwd()), step=answers_step(dropped[0]) if given else "",
                   start=Path(".") if base == Path(".") else None)  # not in the source checkout (save_base)
    app.dropped = dropped
    app.run()
    return finish(app, sys.stderr)
