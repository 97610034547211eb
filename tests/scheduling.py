"""What the test command runs, on which worker and in which order (a plugin: tests/conftest.py loads it).

The default run leaves out the few tests whose own image takes a minute or more to build (marked
`long_build("what, about N s")`: a CPU PyTorch, the Swing and Chinese desktops, the Python services...), saying
which and how to run them; IMGWIZARD_LONG_BUILDS=1 runs them, and so does CI's IMGWIZARD_REQUIRE_DOCKER=1.

The tests run on every CPU (pytest-xdist, `-n auto --dist loadgroup --no-loadscope-reorder` in pyproject.toml):

- What shares something costly runs in one worker: each module's tests together (its module fixtures, such as
  a module's image, run once), and every module that uses one of the session's image fixtures (a session
  fixture named `*_image`, tests/docker/conftest.py) with the others that use it, so each image is built once.
  The browser tests (the session fixture `browser`) share one worker too, so two never run at once.
- The costliest groups are handed out first (a test on the engine counts as ten others): the engine's long
  builds start at once on every worker and the many quick modules fill the end, instead of one long build
  starting last while the other workers wait.

A run without workers (`-n 0`, a single test) is left in collection order.

It also carries the table of the images the tests built (IMAGES, filled by tests/docker/conftest.py) from each
worker to the summary the run ends with.
"""

from __future__ import annotations

import os

import pytest

IMAGES: list[tuple[str, float, int]] = []  # (name, build seconds, size in bytes): the images this process built
ENGINE_COST = 10  # a test marked `docker` against one without: roughly, in seconds of a 2-CPU machine


def long_builds() -> bool:
    """The tests marked `long_build` run: IMGWIZARD_LONG_BUILDS=1, or CI's IMGWIZARD_REQUIRE_DOCKER=1."""
    return any(os.environ.get(name, "") not in ("", "0") for name in ("IMGWIZARD_LONG_BUILDS", "IMGWIZARD_REQUIRE_DOCKER"))


def _leave_out_long_builds(items: list[pytest.Item]) -> None:
    for item in items:
        mark = item.get_closest_marker("long_build")
        if mark is not None and not long_builds():
            item.add_marker(pytest.mark.skip(reason=f"a long image build ({mark.args[0]}): IMGWIZARD_LONG_BUILDS=1 "
                                                    "runs it, as CI does (IMGWIZARD_REQUIRE_DOCKER=1)"))


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


# Session fixtures that are not images but are shared all the same: the browser tests (tests/docker/conftest.py
# `browser`) run on one worker, one after the other, as in a run without workers. Two desktops, each with a
# Chromium on it, at once on 2 CPUs beside a build left noVNC's password prompt unseen for 90 s (two CI runs
# of 2026-12-07, each time a different browser test; never in a run without workers).
ONE_WORKER = frozenset({"browser"})


def _shared_fixtures(item: pytest.Item) -> list[str]:
    """The session-scoped image fixtures the test uses (directly or through another fixture), and ONE_WORKER's."""
    defs = item._fixtureinfo.name2fixturedefs  # noqa: SLF001 - pytest's own record of the resolved fixtures
    return sorted(name for name in item.fixturenames
                  if (name.endswith("_image") or name in ONE_WORKER) and name in defs
                  and defs[name][-1].scope == "session")


def groups(items: list[pytest.Item]) -> dict[str, str]:
    """Module path -> its group's name (the first module of the group, in sorted order): modules joined by the
    session image fixtures (and ONE_WORKER's) they share."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for item in items:
        for name in _shared_fixtures(item):
            a, b = root(_module(item)), root(f"fixture:{name}")
            parent[max(a, b)] = min(a, b)  # either root may stand for the group: its name is taken below
    modules = {_module(item) for item in items}
    members: dict[str, list[str]] = {}
    for module in modules:
        members.setdefault(root(module), []).append(module)
    return {module: min(group) for group in members.values() for module in group}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the xdist_group marks into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _leave_out_long_builds(items)
    if not getattr(config.option, "loadgroup", False):  # set by xdist in a worker of a `--dist loadgroup` run
        return
    group_of = groups(items)
    cost: dict[str, int] = {}
    for item in items:
        name = group_of[_module(item)]
        item.add_marker(pytest.mark.xdist_group(name))
        runs = item.get_closest_marker("skip") is None
        cost[name] = cost.get(name, 0) + (ENGINE_COST if runs and item.get_closest_marker("docker") else 1)
    first_seen = {name: i for i, name in reversed(list(enumerate(group_of[_module(item)] for item in items)))}
    items.sort(key=lambda item: (-cost[group_of[_module(item)]], first_seen[group_of[_module(item)]]))


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)  # set in an xdist worker only
    if workeroutput is not None:
        workeroutput["imgwizard_images"] = IMAGES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ARG001 - xdist's hook: a worker has finished
    IMAGES.extend(tuple(row) for row in getattr(node, "workeroutput", {}).get("imgwizard_images", []))


def pytest_terminal_summary(terminalreporter) -> None:
    if IMAGES:
        terminalreporter.write_sep("-", "imgwizard test images (build time, size)")
        for name, seconds, size in IMAGES:
            terminalreporter.write_line(f"{name:22s} {seconds:6.1f} s {size / 2**20:8.1f} MiB")
