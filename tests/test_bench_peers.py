"""bench/run.py --peers without the bench extras (neurodocker, hpccm): one line saying what to install, exit 2,
no traceback (issue 29). The packages are hidden from the real script by a sitecustomize that makes
importlib.metadata.version() fail for them, as it does where they are not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HIDE = """
import importlib.metadata as m
_real = m.version
def version(name):
    if name in ("neurodocker", "hpccm"):
        raise m.PackageNotFoundError(name)
    return _real(name)
m.version = version
"""


def test_peers_without_the_bench_extras_says_what_to_install(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(HIDE)
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--peers"], capture_output=True, text=True,
                       timeout=60, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == "--peers needs neurodocker: install the bench extras first: " \
                               ".venv/bin/pip install -e '.[bench]'", r.stderr
    assert "Traceback" not in r.stderr + r.stdout
