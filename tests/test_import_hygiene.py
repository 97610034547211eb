"""The core never imports the UI: wizard/ loads without textual, questionary, prompt_toolkit or rich
(checked in a fresh interpreter, as harlequin does), and import-linter's forbidden contract holds."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import wizard

ROOT = Path(__file__).parent.parent
FORBIDDEN = ("textual", "questionary", "prompt_toolkit", "rich", "screens")


def test_every_wizard_module_imports_without_ui_libraries():
    modules = [f"wizard.{m.name}" for m in pkgutil.iter_modules(wizard.__path__)]
    assert "wizard.render" in modules and "wizard.tree" in modules
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\nprint(','.join(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_import_linter_contract():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency"
    proc = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 1 kept, 0 broken" in proc.stdout
