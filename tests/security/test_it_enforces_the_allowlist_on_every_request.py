"""Defect 3: with an allowlist, every request is checked, not only top-level navigations:
images, iframes, fetch/XHR, websockets and redirects to a host outside the list fail the
step with the blocked URL, and the blocked page never loads."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.security.conftest import SEEN, failure
from traceiq_app.engine.results import RunOptions

OUTSIDE = "host localhost is not in the project's allowlist"


@pytest.fixture
def outside(site):
    """The same test server under another name: localhost is not 127.0.0.1 for the allowlist."""
    return f"http://localhost:{urlsplit(site).port}/"


@pytest.fixture
def options():
    return RunOptions(allowed_hosts=["127.0.0.1"])


@pytest.mark.parametrize(("script", "described"), [
    ("document.body.innerHTML = '<img src=\"{outside}index.html?img\">'", "request to {outside}index.html?img (image)"),
    ("document.body.innerHTML = '<iframe src=\"{outside}index.html?frame\"></iframe>'",
     "frame navigation to {outside}index.html?frame"),
    ("fetch('{outside}index.html?fetch').catch(() => 0) && 1", "request to {outside}index.html?fetch (fetch)"),
    # A fetch() that is redirected: named by the redirect's URLs when the page's response event
    # arrives first, else by the egress proxy as the host it refused (both name the blocked host).
    ("fetch('{site}redirect?to={outside_quoted}index.html%3Fr').catch(() => 0) && 1",
     "redirect from {site}redirect?to={outside_quoted}index.html%3Fr to {outside}index.html?r left the allowlist"
     "|connection to {outside_host} blocked: host localhost is not in the project's allowlist"),
])
def test_it_blocks_requests_outside_the_allowlist(run, site, outside, options, script, described):
    fill = {"site": site, "outside": outside, "outside_quoted": quote(outside, safe=""),
            "outside_host": outside.split("//", 1)[1].rstrip("/")}
    result = run([{"action": "evaluate", "script": script.format(**fill)},
                  {"action": "wait_for", "expression": "false", "timeout_ms": 1_500}], options=options)
    message = failure(result, result.failed_step or 0)
    assert any(d in message for d in described.format(**fill).split("|")) and OUTSIDE in message, message


def test_it_blocks_a_websocket_outside_the_allowlist(run, outside, options):
    url = outside.replace("http:", "ws:") + "socket"
    result = run([{"action": "evaluate", "script": f"window.ws = new WebSocket('{url}')"},
                  {"action": "wait_for", "expression": "window.ws.readyState === 3", "timeout_ms": 3_000}],
                 options=options)
    message = failure(result, result.failed_step or 0)
    assert "localhost" in message and "blocked" in message and OUTSIDE in message, message


def test_it_never_requests_a_redirect_target_outside_the_allowlist(run, site, outside, options):
    target = outside + "index.html?never-requested"
    result = run([{"action": "goto", "url": f"{site}redirect?to={quote(target)}"},
                  {"action": "assert_title", "expected": "Attack home"}], page=None, options=options)
    message = failure(result, 0)
    assert "left the allowlist" in message and OUTSIDE in message, message
    assert result.steps[1].status == "skipped"
    assert any(p.startswith("/redirect?to=") for p in SEEN)  # the allowed hop was served...
    assert "/index.html?never-requested" not in SEEN  # ...the blocked one never left the browser


def test_it_lets_allowed_pages_load_everything_of_their_own(run, site, options):
    result = run([{"action": "goto", "url": site + "img.html"}], options=RunOptions(allowed_hosts=["127.0.0.1"],
                                                                                   allow_link_local=False))
    # img.html's image is at a metadata address: blocked; the page itself (allowed) loaded.
    assert result.steps[0].status == "passed"
    assert "169.254.169.254" in (result.steps[1].error or "")
