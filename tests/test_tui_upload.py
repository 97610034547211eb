"""The build screen shows the context upload (bytes sent / total) before step 1, as a remote build sends it.
The upload events come from the real counter (wizard.engine.upload.Sending reading a 4 MiB context the way the HTTP
layer does), then a REAL recorded build stream follows (tests/test_tui_build.py's fixture)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from textual.widgets import RichLog, Static

from screens.app import make_app
from screens.scenarios import LAPTOP
from tests.test_tui_build import recorded, start_build
from wizard.engine.build_events import BuildEvent
from wizard.engine.build import parse_stream
from wizard.engine.common import human_size
from wizard.engine.upload import Sending

MIB = 1024 * 1024


def uploading_builder(gate: threading.Event):
    """Sends 1 MiB of a 4 MiB context, waits for `gate`, sends the rest, then replays a recorded build."""

    def builder(context_dir: Path, tag: str, cancel: threading.Event):
        sent: list[tuple[int, int]] = []
        sending = Sending(io.BytesIO(b"\0" * (4 * MIB)), lambda n, total: sent.append((n, total)), every=0)
        for part in range(4):
            sending.read(MIB)
            for n, total in sent:
                yield BuildEvent("upload", f"sending the build context: {human_size(n)} of {human_size(total)}",
                                 n, total)
            sent.clear()
            if part == 0:
                gate.wait(10)
        yield from parse_stream(iter(recorded("docker_build_ok.jsonl")))

    return builder


async def test_upload_progress_shows_before_the_first_step(tmp_path: Path):
    gate = threading.Event()
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=uploading_builder(gate))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_build(pilot, app)
        for _ in range(20):
            await pilot.pause(0.05)
            if "sending" in str(screen.query_one("#build-progress", Static).render()):
                break
        progress = str(screen.query_one("#build-progress", Static).render())
        assert progress.startswith("sending the build context: 1.0 MiB of 4.0 MiB · ")
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.state == "done"
        assert str(screen.query_one("#build-progress", Static).render()).startswith("step ")
        log = "\n".join(str(line.text) for line in screen.query_one(RichLog).lines)
        assert "sending the build context: 4.0 MiB of 4.0 MiB" in log  # the last count stays in the log
        assert "sending the build context: 1.0 MiB" not in log  # the partial ones only on the progress line
