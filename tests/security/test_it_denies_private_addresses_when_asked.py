"""Defect 2 (engine): RunOptions.deny_private refuses private and loopback ranges (RFC 1918,
127/8, ::1, fc00::/7, 100.64/10, localhost names, names resolving there); off by default, so a
local app on 127.0.0.1 stays testable."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from tests.security.conftest import failure
from traceiq_app.engine.results import RunOptions

DENIED = "a private or loopback address (private and loopback addresses are denied)"


def test_it_allows_loopback_by_default(run):
    result = run([{"action": "assert_title", "expected": "Attack home"}])
    assert result.status == "passed", result.error


@pytest.mark.parametrize(("url", "shown"), [
    ("http://10.0.0.1/", "10.0.0.1"), ("http://192.168.1.1/", "192.168.1.1"), ("http://172.16.0.1/", "172.16.0.1"),
    ("http://100.64.0.1/", "100.64.0.1"), ("http://[::1]:1/", "::1"), ("http://[fd12::1]/", "fd12::1"),
    ("http://0x7f000001:1/", "127.0.0.1"), ("http://[::ffff:10.0.0.1]/", "::ffff:a00:1"),
])
def test_it_refuses_private_addresses_with_deny_private(run, url, shown):
    result = run([{"action": "goto", "url": url}], page=None, options=RunOptions(deny_private=True))
    assert failure(result, 0) == f"step 1 (goto): navigation to {url} blocked: {shown}, {DENIED}"


def test_it_refuses_the_local_test_site_and_names_resolving_to_loopback(run, site):
    options = RunOptions(deny_private=True)
    result = run([], options=options)
    assert failure(result, 0) == f"step 1 (goto): navigation to {site}index.html blocked: 127.0.0.1, {DENIED}"
    url = site.replace("127.0.0.1", "localhost") + "index.html"
    assert "localhost is a loopback address" in failure(run([{"action": "goto", "url": url}], page=None,
                                                             options=options), 0)
    # A name that is not special: the engine resolves it and checks every address. The
    # machine's own name resolves to loopback here (/etc/hosts), with no DNS server needed.
    name = socket.gethostname().lower()
    first = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)[0][4][0]
    if not ipaddress.ip_address(first).is_loopback:
        pytest.skip(f"{name} resolves to {first} here, not to loopback")
    url = site.replace("127.0.0.1", name) + "index.html"
    message = failure(run([{"action": "goto", "url": url}], page=None, options=options), 0)
    assert message == f"step 1 (goto): navigation to {url} blocked: {name} resolves to {first}, {DENIED}"


def test_it_blocks_a_private_fetch_from_a_data_page(run):
    page = "data:text/html,<title>d</title><img src='http://10.1.2.3/x.png'>"
    result = run([{"action": "goto", "url": page},
                  {"action": "wait_for", "expression": "false", "timeout_ms": 1_000}],
                 page=None, options=RunOptions(deny_private=True))
    message = failure(result, result.failed_step or 0)
    assert f"request to http://10.1.2.3/x.png (image) blocked: 10.1.2.3, {DENIED}" in message, message
