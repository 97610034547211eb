#!/usr/bin/env python3
"""Regenerate docs/img/desktop-builtin.png: the user guide's picture of the built-in desktop, taken in a real
browser. Renders docs/examples/builtin-desktop.toml, builds it on the local Docker engine (debian:bookworm-slim),
starts it with a throwaway password, logs in through noVNC with Debian's headless chromium (Playwright, no
browser download) and saves the page once it is connected.

    python scripts/capture-desktop.py [--output docs/img/desktop-builtin.png] [--keep-image]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docker  # noqa: E402

from tests.docker.novnc_browser import VIEWPORT, chromium, open_viewer, painted, wait_connected  # noqa: E402
from wizard.context import write  # noqa: E402
from wizard.engine.build import docker_builder# noqa: E402
from wizard.load import load  # noqa: E402
from wizard.render import render  # noqa: E402

EXAMPLE = ROOT / "docs" / "examples" / "builtin-desktop.toml"
TAG = "imgwizard-capture/builtin-desktop:latest"


def build(client) -> None:
    answers, problems = load(EXAMPLE)
    if problems:
        sys.exit(f"{EXAMPLE}: {problems}")
    with tempfile.TemporaryDirectory() as folder:
        write(render(answers, EXAMPLE.parent), Path(folder))
        events = list(docker_builder(client)(Path(folder), TAG, threading.Event()))
    if events[-1].kind != "done":
        sys.exit("build failed:\n" + "\n".join(e.text for e in events[-20:]))


def capture(client, output: Path) -> None:
    password = secrets.token_hex(4)
    c = client.containers.run(TAG, detach=True, environment={"DESKTOP_PASSWORD": password},
                              ports={"31000/tcp": ("127.0.0.1", None)})
    try:
        port = _published(c)
        _wait_for_window(c, "xterm")
        with chromium() as browser:
            page = open_viewer(browser, port, password)
            wait_connected(page)
            # the first full frame: xterm's white page with its prompt
            painted(page, (0, 0, VIEWPORT["width"], VIEWPORT["height"]), (255, 255, 255), min_dark=20)
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output))
    finally:
        c.remove(force=True)


def _published(c) -> int:
    for _ in range(50):
        c.reload()
        bindings = (c.attrs["NetworkSettings"]["Ports"] or {}).get("31000/tcp")
        if bindings:
            return int(bindings[0]["HostPort"])
        time.sleep(0.2)
    sys.exit("31000 was not published:\n" + c.logs().decode())


def _wait_for_window(c, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tree = c.exec_run(["xwininfo", "-root", "-tree"], environment={"DISPLAY": ":1"}).output.decode()
        if f'"{name}"' in tree:
            return
        time.sleep(0.5)
    sys.exit(f"no {name} window after {timeout} s:\n" + c.logs().decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "img" / "desktop-builtin.png")
    parser.add_argument("--keep-image", action="store_true", help=f"keep {TAG} for a faster next run")
    args = parser.parse_args()
    client = docker.from_env()
    build(client)
    try:
        capture(client, args.output)
    finally:
        if not args.keep_image:
            client.images.remove(TAG, force=True)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
