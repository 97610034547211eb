"""The same choices for imgwizard, neurodocker and hpccm (issue 13), written once.

S1 shell: apt packages git vim curl wget sudo nano (imgwizard's `packages.common`, which adds ca-certificates),
zh_CN.UTF-8 + Asia/Shanghai, OpenSSH server with key login for root.
S2 jupyter: S1 + a Python venv with JupyterLab from PyPI on 31000 (imgwizard `app.python_from = "system"`), the
host's CA (PyPI is only reachable through it here), one user pip package (six).
S3 java: S1 + OpenJDK 17 with JAVA_HOME.

The peers cannot express locale, time zone, SSH, Jupyter's start or the CA by themselves: both get the same
shell commands through their generic primitives (neurodocker --run/--env/--copy/--entrypoint; hpccm shell,
environment, copy, runscript), written here once. `update-locale` (/etc/default/locale) and /etc/environment
(JAVA_HOME) are what Debian's sshd reads through PAM for a session; `mkdir -p /usr/share/man/man1` is what
OpenJDK's postinst needs on the slim base (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMMON = ["git", "vim", "curl", "wget", "sudo", "nano", "ca-certificates"]
JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
VENV = "/opt/venv"


@dataclass(frozen=True)
class Peer:
    """One scenario's inputs for a peer, in order: files COPYed before the packages, the packages, shell
    commands after them, ENV, files COPYed last, the user's pip packages and the start command."""
    name: str
    packages: list[str]
    before: list[str]  # shell commands before the package install (the man1 folder for Java)
    early_copies: list[tuple[str, str]]  # (file in the context, destination) before the packages
    setup: list[str]  # shell commands after the packages
    env: dict[str, str]
    copies: list[tuple[str, str]]  # (file in the context, destination)
    pip: list[str] = field(default_factory=list)  # the user's pip packages (venv's pip)
    command: list[str] = field(default_factory=lambda: ["sleep", "infinity"])


ENTRY = ["/bin/sh", "/usr/local/bin/peer-start.sh"]  # host keys, sshd, then the command (files/peer-start.sh)
SHELL_SETUP = [
    "sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen && locale-gen"
    " && update-locale LANG=zh_CN.UTF-8",
    "ln -snf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime && echo Asia/Shanghai > /etc/timezone",
    "mkdir -p /run/sshd /root/.ssh && chmod 700 /root/.ssh && rm -f /etc/ssh/ssh_host_*",
]
SHELL_ENV = {"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN:zh", "LC_ALL": "zh_CN.UTF-8", "TZ": "Asia/Shanghai"}
SHELL_COPIES = [("authorized_keys", "/root/.ssh/authorized_keys"), ("peer-start.sh", "/usr/local/bin/peer-start.sh")]
SHELL_PACKAGES = [*COMMON, "locales", "tzdata", "openssh-server"]
JUPYTER_COMMAND = ["/opt/venv/bin/jupyter", "lab", "--ip=0.0.0.0", "--port=31000", "--no-browser", "--allow-root",
                   "--ServerApp.root_dir=/root"]

PEERS = {
    "S1": Peer("S1", SHELL_PACKAGES, [], [], SHELL_SETUP, SHELL_ENV, SHELL_COPIES),
    "S2": Peer("S2", [*SHELL_PACKAGES, "python3", "python3-venv"], [],
               [("extra-ca.crt", "/usr/local/share/ca-certificates/bench-extra-ca.crt")],
               ["update-ca-certificates", *SHELL_SETUP,
                f"python3 -m venv {VENV} && PIP_CERT=/etc/ssl/certs/ca-certificates.crt"
                f" {VENV}/bin/pip install --no-cache-dir jupyterlab"],
               {**SHELL_ENV, "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt", "PATH": f"{VENV}/bin:$PATH"},
               SHELL_COPIES, pip=["six"], command=JUPYTER_COMMAND),
    "S3": Peer("S3", [*SHELL_PACKAGES, "openjdk-17-jdk-headless"], ["mkdir -p /usr/share/man/man1"], [],
               [*SHELL_SETUP, f"echo JAVA_HOME={JAVA_HOME} >> /etc/environment"],
               {**SHELL_ENV, "JAVA_HOME": JAVA_HOME}, SHELL_COPIES),
}

# imgwizard's answers for the same choices ({key}: the test public key's path; {ca}: the CA file)
def _imgwizard(scenario: str, app: str, packages: str = "", network: str = "") -> str:
    """imgwizard's answers for a scenario: what all three share (Debian, zh_CN and the time zone, the common tools,
    SSH with the bench's key), plus the scenario's app, packages and network lines. Filled in with
    `.format(key=..., ca=...)`."""
    return f"""version = 1
[image]
name = "imgwizard-bench-{scenario.lower()}"
[app]
{app}
[os]
family = "debian"
[locale]
chinese = true
timezone = "Asia/Shanghai"
[packages]
common = true
{packages}[ssh]
enabled = true
auth = "key"
authorized_key = "{{key}}"
{network}"""


IMGWIZARD = {
    "S1": _imgwizard("S1", 'type = "shell"'),
    "S2": _imgwizard("S2", 'type = "web"\nname = "jupyter"\npython_from = "system"', 'pip = ["six"]\n',
                     '[network]\nextra_ca = "{ca}"\n'),
    "S3": _imgwizard("S3", 'type = "shell"', 'java = "17"\n'),
}
