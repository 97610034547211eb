"""`imgwizard --plain`: the same decision tree as plain questionary prompts, then save.

It walks wizard.tree.STEPS through a wizard.session.Session exactly like the Textual app: select for choices
and yes/no, text (validated as typed) for text, numbers and lists. A question with a single choice is not asked:
its value is printed. Every prompt offers "back" (a "← Back" choice, or `<` typed at a text prompt), which
goes to the previous question asked, across steps, and from the folder prompt back to the questions.
Ctrl-C stops with nothing written (exit 130); an input that ends (stdin from /dev/null, a pipe) says to use
`imgwizard render` (exit 2). Every text comes from wizard.text's tables (`tr`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

import questionary

from screens.folders import EXPECTED, folder_of, why_not
from screens.review import saving_here
from wizard import scan, tree
from wizard.answers import Field
from wizard.context import WriteReport, plan_write, write
from wizard.host import HostFacts, detect, hints, prefill
from wizard.scan import Finding
from wizard.session import Session, display
from wizard.text import T, tr

OTHER = "__other__"
BACK = "__back__"  # what a prompt returns when the user asked to go back
BACK_TEXT = "<"  # typed alone at a text prompt: back (no text answer accepts it)
EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130


def run_plain(given: Mapping[str, Any], lang: str = "en", output: Path | None = None, input: Any = None,
              output_stream: Any = None, host: HostFacts | None = None, echo: TextIO | None = None,
              found: list[Finding] | None = None, start: Path | None = None) -> int:
    """Ask every applicable question, then save. `input`/`output_stream` are prompt_toolkit's Input/Output
    (tests pass a pipe input); `echo` receives the texts between prompts (default stdout); `found` is what
    wizard.scan found in the folder it runs in (pre-filled and listed first; the user's `given` win); `start`: that
    folder (default: the working folder when `found` is given), where the context goes when it holds the files the
    answers name or is named after the image (Session.home)."""
    echo = echo or sys.stdout
    if input is None and not sys.stdin.isatty():  # nothing to answer the prompts: say so before asking
        print(tr("plain.no_terminal", lang), file=sys.stderr)
        return EXIT_USAGE
    facts = host if host is not None else detect(engine=None)
    if start is None and found is not None:
        start = Path(".")
    found = found or []
    session = Session({**prefill(facts), **scan.given(found), **dict(given)}, start=start)
    flow = _Flow(session, lang, {**hints(facts), **scan.hints(found)},
                 {k: v for k, v in (("input", input), ("output", output_stream)) if v is not None}, echo)
    try:
        flow.say_found(found)
        folder, saved = flow.run(output)
    except EXPECTED as exc:  # the folder took the plan but not the files (a disk full, a race)
        flow.say(tr("plain.cannot_write", lang, folder=flow.folder, why=why_not(flow.folder, exc, lang)))
        return 1
    except KeyboardInterrupt:
        flow.say(tr("plain.interrupted", lang))
        return EXIT_INTERRUPTED
    except EOFError:  # the input ended: stdin is /dev/null or a pipe that ran out, or Ctrl+D at a terminal
        if input is None and sys.stdin.isatty():
            flow.say(tr("plain.interrupted", lang))
            return EXIT_INTERRUPTED
        print(tr("plain.no_terminal", lang), file=sys.stderr)
        return EXIT_USAGE
    if saved is None:
        return EXIT_USAGE if folder is None else EXIT_OK
    flow.say_saved(folder, saved)
    return EXIT_OK


class _Flow:
    """One plain run: the session, the language, the found hints, prompt_toolkit's input/output, the echo."""

    def __init__(self, session: Session, lang: str, found: dict[str, T], io: dict, echo: TextIO) -> None:
        self.session, self.lang, self.found, self.io, self.echo = session, lang, found, io, echo
        self.header: str | None = None  # the step whose title was printed last
        self.folder: Path = session.default_folder()  # where the files go (the last folder the user gave)

    def say(self, text: str) -> None:
        print(text, file=self.echo)

    def say_found(self, found: list[Finding]) -> None:
        if found:
            self.say(tr("found.title", self.lang))
        for line in scan.described(found, self.lang):
            self.say(line)

    # -------------------------------------------------------------- the questions
    def run(self, output: Path | None) -> tuple[Path | None, WriteReport | None]:
        """Ask until saved: (folder, report); (folder, None) when the user said not to write; (None, None) when
        the answers cannot be saved."""
        session, index = self.session, 0
        while True:
            self.walk(index)
            if not session.valid:
                for key, _ in session.problems:
                    self.say(f"✗ {session.message(key, self.lang)}")
                self.say(tr("plain.nothing_written", self.lang))
                return None, None
            default = session.default_folder(output)
            here = saving_here(session, default, self.lang)
            if here:
                self.say(here)
            folder, report = self.ask_folder(str(default))
            while folder is not None and report is not None:
                written = self.confirm_write(folder, report)
                if written != BACK:
                    return folder, written
                folder, report = self.ask_folder(str(folder))  # back from "write?": the folder again
            index = len(self.asked()) - 1  # back from the folder: the last question again

    def asked(self) -> list[Field]:
        """The current step's fields that are asked (a single choice is printed, not asked)."""
        return [f for f in self.session.fields() if _only_choice(self.session, f) is None]

    def walk(self, index: int) -> None:
        """Ask from the `index`th asked question of the current step to the end of the tree."""
        session = self.session
        while True:
            step = tree.BY_ID[session.step]
            if self.header != step.id:
                self.header = step.id
                self.say(f"\n== {step.title(self.lang)} ==\n{step.help(self.lang)}")
            fields = session.fields()
            if index >= len(fields):
                if session.step_problems():
                    for key, _ in session.step_problems():
                        self.say(f"  ✗ {session.message(key, self.lang)}")
                    index = 0  # ask the step again
                    continue
                if not session.go_next():
                    return
                index = 0
                continue
            index = self.answer(fields, index)

    def answer(self, fields: list[Field], index: int) -> int:
        """Ask fields[index] (or print it when it has a single choice); the index to go on with."""
        field, session = fields[index], self.session
        only = _only_choice(session, field)
        if only is not None:
            self.say(tr("plain.only", self.lang, label=field.label(self.lang), value=only.label(self.lang)))
            session.set(field.key, only.value)
            return index + 1
        if field.key in self.found:
            self.say(f"  ⌂ {self.found[field.key](self.lang)}")
        value = _ask(session, field, self.lang, self.io)
        if value == BACK:
            return self.back(fields, index)
        session.set(field.key, value)
        return index + 1

    def back(self, fields: list[Field], index: int) -> int:
        """The index of the question before fields[index] that is asked, in this step or an earlier one."""
        earlier = [i for i in range(index) if _only_choice(self.session, fields[i]) is None]
        if earlier:
            return earlier[-1]
        here = self.session.step
        while self.session.go_back():
            asked = self.asked()
            if asked:
                return self.session.fields().index(asked[-1])
        self.session.go_to(here)
        self.say(tr("plain.first", self.lang))
        return index

    # -------------------------------------------------------------- saving
    def ask_folder(self, default: str) -> tuple[Path | None, WriteReport | None]:
        """Ask where to save until a folder can take the context (one line says why one cannot); (None, None)
        when the user goes back to the questions."""
        while True:
            text = questionary.text(tr("plain.save_in", self.lang), default=default,
                                    instruction=tr("plain.back_hint", self.lang), **self.io).unsafe_ask().strip()
            if text == BACK_TEXT:
                return None, None
            try:
                self.folder = folder = folder_of(text)
                return folder, plan_write(self.session.context, folder)
            except EXPECTED as exc:
                self.say(tr("plain.cannot_save", self.lang, why=why_not(text, exc, self.lang)))
                default = text

    def confirm_write(self, folder: Path, report: WriteReport) -> Any:
        """The write's report; None when the user says no; BACK to pick the folder again."""
        for name, backup in report.backups.items():
            self.say(tr("plain.overwrite", self.lang, name=name, backup=backup))
        answer = questionary.select(tr("plain.write", self.lang, count=len(report.written), folder=folder),
                                    choices=_yes_no_back(self.lang), instruction=tr("plain.select_hint", self.lang),
                                    **self.io).unsafe_ask()
        if answer is False:
            self.say(tr("plain.nothing_written", self.lang))
            return None
        return BACK if answer == BACK else write(self.session.context, folder)

    def say_saved(self, folder: Path, report: WriteReport) -> None:
        lang = self.lang
        files = ", ".join(report.written) or tr("plain.nothing_new", lang)
        self.say(tr("plain.wrote", lang, files=files, folder=folder))
        for name, what in report.missing:
            self.say(tr("plain.todo", lang, name=name, folder=folder, what=what))
        self.say(tr("plain.build_it", lang, image=self.session.context.image, folder=folder))


def _only_choice(session: Session, field: Field):
    """The one Choice of a choice field that has no other (and takes no typed value), else None."""
    if field.kind != "choice" or field.free:
        return None
    choices = field.choices_for(session.answers)
    return choices[0] if len(choices) == 1 else None


def _ask(session: Session, field: Field, lang: str, io: dict) -> Any:
    """The user's answer to one field, or BACK."""
    label, help_text = field.label(lang), field.help(lang)
    value = session.value(field.key)
    if field.kind == "bool":
        choices = _yes_no_back(lang)
        return questionary.select(f"{label} — {help_text}", choices=choices, default=choices[0 if value else 1],
                                  instruction=tr("plain.select_hint", lang), **io).unsafe_ask()
    if field.kind == "choice":
        choices = [questionary.Choice(title=_title(c, lang), value=c.value) for c in field.choices_for(session.answers)]
        if field.free:
            choices.append(questionary.Choice(title=tr("plain.other", lang), value=OTHER))
        default = next((c for c in choices if c.value == value), None)
        back = questionary.Choice(title=tr("plain.back", lang), value=BACK)
        picked = questionary.select(f"{label} — {help_text}", choices=[*choices, back], default=default,
                                    instruction=tr("plain.select_hint", lang), **io).unsafe_ask()
        if picked != OTHER:
            return picked
    text = questionary.text(f"{label} — {help_text}", default=display(field, value) if value is not None else "",
                            validate=_checker(session, field, lang), instruction=tr("plain.back_hint", lang),
                            **io).unsafe_ask()
    return BACK if text.strip() == BACK_TEXT else text


def _yes_no_back(lang: str) -> list[questionary.Choice]:
    return [questionary.Choice(title=tr("plain.yes", lang), value=True),
            questionary.Choice(title=tr("plain.no", lang), value=False),
            questionary.Choice(title=tr("plain.back", lang), value=BACK)]


def _title(choice, lang: str) -> str:
    why = choice.why(lang)
    return f"{choice.label(lang) or tr('plain.empty', lang)}" + (f" — {why}" if why else "")


def _checker(session: Session, field: Field, lang: str):
    """A questionary validator: True (also for `<`, back), or the message naming the field and what is accepted."""

    def check(text: str) -> bool | str:
        return text.strip() == BACK_TEXT or session.check(field.key, text, lang) or True

    return check
