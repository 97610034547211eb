"""Validation of a whole answer set: each value (answers.resolve) plus the rules that join several keys.

Every problem is (key, message): one line naming the key and what would be accepted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from wizard import checks, knowledge
from wizard.answers import Answers, resolve

Problem = tuple[str, str]


def validate(given: Mapping[str, Any], base_dir: Path = Path(".")) -> tuple[Answers, list[Problem]]:
    answers, problems = resolve(given)
    problems += cross_checks(answers, base_dir)
    return answers, problems


def cross_checks(a: Mapping[str, Any], base_dir: Path = Path(".")) -> list[Problem]:
    out: list[Problem] = []
    family = a.get("os.family")
    app_type = a.get("app.type")
    if family == "alpine":
        if a.get("gpu.vendor") in ("nvidia", "ascend"):
            out.append(("gpu.vendor", f"{a['gpu.vendor']} drivers need glibc; accepted on alpine: none (pick ubuntu or debian for a GPU)"))
        if a.get("gpu.pytorch"):
            out.append(("gpu.pytorch", "PyTorch publishes no musl (Alpine) wheels; accepted on alpine: empty (pick ubuntu or debian)"))
        if a.get("app.name") in ("jupyter", "code-server"):
            out.append(("app.name", f"{a['app.name']} is installed from glibc builds; accepted on alpine: none of the web apps (pick ubuntu or debian)"))
    if app_type == "desktop" and a.get("desktop.engine") == "kasmweb" and family != "ubuntu":
        out.append(("os.family", "kasmweb core images are Ubuntu-based; accepted: ubuntu"))
    if a.get("gpu.vendor") == "nvidia" and a.get("gpu.driver") and a.get("gpu.host_driver") \
            and a["gpu.driver"] != a["gpu.host_driver"]:
        out.append(("gpu.driver", f"{a['gpu.driver']} differs from the host's {a['gpu.host_driver']}; the user-space driver "
                                  "must EQUAL the host's: accepted: the host's version, or empty to mount the host's driver"))
    cuda = a.get("gpu.cuda", "")
    if a.get("gpu.pytorch") and cuda not in ("", "cpu"):
        driver = a.get("gpu.host_driver") or a.get("gpu.driver")
        if a.get("gpu.vendor") != "nvidia":
            out.append(("gpu.cuda", f"{cuda} needs an NVIDIA GPU; accepted without gpu.vendor = nvidia: cpu or empty"))
        elif driver and not knowledge.driver_can_run(driver, cuda):
            floor = knowledge.table("cuda")["minor_compat_floor"][cuda[2:-1]]
            out.append(("gpu.cuda", f"{cuda} needs driver >= {floor} (CUDA minor-version compatibility) but the driver is "
                                    f"{driver}; accepted: a lower CUDA variant, cpu or empty"))
    ports = [(k, a[k]) for k in ("app.port", "ssh.port", "forward.listen") if k in a]
    seen: dict[int, str] = {}
    for key, port in ports:
        if port in seen:
            out.append((key, f"port {port} is already used by {seen[port]}; accepted: a free port 1-65535"))
        seen.setdefault(port, key)
    if a.get("forward.enabled") and a.get("forward.target") == a.get("forward.listen"):
        out.append(("forward.target", "is the same as forward.listen; accepted: the port the app listens on, different from forward.listen"))
    if a.get("ssh.enabled") and a.get("ssh.auth") == "key":
        _, bad = checks.read_public_key(a.get("ssh.authorized_key", ""), base_dir)
        if bad:
            out.append(("ssh.authorized_key", f"accepted: {bad}" if not a.get("ssh.authorized_key") else bad))
    if a.get("network.extra_ca"):
        bad = checks.pem_file(a["network.extra_ca"], base_dir)
        if bad:
            out.append(("network.extra_ca", bad))
    if family == "scratch" and app_type != "binary":
        out.append(("os.family", "scratch has no shell; accepted for this app type: ubuntu, debian, alpine"))
    if app_type == "binary" and checks.file_name(a.get("app.command", "")):
        out.append(("app.command", f"for a binary it is the file's name next to the Dockerfile; accepted: {checks.file_name('')}"))
    return out
