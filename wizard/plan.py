"""From resolved answers to a Plan: every derived value the snippets need, computed once in Python.

Templates stay declarative: they read `a` (the answers) and `p` (this plan) and never look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge, plan_apps, plan_start, registry_mirror
from wizard.choices import torch_build_for
from wizard.plan_start import ASCEND_MOUNTS, Secret
from wizard.text import Msg

VENV = "/opt/venv"
CONDA = "/opt/conda"


@dataclass
class Plan:
    engine: str  # plain | novnc | kasm | kasmweb | builtin
    family: str
    base_image: str  # the base: os.base_image, else the row's pinned release (with its digest where recorded)
    pull_image: str  # what every FROM names: base_image, through mirror.registry when it is a Docker Hub image
    base: knowledge.Base
    pm: str | None  # apt | apk | None (scratch)
    uname: str  # x86_64 | aarch64
    apt_root: str | None
    pip_index: str | None
    pip_trusted_host: str | None  # host[:port] of an http:// pip index: pip ignores it unless trusted
    conda_root: str | None
    system_packages: list[str]
    java_home: str | None
    venv: bool
    uv: str | None  # the uv release that installs the app into the venv (apps/jupyter.j2)
    torch: knowledge.TorchRelease | None
    cuda: str | None
    torch_index: str | None
    nvidia_run: str | None
    nvidia_flags: list[str]  # the installer's flags, by driver version
    nvidia_capabilities: str | None  # NVIDIA_DRIVER_CAPABILITIES the image sets (never narrower than the base's)
    ascend: bool
    ascend_copy: bool
    ascend_devices: list[str]  # the NPU numbers passed as /dev/davinciN
    ascend_mounts: list[str]  # host:container[:ro] of the host's driver, in mount mode
    shm_size: str | None  # the base's own need for /dev/shm (kasmweb: 512m)
    home: str
    login_user: str
    jetbrains: dict[str, str] | None
    binary: dict[str, str] | None  # src: its path in the build folder (bin/server), path: where the image has it
    app_files: list[dict[str, str]]  # app.files: src, its path in the build folder (tool), path: /opt/<image name>/tool
    code_server: dict[str, str] | None
    miniconda_url: str | None
    authorized_keys: str | None
    wrapper: bool
    entrypoint: list[str]
    cmd: list[str]
    expose: list[int]
    secrets: list[Secret]  # passed at run time, never in a layer
    env_fixed: dict[str, str]  # NAME=value set at run time (compose environment, -e NAME=value)
    run_flags: list[str]  # shell words, as run.sh writes them
    ssh_host_port: int | None  # the default host port of SSH (SSH_HOST_PORT overrides it at run time)
    publish: list[str]  # host:container of each published port (compose.yaml; ${VAR:-default} allowed)
    session_env_skip: list[str]  # variables the wrapper never writes into the SSH sessions' environment file
    needs_init: bool
    user_files: list[tuple[str, str]]  # (file in the build folder, what it is) the user provides
    desktop: dict[str, Any] | None  # the built-in desktop's settings (its supervisor, noVNC page); None otherwise
    python_app: dict[str, Any] | None  # the user's own Python service (_python_app); None otherwise
    warnings: list[str] = field(default_factory=list)


def build_plan(a: Mapping[str, Any], base_dir: Path = Path(".")) -> Plan:
    """Every derived value, one building block per concern (as hpccm's building blocks): each reads the answers
    and the facts every block shares, and returns its Plan fields; warnings and user files gather on the way."""
    c = _facts(a)
    port = a.get("app.port")
    login_user = {"kasmweb": "kasm-user", "kasm": "abc"}.get(c.engine, "root" if a.get("user.root", True) else "app")
    start = plan_start.start(c)
    base_image = _base_image(c)
    return Plan(
        engine=c.engine, family=c.family, base_image=base_image, pull_image=_pull_image(c, base_image),
        base=c.base, pm=c.pm,
        uname=c.arch["uname"],
        apt_root=knowledge.mirror_root(a.get("mirror.apt", "none")) if c.pm else None,
        **_packages(c), **_python(c), **_gpu(c), **plan_apps.apps(c),
        home=a.get("user.workdir", "/"), login_user=login_user,
        authorized_keys=_authorized_keys(a, base_dir),
        **start,
        secrets=plan_start.secrets(c, login_user, port),
        **plan_start.run_flags(c, start["expose"], start["needs_init"]),
        python_app=plan_apps.python_service(c, base_dir), user_files=c.user_files, desktop=plan_apps.desktop(c), warnings=c.warnings,
    )


@dataclass
class Facts:
    """What every building block reads: the answers and the few facts derived from them first."""
    a: Mapping[str, Any]
    app_type: str
    app_name: str | None
    family: str
    engine: str
    base: knowledge.Base
    pm: str | None
    arch: dict[str, str]
    torch: knowledge.TorchRelease | None
    jupyter_conda: bool
    venv: bool
    warnings: list[str] = field(default_factory=list)
    user_files: list[tuple[str, str]] = field(default_factory=list)


def _facts(a: Mapping[str, Any]) -> Facts:
    app_type, family, app_name = a["app.type"], a["os.family"], a.get("app.name")
    engine = knowledge.engine_of(app_type, a.get("desktop.engine"))
    base = knowledge.base(engine, family, a.get("os.version", ""))
    assert base is not None, "validated answers always name a known base"
    pm = {"debian": "apt", "ubuntu": "apt", "alpine": "apk"}.get(family)
    torch = knowledge.torch_release(a["gpu.pytorch"]) if a.get("gpu.pytorch") else None
    jupyter_conda = app_name == "jupyter" and a.get("app.python_from") == "conda"
    venv = pm is not None and not jupyter_conda and (bool(a.get("packages.pip")) or torch is not None
                                                     or app_name in ("jupyter", "python"))
    return Facts(a, app_type, app_name, family, engine, base, pm, knowledge.arch_names(a["image.arch"]), torch,
                  jupyter_conda, venv)


def _base_image(c: Facts) -> str:
    """What FROM names: the user's own os.base_image, else the row's pinned release with its digest where
    recorded (knowledge.Base.ref), or the release os.base_release names, with a warning: every fact the snippets
    rely on (account files, sources, helpers, uid 1000) was read at the pinned one."""
    a = c.a
    if a.get("os.base_image"):
        return a["os.base_image"]
    release = a.get("os.base_release", "")
    if release and release != c.base.release:
        c.warnings.append(Msg("plan.base_release", release=release, pinned=c.base.release,
                              repository=c.base.repository))
    return c.base.ref(release)


def _pull_image(c: Facts, base_image: str) -> str:
    """What FROM names: the base through mirror.registry when it is a Docker Hub image (wizard/registry_mirror.py);
    an image of another registry is pulled from there, with a warning saying so."""
    mirror = c.a.get("mirror.registry", "")
    if registry_mirror.left_alone(base_image, mirror):
        c.warnings.append(Msg("plan.registry_left_alone", mirror=mirror, ref=base_image,
                              registry=registry_mirror.registry_of(base_image)))
    return registry_mirror.through(base_image, mirror)


def _packages(c: Facts) -> dict[str, Any]:
    """The system packages (one layer) and JAVA_HOME."""
    a, family = c.a, c.family
    java = a.get("packages.java", "0")
    if not c.pm:
        return {"system_packages": [], "java_home": None}
    groups = [group for group, wanted in (
        ("common", a.get("packages.common")), ("locale", a.get("locale.chinese")),
        ("cjk_font", a.get("locale.chinese") and _draws_text(c)),
        ("tzdata", a.get("locale.timezone")), ("ssh", a.get("ssh.enabled")), ("forward", a.get("forward.enabled")),
        ("python", c.venv), ("ca", a.get("network.extra_ca") or c.app_name == "code-server" or c.jupyter_conda),
        ("nvidia", a.get("gpu.driver")), ("desktop_runtime", c.app_name == "jetbrains"),
        ("desktop_builtin", c.engine == "builtin")) if wanted]
    pkgs = [pkg for group in groups for pkg in knowledge.packages(family, group)]
    if c.jupyter_conda or c.app_name == "code-server":
        pkgs.extend(["curl"] if family != "alpine" else ["curl", "bash"])
    if java != "0":
        jdk = knowledge.java_package(family, java)
        # a desktop app draws windows: the headless JDK has no AWT/X11 library (libawt_xawt), the full one has
        pkgs.append(jdk.removesuffix("-headless") if c.app_type == "desktop" else jdk)
    # What the base image already has is not named: apt-get install would upgrade it, re-unpacking it (tzdata
    # on debian:bookworm-slim: ~2 s, docs/benchmarks.md). Not for a base_image of the user's own (unknown
    # contents), nor for a package the user lists in packages.apt (their way to ask for the upgrade).
    if not a.get("os.base_image"):
        pkgs = [pkg for pkg in pkgs if pkg not in c.base.preinstalled]
    pkgs.extend(a.get("packages.apt", []))
    return {"system_packages": sorted(dict.fromkeys(pkgs)),
            "java_home": knowledge.java_home(family, java, c.arch["deb"]) if java != "0" else None}


def _draws_text(c: Facts) -> bool:
    """Whether something in the image draws text itself and so needs a CJK font for Chinese: a desktop (its
    window manager, the app's windows, the IDE). A shell is read in the user's terminal and a web app in the
    user's browser, which draw with the fonts of the user's machine (docs/benchmarks.md)."""
    return c.app_type == "desktop"


def _python(c: Facts) -> dict[str, Any]:
    """The venv or Miniconda, uv for the app's install into the venv, the pip index (trusted when plain http),
    and the PyTorch build."""
    a = c.a
    cuda = torch_index = None
    if c.torch:
        build = torch_build_for(a, c.torch)
        assert build and build.variant, "validated answers always have a PyTorch build"
        cuda, torch_index = build.variant, knowledge.torch_index(build.variant, a.get("mirror.pytorch", ""))
        c.warnings.extend([build.warning] if build.warning else [])
    pip_index = knowledge.pip_index(a.get("mirror.pip", "none")) if c.pm else None
    trusted = []
    for key, url in (("mirror.pip", pip_index), ("mirror.pytorch", a.get("mirror.pytorch") if c.torch else None)):
        host = _plain_http_host(url)
        if host:
            trusted.append(host)
            c.warnings.append(Msg("plan.plain_http", key=key, url=url, host=host))
    return {"venv": c.venv, "uv": knowledge.uv_version() if c.venv and c.app_name == "jupyter" else None,
            "pip_index": pip_index, "pip_trusted_host": " ".join(dict.fromkeys(trusted)) or None,
            "conda_root": knowledge.conda_root(a.get("mirror.conda", "none")) if c.jupyter_conda else None,
            "miniconda_url": knowledge.miniconda_url(a["image.arch"]) if c.jupyter_conda else None,
            "torch": c.torch, "cuda": cuda, "torch_index": torch_index}


ASCEND_FILES = (("ascend/dcmi", Msg("plan.copied_from_host", path="/usr/local/dcmi")),
                 ("ascend/npu-smi", Msg("plan.copied_from_host", path="/usr/local/bin/npu-smi")),
                 ("ascend/common", Msg("plan.the_hosts", path="/usr/local/Ascend/driver/lib64/common")),
                 ("ascend/driver", Msg("plan.the_hosts", path="/usr/local/Ascend/driver/lib64/driver")),
                 ("ascend/version.info", Msg("plan.the_hosts", path="/usr/local/Ascend/driver/version.info")),
                 ("ascend/ascend_install.info", Msg("plan.the_hosts", path="/etc/ascend_install.info")),
                 ("ascend/vnpu.cfg", Msg("plan.the_hosts", path="/etc/vnpu.cfg")))


def _gpu(c: Facts) -> dict[str, Any]:
    """The NVIDIA driver installer (when the image carries one) and the Ascend driver files."""
    a = c.a
    nvidia_run, nvidia_flags = None, []
    if a.get("gpu.vendor") == "nvidia" and a.get("gpu.driver"):
        nvidia_run = knowledge.nvidia_run_name(a["image.arch"], a["gpu.driver"])
        nvidia_flags = knowledge.nvidia_installer_flags(a["gpu.driver"])
        c.user_files.append((nvidia_run, Msg("plan.file.nvidia_run")))
    ascend = a.get("gpu.vendor") == "ascend"
    ascend_copy = ascend and a.get("gpu.ascend_driver") == "copy"
    if ascend_copy:
        c.user_files.extend(ASCEND_FILES)
    return {"nvidia_run": nvidia_run, "nvidia_flags": nvidia_flags, "nvidia_capabilities": _nvidia_capabilities(c),
            "ascend": ascend, "ascend_copy": ascend_copy,
            # validation takes device numbers only for Ascend ("all" is refused: the guide names each NPU)
            "ascend_devices": a["gpu.devices"].split(",") if ascend else [],
            "ascend_mounts": list(ASCEND_MOUNTS) if ascend and not ascend_copy else []}


# What the image's own parts need of the NVIDIA driver (the Container Toolkit mounts those libraries): CUDA and
# nvidia-smi always, OpenGL and the display for a desktop (facts.md 'NVIDIA').
NVIDIA_NEEDS = ("compute", "utility")
NVIDIA_NEEDS_DESKTOP = ("graphics", "display")


def _nvidia_capabilities(c: Facts) -> str | None:
    """NVIDIA_DRIVER_CAPABILITIES for an NVIDIA image: never narrower than the base's own (bases.toml
    nvidia_capabilities): `all` stays `all`; a list gets what the answers need added after it (kasmweb:
    graphics,compat32,utility + compute,display for a desktop); no value, what the answers need."""
    if c.a.get("gpu.vendor") != "nvidia":
        return None
    base = [cap.strip() for cap in c.base.nvidia_capabilities.split(",") if cap.strip()]
    if "all" in base:
        return "all"
    needs = NVIDIA_NEEDS + (NVIDIA_NEEDS_DESKTOP if c.app_type == "desktop" else ())
    return ",".join(dict.fromkeys([*base, *needs]))


def _authorized_keys(a: Mapping[str, Any], base_dir: Path) -> str | None:
    if not (a.get("ssh.enabled") and a.get("ssh.auth") == "key"):
        return None
    # the wizard previews answers that are not valid yet: a key it cannot read is validate's to report
    return checks.read_public_key(a.get("ssh.authorized_key", ""), base_dir)[0]


def _plain_http_host(url: str | None) -> str | None:
    """host[:port] of an http:// URL (pip refuses such an index unless the host is trusted), else None."""
    if not url or not url.startswith("http://"):
        return None
    return url[len("http://"):].split("/", 1)[0]
