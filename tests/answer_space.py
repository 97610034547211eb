"""Hypothesis strategies over the whole answers space, drawn field by field in tree order so that only
fields that apply are drawn (the same walk the wizard makes)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from wizard.answers import FIELDS

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrd2Gp0VNOV4lu3VWrXfckJGj+eZh/NYaibUmBMekXc example@imgwizard"
CA = Path(__file__).parent / "fixtures" / "test-ca.pem"

TEXT = {
    "image.name": st.sampled_from(["myapp", "team/pycharm", "a.b-c_d", "x9"]),  # 2 characters at least (docker run --name)
    "image.tag": st.sampled_from(["latest", "1.0", "v2_rc.1"]),
    "app.archive": st.sampled_from(["pycharm-community-2024.2.1.tar.gz", "ideaIC-2024.2.1.tar.gz",
                                    "WebStorm-2024.2.tar.gz", "JetBrains.Rider-2024.2.tar.gz", "CLion-2024.2.tar.gz"]),
    "app.command": st.sampled_from(["app", "hello", "xterm", "firefox-esr --kiosk", "xclock", "java -jar /opt/a.jar",
                                    "sh -c xterm"]),
    "app.python": st.sampled_from(["3.10", "3.11", "3.12"]),
    "app.requirements": st.sampled_from(["requirements.txt", "pyproject.toml", "", "deps/requirements-prod.txt"]),
    "os.base_image": st.sampled_from(["", "", "", "registry.example.com/base:1"]),
    "os.base_release": st.sampled_from(["", "", "", "v4.14.0-rc_1"]),  # another release of the pinned base
    "locale.timezone": st.sampled_from(["", "Asia/Shanghai", "UTC", "Europe/Berlin"]),
    "gpu.devices": st.sampled_from(["all", "0", "0,1"]),
    "gpu.driver": st.sampled_from(["", "", "550.135", "535.171.04"]),
    "gpu.host_driver": st.sampled_from(["", "535.171.04", "550.135", "570.86.10"]),
    "ssh.authorized_key": st.just(KEY),
    "user.workdir": st.sampled_from(["/root", "/home/ubuntu", "/config", "/workspace"]),
    "network.extra_ca": st.sampled_from(["", str(CA)]),
    "mirror.registry": st.sampled_from(["", "", "mirror.example.com:5000", "harbor.example.com/hub-proxy"]),
    "mirror.pytorch": st.sampled_from(["", "", "https://mirror.example.com/pytorch/whl", "http://10.0.0.5:8080/whl"]),
}
LISTS = {
    # distinct last parts (two entries of one name are refused); not placed in the folder: listed to place
    "app.files": st.lists(st.sampled_from(["tool", "app.jar", "dist/launcher"]), max_size=2, unique=True),
    "app.jupyter_extras": st.lists(st.sampled_from(["notebook", "jupyter-ai"]), max_size=2, unique=True),
    "packages.apt": st.lists(st.sampled_from(["htop", "libgl1", "g++", "python3-dev", "unzip"]), max_size=3, unique=True),
    "packages.pip": st.lists(st.sampled_from(["ray==2.9.0", "requests", "numpy>=1.26", "ray[client]==2.9.0"]),
                             max_size=3, unique=True),
}
PORTS = st.sampled_from([22, 2222, 8006, 8080, 31000, 31001])


@st.composite
def given_answers(draw) -> dict:
    """A dict of given answers for every field that applies, drawn in tree order."""
    a: dict = {}
    for field in FIELDS:
        if not field.when(a):
            continue
        if field.kind == "choice":
            choices = [c.value for c in field.choices_for(a)]
            if field.key == "gpu.pytorch" and draw(st.booleans()):
                value = ""
            else:
                value = draw(st.sampled_from(choices))
        elif field.kind == "bool":
            value = draw(st.booleans())
        elif field.kind == "int":
            value = draw(PORTS)
        elif field.kind == "list":
            value = draw(LISTS[field.key])
        else:
            value = draw(TEXT[field.key])
        a[field.key] = value
    return a
