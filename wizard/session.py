"""The state of one wizard run, shared by the Textual app and the plain prompts (no UI imports here).

A Session holds what the user gave (raw, exactly as typed, so nothing is lost while a value is still bad),
the resolved answers and problems (wizard.validate), the current step and the rendered build context.
The screens only display this and call `set`, `go_next`, `go_back`, `go_to`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from wizard import scan, tree
from wizard.answers import BY_KEY, Field
from wizard.plan_start import Secret
from wizard.render import BuildContext, render
from wizard.text import Msg, T, tr
from wizard.validate import validate

# The files the preview shows, in tab order: (file name in the context, Rich lexer name).
PREVIEW_FILES: tuple[tuple[str, str], ...] = (
    ("Dockerfile", "docker"),
    ("imgwizard-entry.sh", "bash"),
    ("compose.yaml", "yaml"),
    ("run.sh", "bash"),
    ("imgwizard.toml", "toml"),
)


# The step the user was at, kept in an answers file as a comment (every reader of the format skips it): a recovery
# file, given to `--answers`, reopens the wizard at that step; a file without the line starts at the first step.
STEP_MARK = "# imgwizard step: "


def step_line(step: str) -> str:
    return f"{STEP_MARK}{step}\n"


def step_of(text: str) -> str:
    """The step an answers file names (its STEP_MARK line, when that names a step of the tree), else ""."""
    for line in text.splitlines():
        if line.startswith(STEP_MARK):
            name = line[len(STEP_MARK):].strip()
            return name if name in tree.BY_ID else ""
    return ""


# "Run it" on the build screen when run.sh reads variables: it names them, so nobody meets run.sh's refusal first.
RUN_WITH = T(" with {names} set", "（先设置 {names}）")
RUN_OPTIONAL = T(" ({names} optional)", "（可选：{names}）")


def run_label(secrets: Sequence[Secret], lang: str) -> str:
    """The "Run it" words of a build's outcome, naming the variables run.sh takes the image's secrets from: the
    required ones, then the optional ones."""
    required = ", ".join(s.host for s in secrets if s.required)
    optional = ", ".join(s.host for s in secrets if not s.required)
    return (tr("ui.build.run_it", lang) + (RUN_WITH(lang).format(names=required) if required else "")
            + (RUN_OPTIONAL(lang).format(names=optional) if optional else ""))


def display(field: Field, value: Any) -> str:
    """A value as the text a field's input shows."""
    if value is None:
        return ""
    if field.kind == "list":
        return " ".join(value) if isinstance(value, list) else str(value)
    return str(value)


def line_changes(old: str, new: str) -> tuple[set[int], int | None]:
    """The 1-based numbers of the lines of `new` that are new or different compared with `old`, and the first
    line of `new` where the two differ, a deletion included (None when they are equal): one comparison for both,
    the preview asks on every key press."""
    if old == new:
        return set(), None
    lines = new.splitlines()
    changed: set[int] = set()
    first: int | None = None
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, old.splitlines(), lines,
                                                         autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if first is None:
            first = min(j1 + 1, max(1, len(lines)))
        if tag in ("replace", "insert"):
            changed.update(range(j1 + 1, j2 + 1))
    return changed, first


def _culprit(given: dict[str, Any], base_dir: Path, suspect: str | None) -> str:
    """The key without which validation no longer raises, trying `suspect` first (the last one given when no
    single one does)."""
    for key in sorted(reversed(list(given)), key=lambda k: k != suspect):
        try:
            validate({k: v for k, v in given.items() if k != key}, base_dir)
        except Exception:
            continue
        return key
    return next(reversed(list(given)))


@dataclass
class Session:
    given: dict[str, Any] = field(default_factory=dict)
    base_dir: Path = Path(".")
    snippets: Path | None = None
    step: str = ""
    visited: set[str] = field(default_factory=set)
    answers: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    context: BuildContext | None = None
    render_error: str | None = None
    saved_answers: dict[str, Any] | None = None
    saved_to: Path | None = None
    start: Path | None = None  # the folder the wizard started in: a new context may go there (scan.saves_here)

    def __post_init__(self) -> None:
        self.given = dict(self.given)
        self.refresh()
        wanted, self.step = self.step, tree.next_step(None, self.answers) or tree.STEPS[0].id
        if wanted in tree.BY_ID and tree.BY_ID[wanted].applies(self.answers):  # reopened where the user was
            ids = [s.id for s in tree.STEPS]
            self.visited |= {s.id for s in tree.STEPS[:ids.index(wanted)] if s.applies(self.answers)}
            self.step = wanted
        self.saved_answers = dict(self.answers)  # nothing to lose before the first change

    # -------------------------------------------------------------- state
    def refresh(self, suspect: str | None = None) -> None:
        self.answers, self.problems = self._validate(self.given, suspect)
        try:
            self.context = render(self.answers, self.base_dir, self.snippets)
            self.render_error = None
        except Exception as exc:  # keep the last good preview; say why this one failed
            self.render_error = self._why_not_rendered(exc, suspect)

    def _why_not_rendered(self, exc: Exception, suspect: str | None) -> str:
        """What the preview says while it shows the last answers that rendered: the problem the user can fix
        (the key just changed first), or, with no problem found, the error itself."""
        if not self.problems:
            return f"{type(exc).__name__}: {exc}"
        key, problem = next(((k, m) for k, m in self.problems if k == suspect), self.problems[0])
        return Msg("preview.waits", problem=Msg("field.problem", label=BY_KEY[key].label, key=key, problem=problem))

    def set(self, key: str, value: Any) -> bool:
        """Record what the user gave for `key` (raw, as typed) and re-validate and re-render.
        False when it was already given exactly so."""
        if self.given.get(key, object()) == value:
            return False
        self.given[key] = value
        self.refresh(suspect=key)
        return True

    def check(self, key: str, value: Any, lang: str = "en") -> str | None:
        """The message `key` would get with `value`, nothing recorded (the plain flow's prompt validator)."""
        _, problems = self._validate({**self.given, key: value}, key)
        found = next((m for k, m in problems if k == key), None)
        if found is None:
            return None
        return tr("field.problem", lang, label=BY_KEY[key].label(lang), key=key, problem=found)

    def _validate(self, given: dict[str, Any], suspect: str | None) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """wizard.validate; a check that raises on a value nobody foresaw becomes a problem of the key holding
        it (found by leaving keys out, `suspect` first), so neither UI loses the answers to it."""
        try:
            return validate(given, self.base_dir)
        except Exception as exc:
            if not given:
                raise
            key = _culprit(given, self.base_dir, suspect)
            answers, problems = self._validate({k: v for k, v in given.items() if k != key}, None)
            why = (" ".join(str(exc).split()) or type(exc).__name__)[:200]
            return answers, [(k, m) for k, m in problems if k != key] + [(key, f"cannot be checked: {why}")]

    def value(self, key: str) -> Any:
        """What a field shows: the raw given text while it is bad, else the resolved answer."""
        if key in self.given and self.problem(key):
            return self.given[key]
        return self.answers.get(key, self.given.get(key))

    # -------------------------------------------------------------- problems
    def problem(self, key: str) -> str | None:
        for k, message in self.problems:
            if k == key:
                return message
        return None

    def message(self, key: str, lang: str = "en") -> str | None:
        """The line shown under a field: its label, then what is wrong and what is accepted."""
        found = self.problem(key)
        if found is None:
            return None
        return tr("field.problem", lang, label=BY_KEY[key].label(lang), key=key, problem=found)

    def step_problems(self, step_id: str | None = None) -> list[tuple[str, str]]:
        step = tree.BY_ID[step_id or self.step]
        keys = {f.key for f in step.fields(self.answers)}
        return [(k, m) for k, m in self.problems if k in keys]

    @property
    def valid(self) -> bool:
        return not self.problems and self.context is not None and self.render_error is None

    @property
    def dirty(self) -> bool:
        return self.answers != self.saved_answers

    # -------------------------------------------------------------- moving
    def fields(self) -> list[Field]:
        return tree.BY_ID[self.step].fields(self.answers)

    def steps(self) -> list[tuple[tree.Step, str]]:
        """Every step with its state: current | done | todo | skip (does not apply to these answers)."""
        out = []
        for step in tree.STEPS:
            if step.id == self.step:
                state = "current"
            elif not step.applies(self.answers):
                state = "skip"
            elif step.id in self.visited:
                state = "done"
            else:
                state = "todo"
            out.append((step, state))
        return out

    def can_next(self) -> bool:
        return not self.step_problems() and tree.next_step(self.step, self.answers) is not None

    def can_back(self) -> bool:
        return tree.prev_step(self.step, self.answers) is not None

    def go_next(self) -> bool:
        """Move on when the current step has no problem; False (staying) otherwise or at the end."""
        target = tree.next_step(self.step, self.answers)
        if self.step_problems() or target is None:
            return False
        self.visited.add(self.step)
        self.step = target
        return True

    def go_back(self) -> bool:
        target = tree.prev_step(self.step, self.answers)
        if target is None:
            return False
        self.step = target
        return True

    def go_to(self, step_id: str) -> bool:
        if not tree.BY_ID[step_id].applies(self.answers):
            return False
        if not self.step_problems():
            self.visited.add(self.step)
        self.step = step_id
        return True

    # -------------------------------------------------------------- saving
    def default_folder(self, output: Path | None = None) -> Path:
        if output is not None:
            return output
        if self.saved_to is not None:
            return self.saved_to
        return self.home() or Path(".") / self.answers.get("image.name", "myapp")

    def saves_here(self) -> T | None:
        """Why a new context goes into the start folder itself (wizard.scan.saves_here), or None."""
        if self.start is None or self.context is None:
            return None
        return scan.saves_here(self.start, self.answers, [name for name, _ in self.context.plan.user_files])

    def home(self) -> Path | None:
        """The start folder, when a new context goes there (saves_here), else None."""
        return self.start if self.saves_here() is not None else None

    def mark_saved(self, folder: Path) -> None:
        self.saved_answers = dict(self.answers)
        self.saved_to = folder

    def file_text(self, name: str) -> str | None:
        if self.context is None or name not in self.context.files:
            return None
        return self.context.files[name].text
