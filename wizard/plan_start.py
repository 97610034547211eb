"""How the image starts and runs (a Plan's building blocks, wizard/plan.py): published ports, the entry wrapper,
ENTRYPOINT and CMD, the secrets it takes at start, and the `docker run` flags run.sh and compose.yaml share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from wizard import knowledge
from wizard.plan_apps import binary_file
from wizard.text import Msg

if TYPE_CHECKING:
    from wizard.plan import Facts

WRAPPER = "/usr/local/bin/imgwizard-entry.sh"
DESKTOP_SUPERVISOR = "/usr/local/bin/imgwizard-desktop"  # the built-in desktop (snippets/files/imgwizard-desktop.sh.j2)
DESKTOP_TAKE_PASSWORD = "--take-password"  # its first step: the password to a file, then exec the rest without it


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


# mount mode: the host's driver files, read-only (CANN tools read /etc/ascend_install.info to find the driver)
ASCEND_MOUNTS = ("/usr/local/dcmi:/usr/local/dcmi", "/usr/local/bin/npu-smi:/usr/local/bin/npu-smi",
                  "/usr/local/Ascend/driver:/usr/local/Ascend/driver:ro",
                  "/etc/ascend_install.info:/etc/ascend_install.info:ro")


def start(c: Facts) -> dict[str, Any]:
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
        binary = [binary_file(c)["path"]]
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


def secrets(c: Facts, login_user: str, port: int | None) -> list[Secret]:
    """What the container takes from the environment at start; a loud warning for authentication turned off."""
    a, out = c.a, []
    if c.app_type == "desktop":
        if a.get("desktop.auth"):
            out.append(Secret(knowledge.desktop(c.engine)["password_env"], "DESKTOP_PASSWORD", True,
                                  "the password the desktop asks for"))
        else:
            c.warnings.append(Msg("plan.desktop_auth_off"))
    if c.app_type == "web" and c.app_name != "python":  # a service of the user's own does its own authentication
        if not a.get("app.auth"):
            c.warnings.append(Msg("plan.app_auth_off", port=port, user=login_user))
        elif c.app_name == "jupyter":
            out.append(Secret(JUPYTER_TOKEN, JUPYTER_TOKEN, False,
                                  "the token Jupyter asks for (unset: a random one, printed in the log)"))
        else:
            out.append(Secret(CODE_SERVER_PASSWORD, CODE_SERVER_PASSWORD, False,
                                  "code-server's password (unset: a random one in ~/.config/code-server/config.yaml)"))
    if a.get("ssh.enabled") and a.get("ssh.auth") == "password":
        out.append(Secret(SSH_PASSWORD, SSH_PASSWORD, False,
                              f"the SSH password of {login_user}, set when the container starts"))
    return out


def run_flags(c: Facts, expose: list[int], needs_init: bool) -> dict[str, Any]:
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
            flags += [f for mount in ASCEND_MOUNTS for f in ("-v", mount)]
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
