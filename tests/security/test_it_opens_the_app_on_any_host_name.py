"""With no TRACEIQ_PUBLIC_URL, the built app works from whatever address the browser used:
via 127.0.0.1, via the machine's non-loopback address, and through a proxy on another port,
its websocket opens on the page's own origin and the page's events round-trip."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.accounts.conftest import *  # noqa: F403 - `live`: this process on the app's database

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]


def _non_loopback_ipv4() -> str | None:
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return next((a for a in out.split() if "." in a and not a.startswith("127.")), None)


class TcpProxy:
    """Forwards every connection on a port of its own to the app (HTTP and websockets alike),
    like a reverse proxy that publishes the app on another port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def proxy(app_server) -> Iterator[TcpProxy]:  # type: ignore[no-untyped-def]
    running = TcpProxy(app_server.port)
    yield running
    running.close()


def _open(chromium, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open /login on `base`; wait until an event round-tripped; the websocket URLs it used."""
    sockets: list[str] = []
    violations: list[str] = []
    page = chromium.new_page()
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(base + "/login?notice=signed_out")
        # The toast comes from LoginPageState.on_load: only after the websocket connected.
        page.get_by_text("You are signed out.").first.wait_for(timeout=60_000)
    finally:
        page.close()
    assert violations == []
    return sockets


def _assert_same_origin(sockets: list[str], base: str) -> None:
    assert sockets, "the page opened no websocket"
    expected = urlsplit(base).netloc
    assert {urlsplit(u).netloc for u in sockets} == {expected}, sockets


def test_it_connects_via_127_0_0_1(live, app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    assert "TRACEIQ_PUBLIC_URL" not in app_server.env
    base = f"http://127.0.0.1:{app_server.port}"
    _assert_same_origin(_open(chromium, base), base)


def test_it_connects_via_the_machines_network_address(live, app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    address = _non_loopback_ipv4()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address (`hostname -I` lists none)")
    base = f"http://{address}:{app_server.port}"
    _assert_same_origin(_open(chromium, base), base)


def test_it_connects_through_a_proxy_on_another_port(live, proxy, chromium) -> None:  # type: ignore[no-untyped-def]
    base = f"http://127.0.0.1:{proxy.port}"
    _assert_same_origin(_open(chromium, base), base)
