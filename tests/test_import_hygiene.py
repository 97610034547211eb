"""The folders are the layers (docs/architecture.md): the core (wizard/ outside wizard/engine/) loads without
docker-py and without the engine adapter, wizard/ as a whole (the engine adapter included) loads without
textual, questionary, prompt_toolkit or rich, each checked in a fresh interpreter as harlequin does, and
import-linter's contracts (pyproject `[tool.importlinter]`) hold."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import wizard
import wizard.engine

ROOT = Path(__file__).parent.parent
UI = ("textual", "questionary", "prompt_toolkit", "rich", "screens")
ENGINE = ("docker", "wizard.engine")


def _loaded_after_importing(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    """The forbidden modules (or their submodules) in sys.modules after a fresh interpreter imports `modules`."""
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            f"bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {forbidden!r}))\n"
            "print(','.join(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return [m for m in proc.stdout.strip().split(",") if m]


def _core_modules() -> list[str]:
    return [f"wizard.{m.name}" for m in pkgutil.iter_modules(wizard.__path__) if m.name != "engine"]


def _engine_modules() -> list[str]:
    return [f"wizard.engine.{m.name}" for m in pkgutil.iter_modules(wizard.engine.__path__)]


def test_every_wizard_module_imports_without_ui_libraries():
    modules = _core_modules() + _engine_modules()
    assert "wizard.render" in modules and "wizard.engine.build" in modules
    assert _loaded_after_importing(modules, UI) == []


def test_the_core_imports_without_docker_or_the_engine_adapter():
    modules = _core_modules()
    assert "wizard.render" in modules and "wizard.host" in modules and "wizard.labels" in modules
    assert _loaded_after_importing(modules, ENGINE) == []


def test_the_check_itself_sees_docker():
    """The check above can fail: the engine adapter does load docker-py."""
    assert "docker" in _loaded_after_importing(["wizard.engine.connect"], ENGINE)


def test_import_linter_contracts():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency"
    proc = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 4 kept, 0 broken" in proc.stdout
