"""Rendering: validated answers -> a build context (Dockerfile, support files, run.sh, compose.yaml, README,
.dockerignore and the answers file), as text in memory. Writing it to disk is wizard/context.py's job.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import jinja2

from wizard import __version__, answers_file, checks, labels
from wizard.choices import torch_build_for
from wizard.plan import CONDA, VENV, Plan, build_plan
from wizard.plan_apps import app_title as plan_app_title
from wizard.plan_start import WRAPPER

EXECUTABLE = 0o755
REGULAR = 0o644


@dataclass(frozen=True)
class File:
    text: str
    mode: int = REGULAR


@dataclass
class BuildContext:
    answers: dict[str, Any]
    plan: Plan
    files: dict[str, File] = field(default_factory=dict)

    @property
    def dockerfile(self) -> str:
        return self.files["Dockerfile"].text

    @property
    def warnings(self) -> list[str]:
        return self.plan.warnings

    @property
    def image(self) -> str:
        return f"{self.answers['image.name']}:{self.answers['image.tag']}"


def snippets_dir() -> Path:
    return Path(str(resources.files("snippets")))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder, so the wizard's first frame does not wait for Jinja
    to compile every snippet again (about 0.15 s). Jinja checks each template's modification time; an
    unwritable cache folder just means no cache."""
    import os

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "imgwizard" / f"jinja-{__version__}"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(root))


@functools.cache
def environment(folder: str | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or str(snippets_dir())),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["shquote"] = shlex.quote
    env.filters["and_chain"] = and_chain
    env.filters["env_chain"] = env_chain
    return env


def _items(parts: list[str]) -> list[str]:
    """The items of several snippets' macro outputs: one per line, a line ending with a backslash continuing
    into the next (kept, each continuation line indented by 8)."""
    items: list[str] = []
    open_item = False
    for line in "\n".join(str(part) for part in parts).splitlines():
        text = line.strip()
        if not text:
            continue
        if open_item:
            items[-1] += "\n        " + text
        else:
            items.append(text)
        open_item = text.endswith("\\")
    return items


def and_chain(parts: list[str]) -> str:
    """Commands from several snippets as the shell of one RUN, joined with &&: one build step, one layer."""
    return " \\\n    && ".join(_items(parts))


def env_chain(parts: list[str]) -> str:
    """NAME=value items from several snippets as the body of one ENV. In one ENV instruction a `$NAME` is read
    from before it, so the PATH items (each `PATH=dirs:$PATH`) are merged into one: later snippets first, as
    their own ENV PATH=...:$PATH lines would have left it."""
    items, prefixes = [], []
    for item in _items(parts):
        if item.startswith("PATH=") and item.endswith(":$PATH"):
            prefixes.insert(0, item[len("PATH="):-len(":$PATH")])
        else:
            items.append(item)
    if prefixes:
        items.append("PATH=" + ":".join(prefixes) + ":$PATH")
    return " \\\n    ".join(items)


_COPY = re.compile(r"^COPY (?!--from)(?:--chown=\S+ )?(\S+) ", re.MULTILINE)


def copied_files(dockerfile: str) -> list[str]:
    """The build-context files a Dockerfile COPYs (not those COPYed from another stage), in order, once each."""
    return list(dict.fromkeys(_COPY.findall(dockerfile)))

# The support files each situation needs: (file name in the context, template, mode, applies).
SUPPORT: tuple[tuple[str, str, int, Any], ...] = (
    ("imgwizard-entry.sh", "files/imgwizard-entry.sh.j2", EXECUTABLE, lambda a, p: p.wrapper),
    ("sshd_config", "files/sshd_config.j2", REGULAR, lambda a, p: a.get("ssh.enabled")),
    ("startapp.sh", "files/startapp.sh.j2", EXECUTABLE, lambda a, p: p.engine == "novnc"),
    ("autostart", "files/autostart.j2", REGULAR, lambda a, p: p.engine == "kasm"),
    ("custom_startup.sh", "files/custom_startup.sh.j2", EXECUTABLE, lambda a, p: p.engine == "kasmweb"),
    ("imgwizard-desktop.sh", "files/imgwizard-desktop.sh.j2", EXECUTABLE, lambda a, p: p.desktop is not None),
    ("novnc-index.html", "files/novnc-index.html.j2", REGULAR, lambda a, p: p.desktop is not None),
    ("novnc-status.js", "files/novnc-status.js.j2", REGULAR, lambda a, p: bool(p.desktop and p.desktop["status_fix"])),
    ("novnc-ime.js", "files/novnc-ime.js.j2", REGULAR, lambda a, p: bool(p.desktop and a.get("locale.chinese"))),
    ("idea.properties", "files/idea.properties.j2", REGULAR, lambda a, p: p.jetbrains is not None),
    ("jupyter_server_config.py", "files/jupyter_server_config.py.j2", REGULAR, lambda a, p: a.get("app.name") == "jupyter"),
    ("start-jupyter.sh", "files/start-jupyter.sh.j2", EXECUTABLE, lambda a, p: a.get("app.name") == "jupyter"),
    ("start-code-server.sh", "files/start-code-server.sh.j2", EXECUTABLE, lambda a, p: a.get("app.name") == "code-server"),
    ("condarc", "files/condarc.j2", REGULAR, lambda a, p: p.miniconda_url is not None),
)


def render(answers: Mapping[str, Any], base_dir: Path = Path("."), snippets: Path | None = None) -> BuildContext:
    """The build context for validated answers. `base_dir` resolves file answers (key file, CA file)."""
    a = dict(answers)
    plan = build_plan(a, base_dir)
    env = environment(str(snippets) if snippets else None)
    values = _values(a, plan)
    ctx = BuildContext(a, plan)
    dockerfile = env.get_template("Dockerfile.j2").render(values)
    ctx.files["Dockerfile"] = File(_tidy(dockerfile))
    for name, template, mode, applies in SUPPORT:
        if applies(a, plan):
            ctx.files[name] = File(env.get_template(template).render(values), mode)
    if plan.authorized_keys:
        ctx.files["authorized_keys"] = File(plan.authorized_keys.strip() + "\n")
    if a.get("network.extra_ca"):
        ctx.files["extra-ca.crt"] = File(_extra_ca(a["network.extra_ca"], base_dir))
    copied = sorted(copied_files(dockerfile))
    ctx.files[".dockerignore"] = File(env.get_template("files/dockerignore.j2").render(values, copied=copied))
    ctx.files["run.sh"] = File(env.get_template("files/run.sh.j2").render(values), EXECUTABLE)
    ctx.files["compose.yaml"] = File(env.get_template("files/compose.yaml.j2").render(values))
    ctx.files["README.md"] = File(env.get_template("files/README.md.j2").render(values))
    # the answers as the image carries them (an SSH key file's line, not this machine's path): the label and
    # the context's answers file are the same answers, so either rebuilds the image elsewhere
    ctx.files["imgwizard.toml"] = File(answers_file.dump(labels.portable(a, plan.authorized_keys)))
    return ctx


def _extra_ca(value: str, base_dir: Path) -> str:
    """Only the X.509 certificates of the CA file (checks.read_ca_bundle): never a key or other text."""
    certs, bad = checks.read_ca_bundle(value, base_dir)
    if bad:
        raise checks.FileAnswerError(f"network.extra_ca: {bad}")
    return certs


def _values(a: dict[str, Any], plan: Plan) -> dict[str, Any]:
    app_name = a.get("app.name")
    if a["app.type"] == "binary":
        app_snippet = "binary"
    else:
        app_snippet = (app_name or "none").replace("-", "_")
    if plan.jetbrains:
        app_command, app_title = plan.jetbrains["launcher"], plan.jetbrains["title"]
    else:
        app_command, app_title = a.get("app.command", ""), plan_app_title(a)
    image = f"{a['image.name']}:{a['image.tag']}"
    return {
        "a": a, "p": plan, "version": __version__, "venv": VENV, "conda": CONDA, "wrapper_path": WRAPPER,
        "app_snippet": app_snippet, "app_command": app_command, "app_title": app_title, "image": image,
        "service": a["image.name"].split("/")[-1].replace(".", "-").replace("_", "-"),
        "run_flags": _run_flags(plan),
        "summary": summary(a),
        "labels": {name: labels.dockerfile_word(value)
                   for name, value in labels.labels(labels.portable(a, plan.authorized_keys), summary(a),
                                                             plan.base_image).items()},
        "created_arg": labels.CREATED_ARG,
    }


def _run_flags(plan: Plan) -> list[str]:
    """docker run flags, one per line in run.sh (flag and value together); a secret as its name alone."""
    out: list[str] = []
    flags = plan.run_flags
    i = 0
    while i < len(flags):
        if flags[i].startswith("-") and i + 1 < len(flags) and not flags[i + 1].startswith("-"):
            out.append(f"{flags[i]} {flags[i + 1]}")
            i += 2
        else:
            out.append(flags[i])
            i += 1
    # secrets by name only: docker reads the value from its environment (run.sh checks and exports it first)
    out.extend(f"-e {s.name}" for s in plan.secrets)
    for k, v in plan.env_fixed.items():
        out.append(f"-e {k}={v}")
    return out


def summary(a: Mapping[str, Any], lang: str = "en") -> str:
    """One line describing the answers, e.g. 'jupyter web app on ubuntu 22.04, nvidia, PyTorch 2.4.0'."""
    zh = lang == "zh"
    kind = {"desktop": (f"{a.get('app.name')} 桌面应用（{a.get('desktop.engine')}）" if zh
                        else f"{a.get('app.name')} desktop app on {a.get('desktop.engine')}"),
            "web": f"{a.get('app.name')} Web 应用" if zh else f"{a.get('app.name')} web app",
            "shell": "命令行镜像" if zh else "shell image",
            "binary": "二进制程序" if zh else "binary"}[a["app.type"]]
    where = f"{a['os.family']} {a.get('os.version', '')}".strip()
    parts = [f"{kind}，基于 {where}" if zh else f"{kind} on {where}"]
    if a.get("gpu.vendor") not in (None, "none"):
        parts.append(a["gpu.vendor"])
    if a.get("gpu.pytorch"):
        build = torch_build_for(a)
        variant = f" ({build.variant})" if build and build.variant else ""
        parts.append(f"PyTorch {a['gpu.pytorch']}{variant}")  # the build it installs: never a CPU torch unsaid
    if a.get("ssh.enabled"):
        parts.append(f"SSH（{a['ssh.auth']}）" if zh else f"SSH ({a['ssh.auth']})")
    if a.get("forward.enabled"):
        parts.append(f"socat {a['forward.listen']}->{a['forward.target']}")
    if a.get("locale.chinese"):
        parts.append("中文环境" if zh else "Chinese locale")
    return ("，" if zh else ", ").join(parts)


def _tidy(text: str) -> str:
    """Collapse the blank lines left by sections that rendered nothing."""
    text = re.sub(r"\n+(# ---)", r"\n\n\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
