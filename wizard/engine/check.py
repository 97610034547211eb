"""`imgwizard check`: start an image as its context declares and check from outside that each service answers (an SSH
banner, an HTTP answer, a forwarded port, the built-in desktop's viewer page, RFB through its websocket and the
app's process), then remove the container. Remote engines reach the published ports through reach.py."""

from __future__ import annotations

import secrets
import tempfile
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import docker.errors

from wizard import safeio
from wizard.engine.check_desktop import check_desktop
from wizard.engine.common import DockerOpError, api_message, outside_line


@dataclass(frozen=True)
class Service:
    kind: str  # ssh | http | forward | desktop
    port: int  # the container port to reach from outside
    target: int = 0  # forward: the port it forwards to
    process: str = ""  # desktop: the app's program, which must be running


@dataclass
class RunSpec:
    """What the context declares for `docker run`: published ports, fixed environment, --init, services."""
    ports: list[int]
    env: dict[str, str]
    init: bool
    services: list[Service]
    ignored_flags: list[str] = field(default_factory=list)  # GPU / device flags this machine cannot honour
    throwaway: list[str] = field(default_factory=list)  # required secrets the check makes up when not given


def run_spec(answers: Mapping[str, Any], plan: Any) -> RunSpec:
    """The run settings and services from resolved answers and their Plan."""
    services: list[Service] = []
    if answers.get("app.type") == "web" and answers.get("app.port"):
        services.append(Service("http", int(answers["app.port"])))
    if plan.desktop:  # the built-in desktop (the other desktop bases cannot be pulled here to learn their pages)
        services.append(Service("desktop", int(plan.desktop["port"]), process=plan.desktop["process"]))
    if answers.get("ssh.enabled"):
        services.append(Service("ssh", int(answers["ssh.port"])))
    if answers.get("forward.enabled"):
        services.append(Service("forward", int(answers["forward.listen"]), int(answers["forward.target"])))
    ignored = [f for f in plan.run_flags if f.startswith(("--gpus", "--device", "-v"))]
    throwaway = [s.name for s in plan.secrets if s.required]
    return RunSpec(list(plan.expose), dict(plan.env_fixed), bool(plan.needs_init), services, ignored, throwaway)


def run_spec_of_context(context_dir: Path) -> RunSpec:
    """The RunSpec of a build context written by imgwizard (from its imgwizard.toml)."""
    from wizard import answers_file
    from wizard.answers import resolve
    from wizard.plan import build_plan

    source = Path(context_dir) / "imgwizard.toml"
    try:
        given, problems = answers_file.parse(safeio.read_text(source, safeio.ANSWERS_LIMIT))
    except safeio.SafeIOError as exc:
        raise DockerOpError(str(exc)) from None
    if problems:
        raise DockerOpError(f"{source}: " + "; ".join(f"{k}: {m}" for k, m in problems))
    answers, _ = resolve(given)
    return run_spec(answers, build_plan(answers, Path(context_dir)))


def run_spec_of_image(client: Any, image: str) -> RunSpec:
    """The RunSpec of an image imgwizard built, from the answers in its imgwizard.answers label (no build
    context needed; files the answers name, such as an SSH key, are not read: the run needs none of them)."""
    from wizard import answers_file
    from wizard.answers import resolve
    from wizard.engine.labels import image_labels
    from wizard.labels import MetaError, answers_text
    from wizard.plan import build_plan

    try:
        text = answers_text(image_labels(client, image), f"image {image}")
    except MetaError as exc:
        raise DockerOpError(f"{exc} (or pass --context DIR, the image's build context)") from None
    given, problems = answers_file.parse(text)
    if problems:
        raise DockerOpError(f"image {image}: its answers label: " + "; ".join(f"{k}: {outside_line(m, 200)}"
                                                                             for k, m in problems))
    answers, _ = resolve(given)
    with tempfile.TemporaryDirectory(prefix="imgwizard-check-") as empty:  # no file beside the answers
        return run_spec(answers, build_plan(answers, Path(empty)))


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    image: str
    results: list[CheckResult]
    logs: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)


def check_image(client: Any, image: str, spec: RunSpec, env: Mapping[str, str] | None = None,
                timeout: float = 90.0, keep: bool = False, reach: Callable[[int], int] | None = None) -> CheckReport:
    """Start IMAGE as the context declares, check each service answers from outside, remove the container.

    Container ports are published on 127.0.0.1 (random host ports). `env` adds variables (JUPYTER_TOKEN,
    SSH_PASSWORD...); a required secret not given (DESKTOP_PASSWORD) gets a random throwaway value. A forwarded port
    is checked by reaching its target: the web app when the target is the app's port, else a one-shot socat
    listener started in the container on the target port. A desktop: its viewer page, RFB through its websocket
    and the app's own process staying up (check_desktop.py). `reach` maps a port on the engine host's 127.0.0.1
    to one this machine can connect to (reach.py, remote engines).
    """
    container = _start_for_check(client, image, spec, env)
    results: list[CheckResult] = []
    logs = ""
    try:
        deadline = time.monotonic() + timeout
        host_ports = _host_ports(container, spec.ports, deadline)
        if reach is not None:
            host_ports = {port: reach(host_port) for port, host_port in host_ports.items()}
        http_ports = {s.port for s in spec.services if s.kind == "http"}
        for service in spec.services:
            host_port = host_ports.get(service.port)
            if host_port is None:
                results.append(CheckResult(service.kind, False, f"port {service.port} is not published"))
            else:
                results.extend(_check_service(container, service, host_port, service.target in http_ports, deadline))
        if not spec.services:
            ok, detail = _wait(lambda: "running", container, time.monotonic() + 3, settle=True)
            results.append(CheckResult("container keeps running", ok, detail))
        if not all(r.ok for r in results):
            logs = _logs(container)
    finally:
        if not keep:
            try:
                container.remove(force=True)
            except docker.errors.APIError:
                pass
    return CheckReport(image, results, logs)


def _start_for_check(client: Any, image: str, spec: RunSpec, env: Mapping[str, str] | None) -> Any:
    """IMAGE started as the context declares, its ports published on 127.0.0.1, a throwaway value for each
    required secret not given."""
    environment = {name: secrets.token_hex(4) for name in spec.throwaway}
    environment.update({**spec.env, **(env or {})})
    try:
        client.images.get(image)  # run would try to pull a missing image from a registry
    except docker.errors.ImageNotFound:
        raise DockerOpError(f"no image {image} in this engine (docker images lists them)") from None
    except docker.errors.APIError as exc:
        raise DockerOpError(f"the engine did not say whether it has {image}: {api_message(exc)}") from None
    try:
        return client.containers.run(
            image, detach=True, init=spec.init or None, environment=environment,
            ports={f"{p}/tcp": ("127.0.0.1", None) for p in spec.ports}, labels={"imgwizard.check": "1"})
    except docker.errors.ImageNotFound:
        raise DockerOpError(f"no image {image} in this engine") from None
    except docker.errors.APIError as exc:
        raise DockerOpError(f"cannot start {image}: {api_message(exc)}") from None


def _check_service(container: Any, service: Service, host_port: int, target_is_web: bool,
                   deadline: float) -> list[CheckResult]:
    """One declared service, reached on `host_port`: an SSH banner, an HTTP answer, a desktop, or a forwarded
    port (through the web app when it forwards to it, else through a one-shot listener on its target)."""
    if service.kind == "ssh":
        ok, detail = _wait(lambda: _ssh_banner(host_port), container, deadline)
        return [CheckResult(f"ssh on {service.port}", ok, detail)]
    if service.kind == "http":
        ok, detail = _wait(lambda: _http(host_port), container, deadline)
        return [CheckResult(f"http on {service.port}", ok, detail)]
    if service.kind == "desktop":
        return [CheckResult(*r) for r in check_desktop(container, host_port, service.port, service.process, deadline,
                                                        _wait)]
    if target_is_web:
        ok, detail = _wait(lambda: _http(host_port), container, deadline)
    else:
        ok, detail = _check_forward(container, host_port, service.target, deadline)
    return [CheckResult(f"forward {service.port} -> {service.target}", ok, detail)]


def _host_ports(container: Any, ports: list[int], deadline: float) -> dict[int, int]:
    found: dict[int, int] = {}
    while time.monotonic() < deadline:
        container.reload()
        bindings = container.attrs.get("NetworkSettings", {}).get("Ports") or {}
        for p in ports:
            for b in bindings.get(f"{p}/tcp") or []:
                if b.get("HostIp") in ("127.0.0.1", "0.0.0.0", "") and b.get("HostPort"):
                    found[p] = int(b["HostPort"])
        if len(found) == len(ports) or container.status == "exited":
            break
        time.sleep(0.2)
    return found


def _wait(probe: Callable[[], str], container: Any, deadline: float, settle: bool = False) -> tuple[bool, str]:
    """Run `probe` until it returns a detail (ok) or the deadline passes; fail early if the container exits."""
    last = "no answer"
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            return False, f"the container stopped (exit code {code})"
        if not settle:
            try:  # what a service answers (an SSH banner) is the container's text: shown safely
                return True, outside_line(probe(), 200)
            except (OSError, ValueError) as exc:
                last = outside_line(exc, 200) or type(exc).__name__
        if time.monotonic() >= deadline:
            return (True, "running") if settle else (False, f"no answer before the time-out ({last})")
        time.sleep(0.5)


def _ssh_banner(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        data = s.recv(256).decode("ascii", "replace")
    if not data.startswith("SSH-2.0"):
        raise ValueError(f"not an SSH banner: {data[:40]!r}")
    return data.strip()


def _http(port: int) -> str:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", method="GET")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return f"HTTP {r.status}"
    except urllib.error.HTTPError as exc:  # any HTTP answer (401, 403, 404...) means the server is there
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from None


_MARK = "imgwizard-forward-ok"


def _check_forward(container: Any, host_port: int, target: int, deadline: float) -> tuple[bool, str]:
    cmd = ["socat", "-T", "10", f"TCP-LISTEN:{target},reuseaddr,fork", f"SYSTEM:echo {_MARK}"]
    try:
        container.exec_run(cmd, detach=True)
    except docker.errors.APIError as exc:
        return False, f"cannot start a listener on {target}: {api_message(exc)}"

    def probe() -> str:
        with socket.create_connection(("127.0.0.1", host_port), timeout=5) as s:
            s.settimeout(5)
            data = b""
            while _MARK.encode() not in data:
                more = s.recv(256)
                if not more:
                    break
                data += more
        if _MARK.encode() not in data:
            raise ValueError("connected, but the target did not answer through the forward")
        return f"reached a listener on {target}"

    return _wait(probe, container, deadline)


def _logs(container: Any, lines: int = 40) -> str:
    try:
        return container.logs(tail=lines).decode("utf-8", "replace")
    except docker.errors.APIError:
        return ""
