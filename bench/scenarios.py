"""The scenarios of bench/run.py against the guide's recipe: imgwizard's answers, the app-only change made both
ways, and the two build contexts of each (imgwizard's rendered one, the guide's from bench/guide/<scenario>/)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


@dataclass
class Scenario:
    name: str
    title: str
    answers: str  # the answers file (TOML); {key} is the generated test public key's file name
    change: str  # what the app-only change is, in words
    wizard_change: Callable[[Path], None]  # edits imgwizard's context folder in place
    guide_change: Callable[[Path], None]  # edits the guide context folder in place
    needs_ca: bool = False


def _rerender(answers_edit: Callable[[str], str]) -> Callable[[Path], None]:
    """An app-only change made the imgwizard way: edit the answers file, render again into the same folder."""

    def apply(ctx: Path) -> None:
        path = ctx.parent / "answers.toml"
        path.write_text(answers_edit(path.read_text()))
        _render_into(path, ctx)

    return apply


def _edit_dockerfile(old: str, new: str) -> Callable[[Path], None]:
    def apply(ctx: Path) -> None:
        path = ctx / "Dockerfile"
        text = path.read_text()
        if old not in text:
            raise RuntimeError(f"{ctx}: cannot apply the change, {old!r} is not in the Dockerfile")
        path.write_text(text.replace(old, new, 1))

    return apply


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        if old not in text:
            raise RuntimeError(f"cannot apply the change, {old!r} is not in the answers")
        return text.replace(old, new, 1)

    return edit


SCENARIOS = (
    Scenario(
        "shell", "Debian shell: SSH (key), zh_CN, common tools, pip six, socat",
        answers=f"""version = 1
[image]
name = "imgwizard-bench-shell"
[app]
type = "shell"
[os]
family = "debian"
[locale]
chinese = true
[packages]
common = true
pip = ["six"]
[ssh]
enabled = true
auth = "key"
authorized_key = "{{key}}"
[forward]
enabled = true
[network]
extra_ca = "{HOST_CA}"
""",
        change="pip package six -> idna",
        wizard_change=_rerender(_replace('pip = ["six"]', 'pip = ["idna"]')),
        guide_change=_edit_dockerfile("RUN pip install six ", "RUN pip install idna "),
        needs_ca=True,
    ),
    Scenario(
        "jupyter", "Jupyter web on Debian, system python3, host CA",
        answers=f"""version = 1
[image]
name = "imgwizard-bench-jupyter"
[app]
type = "web"
name = "jupyter"
python_from = "system"
[os]
family = "debian"
[network]
extra_ca = "{HOST_CA}"
""",
        change="one more pip package (humanize)",
        wizard_change=_rerender(_replace('[network]', '[packages]\npip = ["humanize"]\n[network]')),
        guide_change=_edit_dockerfile("RUN pip install jupyterlab --break-system-packages\n",
                                      "RUN pip install jupyterlab --break-system-packages\n"
                                      "RUN pip install humanize --break-system-packages\n"),
        needs_ca=True,
    ),
    Scenario(
        "java", "Debian with OpenJDK 17, common tools",
        answers="""version = 1
[image]
name = "imgwizard-bench-java"
[app]
type = "shell"
[os]
family = "debian"
[packages]
java = "17"
[ssh]
enabled = false
""",
        change='start command: sleep infinity -> jshell',
        wizard_change=_edit_dockerfile('CMD ["sleep", "infinity"]', 'CMD ["jshell"]'),
        guide_change=_edit_dockerfile('CMD ["sleep", "infinity"]', 'CMD ["jshell"]'),
    ),
)


def _render_into(answers_path: Path, out: Path) -> None:
    from wizard.context import write
    from wizard.load import format_problems, load
    from wizard.render import render

    answers, problems = load(answers_path)
    if problems:
        raise RuntimeError(format_problems(problems, str(answers_path)))
    write(render(answers, answers_path.parent), out)


def make_contexts(s: Scenario, work: Path) -> tuple[Path, Path]:
    """(imgwizard's context, the guide's context), fresh folders under `work`."""
    wiz = work / s.name / "imgwizard"
    wiz.mkdir(parents=True)
    key = work / "bench_key"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "imgwizard-bench", "-f", str(key)],
                       check=True)
    answers = wiz.parent / "answers.toml"
    answers.write_text(s.answers.format(key=str(key) + ".pub"))
    _render_into(answers, wiz)
    guide = work / s.name / "guide"
    shutil.copytree(HERE / "guide" / s.name, guide)
    if s.needs_ca:
        shutil.copyfile(HOST_CA, guide / "extra-ca.crt")
    return wiz, guide
