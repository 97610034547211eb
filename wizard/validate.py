"""Validation of a whole answer set: each value (answers.resolve) plus the rules that join several keys.

Every problem is (key, message): one line naming the key and what would be accepted.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge, project, safeio
from wizard.answers import Answers, resolve
from wizard.choices import APP_FILES_ROOT, APP_FILES_TAKEN, app_folder, command_name, python_app, torch_build_for
from wizard.checks import shown
from wizard.text import Msg

Problem = tuple[str, str]


def validate(given: Mapping[str, Any], base_dir: Path = Path(".")) -> tuple[Answers, list[Problem]]:
    answers, problems = resolve(given)
    problems += _release_not_here(given, answers)
    refused = {key for key, _ in problems}  # a refused value was replaced by its default: judge only the rest
    problems += [(key, msg) for key, msg in cross_checks(answers, base_dir) if key not in refused]
    return answers, problems


def cross_checks(a: Mapping[str, Any], base_dir: Path = Path(".")) -> list[Problem]:
    out: list[Problem] = []
    family = a.get("os.family")
    app_type = a.get("app.type")
    if family == "alpine":
        if a.get("gpu.vendor") in ("nvidia", "ascend"):
            out.append(("gpu.vendor", Msg("cross.alpine_gpu", vendor=a["gpu.vendor"])))
        if a.get("gpu.pytorch"):
            out.append(("gpu.pytorch", Msg("cross.alpine_torch")))
        if a.get("app.name") in ("jupyter", "code-server"):
            out.append(("app.name", Msg("cross.alpine_web", app=a["app.name"])))
    if a.get("gpu.vendor") == "nvidia" and a.get("gpu.driver") and a.get("gpu.host_driver") \
            and a["gpu.driver"] != a["gpu.host_driver"]:
        out.append(("gpu.driver", Msg("cross.driver_differs", driver=a["gpu.driver"], host=a["gpu.host_driver"])))
    build = torch_build_for(a) if family != "alpine" else None
    if build and build.variant is None:
        out.append((build.key, build.reason))
    ports = [(k, a[k]) for k in ("app.port", "ssh.port", "forward.listen") if k in a]
    seen: dict[int, str] = {}
    for key, port in ports:
        if port in seen:
            out.append((key, Msg("cross.port_used", port=port, by=seen[port])))
        seen.setdefault(port, key)
    if a.get("forward.enabled") and a.get("forward.target") == a.get("forward.listen"):
        out.append(("forward.target", Msg("cross.forward_same")))
    out += _engine_ports(a, ports)
    out += _file_answers(a, base_dir)
    out += _base_facts(a)
    out += _device_answers(a)
    out += _base_image_family(a)
    out += _base_image_engine(a)
    out += _base_release(a)
    out += _desktop_command(a)
    if family == "scratch" and app_type != "binary":
        out.append(("os.family", Msg("cross.scratch_shell")))
    out += _base_image_scratch(a)
    out += _binary_path(a, base_dir)
    out += _app_files(a, base_dir)
    out += _app_command(a, base_dir)
    out += _python_service(a, base_dir)
    out += _generated_names(a)
    return out


def _engine_ports(a: Mapping[str, Any], ports: list[tuple[str, int]]) -> list[Problem]:
    """A port the desktop engine's own services listen on (bases.toml own_ports: the built-in desktop's Xvnc on
    5901...) is refused for app.port, ssh.port and forward.listen: the second listener would fail to bind."""
    engine = knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))
    taken = knowledge.engine_ports(engine)
    listed = ", ".join(str(port) for port in sorted(taken))
    return [(key, Msg("cross.port_engine", port=port, owner=taken[port], engine=engine, ports=listed))
            for key, port in ports if port in taken]


def _base_image_scratch(a: Mapping[str, Any]) -> list[Problem]:
    """scratch is the empty image: only a binary on os.family = scratch can sit on it (no shell for RUN, the
    entry wrapper or a start script), and only as the bare name `scratch` (Docker pulls any other spelling,
    and refuses the reserved name)."""
    ref = a.get("os.base_image", "")
    if not ref or _repository(ref) != "scratch":
        return []
    family = a.get("os.family")
    if family != "scratch":
        return [("os.base_image", Msg("cross.base_scratch", ref=shown(ref), family=family))]
    if ref != "scratch":
        return [("os.base_image", Msg("cross.base_scratch_name", ref=shown(ref)))]
    return []


def _generated_names(a: Mapping[str, Any]) -> list[Problem]:
    """A user file the Dockerfile COPYs (the binary, the JetBrains archive) may not be named like a file imgwizard
    writes into the build folder: writing the context would move it to NAME.bak and COPY imgwizard's file.
    The other user files have fixed names that never collide (NVIDIA-Linux-*.run, ascend/...)."""
    out: list[Problem] = []
    copied = [("app.command", a.get("app.command", ""), a.get("app.type") == "binary"),
              ("app.archive", a.get("app.archive", ""), a.get("app.name") == "jetbrains"),
              *(("app.files", entry, True) for entry in a.get("app.files", []))]
    for key, value, applies in copied:
        name = checks.generated_name(value) if applies and not checks.relative_path(value) else None
        if name:
            out.append((key, Msg("cross.generated_name", value=shown(value), name=name)))
    return out


def _python_service(a: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """The user's own Python service: its dependency file inside the build folder (one not placed yet is listed
    in README.md), a pyproject.toml with a [project] dependencies list; when the dependencies name torch,
    torchvision or torchaudio, gpu.pytorch must be chosen (and agree with a pinned torch), so the build is
    knowledge.torch_build's for the driver, arch and Python, never PyPI's default; the command's --port is app.port."""
    if not python_app(a):
        return []
    out: list[Problem] = []
    name = a.get("app.requirements", "")
    leaving = safeio.leaves(base_dir, name) if name else None
    if leaving:
        return [("app.requirements", leaving)]
    if name and (base_dir / name).is_file():
        names = project.requirements(base_dir, name)
        if not project.lists_dependencies(base_dir, name):
            out.append(("app.requirements", Msg("python.no_dependencies", file=shown(name))))
        torch = project.torch_named(names)
        known = ", ".join(r.torch for r in knowledge.torch_releases())
        if torch and not a.get("gpu.pytorch"):
            out.append(("gpu.pytorch", Msg("python.torch_needed", file=shown(name), names=", ".join(torch), known=known)))
        pinned = names.get("torch", "")  # a plain release number only (2.5.1): a wildcard or other text is pip's to judge
        if re.fullmatch(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}", pinned) and a.get("gpu.pytorch") and pinned != a["gpu.pytorch"]:
            out.append(("gpu.pytorch", Msg("python.torch_pin", file=shown(name), name="torch", pinned=pinned,
                                           chosen=a["gpu.pytorch"], known=known)))
    folder = app_folder(a)
    if folder.rsplit("/", 1)[-1] in APP_FILES_TAKEN:  # /opt/venv: the code would overwrite the venv
        out.append(("image.name", Msg("python.taken", folder=folder, taken=", ".join(APP_FILES_TAKEN))))
    port = project.command_port(a.get("app.command", ""))
    if port is not None and port != a.get("app.port"):
        out.append(("app.command", Msg("python.port_differs", port=port, app_port=a.get("app.port"))))
    return out


def _binary_path(a: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """A binary's app.command: a path inside the build folder (bin/server), never one that leaves it."""
    if a.get("app.type") != "binary":
        return []
    path = a.get("app.command", "")
    if checks.relative_path(path):
        return [("app.command", Msg("refused.binary", value=shown(path), accepted=checks.relative_path(path)))]
    leaving = safeio.leaves(base_dir, path)
    return [("app.command", leaving)] if leaving else []


# How many names of one app.files folder are looked at for links and special files: a JetBrains-size tree has
# ~20,000; past this the rest is left to the build (a link is sent as a link, never what it points to).
APP_FILES_WALK = 200_000


def _app_files(a: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """app.files: two entries may not end in one name (both would be /opt/<image name>/NAME), the folder may not
    be one imgwizard or a base fills, and each entry that is in the build folder already is a regular file or a
    folder (not itself a link: Docker would send the link without what it points to), reached without leaving the
    folder, whose links stay inside it (a link that leaves points at nothing in /opt, or at the image's own files)
    and that holds no FIFO, device or socket. An entry not there yet is the user's to place (README.md says so)."""
    entries = a.get("app.files", [])
    if not entries:
        return []
    folder, out, seen = app_folder(a), [], {}
    if folder.rsplit("/", 1)[-1] in APP_FILES_TAKEN:
        out.append(("app.files", Msg("files.taken", folder=folder, taken=", ".join(APP_FILES_TAKEN))))
    for entry in entries:
        name = entry.rsplit("/", 1)[-1]
        if name in seen:
            out.append(("app.files", Msg("files.same_name", value=shown(entry), other=shown(seen[name]),
                                         path=f"{folder}/{name}")))
        seen.setdefault(name, entry)
        bad = safeio.leaves(base_dir, entry) or _entry_problem(base_dir, entry)
        if bad:
            out.append(("app.files", bad))
    return out


def _entry_problem(base_dir: Path, entry: str) -> str | None:
    path = base_dir / entry
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Msg("io.cannot_look", path=shown(entry), why=safeio.os_reason(exc))
    if stat.S_ISLNK(st.st_mode):
        return Msg("files.link", value=shown(entry), target=shown(os.readlink(path)))
    if stat.S_ISREG(st.st_mode):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return Msg("files.kind", value=shown(entry), kind=safeio.kind_of(st.st_mode))
    root, looked, unread = os.path.realpath(path), 0, []
    for here, dirs, files in os.walk(path, onerror=unread.append):
        for name in dirs + files:
            looked += 1
            inner = os.path.join(here, name)
            shown_inner = os.path.relpath(inner, base_dir)
            try:
                st = os.lstat(inner)
            except OSError as exc:
                return Msg("io.cannot_look", path=shown(shown_inner), why=safeio.os_reason(exc))
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(inner)
                if os.path.isabs(target) or not Path(os.path.realpath(inner)).is_relative_to(root):
                    return Msg("files.inner_link", value=shown(entry), link=shown(shown_inner), target=shown(target))
            elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                return Msg("files.inner_kind", value=shown(entry), path=shown(shown_inner),
                           kind=safeio.kind_of(st.st_mode))
            if looked >= APP_FILES_WALK:
                return None
    if unread:  # a folder Docker could not read either: the build would stop there
        return Msg("io.cannot_look", path=shown(os.path.relpath(unread[0].filename, base_dir)),
                   why=safeio.os_reason(unread[0]))
    return None


def _app_command(a: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """A desktop command's paths under /opt/<image name>/ (its program, or java's jar) must be what app.files
    brings there: an entry of that name, and, when the entry is in the build folder already, the file inside it;
    the program must be executable there (the image keeps the build folder's mode). With app.files, a program
    under another /opt folder is refused too: the folder follows image.name, which may have changed since."""
    if a.get("app.name") != "command" or checks.command_line(a.get("app.command", "")):
        return []
    folder, entries = app_folder(a), a.get("app.files", [])
    words = a["app.command"].split(" ")
    if entries and words[0].startswith(f"{APP_FILES_ROOT}/") and not words[0].startswith(f"{folder}/"):
        return [("app.command", Msg("files.other_opt", path=shown(words[0]), folder=folder))]
    for i, word in enumerate(words):
        if word == folder or word.startswith(f"{folder}/"):
            bad = _brought(base_dir, folder, entries, word, program=i == 0)
            if bad:
                return [("app.command", bad)]
    return []


def _brought(base_dir: Path, folder: str, entries: list[str], word: str, program: bool) -> str | None:
    """Why `word`, a path under `folder`, is not a file app.files brings there, or None."""
    rest = word[len(folder) + 1:]
    by_name = {entry.rsplit("/", 1)[-1]: entry for entry in entries}
    brought = ", ".join(f"{folder}/{name}" for name in by_name) or Msg("files.nothing")
    entry = by_name.get(rest.split("/", 1)[0]) if rest and not checks.relative_path(rest) else None
    if entry is None:
        return Msg("files.not_brought", path=shown(word), brought=brought, folder=folder)
    src = entry + rest[len(entry.rsplit("/", 1)[-1]):]
    path = base_dir / src
    if not os.path.lexists(base_dir / entry) or safeio.leaves(base_dir, src):
        return None  # not placed yet (README.md lists it), or app.files' own check says why
    if not path.is_file():
        return Msg("files.missing", path=shown(word), src=shown(src), entry=shown(entry))
    if program and not os.stat(path).st_mode & 0o111:
        return Msg("files.not_executable", path=shown(word), src=shown(src))
    return None


def _file_answers(a: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """The SSH key and the CA bundle: read (wizard/safeio) and checked the way render will use them."""
    out: list[Problem] = []
    if a.get("ssh.enabled") and a.get("ssh.auth") == "key":
        if not a.get("ssh.authorized_key"):
            out.append(("ssh.authorized_key", _no_key(a)))
        else:
            _, bad = checks.read_public_key(a["ssh.authorized_key"], base_dir)
            if bad:
                out.append(("ssh.authorized_key", bad))
    if a.get("network.extra_ca"):
        _, bad = checks.read_ca_bundle(a["network.extra_ca"], base_dir)
        if bad:
            out.append(("network.extra_ca", bad))
    return out


def _base_facts(a: Mapping[str, Any]) -> list[Problem]:
    """Combinations the base image's own behaviour breaks (bases.toml [engines.*], docs/upstream.md), and apps
    the OS cannot run: refused with the base's reason."""
    out: list[Problem] = []
    engine = knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))
    if a.get("ssh.enabled"):
        why = knowledge.ssh_refusal(engine, a.get("ssh.auth", "key"))
        if why and knowledge.engine_facts(engine).get("ssh_refused"):
            out.append(("ssh.enabled", Msg("cross.ssh_refused", why=why, engine=engine)))
        elif why:
            out.append(("ssh.auth", Msg("cross.ssh_password_refused", why=why, engine=engine)))
    auth_always = knowledge.engine_reason(engine, "auth_always")
    if auth_always and a.get("desktop.auth") is False:
        out.append(("desktop.auth", Msg("cross.auth_always", why=auth_always, engine=engine)))
    archive = knowledge.jetbrains_archive(a.get("app.archive", "")) if a.get("app.name") == "jetbrains" else None
    if archive and archive[1] != a.get("image.arch"):
        out.append(("app.archive", Msg("cross.archive_arch", archive=shown(a["app.archive"]), built=archive[1], arch=a.get("image.arch"))))
    if a.get("app.name") == "jetbrains" and a.get("os.family") == "alpine":
        out.append(("app.name", Msg("cross.jetbrains_alpine")))
    return out


def _device_answers(a: Mapping[str, Any]) -> list[Problem]:
    """Ascend devices are passed one by one (the guide's --device=/dev/davinciN): `all` must be a list."""
    if a.get("gpu.vendor") == "ascend" and a.get("gpu.devices") == "all":
        return [("gpu.devices", Msg("cross.ascend_all"))]
    return []


def _no_key(a: Mapping[str, Any]) -> Msg:
    """What to do when key login has no key: give one, log in by password, or turn SSH off."""
    return Msg("cross.no_key_shell" if a.get("app.type") == "shell" else "cross.no_key")


# The official images of one OS family (Docker Hub library names): a base_image override naming another
# family's image would get the wrong package manager and sources (apk on Ubuntu, apt on Alpine).
_OFFICIAL = {"ubuntu": "ubuntu", "debian": "debian", "alpine": "alpine", "busybox": "busybox", "centos": "centos",
             "fedora": "fedora", "rockylinux": "rockylinux", "almalinux": "almalinux", "amazonlinux": "amazonlinux",
             "oraclelinux": "oraclelinux", "archlinux": "archlinux", "opensuse/leap": "opensuse",
             "opensuse/tumbleweed": "opensuse", "photon": "photon", "clearlinux": "clearlinux"}


def _base_image_family(a: Mapping[str, Any]) -> list[Problem]:
    """os.base_image must be of the os.family the snippets are written for, as far as its name tells."""
    ref, family = a.get("os.base_image", ""), a.get("os.family")
    if not ref or family not in ("ubuntu", "debian", "alpine"):
        return []
    other = _OFFICIAL.get(_repository(ref))
    if other is None or other == family:
        return []
    return [("os.base_image", Msg("cross.base_family", ref=shown(ref), other=other, family=family, version=a.get("os.version", "latest")))]


def _repository(ref: str) -> str:
    """The repository of an image reference without registry host, `library/`, tag or digest
    (`docker.io/library/alpine:3.20` -> alpine, `registry.example.com/team/app:1` -> team/app)."""
    name = ref.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)


def _base_image_engine(a: Mapping[str, Any]) -> list[Problem]:
    """os.base_image over a third-party desktop (noVNC, KASM, kasmweb) must be an image of that engine's own
    repository (any of its bases.toml rows of the OS family, from any registry): the rendered image calls the base's
    start-up and helpers (/init, set-cont-env, add-pkg, /dockerstartup), which another image does not have."""
    ref, engine = a.get("os.base_image", ""), knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))
    rows = [b for b in knowledge.bases() if b.key[:2] == (engine, a.get("os.family")) and knowledge.third_party(b)]
    if not ref or not rows:
        return []
    repositories = sorted({_repository(b.repository) for b in rows})
    if _repository(ref) in repositories:
        return []
    starts = {b.entrypoint[0] if b.entrypoint else b.cmd[0] for b in rows}
    helpers = sorted({h for b in rows for h in b.helpers} | starts)
    return [("os.base_image", Msg("cross.base_engine", ref=shown(ref), engine=engine,
                                  repositories=", ".join(repositories), helpers=", ".join(helpers)))]


def _release_not_here(given: Mapping[str, Any], a: Mapping[str, Any]) -> list[Problem]:
    """os.base_release in the answers where it does not apply (a plain, built-in or scratch image): refused with
    the reason rather than dropped, so a user who set it learns that os.base_image is the way there."""
    value = given.get("os.base_release", "")
    if not value or "os.base_release" in a:
        return []
    engine = knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))
    b = knowledge.base(engine, a.get("os.family", ""), a.get("os.version", "")) \
        or knowledge.base(engine, a.get("os.family", ""), "")
    return [("os.base_release", Msg("cross.base_release_plain", value=shown(value), engine=engine,
                                    image=b.image if b else a.get("os.family", "")))]


def _base_release(a: Mapping[str, Any]) -> list[Problem]:
    """os.base_release (another tag of the pinned third-party base) and os.base_image both name the base: one."""
    if not a.get("os.base_release") or not a.get("os.base_image"):
        return []
    engine = knowledge.engine_of(a.get("app.type", ""), a.get("desktop.engine"))
    b = knowledge.base(engine, a.get("os.family", ""), a.get("os.version", ""))
    return [("os.base_release", Msg("cross.base_release_image", repository=b.repository if b else engine))]


def _desktop_command(a: Mapping[str, Any]) -> list[Problem]:
    """A desktop `command` app must start a program the build installs (wizard/data/commands.toml): the base's
    own (sh), the table's package for this OS, another answer's (java: packages.java), or, for a program the table
    does not know, the package the user names in packages.apt. A package name given as the program, a snap stub
    and a program the OS does not package are refused with the alternative."""
    if a.get("app.type") != "desktop" or a.get("app.name") != "command" or checks.command_line(a.get("app.command", "")):
        return []
    if a["app.command"].startswith(f"{app_folder(a)}/"):
        return []  # the program app.files brings: _app_command judges it
    name, family, version = command_name(a["app.command"]), a.get("os.family", ""), a.get("os.version", "")
    os_name = f"{family} {version}".strip()
    programs = knowledge.package_programs(name)
    if programs:
        return [("app.command", Msg("command.package", name=shown(name), programs=", ".join(programs)))]
    installed = set(a.get("packages.apt", []))
    if a.get("packages.common"):
        installed |= set(knowledge.packages(family, "common"))
    need = knowledge.command_need(name, family, version)
    if need is None:
        if a.get("packages.apt") or name in installed:  # its package named by the user, or a common tool (vim)
            return []
        known = ", ".join(p for p in knowledge.table("commands")["commands"]
                          if (n := knowledge.command_need(p, family, version)) and not n.refused)
        return [("app.command", Msg("command.unknown", name=shown(name), os=os_name, known=known))]
    if need.refused:
        return [("app.command", Msg(need.refused, name=shown(name), os=os_name, version=version, snap=need.snap))]
    if need.via == "packages.java" and a.get("packages.java", "0") != "0":
        return []
    if (not need.packages and not need.via) or installed & set(need.packages):
        return []
    if need.via == "packages.java":
        more = Msg("command.or_packages", packages=" / ".join(need.packages)) if need.packages else ""
        return [("app.command", Msg("command.via_java", name=shown(name), or_packages=more,
                                    versions=", ".join(knowledge.java_versions(family))))]
    return [("app.command", Msg("command.missing", name=shown(name), os=os_name, package=need.packages[0],
                                packages=" or ".join(need.packages)))]
