"""A real browser on noVNC's viewer page: Debian's chromium driven headless by Playwright (no browser download:
`executable_path` is the system chromium, a fresh profile each time). Used by tests/docker/test_desktop_builtin.py
and scripts/capture-desktop.py (the user guide's screenshot).

Every wait here waits for a state of the page (the viewer's URL, the password field, the connected class, pixels
drawn) with a deadline a loaded 2-CPU machine meets (WAIT_S); it ends as soon as the state is there."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from typing import Any, Iterator

WAIT_S = 90  # the longest a state may take on a loaded 2-CPU machine (a desktop starting beside a build)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
CONNECTED = "document.documentElement.classList.contains('noVNC_connected')"


def find_chromium() -> str | None:
    """The system chromium (Debian's package), None when it is not installed."""
    return shutil.which("chromium")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A browser context on a fresh --user-data-dir, closed (and its profile removed) at the end. (Tests ask for
    tests/docker/test_desktop_builtin.py's `browser` fixture first: without chromium they skip, saying so.)"""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("chromium is missing: apt-get install chromium (Debian's package; nothing is downloaded)")
    with tempfile.TemporaryDirectory(prefix="imgwizard-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, executable_path=executable, headless=True,
                                                        args=FLAGS, viewport=VIEWPORT)
        try:
            yield context
        finally:
            context.close()


# noVNC's button that sends the password: #noVNC_credentials_button from 1.1 on (Debian 12's 1.3.0),
# #noVNC_password_button in 1.0.0 (Ubuntu 22.04's python3-novnc); one selector for either
PASSWORD_BUTTON = "#noVNC_credentials_button, #noVNC_password_button"


# How long a viewer page may sit with no status and no password prompt before it is reloaded once, as its user
# would: in parallel test runs a page stayed blank for 90 s (status line '') a few times, never in a serial one.
STALL_S = 30


def open_viewer(context: Any, port: int, password: str, timeout_ms: int = WAIT_S * 1000) -> Any:
    """Open http://127.0.0.1:PORT/ as a user would (the start page sends it to vnc.html with autoconnect), type
    the password into noVNC's dialog and return the page once the password was sent. A page that shows nothing
    (no status, no prompt) for STALL_S is reloaded once; without the prompt by the deadline the failure says what
    the page showed: its status line, the requests that failed and the errors of its console."""
    page = context.new_page()
    seen: list[str] = []  # what went wrong on the page, for the failure message
    page.on("requestfailed", lambda r: seen.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: seen.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:  # websockify (Python) may still be starting: the page answers once it listens
        try:
            page.goto(f"http://127.0.0.1:{port}/")
            break
        except Exception:  # noqa: BLE001 - playwright's Error: connection refused or reset
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    page.wait_for_url("**/vnc.html?*", timeout=timeout_ms)
    prompt = page.locator("#noVNC_password_input")
    stall_at, reloaded = time.monotonic() + STALL_S, False
    while not prompt.is_visible():
        now = time.monotonic()
        if now > deadline:
            raise AssertionError(f"noVNC never asked for the password (reloaded: {reloaded}): its status line said "
                                 f"{status_text(page)!r}; {'; '.join(seen[-8:]) or 'no request failed'}")
        if not reloaded and now > stall_at and not status_text(page).strip():
            seen.append(f"blank for {STALL_S} s: reloaded")
            page.reload()
            reloaded = True
        time.sleep(0.25)
    prompt.fill(password, timeout=timeout_ms)
    page.locator(PASSWORD_BUTTON).click(timeout=timeout_ms)
    return page


def wait_connected(page: Any, timeout_ms: int = WAIT_S * 1000) -> None:
    page.wait_for_function(CONNECTED, timeout=timeout_ms)


def status_text(page: Any) -> str:
    return page.locator("#noVNC_status").inner_text()


def wait_status(page: Any, pattern: str, timeout_ms: int = WAIT_S * 1000) -> str:
    """noVNC's status line once it matches the regular expression `pattern` (case-insensitive)."""
    page.wait_for_function("(p) => new RegExp(p, 'i').test(document.querySelector('#noVNC_status')?.innerText || '')",
                           arg=pattern, timeout=timeout_ms)
    return status_text(page)


# The share of pixels in a rectangle of noVNC's canvas that differ from a colour by more than a little, and a
# digest of the rectangle (to tell two renderings apart).
_PIXELS = """([x, y, w, h, r, g, b]) => {
    const canvas = document.querySelector('#noVNC_container canvas') || document.querySelector('canvas');
    const data = canvas.getContext('2d').getImageData(x, y, w, h).data;
    let other = 0, dark = 0, hash = 0;
    for (let i = 0; i < data.length; i += 4) {
        const d = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
        if (d > 48) other++;
        if (data[i] + data[i + 1] + data[i + 2] < 200) dark++;
        hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) >>> 0;
    }
    return {width: canvas.width, height: canvas.height, other: other / (w * h), dark: dark, hash: hash};
}"""


def pixels(page: Any, rect: tuple[int, int, int, int], colour: tuple[int, int, int] = (0, 0, 0)) -> dict:
    """{'width', 'height' (the canvas), 'other' (share of pixels unlike `colour`), 'dark' (count), 'hash'}."""
    return page.evaluate(_PIXELS, [*rect, *colour])


def painted(page: Any, rect: tuple[int, int, int, int], colour: tuple[int, int, int], min_dark: int,
            timeout: float = WAIT_S, unlike: int | None = None) -> dict:
    """pixels() once the rectangle is mostly `colour` with at least `min_dark` dark pixels (the VNC frame and the
    app's drawing have arrived) and the same in two readings half a second apart (the drawing is complete);
    `unlike`: and its hash differs from this one (a new drawing, not the old one still on the canvas). At the
    deadline, the last reading, for the test's assertion to show."""
    deadline = time.monotonic() + timeout
    last: dict | None = None
    while True:
        seen = pixels(page, rect, colour)
        ready = seen["other"] < 0.2 and seen["dark"] >= min_dark and seen["hash"] != unlike
        if ready and last is not None and last["hash"] == seen["hash"]:
            return seen
        if time.monotonic() > deadline:
            return seen
        last = seen if ready else None
        page.wait_for_timeout(500)


# --- an RFB login through noVNC's websocket without a browser (RFC 6455 frames, RFC 6143 VNC authentication):
# what the viewer does, fast enough to count wrong passwords against Xvnc's blacklist

class _WebSocket:
    """A binary websocket client on websockify's /websockify: masked frames out, a byte stream in."""

    def __init__(self, port: int) -> None:
        import base64
        import os
        import socket

        self._os = os
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /websockify HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           "Sec-WebSocket-Protocol: binary\r\n\r\n").encode())
        self.stream = self.sock.makefile("rb")
        status = self.stream.readline(1024)
        if b" 101 " not in status:
            raise AssertionError(f"no websocket upgrade: {status!r}")
        while self.stream.readline(4096).strip():
            pass
        self.buffer = b""

    def send(self, data: bytes) -> None:
        mask = self._os.urandom(4)
        length = len(data)
        size = bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + length.to_bytes(2, "big")
        head = bytes([0x82]) + size  # FIN + binary; masked, as every client frame must be
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def read(self, n: int) -> bytes:
        """n bytes of the server's data (frames joined), or fewer when it closed."""
        while len(self.buffer) < n:
            head = self.stream.read(2)
            if len(head) < 2 or head[0] & 0x0F == 0x8:  # closed, or a close frame
                break
            length = head[1] & 0x7F
            if length >= 126:
                length = int.from_bytes(self.stream.read(2 if length == 126 else 8), "big")
            self.buffer += self.stream.read(length)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


def _vnc_response(password: str, challenge: bytes) -> bytes:
    """VNC authentication: the challenge DES-encrypted with the password's first 8 bytes, each byte's bits
    reversed (RFC 6143 7.2.2 and its errata; TigerVNC rfb/d3des)."""
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    key = bytes(int(f"{b:08b}"[::-1], 2) for b in password.encode()[:8].ljust(8, b"\0"))
    encryptor = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()  # three equal keys: single DES
    return encryptor.update(challenge) + encryptor.finalize()


def vnc_login(port: int, password: str) -> str:
    """Log in to the VNC server behind noVNC's websocket: "ok", "refused: REASON" (a wrong password) or
    "blocked: REASON" (the server turned the connection away before asking, as Xvnc's blacklist does)."""
    ws = _WebSocket(port)
    try:
        version = ws.read(12)
        if version == b"RFB 003.003\n":  # TigerVNC's shortest "not welcome": security type 0 and a reason
            assert ws.read(4) == b"\0\0\0\0", version
            return "blocked: " + ws.read(int.from_bytes(ws.read(4), "big")).decode()
        assert version == b"RFB 003.008\n", version
        ws.send(b"RFB 003.008\n")
        types = ws.read(ws.read(1)[0])
        assert 2 in types, types  # VNC authentication
        ws.send(b"\x02")
        ws.send(_vnc_response(password, ws.read(16)))
        if ws.read(4) == b"\0\0\0\0":
            return "ok"
        return "refused: " + ws.read(int.from_bytes(ws.read(4), "big")).decode()
    finally:
        ws.close()
