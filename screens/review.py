"""What the wizard tells the user about the answers as a whole: authentication turned off (on the step, the
summary line and the save dialog), why Save and Build are unavailable and which step to fix, and the review
page shown before saving (every answer grouped by step, what it changes, the warnings, the files to add).

Pure functions of the Session: the screens only show what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from rich.text import Text

from wizard import scan, tree
from wizard.answers import BY_KEY, Field
from wizard.session import Session, display
from wizard.text import in_lang, tr

# The answers that turn authentication off, and the message id of what that lets anyone do (the CLI's warning).
AUTH_OFF: dict[str, str] = {
    "desktop.auth": "ui.auth_off.desktop",
    "app.auth": "ui.auth_off.app",
}


def auth_off(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, warning's message id) for each authentication the answers turn off (only keys that apply are in
    `answers`)."""
    return [(key, warning) for key, warning in AUTH_OFF.items() if answers.get(key) is False]


def step_of(key: str, answers: Mapping[str, Any]) -> tree.Step:
    """The step that asks `key` (the first that applies to the answers, else the first that lists it)."""
    holding = [s for s in tree.STEPS if key in s.keys]
    return next((s for s in holding if s.applies(answers)), holding[0] if holding else tree.STEPS[0])


@dataclass(frozen=True)
class Blocker:
    """Why Save and Build are unavailable and the step that fixes it."""

    step: tree.Step
    message: str
    key: str | None = None  # the answer not accepted (None when the context cannot be made)

    def line(self, lang: str) -> str:
        """One short line for the summary (the full message is under the field and in the dialog)."""
        what = f"{BY_KEY[self.key].label(lang)} ({self.key})" if self.key in BY_KEY else self.message[:60]
        return tr("ui.blocked.line", lang, step=self.step.title(lang), what=what)


def blocker(session: Session, lang: str) -> Blocker | None:
    """None when the answers can be saved, else the first problem and its step."""
    if session.valid:
        return None
    if session.problems:
        key = session.problems[0][0]
        if key in BY_KEY:
            return Blocker(step_of(key, session.answers), session.message(key, lang) or key, key)
        return Blocker(tree.BY_ID[session.step], f"{key}: {in_lang(session.problems[0][1], lang)}")
    return Blocker(tree.BY_ID[session.step], in_lang(session.render_error, lang) or tr("ui.blocked.no_context", lang))


# ------------------------------------------------------------------ the review page


def _shown_value(field: Field, value: Any, answers: Mapping[str, Any], lang: str) -> str:
    if field.kind == "bool":
        return tr("ui.review.yes" if value else "ui.review.no", lang)
    for choice in field.choices_for(answers) if field.kind == "choice" else ():
        if choice.value == value:
            return choice.label(lang) or repr(value)
    return display(field, value) or tr("plain.empty", lang)


def _what_it_changes(field: Field, value: Any, answers: Mapping[str, Any], lang: str) -> str:
    """The choice's reason when the answer is a choice, else the first sentence of the field's explanation."""
    if field.kind == "choice":
        for choice in field.choices_for(answers):
            if choice.value == value and choice.why(lang):
                return choice.why(lang)
    help_text = field.help(lang)
    for stop in (". ", "。"):
        help_text = help_text.split(stop)[0]
    return help_text


def _answers(session: Session, lang: str) -> Text:
    out = Text()
    answers = session.answers
    for step in tree.STEPS:
        fields = step.fields(answers) if step.applies(answers) else []
        if not fields:
            continue
        out.append(f"{step.title(lang)}\n", style="bold underline")
        for field in fields:
            value = answers.get(field.key)
            out.append(f"  {field.label(lang)}: ", style="bold")
            out.append(_shown_value(field, value, answers, lang) + "\n")
            why = _what_it_changes(field, value, answers, lang)
            if why:
                out.append(f"      {why}\n", style="dim")
    return out


def _section(title_id: str, lines: list[str], lang: str, style: str) -> Text:
    out = Text(f"{tr(title_id, lang)}\n", style="bold")
    for line in lines or [tr("ui.review.none", lang)]:
        out.append(f"  {line}\n", style=style if lines else "dim")
    return out


def warnings(session: Session, lang: str) -> list[str]:
    """Authentication turned off first, then the plan's other warnings."""
    ctx = session.context
    loud = [tr(w, lang) for _k, w in auth_off(session.answers)]
    return loud + [in_lang(w, lang) for w in (ctx.warnings if ctx else []) if w.split(" ")[0] not in AUTH_OFF]


def files_to_add(session: Session, folder: Path | None, lang: str = "en") -> list[str]:
    """The files the user provides (plan.user_files) that the folder does not hold yet."""
    ctx = session.context
    if ctx is None:
        return []
    return [tr("ui.save.file_what", lang, name=name, what=what) for name, what in ctx.plan.user_files
            if folder is None or not (folder / name).exists()]


def saving_here(session: Session, folder: Path | None, lang: str = "en") -> str | None:
    """One line when `folder` is the folder the wizard started in and the context goes there (Session.home): why,
    so nobody looks for ./NAME/; else None."""
    home, why = session.home(), session.saves_here()
    if home is None or why is None or folder is None:
        return None
    try:
        same = folder.resolve() == home.resolve()
    except (OSError, RuntimeError):  # a loop of links: not the start folder
        return None
    return scan.SAVING_HERE(lang).format(why=why(lang)) if same else None


def review_text(session: Session, lang: str, folder: Path | None = None, with_files: bool = True) -> Text:
    """The review page: where it is saved (when that is the start folder), warnings, files to add (unless the
    caller lists them), every answer grouped by step with what it changes."""
    out = Text(style="bold")  # the page's base style, as the first section's (a bold title) has always given it
    here = saving_here(session, folder, lang)
    if here:
        out.append(here + "\n\n", style="green")
    out.append(_section("ui.review.warnings", warnings(session, lang), lang, "bold red"))
    out.append("\n")
    if with_files:
        out.append(_section("ui.review.files", files_to_add(session, folder, lang), lang, "bold cyan"))
        out.append("\n")
    out.append(f"{tr('ui.review.answers', lang)}\n", style="bold")
    out.append(_answers(session, lang))
    return out
