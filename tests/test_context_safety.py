"""Nothing the user had is lost when a context is written (wizard/context.py): a full disk (a real tmpfs), FIFOs
and device nodes where a generated file goes, symbolic and hard links, a binary file named like a generated one.

Every call that could hang on a FIFO runs in a subprocess or a thread with a time-out of its own, so a
regression fails instead of hanging.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from wizard import answers_file
from wizard.context import plan_write, write
from wizard.render import render
from wizard.safeio import SafeIOError, WriteFailed
from wizard.validate import validate

from tests.hang import HANG, in_thread

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "debian-shell-ssh.toml"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens.cli", *args], capture_output=True, text=True,
                          timeout=HANG, cwd=ROOT)


def render_example(out: Path) -> subprocess.CompletedProcess:
    return run_cli("render", str(EXAMPLE), "-o", str(out))


def context():
    given, problems = answers_file.parse(EXAMPLE.read_text())
    assert not problems
    answers, problems = validate(given, EXAMPLE.parent)
    assert not problems
    return render(answers, EXAMPLE.parent)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry of `folder`: its mode and its bytes (a link: where it points)."""
    found = {}
    for p in sorted(folder.iterdir()):
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode):
            found[p.name] = (st.st_mode, os.readlink(p))
        elif stat.S_ISREG(st.st_mode):
            found[p.name] = (st.st_mode, p.read_bytes())
        else:
            found[p.name] = (st.st_mode, b"")
    return found


# ------------------------------------------------------------------ a full disk

@pytest.fixture
def small_fs(tmp_path):
    """A real 1 MiB tmpfs."""
    mount = tmp_path / "small"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {r.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fill(fs: Path, leave_pages: int) -> None:
    """Fill `fs` to the last byte, then free `leave_pages` pages: the next few writes fit, the rest fail."""
    filler = fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\1" * 4096):
            pass
    except OSError as exc:
        assert exc.errno == 28  # ENOSPC
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave_pages * 4096))


def test_disk_full_during_render_leaves_the_folder_exactly_as_it_was(small_fs):
    out = small_fs / "ctx"
    assert render_example(out).returncode == 0
    (out / "Dockerfile").write_text("FROM my-own-edit\n")  # differs: would be backed up
    (out / "run.sh").unlink()  # missing: would be written new
    (out / "notes.txt").write_text("mine\n")
    fill(small_fs, leave_pages=1)  # room for one staged file, not for all of them
    before = snapshot(out)

    proc = render_example(out)

    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"render: cannot write run.sh in {out}: No space left on device; nothing was changed "
                           "(no file replaced, no backup made)\n")
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert snapshot(out) == before, "a temporary file or a backup was left, or an old file was moved"


def test_disk_full_when_creating_the_folder_leaves_no_folder(small_fs):
    fill(small_fs, leave_pages=0)
    ctx = context()
    with pytest.raises(WriteFailed, match="No space left on device"):
        write(ctx, small_fs / "new" / "ctx")
    assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]


def test_write_in_full_then_again_on_free_space_after_the_failure(small_fs):
    """After the failure the same render succeeds once there is room, with the backup it would have made."""
    out = small_fs / "ctx"
    assert render_example(out).returncode == 0
    (out / "Dockerfile").write_text("FROM my-own-edit\n")
    fill(small_fs, leave_pages=0)
    assert render_example(out).returncode == 1
    (small_fs / "filler").unlink()
    proc = render_example(out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "Dockerfile.bak").read_text() == "FROM my-own-edit\n"
    assert not [p.name for p in out.iterdir() if "imgwizard-tmp" in p.name]


def test_a_rename_that_fails_part_way_is_undone(tmp_path):
    """Every file staged, some renamed into place, then one old file cannot be moved aside (immutable):
    the renames already made are undone."""
    out = tmp_path / "ctx"
    assert render_example(out).returncode == 0
    (out / "Dockerfile").write_text("FROM my-own-edit\n")  # moved to .bak, then put back
    (out / "run.sh").unlink()  # written new, then removed again
    (out / "README.md").write_text("my readme\n")  # late in the order, and cannot be renamed
    before = snapshot(out)
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(out / "README.md")]).returncode != 0:
        pytest.skip("chattr +i is not available here (root on ext4 needed)")
    try:
        proc = render_example(out)
    finally:
        subprocess.run(["chattr", "-i", str(out / "README.md")], check=True)
    assert proc.returncode == 1
    assert proc.stderr == (f"render: cannot write into {out}: Operation not permitted; nothing was changed "
                           "(no file replaced, no backup made)\n")
    assert snapshot(out) == before


# ------------------------------------------------------------------ FIFOs, devices, folders where a file goes

@pytest.mark.parametrize("dry_run", [False, True])
def test_a_fifo_named_like_a_generated_file_is_refused_without_hanging(tmp_path, dry_run):
    out = tmp_path / "ctx"
    out.mkdir()
    os.mkfifo(out / "Dockerfile")
    proc = run_cli("render", str(EXAMPLE), "-o", str(out), *(["--dry-run"] if dry_run else []))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"render: {out / 'Dockerfile'} is a FIFO (named pipe); accepted: a regular file or nothing there "
        "(move it away or choose another folder); nothing was written"]
    assert [p.name for p in out.iterdir()] == ["Dockerfile"]


def test_plan_write_on_a_fifo_raises_at_once_for_the_save_dialog(tmp_path):
    os.mkfifo(tmp_path / "README.md")
    _, error = in_thread(plan_write, context(), tmp_path)
    assert isinstance(error, SafeIOError) and "README.md is a FIFO (named pipe)" in str(error)


def test_a_device_node_named_like_a_generated_file_is_refused(tmp_path):
    out = tmp_path / "ctx"
    out.mkdir()
    try:
        os.mknod(out / "run.sh", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    except PermissionError:
        pytest.skip("making a device node needs root")
    proc = render_example(out)
    assert proc.returncode == 2 and "run.sh is a character device" in proc.stderr
    assert stat.S_ISCHR((out / "run.sh").lstat().st_mode) and [p.name for p in out.iterdir()] == ["run.sh"]


def test_a_folder_named_like_a_generated_file_is_refused(tmp_path):
    (tmp_path / "Dockerfile").mkdir()
    (tmp_path / "Dockerfile" / "mine").write_text("x")
    _, error = in_thread(plan_write, context(), tmp_path)
    assert isinstance(error, SafeIOError) and "Dockerfile is a folder" in str(error)


def test_an_output_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "out")
    proc = run_cli("render", str(EXAMPLE), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "out is a FIFO (named pipe); accepted: a folder" in proc.stderr


# ------------------------------------------------------------------ links

def test_a_link_leaving_the_folder_is_refused_and_its_target_untouched(tmp_path):
    out = tmp_path / "ctx"
    assert render_example(out).returncode == 0
    victim = tmp_path / "victim.sh"
    victim.write_bytes((out / "run.sh").read_bytes())  # same text: the old code chmod-ed it to 755
    victim.chmod(0o600)
    (out / "run.sh").unlink()
    (out / "run.sh").symlink_to(victim)
    before = snapshot(out)
    proc = render_example(out)
    assert proc.returncode == 2
    assert f"{out / 'run.sh'} is a symbolic link to {victim}, outside {out}" in proc.stderr
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600 and snapshot(out) == before


def test_a_dangling_link_leaving_the_folder_is_refused(tmp_path):
    (tmp_path / "Dockerfile").symlink_to("/etc/imgwizard-no-such-file")
    _, error = in_thread(plan_write, context(), tmp_path)
    assert isinstance(error, SafeIOError) and "outside" in str(error)
    assert not Path("/etc/imgwizard-no-such-file").exists()


def test_a_link_inside_the_folder_is_kept_as_the_backup_and_its_target_untouched(tmp_path):
    out = tmp_path / "ctx"
    out.mkdir()
    (out / "my-readme.md").write_text("my notes\n")
    (out / "README.md").symlink_to("my-readme.md")
    proc = render_example(out)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out / 'README.md'} (previous kept as README.md.bak)" in proc.stdout
    assert (out / "my-readme.md").read_text() == "my notes\n"
    assert os.readlink(out / "README.md.bak") == "my-readme.md"
    assert stat.S_ISREG((out / "README.md").lstat().st_mode)


def test_a_hard_link_is_replaced_never_written_into(tmp_path):
    out = tmp_path / "ctx"
    assert render_example(out).returncode == 0
    elsewhere = tmp_path / "elsewhere.sh"
    os.link(out / "run.sh", elsewhere)
    elsewhere.chmod(0o644)  # same text, another mode: the old code chmod-ed the shared file
    os.link(out / "Dockerfile", tmp_path / "elsewhere-Dockerfile")
    (out / "Dockerfile").unlink()
    (out / "Dockerfile").write_text("FROM edited\n")
    os.link(out / "Dockerfile", tmp_path / "edited-Dockerfile")
    proc = render_example(out)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o644
    assert stat.S_IMODE((out / "run.sh").stat().st_mode) == 0o755
    assert (tmp_path / "edited-Dockerfile").read_text() == "FROM edited\n"
    assert (out / "Dockerfile.bak").read_text() == "FROM edited\n"


# ------------------------------------------------------------------ binary files and modes

def test_a_binary_file_named_like_a_generated_file_is_kept_and_said(tmp_path):
    out = tmp_path / "ctx"
    out.mkdir()
    binary = bytes(range(256)) * 4
    (out / "run.sh").write_bytes(binary)
    proc = render_example(out)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert f"wrote {out / 'run.sh'} (previous, not a text file, kept as run.sh.bak)" in proc.stdout
    assert (out / "run.sh.bak").read_bytes() == binary


def test_a_same_size_binary_is_not_taken_for_the_same_file(tmp_path):
    ctx = context()
    size = len(ctx.files["Dockerfile"].text.encode())
    (tmp_path / "Dockerfile").write_bytes(b"\xff" * size)
    report = plan_write(ctx, tmp_path)
    assert report.backups["Dockerfile"] == "Dockerfile.bak" and report.not_text == ["Dockerfile"]


def test_same_text_with_another_mode_is_rewritten_without_a_backup(tmp_path):
    ctx = context()
    write(ctx, tmp_path)
    (tmp_path / "run.sh").chmod(0o644)
    report = write(ctx, tmp_path)
    assert "run.sh" in report.written and "run.sh" not in report.backups
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o755
    assert not list(tmp_path.glob("run.sh.bak*"))
