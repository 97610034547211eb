"""Which Docker engine imgwizard talks to, and the one factory for its client (docs/remote.md).

Every command (build, check, commit, export, import, push), the wizard's F5 and its engine hint get their
client from `connect`, so they all follow the engine the way the Docker CLI chooses it:

1. `--host URL` on the command line;
2. `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` for tcp://);
3. the current `docker context`: `DOCKER_CONTEXT`, else `currentContext` in the Docker config file
   (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`), whose endpoint is in
   `contexts/meta/<sha256 of the name>/meta.json` and its TLS files in `contexts/tls/<sha256>/docker/`;
4. the local socket.

ssh:// uses docker-py's own transport (paramiko; its `ssh` extra): key login with the keys in ~/.ssh or the
ssh agent, host keys from ~/.ssh/known_hosts (an unknown host is refused, never accepted silently), and
`docker system dial-stdio` on the remote side, like the Docker CLI. The engine adapter: stdlib + docker.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import docker
import docker.errors
import docker.tls

from wizard import safeio
from wizard.checks import shown
from wizard.engine.common import outside_line

LOCAL_SOCKET = "unix:///var/run/docker.sock"
HOST_LIMIT = 300
CONNECT_SECONDS = 20.0  # an engine that has not answered by then is reported as not answering
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?"
_HOST = re.compile(rf"unix:///[A-Za-z0-9._/+-]{{1,250}}"
                   rf"|ssh://(?:[A-Za-z0-9._-]{{1,64}}@)?(?:{_NAME}|\[[0-9A-Fa-f:.]+\])(?::\d{{1,5}})?"
                   rf"|tcp://(?:{_NAME}|\[[0-9A-Fa-f:.]+\]):\d{{1,5}}", re.ASCII)
# A docker context's name, as the Docker CLI accepts it (docker/cli cli/context/store/store.go
# restrictedNamePattern): anything else in DOCKER_CONTEXT or currentContext is refused, never shown raw.
_CONTEXT_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.+-]{1,199}", re.ASCII)
CONFIG_LIMIT = safeio.MIB  # the Docker config file and a context's meta.json (a few hundred bytes each)
HOST_ACCEPTED = ("ssh://[USER@]HOST[:PORT], tcp://HOST:PORT or unix:///PATH "
                 "(e.g. ssh://root@gpu-server or tcp://10.0.0.5:2376)")


class EngineError(Exception):
    """No engine answers at the chosen endpoint: one line saying where and why."""

    def __init__(self, message: str, endpoint: "Endpoint | None" = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint  # None when no endpoint could be chosen (BadHost)


class BadHost(EngineError):
    """The engine address given (--host, DOCKER_HOST, a context) is not one imgwizard accepts."""


@dataclass(frozen=True)
class Endpoint:
    url: str  # ssh://..., tcp://..., unix:///...
    source: str  # where the choice came from: "--host", "DOCKER_HOST", "docker context NAME", "the local socket"
    tls: Any = None  # a docker.tls.TLSConfig for tcp:// with TLS, else None

    @property
    def remote(self) -> bool:
        return not self.url.startswith("unix://")

    def __str__(self) -> str:
        return f"{self.url} (from {self.source})"


def host_problem(value: str, name: str = "--host") -> str | None:
    """None when `value` is an engine address imgwizard accepts, else one line naming `name`."""
    if len(value) <= HOST_LIMIT and _HOST.fullmatch(value) and _port_ok(value):
        return None
    return f"{name} {outside_line(shown(value))} is not a Docker engine address; accepted: {HOST_ACCEPTED}"


def _port_ok(url: str) -> bool:
    m = re.search(r":(\d+)$", url)
    return url.startswith("unix://") or m is None or 1 <= int(m.group(1)) <= 65535


def resolve(host: str | None = None, environ: Mapping[str, str] | None = None) -> Endpoint:
    """The engine the Docker CLI would use (see the module's docstring); BadHost for an address not accepted."""
    env = os.environ if environ is None else environ
    if host:
        return _checked(Endpoint(host, "--host", _env_tls(env, host)), "--host")
    if env.get("DOCKER_HOST"):
        return _checked(Endpoint(env["DOCKER_HOST"], "DOCKER_HOST", _env_tls(env, env["DOCKER_HOST"])), "DOCKER_HOST")
    found = context_endpoint(env)
    return found if found is not None else Endpoint(LOCAL_SOCKET, "the local socket")


def _checked(endpoint: Endpoint, name: str) -> Endpoint:
    problem = host_problem(endpoint.url, name)
    if problem:
        raise BadHost(problem)
    return endpoint


def _env_tls(env: Mapping[str, str], url: str) -> Any:
    """The TLS settings DOCKER_TLS_VERIFY / DOCKER_CERT_PATH ask for (tcp:// only), as docker-py reads them."""
    if not url.startswith("tcp://"):
        return None
    try:
        return docker.utils.kwargs_from_env(environment={**env, "DOCKER_HOST": url}).get("tls")
    except docker.errors.DockerException as exc:
        folder = env.get("DOCKER_CERT_PATH") or "~/.docker"
        raise BadHost(f"DOCKER_TLS_VERIFY/DOCKER_CERT_PATH: {outside_line(exc, 300)} (looked in {folder} for "
                      f"ca.pem, cert.pem, key.pem)") from None


def docker_config_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("DOCKER_CONFIG") or Path(env.get("HOME") or Path.home()) / ".docker")


def context_endpoint(env: Mapping[str, str]) -> Endpoint | None:
    """The current `docker context`'s endpoint, or None for the default context (the local socket). BadHost, one
    line naming the file, for a name the Docker CLI would refuse or a meta.json it does not write."""
    folder = docker_config_dir(env)
    chosen_by = "DOCKER_CONTEXT" if env.get("DOCKER_CONTEXT") else str(folder / "config.json")
    name = env.get("DOCKER_CONTEXT") or _current_context(folder / "config.json")
    if not name or name == "default":
        return None
    if not _CONTEXT_NAME.fullmatch(name):
        raise BadHost(f"docker context {outside_line(shown(name))} (chosen by {chosen_by}) is not a context name; "
                      f"accepted: letters, digits and _ . + - (at least 2, starting with a letter or digit; "
                      f"`docker context ls` lists them)")
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta_path = folder / "contexts" / "meta" / digest / "meta.json"
    what = f"docker context {name!r} (chosen by {chosen_by})"
    meta = _json(meta_path, what)
    endpoints = meta.get("Endpoints")
    docker_end = endpoints.get("docker") if isinstance(endpoints, dict) else None
    url = docker_end.get("Host") if isinstance(docker_end, dict) else None
    skip = docker_end.get("SkipTLSVerify", False) if isinstance(docker_end, dict) else False
    if not isinstance(url, str) or not isinstance(skip, bool):
        raise BadHost(f"{what}: {meta_path} is not a context as `docker context create` writes it; accepted: "
                      f'{{"Endpoints": {{"docker": {{"Host": "ssh://... or tcp://...", "SkipTLSVerify": false}}}}}}')
    source = f"docker context {name}"
    endpoint = Endpoint(url, source, _context_tls(folder / "contexts" / "tls" / digest / "docker", skip))
    return _checked(endpoint, f"the Host of {source}")


def _current_context(config: Path) -> str | None:
    if not os.path.lexists(config):
        return None
    value = _json(config, "the Docker config file").get("currentContext")
    if value is not None and not isinstance(value, str):
        raise BadHost(f"the Docker config file {config}: its currentContext is not a text; accepted: the name of a "
                      f"docker context (`docker context use NAME` writes it)")
    return value or None


def _json(path: Path, what: str) -> dict:
    """A JSON object from `path`: a regular file (never a FIFO or a device, which would block) of at most
    CONFIG_LIMIT bytes; BadHost, one line naming `what` and the file, otherwise."""
    if not os.path.lexists(path):
        raise BadHost(f"{what}: {path} does not exist (`docker context ls` lists the contexts)")
    try:
        data = json.loads(safeio.read_text(path, CONFIG_LIMIT))
    except safeio.SafeIOError as exc:
        raise BadHost(f"{what}: {outside_line(exc)}") from None
    except ValueError as exc:
        raise BadHost(f"{what}: cannot read {path}: not JSON ({outside_line(exc, 200)})") from None
    except RecursionError:
        raise BadHost(f"{what}: {path} is nested too deeply; accepted: a JSON object as docker writes it") from None
    if not isinstance(data, dict):
        raise BadHost(f"{what}: {path} is not a JSON object")
    return data


def docker_py_config_problem() -> str | None:
    """Why the Docker config file docker-py reads when it makes a client (docker.utils.config.find_config_file:
    $DOCKER_CONFIG/config.json, ~/.docker/config.json, ~/.dockercfg) cannot be read safely, or None. docker-py
    opens it without looking at its kind, so a FIFO there would block every command; it is looked at first."""
    from docker.utils.config import find_config_file

    found = find_config_file()
    if found is None:
        return None
    try:
        data = json.loads(safeio.read_text(Path(found), CONFIG_LIMIT))
    except safeio.SafeIOError as exc:
        return f"the Docker config file cannot be used: {outside_line(exc)}"
    except RecursionError:
        return f"the Docker config file {found} is nested too deeply; accepted: a JSON object as docker writes it"
    except ValueError:
        return None  # docker-py skips a file that is not JSON (a legacy .dockercfg)
    if not isinstance(data, dict):
        return f"the Docker config file {found} is not a JSON object; accepted: a JSON object as docker writes it"
    return None


def _context_tls(folder: Path, skip_verify: bool) -> Any:
    """A context's TLS files (`docker context create --docker host=...,ca=...,cert=...,key=...` copies them)."""
    ca, cert, key = (folder / n for n in ("ca.pem", "cert.pem", "key.pem"))
    if not (ca.is_file() or cert.is_file()):
        return None
    client_cert = (str(cert), str(key)) if cert.is_file() and key.is_file() else None
    return docker.tls.TLSConfig(client_cert=client_cert, ca_cert=str(ca) if ca.is_file() else None,
                                verify=not skip_verify)


# ------------------------------------------------------------------ connecting

class _EngineAPI(docker.APIClient):
    """docker-py's APIClient whose TLS CA (DOCKER_CERT_PATH/ca.pem, a context's ca.pem) is not replaced by
    REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE: requests lets those override a Session's `verify` (psf/requests
    #4726, #6141), which the Docker CLI never does. Proxies and the rest still come from the environment."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # noqa: ANN001 - requests' API
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and isinstance(self.verify, str):
            settings["verify"] = self.verify
        return settings


class EngineClient(docker.DockerClient):
    """A DockerClient over `_EngineAPI` (same arguments as docker.DockerClient)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.api = _EngineAPI(*args, **kwargs)


def connect(endpoint: Endpoint, seconds: float = CONNECT_SECONDS,
            make: Callable[..., Any] = EngineClient) -> Any:
    """A DockerClient for `endpoint` whose engine answered a ping; EngineError (one line) otherwise.

    Connecting runs in a helper thread so an address that swallows packets is reported after `seconds`
    instead of the system's TCP time-out (minutes)."""
    problem = docker_py_config_problem()
    if problem:
        raise BadHost(problem)
    outcome: dict[str, Any] = {}

    def attempt() -> None:
        try:
            client = make(base_url=endpoint.url, tls=endpoint.tls or False)
            client.ping()
            outcome["client"] = client
        except BaseException as exc:  # noqa: BLE001 - reported below as one line
            outcome["error"] = exc

    worker = threading.Thread(target=attempt, name="imgwizard-engine-connect", daemon=True)
    worker.start()
    worker.join(seconds)
    if "client" in outcome:
        return outcome["client"]
    if "error" in outcome:
        raise EngineError(f"no Docker engine answers at {endpoint}: {explain(outcome['error'], endpoint)}", endpoint)
    raise EngineError(f"no Docker engine answers at {endpoint}: no answer within {seconds:.0f} s", endpoint)


def client_for(host: str | None = None, environ: Mapping[str, str] | None = None) -> tuple[Any, Endpoint]:
    """The one factory: the endpoint chosen as the Docker CLI would, connected (EngineError / BadHost)."""
    endpoint = resolve(host, environ)
    return connect(endpoint), endpoint


def explain(exc: BaseException, endpoint: Endpoint) -> str:
    """One line for a failed connection: the most specific cause in the exception's chain; the exception's own
    text is made safe to show (an SSH server's, a proxy's or an engine's answer may be anyone's)."""
    for cause in _chain(exc):
        line = _known(cause, endpoint)
        if line:
            return line
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return outside_line(text, 300)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return seen


def _known(exc: BaseException, endpoint: Endpoint) -> str | None:
    name, text = type(exc).__name__, outside_line(exc, 300)  # an SSH server's or a TLS peer's words: shown safely
    where = _where(endpoint.url)
    if name in ("AuthenticationException", "BadAuthenticationType", "PasswordRequiredException"):
        return (f"the SSH server at {where} refused the key login ({text or name}); imgwizard logs in with the keys "
                f"in ~/.ssh or the ssh agent: check `ssh {_ssh_args(endpoint.url)} docker version` works")
    if name == "SSHException" and "known_hosts" in text:
        return (f"the SSH host key of {where} is not in ~/.ssh/known_hosts; connect once with "
                f"`ssh {_ssh_args(endpoint.url)}` and accept it (imgwizard never accepts an unknown host key)")
    if name == "NoValidConnectionsError" or isinstance(exc, ConnectionRefusedError):
        return f"nothing listens at {where} (connection refused)"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the host {where} (name lookup failed)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"{where} did not answer in time"
    if isinstance(exc, ssl.SSLError) or name == "TLSParameterError":
        return (f"TLS failed ({text[:160]}): check DOCKER_TLS_VERIFY and the ca.pem, cert.pem, key.pem in "
                f"DOCKER_CERT_PATH")
    if isinstance(exc, FileNotFoundError) and endpoint.url.startswith("unix://"):
        return f"{endpoint.url[7:]} does not exist (is dockerd running?)"
    if isinstance(exc, PermissionError) and endpoint.url.startswith("unix://"):
        return f"no permission to use {endpoint.url[7:]} (join the docker group, or use sudo)"
    return None


def _where(url: str) -> str:
    return url.split("://", 1)[1].split("@")[-1] if "://" in url else url


def _ssh_args(url: str) -> str:
    """`-p PORT USER@HOST` for an ssh:// URL (the command a user types to try the same login)."""
    rest = url.split("://", 1)[-1]
    m = re.fullmatch(r"(?:(?P<user>[^@]+)@)?(?P<host>\[[^\]]+\]|[^:]+)(?::(?P<port>\d+))?", rest)
    if not m:
        return rest
    login = f"{m['user']}@{m['host']}" if m["user"] else m["host"]
    return f"-p {m['port']} {login}" if m["port"] else login


# ------------------------------------------------------------------ does an engine answer?

HOW_TO_START = ("start one: `sudo systemctl start docker` (or `sudo dockerd &`), "
                "or point DOCKER_HOST at a running engine")


def engine_status(client_factory: Callable[[], Any] | None = None, host: str | None = None) -> str | None:
    """None when a Docker engine answers, else one line saying why not. Without a factory: `host`, else the
    engine the Docker CLI would use (wizard/engine/connect.py: DOCKER_HOST, the docker context, the local socket)."""
    if client_factory is None:
        try:
            client_for(host)[0].close()  # an SSH session is not left open behind the answer
        except EngineError as exc:
            return str(exc)
        return None
    try:
        client = client_factory()
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no engine" here
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"no Docker engine answers ({outside_line(reason, 200)})"
    return None


def default_engine_probe(host: str | None = None) -> str | None:
    """engine_status for `host`, else the engine the Docker CLI would use; an adapter failure is a reason, never
    a crash of the wizard."""
    try:
        return engine_status(host=host)
    except Exception as exc:  # noqa: BLE001
        return outside_line(exc) or type(exc).__name__
