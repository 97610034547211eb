"""The app's building blocks of a Plan (wizard/plan.py): the JetBrains archive, the binary, the app's own files,
code-server's pinned .deb, the built-in desktop's settings and the user's own Python service.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from wizard import checks, knowledge, project
from wizard.choices import app_folder, command_name, python_app
from wizard.text import Msg

if TYPE_CHECKING:
    from wizard.plan import Facts

def apps(c: Facts) -> dict[str, Any]:
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
    binary = binary_file(c)
    if binary:
        c.user_files.append((binary["src"], Msg("plan.file.binary")))
    files = own_files(c)
    c.user_files.extend((f["src"], Msg("plan.file.app_files", path=f["path"])) for f in files)
    if c.app_name == "code-server":
        info = knowledge.code_server()
        code_server = {"version": info["version"],
                       "url": info["url"].format(version=info["version"], arch=c.arch["deb"])}
    return {"jetbrains": jetbrains, "code_server": code_server, "binary": binary, "app_files": files}


def binary_file(c: Facts) -> dict[str, str] | None:
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


def own_files(c: Facts) -> list[dict[str, str]]:
    """A desktop command app's own files and folders (app.files): each from its path in the build folder to
    /opt/<image name>/<its name> (choices.app_folder), a folder with everything in it; validate refuses two
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


def desktop(c: Facts) -> dict[str, Any] | None:
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


def python_service(c: Facts, base_dir: Path) -> dict[str, Any] | None:
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
