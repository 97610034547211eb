"""The non-interactive commands: render, validate, lint, --version and --help."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


from screens.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "debian-shell-ssh.toml"


def test_render_writes_the_whole_context_and_reports_it(tmp_path, capsys):
    out = tmp_path / "ctx"
    assert main(["render", str(EXAMPLE), "-o", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"Dockerfile", ".dockerignore", "compose.yaml", "run.sh", "README.md", "imgwizard.toml",
            "imgwizard-entry.sh", "sshd_config", "authorized_keys"} == names
    assert (out / "run.sh").stat().st_mode & 0o777 == 0o755
    assert f"wrote {out / 'Dockerfile'}" in capsys.readouterr().out
    # the written answers file renders the same context again (reproducible builds)
    again = tmp_path / "again"
    assert main(["render", str(out / "imgwizard.toml"), "-o", str(again)]) == 0
    for p in out.iterdir():
        assert (again / p.name).read_text() == p.read_text(), p.name


def test_render_keeps_a_backup_of_a_file_that_differs_and_leaves_identical_ones(tmp_path, capsys):
    out = tmp_path / "ctx"
    main(["render", str(EXAMPLE), "-o", str(out)])
    (out / "Dockerfile").write_text("FROM my-own-edit\n")
    capsys.readouterr()
    assert main(["render", str(EXAMPLE), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert (out / "Dockerfile.bak").read_text() == "FROM my-own-edit\n"
    assert "previous kept as Dockerfile.bak" in text and "unchanged: " in text
    (out / "Dockerfile").write_text("FROM second-edit\n")
    main(["render", str(EXAMPLE), "-o", str(out)])
    assert (out / "Dockerfile.bak.1").read_text() == "FROM second-edit\n"
    assert (out / "Dockerfile.bak").read_text() == "FROM my-own-edit\n"


def test_render_dry_run_writes_nothing(tmp_path, capsys):
    out = tmp_path / "ctx"
    assert main(["render", str(EXAMPLE), "-o", str(out), "--dry-run"]) == 0
    assert not out.exists() and "would write" in capsys.readouterr().out


def test_bad_answers_exit_2_one_line_per_problem_nothing_written(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[app]\ntype = "web"\nname = "jupyter"\nport = 0\n[user]\nworkdir = "tmp"\n[extra]\nx = 1\n')
    out = tmp_path / "ctx"
    assert main(["render", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(line.endswith("app.port: 0 is outside 1-65535; accepted: 1-65535") for line in err)
    assert any("user.workdir: 'tmp' is not accepted; accepted: an absolute path" in line for line in err)
    assert any("extra: unknown section" in line for line in err)
    assert err[-1] == "nothing was written" and not out.exists()


def test_missing_or_broken_answers_file_is_a_clear_message(tmp_path, capsys):
    assert main(["render", str(tmp_path / "nope.toml"), "-o", str(tmp_path / "o")]) == 2
    assert "cannot read" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text("[app\n")
    assert main(["validate", str(broken)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_render_lists_files_the_user_must_place(tmp_path, capsys):
    example = ROOT / "docs" / "examples" / "pycharm-novnc.toml"
    assert main(["render", str(example), "-o", str(tmp_path)]) == 0
    assert "to do: put pycharm-community-2024.2.1.tar.gz in" in capsys.readouterr().out


def test_lint_passes_generated_output_and_fails_buildkit_only_syntax(tmp_path, capsys):
    main(["render", str(EXAMPLE), "-o", str(tmp_path)])
    assert main(["lint", str(tmp_path)]) == 0
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nCOPY --chmod=755 a.sh /a.sh\n"
                                         "RUN apt-get update && apt-get install -y curl\n")
    capsys.readouterr()
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "legacy-builder the --chmod option requires BuildKit" in out and "DL3015" in out
    (tmp_path / "Dockerfile").write_text("RUN <<EOF\necho\nEOF\n")
    assert main(["lint", str(tmp_path)]) == 1


def test_version_and_help_on_every_command():
    exe = shutil.which("imgwizard", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("imgwizard 0.")
    commands = ["render", "lint", "validate", "build", "export", "import", "commit", "check"]
    for command in commands:
        proc = subprocess.run([exe, command, "--help"], capture_output=True, text=True)
        assert proc.returncode == 0 and "usage: imgwizard " + command in proc.stdout, command
    top = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    for command in commands:
        assert command in top


def test_examples_all_validate():
    for example in sorted((ROOT / "docs" / "examples").glob("*.toml")):
        assert main(["validate", str(example)]) == 0, example.name


def test_render_into_a_file_is_refused_with_what_is_accepted(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("mine\n")
    assert main(["render", str(EXAMPLE), "-o", str(blocker)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"render: {blocker} is a file; accepted: a folder for the build context (created when missing); "
                   "nothing was written"]
    assert blocker.read_text() == "mine\n"
    assert main(["render", str(EXAMPLE), "-o", str(blocker / "ctx")]) == 2
    assert "Not a directory" in capsys.readouterr().err and blocker.read_text() == "mine\n"
