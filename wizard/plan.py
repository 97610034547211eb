"""From resolved answers to a Plan: every derived value the snippets need, computed once in Python.

Templates stay declarative: they read `a` (the answers) and `p` (this plan) and never look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge

WRAPPER = "/usr/local/bin/imgwizard-entry.sh"
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


def secret_names() -> frozenset[str]:
    """Every Secret.name a Plan can produce: `imgwizard commit` keeps none of their values in an image."""
    desktops = (spec["password_env"] for spec in knowledge.table("bases")["engines"].values())
    return frozenset({SSH_PASSWORD, JUPYTER_TOKEN, CODE_SERVER_PASSWORD, *desktops})


@dataclass
class Plan:
    engine: str  # plain | novnc | kasm | kasmweb
    family: str
    base_image: str
    base: knowledge.Base
    pm: str | None  # apt | apk | None (scratch)
    uname: str  # x86_64 | aarch64
    apt_root: str | None
    default_hosts: list[str]
    pip_index: str | None
    pip_trusted_host: str | None  # host[:port] of an http:// pip index: pip ignores it unless trusted
    conda_root: str | None
    system_packages: list[str]
    java_home: str | None
    venv: bool
    torch: knowledge.TorchRelease | None
    cuda: str | None
    torch_index: str | None
    nvidia_run: str | None
    ascend: bool
    ascend_copy: bool
    home: str
    login_user: str
    jetbrains: dict[str, str] | None
    code_server: dict[str, str] | None
    miniconda_url: str | None
    authorized_keys: str | None
    wrapper: bool
    entrypoint: list[str]
    cmd: list[str]
    expose: list[int]
    secrets: list[Secret]  # passed at run time, never in a layer
    env_fixed: dict[str, str]  # NAME=value set at run time (compose environment, -e NAME=value)
    run_flags: list[str]
    needs_init: bool
    user_files: list[tuple[str, str]]  # (file in the build folder, what it is) the user provides
    warnings: list[str] = field(default_factory=list)


def build_plan(a: Mapping[str, Any], base_dir: Path = Path(".")) -> Plan:
    app_type, family = a["app.type"], a["os.family"]
    engine = knowledge.engine_of(app_type, a.get("desktop.engine"))
    base = knowledge.base(engine, family, a.get("os.version", ""))
    assert base is not None, "validated answers always name a known base"
    base_image = a.get("os.base_image") or base.image
    pm = {"debian": "apt", "ubuntu": "apt", "alpine": "apk"}.get(family)
    arch = knowledge.arch_names(a["image.arch"])
    warnings: list[str] = []
    user_files: list[tuple[str, str]] = []

    # --- system packages, one layer
    pkgs: list[str] = []

    def want(group: str) -> None:
        pkgs.extend(knowledge.packages(family, group))

    torch = knowledge.torch_release(a["gpu.pytorch"]) if a.get("gpu.pytorch") else None
    app_name = a.get("app.name")
    jupyter_conda = app_name == "jupyter" and a.get("app.python_from") == "conda"
    venv = pm is not None and not jupyter_conda and (bool(a.get("packages.pip")) or torch is not None
                                                     or app_name == "jupyter")
    if pm:
        if a.get("packages.common"):
            want("common")
        if a.get("locale.chinese"):
            want("locale")
        if a.get("locale.timezone"):
            want("tzdata")
        if a.get("ssh.enabled"):
            want("ssh")
        if a.get("forward.enabled"):
            want("forward")
        if venv:
            want("python")
        if a.get("network.extra_ca") or app_name == "code-server" or jupyter_conda:
            want("ca")
        if jupyter_conda or app_name == "code-server":
            pkgs.extend(["curl"] if family != "alpine" else ["curl", "bash"])
        if a.get("gpu.driver"):
            want("nvidia")
        if app_name == "jetbrains":
            want("desktop_runtime")
        java = a.get("packages.java", "0")
        if java != "0":
            pkgs.append(knowledge.java_package(family, java))
        pkgs.extend(a.get("packages.apt", []))
    system_packages = sorted(dict.fromkeys(pkgs))
    java = a.get("packages.java", "0")
    java_home = knowledge.java_home(family, java, arch["deb"]) if pm and java != "0" else None

    # --- PyTorch
    cuda = torch_index = None
    if torch:
        cuda = a.get("gpu.cuda") or knowledge.pick_cuda(a.get("gpu.host_driver") or a.get("gpu.driver") or None, torch)
        if a.get("gpu.vendor") != "nvidia" and not a.get("gpu.cuda"):
            cuda = "cpu"
        torch_index = knowledge.torch_index(cuda)

    # --- GPU drivers
    nvidia_run = None
    if a.get("gpu.vendor") == "nvidia" and a.get("gpu.driver"):
        nvidia_run = f"NVIDIA-Linux-{arch['uname']}-{a['gpu.driver']}.run"
        user_files.append((nvidia_run, "the NVIDIA driver installer of the host's exact version"))
    ascend = a.get("gpu.vendor") == "ascend"
    ascend_copy = ascend and a.get("gpu.ascend_driver") == "copy"
    if ascend_copy:
        for name, what in (("ascend/dcmi", "copied from the host's /usr/local/dcmi"),
                           ("ascend/npu-smi", "copied from the host's /usr/local/bin/npu-smi"),
                           ("ascend/common", "the host's /usr/local/Ascend/driver/lib64/common"),
                           ("ascend/driver", "the host's /usr/local/Ascend/driver/lib64/driver"),
                           ("ascend/version.info", "the host's /usr/local/Ascend/driver/version.info"),
                           ("ascend/ascend_install.info", "the host's /etc/ascend_install.info")):
            user_files.append((name, what))

    # --- user and home
    home = a.get("user.workdir", "/")
    root = a.get("user.root", True)
    login_user = {"kasmweb": "kasm-user", "kasm": "abc"}.get(engine, "root" if root else "app")

    # --- apps
    jetbrains = None
    if app_name == "jetbrains":
        product, info = knowledge.jetbrains_product(a["app.archive"])
        folder = f"/opt/{product}"
        jetbrains = {"product": product, "folder": folder, "launcher": f"{folder}/bin/{info['launcher']}",
                     "title": info["title"], "archive": a["app.archive"]}
        user_files.append((a["app.archive"], "the JetBrains Linux archive you downloaded"))
    if app_type == "binary":
        user_files.append((a["app.command"], "the binary (statically linked for scratch)"))
    code_server = None
    if app_name == "code-server":
        info = knowledge.code_server()
        code_server = {"version": info["version"],
                       "url": info["url"].format(version=info["version"], arch=arch["deb"])}

    authorized_keys = None
    if a.get("ssh.enabled") and a.get("ssh.auth") == "key":
        # the wizard previews answers that are not valid yet: a key it cannot read is validate's to report
        authorized_keys, _ = checks.read_public_key(a.get("ssh.authorized_key", ""), base_dir)

    # --- ports, entrypoint and start command
    port = a.get("app.port")
    expose: list[int] = []
    if port:
        expose.append(port)
    if a.get("ssh.enabled"):
        expose.append(a["ssh.port"])
    if a.get("forward.enabled"):
        expose.append(a["forward.listen"])
    expose = sorted(dict.fromkeys(expose))

    wrapper = bool(a.get("ssh.enabled") or a.get("forward.enabled"))
    base_chain = list(base.entrypoint)
    if app_type == "desktop":
        cmd = list(base.cmd)
    elif app_name == "jupyter":
        cmd = ["/usr/local/bin/start-jupyter.sh"]
    elif app_name == "code-server":
        cmd = ["/usr/local/bin/start-code-server.sh"]
    elif app_type == "binary":
        cmd = []
    elif a.get("ssh.enabled"):
        cmd = ["/usr/sbin/sshd", "-D", "-e"]
    else:
        cmd = ["sleep", "infinity"]
    if app_type == "binary":
        entrypoint = [f"/app/{a['app.command']}"] if family == "scratch" else [f"/usr/local/bin/{a['app.command']}"]
    elif wrapper:
        entrypoint = ["/bin/sh", WRAPPER, *base_chain]
    else:
        entrypoint = []
    needs_init = app_type in ("shell", "web") or (app_type == "binary" and family != "scratch")

    # --- run time settings
    secrets: list[Secret] = []
    env_fixed: dict[str, str] = {}
    if app_type == "desktop":
        if a.get("desktop.auth"):
            secrets.append(Secret(knowledge.desktop(engine)["password_env"], "DESKTOP_PASSWORD", True,
                                  "the password the desktop asks for"))
        else:
            warnings.append("desktop.auth is off: anyone who reaches the published port gets the desktop")
    if app_type == "web":
        if a.get("app.auth"):
            secrets.append(
                Secret(JUPYTER_TOKEN, JUPYTER_TOKEN, False,
                       "the token Jupyter asks for (unset: a random one, printed in the log)")
                if app_name == "jupyter" else
                Secret(CODE_SERVER_PASSWORD, CODE_SERVER_PASSWORD, False,
                       "code-server's password (unset: a random one in ~/.config/code-server/config.yaml)"))
        else:
            warnings.append(f"app.auth is off: anyone who reaches port {port} runs code as {login_user} in the container")
    if a.get("ssh.enabled") and a.get("ssh.auth") == "password":
        secrets.append(Secret(SSH_PASSWORD, SSH_PASSWORD, False,
                              f"the SSH password of {login_user}, set when the container starts"))
    run_flags: list[str] = []
    for p_ in expose:
        run_flags += ["-p", f"{p_}:{p_}"]
    if a.get("gpu.vendor") == "nvidia":
        dev = a.get("gpu.devices", "all")
        run_flags += ["--gpus", "all" if dev == "all" else f'"device={dev}"']
    if ascend:
        devs = [d for d in a.get("gpu.devices", "0").split(",")] if a.get("gpu.devices") != "all" else ["0"]
        for d in devs:
            run_flags += ["--device", f"/dev/davinci{d}"]
        run_flags += ["--device", "/dev/davinci_manager", "--device", "/dev/devmm_svm", "--device", "/dev/hisi_hdc"]
        if not ascend_copy:
            run_flags += ["-v", "/usr/local/dcmi:/usr/local/dcmi", "-v", "/usr/local/bin/npu-smi:/usr/local/bin/npu-smi",
                          "-v", "/usr/local/Ascend/driver:/usr/local/Ascend/driver:ro"]
        env_fixed["ASCEND_VISIBLE_DEVICES"] = ",".join(devs)
    if needs_init:
        run_flags.append("--init")

    pip_index = knowledge.pip_index(a.get("mirror.pip", "none")) if pm else None
    pip_trusted_host = _plain_http_host(pip_index)
    if pip_trusted_host:
        warnings.append(f"mirror.pip {pip_index} is plain http: pip trusts {pip_trusted_host} (PIP_TRUSTED_HOST), "
                        "so packages come unencrypted and unverified; prefer an https:// index")

    return Plan(
        engine=engine, family=family, base_image=base_image, base=base, pm=pm,
        uname=arch["uname"],
        apt_root=knowledge.mirror_root(a.get("mirror.apt", "none")) if pm else None,
        default_hosts=knowledge.default_hosts(family),
        pip_index=pip_index, pip_trusted_host=pip_trusted_host,
        conda_root=knowledge.conda_root(a.get("mirror.conda", "none")) if jupyter_conda else None,
        system_packages=system_packages, java_home=java_home, venv=venv,
        torch=torch, cuda=cuda, torch_index=torch_index, nvidia_run=nvidia_run, ascend=ascend, ascend_copy=ascend_copy,
        home=home, login_user=login_user, jetbrains=jetbrains, code_server=code_server,
        miniconda_url=knowledge.miniconda_url(a["image.arch"]) if jupyter_conda else None,
        authorized_keys=authorized_keys,
        wrapper=wrapper, entrypoint=entrypoint, cmd=cmd, expose=expose,
        secrets=secrets, env_fixed=env_fixed, run_flags=run_flags, needs_init=needs_init,
        user_files=user_files, warnings=warnings,
    )


def _plain_http_host(url: str | None) -> str | None:
    """host[:port] of an http:// URL (pip refuses such an index unless the host is trusted), else None."""
    if not url or not url.startswith("http://"):
        return None
    return url[len("http://"):].split("/", 1)[0]
