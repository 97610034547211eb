"""The plain prompt flow through prompt_toolkit's pipe input (as questionary's own tests drive prompts)."""

import io
import subprocess
import sys
from pathlib import Path

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from screens.cli.plain import _checker, run_plain
from screens.scenarios import LAPTOP, TEST_KEY
from wizard import tree
from wizard.answers import BY_KEY, defaults, resolve
from wizard.host import prefill
from wizard.session import Session

ENTER, CLEAR, DOWN, CTRL_C = "\r", "\x15", "\x1b[B", "\x03"


def typed_in(keys: str, **kwargs) -> tuple[int, str]:
    """The plain flow on LAPTOP with `keys` typed into it: its exit status and what it said."""
    echo = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        code = run_plain({}, input=pipe, output_stream=DummyOutput(), host=LAPTOP, echo=echo, **kwargs)
    return code, echo.getvalue()


def asked(given: dict) -> list[str]:
    """The keys the default walk asks, in order (a single-choice question is printed, not asked)."""
    answers, _ = resolve(given)
    return [f.key for s in tree.applicable(answers) for f in s.fields(answers)
            if not (f.kind == "choice" and not f.free and len(f.choices_for(answers)) == 1)]


def prompts_before_image_step(given: dict) -> int:
    """How many questions the default walk asks before the last step (image)."""
    return asked(given).index("image.name")


def test_debian_shell_with_ssh_defaults_then_saved(tmp_path: Path):
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    keys = ENTER * prompts_before_image_step(given)  # every default taken
    keys += CLEAR + "my-tools" + ENTER + ENTER + ENTER  # image.name typed, tag and arch kept
    keys += CLEAR + str(out) + ENTER + ENTER  # the folder, then "write?" yes
    code, said = typed_in(keys, lang="en")
    assert code == 0, said
    assert "FROM debian:bookworm-slim" in (out / "Dockerfile").read_text()
    assert (out / "authorized_keys").read_text().strip() == TEST_KEY
    assert 'name = "my-tools"' in (out / "imgwizard.toml").read_text()
    assert f"imgwizard build {out} -t my-tools:latest" in said  # the command that writes build.log (issue 29, 2.7)
    assert "⌂ Your key from ~/.ssh/id_ed25519.pub" in said


def test_bad_value_is_refused_until_fixed(tmp_path: Path):
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    keys = ENTER * prompts_before_image_step(given)
    keys += CLEAR + "My Tools" + ENTER  # refused: the prompt stays, with the message
    keys += CLEAR + "ok" + ENTER + ENTER + ENTER
    keys += CLEAR + str(out) + ENTER + ENTER
    code, _ = typed_in(keys)
    assert code == 0
    assert 'name = "ok"' in (out / "imgwizard.toml").read_text()


def test_ctrl_c_says_nothing_was_written(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, said = typed_in(DOWN + CTRL_C, lang="zh")
    assert code == 130
    assert "没有写入任何文件" in said
    assert list(tmp_path.iterdir()) == []


def test_defaults_are_what_the_walk_saves():
    # guard for the test above: with the laptop's key the defaults are already a complete, valid answer set
    answers, problems = resolve(prefill(LAPTOP))
    assert problems == [] and answers["ssh.enabled"] is True and answers["app.type"] == defaults()["app.type"]


def prompts_before(key: str, given: dict) -> int:
    """How many questions the default walk asks before `key`'s."""
    return asked(given).index(key)


def test_tilde_user_at_the_key_prompt_is_refused_and_asked_again(tmp_path: Path):
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    before = prompts_before("ssh.authorized_key", given)
    keys = ENTER * before + CLEAR + "~r" + ENTER  # ~r: no such user; refused, the prompt stays
    keys += CLEAR + TEST_KEY + ENTER
    keys += ENTER * (prompts_before_image_step(given) - before - 1)
    keys += CLEAR + "my-tools" + ENTER + ENTER + ENTER + CLEAR + str(out) + ENTER + ENTER
    code, _ = typed_in(keys)
    assert code == 0
    assert (out / "authorized_keys").read_text().strip() == TEST_KEY
    # what the prompt showed under ~r: its validator's answer
    check = _checker(Session(given), BY_KEY["ssh.authorized_key"], "en")
    assert check("~r").startswith("Authorized public key (ssh.authorized_key): ")
    assert check(TEST_KEY) is True


def test_input_that_ends_at_a_refused_prompt_stops_with_a_message(tmp_path: Path, capsys):
    given = prefill(LAPTOP)
    with create_pipe_input() as pipe:
        pipe.send_text(ENTER * prompts_before("ssh.authorized_key", given) + CLEAR + "~r" + ENTER)
        pipe.close()  # and then nothing more comes: the flow ends instead of asking again forever
        code = run_plain({}, output=tmp_path / "ctx", input=pipe, output_stream=DummyOutput(), host=LAPTOP,
                         echo=io.StringIO())
    assert code == 2
    assert capsys.readouterr().err.strip().endswith("no terminal to ask on: use `imgwizard render ANSWERS -o DIR` "
                                                    "or run in a terminal")
    assert list(tmp_path.iterdir()) == []


def test_plain_with_stdin_from_dev_null_is_one_line_and_exit_2(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "screens.cli", "--plain"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("imgwizard --plain: no terminal to ask on: use `imgwizard render ANSWERS -o DIR` "
                           "or run in a terminal\n")
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_take_the_context_is_one_line_and_asked_again(tmp_path: Path):
    bad = tmp_path / "bad"
    (bad / "Dockerfile").mkdir(parents=True)  # a folder where the Dockerfile goes
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    keys = ENTER * prompts_before_image_step(given) + CLEAR + "my-tools" + ENTER + ENTER + ENTER
    keys += CLEAR + str(bad) + ENTER + CLEAR + "~r/ctx" + ENTER + CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(keys)
    assert code == 0, said
    refused = [line for line in said.splitlines() if "Cannot save there" in line]
    assert len(refused) == 2 and f"{bad}/Dockerfile" in refused[0] and "~r/ctx" in refused[1], refused
    assert (bad / "Dockerfile").is_dir() and 'name = "my-tools"' in (out / "imgwizard.toml").read_text()


# ------------------------------------------------------------------ single choices and back (issue 14 item 10)

def select_back(field_key: str, given: dict) -> str:
    """The keys that move a select from its default to "← Back" (the last entry) and pick it."""
    answers, _ = resolve(given)
    field = BY_KEY[field_key]
    values = [c.value for c in field.choices_for(answers)] + (["other"] if field.free else [])
    return DOWN * (len(values) - values.index(answers[field_key])) + ENTER


def test_a_single_choice_is_printed_and_back_goes_to_the_previous_question(tmp_path: Path):
    out = tmp_path / "ctx"
    given = {**prefill(LAPTOP), "app.type": "binary"}
    keys = asked(given)
    assert keys[:3] == ["app.type", "app.command", "os.family"]  # app.name has one choice: not asked
    typed = DOWN + ENTER  # app.type: shell -> binary
    typed += CLEAR + "bin/server" + ENTER  # app.command
    typed += select_back("os.family", given)  # back from the next step's select
    typed += CLEAR + "target/release/app" + ENTER  # app.command asked again: changed
    typed += ENTER * (keys.index("image.name") - keys.index("os.family"))
    typed += CLEAR + "mybin" + ENTER + ENTER + ENTER + CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(typed)
    assert code == 0, said
    assert "  Which app?: The binary in app.command (the only choice here)" in said
    assert said.count("== The app ==") == 2  # shown again when back led there
    dockerfile = (out / "Dockerfile").read_text()
    assert "COPY target/release/app /app/app\n" in dockerfile and "bin/server" not in dockerfile
    assert "To do: put target/release/app in" in said


def test_back_at_a_text_prompt_and_from_the_folder_prompt(tmp_path: Path):
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    keys = asked(given)
    before = keys[keys.index("image.name") - 1]
    typed = ENTER * keys.index("image.name")
    typed += CLEAR + "<" + ENTER  # image.name: back to the question before it (in the previous step)
    typed += ENTER  # that question again, kept
    typed += CLEAR + "my-tools" + ENTER + ENTER + ENTER
    typed += CLEAR + "<" + ENTER  # the folder: back to the last question (image.arch)
    typed += ENTER + CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(typed)
    assert code == 0, said
    title = tree.BY_ID[tree.step_of(before)].title("en")
    assert said.count(f"== {title} ==") == 2, said
    assert 'name = "my-tools"' in (out / "imgwizard.toml").read_text()


def test_back_at_the_first_question_says_so_and_asks_it_again(tmp_path: Path):
    out = tmp_path / "ctx"
    given = prefill(LAPTOP)
    typed = select_back("app.type", given) + ENTER * prompts_before_image_step(given)
    typed += CLEAR + "my-tools" + ENTER + ENTER + ENTER + CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(typed, lang="zh")
    assert code == 0, said
    assert "这已经是第一题，无法再返回。" in said
    assert "哪个应用？：无应用（此处只有这一个选项）" in said  # the plain flow speaks the language


def test_found_files_are_listed_and_pre_filled(tmp_path: Path):
    from wizard.scan import scan
    here = tmp_path / "work"
    here.mkdir()
    (here / "pycharm-community-2024.2.1.tar.gz").write_bytes(b"")
    out = tmp_path / "ctx"
    given = {**prefill(LAPTOP), **{"app.type": "desktop", "app.name": "jetbrains"}}
    typed = ENTER * len(asked({**given, "image.name": "pycharm"}))  # every pre-filled answer kept
    typed += CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(typed, found=scan(here))
    assert code == 0, said
    assert "Found in this folder" in said
    assert "⌂ app.archive = pycharm-community-2024.2.1.tar.gz: the JetBrains archive" in said
    assert "⌂ Found here: the JetBrains archive pycharm-community-2024.2.1.tar.gz" in said  # under the question
    assert 'archive = "pycharm-community-2024.2.1.tar.gz"' in (out / "imgwizard.toml").read_text()
    assert 'name = "pycharm"' in (out / "imgwizard.toml").read_text()


def test_a_failed_write_names_the_folder_the_user_gave(tmp_path: Path, monkeypatch):
    # a full disk cannot be made here (root, no quota): the write is replaced by one that fails like it
    import errno
    import screens.cli.plain

    def full(ctx, folder):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "Dockerfile"))

    monkeypatch.setattr(screens.cli.plain, "write", full)
    out = tmp_path / "chosen"
    given = prefill(LAPTOP)
    typed = ENTER * prompts_before_image_step(given) + CLEAR + "my-tools" + ENTER + ENTER + ENTER
    typed += CLEAR + str(out) + ENTER + ENTER
    code, said = typed_in(typed)
    assert code == 1
    assert f"Cannot write into {out}: {out}/Dockerfile: No space left on device" in said


def test_a_start_folder_holding_the_archive_is_where_the_context_goes(tmp_path: Path):
    """Issue 29, item 2.3: started in a folder with a JetBrains archive (and the user's own Dockerfile), every
    default taken: the context is written there, beside the archive (the old Dockerfile kept as a backup), the
    flow says why, and nothing is still to place; no ./pycharm/ is made."""
    from wizard.scan import scan
    here = tmp_path / "work"
    here.mkdir()
    (here / "pycharm-community-2024.2.1.tar.gz").write_bytes(b"")
    (here / "Dockerfile").write_text("FROM scratch\n")
    given = {**prefill(LAPTOP), **{"app.type": "desktop", "app.name": "jetbrains"}}
    typed = ENTER * len(asked({**given, "image.name": "pycharm"})) + ENTER + ENTER  # the folder offered, then yes
    code, said = typed_in(typed, found=scan(here), start=here)
    assert code == 0, said
    assert ("The build context goes into the folder the wizard started in: the start folder already holds "
            "pycharm-community-2024.2.1.tar.gz, which the answers name.") in said
    assert "pycharm-community-2024.2.1.tar.gz" in (here / "Dockerfile").read_text()
    assert [p.name for p in here.glob("Dockerfile.*")] and "FROM scratch" in next(here.glob("Dockerfile.*")).read_text()
    assert not (here / "pycharm").exists() and "To do: put" not in said
    assert "Wrote Dockerfile, " in said and f" in {here}\n" in said


def test_a_start_folder_named_after_the_image_is_where_the_context_goes(tmp_path: Path):
    """Issue 29, item 2.3: started in nc3-jupyter/ (which holds a public key, so its name names the image): the
    context goes into nc3-jupyter/, never nc3-jupyter/nc3-jupyter/."""
    from wizard.scan import scan
    here = tmp_path / "nc3-jupyter"
    here.mkdir()
    (here / "me.pub").write_text(TEST_KEY + "\n")
    found = scan(here)
    assert {f.key: f.value for f in found}["image.name"] == "nc3-jupyter"
    given = {**prefill(LAPTOP), "image.name": "nc3-jupyter", "ssh.authorized_key": TEST_KEY}
    typed = ENTER * len(asked(given)) + ENTER + ENTER
    code, said = typed_in(typed, found=found, start=here)
    assert code == 0, said
    assert "the start folder is named after the image (nc3-jupyter)" in said
    assert (here / "Dockerfile").is_file() and not (here / "nc3-jupyter").exists()


def test_a_start_folder_with_nothing_recognised_names_no_image_and_keeps_its_files(tmp_path: Path, monkeypatch):
    """Issue 29, item 2.4: a source checkout named imgwizard: the image is not named after it, and the context
    goes into a new folder under it (named after the image), not into the checkout itself."""
    from wizard.scan import scan
    here = tmp_path / "imgwizard"
    here.mkdir()
    (here / "pyproject.toml").write_text("[project]\n")
    monkeypatch.chdir(here)  # the folder offered is relative to the working folder, as from the command line
    found = scan(here)
    assert found == []
    given = prefill(LAPTOP)
    typed = ENTER * len(asked(given)) + ENTER + ENTER
    code, said = typed_in(typed, found=found, start=here)
    assert code == 0, said
    [saved] = here.glob("*/imgwizard.toml")
    assert saved.parent.name != "imgwizard" and f'name = "{saved.parent.name}"' in saved.read_text()
    assert not (here / "Dockerfile").exists() and "started in" not in said
