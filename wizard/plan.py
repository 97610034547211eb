"""From resolved answers to a Plan: every derived value the snippets need, computed once in Python.

Templates stay declarative: they read `a` (the answers) and `p` (this plan) and never look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge, project, registry_mirror
from wizard.answers import app_folder, command_name, python_app, torch_build_for
from wizard.text import Msg

WRAPPER = "/usr/local/bin/imgwizard-entry.sh"
DESKTOP_SUPERVISOR = "/usr/local/bin/imgwizard-desktop"  # the built-in desktop (snippets/files/imgwizard-desktop.sh.j2)
DESKTOP_TAKE_PASSWORD = "--take-password"  # its first step: the password to a file, then exec the rest without it
VENV = "/opt/venv"
CONDA = "/opt/conda"


@dataclass(frozen=True)
class Secret:
    """A value the container takes from the environment at start (never written into the image)."""
    name: str  # the variable inside the container
    host: str  # the variable the user sets on the host for run.sh / compose.yaml
    required: bool  # run.sh refuses to start without it
    what: str


# The variables a Plan passes as secrets (besides each desktop engine's password variable, from bases.toml).
SSH_PASSWORD = "SSH_PASSWORD"
JUPYTER_TOKEN = "JUPYTER_TOKEN"
CODE_SERVER_PASSWORD = "PASSWORD"

# What an SSH login sets for itself, per session and per user: the entry wrapper does not hand these on from
# the container's environment (the rest of what `docker exec` sees, it does; see imgwizard-entry.sh.j2).
SESSION_VARIABLES = frozenset({"HOME", "USER", "LOGNAME", "SHELL", "MAIL", "TERM", "PWD", "OLDPWD", "SHLVL", "_"})


def secret_names() -> frozenset[str]:
    """Every Secret.name a Plan can produce: `imgwizard commit` keeps none of their values in an image."""
    desktops = (spec["password_env"] for spec in knowledge.table("bases")["engines"].values())
    return frozenset({SSH_PASSWORD, JUPYTER_TOKEN, CODE_SERVER_PASSWORD, *desktops})


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
    start = _start(c)
    base_image = _base_image(c)
    return Plan(
        engine=c.engine, family=c.family, base_image=base_image, pull_image=_pull_image(c, base_image),
        base=c.base, pm=c.pm,
        uname=c.arch["uname"],
        apt_root=knowledge.mirror_root(a.get("mirror.apt", "none")) if c.pm else None,
        **_packages(c), **_python(c), **_gpu(c), **_apps(c),
        home=a.get("user.workdir", "/"), login_user=login_user,
        authorized_keys=_authorized_keys(a, base_dir),
        **start,
        secrets=_secrets(c, login_user, port),
        **_run_flags(c, start["expose"], start["needs_init"]),
        python_app=_python_app(c, base_dir), user_files=c.user_files, desktop=_desktop(c), warnings=c.warnings,
    )


@dataclass
class _Facts:
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


def _facts(a: Mapping[str, Any]) -> _Facts:
    app_type, family, app_name = a["app.type"], a["os.family"], a.get("app.name")
    engine = knowledge.engine_of(app_type, a.get("desktop.engine"))
    base = knowledge.base(engine, family, a.get("os.version", ""))
    assert base is not None, "validated answers always name a known base"
    pm = {"debian": "apt", "ubuntu": "apt", "alpine": "apk"}.get(family)
    torch = knowledge.torch_release(a["gpu.pytorch"]) if a.get("gpu.pytorch") else None
    jupyter_conda = app_name == "jupyter" and a.get("app.python_from") == "conda"
    venv = pm is not None and not jupyter_conda and (bool(a.get("packages.pip")) or torch is not None
                                                     or app_name in ("jupyter", "python"))
    return _Facts(a, app_type, app_name, family, engine, base, pm, knowledge.arch_names(a["image.arch"]), torch,
                  jupyter_conda, venv)


def _base_image(c: _Facts) -> str:
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


def _pull_image(c: _Facts, base_image: str) -> str:
    """What FROM names: the base through mirror.registry when it is a Docker Hub image (wizard/registry_mirror.py);
    an image of another registry is pulled from there, with a warning saying so."""
    mirror = c.a.get("mirror.registry", "")
    if registry_mirror.left_alone(base_image, mirror):
        c.warnings.append(Msg("plan.registry_left_alone", mirror=mirror, ref=base_image,
                              registry=registry_mirror.registry_of(base_image)))
    return registry_mirror.through(base_image, mirror)


def _packages(c: _Facts) -> dict[str, Any]:
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


def _draws_text(c: _Facts) -> bool:
    """Whether something in the image draws text itself and so needs a CJK font for Chinese: a desktop (its
    window manager, the app's windows, the IDE). A shell is read in the user's terminal and a web app in the
    user's browser, which draw with the fonts of the user's machine (docs/benchmarks.md)."""
    return c.app_type == "desktop"


def _python(c: _Facts) -> dict[str, Any]:
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
# mount mode: the host's driver files, read-only (CANN tools read /etc/ascend_install.info to find the driver)
_ASCEND_MOUNTS = ("/usr/local/dcmi:/usr/local/dcmi", "/usr/local/bin/npu-smi:/usr/local/bin/npu-smi",
                  "/usr/local/Ascend/driver:/usr/local/Ascend/driver:ro",
                  "/etc/ascend_install.info:/etc/ascend_install.info:ro")


def _gpu(c: _Facts) -> dict[str, Any]:
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
            "ascend_mounts": list(_ASCEND_MOUNTS) if ascend and not ascend_copy else []}


# What the image's own parts need of the NVIDIA driver (the Container Toolkit mounts those libraries): CUDA and
# nvidia-smi always, OpenGL and the display for a desktop (facts.md 'NVIDIA').
NVIDIA_NEEDS = ("compute", "utility")
NVIDIA_NEEDS_DESKTOP = ("graphics", "display")


def _nvidia_capabilities(c: _Facts) -> str | None:
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


def _apps(c: _Facts) -> dict[str, Any]:
    """The JetBrains archive, the binary, the app's own files and code-server's pinned .deb."""
    a = c.a
    jetbrains = code_server = None
    if c.app_name == "jetbrains":
        info, _ = knowledge.jetbrains_archive(a["app.archive"])
        product = info["product"]
        # bin/<name> is the native launcher (2024.2+; the .sh scripts then show a notice), bin/<name>.sh before
        # it: jetbrains.j2 links whichever the archive has to /usr/local/bin/<product>, which starts the IDE
        jetbrains = {"product": product, "folder": f"/opt/{product}", "bin": info.get("launcher", product),
                     "launcher": f"/usr/local/bin/{product}", "title": info["title"], "archive": a["app.archive"]}
        c.user_files.append((a["app.archive"], Msg("plan.file.jetbrains")))
    binary = _binary(c)
    if binary:
        c.user_files.append((binary["src"], Msg("plan.file.binary")))
    app_files = _app_files(c)
    c.user_files.extend((f["src"], Msg("plan.file.app_files", path=f["path"])) for f in app_files)
    if c.app_name == "code-server":
        info = knowledge.code_server()
        code_server = {"version": info["version"],
                       "url": info["url"].format(version=info["version"], arch=c.arch["deb"])}
    return {"jetbrains": jetbrains, "code_server": code_server, "binary": binary, "app_files": app_files}


def _binary(c: _Facts) -> dict[str, str] | None:
    """A binary app's file: from its path in the build folder (bin/server) to /app/server on scratch, else to
    /usr/local/bin/server (on PATH)."""
    if c.app_type != "binary":
        return None
    src = c.a["app.command"]
    folder = "/app" if c.family == "scratch" else "/usr/local/bin"
    return {"src": src, "path": f"{folder}/{src.rsplit('/', 1)[-1]}"}


def app_title(a: Mapping[str, Any]) -> str:
    """A desktop command app's name in the browser tab and the desktop base's title: its program's name
    (xterm), or, for a program app.files brings, the image's (/opt/mytool/tool/bin/start -> mytool)."""
    folder = app_folder(a)
    if a.get("app.files") and a.get("app.command", "").startswith(f"{folder}/"):
        return folder.rsplit("/", 1)[-1]
    return command_name(a.get("app.command") or "app")


def _app_files(c: _Facts) -> list[dict[str, str]]:
    """A desktop command app's own files and folders (app.files): each from its path in the build folder to
    /opt/<image name>/<its name> (answers.app_folder), a folder with everything in it; validate refuses two
    entries of one name."""
    folder = app_folder(c.a)
    return [{"src": src, "path": f"{folder}/{src.rsplit('/', 1)[-1]}"} for src in c.a.get("app.files", [])]


# The built-in desktop's password: at least this many characters (VNC uses the first 8; the supervisor refuses a
# shorter one and one with a control character, whose first line alone tigervncpasswd -f would take).
DESKTOP_PASSWORD_MIN = 6
# Xvnc's guessing brake (TigerVNC 1.12 common/rfb/Blacklist.cxx, VNCServerST.cxx): every connection that has not
# logged in counts against its address, and through websockify every browser is 127.0.0.1; at the threshold
# the address gets one try per period, the period doubling from the timeout until a login succeeds (which
# clears it). 10 and 5 s: an owner's typos and `imgwizard check`'s probes stay under it, and a locked-out owner
# waits seconds, while a guesser gets about 10 + log2(seconds / 5) tries.
DESKTOP_BLACKLIST_THRESHOLD = 10
DESKTOP_BLACKLIST_TIMEOUT = 5
# The built-in desktop's X display and screen size at start (noVNC's remote resize changes the size later).
DESKTOP_DISPLAY = 1
DESKTOP_GEOMETRY = "1280x800"
# noVNC's viewer options (noVNC docs/EMBEDDING.md): connect at once, the desktop follows the browser window's size,
# reconnect after a restart of the container.
DESKTOP_VIEWER_OPTIONS = "autoconnect=true&resize=remote&reconnect=true"
# A crashing app is started again after a delay that doubles (1, 2, 4 ... s) up to DESKTOP_RESTART_MAX while it
# exits within DESKTOP_APP_SETTLED s of its start; one that ran longer is started again after 1 s.
DESKTOP_RESTART_MAX = 30
DESKTOP_APP_SETTLED = 30
# The rows whose distribution ships noVNC 1.0.0 (bases.toml [engines.builtin] novnc_source: Ubuntu 22.04's
# python3-novnc 1:1.0.0-5; Debian 12 and Ubuntu 24.04 have 1.3.0). Its app/ui.js showStatus() clears the timer of a
# visible warning before deciding not to replace that warning by a normal notice, so "Password is required"
# stays over the desktop when the login ends within its 1.5 s (fixed upstream in 1.2.0, noVNC commit afa1f8a2):
# imgwizard's page adds files/novnc-status.js there, which hides a warning left open once connected.
NOVNC_STUCK_WARNING = frozenset({("ubuntu", "22.04")})


def _desktop(c: _Facts) -> dict[str, Any] | None:
    """The built-in desktop: the supervisor's ports, display, password variable, the app's command and title."""
    if c.engine != "builtin":
        return None
    a, facts = c.a, knowledge.desktop("builtin")
    if c.app_name == "jetbrains":
        info, _ = knowledge.jetbrains_archive(a["app.archive"])
        command, title = f"/usr/local/bin/{info['product']}", info["title"]
    else:
        command = a["app.command"]
        title = app_title(a)
    return {"port": a["app.port"], "vnc_port": facts["vnc_port"], "display": DESKTOP_DISPLAY,
            "geometry": DESKTOP_GEOMETRY, "web": facts["novnc_web"], "auth": bool(a.get("desktop.auth")),
            "password_env": facts["password_env"], "command": command, "title": title,
            "process": command_name(command), "viewer_url": f"{facts['viewer']}?{DESKTOP_VIEWER_OPTIONS}",
            "password_min": DESKTOP_PASSWORD_MIN, "blacklist_threshold": DESKTOP_BLACKLIST_THRESHOLD,
            "blacklist_timeout": DESKTOP_BLACKLIST_TIMEOUT, "restart_max": DESKTOP_RESTART_MAX,
            "settled": DESKTOP_APP_SETTLED,
            "status_fix": (c.family, a.get("os.version", "")) in NOVNC_STUCK_WARNING}


def _python_app(c: _Facts, base_dir: Path) -> dict[str, Any] | None:
    """The user's own Python service: its dependency file (requirements or pyproject, installed into the venv
    before the code: apps/python.j2), the folder its code is copied to (/opt/<image name>, owned by the user it
    runs as: it may write beside its code), the .dockerignore lines its .gitignore gives (project.ignore_patterns:
    plain patterns only), and the PyTorch pins the dependency install is held to (the release pytorch.j2 installed
    for the driver: pip then keeps that build, and fails loudly on a requirement that conflicts with it)."""
    a = c.a
    if not python_app(a):
        return None
    deps = a.get("app.requirements", "")
    folder = app_folder(a)
    if deps:
        c.user_files.append((deps, Msg("plan.file.python_deps", path=folder)))
    started = project.command_file(a.get("app.command", ""))
    if started and checks.relative_path(started) is None:  # the file the command runs: the project is here
        c.user_files.append((started, Msg("plan.file.python_code", path=folder)))
    pins = []
    if c.torch:
        pins = [f"torch=={c.torch.torch}", f"torchvision=={c.torch.vision}"]
        pins += [f"torchaudio=={c.torch.audio}"] if c.torch.audio else []
    pyproject = deps.rsplit("/", 1)[-1] == project.PYPROJECT
    install = [PYPROJECT_DEPENDENCIES.format(tmp=DEPS_TMP)] if pyproject else []
    install += [f"printf '%s\\n' {' '.join(pins)} > {DEPS_TMP}/torch.txt"] if pins else []
    install += [f"pip install --no-cache-dir{f' -c {DEPS_TMP}/torch.txt' if pins else ''} -r {DEPS_TMP}/requirements.txt",
                f"rm -rf {DEPS_TMP}"]
    return {"deps": deps, "deps_copy": f"{DEPS_TMP}/{project.PYPROJECT if pyproject else project.REQUIREMENTS}",
            "install": install, "folder": folder, "owner": None if a.get("user.root", True) else "app",
            "port": a["app.port"], "ignore": project.ignore_patterns(base_dir), "pins": pins}


# Where the dependency file is copied for its install (removed in the same step), and the command that turns a
# pyproject.toml's [project] dependencies into a requirements file there: tomllib from Python 3.11, pip's own
# vendored tomli before (Ubuntu 22.04's 3.10); a missing list fails the step with Python's KeyError.
DEPS_TMP = "/tmp/imgwizard-deps"
PYPROJECT_DEPENDENCIES = (
    "python -c 'import sys; t = __import__(\"tomllib\") if sys.version_info >= (3, 11) "
    "else __import__(\"pip._vendor.tomli\")._vendor.tomli; "
    "print(\"\\n\".join(t.load(open(sys.argv[1], \"rb\"))[\"project\"][\"dependencies\"]))' "
    "{tmp}/pyproject.toml > {tmp}/requirements.txt")


def _authorized_keys(a: Mapping[str, Any], base_dir: Path) -> str | None:
    if not (a.get("ssh.enabled") and a.get("ssh.auth") == "key"):
        return None
    # the wizard previews answers that are not valid yet: a key it cannot read is validate's to report
    return checks.read_public_key(a.get("ssh.authorized_key", ""), base_dir)[0]


def _start(c: _Facts) -> dict[str, Any]:
    """Published ports, the entry wrapper, ENTRYPOINT and CMD, and whether the container needs --init."""
    a, app_type, app_name = c.a, c.app_type, c.app_name
    expose = sorted({p for p, on in ((a.get("app.port"), True), (a.get("ssh.port"), a.get("ssh.enabled")),
                                     (a.get("forward.listen"), a.get("forward.enabled"))) if p and on})
    wrapper = bool(a.get("ssh.enabled") or a.get("forward.enabled"))
    if app_type == "desktop":
        cmd = list(c.base.cmd)
    elif app_name in ("jupyter", "code-server"):
        cmd = [f"/usr/local/bin/start-{app_name}.sh"]
    elif app_name == "python":
        cmd = a["app.command"].split(" ")  # checks.command_line: words of plain characters, single spaces
        if a.get("ssh.enabled") and not a.get("user.root", True) and c.pm == "apt":
            # sshd needs the container to run as root (no USER app then): the service itself still runs as app,
            # dropped to it by util-linux's setpriv (in every Debian and Ubuntu image), as the built-in desktop does
            cmd = ["setpriv", "--reuid=app", "--regid=app", "--init-groups", "--", *cmd]
    elif app_type == "binary":
        cmd = []
    elif a.get("ssh.enabled"):
        cmd = ["/usr/sbin/sshd", "-D", "-e"]
    else:
        cmd = ["sleep", "infinity"]
    if app_type == "binary":
        # scratch has no shell (the tree never asks for SSH or forwarding there); elsewhere the wrapper starts
        # sshd / socat, then execs the binary with the container's arguments
        binary = [_binary(c)["path"]]
        entrypoint = ["/bin/sh", WRAPPER, *binary] if wrapper else binary
    elif wrapper:
        entrypoint = ["/bin/sh", WRAPPER, *c.base.entrypoint]
    else:
        # the desktop bases keep their own ENTRYPOINT; the built-in desktop sits on a plain image and sets its own
        entrypoint = list(c.base.entrypoint) if c.engine == "builtin" else []
    if c.engine == "builtin" and a.get("desktop.auth"):
        # the supervisor runs first, as PID 1: it takes DESKTOP_PASSWORD into the VNC password file and execs the
        # rest (the entry wrapper, tini) without it, so no process of the container inherits it, /proc/1 included
        entrypoint = [DESKTOP_SUPERVISOR, DESKTOP_TAKE_PASSWORD, *entrypoint]
    needs_init = app_type in ("shell", "web") or (app_type == "binary" and c.family != "scratch")
    return {"wrapper": wrapper, "entrypoint": entrypoint, "cmd": cmd, "expose": expose, "needs_init": needs_init,
            "session_env_skip": sorted(secret_names() | SESSION_VARIABLES)}


def _secrets(c: _Facts, login_user: str, port: int | None) -> list[Secret]:
    """What the container takes from the environment at start; a loud warning for authentication turned off."""
    a, secrets = c.a, []
    if c.app_type == "desktop":
        if a.get("desktop.auth"):
            secrets.append(Secret(knowledge.desktop(c.engine)["password_env"], "DESKTOP_PASSWORD", True,
                                  "the password the desktop asks for"))
        else:
            c.warnings.append(Msg("plan.desktop_auth_off"))
    if c.app_type == "web" and c.app_name != "python":  # a service of the user's own does its own authentication
        if not a.get("app.auth"):
            c.warnings.append(Msg("plan.app_auth_off", port=port, user=login_user))
        elif c.app_name == "jupyter":
            secrets.append(Secret(JUPYTER_TOKEN, JUPYTER_TOKEN, False,
                                  "the token Jupyter asks for (unset: a random one, printed in the log)"))
        else:
            secrets.append(Secret(CODE_SERVER_PASSWORD, CODE_SERVER_PASSWORD, False,
                                  "code-server's password (unset: a random one in ~/.config/code-server/config.yaml)"))
    if a.get("ssh.enabled") and a.get("ssh.auth") == "password":
        secrets.append(Secret(SSH_PASSWORD, SSH_PASSWORD, False,
                              f"the SSH password of {login_user}, set when the container starts"))
    return secrets


def _run_flags(c: _Facts, expose: list[int], needs_init: bool) -> dict[str, Any]:
    """docker run flags (ports, GPUs, Ascend devices and driver mounts, --init) and fixed run-time variables.
    Flags are shell words as run.sh writes them: docker reads --gpus as CSV, so `device=0,1` must reach it with
    the double quotes inside the argument (facts.md 'docker --gpus'), hence the single quotes around them."""
    a = c.a
    env_fixed: dict[str, str] = {}
    publish = [_publish(a, port) for port in expose]
    flags = [f for spec in publish for f in ("-p", f'"{spec}"' if "$" in spec else spec)]
    if a.get("gpu.vendor") == "nvidia":
        dev = a.get("gpu.devices", "all")
        flags += ["--gpus", "all" if dev == "all" else f"'\"device={dev}\"'"]
    if a.get("gpu.vendor") == "ascend":
        devices = a["gpu.devices"].split(",")
        flags += [f for d in devices for f in ("--device", f"/dev/davinci{d}")]
        flags += ["--device", "/dev/davinci_manager", "--device", "/dev/devmm_svm", "--device", "/dev/hisi_hdc"]
        if a.get("gpu.ascend_driver") != "copy":
            flags += [f for mount in _ASCEND_MOUNTS for f in ("-v", mount)]
        env_fixed["ASCEND_VISIBLE_DEVICES"] = ",".join(devices)
    if needs_init:
        flags.append("--init")
    shm_size = knowledge.engine_facts(c.engine).get("shm_size")  # the base's own need (kasmweb's README: 512m)
    if shm_size:
        flags.append(f"--shm-size={shm_size}")
    return {"run_flags": flags, "env_fixed": env_fixed, "publish": publish, "ssh_host_port": _ssh_host_port(a),
            "shm_size": shm_size}


SSH_HOST_PORT = "SSH_HOST_PORT"
SSH_HOST_PORT_DEFAULT = 2222  # the host's own sshd holds 22 on a real server


def _publish(a: Mapping[str, Any], port: int) -> str:
    """BIND:HOST:CONTAINER for one published port, each variable part as ${VARIABLE:-default}, which sh (run.sh)
    and docker compose (compose.yaml) both expand, so the two files publish the same ports the same way.
    BIND_ADDRESS: the host address, by default 0.0.0.0 (every IPv4 interface: the platform reaches the ports from
    outside; written out because compose v1 refuses an empty address). APP_HOST_PORT: the app's host port, by
    default its own number (the platform publishes 31000). SSH_HOST_PORT: SSH's, by default 2222 (or ssh.port when
    that is not 22), so the host's own sshd on 22 is never in the way. The forwarder's port keeps its number."""
    if a.get("ssh.enabled") and port == a.get("ssh.port"):
        host = f"${{{SSH_HOST_PORT}:-{_ssh_host_port(a)}}}"
    elif port == a.get("app.port"):
        host = f"${{APP_HOST_PORT:-{port}}}"
    else:
        host = str(port)
    return f"${{BIND_ADDRESS:-0.0.0.0}}:{host}:{port}"


def _ssh_host_port(a: Mapping[str, Any]) -> int | None:
    """The host port SSH is published on unless SSH_HOST_PORT says otherwise (None: no SSH)."""
    if not a.get("ssh.enabled"):
        return None
    return SSH_HOST_PORT_DEFAULT if a.get("ssh.port") == 22 else a.get("ssh.port")


def _plain_http_host(url: str | None) -> str | None:
    """host[:port] of an http:// URL (pip refuses such an index unless the host is trusted), else None."""
    if not url or not url.startswith("http://"):
        return None
    return url[len("http://"):].split("/", 1)[0]
