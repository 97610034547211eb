"""What the folder the wizard starts in tells: files that answer questions, found by the answers' own recognisers.

`scan(folder)` looks only at the folder's own entries (no recursion, no file bigger than the answers' own
limits) and returns Findings: the answer key, the value, and why (in both languages). Both UIs pre-fill them
and show each one as found next to its field; nothing is taken silently. An entry that is not a regular file
(or folder, for ascend/) is passed over; nothing here raises for what the folder holds.

Recognisers (each the same function the answers' checks use):
- a JetBrains Linux archive (knowledge.jetbrains_archive): desktop + jetbrains + app.archive, its arch, and
  the image name from the product (pycharm);
- an NVIDIA driver installer (knowledge.nvidia_run): gpu.vendor nvidia and gpu.driver (its exact version; a
  host's nvidia-smi version that differs is then refused by validate);
- an Ascend driver folder ascend/ with the files the copy mode needs (plan.ASCEND_FILES): ascend + copy;
- a Python project (wizard/project.py: requirements.txt, a pyproject.toml with [project] dependencies, or an
  app.py / main.py): web + python, app.requirements, app.command for the framework its dependencies (or the entry
  file's imports) name, on port 31000, and gpu.pytorch when they name torch (its pinned release, when the table
  knows it, else the newest: validate then says what the driver allows);
- a public key file *.pub (checks.read_public_key): ssh.authorized_key (the key text);
- an imgwizard.toml (load.read_given): every answer it holds;
- else the image name from the folder's name, when it makes a valid one (checks.image_name) and the folder held
  something above (a source checkout or a home folder names no image: the wizard asks).

`saves_here` says when a new context goes into the start folder itself: it holds the files the answers name, or
is named after the image.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge, project, safeio
from wizard.load import read_given
from wizard.plan import ASCEND_FILES
from wizard.text import T, tr

ANSWERS_FILE = "imgwizard.toml"
MAX_ENTRIES = 2000  # a folder with more entries (a home folder, /usr/bin) is looked at this far only


@dataclass(frozen=True)
class Finding:
    key: str
    value: Any
    why: T


def scan(folder: Path) -> list[Finding]:
    """The findings of `folder`, at most one per key (the answers file first, then the files that answer)."""
    names = _entries(folder)
    found: dict[str, Finding] = {}
    for finding in (*_answers_file(folder, names), *_archive(names), *_python_project(folder, names),
                    *_nvidia(names), *_ascend(folder, names), *_public_key(folder, names)):
        found.setdefault(finding.key, finding)
    if found:  # the folder's name names the image only of a folder that held something recognised (not a checkout)
        for finding in _folder_name(folder):
            found.setdefault(finding.key, finding)
    return list(found.values())


# The review's (and the plain flow's) line when the context goes into the start folder; {why}: saves_here's.
SAVING_HERE = T("The build context goes into the folder the wizard started in: {why}.",
                "构建上下文保存在启动向导的目录中：{why}。")


def saves_here(folder: Path, answers: Mapping[str, Any], user_files: list[str]) -> T | None:
    """Why a new context goes into the start folder `folder` itself instead of a new folder in it, or None: the
    folder holds a file the answers name (a JetBrains archive, a driver installer, a binary: the build needs it
    beside the Dockerfile), or it is named after the image (never ./NAME/NAME/)."""
    held = [name for name in user_files if (folder / name).exists() and not safeio.leaves(folder, name)]
    if held:
        names = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
        return T(f"the start folder already holds {names}, which the answers name",
                 f"起始目录中已有答案用到的 {names}")
    name = folder_image_name(folder)
    if name and name == answers.get("image.name"):
        return T(f"the start folder is named after the image ({name})", f"起始目录与镜像同名（{name}）")
    return None


def folder_image_name(folder: Path) -> str:
    """The image name a folder's name makes (lower case, runs of other characters as -), "" when none."""
    name = _NOT_NAME.sub("-", folder.resolve().name.lower()).strip("-")[:64]
    return "" if not name or checks.image_name(name) else name


def given(findings: list[Finding]) -> dict[str, Any]:
    """The findings as given answers."""
    return {f.key: f.value for f in findings}


def described(findings: list[Finding], lang: str) -> list[str]:
    """One line per finding (key = value: why), for the list both UIs show when they start."""
    return [tr("found.line", lang, key=f.key, value=_short(f.value), why=f.why) for f in findings]


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 48 else text[:45] + "..."


def hints(findings: list[Finding]) -> dict[str, T]:
    """Per key, the line that says it was found (shown under the field)."""
    return {f.key: T(f"Found here: {f.why.en}", f"在当前目录发现：{f.why.zh}") for f in findings}


def _entries(folder: Path) -> dict[str, int]:
    """name -> st_mode of the folder's entries (links not followed), sorted by name so a scan is repeatable."""
    out: dict[str, int] = {}
    try:
        with os.scandir(folder) as it:
            for count, entry in enumerate(it):
                if count >= MAX_ENTRIES:
                    break
                try:
                    out[entry.name] = entry.stat(follow_symlinks=False).st_mode
                except OSError:
                    continue
    except OSError:
        return {}
    return dict(sorted(out.items()))


def _files(names: dict[str, int]) -> list[str]:
    return [n for n, mode in names.items() if stat.S_ISREG(mode)]


def _answers_file(folder: Path, names: dict[str, int]) -> list[Finding]:
    if not stat.S_ISREG(names.get(ANSWERS_FILE, 0)):
        return []
    given_, problems = read_given(folder / ANSWERS_FILE)
    if any(key == "file" for key, _ in problems):
        return []
    why = T(f"{ANSWERS_FILE} (a saved answer)", f"{ANSWERS_FILE}（保存过的答案）")
    return [Finding(key, value, why) for key, value in given_.items()]


def _archive(names: dict[str, int]) -> list[Finding]:
    for name in _files(names):
        known = knowledge.jetbrains_archive(name)
        if known is None or checks.file_name(name):
            continue
        info, arch = known
        why = T(f"the JetBrains archive {name}", f"JetBrains 安装包 {name}")
        return [Finding("app.type", "desktop", why), Finding("app.name", "jetbrains", why),
                Finding("app.archive", name, why), Finding("image.arch", arch, why),
                Finding("image.name", info["product"].lower(), why)]
    return []


_FRAMEWORK_NAMES = {"fastapi": "FastAPI (uvicorn)", "streamlit": "Streamlit", "gradio": "Gradio", "flask": "Flask"}


def _python_project(folder: Path, names: dict[str, int]) -> list[Finding]:
    files = set(_files(names))
    deps = project.dependency_file(folder) if {project.REQUIREMENTS, project.PYPROJECT} & files else ""
    if not deps and not {*project.ENTRY_FILES} & files:
        return []
    required = project.requirements(folder, deps)
    kind = project.framework(folder, required)
    entry = project.entry_file(folder, kind)
    port = 31000  # app.port's default: the port the platform publishes
    seen = ", ".join(name for name in (deps, entry) if name)
    why = T(f"the Python project ({seen})", f"Python 项目（{seen}）")
    what = _FRAMEWORK_NAMES.get(kind)
    how = T(f"{what} in the Python project ({seen})", f"Python 项目（{seen}）使用 {what}") if what else \
        T(f"the Python script {entry or 'app.py'}", f"Python 脚本 {entry or 'app.py'}")
    out = [Finding("app.type", "web", why), Finding("app.name", "python", why),
           Finding("app.requirements", deps, why),
           Finding("app.command", project.start_command(kind, entry, port), how)]
    if project.torch_named(required):
        pinned = knowledge.torch_release(required.get("torch", ""))
        release = pinned.torch if pinned else knowledge.torch_releases()[-1].torch
        out.append(Finding("gpu.pytorch", release, T(f"{deps} names torch", f"{deps} 中有 torch")))
    return out


def _nvidia(names: dict[str, int]) -> list[Finding]:
    for name in _files(names):
        known = knowledge.nvidia_run(name)
        if known is None:
            continue
        arch, version = known
        why = T(f"the NVIDIA driver installer {name}", f"NVIDIA 驱动安装包 {name}")
        # not gpu.host_driver: nvidia-smi's version (host.prefill) must stay, so a mismatch is refused; without
        # it, gpu.host_driver defaults to gpu.driver
        return [Finding("gpu.vendor", "nvidia", why), Finding("gpu.driver", version, why),
                Finding("image.arch", arch, why)]
    return []


def _ascend(folder: Path, names: dict[str, int]) -> list[Finding]:
    if not stat.S_ISDIR(names.get("ascend", 0)):
        return []
    inside = {name for name, _ in ASCEND_FILES}
    if not all(os.path.lexists(folder / name) for name in inside):
        return []
    why = T("the Ascend driver folder ascend/ (dcmi, npu-smi, driver files)",
            "昇腾驱动目录 ascend/（dcmi、npu-smi、驱动文件）")
    return [Finding("gpu.vendor", "ascend", why), Finding("gpu.ascend_driver", "copy", why)]


def _public_key(folder: Path, names: dict[str, int]) -> list[Finding]:
    for name in _files(names):
        if not name.endswith(".pub"):
            continue
        text, problem = checks.read_public_key(name, folder)
        if problem is None:  # the key text itself: the saved answers then hold no path to this folder
            why = T(f"the public key {name}", f"公钥 {name}")
            return [Finding("ssh.authorized_key", text, why)]
    return []


_NOT_NAME = re.compile(r"[^a-z0-9]+")


def _folder_name(folder: Path) -> list[Finding]:
    name = folder_image_name(folder)
    if not name:
        return []
    return [Finding("image.name", name, T(f"the folder's name {folder.resolve().name}",
                                          f"目录名 {folder.resolve().name}"))]
