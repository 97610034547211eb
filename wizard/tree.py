"""The guide's decision tree as data: steps, each a page of fields, with a `when` over the answers so far.

The Textual app, the plain prompt flow and the tests all walk the same STEPS with `next_step` / `prev_step`.
A step applies when its own `when` holds and at least one of its fields applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from wizard.answers import BY_KEY, Field

from wizard.choices import is_type, runs_commands
from wizard.text import T


@dataclass(frozen=True)
class Step:
    id: str
    title: T
    help: T
    keys: tuple[str, ...]
    when: Callable[[Mapping[str, Any]], bool] = lambda a: True

    def fields(self, answers: Mapping[str, Any]) -> list[Field]:
        """The fields of this step that apply to the answers so far."""
        return [BY_KEY[k] for k in self.keys if BY_KEY[k].when(answers)]

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.when(answers) and bool(self.fields(answers))


STEPS: tuple[Step, ...] = (
    Step("app", T("Kind of app", "应用类型"),
         T("GUI apps without a web UI go on a noVNC/KASM desktop; Jupyter, code-server and your own Python service "
           "(FastAPI, Streamlit, Gradio, Flask: a folder with requirements.txt or app.py) serve their own web page; "
           "a shell image is a Linux environment reached by SSH; a lone binary can sit on scratch.",
           "不支持浏览器访问的图形应用放在 noVNC/KASM 桌面里；Jupyter、code-server 和你自己的 Python 服务"
           "（FastAPI、Streamlit、Gradio、Flask：带 requirements.txt 或 app.py 的目录）自带网页；命令行镜像通过 SSH 使用；"
           "单个二进制文件可以放在 scratch 上。"),
         ("app.type", "app.name")),
    Step("desktop", T("Desktop", "桌面模板"),
         T("noVNC (jlesage) copies and pastes over plain HTTP but has no sound; KASM sends sound but its clipboard needs "
           "HTTPS. The desktop's start command is the base image's: the wizard never replaces it. Built-in needs no "
           "third-party base image: Xvnc, matchbox and noVNC from the OS mirror, started by imgwizard's own script.",
           "noVNC（jlesage）在 HTTP 下可以复制粘贴但没有声音；KASM 支持声音但复制粘贴需要 HTTPS。"
           "桌面的启动命令由基础镜像负责，向导不会修改它。内置桌面不需要第三方基础镜像：Xvnc、matchbox 和 noVNC "
           "来自系统软件源，由 imgwizard 自己的脚本启动。"),
         ("desktop.engine", "desktop.auth"), when=is_type("desktop")),
    Step("app_details", T("The app", "应用设置"),
         T("What to install and how it starts. The platform publishes container port 31000. A Python service: its "
           "dependency file is installed first, in a layer of its own; its code is copied after it, so a code change "
           "rebuilds in seconds.",
           "安装什么、如何启动。平台对外转发容器的 31000 端口。Python 服务：先在单独的一层安装依赖文件，之后再复制代码，"
           "修改代码后几秒即可重新构建。"),
         ("app.archive", "app.files", "app.requirements", "app.command", "app.python_from", "app.python", "app.jupyter_extras", "app.auth",
          "app.port")),
    Step("os", T("Base system", "基础系统"),
         T("Ubuntu is easiest for many dependencies and NVIDIA drivers; Debian gives a smaller image; Alpine is smallest "
           "but hard to fit many dependencies to; scratch only holds a self-contained binary.",
           "Ubuntu 最容易安装依赖和 NVIDIA 驱动；Debian 镜像更小；Alpine 最小但依赖多时难以适配；scratch 只能放独立的二进制文件。"),
         ("os.family", "os.version", "os.base_image", "os.base_release")),
    Step("mirrors", T("Mirrors", "软件源"),
         T("Inside China the default package sources are very slow. The wizard rewrites the host of the sources the image "
           "already has, in place (no duplicate sources), and points pip and conda at the same mirror. The base image "
           "itself can come through a registry mirror of Docker Hub.",
           "在中国境内默认软件源非常慢。向导原地替换镜像已有软件源的地址（不会产生重复源），pip 和 conda 也指向同一镜像。"
           "基础镜像本身也可以通过 Docker Hub 的镜像仓库拉取。"),
         ("mirror.apt", "mirror.pip", "mirror.conda", "mirror.registry"), when=runs_commands),
    Step("locale", T("Language and time", "语言和时区"),
         T("Chinese locale in the image (a desktop also gets a CJK font), so nothing downloads at start.",
           "在镜像中安装中文语言（桌面镜像另装中文字体），启动时不需要再下载。"),
         ("locale.chinese", "locale.timezone"), when=runs_commands),
    Step("packages", T("Packages", "软件包"),
         T("Installed in one layer with --no-install-recommends and the lists cleaned, so the image stays small.",
           "在同一层中用 --no-install-recommends 安装并清理列表，镜像更小。"),
         ("packages.common", "packages.apt", "packages.pip", "packages.java"), when=runs_commands),
    Step("gpu", T("GPU and PyTorch", "显卡与 PyTorch"),
         T("The host must have its driver (nvidia-smi / npu-smi info). PyTorch comes from the wheel index of the CUDA "
           "build the driver runs.",
           "宿主机必须先装好驱动（nvidia-smi / npu-smi info）。PyTorch 从驱动能运行的 CUDA 版本的官方 wheel 索引安装。"),
         ("gpu.vendor", "gpu.devices", "gpu.ascend_driver", "gpu.driver", "gpu.host_driver", "gpu.pytorch", "gpu.cuda", "mirror.pytorch"), when=runs_commands),
    Step("ssh", T("SSH", "SSH"),
         T("sshd starts with the container (never at build time), host keys are made at first start, and no password "
           "is stored in the image.",
           "sshd 随容器启动（不在构建时启动），主机密钥在首次启动时生成，镜像中不保存任何密码。"),
         ("ssh.enabled", "ssh.auth", "ssh.authorized_key", "ssh.port"), when=runs_commands),
    Step("forward", T("Port forwarding", "端口转发"),
         T("When an app's port cannot be changed, socat listens on the published port and forwards to it, started by "
           "an entry wrapper that still runs the base image's own entrypoint.",
           "应用端口无法修改时，用 socat 在对外端口监听并转发，由入口包装脚本启动，之后仍执行基础镜像自己的入口。"),
         ("forward.enabled", "forward.listen", "forward.target"), when=runs_commands),
    Step("user", T("User and folders", "用户与目录"),
         T("Run as root with a fixed WORKDIR and HOME so settings land where they persist.",
           "以 root 运行并固定 WORKDIR 和 HOME，让设置写入可持久化的位置。"),
         ("user.root", "user.workdir", "network.extra_ca"), when=runs_commands),
    Step("image", T("Image name", "镜像名称"),
         T("The name and tag the build gives the image, and the CPU architecture it is for.",
           "构建出的镜像名称、标签和 CPU 架构。"),
         ("image.name", "image.tag", "image.arch")),
)

BY_ID: dict[str, Step] = {s.id: s for s in STEPS}


def applicable(answers: Mapping[str, Any]) -> list[Step]:
    return [s for s in STEPS if s.applies(answers)]


def next_step(current: str | None, answers: Mapping[str, Any]) -> str | None:
    """The id of the first applicable step after `current` (the first step for None); None at the end."""
    ids = [s.id for s in STEPS]
    start = 0 if current is None else ids.index(current) + 1
    for step in STEPS[start:]:
        if step.applies(answers):
            return step.id
    return None


def prev_step(current: str, answers: Mapping[str, Any]) -> str | None:
    """The id of the last applicable step before `current`; None at the start."""
    ids = [s.id for s in STEPS]
    for step in reversed(STEPS[: ids.index(current)]):
        if step.applies(answers):
            return step.id
    return None


def step_of(key: str) -> str:
    """The step a key is asked in."""
    for step in STEPS:
        if key in step.keys:
            return step.id
    raise KeyError(key)
