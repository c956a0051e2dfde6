"""The network fence of one test run: a small SOCKS5 proxy every browser connection goes through.

Routes (session.py) see requests with their URLs and give the clear step errors, but Playwright
lets server-side redirects, service workers and a few other requests past its routes. The
browser context is therefore given this proxy (loopback included): it resolves each host name
itself, checks every address with the run's NetPolicy and connects to the checked address only
(no second lookup a DNS-rebinding server could answer differently). A refused connection is
reported through `on_block` and answered with SOCKS "not allowed", so nothing leaves.

Connection failures (refused, unknown host) are remembered per host:port, so the engine can
name the real cause instead of the browser's generic proxy error.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import selectors
import socket
import struct
import threading
from collections.abc import Callable

from traceiq_app.engine.netpolicy import NetPolicy, parse_ip

log = logging.getLogger(__name__)

_OK, _FAILURE, _NOT_ALLOWED, _HOST_UNREACHABLE, _REFUSED = 0, 1, 2, 4, 5
_CONNECT_TIMEOUT_S = 10
# Chromium's names for what the proxy saw, used in place of its ERR_SOCKS_CONNECTION_FAILED.
CONNECT_ERRORS = {"refused": "net::ERR_CONNECTION_REFUSED", "unresolved": "net::ERR_NAME_NOT_RESOLVED",
                  "unreachable": "net::ERR_ADDRESS_UNREACHABLE", "timeout": "net::ERR_CONNECTION_TIMED_OUT"}


class EgressProxy:
    def __init__(self, policy: NetPolicy, on_block: Callable[[str], None]) -> None:
        self.policy = policy
        self.on_block = on_block
        self.failures: dict[str, str] = {}  # "host:port" -> a CONNECT_ERRORS key
        self._lock = threading.Lock()  # the policy's DNS cache is shared by connection threads
        self._open: set[socket.socket] = set()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = int(self._server.getsockname()[1])
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="traceiq-egress", daemon=True)
        self._thread.start()

    @property
    def server(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        with self._lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.close()
            self._open.clear()

    # ---- connections ---------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), name="traceiq-egress-conn", daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            if self._closed:
                sock.close()
            else:
                self._open.add(sock)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(_CONNECT_TIMEOUT_S)
            target = self._handshake(client)
            if target is None:
                return
            host, port = target
            upstream = self._connect(client, host, port)
            if upstream is None:
                return
            client.settimeout(None)
            _pipe(client, upstream)
        except OSError:
            pass
        except Exception:  # noqa: BLE001 - one broken connection must not stop the proxy
            log.exception("egress proxy connection failed")
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with self._lock:
                        self._open.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.close()

    def _handshake(self, client: socket.socket) -> tuple[str, int] | None:
        version, count = _read(client, 2)
        _read(client, count)
        if version != 5:
            return None
        client.sendall(b"\x05\x00")  # no authentication
        version, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, _read(client, 4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
        elif kind == 3:
            host = _read(client, _read(client, 1)[0]).decode("ascii", "replace")
        else:
            _reply(client, _FAILURE)
            return None
        (port,) = struct.unpack("!H", _read(client, 2))
        if command != 1:  # CONNECT only (no BIND, no UDP)
            _reply(client, _FAILURE)
            return None
        return host, port

    def _connect(self, client: socket.socket, host: str, port: int) -> socket.socket | None:
        with self._lock:
            problem = self.policy.host_problem(host, port, resolve=False)
            literal = parse_ip(host)
            addresses = [literal] if literal is not None else self.policy.resolve(host.lower().rstrip("."))
        shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if problem is None:
            for address in addresses:
                why = self.policy.address_problem(address)
                if why:
                    problem = why if literal is not None else f"{host} resolves to {why}"
                    break
        if problem is not None:
            self.on_block(f"connection to {shown} blocked: {problem}")
            _reply(client, _NOT_ALLOWED)
            return None
        if not addresses:
            self.failures[shown] = "unresolved"
            _reply(client, _HOST_UNREACHABLE)
            return None
        return self._open_upstream(client, shown, addresses, port)

    def _open_upstream(self, client: socket.socket, shown: str, addresses: list[ipaddress.IPv4Address
                       | ipaddress.IPv6Address], port: int) -> socket.socket | None:
        failure = "refused"
        for address in addresses:
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            upstream = socket.socket(family, socket.SOCK_STREAM)
            self._track(upstream)
            upstream.settimeout(_CONNECT_TIMEOUT_S)
            try:
                upstream.connect((str(address), port))  # the checked address, never a new lookup
            except OSError as exc:
                failure = ("timeout" if isinstance(exc, TimeoutError)
                           else "refused" if isinstance(exc, ConnectionRefusedError) else "unreachable")
                with self._lock:
                    self._open.discard(upstream)
                upstream.close()
                continue
            upstream.settimeout(None)
            self.failures.pop(shown, None)
            _reply(client, _OK)
            return upstream
        self.failures[shown] = failure
        _reply(client, _REFUSED if failure == "refused" else _HOST_UNREACHABLE)
        return None


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionResetError("client went away")
        data += chunk
    return data


def _reply(client: socket.socket, code: int) -> None:
    with contextlib.suppress(OSError):
        client.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes."""
    peer = {a: b, b: a}
    with selectors.DefaultSelector() as selector:
        selector.register(a, selectors.EVENT_READ)
        selector.register(b, selectors.EVENT_READ)
        open_sides = 2
        while open_sides:
            for key, _ in selector.select():
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                data = sock.recv(65536)
                if not data:
                    selector.unregister(sock)
                    open_sides -= 1
                    with contextlib.suppress(OSError):
                        peer[sock].shutdown(socket.SHUT_WR)
                    continue
                peer[sock].sendall(data)
