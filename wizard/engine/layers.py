"""Where an image's bytes go: its history (docker-py `Image.history()`, newest first) joined to the Dockerfile
it was built from, so each layer is labelled with the wizard step that made it (the `# --- step: why` comment
each section of a generated Dockerfile starts with), largest first, the base image as one row with its share.

Pure: no Docker, no UI. The CLI prints `lines(view)`; the wizard's build screen can chart `view.rows`. A row's
step and instruction are safe to show (common.outside_line): the history and the base image's name come from
the engine and the image's labels, which may be anyone's.

Joining: the legacy builder records one history entry per instruction of the final stage, in order, after the
base image's own entries; BuildKit leaves some out (ARG). So the entries are matched to the instructions from
the newest back, by instruction keyword, skipping an instruction that has no entry; what is left is the base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from wizard.engine.common import human_size, outside_line

BASE = "base image"
_SECTION = re.compile(r"#\s*---\s*([^:]+?)\s*(?::.*)?$")
_KEYWORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # RUN, COPY, ENV... upper case
    text: str  # the instruction on one line
    step: str  # the section comment above it ("system packages"), "" when there is none


@dataclass(frozen=True)
class LayerRow:
    size: int  # bytes the layer adds
    step: str  # the wizard step that made it, BASE for the base image's layers, "" when unknown
    instruction: str  # the instruction (shortened), or the base image's name
    share: float  # of the image's size, 0..1


@dataclass
class LayerView:
    rows: list[LayerRow] = field(default_factory=list)  # largest first
    total: int = 0  # the image's size: the sum of its layers
    base: int | None = None  # the base image's share in bytes; None when there was no Dockerfile to tell
    empty_steps: int = 0  # the instructions that added no bytes (ENV, LABEL, CMD...)


def final_stage(dockerfile: str) -> list[Instruction]:
    """The instructions of a Dockerfile's last stage (after its last FROM), each with its section's name."""
    out: list[Instruction] = []
    step, current = "", ""
    for line in dockerfile.splitlines():
        stripped = line.strip()
        if not current and stripped.startswith("#"):
            match = _SECTION.fullmatch(stripped)
            step = match.group(1) if match else step
            continue
        if not stripped or stripped.startswith("#"):  # the parser skips these, inside an instruction too
            continue
        current = (current + " " if current else "") + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            keyword = current.split(None, 1)[0].upper()
            out = [] if keyword == "FROM" else out + [Instruction(keyword, current, step)]
            current = ""
    return out


def history_keyword(created_by: str) -> str:
    """The instruction keyword of a history entry: the legacy builder writes `/bin/sh -c #(nop)  ENV ...` for
    a metadata step and the command (after `|N ARG=...`) for RUN; BuildKit writes `RUN /bin/sh -c ...`."""
    if "#(nop)" in created_by:
        match = _KEYWORD.search(created_by.split("#(nop)", 1)[1])
        return match.group(0).upper() if match else "?"
    first = created_by.split(None, 1)[0] if created_by.strip() else ""
    return first if first.isalpha() and first.isupper() else "RUN"


def _join(history: list[Mapping[str, Any]], instructions: list[Instruction]) -> tuple[list[Instruction | None], int]:
    """For each history entry (oldest first), its instruction or None (base); and the index of the first
    entry that is not the base's."""
    matched: list[Instruction | None] = [None] * len(history)
    i, j = len(history) - 1, len(instructions) - 1
    while i >= 0 and j >= 0:
        if history_keyword(str(history[i].get("CreatedBy") or "")) == instructions[j].keyword:
            matched[i] = instructions[j]
            i -= 1
        j -= 1
    return matched, i + 1


def layer_view(history: Iterable[Mapping[str, Any]], dockerfile: str | None = None,
               base_name: str = "") -> LayerView:
    """The layers of an image from its history (newest first, as the engine gives it) and, when known, the
    Dockerfile it was built from; `base_name` names the base image's row."""
    entries = [e for e in list(history)[::-1] if isinstance(e, Mapping)]
    total = sum(_size(e) for e in entries)
    view = LayerView(total=total)
    if dockerfile is None:
        matched, first_own = [None] * len(entries), 0
    else:
        matched, first_own = _join(entries, final_stage(dockerfile))
        view.base = sum(_size(e) for e in entries[:first_own])
        if view.base:
            view.rows.append(LayerRow(view.base, BASE, outside_line(base_name, 300), view.base / total))
    for entry, instruction in zip(entries[first_own:], matched[first_own:]):
        size = _size(entry)
        if not size:
            view.empty_steps += 1
            continue
        step, text = (instruction.step, instruction.text) if instruction else ("", _command(entry))
        view.rows.append(LayerRow(size, outside_line(step, 300), outside_line(text, 2000),
                                  size / total if total else 0.0))
    view.rows.sort(key=lambda r: -r.size)
    return view


def _size(entry: Mapping[str, Any]) -> int:
    """A history entry's size in bytes (0 when the engine gave something that is not a whole number)."""
    size = entry.get("Size")
    return max(0, size) if isinstance(size, int) and not isinstance(size, bool) else 0


def _command(entry: Mapping[str, Any]) -> str:
    text = str(entry.get("CreatedBy") or "")
    text = text.split("#(nop)", 1)[1] if "#(nop)" in text else text
    return " ".join(text.split()) or "(no command recorded: an imported file system)"


def lines(view: LayerView, width: int = 30, text_width: int = 60) -> list[str]:
    """The view as text: one line per layer, `size  bar  share  step: instruction`, then the totals."""
    largest = max((r.size for r in view.rows), default=0)
    out = []
    for r in view.rows:
        filled = max(1, round(width * r.size / largest)) if largest else 0
        bar = "█" * filled + "·" * (width - filled)
        label = f"{r.step}: {_short(r.instruction, text_width)}" if r.step else _short(r.instruction, text_width)
        out.append(f"{human_size(r.size):>10}  {bar} {100 * r.share:5.1f}%  {label}")
    base = f", base image {human_size(view.base)} ({100 * view.base / view.total:.0f}%)" \
        if view.base is not None and view.total else ""
    out.append(f"{human_size(view.total):>10}  in {_count(len(view.rows), 'layer')}{base}; "
               f"{_count(view.empty_steps, 'step')} added no files")
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
