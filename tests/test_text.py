"""The message tables (wizard/text.py): every id in every language, with the same parameters; every Footer key of
every screen and every Msg id used in the code has an entry; messages show in the UI's language."""

import copy
import inspect
import pickle
import re
from pathlib import Path

from textual.binding import Binding

import screens.app
import screens.build
import screens.modals
import screens.widgets
from screens.keys import key_id
from wizard.session import Session
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
    for path in [*ROOT.joinpath("wizard").glob("*.py"), *ROOT.joinpath("screens").glob("*.py")]:
        used |= set(re.findall(r"""\b(?:Msg|tr)\(\s*["']([a-z_]+(?:\.[a-z_]+)*)["']""", path.read_text()))
    assert len(used) > 30
    assert used - set(EN) == set()


def test_a_msg_reads_as_english_and_shows_in_chinese():
    inner = Msg("accepted.devices")
    msg = Msg("refused.value", value="'x'", accepted=inner)
    assert msg == "'x' is not accepted; accepted: all, or device numbers separated by commas (e.g. 0 or 0,1)"
    assert msg.in_lang("zh") == "不接受 'x'；可接受：all，或用逗号分隔的设备编号（如 0 或 0,1）"
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
    assert bad_choice.message("app.name", "zh") == "哪个应用？（app.name）：此处没有 'nope' 这一项；可选：jupyter, code-server"
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
