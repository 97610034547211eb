"""The answers model: every key of the answers file, its type, default, choices and texts.

Answers are a flat mapping of dotted keys ("app.type") to values; the answers file (TOML, version = 1)
nests them by section. A field's `when` says whether it applies to the answers so far; a field that does
not apply is left out of the resolved answers, so switching app type never leaves stale settings behind.
Defaults may depend on earlier answers (fields resolve in order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from wizard import checks, knowledge, registry_mirror
from wizard.checks import shown
from wizard.choices import (APP_NAMES, APP_TYPES, Choice, Pred, ENGINES, GPU_VENDORS, JUPYTER_EXTRAS, JUPYTER_EXTRAS_NAME,
                            MIRROR_CHOICES, check_archive, check_requirements, check_torch, choice, cuda_choices,
                            default_apt, default_command, default_family, default_version, default_workdir, engine,
                            family_choices, is_type, java_choices, nvidia, python_app, runs_commands, torch_choices,
                            version_choices)
from wizard.text import LANGS, Msg, T, tr

Answers = dict[str, Any]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # choice | bool | int | text | list
    label: T
    help: T
    default: Any = None  # a value, or a function of the answers so far
    choices: tuple[Choice, ...] | Callable[[Mapping[str, Any]], tuple[Choice, ...]] = ()
    when: Pred = lambda a: True
    check: Callable[[Any], str | None] | None = None  # None if fine, else what is accepted
    free: bool = False  # a choice field that also takes checked free text (a mirror URL)
    low: int = 1
    high: int = 65535
    max_len: int = 255  # the longest text accepted (each item, for a list): docs/answers.md 'What is refused and why'
    max_items: int = 200  # a list's most items (a Dockerfile line per item; docs/answers.md, same section)

    @property
    def section(self) -> str:
        return self.key.split(".")[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    def default_for(self, answers: Mapping[str, Any]) -> Any:
        return self.default(answers) if callable(self.default) else self.default

    def choices_for(self, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
        return self.choices(answers) if callable(self.choices) else self.choices


# ------------------------------------------------------------------ the fields, in resolution order

FIELDS: tuple[Field, ...] = (
    Field("image.name", "text", T("Image name", "镜像名称"),
          T("The repository name of the image you build (lower case).", "要构建的镜像名称（小写）。"),
          "myapp", check=checks.image_name, max_len=255),
    Field("image.tag", "text", T("Image tag", "镜像标签"), T("The tag, such as latest or 1.0.", "镜像标签，如 latest 或 1.0。"),
          "latest", check=checks.image_tag, max_len=128),
    Field("image.arch", "choice", T("Architecture", "架构"),
          T("amd64 downloads x86_64 installers, arm64 the aarch64 ones.", "amd64 用 x86_64 的安装包，arm64 用 aarch64 的。"),
          "amd64", choices=(choice("amd64", "amd64 (x86_64)", "amd64（x86_64）"), choice("arm64", "arm64 (aarch64)", "arm64（aarch64）"))),
    Field("app.type", "choice", T("What kind of app?", "应用类型"),
          T("This decides the base image: a desktop for GUI apps, a plain Linux image otherwise.",
            "它决定基础镜像：图形界面应用用桌面模板，其余用基础 Linux 镜像。"),
          "shell", choices=APP_TYPES),
    Field("app.name", "choice", T("Which app?", "哪个应用？"), T("The app to install and start.", "要安装并启动的应用。"),
          lambda a: APP_NAMES[a["app.type"]][0].value, choices=lambda a: APP_NAMES.get(a.get("app.type", ""), ()),
          when=is_type("desktop", "web", "shell", "binary")),
    Field("desktop.engine", "choice", T("Desktop engine", "桌面模板"),
          T("noVNC: clipboard over HTTP, no sound. KASM: sound, clipboard only over HTTPS. Built-in: no third-party "
            "base image, everything from the OS mirror.",
            "noVNC：HTTP 下可复制粘贴，无声音。KASM：有声音，复制粘贴需要 HTTPS。内置：不需要第三方基础镜像，全部来自系统软件源。"),
          "novnc", choices=ENGINES, when=is_type("desktop")),
    Field("desktop.auth", "bool", T("Desktop password on", "桌面密码认证"),
          T("The desktop asks for a password given at start (DESKTOP_PASSWORD); off lets anyone who reaches the port in. "
            "noVNC (jlesage) and the built-in desktop use only its first 8 characters (VNC authentication); kasmweb cannot "
            "turn it off (user kasm_user).",
            "桌面需要启动时提供的密码（DESKTOP_PASSWORD）；关闭后任何能访问端口的人都能进入。"
            "noVNC（jlesage）和内置桌面只使用密码的前 8 个字符（VNC 认证）；kasmweb 无法关闭密码（用户名 kasm_user）。"),
          True, when=is_type("desktop")),
    Field("app.archive", "text", T("JetBrains archive", "JetBrains 安装包"),
          T("The Linux .tar.gz you downloaded, placed next to the Dockerfile (community edition if there is one).",
            "下载的 Linux .tar.gz 安装包，放在 Dockerfile 同级目录（有社区版就用社区版）。"),
          "pycharm-community-2024.2.1.tar.gz", check=check_archive,
          when=lambda a: a.get("app.name") == "jetbrains"),
    Field("app.files", "list", T("App files", "应用文件"),
          T("Files or folders of your app in the build folder (a jar, a folder with bin/), separated by spaces: each "
            "is copied with its name and mode into /opt/<image name>/, so app.command can start "
            "/opt/<image name>/tool/bin/start or java -jar /opt/<image name>/app.jar.",
            "构建目录中应用自己的文件或文件夹（jar 包、带 bin/ 的文件夹），空格分隔：每项保持名称和权限复制到 "
            "/opt/<镜像名>/，启动命令可写 /opt/<镜像名>/tool/bin/start 或 java -jar /opt/<镜像名>/app.jar。"),
          [], check=checks.app_file, max_len=255, max_items=16, when=lambda a: a.get("app.name") == "command"),
    Field("app.requirements", "text", T("Dependency file", "依赖文件"),
          T("The project's requirements.txt (pip install -r) or pyproject.toml (its [project] dependencies) in the "
            "build folder, installed in a layer that changes only when this file changes; empty: none.",
            "构建目录中项目的 requirements.txt（pip install -r）或 pyproject.toml（其 [project] dependencies），"
            "安装在只随该文件变化的一层；留空表示没有依赖。"),
          "requirements.txt", check=check_requirements, max_len=255, when=python_app),
    Field("app.command", "text", T("Command", "启动命令"),
          T("Desktop: the command the desktop starts. Binary: the binary's path in the build folder (app, bin/server, "
            "target/release/app). Python service: the command that serves it on the published port, run in the "
            "project's folder (uvicorn main:app --host 0.0.0.0 --port 31000, streamlit run app.py --server.port 31000 "
            "--server.address 0.0.0.0, flask --app app run --host 0.0.0.0 --port 31000, python app.py).",
            "桌面：桌面启动的命令。二进制：二进制文件在构建目录中的路径（app、bin/server、target/release/app）。"
            "Python 服务：在项目目录中运行、监听对外端口的启动命令（uvicorn main:app --host 0.0.0.0 --port 31000、"
            "streamlit run app.py --server.port 31000 --server.address 0.0.0.0、"
            "flask --app app run --host 0.0.0.0 --port 31000、python app.py）。"),
          default_command, check=checks.command_line, max_len=1024,
          when=lambda a: a.get("app.type") == "binary" or a.get("app.name") in ("command", "python")),
    Field("app.python_from", "choice", T("Jupyter's Python from", "Jupyter 的 Python 来源"),
          T("conda: Miniconda with a pinned Python (the guide's way). system: the distribution's python3 in a venv "
            "(no download outside PyPI and the OS mirrors).",
            "conda：Miniconda 并固定 Python 版本（指南的做法）。system：系统自带 python3 加 venv（只需 PyPI 和系统软件源）。"),
          "conda", choices=(choice("conda", "Miniconda", "Miniconda"), choice("system", "System python3 + venv", "系统 python3 + venv")),
          when=lambda a: a.get("app.name") == "jupyter"),
    Field("app.python", "text", T("Jupyter's Python", "Jupyter 的 Python 版本"),
          T("The Python version of the conda environment Jupyter runs in.", "Jupyter 所在 conda 环境的 Python 版本。"),
          "3.11", check=checks.python_version, max_len=8,
          when=lambda a: a.get("app.name") == "jupyter" and a.get("app.python_from") == "conda"),
    Field("app.jupyter_extras", "list", T("Jupyter extras", "Jupyter 附加组件"),
          T("The guide's extras, none by default; names separated by spaces: notebook (the Notebook 7 page "
            "interface beside JupyterLab), jupyter-ai (AI chat and %%ai magics in JupyterLab, with every model "
            "provider: large, and it needs a model's API key). jupyter_http_over_ws is not offered: it needs the "
            "old notebook server, gone since Notebook 7.",
            "指南中的附加组件，默认不装；名称用空格分隔：notebook（JupyterLab 之外的 Notebook 7 页面界面），"
            "jupyter-ai（JupyterLab 中的 AI 对话和 %%ai 魔法命令，含全部模型接口：体积大，需要模型的 API 密钥）。"
            "不提供 jupyter_http_over_ws：它依赖旧版 notebook 服务器，Notebook 7 起已不存在。"),
          [], check=lambda v: None if JUPYTER_EXTRAS_NAME.fullmatch(v) else ", ".join(JUPYTER_EXTRAS),
          max_len=32, when=lambda a: a.get("app.name") == "jupyter"),
    Field("app.auth", "bool", T("App authentication on", "应用认证"),
          T("Jupyter token / code-server password, given at start (JUPYTER_TOKEN / PASSWORD). Off: anyone who reaches the port runs code.",
            "Jupyter token / code-server 密码，启动时提供（JUPYTER_TOKEN / PASSWORD）。关闭后任何能访问端口的人都能执行代码。"),
          True, when=lambda a: a.get("app.type") == "web" and not python_app(a)),
    Field("app.port", "int", T("Published port", "对外端口"),
          T("The port the platform publishes (31000); the desktop or web app listens there.",
            "平台对外转发的容器端口（31000）；桌面或 Web 应用监听这个端口。"),
          31000, when=is_type("desktop", "web")),
    Field("os.family", "choice", T("Base OS", "基础系统"),
          T("Ease of installing dependencies: ubuntu < debian < alpine < scratch.",
            "安装依赖的难易程度：ubuntu < debian < alpine < scratch。"),
          default_family, choices=family_choices),
    Field("os.version", "choice", T("OS version", "系统版本"), T("The release of the base OS.", "基础系统的版本。"),
          default_version, choices=version_choices, when=lambda a: a.get("os.family") != "scratch"),
    Field("os.base_image", "text", T("Base image override", "自定义基础镜像"),
          T("Leave empty for the image the wizard picks; set to use your own build of the same OS.",
            "留空使用向导选择的镜像；如需使用同系统的自建镜像可在此填写。"),
          "", check=lambda v: None if v == "" else checks.image_ref(v), max_len=512),
    Field("os.base_release", "text", T("Base image release", "基础镜像版本"),
          T("Empty for the release imgwizard pins (its facts were read there); or another release (tag) of the same "
            "third-party base repository, such as a newer one: built with a warning that the facts were read at the "
            "pinned release. Not for plain or built-in bases (use the base image override there).",
            "留空使用 imgwizard 固定的版本（相关事实在该版本核实）；或填写同一第三方基础镜像仓库的"
            "其他版本（标签），如更新的版本：构建时会提示事实是在固定版本核实的。不适用于普通或内置"
            "桌面基础镜像（请用自定义基础镜像）。"),
          "", check=lambda v: None if v == "" else checks.image_tag(v), max_len=128,
          when=lambda a: runs_commands(a) and engine(a) in ("novnc", "kasm", "kasmweb")),
    Field("mirror.apt", "choice", T("System package mirror", "系统软件源"),
          T("In China the default sources are slow: rewrite their host in place to a mirror.",
            "在中国境内打包时默认源很慢：把源地址原地替换为国内镜像。"),
          "none", choices=MIRROR_CHOICES, free=True, when=runs_commands,
          check=lambda v: checks.mirror(v, knowledge.MIRRORS), max_len=512),
    Field("mirror.pip", "choice", T("pip index mirror", "pip 镜像源"), T("Where pip installs from.", "pip 安装使用的源。"),
          lambda a: a.get("mirror.apt", "none") if a.get("mirror.apt", "none") in knowledge.MIRRORS else "none",
          choices=MIRROR_CHOICES, free=True, when=runs_commands, check=lambda v: checks.mirror(v, knowledge.MIRRORS), max_len=512),
    Field("mirror.conda", "choice", T("conda channel mirror", "conda 镜像源"), T("Channels for Miniconda.", "Miniconda 使用的频道。"),
          lambda a: a.get("mirror.pip", "none") if a.get("mirror.pip", "none") in knowledge.MIRRORS else "none",
          choices=MIRROR_CHOICES, free=True, when=lambda a: a.get("app.python_from") == "conda",
          check=lambda v: checks.mirror(v, knowledge.MIRRORS), max_len=512),
    Field("mirror.registry", "text", T("Registry mirror for the base image", "基础镜像的镜像仓库（加速器）"),
          T("Empty: the engine pulls the base image from Docker Hub itself (or through its own registry-mirrors in "
            "daemon.json). Or a pull-through mirror of Docker Hub, host[:port][/path] without http://, e.g. "
            "mirror.example.com or harbor.example.com:5000/hub-proxy: every FROM of a Docker Hub image then names it "
            "(debian:bookworm-slim -> HOST/library/debian:bookworm-slim). Images of other registries (ghcr.io...) "
            "are pulled from there.",
            "留空：由 Docker 引擎直接从 Docker Hub 拉取基础镜像（或通过其 daemon.json 中的 registry-mirrors）。"
            "或填写 Docker Hub 的拉取代理（pull-through）镜像仓库，格式 主机[:端口][/路径]，不带 http://，如 "
            "mirror.example.com 或 harbor.example.com:5000/hub-proxy：Docker Hub 镜像的每个 FROM 都改为从它拉取"
            "（debian:bookworm-slim -> 主机/library/debian:bookworm-slim）。其他仓库（ghcr.io 等）的镜像仍从原仓库拉取。"),
          "", check=registry_mirror.check, max_len=registry_mirror.MAX_LEN, when=runs_commands),
    Field("locale.chinese", "bool", T("Chinese locale and fonts", "中文语言和字体"),
          T("zh_CN.UTF-8 in the image; a desktop also gets a CJK font (no download at start).",
            "在镜像中安装 zh_CN.UTF-8；桌面镜像另装中文字体（启动时无需下载）。"),
          False, when=runs_commands),
    Field("locale.timezone", "text", T("Time zone", "时区"), T("An IANA name such as Asia/Shanghai; empty keeps UTC.",
                                                               "IANA 时区名，如 Asia/Shanghai；留空为 UTC。"),
          lambda a: "Asia/Shanghai" if a.get("locale.chinese") else "",
          check=lambda v: None if v == "" else checks.timezone(v), max_len=64, when=runs_commands),
    Field("packages.common", "bool", T("Common tools", "常用工具"),
          T("git nano vim sudo wget curl: almost always useful.", "git nano vim sudo wget curl：一般都用得上。"),
          True, when=runs_commands),
    Field("packages.apt", "list", T("Extra system packages", "其他系统软件包"),
          T("Package names, separated by spaces.", "软件包名，空格分隔。"), default_apt, check=checks.apt_package, max_len=128,
          when=runs_commands),
    Field("packages.pip", "list", T("pip packages", "pip 包"),
          T("Requirements like ray==2.9.0, installed in /opt/venv through the pip mirror.",
            "如 ray==2.9.0，通过 pip 镜像安装到 /opt/venv。"), [], check=checks.pip_package, max_len=256, when=runs_commands),
    Field("packages.java", "choice", T("Java (OpenJDK)", "Java（OpenJDK）"), T("Installs the JDK and sets JAVA_HOME.",
                                                                            "安装 JDK 并设置 JAVA_HOME。"),
          "0", choices=java_choices, when=runs_commands),
    Field("gpu.vendor", "choice", T("GPU", "显卡"), T("Which accelerator the container uses.", "容器使用哪种加速卡。"),
          "none", choices=GPU_VENDORS, when=runs_commands),
    Field("gpu.devices", "text", T("GPU devices", "显卡设备"),
          T("The device numbers to pass in (0 or 0,1); NVIDIA also takes all. Ascend takes the numbers `npu-smi info` "
            "shows, never all.",
            "要挂载的设备编号（0 或 0,1）；NVIDIA 也可填 all。"
            "昇腾只接受宿主机 `npu-smi info` 显示的编号，不能填 all。"),
          lambda a: "all" if nvidia(a) else "0", check=checks.devices, max_len=64,
          when=lambda a: a.get("gpu.vendor") in ("nvidia", "ascend")),
    Field("gpu.ascend_driver", "choice", T("Ascend driver", "昇腾驱动"),
          T("mount (recommended): the host's driver folder, dcmi and npu-smi are mounted read-only at run time, so they "
            "always match the host. copy: the guide's way, the files are COPYed from ascend/ in the build folder.",
            "mount（推荐）：运行时只读挂载宿主机的驱动目录、dcmi 和 npu-smi，始终与宿主机一致。copy：指南的做法，从构建目录的 "
            "ascend/ 复制文件进镜像。"),
          "mount", choices=(choice("mount", "Mount the host's driver", "挂载宿主机驱动"),
                            choice("copy", "Copy driver files into the image", "复制驱动文件进镜像")),
          when=lambda a: a.get("gpu.vendor") == "ascend"),
    Field("gpu.driver", "text", T("NVIDIA driver in the image", "镜像内的 NVIDIA 驱动"),
          T("Empty (recommended): the NVIDIA Container Toolkit mounts the host's driver. A version (must EQUAL the host's, "
            "see nvidia-smi) installs NVIDIA-Linux-<arch>-<version>.run copied from the build folder.",
            "留空（推荐）：由 NVIDIA Container Toolkit 挂载宿主机驱动。填写版本（必须与宿主机 nvidia-smi 一致）则从构建目录复制 "
            "NVIDIA-Linux-<架构>-<版本>.run 安装。"),
          "", check=lambda v: None if v == "" else checks.driver_version(v), max_len=16, when=nvidia),
    Field("gpu.host_driver", "text", T("Host driver version", "宿主机驱动版本"),
          T("From nvidia-smi on the GPU host; picks the CUDA build of PyTorch (without it, choose the build yourself).",
            "宿主机 nvidia-smi 显示的版本；用于选择 PyTorch 的 CUDA 版本（不填则需自己选择版本类型）。"),
          lambda a: a.get("gpu.driver", ""), check=lambda v: None if v == "" else checks.host_driver_version(v),
          max_len=16,
          when=nvidia),
    Field("gpu.pytorch", "choice", T("PyTorch", "PyTorch"),
          T("torch, torchvision and torchaudio of one release, from the PyTorch wheel index; each release shows the build "
            "it gets for this host's driver, arch and Python. Not on Ascend (torch_npu is not installed).",
            "同一发布的 torch、torchvision、torchaudio，从 PyTorch 官方 wheel 索引安装；每个版本旁显示按本机驱动、架构和 "
            "Python 会得到的版本类型。昇腾不适用（不安装 torch_npu）。"),
          "", choices=torch_choices, free=True, check=check_torch, max_len=16, when=runs_commands),
    Field("gpu.cuda", "choice", T("PyTorch build", "PyTorch 版本类型"),
          T("cpu, a CUDA variant, or empty for the newest the host driver fully supports. A GPU image never falls back "
            "to cpu by itself; a variant the driver runs only by CUDA minor-version compatibility is yours to choose.",
            "cpu、某个 CUDA 版本，或留空按宿主机驱动自动选择其完全支持的最新版本。显卡镜像不会自动退回 cpu；"
            "仅靠 CUDA 小版本兼容才能运行的版本需自己选择。"),
          "", choices=cuda_choices, when=lambda a: bool(a.get("gpu.pytorch"))),
    Field("mirror.pytorch", "text", T("PyTorch wheel index", "PyTorch wheel 索引"),
          T("Empty: https://download.pytorch.org/whl. Or the URL of an index laid out the same way (URL/<build>/torch/), "
            "e.g. a mirror or proxy of it in your network; China pip mirrors carry only PyPI's default builds.",
            "留空使用 https://download.pytorch.org/whl；或填写与之结构相同的索引地址（URL/<版本类型>/torch/），"
            "如内网的镜像或代理；国内 pip 镜像只有 PyPI 的默认版本。"),
          "", when=lambda a: bool(a.get("gpu.pytorch")),
          check=checks.index_url, max_len=512),
    Field("ssh.enabled", "bool", T("SSH server", "SSH 服务"), T("sshd started when the container starts.", "容器启动时启动 sshd。"),
          lambda a: a.get("app.type") == "shell", when=runs_commands),
    Field("ssh.auth", "choice", T("SSH login", "SSH 登录方式"),
          T("key: your public key is allowed, passwords refused. password: from SSH_PASSWORD at start, never in the image.",
            "key：只允许你的公钥登录。password：启动时从 SSH_PASSWORD 读取，不写入镜像。"),
          "key", choices=(choice("key", "Public key", "公钥"), choice("password", "Password from SSH_PASSWORD", "从 SSH_PASSWORD 读取密码")),
          when=lambda a: bool(a.get("ssh.enabled"))),
    Field("ssh.authorized_key", "text", T("Authorized public key", "授权公钥"),
          T("The key text (ssh-ed25519 AAAA...) or the path of a .pub file.", "公钥内容（ssh-ed25519 AAAA...）或 .pub 文件路径。"),
          "", max_len=16 * 1024, when=lambda a: bool(a.get("ssh.enabled")) and a.get("ssh.auth") == "key"),
    Field("ssh.port", "int", T("SSH port", "SSH 端口"), T("sshd listens here.", "sshd 监听的端口。"), 22,
          when=lambda a: bool(a.get("ssh.enabled"))),
    Field("forward.enabled", "bool", T("Port forwarding (socat)", "端口转发（socat）"),
          T("socat listens on one port and forwards to another, in front of the base image's entrypoint. Plain TCP only: "
            "not for noVNC's own port (change its setting instead).",
            "socat 在基础镜像入口之前监听一个端口并转发到另一个端口。只适合普通 TCP，不适合 noVNC 的端口（应改配置）。"),
          False, when=runs_commands),
    Field("forward.listen", "int", T("Listen port", "监听端口"), T("The port socat listens on.", "socat 监听的端口。"),
          31000, when=lambda a: bool(a.get("forward.enabled"))),
    Field("forward.target", "int", T("Target port", "目标端口"), T("The port inside the container it forwards to.",
                                                                 "转发到容器内的端口。"),
          8006, when=lambda a: bool(a.get("forward.enabled"))),
    Field("user.root", "bool", T("Run as root", "以 root 运行"),
          T("Avoids permission problems in paths the base image's default user cannot write (the guide's advice). "
            "A Python service runs as the user app (uid 1000) by default.",
            "避免基础镜像默认用户在某些路径没有权限（指南的建议）。Python 服务默认以用户 app（uid 1000）运行。"),
          lambda a: not python_app(a), when=lambda a: runs_commands(a) and engine(a) in ("plain", "novnc", "builtin")),
    Field("user.workdir", "text", T("Work folder and HOME", "工作目录和 HOME"),
          T("A fixed WORKDIR and HOME, so settings land in a persistent place.", "固定 WORKDIR 和 HOME，让设置写入可持久化的路径。"),
          default_workdir, check=checks.absolute_path, max_len=255, when=runs_commands),
    Field("network.extra_ca", "text", T("Extra CA certificate", "额外的 CA 证书"),
          T("A PEM file to trust inside the image (corporate proxies); empty for none.",
            "镜像内要信任的 PEM 证书文件（企业代理）；留空则不添加。"),
          "", max_len=1024, when=runs_commands),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(f.section for f in FIELDS))


def applies(key: str, answers: Mapping[str, Any]) -> bool:
    return BY_KEY[key].when(answers)


def defaults() -> Answers:
    """The answers a user gets by accepting every default."""
    return resolve({})[0]


def resolve(given: Mapping[str, Any]) -> tuple[Answers, list[tuple[str, str]]]:
    """Fill defaults in field order and check each given value's type and choice.

    Returns (answers, problems); a problem is (key, message). A bad value is replaced by the default so later
    fields still resolve, but the problem is reported. Given keys that do not apply are dropped.
    """
    answers: Answers = {}
    problems: list[tuple[str, str]] = []
    for field in FIELDS:
        if not field.when(answers):
            continue
        if field.key in given:
            value, problem = coerce(field, given[field.key], answers)
            if problem:
                problems.append((field.key, problem))
                value = field.default_for(answers)
        else:
            value = field.default_for(answers)
        answers[field.key] = value
    if "image.name" not in given:
        answers["image.name"] = app_image_name(answers) or answers["image.name"]
    return answers, problems


def app_image_name(answers: Mapping[str, Any]) -> str | None:
    """The image name a user who named none gets instead of image.name's default: the app's own name, for an
    app that has one (jupyter, code-server, the JetBrains product of app.archive: pycharm). Set after the other
    answers resolve (image.name comes first); nothing read while they resolve depends on it for these apps."""
    if answers.get("app.type") == "web" and answers.get("app.name") in ("jupyter", "code-server"):
        return answers["app.name"]
    if answers.get("app.name") == "jetbrains" and answers.get("app.archive"):
        found = knowledge.jetbrains_archive(str(answers["app.archive"]).replace("\\", "/").rsplit("/", 1)[-1])
        return found[0]["product"].lower() if found else None
    return None


def coerce(field: Field, value: Any, answers: Mapping[str, Any]) -> tuple[Any, str | None]:
    """(value, None) when `value` is acceptable for `field`, else (None, message saying what is accepted).

    Every text (a text answer, a choice, each item of a list) first passes `_plain_text`: no control
    character and no more than the field's `max_len`, whatever the field's own check says."""
    kind = field.kind
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, Msg("refused.bool", value=shown(value)))
    if kind == "list" and isinstance(value, str):  # the wizard's text box: items separated by spaces
        value = [item for item in value.split(" ") if item]
    texts = value if kind == "list" and isinstance(value, list) else [value]
    for text in texts:
        bad = _plain_text(field, text) if isinstance(text, str) else None
        if bad:
            return None, bad
    if kind == "int":
        return _coerce_int(field, value)
    if kind == "list":
        return _coerce_list(field, value)
    if kind == "choice" and not field.free and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, Msg("refused.text", value=shown(value))
    if kind == "choice":
        return _coerce_choice(field, value, answers)
    bad = field.check(value) if field.check else None
    return (value, None) if bad is None else (None, Msg("refused.value", value=shown(value), accepted=bad))


def _plain_text(field: Field, text: str) -> str | None:
    """Why `text` cannot be an answer of `field` at all (a control character, too long), or None."""
    control = checks.control_character(text)
    if control:
        return Msg("refused.control", value=shown(text), control=control)
    if len(text) > field.max_len:
        return Msg("refused.long", value=shown(text), max=field.max_len)
    return None


_WHOLE = re.compile(r" *([0-9]{1,6}) *")  # ASCII digits only: '²' and fullwidth digits are not numbers here


def _coerce_int(field: Field, value: Any) -> tuple[Any, str | None]:
    digits = _WHOLE.fullmatch(value) if isinstance(value, str) else None
    if digits:
        value = int(digits.group(1))
    elif isinstance(value, bool) or not isinstance(value, int):
        return None, Msg("refused.whole", value=shown(value), low=field.low, high=field.high)
    if not field.low <= value <= field.high:
        return None, Msg("refused.range", value=shown(value), low=field.low, high=field.high)
    return value, None


def _coerce_list(field: Field, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, Msg("refused.list", value=shown(value))
    if len(value) > field.max_items:
        return None, Msg("refused.many", count=len(value), max=field.max_items)
    for item in value:
        bad = field.check(item) if field.check else None
        if bad:
            return None, Msg("refused.value", value=shown(item), accepted=bad)
    return list(dict.fromkeys(value)), None


def _coerce_choice(field: Field, value: str, answers: Mapping[str, Any]) -> tuple[Any, str | None]:
    allowed = [c.value for c in field.choices_for(answers)]
    if value in allowed:
        return value, None
    if field.free and field.check:
        bad = field.check(value)
        return (value, None) if bad is None else (None, Msg("refused.value", value=shown(value), accepted=bad))
    choices = field.choices_for(answers)
    listed = T(*(", ".join(tr("choice.empty", lang, label=c.label(lang)) if c.value == "" else c.value for c in choices)
                 for lang in LANGS))
    return None, Msg("refused.choice", value=shown(value), accepted=listed)

