"""The message tables (wizard/text.py): every id in every language, with the same parameters; every Footer key of
every screen and every Msg id used in the code has an entry; messages show in the UI's language."""

import ast
import copy
import inspect
import io
import pickle
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import ModalScreen

import screens.app
import screens.build
import screens.modals
import screens.widgets
from screens.keys import key_id
from wizard.answers import BY_KEY
from wizard.session import PREVIEW_FILES, Session
from wizard.text import EN, TABLES, ZH, Msg, params_of, tr

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
SAME_IN_BOTH = {"key.中文/English"}  # the language key names both languages in each


def test_every_id_has_every_language():
    for lang, table in TABLES.items():
        assert set(table) == set(EN), (lang, set(EN) ^ set(table))


def test_both_languages_use_the_same_parameters():
    for key in EN:
        assert params_of(EN[key]) == params_of(ZH[key]), key


def test_the_chinese_table_is_chinese():
    for key, text in ZH.items():
        if key not in SAME_IN_BOTH and re.search("[A-Za-z]{3}", re.sub(r"\{\w+\}", "", EN[key])):
            assert CJK.search(text), key


def _bindings(module) -> list[Binding]:
    out = []
    for _, cls in inspect.getmembers(module, inspect.isclass):
        for b in cls.__dict__.get("BINDINGS", []) if cls.__module__ == module.__name__ else []:
            out.append(b if isinstance(b, Binding) else Binding(*b))
    return out


def test_every_footer_key_of_every_screen_has_a_translation():
    found = [b for m in (screens.app, screens.build, screens.modals, screens.widgets) for b in _bindings(m)]
    assert len(found) >= 10
    missing = sorted({b.description for b in found if key_id(b.description) not in EN})
    assert missing == [], f"add key.<description> to wizard/text.py EN and ZH: {missing}"


def test_every_message_id_used_in_the_code_exists():
    used = set()
    for path in [*ROOT.joinpath("wizard").rglob("*.py"), *ROOT.joinpath("screens").rglob("*.py")]:
        used |= set(re.findall(r"""\b(?:Msg|tr)\(\s*["']([a-z_]+(?:\.[a-z_]+)*)["']""", path.read_text()))
    assert len(used) > 30
    assert used - set(EN) == set()


def test_a_msg_reads_as_english_and_shows_in_chinese():
    inner = Msg("accepted.devices")
    msg = Msg("refused.value", value="'x'", accepted=inner)
    assert msg == ("'x' is not accepted; accepted: device numbers separated by commas (e.g. 0 or 0,1), or all "
                   "(NVIDIA only)")
    assert msg.in_lang("zh") == "不接受 'x'；可接受：用逗号分隔的设备编号（如 0 或 0,1），或 all（仅 NVIDIA）"
    for again in (copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert again == msg and again.in_lang("zh") == msg.in_lang("zh")
    assert tr("plain.yes", "fr") == "Yes"  # an unknown language reads English


def test_validation_messages_follow_the_language():
    s = Session({"app.type": "web", "app.port": "70000", "mirror.apt": "ftp://x", "packages.apt": ["Bad Name"],
                 "locale.timezone": "Mars/Base"})
    assert s.message("app.port", "zh") == "对外端口（app.port）：70000 超出 1-65535；可接受：1-65535"
    assert s.message("app.port", "en") == "Published port (app.port): 70000 is outside 1-65535; accepted: 1-65535"
    assert "可接受：none、tuna" not in s.message("mirror.apt", "zh")  # the names stay as they are written
    assert s.message("mirror.apt", "zh").endswith("可接受：none, tuna, aliyun, ustc, tencent, huawei 之一，"
                                                   "或 http(s) 地址，如 http://mirrors.example.com")
    assert "可接受：软件包名" in s.message("packages.apt", "zh")
    assert "IANA 时区名" in s.message("locale.timezone", "zh")
    bad_choice = Session({"app.type": "web", "app.name": "nope"})
    assert bad_choice.message("app.name", "zh") == "哪个应用？（app.name）：此处没有 'nope' 这一项；可选：jupyter, code-server, python"
    assert Session({"gpu.vendor": "nvidia", "gpu.cuda": "x", "gpu.pytorch": "2.5.1"}).message("gpu.cuda", "zh").count("按驱动自动选择") == 1
    control = Session({"image.tag": "a\tb"}).message("image.tag", "zh")
    assert control == "镜像标签（image.tag）：'a\\tb' 含有第 2 个字符处的控制字符 U+0009；可接受：一行可打印的文本"


def test_pytorch_reasons_follow_the_language():
    given = {"app.type": "web", "gpu.vendor": "nvidia", "gpu.pytorch": "2.5.1", "gpu.host_driver": "450.80"}
    s = Session(given)
    assert "没有适合驱动 450.80 的 CUDA 版本（cu118 需要 >= 520.61.05）" in s.message("gpu.pytorch", "zh")
    assert "has no CUDA build for driver 450.80 (cu118 needs >= 520.61.05)" in s.message("gpu.pytorch", "en")
    from wizard.answers import BY_KEY
    why = {c.value: c.why for c in BY_KEY["gpu.pytorch"].choices_for(s.answers)}["2.5.1"]
    assert why("en").startswith("torch 2.5.1 has no CUDA build") and why("zh").startswith("torch 2.5.1 没有适合驱动")


def test_file_answer_messages_follow_the_language(tmp_path):
    (tmp_path / "keys.pub").write_text("not a key\n")
    (tmp_path / "ca.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    s = Session({"ssh.authorized_key": str(tmp_path / "keys.pub"), "network.extra_ca": str(tmp_path / "ca.pem")},
                base_dir=tmp_path)
    assert "中不是每行一个 OpenSSH 公钥（第 1 行不是）；可接受：一行 OpenSSH 公钥" in s.message("ssh.authorized_key", "zh")
    assert "does not hold OpenSSH public keys, one per line (line 1 is not one)" in s.message("ssh.authorized_key", "en")
    assert "含有私钥，任何拿到镜像的人都能读到它" in s.message("network.extra_ca", "zh")


def test_every_reason_a_base_image_gives_has_its_chinese_and_the_refusal_speaks_the_language():
    import re

    from wizard import knowledge
    from wizard.validate import validate

    for engine, facts in knowledge.table("bases")["engines"].items():
        for key in ("ssh_refused", "password_ssh_refused", "auth_always"):
            if key in facts:
                assert re.search(r"[\u4e00-\u9fff]", facts.get(f"{key}_zh", "")), (engine, key)
    _, problems = validate({"app.type": "desktop", "desktop.engine": "novnc", "ssh.enabled": True})
    why = dict(problems)["ssh.enabled"]
    assert why.startswith("jlesage's /init") and "accepted on novnc: false" in why
    assert why.in_lang("zh").startswith("jlesage 的 /init") and "在 novnc 上可接受：false" in why.in_lang("zh")


# ------------------------------------------------------------------ every text of the screens is in the tables

SCREENS = [ROOT / "screens" / f"{name}.py" for name in
           ("app", "build", "modals", "review", "widgets", "settings", "keys", "folders", "cli/plain")]
# Calls that put a text on the screen; their positional arguments and these keywords must not be English literals.
SHOWING = {"notify", "Static", "Label", "Button", "Text", "update", "write", "append", "say", "MessageModal",
           "ConfirmModal", "Input", "FieldInput", "text", "select", "Choice", "print", "TabPane"}
SHOWN_KEYWORDS = {"title", "placeholder", "instruction"}
# A literal with English words that the screens may show, and why.
LITERALS_ALLOWED = {
    "Step {ev.step}/{ev.total} : {text}": "the build log shows the engine's step lines as build.log records "
                                             "them (screens/build.py previous_times reads them back)",
}


def _literal(node: ast.AST) -> str | None:
    """The text of a str literal or f-string ({expr} for each replacement), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                       for v in node.values)
    return None


def _english_literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWING:
            continue
        positional = [] if name == "Choice" else node.args  # a Choice's first argument is its value
        args = [*positional, *(k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS)]
        for text in filter(None, map(_literal, args)):
            if re.search("[A-Za-z]{3}", re.sub(r"\{[^}]*\}", "", text)) and text not in LITERALS_ALLOWED:
                found.append(f"{path.name}:{node.lineno}: {text!r}")
    return found


def test_the_screens_show_no_text_outside_the_tables():
    """No inline T(en, zh) in screens/ (T.of(id) takes a table's message), and no English literal handed to a
    call that shows text: every text comes from wizard/text.py's EN and ZH by id."""
    inline = [f"{p.name}:{n}" for p in sorted((ROOT / "screens").rglob("*.py"))
              for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"(?<![\w.])T\(", line)]
    assert inline == []
    found = [hit for path in SCREENS for hit in _english_literals(path)]
    assert found == []


def test_safeio_messages_are_the_same_english_and_have_chinese(tmp_path):
    from wizard import safeio

    (tmp_path / "bad.txt").write_bytes(b"ok\n\xff\n")
    cases = {tmp_path: (f"{tmp_path} is a folder; accepted: a regular file", f"{tmp_path} 是目录；可接受：普通文件"),
             tmp_path / "bad.txt": (f"{tmp_path / 'bad.txt'} is not UTF-8 text (byte 3, line 2); accepted: a UTF-8 "
                                    f"text file", "不是 UTF-8 文本（第 3 字节，第 2 行）"),
             tmp_path / "none": (f"cannot read {tmp_path / 'none'}: No such file or directory", "没有该文件或目录")}
    for path, (english, chinese) in cases.items():
        try:
            safeio.read_text(path, 100)
        except safeio.SafeIOError as error:
            assert str(error) == english
            assert chinese in error.message("zh")
        else:
            raise AssertionError(path)


@pytest.fixture
def short_tmp():
    """A folder with a path short enough to be shown whole (pytest's tmp_path is long: a wrap would cut it into
    pieces that read as words)."""
    folder = Path(tempfile.mkdtemp(prefix="zh"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# The ASCII words a Chinese screen may show besides the answers' own keys and values: product, program and file
# names, key names.
ASCII_ALLOWED = {
    "products": {"imgwizard", "Docker", "docker", "Dockerfile", "SSH", "OpenSSH", "sshd", "SSH_PASSWORD", "noVNC",
                 "KASM", "Debian", "debian", "Ubuntu", "Alpine", "Linux", "PyTorch", "NVIDIA", "CUDA", "Python",
                 "JetBrains", "PyCharm", "IDEA", "Eclipse", "Jupyter", "code-server", "hadolint", "UTF-8", "English",
                 "Web", "scratch", "exec", "ssh-ed25519", "AAAA", "Hub", "FastAPI", "Streamlit", "Gradio", "Flask"},
    "files": {"README.md", "compose.yaml", "run.sh", "build.log", "imgwizard.toml", "NAME.bak", "id_ed25519.pub",
              "pub", "daemon.json", "requirements.txt", "app.py"},
    "settings": {"registry-mirrors"},  # the Docker engine's own setting (daemon.json)
    "packages": {"git", "nano", "vim", "sudo", "wget", "curl"},  # the common tools' package names
    "keys": {"Enter", "Esc", "esc", "Tab", "Ctrl", "Backspace"},
    "values": {"true", "false", "slim", "IANA", "Asia", "Shanghai", "UTC", "zh_CN.UTF-8"},  # examples of answers
}
ANSWER_WORDS = {w for key in BY_KEY for w in [key, *key.split(".")]}


def _ascii_words(text: str, also: set[str]) -> set[str]:
    allowed = set().union(*ASCII_ALLOWED.values(), ANSWER_WORDS, also)
    words = {w.rstrip(".-") for w in re.findall(r"[A-Za-z][\w.+-]*", text)}
    return {w for w in words if re.search("[A-Za-z]{3}", w) and w not in allowed}


def _visible(app, leave_out: tuple[str, ...] = ()) -> str:
    """The text on the screen line by line (only the dialog's, when one is open: the screen under it was checked
    before, and the dialog's edge cuts its words), without the regions of `leave_out` (a file preview, the
    engine's build log: their text is the files' and the engine's own)."""
    screen = app.screen
    strips = screen._compositor.render_strips()
    dialogs = screen.query("#dialog") if isinstance(screen, ModalScreen) else []
    box = dialogs[0].region if dialogs else None
    holes = [w.region for sel in leave_out for w in screen.query(sel)]
    lines = []
    for y, strip in enumerate(strips):
        if box is not None:
            if box.y <= y < box.bottom:
                lines.append(strip.crop(box.x, box.right).text)
            continue
        cut = [(r.x, r.right) for r in holes if r.y <= y < r.bottom]
        if not cut:
            lines.append(strip.text)
            continue
        x0, x1 = min(c[0] for c in cut), max(c[1] for c in cut)
        lines.append(strip.crop(0, x0).text + " " + strip.crop(x1, strip.cell_length).text)
    return "\n".join(lines)


def _assert_chinese(app, where: str, also: set[str] = frozenset(), leave_out: tuple[str, ...] = ("#preview",)):
    """The visible text has Chinese and no English word beyond ASCII_ALLOWED, the answers' keys, their values
    and the choices' values (as an answers file writes them), the build context's file names, and `also`."""
    text = _visible(app, leave_out)
    assert CJK.search(text), (where, text)
    answers = app.session.answers
    choices = [c.value for f in BY_KEY.values() for c in f.choices_for(answers)]
    context = app.session.context
    files = [*(context.files if context else []), *(name for name, _lexer in PREVIEW_FILES)]  # file names
    values = {w for v in [*answers.values(), *choices, *files] for w in re.findall(r"[A-Za-z][\w.+-]*", str(v))}
    left = _ascii_words(text, values | set(also))
    assert left == set(), f"{where}: {sorted(left)}\n{text}"


async def test_the_chinese_wizard_shows_no_english(short_tmp):
    """F4 switches to Chinese; then the first step, a refused text answer, a key file that cannot be read, the
    blocked Save's reason, the review page, a save folder that cannot take the context and the saved
    notification show no English word beyond the product, file and key names and the user's own values."""
    from screens.app import make_app
    from screens.scenarios import TEST_KEY
    from wizard.host import HostFacts

    tmp_path = short_tmp
    no_key = HostFacts(arch="amd64", distro="Debian GNU/Linux 12", engine_problem=None)
    paths = set(re.findall(r"[A-Za-z][\w.+-]*", str(tmp_path)))
    (tmp_path / "latin1.pub").write_bytes(b"ssh-ed25519 caf\xe9\n")
    (tmp_path / "a-file").write_text("x")
    app = make_app(host=no_key, output=tmp_path / "ctx", lang="en")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert app.lang == "zh"
        _assert_chinese(app, "first step")
        tabs = app.screen.query_one("#preview-tabs")  # the preview (left out above: the files' own text)
        assert tabs.get_tab("tab-lint").label_text == "检查结果"
        await pilot.press("ctrl+s")  # no SSH key yet: Save waits, and says why
        await pilot.pause()
        assert app.screen.id == "blocked"
        _assert_chinese(app, "blocked save")
        await pilot.press("enter")  # go to the step that fixes it
        await pilot.pause()
        field = app.screen.query_one("#input-ssh-authorized_key")
        for bad in (str(tmp_path / "latin1.pub"), str(tmp_path)):  # a file that is not UTF-8, then a folder
            field.value = bad
            await pilot.pause()
            error = str(app.screen.query_one("#box-ssh-authorized_key .field-error").render())
            assert "可接受" in error and ("不是 UTF-8 文本" in error or "是目录" in error), error
            _assert_chinese(app, f"key file {bad}", paths | {"latin1.pub"})
        field.value = "not a key"
        await pilot.pause()
        error = str(app.screen.query_one("#box-ssh-authorized_key .field-error").render())
        assert error.startswith("✗ 授权公钥（ssh.authorized_key）：") and "可接受" in error, error
        _assert_chinese(app, "refused text answer")
        field.value = TEST_KEY
        await pilot.pause()
        assert app.session.valid
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveModal"
        _assert_chinese(app, "review page", paths | {"ctx", "laptop"})
        app.screen.query_one("#save-folder").value = str(tmp_path / "a-file")
        await app.workers.wait_for_complete()
        await pilot.pause()
        plan = str(app.screen.query_one("#save-plan").render())
        assert "无法保存到这里" in plan and "是文件；可接受：用作构建目录的文件夹" in plan, plan
        _assert_chinese(app, "save folder refused", paths | {"a-file"})
        app.screen.query_one("#save-folder").value = str(tmp_path / "ctx")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "ctx" / "Dockerfile").is_file()
        saved = list(app._notifications)[-1]  # the toast saying where the files went
        assert saved.title == "已保存" and saved.message.startswith(f"{tmp_path / 'ctx'}: Dockerfile")


async def test_the_chinese_build_screen_says_the_failure_in_chinese(short_tmp):
    """A build that fails at a step (docker-py's recorded events, tests/test_tui_build.py): everything but the
    engine's own words (the step's instruction, its output, the engine's error) is Chinese."""
    from screens.app import make_app
    from screens.build import cause_lines
    from screens.scenarios import LAPTOP
    from tests.test_tui_build import replay, start_build

    tmp_path = short_tmp

    app = make_app(host=LAPTOP, output=tmp_path / "ctx", builder=replay("docker_build_fail.jsonl"), lang="zh")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await start_build(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.state == "failed"
        status = str(screen.query_one("#build-status").render())
        assert "✗ 失败于 第 3/4 步：" in status and "按 q 关闭" in status
        engine_said = [screen.step_text, screen.error, *cause_lines(screen.step_output)]
        text = _visible(app, ("#build-log",))
        for said in engine_said:
            text = text.replace(said, "")
        text = re.sub(r"\s+\|[^\n]*", "", text)  # the step's output lines, shown under the failure
        paths = set(re.findall(r"[A-Za-z][\w.+-]*", str(tmp_path)))
        left = _ascii_words(text, paths | {"ctx", "myapp", "latest", "myapp:latest"})
        assert left == set(), (left, text)


def test_the_plain_flow_asks_in_chinese(tmp_path):
    """The plain flow in zh: the prompts, their back/skip hints and the choices are the table's Chinese."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.plain_text import PlainTextOutput

    from screens.cli.plain import run_plain
    from screens.scenarios import LAPTOP

    from tests.test_plain import CTRL_C, ENTER, prompts_before_image_step, select_back
    from wizard.host import prefill

    given = prefill(LAPTOP)
    # "← back" at the first question, every default up to the image name (a text prompt), then Ctrl+C
    typed = select_back("app.type", given) + ENTER * prompts_before_image_step(given) + CTRL_C
    shown, echo = io.StringIO(), io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(typed)
        code = run_plain({}, lang="zh", input=pipe, output_stream=PlainTextOutput(shown), host=LAPTOP, echo=echo)
    said = shown.getvalue().replace("\r\n", "") + echo.getvalue()  # a long prompt wraps at the terminal's width
    assert code == 130, said
    for chinese in ("← 返回上一题", "（用方向键选择，回车确认）", "（输入 < 并回车：返回上一题）", "这已经是第一题，无法再返回。",
                    "（此处只有这一个选项）", "已中断：没有写入任何文件。", "镜像名称"):
        assert chinese in said, chinese
    for english in ("Back", "Use arrow keys", "and Enter: back", "first question", "the only choice",
                    "nothing was written"):
        assert english not in said, english
