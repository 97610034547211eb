"""tests/scheduling.py from outside: a small test tree run by pytest in a subprocess, on two xdist workers as the
test command runs (pyproject.toml's addopts), and without workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKERS = ("-p", "tests.scheduling", "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder")

CONFTEST = """
import os
import pytest

def record(line):
    with open(os.environ["RECORD"], "a") as f:
        f.write(line + "\\n")

@pytest.fixture(scope="session")
def shared_image():
    record("built shared_image in " + os.environ.get("PYTEST_XDIST_WORKER", "main"))
    return "image"

@pytest.fixture(scope="session")
def browser():
    return "chromium"

@pytest.fixture(autouse=True)
def where(request):
    record(os.environ.get("PYTEST_XDIST_WORKER", "main") + " " + request.node.nodeid)
"""


@pytest.fixture
def tree(pytester, tmp_path, monkeypatch):
    """Modules x and y share the session image; v and w the browser; c is quick and has many tests (collected
    first), p one; d is one long engine test."""
    for name in ("IMGWIZARD_REQUIRE_DOCKER", "IMGWIZARD_LONG_BUILDS", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("RECORD", str(tmp_path / "record.txt"))
    pytester.makeini("[pytest]\nmarkers =\n    docker: engine\n    long_build(what): long\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_x="import pytest\npytestmark = pytest.mark.docker\n"
               "def test_x1(shared_image): pass\ndef test_x2(shared_image): pass\n",
        test_y="import pytest\npytestmark = pytest.mark.docker\ndef test_y1(shared_image): pass\n",
        test_c="".join(f"def test_c{i}(): pass\n" for i in range(25)),
        test_p="def test_p1(): pass\n",
        test_v="def test_v1(browser): pass\ndef test_v2(): pass\n",
        test_w="def test_w1(browser): pass\n",
        test_d="import pytest\n"
               "@pytest.mark.docker\n@pytest.mark.long_build('the d image, about 1 s')\ndef test_d1(): pass\n")
    return tmp_path / "record.txt"


def _lines(record: Path) -> list[str]:
    return record.read_text().splitlines()


def test_modules_sharing_a_session_image_run_on_one_worker_and_build_it_once(pytester, tree):
    result = pytester.runpytest_subprocess(*WORKERS, "-rs")
    result.assert_outcomes(passed=32, skipped=1)
    lines = _lines(tree)
    builds = [ln for ln in lines if ln.startswith("built")]
    assert len(builds) == 1, lines
    worker = {ln.split(" ", 1)[1].split("@")[0]: ln.split(" ", 1)[0] for ln in lines if not ln.startswith("built")}
    assert worker["test_x.py::test_x1"] == worker["test_x.py::test_x2"] == worker["test_y.py::test_y1"]
    assert worker["test_v.py::test_v1"] == worker["test_v.py::test_v2"] == worker["test_w.py::test_w1"]  # browsers
    assert set(worker.values()) == {"gw0", "gw1"}  # and the rest went to the other worker as well


def test_the_engine_group_is_handed_out_before_the_bigger_quick_module(pytester, tree):
    pytester.runpytest_subprocess(*WORKERS, "-k", "not test_d1").assert_outcomes(passed=32)
    runs = [ln.split(" ", 1) for ln in _lines(tree) if not ln.startswith("built")]
    # the engine group (3 tests x 10) outweighs module c (25 quick tests, collected first): it starts at once on
    # a worker (in collection order c and p would go first and the group would wait behind c)
    engine_worker = next(worker for worker, test in runs if test.startswith("test_x.py"))
    first = next(test for worker, test in runs if worker == engine_worker)
    assert first.startswith("test_x.py"), runs


def test_a_long_build_is_left_out_of_the_default_run_saying_how_to_run_it(pytester, tree):
    result = pytester.runpytest_subprocess("-p", "tests.scheduling", "-rs", "test_d.py")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*a long image build (the d image, about 1 s): IMGWIZARD_LONG_BUILDS=1 runs it, "
                                 "as CI does (IMGWIZARD_REQUIRE_DOCKER=1)*"])


@pytest.mark.parametrize("variable", ["IMGWIZARD_LONG_BUILDS", "IMGWIZARD_REQUIRE_DOCKER"])
def test_a_long_build_runs_when_asked_for_or_in_ci(pytester, tree, monkeypatch, variable):
    monkeypatch.setenv(variable, "1")
    pytester.runpytest_subprocess("-p", "tests.scheduling", "test_d.py").assert_outcomes(passed=1)
    assert os.environ[variable] == "1"
