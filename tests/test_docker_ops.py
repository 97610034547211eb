"""The Docker adapter without an engine: the build stream parser on recorded chunks, and the error paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from screens.cli import main
from wizard.build_events import BuildEvent
from wizard.docker_ops import DockerOpError, engine_status, export_image, human_size, parse_stream

# Recorded from docker-py 7.1 `APIClient.build(decode=True)` against the legacy builder (engine 26).
OK = [
    {"stream": "Step 1/3 : FROM debian:bookworm-slim"}, {"stream": "\n"},
    {"stream": " ---> d54f45b71ab0\n"},
    {"stream": "Step 2/3 : RUN echo \"hello\" && ls / | head -2"}, {"stream": "\n"},
    {"stream": " ---> Running in edfe72f34b59\n"},
    {"stream": "hel"}, {"stream": "lo\nbin\nbo"}, {"stream": "ot\n"},
    {"stream": "Removing intermediate container edfe72f34b59\n"},
    {"stream": " ---> 619b1253c162\n"},
    {"stream": "Step 3/3 : CMD [\"bash\"]"}, {"stream": "\n"},
    {"stream": " ---> fc05ef9c12cb\n"},
    {"aux": {"ID": "sha256:fc05ef9c12cbc9f818eb8170c6a4556ea5b210092710b16fcffcc764d800b666"}},
    {"stream": "Successfully built fc05ef9c12cb\n"},
    {"stream": "Successfully tagged rec:1\n"},
]
FAIL = [
    {"stream": "Step 1/2 : FROM debian:bookworm-slim"}, {"stream": "\n"},
    {"stream": " ---> d54f45b71ab0\n"},
    {"stream": "Step 2/2 : RUN sh -c 'echo \"no such tool\" >&2; exit 3'"}, {"stream": "\n"},
    {"stream": " ---> Running in 51ebc154cfed\n"},
    {"stream": "\u001b[91mno such tool\n\u001b[0m"},
    {"errorDetail": {"code": 3, "message": "The command '/bin/sh -c sh -c 'echo \"no such tool\" >&2; exit 3'' "
                                           "returned a non-zero code: 3"},
     "error": "The command ... returned a non-zero code: 3"},
]


def test_steps_output_and_done():
    events = list(parse_stream(OK))
    steps = [e for e in events if e.kind == "step"]
    assert steps == [BuildEvent("step", "FROM debian:bookworm-slim", 1, 3),
                     BuildEvent("step", 'RUN echo "hello" && ls / | head -2', 2, 3),
                     BuildEvent("step", 'CMD ["bash"]', 3, 3)]
    outputs = [e.text for e in events if e.kind == "output"]
    assert "hello" in outputs and "bin" in outputs and "boot" in outputs  # lines split across chunks, rejoined
    assert all(e.step == 2 for e in events if e.kind == "output" and e.text in ("hello", "boot"))
    assert events[-1] == BuildEvent("done", "sha256:fc05ef9c12cbc9f818eb8170c6a4556ea5b210092710b16fcffcc764d800b666",
                                    3, 3)
    assert [e.kind for e in events].count("done") == 1


def test_error_ends_the_stream_with_the_message_and_no_colour_codes():
    events = list(parse_stream(FAIL))
    assert events[-1].kind == "error"
    assert events[-1].text.endswith("returned a non-zero code: 3") and events[-1].step == 2
    assert BuildEvent("output", "no such tool", 2, 2) in events
    assert not any("\x1b" in e.text for e in events)


def test_a_stream_without_result_is_an_error():
    events = list(parse_stream(OK[:6]))
    assert events[-1].kind == "error" and "without an image" in events[-1].text


def test_image_id_from_successfully_built_when_no_aux():
    events = list(parse_stream([c for c in OK if "aux" not in c]))
    assert events[-1] == BuildEvent("done", "fc05ef9c12cb", 3, 3)


def test_pull_status_lines_are_output():
    events = list(parse_stream([{"status": "Pulling from library/debian", "id": "bookworm"},
                                {"status": "Downloading", "progressDetail": {}, "progress": "[=>  ]", "id": "a"},
                                {"stream": "Successfully built abc123\n"}]))
    assert events[0] == BuildEvent("output", "bookworm: Pulling from library/debian")
    assert len(events) == 3 and events[-1].kind == "done"  # the progress bar chunk is dropped


def test_engine_status_gives_one_line_reason():
    def factory():
        raise ConnectionError("Error while fetching server API version: ('Connection aborted.',\n more")

    reason = engine_status(factory)
    assert reason.startswith("no Docker engine answers (") and "\n" not in reason


def test_cli_says_how_to_start_an_engine(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    assert main(["build", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no Docker engine answers" in err[0] and "dockerd" in err[0]
    for argv in (["export", "x:y", "-o", str(tmp_path / "x.tar")], ["commit", "c", "x:y"]):
        assert main(argv) == 3


def test_cli_bad_input_is_exit_2(tmp_path, capsys):
    assert main(["build", str(tmp_path)]) == 2
    assert "has no Dockerfile" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.tar")]) == 2
    assert main(["check", "x:y", "--context", str(tmp_path)]) == 2
    (tmp_path / "imgwizard.toml").write_text("version = 1\n")
    assert main(["check", "x:y", "--context", str(tmp_path), "-e", "NOEQUALS"]) == 2


def test_build_refuses_before_the_engine_when_a_copied_file_is_missing(tmp_path, capsys):
    example = Path(__file__).parent.parent / "docs" / "examples" / "pycharm-novnc.toml"
    assert main(["render", str(example), "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["build", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"build: {tmp_path / 'pycharm-community-2024.2.1.tar.gz'} is missing: the Dockerfile COPYs it" in err
    assert "startapp.sh" not in err  # written by render, so present


@pytest.mark.parametrize("command", ["build", "export", "import", "commit", "check"])
def test_every_docker_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert len(capsys.readouterr().out) > 200


def test_export_into_a_missing_folder_is_refused_before_touching_the_engine(tmp_path):
    with pytest.raises(DockerOpError, match="is not a folder"):
        export_image(None, "x:y", tmp_path / "missing" / "x.tar")


def test_human_size():
    assert human_size(512) == "512 B"
    assert human_size(5 * 2**20) == "5.0 MiB"
    assert human_size(3 * 2**30) == "3.0 GiB"
