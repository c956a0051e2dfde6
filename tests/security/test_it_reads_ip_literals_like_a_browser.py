"""The deny rules see an address in every spelling a browser accepts, and only an explicit
option changes them (NetPolicy, no browser needed)."""

from __future__ import annotations

import pytest

from traceiq_app.engine.netpolicy import NetPolicy, parse_ip


@pytest.mark.parametrize(("host", "address"), [
    ("169.254.169.254", "169.254.169.254"), ("2852039166", "169.254.169.254"), ("0xa9fea9fe", "169.254.169.254"),
    ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"), ("0251.0376.0251.0376", "169.254.169.254"),
    ("169.254.43518", "169.254.169.254"), ("169.16689662", "169.254.169.254"), ("169.254.169.254.", "169.254.169.254"),
    ("[::ffff:a9fe:a9fe]", "::ffff:169.254.169.254"), ("0x7f.1", "127.0.0.1"), ("0", "0.0.0.0"),
    ("example.com", None), ("1.2.3.4.5", None), ("256.1.1.1", None), ("09.1.1.1", None), ("1.2.3.0x", "1.2.3.0"),
])
def test_it_parses_ip_literals(host, address):
    parsed = parse_ip(host)
    assert (str(parsed) if parsed is not None else None) == (str(parse_ip(address)) if address else None)


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/", "http://0xa9fea9fe/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1%25eth0]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::1]/", "http://[::a9fe:a9fe]/",
    "http://metadata.google.internal/", "http://METADATA.GOOGLE.INTERNAL./", "http://100.100.100.200/",
    "http://[fd00:ec2::254]/", "ws://169.254.169.254/", "https://169.254.1.1:8443/",
])
def test_it_denies_link_local_by_default_and_only_an_option_lifts_it(url):
    assert NetPolicy().url_problem(url) is not None
    assert NetPolicy(allow_link_local=True).url_problem(url) is None


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.1/", "http://0x7f000001/", "http://[::1]/", "http://10.0.0.1/",
    "http://[::ffff:192.168.0.1]/", "http://172.31.255.255/", "http://100.64.0.1/", "http://[fc00::1]/",
    "http://0.0.0.0/", "http://localhost/", "http://app.localhost/", "http://localhost:3000/",
])
def test_it_denies_private_ranges_only_when_asked(url):
    assert NetPolicy().url_problem(url) is None
    assert NetPolicy(deny_private=True).url_problem(url) is not None


def test_it_resolves_names_and_checks_every_address():
    assert NetPolicy(deny_private=True).url_problem("http://localhost./", resolve=True) is not None
    policy = NetPolicy(deny_private=True)
    assert policy.host_problem("vm-name-that-does-not-exist.invalid", 80) is None  # the browser will fail it
    assert policy.resolve("localhost") and all(a.is_loopback for a in policy.resolve("localhost"))


@pytest.mark.parametrize(("url", "problem"), [
    ("file:///etc/passwd", "file: URLs are not allowed (only http and https)"),
    ("view-source:http://x/", "view-source: URLs are not allowed (only http and https)"),
    ("ftp://x/", "ftp: URLs are not allowed (only http and https)"),
    ("chrome://settings", "chrome: URLs are not allowed (only http and https)"),
    ("about:config", "about: URLs are not allowed (only http and https)"),
    ("http://shop.example.com/", None), ("about:blank", None), ("about:srcdoc", None),
    ("data:text/html,hi", None), ("blob:http://x/1", None),
])
def test_it_allows_only_web_schemes(url, problem):
    assert NetPolicy().url_problem(url) == problem


def test_it_applies_the_allowlist_to_websockets_and_ports():
    policy = NetPolicy(allowed_hosts=["shop.example.com", "127.0.0.1:8080"])
    assert policy.url_problem("wss://shop.example.com/live") is None
    assert policy.url_problem("ws://127.0.0.1:8080/") is None
    assert policy.url_problem("ws://127.0.0.1:8081/") == "host 127.0.0.1 is not in the project's allowlist"
