"""The Docker adapter without an engine: the build stream parser on recorded chunks, and the error paths."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from screens.cli import main
from wizard.engine.build_events import BuildEvent
from wizard.engine.archive import BadTarget, archive_tags, export_image
from wizard.engine.build import parse_stream
from wizard.engine.common import DockerOpError, human_size, reference_problem
from wizard.engine.connect import engine_status

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


# ------------------------------------------------------------------ bad input refused before the engine

HANG = 60  # seconds after which a command that should answer at once counts as hung
ROOT = Path(__file__).parent.parent


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The CLI in a subprocess with a time-out, for inputs that could hang (FIFOs)."""
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=ROOT, env={**os.environ, "DOCKER_HOST": "unix:///nonexistent.sock"})


@pytest.fixture
def no_engine(tmp_path, monkeypatch):
    """No engine answers: a command that reaches for one exits 3, so exit 2 proves it refused before."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")


@pytest.mark.parametrize("ref", ["", "My App", "app:", "x\n", "app:1\n", "a" * 300, "app:-1", "app:²", "ａpp"])
def test_reference_problem_refuses_and_says_what_is_accepted(ref):
    problem = reference_problem(ref)
    assert problem and "accepted: name[:tag]" in problem and "\n" not in problem and len(problem) < 250


@pytest.mark.parametrize("ref", ["app", "team/app:1.0", "localhost:5000/x/y:latest", "6222a6ddc0a8",
                                 "sha256:" + "a" * 64, "debian:bookworm-slim", "x@sha256:" + "0" * 64])
def test_reference_problem_takes_real_references(ref):
    assert reference_problem(ref) is None


@pytest.mark.parametrize("command", [["export", "{image}", "-o", "{out}"], ["check", "{image}", "--context", "{ctx}"]])
@pytest.mark.parametrize("image", ["", "Not An Image", "x\n"])
def test_export_and_check_refuse_a_bad_image_name_in_one_line(tmp_path, no_engine, capsys, command, image):
    (tmp_path / "imgwizard.toml").write_text("version = 1\n")
    argv = [a.format(image=image, out=tmp_path / "x.tar", ctx=tmp_path) for a in command]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{argv[0]}: IMAGE ") and "accepted: name[:tag]" in err[0]
    assert not (tmp_path / "x.tar").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-5", "0", "0.5", "3601", "1e400"])
def test_check_refuses_a_timeout_that_is_not_1_to_3600_seconds(tmp_path, no_engine, capsys, value):
    (tmp_path / "imgwizard.toml").write_text("version = 1\n")
    assert main(["check", "x:y", "--context", str(tmp_path), f"--timeout={value}"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].endswith("accepted: a number of seconds from 1 to 3600"), err


def test_check_takes_a_timeout_in_range_then_looks_for_the_engine(tmp_path, no_engine):
    (tmp_path / "imgwizard.toml").write_text("version = 1\n")
    assert main(["check", "x:y", "--context", str(tmp_path), "--timeout", "3600"]) == 3


def test_export_keeps_an_existing_file_unless_forced(tmp_path, no_engine, capsys):
    mine = tmp_path / "mine.tar"
    mine.write_text("my archive\n")
    assert main(["export", "x:y", "-o", str(mine)]) == 2
    assert capsys.readouterr().err == f"export: {mine} exists; pass --force to replace it, or choose another name; " \
                                      "nothing was written\n"
    assert mine.read_text() == "my archive\n"
    assert main(["export", "x:y", "-o", str(mine), "--force"]) == 3  # allowed: it goes on to the engine


def test_export_refuses_a_fifo_a_device_a_folder_and_a_link_even_with_force(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "victim").write_text("keep\n")
    (tmp_path / "link").symlink_to(tmp_path / "victim")
    targets = {"fifo": "is a FIFO (named pipe)", "folder": "is a folder", "link": "is a symbolic link"}
    try:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        targets["null"] = "is a character device"
    except PermissionError:
        pass
    for name, said in targets.items():
        proc = run_cli("export", "x:y", "-o", str(tmp_path / name), "--force")
        assert proc.returncode == 2, (name, proc.stderr)
        assert proc.stderr.splitlines() == [f"export: {tmp_path / name} {said}; accepted: a new file name, or a "
                                            "regular file with --force; nothing was written"]
    assert (tmp_path / "victim").read_text() == "keep\n" and (tmp_path / "link").is_symlink()
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)


def test_export_image_itself_refuses_an_existing_file_before_the_engine(tmp_path):
    (tmp_path / "x.tar").write_text("mine")
    with pytest.raises(BadTarget, match="exists; pass --force"):
        export_image(None, "x:y", tmp_path / "x.tar")


def test_binary_dockerfile_or_answers_file_in_a_context_is_exit_2(tmp_path, no_engine, capsys):
    (tmp_path / "Dockerfile").write_bytes(b"FROM x\n\xff\xfe\0binary")
    assert main(["build", str(tmp_path)]) == 2
    assert main(["lint", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"build: {tmp_path / 'Dockerfile'} is not UTF-8 text (byte 7, line 2); accepted: a UTF-8 text file",
                   f"lint: {tmp_path / 'Dockerfile'} is not UTF-8 text (byte 7, line 2); accepted: a UTF-8 text file"]
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "imgwizard.toml").write_bytes(b"version = 1\n\x89PNG\r\n")
    assert main(["build", str(tmp_path)]) == 2
    assert main(["check", "x:y", "--context", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["build", "check"]
    assert all("imgwizard.toml is not UTF-8 text (byte 12, line 2)" in line for line in err)
    assert not (tmp_path / "build.log").exists()


@pytest.mark.parametrize("command", ["build", "lint"])
def test_a_fifo_dockerfile_is_refused_without_hanging(tmp_path, command):
    os.mkfifo(tmp_path / "Dockerfile")
    proc = run_cli(command, str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"{command}: {tmp_path / 'Dockerfile'} is a FIFO (named pipe); accepted: a regular file\n"


def test_a_fifo_dockerignore_is_refused_before_docker_py_reads_it(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    os.mkfifo(tmp_path / ".dockerignore")
    proc = run_cli("build", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"build: {tmp_path / '.dockerignore'} is a FIFO (named pipe); accepted: a regular file\n"


def test_build_never_writes_its_log_through_a_link_a_fifo_or_a_hard_link(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    victim = tmp_path.parent / f"{tmp_path.name}-victim"
    victim.write_text("precious\n")
    (tmp_path / "build.log").symlink_to(victim)
    proc = run_cli("build", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr == (
        f"build: the log: {tmp_path / 'build.log'} is a symbolic link; imgwizard does not write into it: "
        "accepted: a regular file or a new name for the log\n")
    (tmp_path / "build.log").unlink()
    os.mkfifo(tmp_path / "build.log")
    proc = run_cli("build", str(tmp_path))
    assert proc.returncode == 2 and "build.log is a FIFO (named pipe)" in proc.stderr
    (tmp_path / "build.log").unlink()
    os.link(victim, tmp_path / "build.log")
    proc = run_cli("build", str(tmp_path))
    assert proc.returncode == 2 and "build.log has other names (hard links)" in proc.stderr
    assert victim.read_text() == "precious\n"
    proc = run_cli("build", str(tmp_path), "--log", str(tmp_path / "new.log"))
    assert proc.returncode == 3  # a fresh log is fine: on to the engine, which is not there
    assert (tmp_path / "new.log").read_text() == "ERROR: no Docker engine answers\n"


def test_import_refuses_a_fifo_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "image.tar")
    proc = run_cli("import", str(tmp_path / "image.tar"))
    assert proc.returncode == 2
    assert proc.stderr == f"import: {tmp_path / 'image.tar'} is a FIFO (named pipe); accepted: a tar file from " \
                          "docker save\n"


# ------------------------------------------------------------------ the tags an archive holds

def make_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_archive_tags_reads_the_manifest_repo_tags(tmp_path):
    manifest = json.dumps([{"Config": "c.json", "RepoTags": ["a/b:1", "a/b:2"], "Layers": []},
                           {"Config": "d.json", "RepoTags": None, "Layers": []}]).encode()
    archive = make_tar(tmp_path / "x.tar", {"layer/layer.tar": b"\0" * 10000, "manifest.json": manifest})
    assert archive_tags(archive) == ["a/b:1", "a/b:2"]
    gzipped = tmp_path / "x.tar.gz"  # docker load takes compressed archives too
    gzipped.write_bytes(gzip.compress(archive.read_bytes()))
    assert archive_tags(gzipped) == ["a/b:1", "a/b:2"]


def test_archive_tags_refuses_what_is_not_a_docker_save_archive(tmp_path):
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is not a tar file\n" * 100)
    with pytest.raises(DockerOpError, match="is not a complete image archive"):
        archive_tags(garbage)
    with pytest.raises(DockerOpError, match="has no manifest.json"):
        archive_tags(make_tar(tmp_path / "plain.tar", {"hello.txt": b"hi\n"}))
    with pytest.raises(DockerOpError, match="manifest.json is 2000000 bytes; accepted: at most 1048576"):
        archive_tags(make_tar(tmp_path / "big.tar", {"manifest.json": b" " * 2_000_000}))
    with pytest.raises(DockerOpError, match="not a docker save manifest"):
        archive_tags(make_tar(tmp_path / "odd.tar", {"manifest.json": b'{"RepoTags": 1}'}))


def test_archive_tags_reads_an_oci_layout_archive_without_manifest_json(tmp_path):
    """An archive in the bare OCI layout (index.json, no manifest.json) names its images by annotation."""
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"digest": "sha256:" + "0" * 64, "annotations": {"io.containerd.image.name": "docker.io/a/b:1",
                                                          "org.opencontainers.image.ref.name": "1"}},
        {"digest": "sha256:" + "1" * 64}]}).encode()
    archive = make_tar(tmp_path / "oci.tar", {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index})
    assert archive_tags(archive) == ["docker.io/a/b:1"]
    both = make_tar(tmp_path / "both.tar", {"index.json": index, "manifest.json": b'[{"RepoTags": ["a/b:1"]}]'})
    assert archive_tags(both) == ["a/b:1"]  # docker save writes both: manifest.json wins


def test_check_without_a_context_reads_the_answers_from_the_image_so_it_looks_for_the_engine_first(no_engine):
    """No --context: the answers come from the image's imgwizard.answers label (wizard.engine.labels), so nothing
    is refused before the engine is asked (here: none, exit 3); a context dir without imgwizard.toml is still
    refused at once (exit 2, test_cli_bad_input_is_exit_2)."""
    assert main(["check", "x:y"]) == 3


# docker top's rows (ps -ef: UID PID PPID C STIME TTY TIME CMD) of a built-in desktop container
TOP = [["root", "11", "1", "0", "10:00", "?", "00:00:00", "/bin/sh /usr/local/bin/imgwizard-desktop"],
       ["root", "20", "11", "0", "10:00", "?", "00:00:00", "sh -c exec xterm -ls"],
       ["root", "21", "11", "0", "10:00", "?", "00:00:00", "/usr/bin/xterm -ls"],
       ["root", "30", "11", "0", "10:00", "?", "00:00:00", "/bin/sh /usr/local/bin/pycharm"],
       ["root", "31", "11", "0", "10:00", "?", "00:00:00", "/usr/bin/python3 /usr/bin/websockify --web x"]]


def test_check_finds_the_app_s_own_process_not_the_supervisor_s_shell():
    from wizard.engine.check_desktop import app_pids

    assert app_pids(TOP, "xterm") == {"21"}  # not `sh -c exec xterm`, the supervisor's before its exec
    assert app_pids(TOP, "pycharm") == {"30"}  # a launcher script run by sh
    assert app_pids(TOP, "imgwizard-desktop") == {"11"}
    assert app_pids(TOP, "firefox") == set()


class _Desktop:
    """A container whose supervisor logged `log` (the engine's answers, recorded from a real run)."""

    def __init__(self, log: str, top: list) -> None:
        self.log, self.status, self.attrs, self.rows = log.encode(), "running", {"State": {}}, top

    def reload(self) -> None:
        pass

    def logs(self, tail: int) -> bytes:
        return self.log

    def top(self) -> dict:
        return {"Processes": self.rows}

    def exec_run(self, cmd: list, user: str) -> Any:  # the supervisor's pid file: none (an image from before)
        return SimpleNamespace(exit_code=3, output=b"")


class _Supervised(_Desktop):
    """A desktop whose supervisor wrote the app's pid: that pid, whatever its program's name now."""

    def __init__(self, log: str, pids: list[str]) -> None:
        super().__init__(log, [])
        self.pids = pids

    def exec_run(self, cmd: list, user: str) -> Any:
        assert cmd[:2] == ["sh", "-c"] and "/dev/shm/imgwizard-desktop/app.pid" in cmd[2] and user == "root"
        pid = self.pids.pop(0) if len(self.pids) > 1 else self.pids[0]
        return SimpleNamespace(exit_code=0 if pid else 1, output=f"{pid}\n".encode() if pid else b"")


EXITED = ("[imgwizard-desktop] the app exited: starting it again in {} s (exit code {} after 0 s; "
          "quick exits in a row: {})\n")
LOOP = ("[imgwizard-desktop] starting the app: xterm\n[app] cannot open \x1b[31mdisplay\x1b[0m\n"
        + EXITED.format(1, 3, 1) + "[imgwizard-desktop] starting the app: xterm\n[app] sh: 1: exec: xterm: not found\n"
        + EXITED.format(2, 127, 2))


def test_check_reports_an_app_restart_loop_at_once_with_its_last_lines_made_safe():
    """The supervisor's 'the app exited' lines fail the app's check on the first look (not after the time-out),
    with the exit code, what 127 means and the app's last log lines, their escape sequences shown escaped.
    (A stand-in container: the engine's side of this runs for real in tests/docker/test_check_desktop.py.)"""
    import time

    from wizard.engine.check_desktop import app_stays_up

    start = time.monotonic()
    ok, detail = app_stays_up(_Desktop(LOOP, TOP), "xterm", deadline=start + 90)
    assert not ok and time.monotonic() - start < 1
    assert detail.startswith("xterm exited 2 times within 0 s (last: exit code 127 (the command was not found) "
                             "after 0 s) and the desktop keeps starting it again (a restart loop)"), detail
    assert detail.endswith("its last lines: cannot open \\x1b[31mdisplay\\x1b[0m | sh: 1: exec: xterm: not found")
    assert "\x1b" not in detail


def test_check_wants_the_app_s_process_to_stay_the_same_for_a_few_seconds():
    from wizard.engine.check_desktop import app_stays_up

    log = "[imgwizard-desktop] starting the app: xterm\n"
    ok, detail = app_stays_up(_Desktop(log, TOP), "xterm", deadline=9e9, settle=1.0)
    assert ok and detail == "xterm is running (the same process for 1 s)"
    import time

    ok, detail = app_stays_up(_Desktop(log, TOP[:2]), "xterm", deadline=time.monotonic() + 1, settle=1.0)
    assert not ok and detail == "no xterm process before the time-out"


def test_check_follows_the_pid_the_supervisor_wrote_whatever_the_app_execs():
    """A launcher that execs another program keeps its pid but not its name: the pid file finds it; a pid that
    changes (the app restarted) is not 'the same process'; no pid running is no app. (Stand-in container; the
    real one: tests/docker/test_app_files_engine.py.)"""
    import time

    from wizard.engine.check_desktop import app_stays_up

    log = "[imgwizard-desktop] starting the app: start\n"
    ok, detail = app_stays_up(_Supervised(log, ["42"]), "start", deadline=9e9, settle=1.0)
    assert ok and detail == "start is running (the same process for 1 s)"
    changing = _Supervised(log, [str(n) for n in range(40, 80)])
    ok, detail = app_stays_up(changing, "start", deadline=time.monotonic() + 1.5, settle=1.0)
    assert not ok and detail == "start did not stay up for 1 s before the time-out"
    ok, detail = app_stays_up(_Supervised(log, [""]), "start", deadline=time.monotonic() + 1, settle=1.0)
    assert not ok and detail == "no start process before the time-out"
