"""Bilingual texts: one table per language (EN, ZH) keyed by message id, plus `T` for the tree's own texts.

- `tr(id, lang, **params)` formats a message of the table in a language.
- `Msg(id, **params)` is a message built in wizard/ (a validation message, what an answer accepts): it IS the
  English text (a str), so the CLI, the answers-file messages and every test read it as before, and it keeps
  its id and parameters so a UI shows it in the user's language with `in_lang(text, lang)`. A parameter that
  is itself a Msg is translated too; any other value (a quoted answer, a file name) is shown as it is.
- `T(en, zh)` holds the texts that belong to one field, choice or step (answers.py, tree.py).

tests/test_text.py fails when an id lacks a language, when the two languages disagree on an id's parameters,
or when a screen's key (its Footer description) has no entry `key.<description>`.
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple

LANGS = ("en", "zh")


class T(NamedTuple):
    en: str
    zh: str

    def __call__(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


EN: dict[str, str] = {
    # ---- what a value of an answer is refused for (wizard/answers.py coerce)
    "refused.bool": "{value} is not accepted; accepted: true or false",
    "refused.text": "{value} is not accepted; accepted: text in quotes",
    "refused.list": "{value} is not accepted; accepted: a list of strings like [\"a\", \"b\"]",
    "refused.value": "{value} is not accepted; accepted: {accepted}",
    "refused.choice": "{value} is not available here; accepted: {accepted}",
    "refused.whole": "{value} is not a whole number; accepted: {low}-{high}",
    "refused.range": "{value} is outside {low}-{high}; accepted: {low}-{high}",
    "refused.control": "{value} has a {control}; accepted: one line of printable text",
    "refused.long": "{value} is too long; accepted: at most {max} characters",
    "refused.many": "{count} items are too many; accepted: at most {max} items",
    "refused.binary": "{value} is not accepted for a binary; accepted: {accepted}",
    "control": "control character U+{code} at position {position}",
    "choice.empty": "'' ({label})",
    "field.problem": "{label} ({key}): {problem}",
    "preview.waits": "The preview shows the last answers that could be rendered; it waits for: {problem}",
    # ---- what an answer accepts (wizard/checks.py and the fields' own checks)
    "accepted.image_name": "lower-case letters, digits and . _ - separators, path parts split by / (e.g. my-app or team/pycharm)",
    "accepted.image_tag": "1-128 characters of letters, digits, _ . - not starting with . or - (e.g. latest, 1.0)",
    "accepted.apt": "a package name: lower-case letters, digits and + . - (e.g. htop, libgl1)",
    "accepted.pip": "a pip requirement: name[extras] with optional version (e.g. ray==2.9.0, ray[client]>=2.9)",
    "accepted.timezone": "an IANA time zone like Asia/Shanghai or UTC (see zoneinfo.available_timezones())",
    "accepted.driver": "an NVIDIA driver version like 550.135 or 535.171.04 (empty: no driver in the image)",
    "accepted.devices": "all, or device numbers separated by commas (e.g. 0 or 0,1)",
    "accepted.python": "a Python version from 3.8 to 3.14 (e.g. 3.11)",
    "accepted.torch_version": "a torch version like 2.4.0 (empty: no PyTorch)",
    "accepted.absolute_path": "an absolute path of letters, digits and . _ - / (e.g. /root or /home/ubuntu)",
    "accepted.file_name": "a file name in the build folder: letters, digits and . _ + - (no folders)",
    "accepted.binary_path": "a path inside the build folder: names of letters, digits and . _ + - joined by / "
                            "(e.g. app, bin/server, target/release/app); not absolute, no . or .. parts",
    "accepted.command": "a command and its arguments separated by single spaces, each of letters, digits and "
                        "@ % + = : , . / _ - (e.g. xterm or firefox-esr --kiosk)",
    "accepted.mirror": "one of {named}, or an http(s) URL such as http://mirrors.example.com",
    "accepted.image_ref": "an image reference like registry.example.com/debian:bookworm-slim (empty: the wizard's choice)",
    "accepted.archive": "the JetBrains Linux archive's name as downloaded, e.g. pycharm-community-2024.2.1.tar.gz, "
                        "pycharm-2025.1.tar.gz, goland-2024.3.tar.gz, idea-2025.3-aarch64.tar.gz (known: pycharm, idea, "
                        "ideaIC, ideaIU, WebStorm, goland, CLion, PhpStorm, datagrip, dataspell, RustRover, RubyMine, "
                        "JetBrains.Rider)",
    "accepted.torch": "a torch release from wizard/data/pytorch.toml ({known}) or a minor like 2.4; empty for none",
    # ---- files an answer names (wizard/checks.py: the SSH key, the CA bundle)
    "sshkey.accepted": "an OpenSSH public key line (ssh-ed25519 AAAA... comment) or the path of a .pub file",
    "sshkey.blob": "the base64 after {type} is not a key of that type; accepted: {accepted}",
    "sshkey.blob_holds": "the base64 after {type} is not a key of that type (it holds {inside}); accepted: {accepted}",
    "sshkey.file_line": "{value} does not hold OpenSSH public keys, one per line (line {line} is not one); accepted: {accepted}",
    "sshkey.file_empty": "{value} does not hold OpenSSH public keys, one per line (it is empty); accepted: {accepted}",
    "file.accepted": "{problem}; accepted: {accepted}",
    "file.also": "{problem} ({accepted})",
    "ca.accepted": "a PEM file of CA certificates (-----BEGIN CERTIFICATE-----), no private key",
    "ca.refused": "{value} {bad}; accepted: {accepted}",
    "ca.private": "holds a private key, which would be readable by anyone with the image (copy the certificates alone into a new file)",
    "ca.bad_cert": "has a certificate at line {line} that is not valid X.509",
    "ca.none": "holds no PEM certificate",
    # ---- rules that join several answers (wizard/validate.py)
    "cross.alpine_gpu": "{vendor} drivers need glibc; accepted on alpine: none (pick ubuntu or debian for a GPU)",
    "cross.alpine_torch": "PyTorch publishes no musl (Alpine) wheels; accepted on alpine: empty (pick ubuntu or debian)",
    "cross.alpine_web": "{app} is installed from glibc builds; accepted on alpine: none of the web apps (pick ubuntu "
                        "or debian)",
    "cross.kasmweb_ubuntu": "kasmweb core images are Ubuntu-based; accepted: ubuntu",
    "cross.ssh_refused": "{why}; accepted on {engine}: false (or the plain, builtin or kasm engine for SSH)",
    "cross.ssh_password_refused": "{why}; accepted on {engine}: key",
    "cross.auth_always": "{why}; accepted on {engine}: true (the password comes from DESKTOP_PASSWORD)",
    "cross.driver_differs": "{driver} differs from the host's {host}; the user-space driver must EQUAL the host's: accepted: "
                            "the host's version, or empty to mount the host's driver",
    "cross.port_used": "port {port} is already used by {by}; accepted: a free port 1-65535",
    "cross.forward_same": "is the same as forward.listen; accepted: the port the app listens on, different from forward.listen",
    "cross.scratch_shell": "scratch has no shell; accepted for this app type: ubuntu, debian, alpine",
    "cross.archive_arch": "{archive} is the {built} build but image.arch is {arch}; accepted: the archive of the image's "
                          "architecture (arm64 ones end -aarch64.tar.gz)",
    "cross.jetbrains_alpine": "JetBrains IDEs run on their bundled Java runtime, built for glibc: it does not start on "
                              "Alpine (musl); accepted on alpine: command (or pick ubuntu or debian for a JetBrains IDE)",
    "cross.ascend_all": "Ascend NPUs are passed one by one (--device /dev/davinciN and ASCEND_VISIBLE_DEVICES); accepted "
                        "for ascend: the device numbers `npu-smi info` shows on the host, e.g. 0 or 0,1",
    "cross.base_family": "{ref} is an image of {other} but os.family is {family}; accepted: an image of {family} (e.g. "
                         "{family}:{version}), or set os.family to match",
    "cross.command_missing": "{name} is not installed in the image (the desktop bases ship no GUI program); accepted: "
                             "a command installed by packages.apt (the package of the same name, if there is one, is "
                             "the default of packages.apt)",
    "cross.no_key_shell": "SSH is on by default for a shell image and key login needs your OpenSSH public key; accepted: "
                          "[ssh] authorized_key = \"ssh-ed25519 AAAA...\" or the path of a .pub file (e.g. \"~/.ssh/id_ed25519.pub\"), "
                          "or auth = \"password\" (SSH_PASSWORD at start), or enabled = false for no SSH",
    "cross.no_key": "ssh.enabled is on and key login needs your OpenSSH public key; accepted: [ssh] authorized_key = "
                    "\"ssh-ed25519 AAAA...\" or the path of a .pub file (e.g. \"~/.ssh/id_ed25519.pub\"), or auth = \"password\" "
                    "(SSH_PASSWORD at start), or enabled = false for no SSH",
    # ---- PyTorch builds (wizard/knowledge.py torch_build)
    "torch.python": "torch {torch} has wheels for Python {lo}-{hi}, the image's Python is {python}; accepted: {fits}",
    "torch.ascend": "PyTorch on Ascend needs torch_npu matched to the host's CANN, which imgwizard does not install; "
                    "accepted with gpu.vendor = ascend: gpu.pytorch empty (install torch_npu per hiascend's docs in the "
                    "container) or gpu.cuda = cpu for a CPU-only torch",
    "torch.no_variant": "torch {torch} has no {variant} build; accepted: {variants} or empty",
    "torch.no_aarch64": "torch {torch} {variant} has no aarch64 wheels (pip would fall back to PyPI's CPU torch); accepted "
                        "on arm64: {variants}",
    "torch.needs_nvidia": "{variant} needs an NVIDIA GPU; accepted without gpu.vendor = nvidia: cpu or empty",
    "torch.driver_floor": "{variant} needs driver >= {floor} (CUDA minor-version compatibility) but the driver is {driver}; "
                          "accepted: a lower CUDA variant, cpu or empty",
    "torch.compat_only": "gpu.cuda {variant} wants driver >= {minimum}; driver {driver} runs it only by CUDA minor-version "
                         "compatibility (kernels needing a newer driver, e.g. PTX JIT, fail): prefer a newer driver",
    "torch.no_aarch64_cuda": "torch {torch} has no aarch64 CUDA wheels; accepted on arm64: a release with aarch64 CUDA "
                             "wheels ({releases}) or gpu.cuda = cpu",
    "torch.needs_driver": "the CUDA build of torch {torch} depends on the host's driver; accepted: the version nvidia-smi "
                          "shows on the GPU host, or gpu.cuda = one of {variants}, cpu",
    "torch.but_compat": "gpu.cuda = {variants} (runs only by CUDA minor-version compatibility) or cpu",
    "torch.no_cuda_for_driver": "torch {torch} has no CUDA build for driver {driver} ({variant} needs >= {minimum}); "
                                "accepted: an older release, a newer host driver, or {but}",
    # ---- the plain flow (screens/plain.py)
    "plain.interrupted": "\nInterrupted: nothing was written.",
    "plain.no_terminal": "imgwizard --plain: no terminal to ask on: use `imgwizard render ANSWERS -o DIR` or run in a "
                         "terminal",
    "plain.nothing_written": "Nothing was written.",
    "plain.overwrite": "  will overwrite {name} (the old one is kept as {backup})",
    "plain.write": "Write {count} files to {folder}?",
    "plain.cannot_write": "Cannot write into {folder}: {why}",
    "plain.wrote": "Wrote {files} in {folder}",
    "plain.nothing_new": "nothing new",
    "plain.todo": "To do: put {name} in {folder} ({what})",
    "plain.build_it": "Build it: docker build -t {image} {folder}",
    "plain.save_in": "Save the build context in:",
    "plain.cannot_save": "  ✗ Cannot save there: {why}; pick another folder",
    "plain.other": "Other (type it)",
    "plain.empty": "(empty)",
    "plain.yes": "Yes",
    "plain.no": "No",
    "plain.back": "← Back",
    "plain.back_hint": "(< and Enter: back) ",
    "plain.select_hint": "(Use arrow keys)",
    "plain.first": "  This is the first question: there is nothing to go back to.",
    "plain.only": "  {label}: {value} (the only choice here)",
    "found.title": "Found in this folder (pre-filled, change them as you like):",
    "found.line": "  ⌂ {key} = {value}: {why}",
    # ---- key descriptions in the Textual Footer: key.<the Binding's description>
    "key.Next": "Next",
    "key.Back": "Back",
    "key.Steps": "Steps",
    "key.Files": "Files",
    "key.Save": "Save",
    "key.First step": "First step",
    "key.Last step": "Last step",
    "key.Go there": "Go there",
    "key.Go to the problem": "Go to the problem",
    "key.Stay": "Stay",
    "key.Wrap/scroll": "Wrap/scroll",
    "key.Build": "Build",
    "key.中文/English": "中文/English",
    "key.Help": "Help",
    "key.Quit": "Quit",
    "key.Cancel build": "Cancel build",
    "key.Close": "Close",
    "key.Cancel": "Cancel",
    "key.Yes": "Yes",
    "key.No": "No",
    "key.Down": "Down",
    "key.Up": "Up",
}

ZH: dict[str, str] = {
    "refused.bool": "不接受 {value}；可接受：true 或 false",
    "refused.text": "不接受 {value}；可接受：加引号的文本",
    "refused.list": "不接受 {value}；可接受：字符串列表，如 [\"a\", \"b\"]",
    "refused.value": "不接受 {value}；可接受：{accepted}",
    "refused.choice": "此处没有 {value} 这一项；可选：{accepted}",
    "refused.whole": "{value} 不是整数；可接受：{low}-{high}",
    "refused.range": "{value} 超出 {low}-{high}；可接受：{low}-{high}",
    "refused.control": "{value} 含有{control}；可接受：一行可打印的文本",
    "refused.long": "{value} 太长；可接受：最多 {max} 个字符",
    "refused.many": "{count} 项太多；可接受：最多 {max} 项",
    "refused.binary": "二进制程序不接受 {value}；可接受：{accepted}",
    "control": "第 {position} 个字符处的控制字符 U+{code}",
    "choice.empty": "''（{label}）",
    "field.problem": "{label}（{key}）：{problem}",
    "preview.waits": "预览显示最后一次能生成的答案；等待修正：{problem}",
    "accepted.image_name": "小写字母、数字，用 . _ - 连接，各段之间用 / 分隔（如 my-app 或 team/pycharm）",
    "accepted.image_tag": "1-128 个字母、数字或 _ . -，不能以 . 或 - 开头（如 latest、1.0）",
    "accepted.apt": "软件包名：小写字母、数字和 + . -（如 htop、libgl1）",
    "accepted.pip": "pip 依赖：包名[附加项]，可带版本（如 ray==2.9.0、ray[client]>=2.9）",
    "accepted.timezone": "IANA 时区名，如 Asia/Shanghai 或 UTC（见 zoneinfo.available_timezones()）",
    "accepted.driver": "NVIDIA 驱动版本，如 550.135 或 535.171.04（留空：镜像内不装驱动）",
    "accepted.devices": "all，或用逗号分隔的设备编号（如 0 或 0,1）",
    "accepted.python": "3.8 到 3.14 之间的 Python 版本（如 3.11）",
    "accepted.torch_version": "torch 版本，如 2.4.0（留空：不安装 PyTorch）",
    "accepted.absolute_path": "由字母、数字和 . _ - / 组成的绝对路径（如 /root 或 /home/ubuntu）",
    "accepted.file_name": "构建目录中的文件名：字母、数字和 . _ + -（不含子目录）",
    "accepted.binary_path": "构建目录内的路径：由字母、数字和 . _ + - 组成的名称，用 / 连接"
                            "（如 app、bin/server、target/release/app）；不能是绝对路径，不能含 . 或 ..",
    "accepted.command": "命令及其参数，用单个空格分隔，每一项由字母、数字和 @ % + = : , . / _ - 组成"
                        "（如 xterm 或 firefox-esr --kiosk）",
    "accepted.mirror": "{named} 之一，或 http(s) 地址，如 http://mirrors.example.com",
    "accepted.image_ref": "镜像引用，如 registry.example.com/debian:bookworm-slim（留空：由向导选择）",
    "accepted.archive": "下载得到的 JetBrains Linux 安装包文件名，如 pycharm-community-2024.2.1.tar.gz、"
                        "pycharm-2025.1.tar.gz、goland-2024.3.tar.gz、idea-2025.3-aarch64.tar.gz（支持：pycharm、idea、"
                        "ideaIC、ideaIU、WebStorm、goland、CLion、PhpStorm、datagrip、dataspell、RustRover、RubyMine、"
                        "JetBrains.Rider）",
    "accepted.torch": "wizard/data/pytorch.toml 中的 torch 版本（{known}），或 2.4 这样的小版本；留空表示不安装",
    "sshkey.accepted": "一行 OpenSSH 公钥（ssh-ed25519 AAAA... 注释），或 .pub 文件的路径",
    "sshkey.blob": "{type} 后面的 base64 不是该类型的密钥；可接受：{accepted}",
    "sshkey.blob_holds": "{type} 后面的 base64 不是该类型的密钥（其中是 {inside}）；可接受：{accepted}",
    "sshkey.file_line": "{value} 中不是每行一个 OpenSSH 公钥（第 {line} 行不是）；可接受：{accepted}",
    "sshkey.file_empty": "{value} 中没有 OpenSSH 公钥（文件是空的）；可接受：{accepted}",
    "file.accepted": "{problem}；可接受：{accepted}",
    "file.also": "{problem}（{accepted}）",
    "ca.accepted": "CA 证书的 PEM 文件（-----BEGIN CERTIFICATE-----），不能含私钥",
    "ca.refused": "{value} {bad}；可接受：{accepted}",
    "ca.private": "含有私钥，任何拿到镜像的人都能读到它（请只把证书复制到一个新文件中）",
    "ca.bad_cert": "第 {line} 行的证书不是有效的 X.509 证书",
    "ca.none": "不含任何 PEM 证书",
    "cross.alpine_gpu": "{vendor} 驱动需要 glibc；alpine 上只能选：none（要用显卡请选 ubuntu 或 debian）",
    "cross.alpine_torch": "PyTorch 没有发布 musl（Alpine）版本的 wheel；alpine 上只能留空（请选 ubuntu 或 debian）",
    "cross.alpine_web": "{app} 只有 glibc 版本；alpine 上不能使用这些 Web 应用（请选 ubuntu 或 debian）",
    "cross.kasmweb_ubuntu": "kasmweb 核心镜像基于 Ubuntu；可接受：ubuntu",
    "cross.ssh_refused": "{why}；在 {engine} 上可接受：false（要用 SSH 请改用 plain、builtin 或 kasm 引擎）",
    "cross.ssh_password_refused": "{why}；在 {engine} 上可接受：key",
    "cross.auth_always": "{why}；在 {engine} 上可接受：true（密码来自 DESKTOP_PASSWORD）",
    "cross.driver_differs": "{driver} 与宿主机的 {host} 不同；镜像内的用户态驱动必须与宿主机完全一致：可接受：宿主机的版本，或留空以挂载宿主机驱动",
    "cross.port_used": "端口 {port} 已被 {by} 使用；可接受：1-65535 中未被占用的端口",
    "cross.forward_same": "与 forward.listen 相同；可接受：应用实际监听的端口，且不同于 forward.listen",
    "cross.scratch_shell": "scratch 没有 shell；此应用类型可接受：ubuntu、debian、alpine",
    "cross.archive_arch": "{archive} 是 {built} 版本，而 image.arch 是 {arch}；可接受：与镜像架构一致的安装包（arm64 的以 -aarch64.tar.gz 结尾）",
    "cross.jetbrains_alpine": "JetBrains IDE 使用自带的 Java 运行时，它为 glibc 构建，在 Alpine（musl）上无法启动；alpine 上可接受：command（或为 JetBrains "
                              "IDE 选择 ubuntu 或 debian）",
    "cross.ascend_all": "昇腾 NPU 需要逐个挂载（--device /dev/davinciN 和 ASCEND_VISIBLE_DEVICES）；昇腾可接受：宿主机 `npu-smi info` 显示的设备编号，"
                        "如 0 或 0,1",
    "cross.base_family": "{ref} 是 {other} 的镜像，而 os.family 是 {family}；可接受：{family} 的镜像（如 {family}:{version}），或把 os.family "
                         "改成与之一致",
    "cross.command_missing": "镜像中没有安装 {name}（桌面基础镜像不带任何图形程序）；可接受：由 packages.apt 安装的命令（若有同名软件包，它就是 packages.apt 的默认值）",
    "cross.no_key_shell": "命令行镜像默认开启 SSH，公钥登录需要你的 OpenSSH 公钥；可接受：[ssh] authorized_key = \"ssh-ed25519 AAAA...\" 或 .pub "
                          "文件的路径（如 \"~/.ssh/id_ed25519.pub\"），或 auth = \"password\"（启动时从 SSH_PASSWORD 读取），或 enabled = "
                          "false 不使用 SSH",
    "cross.no_key": "ssh.enabled 已开启，公钥登录需要你的 OpenSSH 公钥；可接受：[ssh] authorized_key = \"ssh-ed25519 AAAA...\" 或 .pub 文件的路径（如 "
                    "\"~/.ssh/id_ed25519.pub\"），或 auth = \"password\"（启动时从 SSH_PASSWORD 读取），或 enabled = false 不使用 SSH",
    "torch.python": "torch {torch} 只有 Python {lo}-{hi} 的 wheel，而镜像的 Python 是 {python}；可接受：{fits}",
    "torch.ascend": "昇腾上的 PyTorch 需要与宿主机 CANN 匹配的 torch_npu，imgwizard 不安装它；gpu.vendor = ascend 时可接受：gpu.pytorch 留空（在容器内按 "
                    "hiascend 文档安装 torch_npu），或 gpu.cuda = cpu 使用仅 CPU 的 torch",
    "torch.no_variant": "torch {torch} 没有 {variant} 版本；可接受：{variants} 或留空",
    "torch.no_aarch64": "torch {torch} {variant} 没有 aarch64 的 wheel（pip 会退回 PyPI 上的 CPU 版 torch）；arm64 上可接受：{variants}",
    "torch.needs_nvidia": "{variant} 需要 NVIDIA 显卡；gpu.vendor 不是 nvidia 时可接受：cpu 或留空",
    "torch.driver_floor": "{variant} 需要驱动 >= {floor}（CUDA 小版本兼容），而驱动是 {driver}；可接受：更低的 CUDA 版本、cpu 或留空",
    "torch.compat_only": "gpu.cuda {variant} 要求驱动 >= {minimum}；驱动 {driver} 只能靠 CUDA 小版本兼容运行它（需要更新驱动的内核会失败，如 PTX JIT）：建议升级驱动",
    "torch.no_aarch64_cuda": "torch {torch} 没有 aarch64 的 CUDA wheel；arm64 上可接受：有 aarch64 CUDA wheel 的版本（{releases}），或 "
                             "gpu.cuda = cpu",
    "torch.needs_driver": "torch {torch} 的 CUDA 版本取决于宿主机驱动；可接受：GPU 宿主机上 nvidia-smi 显示的版本，或 gpu.cuda 取 {variants} 或 cpu",
    "torch.but_compat": "gpu.cuda = {variants}（仅靠 CUDA 小版本兼容运行）或 cpu",
    "torch.no_cuda_for_driver": "torch {torch} 没有适合驱动 {driver} 的 CUDA 版本（{variant} 需要 >= {minimum}）；可接受：更早的版本、更新的宿主机驱动，"
                                "或 {but}",
    "plain.interrupted": "\n已中断：没有写入任何文件。",
    "plain.no_terminal": "imgwizard --plain：没有可提问的终端：请用 `imgwizard render ANSWERS -o DIR`，或在终端中运行",
    "plain.nothing_written": "没有写入任何文件。",
    "plain.overwrite": "  将覆盖 {name}（旧文件保留为 {backup}）",
    "plain.write": "写入 {count} 个文件到 {folder}？",
    "plain.cannot_write": "无法写入 {folder}：{why}",
    "plain.wrote": "已写入 {folder}：{files}",
    "plain.nothing_new": "无变化",
    "plain.todo": "待办：把 {name} 放入 {folder}（{what}）",
    "plain.build_it": "构建：docker build -t {image} {folder}",
    "plain.save_in": "构建目录保存到：",
    "plain.cannot_save": "  ✗ 无法保存到这里：{why}；请换一个目录",
    "plain.other": "其他（手动输入）",
    "plain.empty": "（空）",
    "plain.yes": "是",
    "plain.no": "否",
    "plain.back": "← 返回上一题",
    "plain.back_hint": "（输入 < 并回车：返回上一题）",
    "plain.select_hint": "（用方向键选择，回车确认）",
    "plain.first": "  这已经是第一题，无法再返回。",
    "plain.only": "  {label}：{value}（此处只有这一个选项）",
    "found.title": "在当前目录发现以下内容（已预先填入，可随时修改）：",
    "found.line": "  ⌂ {key} = {value}：{why}",
    "key.Next": "下一步",
    "key.Back": "上一步",
    "key.Steps": "步骤",
    "key.Files": "文件",
    "key.Save": "保存",
    "key.First step": "第一步",
    "key.Last step": "最后一步",
    "key.Go there": "前往",
    "key.Go to the problem": "转到问题处",
    "key.Stay": "留在这里",
    "key.Wrap/scroll": "换行/滚动",
    "key.Build": "构建",
    "key.中文/English": "中文/English",
    "key.Help": "帮助",
    "key.Quit": "退出",
    "key.Cancel build": "取消构建",
    "key.Close": "关闭",
    "key.Cancel": "取消",
    "key.Yes": "是",
    "key.No": "否",
    "key.Down": "向下",
    "key.Up": "向上",
}

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def tr(msg_id: str, lang: str = "en", /, **params: Any) -> str:
    """The message `msg_id` of the table of `lang` (English for an unknown language), with its parameters."""
    table = TABLES.get(lang, EN)
    return table[msg_id].format(**{name: in_lang(value, lang) for name, value in params.items()})


def in_lang(value: Any, lang: str) -> Any:
    """A Msg or a T in `lang`; anything else unchanged."""
    if isinstance(value, Msg):
        return value.in_lang(lang)
    return value(lang) if isinstance(value, T) else value


def params_of(template: str) -> set[str]:
    """The {names} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Msg(str):
    """A message of the tables that reads as its English text (see the module docstring)."""

    msg_id: str
    params: dict[str, Any]

    def __new__(cls, msg_id: str, /, **params: Any) -> "Msg":
        self = super().__new__(cls, tr(msg_id, "en", **params))
        self.msg_id, self.params = msg_id, params
        return self

    def in_lang(self, lang: str) -> str:
        return tr(self.msg_id, lang, **self.params)

    def __reduce__(self) -> tuple:  # copy and pickle rebuild it from its id, not from its English text
        return _rebuild, (self.msg_id, self.params)


def _rebuild(msg_id: str, params: dict[str, Any]) -> Msg:
    return Msg(msg_id, **params)


def pick_lang(env: dict[str, str], override: str | None = None) -> str:
    """'zh' or 'en': the override if given, else from LANGUAGE / LC_ALL / LANG."""
    if override in LANGS:
        return override
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
