"""Issue 20: the guard route skips origins it would always let through (an allowed http(s)
origin whose host is an IPv4 literal, written as the browser writes it), so their requests do
not wait on a round trip through the Python process; everything else still goes through it."""

from __future__ import annotations

import re

from traceiq_app.engine.netpolicy import NetPolicy, route_pattern


def _routed(pattern: str | re.Pattern[str], url: str) -> bool:
    return pattern == "**/*" or bool(re.search(pattern, url))


def test_it_leaves_only_allowed_canonical_ip_origins_unrouted():
    pattern = route_pattern(["http://127.0.0.1:8765/index.html", "https://10.0.0.1:443/a"], NetPolicy())
    assert not _routed(pattern, "http://127.0.0.1:8765/page2.html")
    assert not _routed(pattern, "https://10.0.0.1/x")
    for url in ("http://127.0.0.1:87650/x", "http://127.0.0.1/", "http://127.0.0.1:8765.evil/",
                "https://127.0.0.1:8765/", "http://localhost:8765/", "http://169.254.169.254/"):
        assert _routed(pattern, url), url


def test_it_routes_everything_when_no_origin_is_certain():
    urls = ["http://localhost:8000/", "http://0x7f.0.0.1/", "http://[::1]:8000/", "file:///etc/passwd",
            "http://169.254.169.254/latest"]
    assert route_pattern(urls, NetPolicy()) == "**/*"
    # denied by the policy: still routed, so the step names the blocked URL
    assert route_pattern(["http://127.0.0.1:8000/"], NetPolicy(deny_private=True)) == "**/*"
    assert route_pattern(["http://127.0.0.1:8000/"], NetPolicy(allowed_hosts=["example.com"])) == "**/*"


def test_it_bypasses_the_egress_proxy_only_where_it_would_always_connect():
    from traceiq_app.engine.netpolicy import proxy_bypass

    urls = ["http://127.0.0.1:8765/a", "http://127.0.0.1:8765/b", "https://10.0.0.1/", "http://localhost:80/",
            "http://169.254.169.254/", "http://[::1]:80/", "http://0x7f.0.0.1/"]
    assert proxy_bypass(urls, NetPolicy()) == "127.0.0.1:8765,10.0.0.1:443"
    assert proxy_bypass(urls, NetPolicy(deny_private=True)) is None
    assert proxy_bypass(["http://169.254.169.254/"], NetPolicy(allow_link_local=True)) == "169.254.169.254:80"
    assert proxy_bypass(urls, NetPolicy(allowed_hosts=["127.0.0.1"])) == "127.0.0.1:8765"
