"""`--host` on every Docker command, and the one place the CLI gets its Docker client (wizard/engine/connect.py
chooses the engine the way the Docker CLI does: --host, DOCKER_HOST, the docker context, the local socket)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Iterable

from screens.folders import plain

DOCKER_COMMANDS = ("build", "export", "import", "commit", "check", "push", "answers", "layers")


def host_value(value: str) -> str:
    """argparse type of --host: refused with what is accepted (argparse then exits 2, naming --host)."""
    from wizard.engine.connect import HOST_ACCEPTED, host_problem

    if host_problem(value) is not None:
        raise argparse.ArgumentTypeError(f"{value[:80]!r} is not a Docker engine address; accepted: {HOST_ACCEPTED}")
    return value


def add_host_option(parsers: Iterable[argparse.ArgumentParser]) -> None:
    """Give each Docker command's parser `--host URL` (default: DOCKER_HOST, then the current docker context)."""
    for parser in parsers:
        parser.add_argument("-H", "--host", type=host_value, metavar="URL",
                            help="the Docker engine: ssh://[USER@]HOST[:PORT], tcp://HOST:PORT or unix:///PATH "
                                 "(default: DOCKER_HOST, then the current `docker context`, then the local "
                                 "socket; docs/remote.md)")


def connect_or_say(host: str | None) -> Any:
    """A connected docker client, or None after printing one line saying which engine did not answer and why
    (for the local socket, also how to start an engine). A remote engine is named on stderr when used."""
    from wizard.engine.connect import HOW_TO_START, EngineError, client_for

    try:
        client, endpoint = client_for(host)
    except EngineError as exc:
        local = exc.endpoint is not None and not exc.endpoint.remote
        print(plain(f"imgwizard: {exc}") + (f": {HOW_TO_START}" if local else ""), file=sys.stderr)
        return None
    if endpoint.remote:
        print(plain(f"imgwizard: using the Docker engine at {endpoint}"), file=sys.stderr)  # a context names it
    return client


def engine_for(command: str, problem: str | None, host: str | None) -> Any:
    """What a Docker command starts with: the client it works with, or its exit status (an int): EXIT_USAGE after
    one line `command: problem` when its arguments were refused, EXIT_NO_ENGINE after connect_or_say said why."""
    from screens.cli.exits import EXIT_NO_ENGINE, EXIT_USAGE

    if problem:
        print(plain(f"{command}: {problem}"), file=sys.stderr)
        return EXIT_USAGE
    client = connect_or_say(host)
    return EXIT_NO_ENGINE if client is None else client


def bad_image(command: str, image: str, label: str = "IMAGE") -> bool:
    """Print the one line saying why `image` (the argument `label`) is not an image reference; True then."""
    from wizard.engine.common import reference_problem

    problem = reference_problem(image)
    if problem:
        print(plain(f"{command}: {label} {problem}"), file=sys.stderr)
    return problem is not None
