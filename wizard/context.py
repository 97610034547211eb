"""Writing a build context to a folder without losing anything the user had.

A file that exists with different content is first kept as NAME.bak (NAME.bak.1, .2... when a backup
exists already); identical files are left untouched. Nothing is written when the answers are invalid:
callers validate first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from wizard.render import BuildContext


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backups: dict[str, str] = field(default_factory=dict)  # file -> its backup's name
    missing: list[tuple[str, str]] = field(default_factory=list)  # user files still to place


def plan_write(ctx: BuildContext, out: Path) -> WriteReport:
    """What writing would do, without writing: the files that would change and the backups they'd get."""
    report = WriteReport()
    for name, f in ctx.files.items():
        target = out / name
        if not target.exists():
            report.written.append(name)
        elif target.read_text(errors="replace") == f.text:
            report.unchanged.append(name)
        else:
            report.written.append(name)
            report.backups[name] = _backup_name(target).name
    report.missing = [(n, what) for n, what in ctx.plan.user_files if not (out / n).exists()]
    return report


def write(ctx: BuildContext, out: Path) -> WriteReport:
    out.mkdir(parents=True, exist_ok=True)
    report = plan_write(ctx, out)
    for name in report.written:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in report.backups:
            os.replace(target, out / report.backups[name])
        tmp = target.with_name(f".{target.name}.imgwizard-tmp")
        tmp.write_text(ctx.files[name].text)
        tmp.chmod(ctx.files[name].mode)
        os.replace(tmp, target)
    for name in report.unchanged:
        (out / name).chmod(ctx.files[name].mode)
    return report


def _backup_name(target: Path) -> Path:
    candidate = target.with_name(target.name + ".bak")
    n = 1
    while candidate.exists():
        candidate = target.with_name(f"{target.name}.bak.{n}")
        n += 1
    return candidate
