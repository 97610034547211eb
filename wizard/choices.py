"""What the answers' fields offer and assume (wizard/answers.py holds the fields): the predicates that say when a
field applies, the choice lists with what each choice means, the defaults computed from earlier answers, and the
checks of single values that need more than wizard/checks.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from wizard import checks, knowledge
from wizard.project import DEPENDENCY_NAME
from wizard.text import Msg, T, in_lang

Pred = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Choice:
    value: str
    label: T
    why: T = T("", "")



# ------------------------------------------------------------------ predicates over the answers so far

def is_type(*types: str) -> Pred:
    return lambda a: a.get("app.type") in types


def engine(a: Mapping[str, Any]) -> str:
    return knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))


def runs_commands(a: Mapping[str, Any]) -> bool:
    """Whether the image has a shell to RUN things in (everything but scratch)."""
    return a.get("os.family") != "scratch"


def nvidia(a: Mapping[str, Any]) -> bool:
    return a.get("gpu.vendor") == "nvidia"


# ------------------------------------------------------------------ choice lists

def choice(value: str, en: str, zh: str, why_en: str = "", why_zh: str = "") -> Choice:
    return Choice(value, T(en, zh), T(why_en, why_zh))


APP_TYPES = (
    choice("desktop", "Desktop app (GUI in the browser)", "桌面应用（浏览器里的图形界面）",
           "For apps with no web UI of their own (PyCharm, IDEA, Eclipse): a noVNC or KASM desktop shows them in a browser.",
           "应用本身不支持浏览器访问（PyCharm、IDEA、Eclipse），需要 noVNC 或 KASM 桌面在浏览器里显示图形界面。"),
    choice("web", "Web app (Jupyter, code-server, your own Python service)",
           "Web 应用（Jupyter、code-server、你自己的 Python 服务）",
           "The app serves its own web UI, so no desktop is needed and a plain Linux image is enough.",
           "应用自带浏览器界面，不需要桌面环境，直接用基础 Linux 镜像制作。"),
    choice("shell", "Shell image (SSH / terminal)", "命令行镜像（SSH / 终端）",
           "A Linux environment with tools, reached by SSH or docker exec.",
           "带常用工具的 Linux 环境，通过 SSH 或 docker exec 使用。"),
    choice("binary", "A single binary", "单个二进制程序",
           "One program that needs nothing else: it can even sit on the empty scratch image.",
           "不依赖任何环境的二进制程序，可以放在空白的 scratch 镜像里。"),
)

APP_NAMES = {
    "desktop": (
        choice("jetbrains", "A JetBrains IDE (.tar.gz)", "JetBrains IDE（.tar.gz 安装包）",
               "Unpacks the Linux archive you downloaded and keeps its settings in the persistent home.",
               "解压下载的 Linux 安装包，并把配置保存在可持久化的 home 中。"),
        choice("command", "Any installed command", "任意已安装的命令",
               "Start a command of your own choice in the desktop.", "在桌面中启动你指定的命令。"),
    ),
    "web": (
        choice("jupyter", "JupyterLab (Miniconda)", "JupyterLab（Miniconda 安装）",
               "JupyterLab in its own conda environment with a pinned Python; token on by default.",
               "在独立的 conda 环境中安装 JupyterLab 并固定 Python 版本；默认开启 token 认证。"),
        choice("code-server", "code-server (VS Code in the browser)", "code-server（浏览器里的 VS Code）",
               "The pinned code-server .deb; password on by default.", "安装固定版本的 code-server .deb；默认开启密码认证。"),
        choice("python", "Your own Python service (this folder)", "你自己的 Python 服务（当前目录）",
               "The project in the build folder: its dependencies installed through the pip mirror in a layer of their "
               "own, its code copied after them, started with your command on the published port (FastAPI, "
               "Streamlit, Gradio, Flask or a script).",
               "构建目录中的项目：依赖通过 pip 镜像单独安装在一层，代码在其后复制，用你的启动命令监听对外端口"
               "（FastAPI、Streamlit、Gradio、Flask 或脚本）。"),
    ),
    "shell": (choice("none", "No app", "无应用"),),
    "binary": (choice("none", "The binary in app.command", "app.command 中的二进制文件"),),
}

ENGINES = (
    choice("novnc", "noVNC (jlesage/baseimage-gui)", "noVNC（jlesage/baseimage-gui）",
           "Copy and paste works over plain HTTP; no sound. The usual choice.",
           "支持 HTTP/HTTPS 下复制粘贴，不支持声音传输；一般用这个。"),
    choice("kasm", "KASM (linuxserver/baseimage-kasmvnc)", "KASM（linuxserver/baseimage-kasmvnc）",
           "Sends sound to the browser; clipboard needs HTTPS.", "支持声音传输，但非 HTTPS 下不支持复制粘贴。"),
    choice("kasmweb", "KASM Workspaces (kasmweb/core)", "KASM Workspaces（kasmweb/core）",
           "The kasmtech core images used by KASM Workspaces; HTTPS on 6901.",
           "kasmtech 的 KASM Workspaces 核心镜像；HTTPS 端口 6901。"),
    choice("builtin", "Built-in noVNC (OS packages only)", "内置 noVNC（只用系统软件包）",
           "No third-party base image: builds where only the OS mirror is reachable. Xvnc, matchbox and noVNC from "
           "Debian/Ubuntu packages; clipboard through noVNC's side panel; no sound.",
           "不需要第三方基础镜像：只要能访问系统软件源就能构建。Xvnc、matchbox 和 noVNC 都来自 Debian/Ubuntu 软件包；"
           "复制粘贴通过 noVNC 侧边栏；不支持声音。"),
)

FAMILY_TEXT = {
    "ubuntu": choice("ubuntu", "Ubuntu", "Ubuntu",
                     "Easiest for many dependencies and for NVIDIA drivers.", "依赖最好装，安装 NVIDIA 驱动时首选。"),
    "debian": choice("debian", "Debian (slim)", "Debian（slim）",
                     "Some dependencies, smaller image.", "有一定依赖需求，同时希望镜像更小。"),
    "alpine": choice("alpine", "Alpine", "Alpine",
                     "Smallest, but many dependencies are hard to get on musl.", "最小，但依赖多时很难适配。"),
    "scratch": choice("scratch", "scratch (empty)", "scratch（空白模板）",
                      "Only for a self-contained binary: no shell, no package manager.",
                      "只适合不依赖任何环境的二进制文件，没有 shell 和包管理器。"),
}


# Jupyter extras from the guide that still work with Jupyter Server 2 (docs/answers.md 'app.jupyter_extras').
JUPYTER_EXTRAS = ("notebook", "jupyter-ai")
JUPYTER_EXTRAS_NAME = re.compile("|".join(re.escape(name) for name in JUPYTER_EXTRAS))


def family_choices(a: Mapping[str, Any]) -> tuple[Choice, ...]:
    families = knowledge.os_families(engine(a))
    if a.get("app.type") != "binary":
        families = [f for f in families if f != "scratch"]
    order = ["ubuntu", "debian", "alpine", "scratch"]
    return tuple(FAMILY_TEXT[f] for f in order if f in families)


def version_choices(a: Mapping[str, Any]) -> tuple[Choice, ...]:
    return tuple(choice(v, v, v) for v in knowledge.os_versions(engine(a), a.get("os.family", "")))


def default_family(a: Mapping[str, Any]) -> str:
    if a.get("app.type") == "binary":
        return "scratch"
    if a.get("app.type") in ("desktop",) or a.get("app.name") == "jupyter":
        return "ubuntu"
    if a.get("desktop.engine") == "kasmweb":
        return "ubuntu"
    return "debian"


def default_version(a: Mapping[str, Any]) -> str:
    versions = knowledge.os_versions(engine(a), a.get("os.family", ""))
    if "22.04" in versions:
        return "22.04"  # the guide's tested base for drivers and desktops
    return versions[0] if versions else ""


MIRROR_CHOICES = (
    choice("none", "Keep the image's own sources", "保留镜像自带的软件源",
           "Fine outside China or when the default sources are fast enough.", "镜像自带的源速度可以时不必更换。"),
    choice("tuna", "Tsinghua TUNA", "清华 TUNA"),
    choice("aliyun", "Alibaba Cloud", "阿里云"),
    choice("ustc", "USTC", "中科大"),
    choice("tencent", "Tencent Cloud", "腾讯云"),
    choice("huawei", "Huawei Cloud", "华为云"),
)

GPU_VENDORS = (
    choice("none", "No GPU", "不使用显卡"),
    choice("nvidia", "NVIDIA", "英伟达 NVIDIA",
           "The host needs its driver (nvidia-smi). Usually the NVIDIA Container Toolkit mounts it (--gpus all).",
           "宿主机需先装好驱动（nvidia-smi）。一般由 NVIDIA Container Toolkit 挂载宿主机驱动（--gpus all）。"),
    choice("ascend", "Huawei Ascend", "华为昇腾 Ascend",
           "The host needs its driver (npu-smi info); the devices and driver are passed at run time.",
           "宿主机需先装好昇腾驱动（npu-smi info）；运行时挂载设备和驱动。"),
)


def cuda_choices(a: Mapping[str, Any]) -> tuple[Choice, ...]:
    """'' (named with the build torch_build picks, when it picks one) and each variant of the release, with what it would give here."""
    rel = knowledge.torch_release(a.get("gpu.pytorch", ""))
    variants = rel.variants if rel else ("cpu", *knowledge.cuda_variants())
    picked = torch_build_for({**a, "gpu.cuda": ""}, rel) if rel else None
    en, zh = picked.note if picked and picked.variant else ("", "")
    auto = choice("", f"Best for the driver: {en}" if en else "Best for the driver",
                  f"按驱动自动选择：{zh}" if zh else "按驱动自动选择",
                  "The newest CUDA build the driver fully supports (CUDA release notes' minimum driver table); "
                  "never a CPU build on a GPU image.",
                  "按 CUDA 发布说明的最低驱动表，选择驱动完全支持的最新 CUDA 版本；显卡镜像不会退回 CPU 版本。")
    return (auto, *(variant_choice(a, rel, v) for v in variants))


def variant_choice(a: Mapping[str, Any], rel: knowledge.TorchRelease | None, variant: str) -> Choice:
    build = torch_build_for({**a, "gpu.cuda": variant}, rel) if rel else None
    if build is None or build.note[0] == variant:
        return choice(variant, variant, variant)
    en, zh = build.note if build.variant else (f"{variant} · refused", f"{variant} · 不可用")
    why = build.reason or build.warning
    return choice(variant, en, zh, why, in_lang(why, "zh"))


def torch_build_for(a: Mapping[str, Any], release: knowledge.TorchRelease | None = None) -> knowledge.TorchBuild | None:
    """knowledge.torch_build for these answers (None without PyTorch): the image's Python is app.python for
    Jupyter from conda, else the distro's python3 that the venv uses."""
    release = release or knowledge.torch_release(a.get("gpu.pytorch", ""))
    if release is None:
        return None
    conda = a.get("app.name") == "jupyter" and a.get("app.python_from") == "conda"
    python = a.get("app.python") if conda else knowledge.system_python(a.get("os.family", ""), a.get("os.version", ""))
    return knowledge.torch_build(release, a.get("gpu.cuda", ""), a.get("gpu.vendor", "none"),
                                 a.get("gpu.host_driver") or a.get("gpu.driver") or None, a.get("image.arch", "amd64"),
                                 python)


def torch_choices(a: Mapping[str, Any]) -> tuple[Choice, ...]:
    """Each release labelled with the build it gets for the answers so far ("2.5.1 · cu121"). A reason every
    release shares (Ascend: no torch_npu) is said once, under "No PyTorch", not under each of the releases."""
    def release_choice(r: knowledge.TorchRelease) -> Choice:
        build = torch_build_for({**a, "gpu.cuda": ""}, r)
        assert build is not None, "every release of the table has a build decision"
        return choice(r.torch, f"{r.torch} · {build.note[0]}", f"{r.torch} · {build.note[1]}", build.reason,
                      in_lang(build.reason, "zh"))
    releases = [release_choice(r) for r in reversed(knowledge.torch_releases())]
    shared = {c.why for c in releases}
    if len(releases) > 1 and len(shared) == 1 and releases[0].why.en:
        why = releases[0].why
        return (Choice("", T("No PyTorch", "不安装 PyTorch"), why), *(Choice(c.value, c.label) for c in releases))
    return (choice("", "No PyTorch", "不安装 PyTorch"), *releases)


def java_choices(a: Mapping[str, Any]) -> tuple[Choice, ...]:
    versions = knowledge.java_versions(a.get("os.family", "")) or []
    return (choice("0", "No Java", "不安装 Java"), *(choice(v, f"OpenJDK {v}", f"OpenJDK {v}") for v in versions))


def default_workdir(a: Mapping[str, Any]) -> str:
    if a.get("app.type") == "desktop" and engine(a) != "builtin":  # the built-in desktop is a plain image
        return knowledge.desktop(a.get("desktop.engine", "novnc"))["home"]
    return "/root" if a.get("user.root", True) else "/home/app"


def check_archive(v: str) -> str | None:
    if checks.file_name(v) or knowledge.jetbrains_archive(v) is None:
        return Msg("accepted.archive")
    return None


# Where app.files go: /opt/<the image name's last part>/ (image.name `team/tool` -> /opt/tool). Not a folder
# imgwizard or a base image fills itself: /opt/venv and /opt/conda (plan.py VENV, CONDA), /opt/nvidia
# (gpu/nvidia.j2's installer), /opt/base (jlesage's helpers, bases.toml helpers_source).
APP_FILES_ROOT = "/opt"
APP_FILES_TAKEN = ("venv", "conda", "nvidia", "base")


def app_folder(a: Mapping[str, Any]) -> str:
    """The folder app.files are copied into: /opt/<image name's last part> (docs/answers.md 'app.files')."""
    return f"{APP_FILES_ROOT}/{a.get('image.name', '').rsplit('/', 1)[-1]}"


def python_app(a: Mapping[str, Any]) -> bool:
    """The user's own Python service (app.type web, app.name python; docs/answers.md 'app.requirements')."""
    return a.get("app.type") == "web" and a.get("app.name") == "python"


def check_requirements(v: str) -> str | None:
    if v == "" or (DEPENDENCY_NAME.fullmatch(v) and checks.relative_path(v) is None):
        return None
    return Msg("accepted.requirements")


def default_command(a: Mapping[str, Any]) -> str:
    if a.get("app.type") == "binary":
        return "app"
    return "python app.py" if python_app(a) else "xterm"


def command_name(command: str) -> str:
    """The program a command line starts: its first word without folders (`/usr/bin/xterm -ls` -> xterm)."""
    return command.split(" ", 1)[0].rsplit("/", 1)[-1]


def default_apt(a: Mapping[str, Any]) -> list[str]:
    """A desktop `command` app installs the package commands.toml names for its program on this OS (xclock ->
    x11-apps); nothing for a program the base has, one another answer installs (java: packages.java), one the
    table refuses or does not know (validate then asks for its package in packages.apt): never a guessed name."""
    if a.get("app.name") != "command":
        return []
    need = knowledge.command_need(command_name(a.get("app.command", "")), a.get("os.family", ""),
                                  a.get("os.version", ""))
    return [need.packages[0]] if need and need.packages and not need.refused and not need.via else []


def check_torch(v: str) -> str | None:
    if checks.torch_version(v) is None and knowledge.torch_release(v):
        return None
    known = ", ".join(r.torch for r in knowledge.torch_releases())
    return Msg("accepted.torch", known=known)
