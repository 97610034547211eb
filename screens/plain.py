"""`imgwizard --plain`: the same decision tree as plain questionary prompts, then save.

It walks wizard.tree.STEPS through a wizard.session.Session exactly like the Textual app: select for choices,
confirm for yes/no, text (validated as typed) for text, numbers and lists. Ctrl-C stops with nothing written
(exit 130); an input that ends (stdin from /dev/null, a pipe) says to use `imgwizard render` (exit 2).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping, TextIO

import questionary

from screens.folders import EXPECTED, folder_of, why_not
from wizard import tree
from wizard.answers import Field
from wizard.context import WriteReport, plan_write, write
from wizard.host import HostFacts, detect, hints, prefill
from wizard.session import Session, display
from wizard.text import T

OTHER = "__other__"
EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130
INTERRUPTED = T("\nInterrupted: nothing was written.", "\n已中断：没有写入任何文件。")
NO_TERMINAL = T("imgwizard --plain: no terminal to ask on: use `imgwizard render ANSWERS -o DIR` or run in a terminal",
                "imgwizard --plain：没有可提问的终端：请用 `imgwizard render ANSWERS -o DIR`，或在终端中运行")


def run_plain(given: Mapping[str, Any], lang: str = "en", output: Path | None = None, input: Any = None,
              output_stream: Any = None, host: HostFacts | None = None, echo: TextIO | None = None) -> int:
    """Ask every applicable question, then save. `input`/`output_stream` are prompt_toolkit's Input/Output
    (tests pass a pipe input); `echo` receives the texts between prompts (default stdout)."""
    echo = echo or sys.stdout
    if input is None and not sys.stdin.isatty():  # nothing to answer the prompts: say so before asking
        print(NO_TERMINAL(lang), file=sys.stderr)
        return EXIT_USAGE
    facts = host if host is not None else detect(engine=None)
    session = Session({**prefill(facts), **dict(given)})
    found = hints(facts)
    io = {k: v for k, v in (("input", input), ("output", output_stream)) if v is not None}
    folder = session.default_folder(output)
    try:
        while True:
            step = tree.BY_ID[session.step]
            print(f"\n== {step.title(lang)} ==\n{step.help(lang)}", file=echo)
            _ask_step(session, step, lang, found, io, echo)
            if session.step_problems():
                for key, _ in session.step_problems():
                    print(f"  ✗ {session.message(key, lang)}", file=echo)
                continue  # ask the step again
            if not session.go_next():
                break
        if not session.valid:
            for key, _ in session.problems:
                print(f"✗ {session.message(key, lang)}", file=echo)
            print(T("Nothing was written.", "没有写入任何文件。")(lang), file=echo)
            return EXIT_USAGE
        folder, report = _ask_folder(session, str(session.default_folder(output)), lang, io, echo)
        for name, backup in report.backups.items():
            print(T(f"  will overwrite {name} (the old one is kept as {backup})",
                    f"  将覆盖 {name}（旧文件保留为 {backup}）")(lang), file=echo)
        if not questionary.confirm(T(f"Write {len(report.written)} files to {folder}?",
                                     f"写入 {len(report.written)} 个文件到 {folder}？")(lang),
                                   default=True, **io).unsafe_ask():
            print(T("Nothing was written.", "没有写入任何文件。")(lang), file=echo)
            return EXIT_OK
        report = write(session.context, folder)
    except EXPECTED as exc:  # the folder took the plan but not the files (a disk full, a race)
        why = why_not(folder, exc)
        print(T(f"Cannot write into {folder}: {why}", f"无法写入 {folder}：{why}")(lang), file=echo)
        return 1
    except KeyboardInterrupt:
        print(INTERRUPTED(lang), file=echo)
        return EXIT_INTERRUPTED
    except EOFError:  # the input ended: stdin is /dev/null or a pipe that ran out, or Ctrl+D at a terminal
        if input is None and sys.stdin.isatty():
            print(INTERRUPTED(lang), file=echo)
            return EXIT_INTERRUPTED
        print(NO_TERMINAL(lang), file=sys.stderr)
        return EXIT_USAGE
    print(T(f"Wrote {', '.join(report.written) or 'nothing new'} in {folder}",
            f"已写入 {folder}：{', '.join(report.written) or '无变化'}")(lang), file=echo)
    for name, what in report.missing:
        print(T(f"To do: put {name} in {folder} ({what})", f"待办：把 {name} 放入 {folder}（{what}）")(lang), file=echo)
    print(T(f"Build it: docker build -t {session.context.image} {folder}",
            f"构建：docker build -t {session.context.image} {folder}")(lang), file=echo)
    return EXIT_OK


def _ask_folder(session: Session, default: str, lang: str, io: dict, echo: TextIO) -> tuple[Path, WriteReport]:
    """Ask where to save until a folder can take the context; one line says why one cannot."""
    while True:
        text = questionary.text(T("Save the build context in:", "构建目录保存到：")(lang), default=default,
                                **io).unsafe_ask().strip()
        try:
            folder = folder_of(text)
            return folder, plan_write(session.context, folder)
        except EXPECTED as exc:
            print(T(f"  ✗ Cannot save there: {why_not(text, exc)}; pick another folder",
                    f"  ✗ 无法保存到这里：{why_not(text, exc)}；请换一个目录")(lang), file=echo)
            default = text


def _ask_step(session: Session, step: tree.Step, lang: str, found: dict, io: dict, echo: TextIO) -> None:
    for key in step.keys:  # applicability is checked as the answers change within the step
        field = next((f for f in session.fields() if f.key == key), None)
        if field is None:
            continue
        if key in found:
            print(f"  ⌂ {found[key](lang)}", file=echo)
        session.set(key, _ask(session, field, lang, io))


def _ask(session: Session, field: Field, lang: str, io: dict) -> Any:
    label = field.label(lang)
    help_text = field.help(lang)
    value = session.value(field.key)
    if field.kind == "bool":
        return questionary.confirm(label, default=bool(value), instruction=f"({help_text}) ", **io).unsafe_ask()
    if field.kind == "choice":
        choices = [questionary.Choice(title=_title(c, lang), value=c.value) for c in field.choices_for(session.answers)]
        if field.free:
            choices.append(questionary.Choice(title=T("Other (type it)", "其他（手动输入）")(lang), value=OTHER))
        default = next((c for c in choices if c.value == value), None)
        picked = questionary.select(f"{label} — {help_text}", choices=choices, default=default, **io).unsafe_ask()
        if picked != OTHER:
            return picked
    checker = _checker(session, field, lang)
    return questionary.text(f"{label} — {help_text}", default=display(field, value) if value is not None else "",
                            validate=checker, **io).unsafe_ask()


def _title(choice, lang: str) -> str:
    why = choice.why(lang)
    return f"{choice.label(lang) or '(empty)'}" + (f" — {why}" if why else "")


def _checker(session: Session, field: Field, lang: str):
    """A questionary validator: True, or the message naming the field and what is accepted."""

    def check(text: str) -> bool | str:
        return session.check(field.key, text, lang) or True

    return check
