"""The wizard's widgets: one question (FieldBox), the current step's page (StepPane), the steps list and the
live preview. Attributes go down (the screen calls `show`/`update` with the Session), messages go up
(`StepPane.Changed`, `StepPane.Done`). No decision is taken here: applicability, choices, defaults and
messages all come from wizard.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Label, ListItem, ListView, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.widgets._footer import FooterKey
from textual.content import Content
from textual.visual import visualize

from screens.fileview import FileView, code_blocks
from screens.review import AUTH_OFF
from screens.folders import plain
from wizard import checks, tree
from wizard.answers import BY_KEY, Field
from wizard.choices import Choice
from wizard.session import PREVIEW_FILES, Session, display, line_changes
from wizard.text import T, in_lang, safe_to_show, tr


def show_once(widget: Static, content: Any, shown: object) -> None:
    """`widget.update(content)` unless it already shows `shown` (what `content` says): a key press re-shows every
    label of the steps list, every field's message and the summary, most of them unchanged. A layout of the
    whole screen (what Static.update asks for by default) only when the new content takes a different number
    of lines at the widget's width (bench/run.py measures key press -> preview)."""
    if getattr(widget, "_imgwizard_shown", None) != shown:
        widget._imgwizard_shown = shown  # type: ignore[attr-defined]
        width = widget.content_region.width
        lines = visualize(widget, content).get_height(widget.styles, width) if width else None
        widget.update(content, layout=lines != widget.content_size.height)


YES_NO = (Choice("true", T.of("plain.yes")), Choice("false", T.of("plain.no")))
# The placeholder of a choice field's free-text input: what else it takes.
FREE_HINTS = {"gpu.pytorch": "ui.field.free_release", "mirror.apt": "ui.field.free_mirror"}
MIRROR_HINT = FREE_HINTS["mirror.apt"]
FREE_HINT = "ui.field.free_other"


class QuietFooter(Footer):
    """A Footer that recomposes only when the shown keys or their enabled state change.

    Textual's Footer rebuilds itself on every bindings signal (each focus change, each refresh_bindings);
    in this app that was most of the time a step change took.
    """

    _shown: tuple | None = None

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        shown = tuple((b.key, b.description, enabled) for (_n, b, enabled, _t) in screen.active_bindings.values()
                      if b.show)
        if shown == self._shown:
            return
        keys = [(k, on) for k, _d, on in shown]
        same_keys = self._shown is not None and keys == [(k, on) for k, _d, on in self._shown]
        self._shown = shown
        if same_keys:  # only the descriptions changed (F4, the language): new labels in place, no rebuild
            for item in self.query(FooterKey):
                item.description = next((d for k, d, _on in shown if k == item.key), item.description)
                item.refresh(layout=True)
        else:
            self.call_after_refresh(self.recompose)


class FieldInput(Input):
    """An Input that runs its own editing keys (Ctrl+U, Backspace...) in the order they arrive, and says why a
    paste does not fit its field.

    Textual dispatches a key binding after the printable keys already queued behind it: typed fast, the text
    that follows Ctrl+U was inserted first and then erased by it (issue 14). Handled in `_on_key`, which sees the
    keys in order, the field and what validation got always agree.

    Textual's Input pastes the first line of a paste and drops the rest without a word (nothing at all when the
    paste starts with a line break). Here a paste of several lines goes into a list field as items separated by
    spaces; into any other field, a paste of several lines, or one that would make the answer longer than the
    field's limit, is refused as a whole with one notification naming the field and what it accepts, and the
    field keeps what it had. So is a paste holding a control character (a terminal passes ESC and BEL in a
    bracketed paste as they are): none reaches the field, nor the screen through it."""

    def __init__(self, *args: Any, field: Field | None = None, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field, self.lang = field, lang

    def _on_paste(self, event: events.Paste) -> None:
        field = self.field
        if field is None:
            return  # Input's own handler runs next (Textual calls each class's handler unless prevented)
        event.stop()
        event.prevent_default()
        lines = event.text.strip("\r\n").splitlines()
        if len(lines) > 1 and field.kind == "list":
            text = " ".join(line.strip() for line in lines if line.strip())
        elif len(lines) > 1:
            self._refuse("ui.field.paste_lines", count=len(lines))
            return
        else:
            text = lines[0] if lines else ""
        control = checks.control_character(text)
        if control:  # ESC, BEL, a tab...: refused as every answer with one is, and never put into the field raw
            self._refuse("refused.control", value=checks.shown(text), control=in_lang(control, self.lang))
            return
        selection = self.selection
        kept = len(self.value) - abs(selection.end - selection.start)
        if field.kind != "list" and kept + len(text) > field.max_len:
            self._refuse("ui.field.paste_long", count=len(text), max=field.max_len)
            return
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def _refuse(self, msg_id: str, **params: Any) -> None:
        assert self.field is not None
        said = tr("field.problem", self.lang, label=self.field.label(self.lang), key=self.field.key,
                  problem=tr(msg_id, self.lang, **params))
        self.app.notify(safe_to_show(said), severity="error",
                        title=tr("ui.field.not_pasted", self.lang), timeout=10)

    async def _on_key(self, event: events.Key) -> None:
        bindings = self._bindings.key_to_bindings.get(event.key)
        if bindings and not event.is_printable:
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[0].action)
            return
        await super()._on_key(event)


class TooSmall(Static):
    """Over the wizard while the terminal is too small to use it: its size and the size it needs, in the UI's
    language (at 20x8 the steps, the question and the preview were cut to a few unreadable columns)."""

    MIN_WIDTH, MIN_HEIGHT = 60, 16
    DEFAULT_CSS = """
    TooSmall {
        dock: top;
        width: 100%;
        height: 100%;
        display: none;
        padding: 0 1;
        background: $panel;
        color: $warning;
        text-style: bold;
    }
    TooSmall.-shown {
        display: block;
    }
    """

    def show_for(self, width: int, height: int, lang: str) -> None:
        """Shown (with the sizes) when `width` x `height` is under the minimum, hidden otherwise."""
        small = width < self.MIN_WIDTH or height < self.MIN_HEIGHT
        if small:
            self.update(Text(tr("ui.too_small", lang, width=width, height=height, min_width=self.MIN_WIDTH,
                                min_height=self.MIN_HEIGHT)))
        self.set_class(small, "-shown")


class ChoiceList(OptionList):
    """An OptionList that also moves with j/k (vi keys); a long list filters as you type (j and k move until a
    filter is started); a short one (Yes/No) never picks by a typed letter and says how to choose."""

    FILTER_FROM = 8  # lists with this many choices filter as you type

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Filter(Message):
        """The typed filter changed (`text` is None for a typed letter in a list that does not filter)."""

        def __init__(self, choice_list: "ChoiceList", text: str | None) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.text = text

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filter_text = ""
        self.filterable = False  # set by the FieldBox from the number of choices

    def _set_filter(self, text: str | None) -> None:
        if text is not None:
            self.filter_text = text
        self.post_message(self.Filter(self, text))

    async def _on_key(self, event: events.Key) -> None:
        char = event.character if event.is_printable else None
        if char and (self.filter_text or char not in "jk"):
            self._set_filter(self.filter_text + char if self.filterable else None)
        elif event.key == "backspace" and self.filter_text:
            self._set_filter(self.filter_text[:-1])
        elif event.key == "escape" and self.filter_text:
            self._set_filter("")
        else:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()

    def _on_paste(self, event: events.Paste) -> None:
        """Pasted text extends the filter of a long list (its printable characters; a line break ends it)."""
        event.stop()
        text = "".join(c for c in event.text.split("\n", 1)[0] if c.isprintable())[:80]
        if text:
            self._set_filter(self.filter_text + text if self.filterable else None)


def _choices(field: Field, answers: dict[str, Any]) -> tuple[Choice, ...]:
    return YES_NO if field.kind == "bool" else field.choices_for(answers)


def _option_value(field: Field, choice_value: str) -> Any:
    return choice_value == "true" if field.kind == "bool" else choice_value


def _current_choice(ol: OptionList, index: int | None, option: Option | None) -> str | None:
    """The choice value of `option`, when it is still the list's option at `index`; None when the list changed
    since (a filter typed or pasted while a highlight event was on its way: the event names the old list)."""
    if index is None or option is None or not 0 <= index < ol.option_count:
        return None
    if ol.get_option_at_index(index) is not option:
        return None
    return "" if option.id == "__empty__" else option.id


def _choice_id(field: Field, value: Any) -> str:
    if field.kind == "bool":
        return "true" if value else "false"
    return str(value)


class FieldBox(Vertical):
    """One question: label, the guide's explanation, a host hint, the input, and the message under it."""

    def __init__(self, field: Field, lang: str, hint: str | None) -> None:
        super().__init__(id=f"box-{field.key.replace('.', '-')}", classes="field")
        self.field = field
        self.lang = lang
        self.hint = hint
        self.choices: tuple[Choice, ...] | None = None  # the choices shown (after the typed filter)
        self.session: Session | None = None  # the one last shown (update)

    @property
    def is_choice(self) -> bool:
        return self.field.kind in ("choice", "bool")

    def compose(self) -> ComposeResult:
        f = self.field
        head = Text(f.label(self.lang), style="bold")
        if f.help(self.lang):
            head.append("\n" + f.help(self.lang), style="dim")
        if self.hint:
            head.append(f"\n⌂ {plain(self.hint)}", style="bold cyan")  # it may name a remote host's OS or a file
        yield Static(head, classes="field-head")
        if self.is_choice:
            yield ChoiceList(id=f"input-{f.key.replace('.', '-')}", classes="choice")
            yield Static("", classes="choice-filter")
            if f.free:
                hint = FREE_HINTS.get(f.key, MIRROR_HINT if f.section == "mirror" else FREE_HINT)
                yield FieldInput(placeholder=tr(hint, self.lang), id=f"free-{f.key.replace('.', '-')}", classes="free",
                                 field=f, lang=self.lang)
        else:
            yield FieldInput(id=f"input-{f.key.replace('.', '-')}", classes="text", field=f, lang=self.lang)
        yield Static("", classes="field-error")
        if f.key in AUTH_OFF:
            yield Static("", classes="field-warning")

    def first_focusable(self):
        return self.query_one(f"#input-{self.field.key.replace('.', '-')}")

    def update(self, session: Session) -> None:
        """Show the session's value, choices and message for this field."""
        f = self.field
        self.session = session
        value = session.value(f.key)
        if self.is_choice:
            ol = self.query_one(ChoiceList)
            every = _choices(f, session.answers)
            ol.filterable = len(every) >= ChoiceList.FILTER_FROM
            choices = self._filtered(every, ol.filter_text)
            if choices != self.choices:
                self.choices = choices
                ol.set_options([self._option(c) for c in choices])
            ids = [c.value for c in choices]
            want = _choice_id(f, value)
            # A focused list may be ahead of the session (keys typed faster than the re-render): leave it.
            if want in ids and ol.highlighted != ids.index(want) and (ol.highlighted is None or not ol.has_focus):
                ol.highlighted = ids.index(want)
            if f.free:
                free = self.query_one(f"#free-{f.key.replace('.', '-')}", Input)
                if want not in ids and not free.value and value:
                    free.value = str(value)
        else:
            inp = self.query_one(Input)
            if not inp.has_focus and inp.value != display(f, value):
                inp.value = display(f, value)
        error = self.query_one(".field-error", Static)
        message = session.message(f.key, self.lang)
        show_once(error, Text(f"✗ {message}", style="bold red") if message else "", message)
        self.set_class(bool(message), "-invalid")
        if f.key in AUTH_OFF:
            off = session.answers.get(f.key) is False
            self.query_one(".field-warning", Static).update(Text(tr(AUTH_OFF[f.key], self.lang), style="bold red")
                                                            if off else "")

    def _filtered(self, choices: tuple[Choice, ...], text: str) -> tuple[Choice, ...]:
        """The choices whose value or label holds `text` (any case)."""
        want = text.casefold()
        return tuple(c for c in choices if want in c.value.casefold() or want in c.label(self.lang).casefold())

    @on(ChoiceList.Filter)
    def _filter(self, event: ChoiceList.Filter) -> None:
        """Show the list filtered by what was typed (the first match becomes the highlighted answer when the
        answer is filtered out), or say how a short list is chosen."""
        event.stop()
        line = self.query_one(".choice-filter", Static)
        if event.text is None:
            line.update(Text(tr("ui.field.no_typing", self.lang), style="yellow"))
            return
        ol, session = event.choice_list, self.session
        if session is None:
            return
        every = _choices(self.field, session.answers)
        shown = self._filtered(every, event.text)
        self.choices = shown
        ol.set_options([self._option(c) for c in shown])
        current = _choice_id(self.field, session.value(self.field.key))
        ids = [c.value for c in shown]
        if ids:
            ol.highlighted = ids.index(current) if current in ids else 0
        if not event.text:
            line.update("")
            return
        count = tr("ui.field.count", self.lang, shown=len(shown), every=len(every)) if shown else \
            tr("ui.field.no_match", self.lang)
        line.update(Text(tr("ui.field.filter", self.lang, text=event.text, count=count), style="bold cyan"))

    def _option(self, choice: Choice) -> Option:
        text = Text(choice.label(self.lang) or "''")
        why = choice.why(self.lang)
        if why:
            text.append("\n  " + why, style="dim")
        return Option(text, id=choice.value or "__empty__")


class StepPane(VerticalScroll):
    """The current step: its title and explanation, then one FieldBox per key of the step."""

    class Changed(Message):
        """The user gave a value for a key (raw, as typed)."""

        def __init__(self, key: str, value: Any) -> None:
            super().__init__()
            self.key = key
            self.value = value

    class Done(Message):
        """Enter on the step's last question: the user wants the next step."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step_id: str | None = None
        self.lang = "en"
        self.session: Session | None = None
        # Bindings run in the app's task, Enter's Done and the steps list's Selected in the screen's: two
        # rebuilds can overlap when keys come fast. One at a time, each for the step current when it starts
        # (else both mount the same ids: DuplicateIds).
        self._rebuilding = asyncio.Lock()
        self._sent: dict[str, Any] = {}  # key -> the last value posted in Changed (see _post)

    async def show(self, session: Session, lang: str, hints: dict[str, T]) -> None:
        """Rebuild for a new step or language, then update values and messages."""
        self.session = session
        async with self._rebuilding:
            if session.step != self.step_id or lang != self.lang:
                self.step_id, self.lang = session.step, lang
                self._sent.clear()
                step = tree.BY_ID[session.step]
                await self.remove_children()
                boxes = [FieldBox(BY_KEY[k], lang,
                                  hints[k](lang) if k in hints else None) for k in step.keys]
                await self.mount(Static(Text(step.title(lang), style="bold underline"), id="step-title"),
                                 Static(step.help(lang), id="step-help"), *boxes)
                self.scroll_home(animate=False)
            self._update_boxes()

    @property
    def busy(self) -> bool:
        """A rebuild is under way."""
        return self._rebuilding.locked()

    def update(self) -> None:
        """Show the session's values and messages; skipped during a rebuild (half-mounted boxes), which
        updates them when it ends."""
        if not self.busy:
            self._update_boxes()

    def _update_boxes(self) -> None:
        session = self.session
        if session is None:
            return
        applicable = {f.key for f in session.fields()}
        for box in self.query(FieldBox):
            box.display = box.field.key in applicable
            if box.display:
                box.update(session)

    def boxes(self) -> list[FieldBox]:
        return [b for b in self.query(FieldBox) if b.display]

    def focus_first(self) -> None:
        boxes = self.boxes()
        if boxes:
            boxes[0].first_focusable().focus()

    def focus_key(self, key: str) -> None:
        """Focus the question asking `key` (when the step shows it)."""
        for box in self.boxes():
            if box.field.key == key:
                box.first_focusable().focus()
                self.call_after_refresh(self.scroll_to_widget, box, animate=False)

    def _box_of(self, widget) -> FieldBox | None:
        node = widget
        while node is not None and not isinstance(node, FieldBox):
            node = node.parent
        return node

    # ---------------------------------------------------------------- from the inputs to Changed / Done
    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        box = self._box_of(event.option_list)
        if box is None or self.session is None:
            return
        choice = _current_choice(event.option_list, event.option_index, event.option)
        if choice is None:
            return  # a highlight of the list before a filter replaced it: the new list's own highlight follows
        value = _option_value(box.field, choice)
        if box.field.free and box.query_one(Input).value:
            return  # a typed value wins over the highlight
        self._post(box.field, value)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        box = self._box_of(event.input)
        if box is None or self.session is None:
            return
        field = box.field
        value: Any = event.value
        if box.is_choice:  # the free-text input of a choice field: empty falls back to the highlighted choice
            ol = box.query_one(ChoiceList)
            value = event.value.strip()
            choice = _current_choice(ol, ol.highlighted, ol.highlighted_option)
            if not value and choice is not None:
                value = _option_value(field, choice)
        self._post(field, value)

    def _post(self, field: Field, value: Any) -> None:
        """Post Changed when `value` differs from the last one posted for the field (else from the session's).
        Setting an input from the session also fires Changed: only a different text is the user's. Compared with
        what was posted, not with the session, which lags while keys come faster than the screen handles them:
        Ctrl+U then the same text again was once dropped, leaving the field and its validation apart."""
        session = self.session
        last = self._sent.get(field.key, session.value(field.key) if session else None)
        if display(field, value) != display(field, last):
            self._sent[field.key] = value
            self.post_message(self.Changed(field.key, value))

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def _advance(self, event: Message) -> None:
        event.stop()
        widget = getattr(event, "option_list", None) or getattr(event, "input", None)
        box = self._box_of(widget)
        boxes = self.boxes()
        if box in boxes and boxes.index(box) + 1 < len(boxes):
            boxes[boxes.index(box) + 1].first_focusable().focus()
            self.call_after_refresh(lambda: self.scroll_to_widget(self.screen.focused or self, animate=False))
        else:
            self.post_message(self.Done())


class StepsList(ListView):
    """The steps, left: current highlighted, answered ticked, not applicable dimmed."""

    MARKS = {"current": "▶", "done": "✓", "todo": " ", "skip": "–"}
    # the state's look, in the label's own style: a class change re-applies the stylesheet to the item and its
    # label, a few milliseconds for each step whose state a key press changes (a skipped step is disabled, so
    # the list passes over it, and app.tcss dims it)
    LOOKS = {"current": "bold $accent", "done": "$success", "todo": "", "skip": ""}
    BINDINGS = [
        Binding("home", "edge(True)", "First step", show=False),
        Binding("end", "edge(False)", "Last step", show=False),
    ]

    def action_edge(self, first: bool) -> None:
        """Home/End: highlight the first or the last step that applies (Enter goes there)."""
        items = [i for i, item in enumerate(self.query(ListItem)) if not item.disabled]
        if items:
            self.index = items[0] if first else items[-1]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(*[ListItem(Label(""), id=f"step-{s.id}") for s in tree.STEPS], **kwargs)

    def show(self, session: Session, lang: str) -> None:
        for index, (step, state) in enumerate(session.steps()):
            item = self.query_one(f"#step-{step.id}", ListItem)
            label = f"{self.MARKS[state]} {step.title(lang)}"
            if getattr(item, "_imgwizard_shown", None) != label:  # only the steps whose state changed
                same = len(getattr(item, "_imgwizard_shown", "")) == len(label)  # the marks are one cell each
                item._imgwizard_shown = label  # type: ignore[attr-defined]
                item.query_one(Label).update(Content.styled(label, self.LOOKS[state]), layout=not same)
                item.disabled = state == "skip"
            if state == "current" and not self.has_focus:
                self.index = index


class PreviewPane(Vertical):
    """The build context as it grows: a tab per file, plus the lint findings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.texts: dict[str, str] = {}  # the current text of each file in the context
        self.painted: dict[int, tuple[str | None, str, str | None]] = {}  # tab -> (text, lang, error) it shows
        self.lang = "en"
        self.error: str | None = None
        self.wrap = False  # long lines wrap at the pane's width, else scroll sideways (the user's choice, F7)

    def set_wrap(self, wrap: bool) -> None:
        """Wrap long lines or scroll them sideways; repaints the open file."""
        self.wrap = wrap
        self.set_class(wrap, "-wrap")
        self.painted.clear()
        self._paint_active()

    def compose(self) -> ComposeResult:
        with TabbedContent(id="preview-tabs"):
            yield from self._panes()

    def _panes(self) -> ComposeResult:
        for index, (name, _lexer) in enumerate(PREVIEW_FILES):
            with TabPane(name, id=f"tab-{index}"):
                yield FileView(id=f"scroll-{index}", classes="preview-file")
        with TabPane(tr("ui.preview.lint", self.lang), id="tab-lint"):
            with VerticalScroll(classes="preview-scroll"):
                yield Static("", id="lint-findings")

    def show(self, session: Session, lang: str) -> None:
        """Take the session's files; only the open tab is highlighted now, the others when they are opened."""
        if lang != self.lang:
            self.query_one(TabbedContent).get_tab("tab-lint").label = tr("ui.preview.lint", lang)
        self.lang, self.error = lang, session.render_error
        for name, _lexer in PREVIEW_FILES:
            text = session.file_text(name)
            if text is None:
                self.texts.pop(name, None)
            else:
                self.texts[name] = text
        self._paint_active()

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self._paint_active()  # not stopped: the screen runs the linter when the lint tab opens

    def _paint_active(self) -> None:
        active = self.active
        if active.startswith("tab-") and active[4:].isdigit():
            self._paint(int(active[4:]))

    def on_resize(self, _event: events.Resize) -> None:
        if self.wrap:  # wrapped lines are cut at the pane's width: cut them again at the new one
            self.painted.clear()
            self._paint_active()

    def _paint(self, index: int) -> None:
        """Show file `index`, marking the lines changed since this tab was last shown and scrolling to them."""
        name, lexer = PREVIEW_FILES[index]
        text = self.texts.get(name)
        view = self.query_one(f"#scroll-{index}")
        error = in_lang(self.error, self.lang) if index == 0 and self.error else None
        before = self.painted.get(index)
        if before == (text, self.lang, error):
            return
        self.painted[index] = (text, self.lang, error)
        # the answers that do not render yet: why, above the last file that did
        heading = [Text(error, style="bold red")] if error else []
        if text is None:
            missing = Text(tr("ui.preview.not_part", self.lang, name=name), style="dim italic")
            view.show(*(heading or [missing]), wrap=True)
            return
        marked, line = line_changes(before[0], text) if before and before[0] else (set(), None)
        view.show(*heading, *code_blocks(text, lexer, wrap=self.wrap, marked=marked, theme="ansi_dark"),
                  wrap=self.wrap)
        if line is not None:
            self.call_after_refresh(view.scroll_to, y=max(0, line - 3), animate=False)

    def show_lint(self, findings: list, lang: str) -> None:
        if not findings:
            body = Text(tr("ui.preview.no_findings", lang), style="green")
        else:
            body = Text()
            for f in findings:
                style = "red" if f.level in ("error", "warning") else "yellow"
                body.append(tr("ui.preview.finding", lang, line=f.line, level=f.level, code=f.code, message=f.message)
                            + "\n", style=style)
        self.query_one("#lint-findings", Static).update(body)

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    def next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [f"tab-{i}" for i in range(len(PREVIEW_FILES))] + ["tab-lint"]
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)] if tabs.active in ids else ids[0]
