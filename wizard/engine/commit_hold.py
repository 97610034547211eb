"""The interrupts of `imgwizard commit` and the entry script's holder (`imgwizard-entry.sh --commit-hold`): a
signal waits while the container is put back or an engine call whose result is needed runs, and the holder in
the container keeps the SSH host keys and password held aside under a lock, putting them back by itself when
this process or its engine connection goes away (docs/security.md)."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import TYPE_CHECKING, Any, Iterator

import docker.errors

from wizard.engine.common import DockerOpError, outside_line
from wizard.plan_start import WRAPPER

if TYPE_CHECKING:
    from wizard.engine.commit import Committed, _Cleanup


# What an engine call raises when the engine refuses, fails or cannot be reached (a socket closed, a time-out:
# requests' errors are OSErrors).
ENGINE_ERRORS = (docker.errors.DockerException, OSError)
THAW_TRIES, THAW_WAIT = 20, 0.1  # an exec right after unpause can meet runc still thawing the container

_shield_depth = 0
_deferred: BaseException | None = None


def interrupt(exc: BaseException) -> None:
    """What the CLI's signal handlers call: raise `exc` now, or, while the commit puts the container back or waits
    for an engine call whose result it needs, as soon as that is done (the first signal wins; later ones wait)."""
    global _deferred
    if _shield_depth:
        _deferred = _deferred or exc
        return
    raise exc


@contextlib.contextmanager
def shielded(final: bool = False) -> Iterator[None]:
    """Interrupts wait until the block is done; then the first one is raised (not after the `final` step)."""
    global _shield_depth, _deferred
    _shield_depth += 1
    try:
        yield
    finally:
        _shield_depth -= 1
        if not _shield_depth and _deferred is not None and not final:
            exc, _deferred = _deferred, None
            raise exc


def raise_deferred() -> None:
    global _deferred
    if _deferred is not None:
        exc, _deferred = _deferred, None
        raise exc


TEST_WAIT = "IMGWIZARD_TEST_COMMIT_WAIT"  # "POINT:FILE", read only by tests (tests/docker/test_commit_signals.py)


def reached(point: str) -> None:
    """For the tests only: at POINT, write FILE and wait (up to 60 s) while it exists, so a test can signal the
    command at a known step. Not shielded: a signal ends the wait as it ends any step."""
    name, _, mark = os.environ.get(TEST_WAIT, "").partition(":")
    if name != point or not mark:
        return
    with open(mark, "w") as f:
        f.write(point)
    deadline = time.monotonic() + 60
    while os.path.exists(mark) and time.monotonic() < deadline:
        time.sleep(0.02)


def hooks_of(c: Any) -> str | None:
    """How c's entry wrapper takes part in a commit: "hold" (--commit-hold), "legacy" (--before-commit and
    --after-commit, a wrapper of an earlier imgwizard), or None (no wrapper)."""
    if WRAPPER not in (c.attrs["Config"].get("Entrypoint") or []):
        return None
    _, out = c.exec_run(["grep", "-o", "-e", "--commit-hold", "-e", "--before-commit", WRAPPER], user="0")
    return "hold" if b"--commit-hold" in out else "legacy" if b"--before-commit" in out else None


HOLD_WAIT = 55  # the holder first waits (up to 45 s) for the container's start-up to end


@contextlib.contextmanager
def held(api: Any, c: Any, container: str, mode: str | None, cleanup: _Cleanup,
          report: Committed) -> Iterator[None]:
    """The entry wrapper's state held aside for the commit, and put back after it (the container unpaused)."""
    if mode is None:
        try:
            yield
        finally:
            with shielded():
                cleanup.raise_if_failed()
        return
    if mode == "legacy":
        try:
            report.hand_set += _hand_set(_hook(c, "--before-commit", container))
            yield
        finally:
            with shielded():
                cleanup.run(_hook, c, "--after-commit", container)
                cleanup.raise_if_failed()
        return
    token = os.urandom(8).hex()
    sock = None
    try:
        exec_id = api.exec_create(c.id, ["/bin/sh", WRAPPER, "--commit-hold", token], stdin=True, user="0")["Id"]
        sock = api.exec_start(exec_id, socket=True)
        out, err, held = _read_until_held(sock, HOLD_WAIT)
        if not held:
            _not_held(api, exec_id, container, err)
        report.hand_set += _hand_set(out)
        yield
    finally:
        with shielded():
            _close(sock)  # the holder reads the end of its input: it puts everything back and frees the lock
            cleanup.run(_hook, c, "--commit-release", container, token)  # waits for that
            cleanup.raise_if_failed()


def _hand_set(out: bytes) -> list[str]:
    return [outside_line(line[len(b"hand-set "):].decode("utf-8", "replace"), 64)
            for line in out.splitlines() if line.startswith(b"hand-set ")]


def _read_until_held(sock: Any, timeout: float) -> tuple[bytes, bytes, bool]:
    """The holder's output (stdout, stderr; the engine's 8-byte frame headers taken off) up to its "held" line,
    its end, or `timeout` seconds; and whether it said "held"."""
    raw = getattr(sock, "_sock", sock)
    # What http.client read past the response's headers waits in its buffer: read through it (the holder's first
    # lines often come with the headers), else from the socket.
    response = getattr(getattr(sock, "_response", None), "raw", None)
    buffered = getattr(getattr(response, "_fp", None), "fp", None)
    read = buffered.read1 if hasattr(buffered, "read1") else raw.recv
    deadline = time.monotonic() + timeout
    buf, out, err = b"", b"", b""
    while True:
        while len(buf) >= 8 and len(buf) >= 8 + int.from_bytes(buf[4:8], "big"):
            size = int.from_bytes(buf[4:8], "big")
            if buf[0] == 2:
                err += buf[8:8 + size]
            else:
                out += buf[8:8 + size]
            buf = buf[8 + size:]
        if b"held" in out.splitlines():
            return out, err, True
        left = deadline - time.monotonic()
        if left <= 0:
            return out, err + b"\nno answer from the entry script", False
        raw.settimeout(left)
        try:
            chunk = read(65536)
        except (socket.timeout, OSError):
            chunk = None
        if not chunk:
            return out, err, False
        buf += chunk


def _not_held(api: Any, exec_id: str, container: str, err: bytes) -> None:
    try:
        code = api.exec_inspect(exec_id).get("ExitCode")
    except ENGINE_ERRORS:
        code = None
    if code == 4:
        raise DockerOpError(f"another imgwizard commit of {container} is in progress: commit again once it has "
                            f"ended (nothing was changed)")
    lines = err.decode("utf-8", "replace").strip().splitlines()
    said = f": {outside_line(lines[-1], 200)}" if lines else ""
    raise DockerOpError(f"{WRAPPER} --commit-hold failed (exit {code}){said}")


def _close(sock: Any) -> None:
    if sock is None:
        return
    raw = getattr(sock, "_sock", sock)
    for step in (lambda: raw.shutdown(socket.SHUT_RDWR), raw.close, sock.close,
                 lambda: getattr(sock, "_response", None) and sock._response.close()):
        try:
            step()
        except Exception:  # noqa: BLE001 - closed already, or a transport without that step
            pass


def _hook(c: Any, stage: str, container: str, *args: str) -> bytes:
    for _ in range(THAW_TRIES):
        code, out = c.exec_run(["/bin/sh", WRAPPER, stage, *args], user="0")
        # runc refuses an exec while the freezer is still thawing ("cannot exec in a stopped state", exit 126):
        # seen about once in three runs of tests/docker/test_commit_secrets.py right after unpause
        if not (code == 126 and b"cannot exec in a stopped state" in out):
            break
        time.sleep(THAW_WAIT)
    if code == 4:
        raise DockerOpError(f"another imgwizard commit of {container} is in progress: commit again once it has "
                            f"ended (nothing was changed)")
    if code != 0:
        text = out.decode("utf-8", "replace").strip().splitlines()
        said = f": {outside_line(text[-1], 200)}" if text else ""
        raise DockerOpError(f"{WRAPPER} {stage} failed (exit {code}){said}")
    return out
