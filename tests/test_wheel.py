"""The installed wheel works outside the checkout: snippets and data files are shipped as package data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_installs_into_a_fresh_venv_and_renders_an_example(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("imgwizard-*.whl"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    example = work / "answers.toml"
    shutil.copy(ROOT / "docs" / "examples" / "jupyter-nvidia.toml", example)
    proc = subprocess.run([str(env / "bin" / "imgwizard"), "render", str(example), "-o", str(work / "ctx")],
                          capture_output=True, text=True, cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "ctx" / "Dockerfile").read_text() == (ROOT / "tests" / "golden" / "jupyter-nvidia" / "Dockerfile").read_text()
    where = subprocess.run([str(py), "-c", "import snippets, wizard; print(wizard.__file__, snippets.__file__)"],
                           capture_output=True, text=True, cwd=work).stdout
    assert str(ROOT) not in where and "site-packages" in where
    lint = subprocess.run([str(env / "bin" / "imgwizard"), "lint", str(work / "ctx")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
