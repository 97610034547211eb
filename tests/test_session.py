"""The wizard session (pure core shared by the Textual app and the plain prompts), without any UI."""

from pathlib import Path

from screens.scenarios import TEST_KEY
from wizard.session import Session, line_changes


def test_walk_defaults_visits_applicable_steps_only():
    s = Session({"ssh.authorized_key": TEST_KEY})
    seen = [s.step]
    while s.go_next():
        seen.append(s.step)
    assert seen == ["app", "os", "mirrors", "locale", "packages", "gpu", "ssh", "forward", "user", "image"]
    assert s.can_back() and not s.can_next()
    states = dict((step.id, state) for step, state in s.steps())
    assert states["desktop"] == "skip" and states["app"] == "done" and states["image"] == "current"


def test_bad_value_kept_raw_blocks_next_and_names_the_field():
    s = Session({"ssh.authorized_key": TEST_KEY, "app.type": "web"})
    assert s.go_next() and s.step == "app_details"
    s.set("app.port", "99x")
    assert s.value("app.port") == "99x"  # what the user typed is kept
    assert s.message("app.port") == "Published port (app.port): '99x' is not a whole number; accepted: 1-65535"
    assert not s.can_next() and not s.go_next() and s.step == "app_details"
    s.set("app.port", "8080")
    assert s.answers["app.port"] == 8080 and s.go_next()


def test_dirty_and_save_folder(tmp_path: Path):
    s = Session({"ssh.authorized_key": TEST_KEY, "image.name": "team/tools"})
    assert not s.dirty and s.default_folder() == Path("team/tools")
    assert s.default_folder(tmp_path) == tmp_path
    s.set("app.type", "web")
    assert s.dirty
    s.mark_saved(tmp_path / "x")
    assert not s.dirty and s.default_folder() == tmp_path / "x"


def test_jump_only_to_applicable_steps():
    s = Session({"ssh.authorized_key": TEST_KEY})
    assert not s.go_to("desktop")
    assert s.go_to("ssh") and s.step == "ssh" and "app" in s.visited


def test_changed_lines():
    old = "FROM a\nRUN x\nCMD y\n"
    new = "FROM a\nRUN x\nRUN z\nCMD y\n"
    assert line_changes(old, new) == ({3}, 3)
    assert line_changes(new, old) == (set(), 3)  # a deletion: nothing to mark, the place to show
    assert line_changes("a\nb\n", "a\nB\nc\n") == ({2, 3}, 2)
    assert line_changes(new, new) == (set(), None)


def test_a_value_the_checks_cannot_handle_is_a_problem_of_its_key_and_kept_as_typed():
    # `~r` names no user: the key check fails on it; whatever the core does (a message or an exception),
    # the session keeps the text, refuses it under its key and goes on
    s = Session({"ssh.authorized_key": "~r", "image.name": "kept"})  # from a file: no key to suspect
    assert s.problem("ssh.authorized_key") and s.value("ssh.authorized_key") == "~r"
    assert s.answers["image.name"] == "kept" and not s.valid
    s.set("network.extra_ca", "~r/ca.pem")
    assert s.problem("network.extra_ca") and s.given["network.extra_ca"] == "~r/ca.pem"
    assert s.check("ssh.authorized_key", "~nosuchuser/.ssh/id.pub").startswith(
        "Authorized public key (ssh.authorized_key): ")
    s.set("ssh.authorized_key", TEST_KEY)
    assert s.problem("ssh.authorized_key") is None


GPU_WEB = {"app.type": "web", "gpu.vendor": "nvidia", "gpu.driver": "570.133.20"}


def test_answers_that_cannot_render_name_the_answer_the_preview_waits_for():
    """A refused PyTorch release cannot be rendered: the preview keeps the last context and says which answer it
    waits for and what is accepted, in the UI's language, never an internal error."""
    s = Session(given=GPU_WEB)
    good = s.context
    assert good is not None and s.render_error is None
    s.set("gpu.pytorch", "2.15.0")  # no CUDA build of 2.15.0 for driver 570
    assert s.context is good
    assert s.render_error.startswith("The preview shows the last answers that could be rendered; it waits for: "
                                     "PyTorch (gpu.pytorch): torch 2.15.0 has no CUDA build"), s.render_error
    assert "accepted:" in s.render_error and "Error" not in s.render_error
    assert s.render_error.in_lang("zh").startswith("预览显示最后一次能生成的答案；等待修正：PyTorch（gpu.pytorch）")
    s.set("gpu.pytorch", "2.14.1")
    assert s.render_error is None and "2.14.1" in s.context.dockerfile


def test_a_session_opens_at_the_step_it_is_given_when_that_step_applies():
    s = Session({"ssh.authorized_key": TEST_KEY}, step="gpu")
    assert s.step == "gpu"
    states = dict((step.id, state) for step, state in s.steps())
    assert states["app"] == states["packages"] == "done" and states["ssh"] == "todo"
    assert Session({"ssh.authorized_key": TEST_KEY}, step="desktop").step == "app"  # not a shell's step
    assert Session({}, step="no-such-step").step == "app"


def test_the_step_line_is_read_back_and_anything_else_is_no_step():
    from wizard.answers_file import parse
    from wizard.session import step_line, step_of

    text = "version = 1\n" + step_line("gpu") + "[app]\ntype = \"shell\"\n"
    assert step_of(text) == "gpu"
    assert parse(text) == ({"app.type": "shell"}, [])  # a comment: the format is unchanged
    assert step_of("version = 1\n") == ""
    assert step_of(step_line("gpu; rm -rf /")) == ""
    assert step_of(step_line("../app")) == ""
