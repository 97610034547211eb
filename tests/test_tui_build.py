"""The build screen, driven with a builder that replays REAL recorded docker-py build events.

Why recorded: building against the engine is the Docker issue's CI test (tests/docker/); here the screen's
behaviour (step N/M, streaming, failure at a step, cancel, no engine) must be tested fast and on machines
without an engine. The fixtures are the decoded JSON lines docker-py's `APIClient().build(decode=True)`
returned on a real engine (Docker 28, legacy builder) for a tiny context FROM debian:bookworm-slim, one that
succeeds (tests/fixtures/docker_build_ok.jsonl) and one whose third step exits 3 (docker_build_fail.jsonl).
They go through the real parser, wizard.engine.build.parse_stream, as a live build's chunks do.
"""

import json
import threading
import time
from pathlib import Path

from screens.app import make_app
from screens.build import BuildScreen, cause_lines, previous_times, remaining
from screens.scenarios import LAPTOP
from wizard.engine.build import parse_stream

FIXTURES = Path(__file__).parent / "fixtures"
SIZE = (120, 40)


def recorded(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def replay(name: str, delay: float = 0.0, calls: list | None = None):
    """A Builder replaying a recorded build; it stops as soon as the cancel Event is set."""

    def builder(context_dir: Path, tag: str, cancel: threading.Event):
        if calls is not None:
            calls.append((context_dir, tag))

        def chunks():
            for chunk in recorded(name):
                if cancel.is_set():
                    return
                time.sleep(delay)
                yield chunk
        yield from parse_stream(chunks())

    return builder


async def start_build(pilot, app, tag_keys=()):
    await pilot.press("f5")  # build: save first (Enter keeps ./ctx), then the tag (Enter keeps name:tag)
    await pilot.pause()
    assert type(app.screen).__name__ == "SaveModal"
    await pilot.press("enter")
    await app.workers.wait_for_complete()  # the dialog saves in the background
    await pilot.pause()
    assert type(app.screen).__name__ == "TagModal"
    await pilot.press(*tag_keys, "enter")
    await pilot.pause()
    assert isinstance(app.screen, BuildScreen)
    return app.screen


async def finished_build(pilot, app):
    """start_build, then the build screen once the build has ended and the screen shows it."""
    screen = await start_build(pilot, app)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def failed_build(pilot, app):
    """finished_build for a build that fails: the screen and its status line."""
    screen = await finished_build(pilot, app)
    assert screen.state == "failed"
    return screen, status_of(screen)


def status_of(screen) -> str:
    return str(screen.query_one("#build-status").render())


def log_of(screen) -> str:
    return "\n".join(str(line.text) for line in screen.query_one("#build-log").lines)


async def test_successful_build_streams_steps(tmp_path: Path):
    calls = []
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl", calls=calls))
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_build(pilot, app)
        assert screen.state == "done"
        assert (screen.step, screen.total) == (4, 4)
        assert "step 4/4" in str(screen.query_one("#build-progress").render())
        log = log_of(screen)
        assert "Step 2/4 : RUN echo" in log and "hello from imgwizard" in log
        assert "Built myapp:latest" in status_of(screen)
        await pilot.press("q")
        await pilot.pause()
    assert calls == [(tmp_path / "ctx", "myapp:latest")]
    assert (tmp_path / "ctx" / "Dockerfile").exists()  # the build used the saved context
    assert app.builds == ["done"]


async def test_failed_build_names_the_failing_step_and_its_output(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_fail.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        screen, status = await failed_build(pilot, app)
        assert "Failed at step 3/4: RUN sh -c 'echo \"no such tool\" >&2; exit 3'" in status
        assert "returned a non-zero code: 3" in status
        log = log_of(screen)
        assert "no such tool" in log  # the failing step's own output, ANSI colour removed
        assert screen.check_action("cancel", ()) is False and screen.check_action("close", ()) is True


async def test_escape_cancels_a_running_build(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl", delay=0.3))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_build(pilot, app)
        await pilot.pause(0.5)
        assert screen.state == "running"
        await pilot.press("escape")
        assert screen.cancel.is_set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.state == "cancelled"
        assert screen.step < 4
        assert "Build cancelled" in status_of(screen)


async def test_bad_tag_is_refused_with_a_message(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+u", "B", "a", "d", " ", "enter")  # clear and type a bad tag
        await pilot.pause()
        assert type(app.screen).__name__ == "TagModal"
        assert "Tag:" in str(app.screen.query_one("#tag-error").render())


async def test_no_engine_says_why_and_how_to_start_one_and_save_still_works(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx",
                   engine=lambda: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen.id == "no-engine"
        body = str(app.screen.query_one("#message-body").render())
        assert "Cannot connect to the Docker daemon" in body
        assert "sudo systemctl start docker" in body and "dockerd" in body
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
    assert (tmp_path / "ctx" / "Dockerfile").exists()


async def test_build_asks_for_the_files_the_user_must_add_before_starting(tmp_path: Path):
    calls = []
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl", calls=calls),
                   given={"app.type": "desktop", "app.name": "jetbrains"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")  # save
        await pilot.pause()
        assert type(app.screen).__name__ == "MessageModal"
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "pycharm-community-2024.2.1.tar.gz: the Dockerfile COPYs it" in text
    assert calls == []  # no build started
    assert (tmp_path / "ctx" / "Dockerfile").exists()  # but the context was saved


# docker_build_apt_fail.jsonl: recorded the same way (Docker engine on this machine, legacy builder, nocache) for
# FROM debian:bookworm-slim / RUN echo preparing / RUN apt-get update -qq && apt-get install -y nosuchpkg-xyz.
async def test_failed_build_shows_the_cause_line_and_keeps_build_log(tmp_path: Path):
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_apt_fail.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        screen, status = await failed_build(pilot, app)
        assert "Failed at step 3/4: RUN apt-get update" in status
        assert "| E: Unable to locate package nosuchpkg-xyz" in status  # the cause, not only the exit code
        assert "Reading package lists" not in status  # only the lines that say why
        assert str(tmp_path / "ctx" / "build.log") in status
    log = (tmp_path / "ctx" / "build.log").read_text()
    assert "E: Unable to locate package nosuchpkg-xyz" in log
    assert "ERROR: The command '/bin/sh -c apt-get update" in log
    ignore = (tmp_path / "ctx" / ".dockerignore").read_text().splitlines()
    assert "*" in ignore and "!build.log" not in ignore  # the log is never sent to the engine


async def test_success_shows_next_steps_a_full_bar_and_a_timed_log(tmp_path: Path):
    ticks = iter(range(0, 10_000, 5))  # every look at the clock: 5 s later
    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl"),
                   clock=lambda: float(next(ticks)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_build(pilot, app)
        assert screen.state == "done"
        assert screen.query_one("#build-meter").percentage == 1.0
        status = status_of(screen)
        ctx = tmp_path / "ctx"
        assert f"cd {ctx} && ./run.sh" in status
        assert f"imgwizard check myapp:latest --context {ctx}" in status
        assert "imgwizard export myapp:latest -o myapp-latest.tar" in status
    starts, end, total = previous_times((tmp_path / "ctx" / "build.log").read_text())
    assert total == 4 and sorted(starts) == [1, 2, 3, 4] and end is not None and end > starts[4]


async def test_second_build_estimates_from_the_last_builds_times(tmp_path: Path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "build.log").write_text("[0.0s] Step 1/4 : FROM x\n[2.0s] Step 2/4 : RUN a\n[50.0s] Step 3/4 : RUN b\n"
                                   "[90.0s] Step 4/4 : CMD c\n[91.0s] built abc as myapp:latest\n")
    now = [0.0]
    app = make_app(host=LAPTOP, output=ctx, builder=replay("docker_build_ok.jsonl", delay=0.4),
                   clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_build(pilot, app)
        assert screen.before[1] == 91.0  # the previous build.log was read before the new one replaced it
        while screen.step < 2 and screen.state == "running":
            await pilot.pause(0.05)
        now[0] = 10.0
        screen._show_progress()
        progress = str(screen.query_one("#build-progress").render())
        # step 2 started at 0 s in this run; last time steps 2..end took 89 s: 89 - 10 = 79 s = 1:19 left
        assert "about 1:19 left" in progress, progress
        screen.action_cancel()
        await app.workers.wait_for_complete()


def test_estimate_without_a_previous_build_goes_by_the_steps_done():
    assert remaining(1, 10, 3.0, 3.0, ({}, None, 0)) is None  # nothing to go by yet
    assert remaining(3, 10, 25.0, 5.0, ({}, None, 0)) == 10 * 8 - 5  # 10 s a step, 8 steps from this one
    assert remaining(3, 10, 25.0, 5.0, ({1: 0.0, 3: 20.0}, None, 10)) == 75.0  # the last build never finished
    assert remaining(3, 12, 25.0, 5.0, ({3: 20.0}, 80.0, 10)) is not None  # other steps: by the mean


def test_cause_lines_pick_the_error_lines_else_the_last_ones():
    assert cause_lines(["Reading", "E: Unable to locate package x", "done"]) == ["E: Unable to locate package x"]
    assert cause_lines([f"line {i}" for i in range(10)]) == [f"line {i}" for i in range(4, 10)]


async def test_a_link_in_place_of_build_log_is_refused_and_the_build_goes_on(tmp_path: Path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me\n")
    (ctx / "build.log").symlink_to(elsewhere)
    app = make_app(host=LAPTOP, output=ctx, builder=replay("docker_build_ok.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_build(pilot, app)
        assert screen.state == "done"
        log = log_of(screen)
        assert "No build.log" in log and "symbolic link" in log
    assert elsewhere.read_text() == "keep me\n"


async def test_after_success_a_chart_shows_each_layer_by_wizard_step_largest_first(tmp_path: Path):
    """The chart reads the image's history (here the one recorded from the real engine for
    tests/fixtures/history_reproduce.Dockerfile, which the context's Dockerfile is replaced with) and labels each
    layer with the Dockerfile section that made it."""
    history = json.loads((FIXTURES / "history_reproduce.json").read_text())
    asked: list[str] = []
    build = replay("docker_build_ok.jsonl")

    def recorded_build(context_dir: Path, tag: str, cancel: threading.Event):
        (context_dir / "Dockerfile").write_text((FIXTURES / "history_reproduce.Dockerfile").read_text())
        yield from build(context_dir, tag, cancel)

    def recorded_history(tag: str) -> list[dict]:
        asked.append(tag)
        return history

    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=recorded_build, history=recorded_history)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_build(pilot, app)
        assert asked == ["myapp:latest"] and screen.layer_view is not None
        chart = str(screen.query_one("#build-layers").render())
        assert chart.startswith("Where the bytes go") and "base image" in chart
        sizes = [r.size for r in screen.layer_view.rows]
        assert sizes == sorted(sizes, reverse=True) and sum(sizes) == screen.layer_view.total
        assert any(r.step == "system packages" for r in screen.layer_view.rows), screen.layer_view.rows
        assert screen.query_one("#build-layers").display


async def test_a_layer_chart_that_cannot_be_read_says_why_and_the_build_stands(tmp_path: Path):
    def no_engine(tag: str) -> list[dict]:
        raise ConnectionError("engine went away")

    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_ok.jsonl"), history=no_engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finished_build(pilot, app)
        assert screen.state == "done"
        assert "No layer view: engine went away" in str(screen.query_one("#build-layers").render())


async def test_run_it_names_the_variables_run_sh_reads(tmp_path: Path):
    """Issue 29, item 2.5: "Run it" names what run.sh takes the secrets from: a desktop's required password,
    Jupyter's optional token; a shell image with no secret says only "Run it"."""
    cases = [({"app.type": "desktop", "app.name": "command", "app.command": "xterm", "desktop.engine": "builtin"},
              "Run it with DESKTOP_PASSWORD set: "),
             ({"app.type": "web", "app.name": "jupyter"}, "Run it (JUPYTER_TOKEN optional): "),
             ({"app.type": "shell", "ssh.enabled": False}, "Run it: ")]
    for n, (given, said) in enumerate(cases):
        ctx = tmp_path / f"ctx{n}"
        app = make_app(given, host=LAPTOP, output=ctx, builder=replay("docker_build_ok.jsonl"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await finished_build(pilot, app)
            assert screen.state == "done"
            assert f"{said}cd {ctx} && ./run.sh" in status_of(screen), status_of(screen)
