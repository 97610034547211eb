"""Each snippet, tested on the Dockerfile or support file it renders for answers that exercise it."""

from __future__ import annotations

import re
import subprocess

import pytest

from wizard import knowledge
from wizard.render import render
from wizard.validate import validate

from tests.answer_space import CA, KEY

NO_SSH = {"ssh.enabled": False}

PACKAGES_RUN = "RUN mkdir -p /usr/share/man/man1"  # the start of the one apt packages layer


def ctx(**given):
    given = {k.replace("__", "."): v for k, v in given.items()}
    answers, problems = validate({**NO_SSH, **given})
    assert problems == []
    return render(answers)


def without_labels(dockerfile: str) -> str:
    """The Dockerfile before its last section, the labels (tests/test_labels.py checks those): they hold
    the answers as data, so an answer's text is in them without being in a layer), and the build-time ARG they
    read, which comes before USER and CMD (issue 13: a start-command change re-runs two steps)."""
    body = dockerfile[:dockerfile.index("\n# --- labels:")] + "\n"
    return re.sub(r"# --- the build time for the labels[^\n]*\nARG IMGWIZARD_CREATED\n\n?", "", body)


def df(**given) -> str:
    return without_labels(ctx(**given).dockerfile)


def env_of(text: str) -> dict[str, str]:
    """NAME -> value over every ENV instruction of a Dockerfile (continuation lines joined), later ones winning."""
    joined = re.sub(r" \\\n\s*", " ", text)
    found: dict[str, str] = {}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            found.update(item.split("=", 1) for item in line[4:].split())
    return found


def instructions(text: str) -> list[str]:
    return [ln.split()[0] for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]


def test_base_image_per_engine_and_family():
    assert "FROM debian:bookworm-slim" in df()
    assert "FROM ubuntu:24.04" in df(os__family="ubuntu", os__version="24.04")
    assert "FROM alpine:3.21" in df(os__family="alpine", os__version="3.21")
    assert "FROM scratch" in df(app__type="binary", app__command="hello")
    # a third-party base by its pinned release (with its digest where recorded), never a moving tag (issue 27)
    jlesage = knowledge.base("novnc", "debian", "12")
    assert f"FROM {jlesage.ref()}\n" in df(app__type="desktop", os__family="debian", os__version="12")
    assert jlesage.ref().startswith("jlesage/baseimage-gui:debian-12-v4.13.1")
    assert "FROM registry.example.com/debian:12" in df(os__base_image="registry.example.com/debian:12")


@pytest.mark.parametrize("family,version,path,expect", [
    ("debian", "12", "/etc/apt/sources.list.d/debian.sources",
     "s|http://deb.debian.org/debian|http://mirrors.tuna.tsinghua.edu.cn/debian|g"),
    ("ubuntu", "22.04", "/etc/apt/sources.list", "s|http://security.ubuntu.com/ubuntu|http://mirrors.tuna.tsinghua.edu.cn/ubuntu|g"),
    ("ubuntu", "24.04", "/etc/apt/sources.list.d/ubuntu.sources", "s|http://archive.ubuntu.com/ubuntu|http://mirrors.tuna.tsinghua.edu.cn/ubuntu|g"),
    ("alpine", "3.21", "/etc/apk/repositories", "s|https://dl-cdn.alpinelinux.org/alpine|http://mirrors.tuna.tsinghua.edu.cn/alpine|g"),
])
def test_mirrors_rewrite_the_host_in_place_in_the_file_the_base_has(family, version, path, expect):
    text = df(os__family=family, os__version=version, mirror__apt="tuna")
    line = next(ln for ln in text.splitlines() if ln.startswith("RUN sed") and "mirrors" in ln)
    assert expect in line and line.endswith(path)
    assert "> /etc/apt/sources.list" not in text  # never a second, duplicate list
    assert text.index("RUN sed") < text.index(PACKAGES_RUN if family != "alpine" else "RUN apk add")


def test_pip_and_conda_mirrors():
    assert "ENV PIP_INDEX_URL=https://mirrors.ustc.edu.cn/pypi/simple" in df(mirror__pip="ustc")
    c = ctx(app__type="web", app__name="jupyter", mirror__conda="tuna")
    assert "COPY condarc /opt/conda/condarc.d/imgwizard.yaml" in c.dockerfile  # merged, not replacing .condarc
    assert "https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud" in c.files["condarc"].text
    assert "ENV PIP_INDEX_URL=http://pypi.internal/simple" in df(mirror__pip="http://pypi.internal/simple")


def _apt_list(dockerfile: str) -> list[str]:
    """The packages the system set-up RUN's apt-get install names."""
    block = dockerfile[dockerfile.index("apt-get install -y --no-install-recommends"):].split("    && ", 1)[0]
    return block.replace("\\", " ").split()[4:]


def test_a_package_the_base_already_has_is_not_named_so_not_upgraded():
    """bookworm-slim has tzdata (bases.toml `preinstalled`, with its source): naming it would upgrade it."""
    assert "tzdata" not in _apt_list(df(locale__timezone="Asia/Shanghai"))
    assert "/usr/share/zoneinfo/Asia/Shanghai /etc/localtime" in df(locale__timezone="Asia/Shanghai")
    assert "tzdata" in _apt_list(df(locale__timezone="Asia/Shanghai", packages__apt=["tzdata"]))  # asked for
    assert "tzdata" in _apt_list(df(locale__timezone="Asia/Shanghai", os__base_image="registry.local/my/debian:12"))
    assert "tzdata" in _apt_list(df(os__family="ubuntu", locale__timezone="Asia/Shanghai"))
    assert "tzdata" in df(os__family="alpine", os__version="3.21", locale__timezone="Asia/Shanghai")


def test_chinese_locale_fonts_and_time_zone_per_family():
    debian = df(locale__chinese=True)
    assert "locales" in debian and "language-pack-zh-hans" not in debian
    # the CJK font only where something in the image draws text: a desktop (plan._draws_text)
    assert "fonts-wqy-zenhei" not in debian and "fonts-wqy-zenhei" not in df(locale__chinese=True, app__type="web",
                                                                             app__name="jupyter")
    assert "fonts-wqy-zenhei" in df(locale__chinese=True, app__type="desktop")
    assert "sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen" in debian
    assert env_of(debian)["TZ"] == "Asia/Shanghai" and "/usr/share/zoneinfo/Asia/Shanghai /etc/localtime" in debian
    ubuntu = df(os__family="ubuntu", locale__chinese=True)
    assert "language-pack-zh-hans" in ubuntu and "locale-gen zh_CN.UTF-8" in ubuntu
    alpine = df(os__family="alpine", os__version="3.21", locale__chinese=True)
    assert "musl-locales" in alpine and "font-wqy-zenhei" not in alpine and "locale-gen" not in alpine
    assert env_of(alpine)["LANG"] == "zh_CN.UTF-8"


def test_packages_one_layer_no_recommends_lists_cleaned():
    text = df(packages__apt=["htop", "unzip"], packages__common=True)
    assert text.count("apt-get update") == 1
    run = text[text.index(PACKAGES_RUN):].split("\n\n")[0]
    assert "--no-install-recommends" in run and "rm -rf /var/lib/apt/lists/*" in run
    # the slim base has no man1, and OpenJDK's postinst links a man page there (tests/docker/test_java.py)
    assert run.index("mkdir -p /usr/share/man/man1") < run.index("apt-get install")
    for pkg in ("htop", "unzip", "git", "nano", "vim", "sudo", "wget", "curl"):
        assert re.search(rf"^\s+{re.escape(pkg)} \\$", run, re.MULTILINE), pkg
    alpine = df(os__family="alpine", os__version="3.21", packages__apt=["htop"])
    assert "apk add --no-cache" in alpine and "apt-get" not in alpine


def test_java_with_java_home():
    text = df(packages__java="17")
    assert "openjdk-17-jdk-headless" in text and env_of(text)["JAVA_HOME"] == "/usr/lib/jvm/java-17-openjdk-amd64"
    # one ENV: $JAVA_HOME is not set yet inside it, so PATH names the folder itself
    assert env_of(text)["PATH"] == "/usr/lib/jvm/java-17-openjdk-amd64/bin:$PATH"
    assert env_of(df(os__family="ubuntu", os__version="24.04", packages__java="21", image__arch="arm64"))[
        "JAVA_HOME"] == "/usr/lib/jvm/java-21-openjdk-arm64"
    both = env_of(df(packages__java="17", packages__pip=["six"]))
    assert both["PATH"] == "/opt/venv/bin:/usr/lib/jvm/java-17-openjdk-amd64/bin:$PATH"


def test_pip_packages_go_into_a_venv_late():
    text = df(packages__pip=["ray==2.9.0", "ray[client]==2.9.0"])
    assert "&& python3 -m venv /opt/venv" in text and env_of(text)["PATH"] == "/opt/venv/bin:$PATH"
    assert "RUN pip install --no-cache-dir \\\n        ray==2.9.0 \\\n        'ray[client]==2.9.0'\n" in text
    assert text.index("pip install") > text.index("python3 -m venv")


def test_pytorch_comes_from_the_wheel_index_of_the_variant():
    text = df(gpu__vendor="nvidia", gpu__host_driver="535.171.04", gpu__pytorch="2.4.0", mirror__pip="tuna")
    assert "torch==2.4.0 torchvision==0.19.0 torchaudio==2.4.0" in text
    assert "--index-url https://download.pytorch.org/whl/cu121" in text
    assert "--extra-index-url https://pypi.tuna.tsinghua.edu.cn/simple" in text
    assert "download.pytorch.org/whl/cpu" in df(gpu__pytorch="2.4.0")  # no GPU: the CPU build
    assert "#install-pytorch" not in text  # the guide's -f page link is not an index


def test_root_user_workdir_home_and_jlesage_user_id():
    text = df(user__workdir="/home/ubuntu")
    assert "WORKDIR /home/ubuntu" in text and env_of(text)["HOME"] == "/home/ubuntu" and "USER " not in text
    desk = df(app__type="desktop")
    assert env_of(desk)["USER_ID"] == "0" and env_of(desk)["GROUP_ID"] == "0" and "WORKDIR /config" in desk
    assert "/etc/passwd" not in desk
    user = df(user__root=False, user__workdir="/home/app")
    assert "useradd --create-home --home-dir /home/app --uid 1000" in user and instructions(user)[-2:] == ["USER", "CMD"]


def test_nvidia_driver_from_a_copied_run_file():
    c = ctx(gpu__vendor="nvidia", gpu__driver="550.135", gpu__host_driver="550.135")
    text = c.dockerfile
    assert "COPY NVIDIA-Linux-x86_64-550.135.run /opt/nvidia/NVIDIA-Linux-x86_64-550.135.run" in text
    assert "--silent --no-kernel-modules" in text and "--accept-license" not in text
    assert "blacklist nouveau" in text and "update-initramfs" not in text
    assert ("NVIDIA-Linux-x86_64-550.135.run", "the NVIDIA driver installer of the host's exact version") in c.plan.user_files
    assert "--gpus all" in c.files["run.sh"].text and "count: all" in c.files["compose.yaml"].text
    assert "--gpus '\"device=0,1\"'" in ctx(gpu__vendor="nvidia", gpu__devices="0,1").files["run.sh"].text
    assert "COPY NVIDIA" not in df(gpu__vendor="nvidia")  # default: the toolkit mounts the host's driver


def test_ascend_devices_and_driver():
    c = ctx(gpu__vendor="ascend", gpu__devices="0,1")
    run = c.files["run.sh"].text
    for flag in ("--device /dev/davinci0", "--device /dev/davinci1", "--device /dev/davinci_manager",
                 "--device /dev/devmm_svm", "--device /dev/hisi_hdc", "-v /usr/local/Ascend/driver:/usr/local/Ascend/driver:ro",
                 "-e ASCEND_VISIBLE_DEVICES=0,1"):
        assert flag in run
    assert "LD_LIBRARY_PATH=/usr/local/Ascend/driver/lib64/common:/usr/local/Ascend/driver/lib64/driver" in c.dockerfile
    copy = ctx(gpu__vendor="ascend", gpu__ascend_driver="copy")
    assert "COPY ascend/npu-smi /usr/local/bin/npu-smi" in copy.dockerfile
    assert "/usr/local/Ascend/driver:ro" not in copy.files["run.sh"].text  # a mount would hide the copied files


def test_jetbrains_on_novnc_unpacks_in_a_stage_and_starts_from_startapp():
    c = ctx(app__type="desktop", app__name="jetbrains", app__archive="pycharm-community-2024.2.1.tar.gz")
    text = without_labels(c.dockerfile)
    assert f"FROM {c.plan.base.ref()} AS unpack" in text and c.plan.base_image == c.plan.base.ref()
    assert "--strip-components=1" in text and "COPY --from=unpack /opt/pycharm /opt/pycharm" in text
    final = text[text.rindex("\nFROM "):]
    assert "pycharm-community-2024.2.1.tar.gz" not in final  # the archive never reaches the image
    assert "COPY startapp.sh /startapp.sh" in text and "RUN set-cont-env APP_NAME 'PyCharm Community'" in text
    assert c.files["startapp.sh"].mode == 0o755 and "exec /usr/local/bin/pycharm" in c.files["startapp.sh"].text
    assert "idea.config.path=/config/.pycharm/config" in c.files["idea.properties"].text
    assert "ENV WEB_LISTENING_PORT=31000" in text and "EXPOSE 31000" in text
    assert "ENTRYPOINT" not in final and "CMD" not in final  # the base image's /init starts the desktop
    for invented in ("GUI_AUTOLOGIN", "GUI_USER", "ENABLE_CLIPBOARD", "VNC_PORT="):
        assert invented not in text


def test_kasm_engines():
    kasm = ctx(app__type="desktop", desktop__engine="kasm", app__name="command", app__command="xterm")
    assert "COPY autostart /defaults/autostart" in kasm.dockerfile and kasm.files["autostart"].text == "xterm\n"
    assert "ENV CUSTOM_PORT=31000" in kasm.dockerfile
    assert 'export PASSWORD="$DESKTOP_PASSWORD"' in kasm.files["run.sh"].text  # by name: -e PASSWORD
    web = ctx(app__type="desktop", desktop__engine="kasmweb", app__name="command", app__command="xterm")
    assert "COPY custom_startup.sh /dockerstartup/custom_startup.sh" in web.dockerfile
    assert without_labels(web.dockerfile).rstrip().endswith("USER 1000") and "ENV NO_VNC_PORT=31000" in web.dockerfile
    assert "while true" in web.files["custom_startup.sh"].text


def test_jupyter_miniconda_token_on_and_base_url_from_notebook_args():
    c = ctx(app__type="web", app__name="jupyter", app__python="3.10", image__arch="arm64")
    text = c.dockerfile
    assert "Miniconda3-latest-Linux-aarch64.sh" in text and "python=3.10" in text
    assert "COPY condarc /opt/conda/condarc.d/imgwizard.yaml" in text  # terms accepted there, no mirror
    assert "auto_accept_tos: true" in c.files["condarc"].text and "default_channels" not in c.files["condarc"].text
    assert env_of(text)["PATH"] == "/opt/conda/envs/jupyter/bin:/opt/conda/condabin:$PATH"  # `conda` for every shell
    assert env_of(text)["CONDA_DEFAULT_ENV"] == "jupyter" and "Terms of Service" in c.files["README.md"].text
    assert "COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py" in text
    config = c.files["jupyter_server_config.py"].text
    assert "c.ServerApp.port = 31000" in config and "token = \"\"" not in config
    assert "NOTEBOOK_ARGS" in c.files["start-jupyter.sh"].text
    assert "-e JUPYTER_TOKEN" in c.files["run.sh"].text and "- JUPYTER_TOKEN" in c.files["compose.yaml"].text
    off = ctx(app__type="web", app__name="jupyter", app__auth=False)
    assert 'c.IdentityProvider.token = ""' in off.files["jupyter_server_config.py"].text
    assert any("app.auth is off" in w for w in off.warnings) and "app.auth is off" in off.files["README.md"].text
    system = df(app__type="web", app__name="jupyter", app__python_from="system")
    assert "miniconda" not in system.lower() and "python3 -m venv" in system


def test_jupyter_extras_are_off_by_default_and_installed_when_named():
    assert "RUN pip install --no-cache-dir jupyterlab\n" in df(app__type="web", app__name="jupyter")
    both = df(app__type="web", app__name="jupyter", app__jupyter_extras="jupyter-ai notebook")
    assert "RUN pip install --no-cache-dir jupyterlab jupyter-ai notebook" not in both  # [all] and quoted
    assert "RUN pip install --no-cache-dir jupyterlab 'jupyter-ai[all]' notebook\n" in both


def test_uv_installs_jupyter_into_the_venv_through_the_pip_mirror_and_is_removed_in_the_same_run():
    """The venv's app install goes through uv, pinned, fetched and removed in one RUN, with the pip mirror as
    uv's --index-url (uv does not read PIP_INDEX_URL); the conda env keeps pip. The build itself is
    tests/docker/test_pip_mirror.py."""
    conda = df(app__type="web", app__name="jupyter", mirror__pip="tuna")
    assert conda.split("# --- the app: JupyterLab\n", 1)[1].startswith("RUN pip install --no-cache-dir jupyterlab\n")
    system = df(app__type="web", app__name="jupyter", app__python_from="system", mirror__pip="tuna",
                app__jupyter_extras="notebook")
    run = system.split("# --- the app: JupyterLab and notebook\n", 1)[1].split("\n\n", 1)[0]
    assert run == (
        f"RUN pip install --no-cache-dir --disable-pip-version-check --target /tmp/uv uv=={knowledge.uv_version()} \\\n"
        "    && /tmp/uv/bin/uv pip install --no-cache --compile-bytecode --python /opt/venv/bin/python \\\n"
        "        --index-url https://pypi.tuna.tsinghua.edu.cn/simple \\\n"
        "        jupyterlab notebook \\\n"
        "    && rm -rf /tmp/uv"), run
    assert "ENV PIP_INDEX_URL=https://pypi.tuna.tsinghua.edu.cn/simple\n" in system  # pip fetches uv from it
    plain = df(app__type="web", app__name="jupyter", app__python_from="system")
    assert "--index-url" not in plain and "/tmp/uv/bin/uv pip install" in plain
    assert "/tmp/uv" not in df(packages__pip="six")  # no app: the user's packages use pip


@pytest.mark.parametrize("bad", ["jupyter_http_over_ws", "Notebook", "notebook2", "notebook ", "jupyter-ai[all]"])
def test_jupyter_extras_accept_only_the_known_names(bad):
    _, problems = validate({**NO_SSH, "app.type": "web", "app.name": "jupyter", "app.jupyter_extras": [bad]})
    assert [k for k, _ in problems] == ["app.jupyter_extras"] and "accepted: notebook, jupyter-ai" in problems[0][1]


def test_code_server_pinned_deb_password_from_environment():
    c = ctx(app__type="web", app__name="code-server", image__arch="arm64")
    assert "code-server_4.138.0_arm64.deb" in c.dockerfile and "dpkg -i" in c.dockerfile
    start = c.files["start-code-server.sh"].text
    assert "--bind-addr 0.0.0.0:31000 --auth password" in start
    assert "--auth none" in ctx(app__type="web", app__name="code-server", app__auth=False).files["start-code-server.sh"].text


def test_ssh_key_auth_no_password_host_keys_made_at_start():
    c = ctx(ssh__enabled=True, ssh__authorized_key=KEY, ssh__port=2222)
    text = c.dockerfile
    assert "openssh-server" in text and "rm -f /etc/ssh/ssh_host_*" in text
    assert "COPY authorized_keys /etc/ssh/authorized_keys/root" in text and c.files["authorized_keys"].text == KEY + "\n"
    assert "service ssh" not in text and "systemctl" not in text and "chpasswd" not in text
    conf = c.files["sshd_config"].text
    assert "Port 2222" in conf and "PasswordAuthentication no" in conf and "PermitRootLogin prohibit-password" in conf
    assert "ssh-keygen -A" in c.files["imgwizard-entry.sh"].text
    assert 'CMD ["/usr/sbin/sshd", "-D", "-e"]' in text and "EXPOSE 2222" in text


def test_ssh_password_only_from_the_environment_at_start():
    c = ctx(ssh__enabled=True, ssh__auth="password")
    entry = c.files["imgwizard-entry.sh"].text
    assert 'chpasswd' in entry and "SSH_PASSWORD" in entry and "chpasswd" not in c.dockerfile
    assert "PasswordAuthentication yes" in c.files["sshd_config"].text
    assert "-e SSH_PASSWORD" in c.files["run.sh"].text
    sh = ctx(os__family="alpine", os__version="3.21", ssh__enabled=True, ssh__auth="password")
    assert sh.files["imgwizard-entry.sh"].text.startswith("#!/bin/sh") and "UsePAM" not in sh.files["sshd_config"].text


def test_socat_forwarding_wrapper_execs_the_base_entrypoint():
    c = ctx(forward__enabled=True, forward__listen=31000, forward__target=8006)
    entry = c.files["imgwizard-entry.sh"].text
    assert "socat TCP-LISTEN:31000,fork,reuseaddr TCP:127.0.0.1:8006 &" in entry and entry.rstrip().endswith('exec "$@"')
    assert 'ENTRYPOINT ["/bin/sh", "/usr/local/bin/imgwizard-entry.sh"]' in c.dockerfile
    desk = ctx(app__type="desktop", desktop__engine="kasmweb", app__name="command", app__command="xterm",
               forward__enabled=True, forward__listen=31001, forward__target=8080)
    assert ('ENTRYPOINT ["/bin/sh", "/usr/local/bin/imgwizard-entry.sh", "/dockerstartup/kasm_default_profile.sh", '
            '"/dockerstartup/vnc_startup.sh", "/dockerstartup/kasm_startup.sh"]') in desk.dockerfile
    assert 'CMD ["--wait"]' in desk.dockerfile
    novnc = ctx(app__type="desktop", forward__enabled=True, forward__listen=31001, forward__target=8080)
    assert 'CMD ["/init"]' in novnc.dockerfile


def test_binary_on_scratch():
    c = ctx(app__type="binary", app__command="hello")
    assert instructions(without_labels(c.dockerfile)) == ["FROM", "COPY", "ENTRYPOINT"]
    assert 'ENTRYPOINT ["/app/hello"]' in c.dockerfile
    assert c.files[".dockerignore"].text.splitlines()[-2:] == ["*", "!hello"]


def test_app_files_are_copied_last_by_their_names_and_only_they_are_sent(tmp_path):
    """app.files: one COPY per entry into /opt/<image name>/, after the installed parts, and the context sends
    exactly those entries and the support files (tests/test_app_files.py for the rules, tests/docker for a build)."""
    answers, problems = validate({**NO_SSH, "app.type": "desktop", "desktop.engine": "builtin", "app.name": "command",
                                  "os.family": "debian", "os.version": "12", "image.name": "team/mytool",
                                  "app.files": ["tool", "build/libs/app.jar"],
                                  "app.command": "/opt/mytool/tool/bin/start"}, tmp_path)
    assert problems == []
    c = render(answers, tmp_path)
    body = without_labels(c.dockerfile)
    lines = body.splitlines()
    first = lines.index("# --- the app's own files (app.files): change most often, so last")
    assert lines[first + 1:first + 3] == ["COPY tool /opt/mytool/tool", "COPY build/libs/app.jar /opt/mytool/app.jar"]
    assert instructions("\n".join(lines[first + 3:])) == ["CMD"]  # then only CMD (and the ARG, labels)
    allowed = [ln[1:] for ln in c.files[".dockerignore"].text.splitlines() if ln.startswith("!")]
    assert allowed == ["build/libs/app.jar", "imgwizard-desktop.sh", "novnc-index.html", "tool"]


def test_extra_ca_is_copied_and_trusted_before_any_download():
    c = ctx(network__extra_ca=str(CA))
    text = c.dockerfile
    assert text.index("COPY extra-ca.crt") < text.index(PACKAGES_RUN)
    assert "update-ca-certificates" in text and "PIP_CERT=/etc/ssl/certs/ca-certificates.crt" in text
    assert c.files["extra-ca.crt"].text == CA.read_text()


def test_support_files_and_dockerignore_list_exactly_what_is_copied():
    c = ctx(ssh__enabled=True, ssh__authorized_key=KEY, forward__enabled=True)
    allowed = [ln[1:] for ln in c.files[".dockerignore"].text.splitlines() if ln.startswith("!")]
    assert allowed == ["authorized_keys", "imgwizard-entry.sh", "sshd_config"]
    assert set(allowed) <= set(c.files)
    assert {"Dockerfile", "run.sh", "compose.yaml", "README.md", "imgwizard.toml", ".dockerignore"} <= set(c.files)


def test_summary_line_in_both_languages():
    from wizard.render import summary
    a = ctx(ssh__enabled=True, ssh__authorized_key=KEY, locale__chinese=True).answers
    assert summary(a) == "shell image on debian 12, SSH (key), Chinese locale"
    assert summary(a, "zh") == "命令行镜像，基于 debian 12，SSH（key），中文环境"


def _commit_hooks(entry: str) -> str:
    """The wrapper's `case` that `imgwizard commit` calls, up to its end."""
    return entry[entry.index('case "${1:-}" in'):entry.index("esac")]


def test_entry_wrapper_undoes_its_secrets_for_a_commit_and_puts_them_back():
    entry = ctx(ssh__enabled=True, ssh__auth="password").files["imgwizard-entry.sh"].text
    hooks = _commit_hooks(entry)
    before, after = hooks.split("--after-commit)")
    # Before: the host keys go to a memory file system; /etc/shadow and its backup get the image's line back.
    assert 'mv "$key" "$hold/"' in before and "hold=/dev/imgwizard-commit" in entry
    assert "for f in /etc/shadow /etc/shadow-" in before and 'put_back "$f"' in before
    assert "chpasswd" not in hooks  # put back exactly, without shadow tools (they write the old hash to shadow-)
    assert 'mv "$key" /etc/ssh/' in after and 'cat "$hold/${f#/etc/}" > "$f"' in after
    # The image's line is kept once, before the first chpasswd, so a restart does not keep a set hash.
    keep = entry.index("grep '^root:' /etc/shadow > \"$image_line\"")
    assert 'if [ ! -f "$image_line" ]' in entry[:keep] and keep < entry.index("| chpasswd")
    assert entry.index("esac") < entry.index("ssh-keygen -A")  # the hooks never start anything
    # A commit during the start-up waits for its end (marked last, so the keys, password and sshd are all done)
    # before it moves anything; a pid file left by an earlier start is not taken for this start's sshd.
    assert before.split("\n")[2].strip() == "wait_started || exit 3"  # the first thing --before-commit does
    mark = entry.index('mv "$started.tmp" "$started"')
    assert entry.index('mv "$session_env.tmp" "$session_env"') < mark < entry.index('exec "$@"')
    assert "started=/dev/" in entry and "/usr/sbin/sshd -e" not in entry  # sshd is the command: wait_started waits
    web = ctx(app__type="web", app__name="jupyter", ssh__enabled=True, ssh__authorized_key=KEY)
    web_entry = web.files["imgwizard-entry.sh"].text  # sshd in the background: started before the mark
    assert web_entry.index("/usr/sbin/sshd -e") < web_entry.index('> "$started.tmp"') < web_entry.index('exec "$@"')
    assert entry.index("rm -f /run/sshd.pid") < entry.index("ssh-keygen -A")
    key = ctx(ssh__enabled=True, ssh__authorized_key=KEY).files["imgwizard-entry.sh"].text
    assert "put_back" not in key and 'mv "$key" "$hold/"' in _commit_hooks(key)
    forward = ctx(forward__enabled=True, forward__listen=31000, forward__target=8006).files["imgwizard-entry.sh"].text
    assert "--before-commit|--after-commit) exit 0 ;;" in forward and forward.index("esac") < forward.index("socat")
    assert "started" not in forward  # nothing to wait for


def test_entry_wrapper_and_start_scripts_parse_as_sh():
    import subprocess

    scripts = [ctx(ssh__enabled=True, ssh__auth=auth, ssh__authorized_key=KEY).files["imgwizard-entry.sh"].text
               for auth in ("password", "key")]
    scripts.append(ctx(app__type="web", app__name="jupyter").files["start-jupyter.sh"].text)
    for text in scripts:
        r = subprocess.run(["sh", "-n"], input=text, text=True, capture_output=True)
        assert r.returncode == 0, r.stderr


def test_jupyter_runtime_files_with_the_token_stay_out_of_the_image_files():
    start = ctx(app__type="web", app__name="jupyter").files["start-jupyter.sh"].text
    assert 'export JUPYTER_RUNTIME_DIR="/dev/shm/jupyter-runtime-$(id -u)"' in start
    assert 'if [ -z "${JUPYTER_RUNTIME_DIR:-}" ]' in start  # a folder the user chose is kept
    assert start.index("JUPYTER_RUNTIME_DIR") < start.index("exec jupyter lab")


def test_secret_names_cover_every_secret_a_plan_passes():
    from wizard import knowledge
    from wizard.plan_start import secret_names

    names = secret_names()
    for engine in ("novnc", "kasm", "kasmweb", "builtin"):
        assert knowledge.desktop(engine)["password_env"] in names
        desk = ctx(app__type="desktop", desktop__engine=engine, app__name="command", app__command="xterm")
        assert {s.name for s in desk.plan.secrets} <= names and desk.plan.secrets
    for app in ("jupyter", "code-server"):
        web = ctx(app__type="web", app__name=app)
        assert {s.name for s in web.plan.secrets} <= names and web.plan.secrets
    assert {s.name for s in ctx(ssh__enabled=True, ssh__auth="password").plan.secrets} == {"SSH_PASSWORD"}


# --- run.sh as a shell runs it: `docker` is a script on PATH that prints its arguments, one per line

ASCEND_FLAGS = ["--device", "/dev/davinci0", "--device", "/dev/davinci_manager", "--device", "/dev/devmm_svm",
                "--device", "/dev/hisi_hdc", "-v", "/usr/local/dcmi:/usr/local/dcmi",
                "-v", "/usr/local/bin/npu-smi:/usr/local/bin/npu-smi",
                "-v", "/usr/local/Ascend/driver:/usr/local/Ascend/driver:ro",
                "-v", "/etc/ascend_install.info:/etc/ascend_install.info:ro"]
DESKTOP_ENV = {"DESKTOP_PASSWORD": "pw with 'quotes' and spaces"}
EXPECTED_ARGV = {
    "ascend-shell": ["-p", "0.0.0.0:2222:22", *ASCEND_FLAGS, "--init", "-e", "ASCEND_VISIBLE_DEVICES=0"],
    "binary-scratch": [],
    "builtin-desktop": ["-p", "0.0.0.0:31000:31000", "-e", "DESKTOP_PASSWORD"],
    "builtin-idea-ubuntu": ["-p", "0.0.0.0:31000:31000", "-e", "DESKTOP_PASSWORD"],
    "code-server-debian": ["-p", "0.0.0.0:31000:31000", "--init", "-e", "PASSWORD"],
    "debian-shell-ssh": ["-p", "0.0.0.0:2222:22", "-p", "0.0.0.0:31000:31000", "--init"],
    "jupyter-nvidia": ["-p", "0.0.0.0:31000:31000", "--gpus", "all", "--init", "-e", "JUPYTER_TOKEN"],
    "kasm-desktop": ["-p", "0.0.0.0:31000:31000", "-e", "PASSWORD"],
    "python-service": ["-p", "0.0.0.0:31000:31000", "--init"],
    "kasmweb-idea": ["-p", "0.0.0.0:31000:31000", "--shm-size=512m", "-e", "VNC_PW"],
    "pycharm-novnc": ["-p", "0.0.0.0:31000:31000", "--gpus", "all", "-e", "VNC_PASSWORD"],
}


def run_sh_argv(text: str, tmp_path, env: dict[str, str] | None = None, extra: tuple[str, ...] = ()) -> list[str]:
    """The argument vector run.sh hands to docker: sh runs it with a `docker` on PATH that prints each argument."""
    script = tmp_path / "run.sh"
    script.write_text(text)
    subprocess.run(["sh", "-n", str(script)], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "docker"
    fake.write_text('#!/bin/sh\nfor arg in "$@"; do printf "%s\\0" "$arg"; done\n')
    fake.chmod(0o755)
    r = subprocess.run(["sh", str(script), *extra], capture_output=True, text=True, check=True,
                       env={"PATH": f"{bin_dir}:/usr/bin:/bin", **(env or {})})
    return r.stdout.split("\0")[:-1]


@pytest.mark.parametrize("example", sorted(EXPECTED_ARGV))
def test_run_sh_of_each_example_hands_docker_the_expected_arguments(example, tmp_path):
    from tests.test_golden import EXAMPLES, load
    path = next(p for p in EXAMPLES if p.stem == example)
    answers, problems = load(path)
    assert problems == []
    c = render(answers, path.parent)
    image = f"{answers['image.name']}:{answers['image.tag']}"
    name = answers["image.name"].replace("/", "-")
    # --rm needs RESTART_POLICY=no (docker refuses --rm with a restart policy; run.sh's default is unless-stopped)
    argv = run_sh_argv(c.files["run.sh"].text, tmp_path, {**DESKTOP_ENV, "RESTART_POLICY": "no"}, ("--rm",))
    assert argv == ["run", "-d", "--name", name, "--restart", "no", *EXPECTED_ARGV[example], "--rm", image]


@pytest.mark.parametrize("example", sorted(EXPECTED_ARGV))
def test_compose_yaml_asks_for_what_run_sh_asks_for(example, tmp_path):
    """compose.yaml and run.sh are two ways to start one container: the same image (which compose builds from
    this folder's Dockerfile, issue 30), ports, devices, mounts, shared-memory size, init, restart policy, GPUs
    and environment, secrets by name (compose's keys read as docker compose reads them)."""
    import yaml

    from tests.test_golden import EXAMPLES, load
    path = next(p for p in EXAMPLES if p.stem == example)
    answers = load(path)[0]
    c = render(answers, path.parent)
    argv = run_sh_argv(c.files["run.sh"].text, tmp_path, DESKTOP_ENV)
    service = next(iter(yaml.safe_load(c.files["compose.yaml"].text)["services"].values()))

    def values(flag: str) -> list[str]:
        return [argv[i + 1] for i, arg in enumerate(argv) if arg == flag]

    assert values("-p") == [re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", port) for port in service.get("ports", [])]
    assert values("--restart") == [re.sub(r"\$\{RESTART_POLICY:-([^}]*)\}", r"\1", service["restart"])]
    assert values("--device") == service.get("devices", [])
    assert values("-v") == service.get("volumes", [])
    assert [a.split("=", 1)[1] for a in argv if a.startswith("--shm-size=")] == (
        [service["shm_size"]] if "shm_size" in service else [])
    assert ("--init" in argv) == service.get("init", False)
    assert argv[-1] == service["image"] == f"{answers['image.name']}:{answers['image.tag']}"
    assert service["build"] == {"context": ".", "dockerfile": "Dockerfile"}  # this folder, its Dockerfile
    # each variable by the same name; a secret's value never in either file (run.sh: -e NAME; compose: NAME, or
    # NAME=${HOST...} which compose fills in from its environment)
    assert [e.split("=", 1)[0] for e in values("-e")] == [e.split("=", 1)[0] for e in service.get("environment", [])]
    for given, asked in zip(values("-e"), service.get("environment", [])):
        assert given == asked or "=" not in given or asked.split("=", 1)[1].startswith("${")
    gpus = service.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
    assert values("--gpus") == (["all"] if gpus and gpus[0].get("count") == "all" else
                                [f'"device={",".join(gpus[0]["device_ids"])}"'] if gpus else [])


def test_every_example_has_its_expected_argument_vector():
    from tests.test_golden import EXAMPLES
    assert {p.stem for p in EXAMPLES} == set(EXPECTED_ARGV)


@pytest.mark.parametrize("devices,gpus", [("0,1", '"device=0,1"'), ("2", '"device=2"'), ("all", "all")])
def test_nvidia_devices_reach_docker_as_one_csv_argument(devices, gpus, tmp_path):
    c = ctx(gpu__vendor="nvidia", gpu__devices=devices)
    argv = run_sh_argv(c.files["run.sh"].text, tmp_path)
    assert argv[argv.index("--gpus") + 1] == gpus  # docker's CSV parser reads 0,1 as one device list
    if devices != "all":
        assert f'device_ids: [{", ".join(f"{chr(34)}{d}{chr(34)}" for d in devices.split(","))}]' in c.files["compose.yaml"].text


def test_ssh_is_published_on_a_host_port_other_than_22_and_the_user_can_choose(tmp_path):
    c = ctx(ssh__enabled=True, ssh__auth="password", app__type="web", app__name="jupyter", app__port=31000)
    text = c.files["run.sh"].text
    assert run_sh_argv(text, tmp_path)[6:10] == ["-p", "0.0.0.0:2222:22", "-p", "0.0.0.0:31000:31000"]
    assert run_sh_argv(text, tmp_path, {"SSH_HOST_PORT": "40022"})[6:8] == ["-p", "0.0.0.0:40022:22"]
    assert '- "${BIND_ADDRESS:-0.0.0.0}:${SSH_HOST_PORT:-2222}:22"' in c.files["compose.yaml"].text
    assert '- "${BIND_ADDRESS:-0.0.0.0}:${APP_HOST_PORT:-31000}:31000"' in c.files["compose.yaml"].text
    assert "ssh -p 2222 root@HOST" in c.files["README.md"].text
    other = ctx(ssh__enabled=True, ssh__auth="password", ssh__port=2200).files["run.sh"].text
    assert run_sh_argv(other, tmp_path)[6:8] == ["-p", "0.0.0.0:2200:2200"]


# --- SSH on every base: the non-root account, the sessions' environment, binaries (render level for the bases
# that cannot be pulled here; tests/docker/test_ssh_session.py logs in for real on Debian)

SHADOW = "root:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\napple:!:19000:0:99999:7:::\n"


def test_the_non_root_account_is_not_locked_so_sshd_takes_its_key(tmp_path):
    debian = df(user__root=False, ssh__enabled=True, ssh__authorized_key=KEY)
    assert "useradd --create-home --home-dir /home/app --uid 1000 --shell /bin/bash app \\\n    && usermod --password '*' app" in debian
    # Alpine (the real image is unavailable here): adduser -D leaves `!`; the rendered sed, run on such a shadow
    # file, makes it `*` for app alone (this machine's sed; busybox sed takes the same basic expression).
    alpine = df(os__family="alpine", os__version="3.21", user__root=False, ssh__enabled=True, ssh__authorized_key=KEY)
    line = next(ln for ln in alpine.splitlines() if "/etc/shadow" in ln)
    expr = re.fullmatch(r"    && sed -i '(.+)' /etc/shadow", line).group(1)
    shadow = tmp_path / "shadow"
    shadow.write_text(SHADOW)
    subprocess.run(["sed", "-i", expr, str(shadow)], check=True)
    assert shadow.read_text() == SHADOW.replace("app:!:", "app:*:", 1)
    assert alpine.index("adduser -D -u 1000") < alpine.index(line)


@pytest.mark.parametrize("family,version", [("debian", "12"), ("ubuntu", "24.04"), ("alpine", "3.21")])
def test_ssh_sessions_get_the_container_environment_without_secrets(family, version):
    from wizard.plan_start import secret_names

    c = ctx(os__family=family, os__version=version, ssh__enabled=True, ssh__auth="password")
    entry = c.files["imgwizard-entry.sh"].text
    skip = entry[entry.index("SKIP='") + 6:].split("'", 1)[0].split()
    assert secret_names() <= set(skip) and {"HOME", "USER", "SHELL"} <= set(skip) and "PATH" not in skip
    assert 'mv "$session_env.tmp" "$session_env"' in entry
    assert entry.index("echo 'export IMGWIZARD_SESSION_ENV=1' > \"$session_env.tmp\"") < entry.index("}' >> \"$session_env.tmp\"")
    # commands given to ssh: bash started by sshd reads /etc/bash.bashrc, whose first line reads the file once
    # (one command of the system set-up RUN, whose hadolint pragma names SC2016 for its single-quoted $)
    hook = [ln.lstrip() for ln in c.dockerfile.splitlines() if "/etc/bash.bashrc" in ln and ln.lstrip().startswith("&& sed")]
    assert (hook == [] if family == "alpine" else
            hook[0].startswith("&& sed -i '1i [ -n \"${SSH_CONNECTION:-}\" ] && [ -z \"${IMGWIZARD_SESSION_ENV:-}\" ]"))
    assert ("# hadolint ignore=SC2016\nRUN mkdir -p" in c.dockerfile) == (family != "alpine")
    assert entry.index("unset SSH_PASSWORD") < entry.index("SKIP='") < entry.index("exec \"$@\"")
    before = _commit_hooks(entry).split("--after-commit)")[0]
    assert '"$session_env"; do' in before  # held out of `imgwizard commit`


def test_the_environment_file_quotes_every_value_for_sh(tmp_path):
    """The wrapper's awk, run by this machine's sh and awk on awkward values, writes a file sh reads back exactly."""
    entry = ctx(ssh__enabled=True, ssh__authorized_key=KEY).files["imgwizard-entry.sh"].text
    block = entry[entry.index("echo 'export IMGWIZARD_SESSION_ENV=1'"):entry.index("chmod 644")].replace('"$session_env.tmp"', '"$OUT"')
    out = tmp_path / "env.sh"
    values = {"QUOTES": "it's \"x\" 'y'", "DOLLAR": "$(touch /tmp/pwned) `id` $HOME", "LINES": "a\nb\\n",
              "EMPTY": "", "SSH_PASSWORD": "secret-value", "VNC_PW": "other-secret"}
    subprocess.run(["sh", "-c", block], check=True, env={**values, "OUT": str(out), "PATH": "/usr/bin:/bin"})
    text = out.read_text()
    assert text.startswith("export IMGWIZARD_SESSION_ENV=1\n")
    assert "secret-value" not in text and "other-secret" not in text
    r = subprocess.run(["sh", "-c", f". {out}; for k in QUOTES DOLLAR LINES EMPTY; do eval printf '%s\\\\0' \"\\\"\\$$k\\\"\"; done"],
                       capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert r.stdout.split("\0")[:-1] == [values[k] for k in ("QUOTES", "DOLLAR", "LINES", "EMPTY")]


@pytest.mark.parametrize("family,version", [("debian", "12"), ("alpine", "3.21")])
def test_binary_with_ssh_or_forwarding_starts_through_the_wrapper(family, version):
    both = ctx(app__type="binary", app__command="hello", os__family=family, os__version=version,
               ssh__enabled=True, ssh__auth="password", forward__enabled=True, forward__listen=31000, forward__target=8006)
    assert 'ENTRYPOINT ["/bin/sh", "/usr/local/bin/imgwizard-entry.sh", "/usr/local/bin/hello"]' in both.dockerfile
    assert "CMD" not in instructions(both.dockerfile)  # `docker run IMAGE args` go to the binary
    entry = both.files["imgwizard-entry.sh"].text
    assert "/usr/sbin/sshd -e" in entry and "socat TCP-LISTEN:31000" in entry
    plain = ctx(app__type="binary", app__command="hello", os__family=family, os__version=version)
    assert 'ENTRYPOINT ["/usr/local/bin/hello"]' in plain.dockerfile
    # scratch has no shell: the tree never asks for SSH or forwarding there, and given ones do not apply
    scratch = ctx(app__type="binary", app__command="hello", ssh__enabled=True, forward__enabled=True)
    assert 'ENTRYPOINT ["/app/hello"]' in scratch.dockerfile and "imgwizard-entry.sh" not in scratch.files


def test_an_https_apt_mirror_first_gets_ca_certificates():
    text = df(mirror__apt="https://mirror.example.com")
    boot = text.index("Acquire::https::Verify-Peer=false -o Acquire::https::Verify-Host=false update")
    assert text.index("https://mirror.example.com/debian") < boot < text.index(PACKAGES_RUN)
    assert "install -y --no-install-recommends ca-certificates" in text[boot:text.index(PACKAGES_RUN)]
    assert "Verify-Peer=false" not in text[text.index(PACKAGES_RUN):]  # every later apt-get checks the certificate
    assert "Verify-Peer" not in df(mirror__apt="tuna")  # http mirrors need no bootstrap
    assert "Verify-Peer" not in df(os__family="alpine", os__version="3.21", mirror__apt="https://mirror.example.com")


def test_the_longest_package_lists_stay_within_the_builders_line_limit():
    """200 items of the longest accepted length (the list cap) in every list: each package is a line of its own,
    so no physical line of the Dockerfile reaches the 65,535 bytes the legacy builder refuses; 201 are refused
    naming the key."""
    pip = [f"p{i:03d}" + "a" * 200 + "[x]>=1.0" for i in range(200)]
    apt = [f"a{i:03d}" + "b" * 120 for i in range(200)]
    c = ctx(packages__pip=pip, packages__apt=apt, app__type="web", app__name="jupyter", app__python_from="system")
    assert max(len(line.encode()) for line in c.dockerfile.splitlines()) < 65_535
    # the labels' JSON holds the lists too and is cut at labels.LINE_BYTES; every other line is short
    assert max(len(line.encode()) for line in without_labels(c.dockerfile).splitlines()) < 1_000
    assert all(f"        '{p}'" in c.dockerfile for p in (pip[0], pip[-1]))  # one per line, shell-quoted
    _, problems = validate({**NO_SSH, "packages.pip": pip + ["p200"]})
    assert problems == [("packages.pip", "201 items are too many; accepted: at most 200 items")]


# --- secrets by name only (issue 26): run.sh as written, run by bash with a `docker` first on PATH that records
# its argument vector and the environment it got; compose.yaml read as docker compose reads it (YAML)

SECRET_VALUES = {"DESKTOP_PASSWORD": "desk-Secret-1", "JUPYTER_TOKEN": "jup-Secret-2", "PASSWORD": "code-Secret-3",
                 "SSH_PASSWORD": "ssh-Secret-4"}
SECRET_CASES = {
    **{f"desktop-{engine}": dict(app__type="desktop", desktop__engine=engine, app__name="command",
                                 app__command="xterm") for engine in ("novnc", "kasm", "kasmweb", "builtin")},
    "jupyter": dict(app__type="web", app__name="jupyter"),
    "code-server": dict(app__type="web", app__name="code-server"),
    "ssh-password": dict(ssh__enabled=True, ssh__auth="password"),
    "builtin-ssh-password": dict(app__type="desktop", desktop__engine="builtin", app__name="command",
                                 app__command="xterm", ssh__enabled=True, ssh__auth="password"),
}


def _run_sh_as_written(text: str, tmp_path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list, dict]:
    """bash runs run.sh; the fake docker writes its argv and its environment, NUL-separated."""
    (tmp_path / "run.sh").write_text(text)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "docker").write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done > {tmp_path}/argv\n'
                                    f"env -0 > {tmp_path}/env\n")
    (bin_dir / "docker").chmod(0o755)
    r = subprocess.run(["bash", str(tmp_path / "run.sh")], capture_output=True, text=True,
                       env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env}, timeout=30)
    if not (tmp_path / "argv").exists():
        return r, [], {}
    argv = (tmp_path / "argv").read_text().split("\0")[:-1]
    docker_env = dict(item.split("=", 1) for item in (tmp_path / "env").read_text().split("\0")[:-1])
    return r, argv, docker_env


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_run_sh_hands_every_secret_to_docker_by_name_never_on_its_command_line(case, tmp_path):
    from wizard.plan_start import secret_names
    c = ctx(**SECRET_CASES[case])
    assert c.plan.secrets
    r, argv, docker_env = _run_sh_as_written(c.files["run.sh"].text, tmp_path, SECRET_VALUES)
    assert r.returncode == 0, r.stderr
    for value in SECRET_VALUES.values():
        assert not any(value in arg for arg in argv), (value, argv)  # ps and /proc/PID/cmdline show argv
    for s in c.plan.secrets:
        assert s.name in secret_names()
        i = argv.index(s.name)
        assert argv[i - 1] == "-e"  # -e NAME: docker takes the value from its environment
        assert docker_env[s.name] == SECRET_VALUES[s.host]  # ... which holds it, under the name the image reads


@pytest.mark.parametrize("case", sorted(c for c in SECRET_CASES if c.startswith("desktop-")))
def test_run_sh_without_a_required_secret_stops_before_docker(case, tmp_path):
    c = ctx(**SECRET_CASES[case])
    r, argv, _ = _run_sh_as_written(c.files["run.sh"].text, tmp_path, {})
    assert r.returncode != 0 and argv == []
    assert "DESKTOP_PASSWORD: set DESKTOP_PASSWORD: the password the desktop asks for" in r.stderr


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_compose_yaml_holds_secret_names_never_values(case):
    """Each secret: the bare name (compose takes the value from its environment), or, when it is required or the
    image reads it under another name, NAME=${HOST...} (compose fills it in from its environment: still no
    value in the file)."""
    import yaml
    c = ctx(**SECRET_CASES[case])
    service = next(iter(yaml.safe_load(c.files["compose.yaml"].text)["services"].values()))
    entries = service["environment"]
    for s in c.plan.secrets:
        if s.required:
            expected = f"{s.name}=${{{s.host}:?set {s.host}: {s.what}}}"
        elif s.name != s.host:
            expected = f"{s.name}=${{{s.host}}}"
        else:
            expected = s.name
        assert expected in entries
    for value in SECRET_VALUES.values():
        assert value not in c.files["compose.yaml"].text


YAML_LOOKALIKES = ["null", "yes", "on", "off", "no", "true", "123", "0x10", "00", "1e3", "0o17", "nan", "1_000"]


@pytest.mark.parametrize("name", YAML_LOOKALIKES)
def test_compose_yaml_keeps_an_image_name_yaml_could_read_otherwise_a_string(name, tmp_path):
    import yaml
    for given in ({}, {"app__type": "desktop", "desktop__engine": "builtin", "app__name": "command",
                       "app__command": "xterm", "ssh__enabled": True, "ssh__auth": "password"},
                  {"gpu__vendor": "ascend", "gpu__devices": "0"}):
        for tag in ("latest", "30", "1.10", "yes"):
            c = ctx(image__name=name, image__tag=tag, **given)
            services = yaml.safe_load(c.files["compose.yaml"].text)["services"]
            key = name.replace("_", "-")  # compose's service names: the image name's last part, - for _ and .
            assert list(services) == [key] and type(list(services)[0]) is str
            service = services[key]
            assert service["image"] == f"{name}:{tag}"
            for key in ("ports", "environment", "devices", "volumes"):
                assert all(type(item) is str for item in service.get(key, [])), (key, service)
            argv = run_sh_argv(c.files["run.sh"].text, tmp_path, {"DESKTOP_PASSWORD": "s3cret-x"})
            assert argv[2:4] == ["--name", name] and argv[-1] == f"{name}:{tag}"
