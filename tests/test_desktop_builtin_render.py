"""The built-in desktop engine (desktop.engine = "builtin") without a Docker engine: what it renders on each base
(Ubuntu 22.04 / 24.04 cannot be pulled here, so they are rendered, parsed and linted only; Debian 12 is also built
and run for real in tests/docker/test_desktop_builtin.py), what it refuses, and what `imgwizard check` looks at."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from wizard import knowledge
from wizard.answers import BY_KEY
from wizard.engine.check import run_spec
from wizard.lint import is_failure, lint
from wizard.render import render
from wizard.validate import validate
from tests.test_snippets import instructions, without_labels

BUILTIN = {"app.type": "desktop", "app.name": "command", "app.command": "xterm", "desktop.engine": "builtin",
           "ssh.enabled": False}
BASES = [("debian", "12", "debian:bookworm-slim"), ("ubuntu", "22.04", "ubuntu:22.04"),
         ("ubuntu", "24.04", "ubuntu:24.04")]


def ctx(**given):
    answers, problems = validate({**BUILTIN, **{k.replace("__", "."): v for k, v in given.items()}})
    assert problems == []
    return render(answers)


@pytest.mark.parametrize("family, version, image", BASES)
def test_each_base_renders_a_clean_dockerfile_from_os_packages_only(family, version, image):
    c = ctx(os__family=family, os__version=version)
    text = c.dockerfile
    assert f"FROM {image}\n" in text
    for pkg in ("tini", "tigervnc-standalone-server", "tigervnc-tools", "matchbox-window-manager", "python3",
                "xterm"):
        assert f"        {pkg} \\\n" in text
    for heavy in ("openbox", "novnc", "websockify", "python3-websockify", "python3-numpy", "nodejs"):
        heavy = f"        {heavy} \\\n"
        assert heavy not in text  # docs/benchmarks.md 'The built-in desktop's size'
    # noVNC's web client and websockify: files of their packages from the same mirror, without their Depends
    assert "    && apt-get download novnc python3-websockify \\\n" in text
    assert "    && mv usr/share/novnc /usr/share/novnc \\\n    && mv usr/bin/websockify /usr/bin/websockify" in text
    assert "cp -R usr/lib/python3/dist-packages/. /usr/lib/python3/dist-packages/" in text
    assert "rm -rf /tmp/imgwizard-debs /var/lib/apt/lists/*\nWORKDIR /root\n" in text  # no list, HOME again
    assert "://" not in text  # nothing downloaded from outside the OS mirror
    assert 'ENTRYPOINT ["/usr/local/bin/imgwizard-desktop", "--take-password", "/usr/bin/tini", "--"]' in text
    assert 'CMD ["/usr/local/bin/imgwizard-desktop"]' in text
    assert "EXPOSE 31000" in text
    assert [f for f in lint(text) if is_failure(f)] == []


def test_no_password_in_the_image_and_run_sh_refuses_without_one():
    c = ctx(os__family="debian")
    assert "DESKTOP_PASSWORD" not in c.dockerfile
    run_sh = c.files["run.sh"].text
    assert ': "${DESKTOP_PASSWORD:?set DESKTOP_PASSWORD' in run_sh and "    -e DESKTOP_PASSWORD \\\n" in run_sh
    script = c.files["imgwizard-desktop.sh"].text
    assert "password=$(printenv $pw; echo .)" in script and "pw=DESKTOP_PASSWORD" in script
    assert 'tigervncpasswd -f > "$run/passwd"' in script and "run=/dev/shm/" in script  # memory, not a layer
    assert "-SecurityTypes VncAuth -PasswordFile $run/passwd" in script
    assert "-BlacklistThreshold 10 -BlacklistTimeout 5" in script  # guessing slowed, the owner not locked out
    take = script.index("if [ \"${1:-}\" = --take-password ]")
    assert script.index("    take_password\n    unset $pw\n    exec \"$@\"", take) > take  # the rest without it
    assert "-interface 127.0.0.1 -rfbport 5901" in script  # VNC itself is never published


def test_auth_off_is_said_loudly():
    c = ctx(os__family="debian", desktop__auth=False)
    assert 'security="-SecurityTypes None"' in c.files["imgwizard-desktop.sh"].text
    assert 'ENTRYPOINT ["/usr/bin/tini", "--"]' in c.dockerfile  # no password to take first
    assert "take_password" not in c.files["imgwizard-desktop.sh"].text
    assert "WARNING: desktop.auth is off" in c.files["imgwizard-desktop.sh"].text
    assert any("desktop.auth is off" in w for w in c.warnings)
    assert "DESKTOP_PASSWORD" not in c.files["run.sh"].text


def test_supervisor_parses_as_sh_and_starts_each_service_with_its_name():
    for given in ({}, {"desktop__auth": False}, {"user__root": False, "ssh__enabled": True, "ssh__auth": "password"}):
        script = ctx(os__family="debian", **given).files["imgwizard-desktop.sh"].text
        r = subprocess.run(["sh", "-n"], input=script, text=True, capture_output=True)
        assert r.returncode == 0, r.stderr
        for service in ("start xvnc Xvnc", "start wm matchbox-window-manager", "start novnc env", "start app sh -c"):
            assert service in script
        assert "trap 'stop_all 0' TERM INT" in script


def test_supervisor_clears_its_display_after_a_hard_stop_restarts_with_a_growing_delay_and_names_the_app():
    """What a hard kill leaves (Xvnc's lock and socket of display :1) is removed before Xvnc starts, unless the
    lock's pid is a running Xvnc; the app is started again after 1, 2, 4 ... 30 s while it exits within 30 s of
    its start; the window manager is watched; Xvnc's desktop name (the browser tab's title) is the app's.
    Run for real in tests/docker/test_desktop_survives.py."""
    script = ctx(os__family="debian").files["imgwizard-desktop.sh"].text
    clear = script.index('rm -f "$lock" /tmp/.X11-unix/X1')
    assert "lock=/tmp/.X1-lock" in script and clear < script.index("start xvnc Xvnc")
    assert '[ "$(cat "/proc/$owner/comm" 2>/dev/null)" = Xvnc ]' in script
    assert "-desktop xterm -AlwaysShared" in script
    assert 'if [ "$ran" -ge 30 ]; then delay=1 quick=0; else quick=$((quick + 1)); fi' in script
    assert "delay=$((delay * 2 > 30 ? 30 : delay * 2))" in script
    assert "the window manager exited (code $?): starting it again" in script


def test_start_page_opens_the_viewer_with_autoconnect_and_remote_resize():
    page = ctx(os__family="debian").files["novnc-index.html"].text
    assert 'url=vnc.html?autoconnect=true&amp;resize=remote&amp;reconnect=true"' in page
    assert "COPY novnc-index.html /usr/share/novnc/index.html" in ctx(os__family="debian").dockerfile


@pytest.mark.parametrize("family, version, image", BASES)
def test_novnc_1_0_on_ubuntu_22_04_gets_the_fix_for_its_stuck_password_warning(family, version, image):
    """noVNC 1.0.0 (Ubuntu 22.04 only) keeps "Password is required" over the desktop after a quick login: imgwizard's
    novnc-status.js goes beside vnc.html and vnc.html loads it. Rendered only (Ubuntu packages cannot be fetched
    here; noVNC 1.0.0's own page is in no npm or PyPI package, so no browser test runs it against that page)."""
    c = ctx(os__family=family, os__version=version)
    fixed = (family, version) == ("ubuntu", "22.04")
    assert ("novnc-status.js" in c.files) == fixed
    assert ("COPY novnc-status.js /usr/share/novnc/imgwizard-status.js" in c.dockerfile) == fixed
    assert ('sed -i \'s|</head>|<script src="imgwizard-status.js"></script></head>|\' /usr/share/novnc/vnc.html'
            in c.dockerfile) == fixed
    assert ("novnc-status.js" in c.files[".dockerignore"].text) == fixed  # sent in the build context
    if fixed:
        script = c.files["novnc-status.js"].text
        # what it relies on in noVNC 1.0.0 (vnc.html, app/ui.js, app/styles/base.css at tag v1.0.0)
        for name in ("noVNC_status", "noVNC_open", "noVNC_status_warn", "noVNC_connected", "1500"):
            assert name in script
        if shutil.which("node"):
            assert subprocess.run(["node", "--check", "-"], input=script, text=True).returncode == 0


RULE = ("printf 'path-include %s\\n' '/usr/share/locale/zh_CN/*' '/usr/share/locale/zh/*' "
        "> /etc/dpkg/dpkg.cfg.d/zz-imgwizard-zh")
IME_TAG = '<script type="module" src="imgwizard-ime.js"></script>'


@pytest.mark.parametrize("family, version, _image", BASES)
def test_chinese_keeps_the_zh_cn_translations_and_adds_the_input_box(family, version, _image):
    c = ctx(os__family=family, os__version=version, locale__chinese=True)
    text = c.dockerfile
    # the dpkg rule exists before apt installs anything (dpkg reads it at each unpack), in the set-up RUN
    assert f"RUN {RULE} \\\n" in text
    assert text.index(RULE) < text.index("apt-get update") < text.index("apt-get install")
    # the page: the box script next to vnc.html, loaded as a module from its head, sent in the build context
    assert "COPY novnc-ime.js /usr/share/novnc/imgwizard-ime.js\n" in text
    assert f"{IME_TAG}</head>|" in text
    assert "novnc-ime.js" in c.files, "render.py SUPPORT: novnc-ime.js for a built-in desktop with locale.chinese"
    script = c.files["novnc-ime.js"].text
    # what it relies on in noVNC 1.0.0 and 1.3.0 (app/ui.js `export default UI`, UI.rfb.sendKey; the root's
    # noVNC_connected class) and the Unicode keysym convention
    for name in ('import UI from "./app/ui.js"', "UI.rfb.sendKey(", "noVNC_connected", "0x01000000",
                 "compositionend"):
        assert name in script
    if shutil.which("node"):
        assert subprocess.run(["node", "--check", "--input-type=module", "-"], input=script,
                              text=True).returncode == 0


def test_without_chinese_no_rule_and_no_box():
    c = ctx(os__family="debian")
    assert "dpkg.cfg.d" not in c.dockerfile and "imgwizard-ime" not in c.dockerfile
    assert "novnc-ime.js" not in c.files


def test_the_translations_rule_is_for_every_apt_image_with_chinese_not_only_desktops():
    shell, problems = validate({"app.type": "shell", "os.family": "debian", "ssh.enabled": False,
                                "locale.chinese": True})
    assert problems == []
    text = render(shell).dockerfile
    assert RULE in text and text.index(RULE) < text.index("apt-get install")
    alpine, problems = validate({"app.type": "shell", "os.family": "alpine", "ssh.enabled": False,
                                 "locale.chinese": True})
    assert problems == [] and "dpkg.cfg.d" not in render(alpine).dockerfile  # apk has no path excludes


def test_the_supervisor_frees_the_keycodes_xvnc_adds_and_keeps_typed_characters_out_of_the_log():
    script = ctx(os__family="debian").files["imgwizard-desktop.sh"].text
    assert '*"Added unknown keysym"*) echo >> "$run/keysyms" ;;' in script  # counted, not logged
    assert "        setxkbmap ||" in script  # the same rules again: the spare keycodes empty


def test_non_root_user_runs_the_desktop():
    plain = ctx(os__family="debian", user__root=False)
    assert "useradd --create-home --home-dir /home/app" in plain.dockerfile
    assert instructions(without_labels(plain.dockerfile))[-2:] == ["USER", "CMD"]  # the last before the labels
    assert "\nUSER app\n" in plain.dockerfile
    assert "setpriv --reuid=app" in plain.files["imgwizard-desktop.sh"].text
    with_ssh = ctx(os__family="debian", user__root=False, ssh__enabled=True, ssh__auth="password")
    assert "USER app" not in with_ssh.dockerfile  # the entry wrapper needs root for sshd, the supervisor drops it
    assert ('ENTRYPOINT ["/usr/local/bin/imgwizard-desktop", "--take-password", '
            '"/bin/sh", "/usr/local/bin/imgwizard-entry.sh", "/usr/bin/tini", "--"]' in with_ssh.dockerfile)
    assert 'chown -R app: "$run"' in with_ssh.files["imgwizard-desktop.sh"].text  # taken as root, read as app
    assert "setpriv" not in ctx(os__family="debian").files["imgwizard-desktop.sh"].text


def test_java_on_a_desktop_is_the_full_jdk_with_awt():
    c = ctx(os__family="debian", packages__java="17", app__command="java -cp /opt/app Main",
            locale__chinese=True)
    assert "        openjdk-17-jdk \\\n" in c.dockerfile and "headless" not in c.dockerfile
    assert "        fonts-wqy-zenhei \\\n" in c.dockerfile


def test_nvidia_asks_for_the_graphics_libraries():
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics,display" in ctx(
        os__family="ubuntu", gpu__vendor="nvidia").dockerfile


def test_only_debian_and_ubuntu():
    _, problems = validate({**BUILTIN, "os.family": "alpine"})
    assert problems and problems[0][0] == "os.family" and "accepted: ubuntu, debian" in problems[0][1]
    assert knowledge.os_versions("builtin", "ubuntu") == ["22.04", "24.04"]


def test_wizard_offers_it_with_its_reason():
    choices = {c.value: c for c in BY_KEY["desktop.engine"].choices_for({})}
    assert list(choices) == ["novnc", "kasm", "kasmweb", "builtin"]
    assert "No third-party base image: builds where only the OS mirror is reachable" in choices["builtin"].why.en
    assert "只要能访问系统软件源就能构建" in choices["builtin"].why.zh
    assert BY_KEY["desktop.engine"].default == "novnc"  # the default stays as it was


def test_check_looks_at_viewer_rfb_and_app_and_makes_up_a_throwaway_password():
    c = ctx(os__family="debian")
    spec = run_spec(c.answers, c.plan)
    desktop = [s for s in spec.services if s.kind == "desktop"]
    assert [(s.port, s.process) for s in desktop] == [(31000, "xterm")]
    assert spec.throwaway == ["DESKTOP_PASSWORD"] and not spec.init  # tini is in the image


# The supervisor's password check, run by dash (Debian's and Ubuntu's /bin/sh) as the container runs it: every
# value tigervncpasswd -f would not take whole (a line break, any C0/C1 control character) and every value shorter
# than 6 characters is refused with one line that never holds the value; the rest is written to the password file.
BAD_PASSWORDS = [("\nsecret-pw", "control"), ("secret-pw\n", "control"), ("secret\rpw", "control"),
                 ("sec\tret-pw", "control"), ("secret-pw\x1b[2J", "control"), ("secret-pw\x7f", "control"),
                 ("secret-pw\u0085", "control"), ("secret-pw\u009b", "control"), ("abcde", "shorter"),
                 ("中文密码", "shorter"), ("ééééé", "shorter")]
GOOD_PASSWORDS = ["abcdef", "s3cret-x", "中文密码ab", "ééééééé", "pw with 'quotes' and spaces", "-n -e \\c"]


def _take(script: str, password: str | None, tmp_path) -> subprocess.CompletedProcess:
    """The supervisor's first step, up to its exec, with tigervncpasswd and the run folder faked: prints what the
    password file would hold, or the refusal."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "tigervncpasswd").write_text("#!/bin/sh\nprintf 'VNC:'; cat\n")
    (fake / "tigervncpasswd").chmod(0o755)
    body = script.replace("run=/dev/shm/imgwizard-desktop", f"run={tmp_path}/run")
    env = {"PATH": f"{fake}:/usr/bin:/bin", **({"DESKTOP_PASSWORD": password} if password is not None else {})}
    return subprocess.run(["dash", "-c", body + "\n", "imgwizard-desktop", "--take-password", "sh", "-c",
                           'printenv DESKTOP_PASSWORD && echo LEAKED; cat "$0"', f"{tmp_path}/run/passwd"],
                          capture_output=True, text=True, env=env, timeout=30)


@pytest.mark.parametrize("password, why", BAD_PASSWORDS)
def test_a_password_vnc_would_not_take_whole_is_refused_in_one_line(password, why, tmp_path):
    script = ctx(os__family="debian").files["imgwizard-desktop.sh"].text
    r = _take(script, password, tmp_path)
    assert r.returncode == 1, r
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("[imgwizard-desktop] DESKTOP_PASSWORD "), r.stdout
    assert why in lines[0] and "refusing to start" in lines[0]
    assert password.strip() not in r.stdout + r.stderr
    assert not (tmp_path / "run" / "passwd").exists()


@pytest.mark.parametrize("password", GOOD_PASSWORDS)
def test_a_good_password_goes_whole_to_tigervncpasswd_and_not_on(password, tmp_path):
    script = ctx(os__family="debian").files["imgwizard-desktop.sh"].text
    r = _take(script, password, tmp_path)
    assert r.returncode == 0, r
    assert r.stdout == f"VNC:{password}\n"  # the exec'd rest has no DESKTOP_PASSWORD (else LEAKED)
