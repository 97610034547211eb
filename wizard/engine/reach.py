"""How `imgwizard check` reaches the ports a container publishes, when the engine is not on this machine.

`check_image` publishes the container's ports on the engine host's 127.0.0.1 (never on every interface) and
probes them. With the local socket that is this machine. With ssh:// the probes go through the SSH connection
docker-py already holds (a `direct-tcpip` channel, what `ssh -L` does): `ssh_route` listens on a local
127.0.0.1 port per published port and carries each connection over the existing SSH session. With tcp:// there
is no such channel and the engine host's 127.0.0.1 cannot be reached from here: `route_for` refuses, saying so.
The engine adapter: stdlib (+ the paramiko objects docker-py made).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any, Callable, Iterator

Route = Callable[[int], int]  # a port on the engine host's 127.0.0.1 -> a port on this machine's 127.0.0.1


class Unreachable(Exception):
    """The engine's published ports cannot be reached from this machine (one line why)."""


def _ssh_transport(client: Any) -> Any:
    """The paramiko Transport of a client made for an ssh:// URL (docker-py's SSHHTTPAdapter), or None."""
    adapter = getattr(getattr(client, "api", client), "_custom_adapter", None)
    ssh_client = getattr(adapter, "ssh_client", None)
    return ssh_client.get_transport() if ssh_client is not None else None


@contextlib.contextmanager
def route_for(client: Any) -> Iterator[Route | None]:
    """None (probe 127.0.0.1 directly) for a local engine; a Route over SSH for ssh://; Unreachable for tcp://."""
    transport = _ssh_transport(client)
    if transport is not None:
        forwarder = SSHForwarder(transport)
        try:
            yield forwarder
        finally:
            forwarder.close()
        return
    base = str(getattr(getattr(client, "api", client), "base_url", ""))
    if base.startswith(("http://", "https://")):
        raise Unreachable(f"the engine at {base} publishes the container's ports on its own 127.0.0.1, which "
                          f"cannot be reached from here over tcp://; check through ssh:// (DOCKER_HOST=ssh://USER@HOST) "
                          f"or run imgwizard check on the engine's host")
    yield None


class SSHForwarder:
    """`ssh -L` over docker-py's own SSH session: calling it with a remote port gives a local one."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.servers: dict[int, socket.socket] = {}

    def __call__(self, remote_port: int) -> int:
        if remote_port not in self.servers:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.bind(("127.0.0.1", 0))
            server.listen(16)
            self.servers[remote_port] = server
            threading.Thread(target=self._accept, args=(server, remote_port), daemon=True,
                             name=f"imgwizard-forward-{remote_port}").start()
        return self.servers[remote_port].getsockname()[1]

    def _accept(self, server: socket.socket, remote_port: int) -> None:
        while True:
            try:
                conn, peer = server.accept()
            except OSError:  # closed
                return
            try:
                channel = self.transport.open_channel("direct-tcpip", ("127.0.0.1", remote_port), peer)
            except Exception:  # noqa: BLE001 - nothing listens there yet: the probe sees a closed connection
                conn.close()
                continue
            for src, dst in ((conn, channel), (channel, conn)):
                threading.Thread(target=_pump, args=(src, dst), daemon=True).start()

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()


def _pump(src: Any, dst: Any) -> None:
    """Copy until `src` ends, then end `dst`'s sending side (a socket or a paramiko Channel)."""
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(Exception):  # SHUT_WR is 1 for a socket and for paramiko's Channel.shutdown
            dst.shutdown(socket.SHUT_WR)
