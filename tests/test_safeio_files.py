"""wizard/safeio.py on real FIFOs, links and device nodes: nothing is opened that is not a regular file, nothing
is written through a link, a log never lands in another file. Calls that could hang run in a thread joined
with a time-out of its own.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from wizard import safeio
from wizard.safeio import SafeIOError

from tests.hang import HANG, in_thread


def test_a_fifo_is_refused_before_it_is_opened(tmp_path):
    """A writer blocked on opening the FIFO would be released by any reader: it must still be waiting."""
    fifo = tmp_path / "answers.toml"
    os.mkfifo(fifo)
    writer_opened = threading.Event()

    def writer():
        fd = os.open(fifo, os.O_WRONLY)  # blocks until someone opens the FIFO for reading
        writer_opened.set()
        os.close(fd)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    _, error = in_thread(safeio.read_text, fifo, safeio.ANSWERS_LIMIT)
    assert isinstance(error, SafeIOError) and str(error) == f"{fifo} is a FIFO (named pipe); accepted: a regular file"
    t.join(1.0)  # had safeio opened the FIFO, the released writer would be done by now
    assert not writer_opened.is_set(), "safeio opened the FIFO"
    release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # let the writer go
    t.join(HANG)
    os.close(release)


def test_a_device_node_is_refused(tmp_path):
    try:
        os.mknod(tmp_path / "zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # a copy of /dev/zero
    except PermissionError:
        pytest.skip("making a device node needs root")
    _, error = in_thread(safeio.read_bytes, tmp_path / "zero", safeio.ANSWERS_LIMIT)
    assert isinstance(error, SafeIOError) and "is a character device; accepted: a regular file" in str(error)


def test_read_without_following_refuses_a_link(tmp_path):
    (tmp_path / "real").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert safeio.read_bytes(tmp_path / "link", 10) == b"x"
    with pytest.raises(SafeIOError, match="is a symbolic link; accepted: a regular file"):
        safeio.read_bytes(tmp_path / "link", 10, follow=False)


def test_check_target_tells_links_in_and_out_of_the_folder(tmp_path):
    folder = tmp_path / "ctx"
    folder.mkdir()
    assert safeio.check_target(folder / "absent", folder) is None
    (folder / "inside").symlink_to("absent-too")
    assert stat.S_ISLNK(safeio.check_target(folder / "inside", folder).st_mode)
    (folder / "up").symlink_to("../ctx-other/file")
    with pytest.raises(SafeIOError, match="is a symbolic link to .*ctx-other/file, outside"):
        safeio.check_target(folder / "up", folder)
    os.mkfifo(folder / "fifo")
    with pytest.raises(SafeIOError, match="is a FIFO"):
        safeio.check_target(folder / "fifo", folder)


def test_open_new_log_replaces_a_regular_log_and_refuses_the_rest(tmp_path):
    log = tmp_path / "build.log"
    log.write_text("an old, longer log\n")
    with safeio.open_new_log(log) as f:
        f.write("new\n")
    assert log.read_text() == "new\n"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for make, said in ((lambda p: p.symlink_to(victim), "is a symbolic link"),
                       (lambda p: os.link(victim, p), "has other names (hard links)"),
                       (os.mkfifo, "is a FIFO (named pipe)"),
                       (Path.mkdir, "is a folder")):
        log.unlink() if not log.is_dir() else log.rmdir()
        make(log)
        _, error = in_thread(safeio.open_new_log, log)
        assert isinstance(error, SafeIOError) and f"{log} {said}; imgwizard does not write into it" in str(error)
    assert victim.read_text() == "precious\n"


def test_stage_leaves_nothing_behind_when_it_cannot_write(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    tmp = safeio.stage(folder, "run.sh", b"#!/bin/sh\n", 0o755)
    assert tmp.parent == folder and tmp.read_bytes() == b"#!/bin/sh\n"
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o755
    with pytest.raises(safeio.WriteFailed, match="cannot write x in"):
        safeio.stage(tmp_path / "missing", "x", b"", 0o644)


@pytest.mark.parametrize("data, text", [(b"", True), (b"plain\n", True), ("中文".encode()[:-1], True),
                                        (b"a\0b", False), (b"\xff\xfe", False), (b"\x89PNG\r\n\x1a\n", False)])
def test_looks_like_text(data, text):
    assert safeio.looks_like_text(data) is text
