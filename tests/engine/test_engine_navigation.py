"""goto/base_url rebasing, history, expect_navigation, allowlists, viewport, network, close."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.engine.helpers import assert_failed_at, assert_passed
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.urls import host_allowed, resolve_url, url_matches


def test_it_resolves_relative_urls_against_the_test_base_url(run, site):
    result = run([
        {"action": "goto", "url": "index.html"},
        {"action": "assert_url", "expected": "index.html"},
        {"action": "click", "target": {"css": "#to-next"}},
        {"action": "assert_title", "expected": "Next page"},
        {"action": "go_back"},
        {"action": "assert_title", "expected": "Fixture home"},
        {"action": "go_forward"},
        {"action": "assert_url", "expected": site + "next.html"},
        {"action": "reload", "expect_navigation": {"url": "next.html", "title": "Next page"}},
        {"action": "goto", "url": "index.html", "expect_navigation": {"url": site + "index.html",
                                                                      "title": "Fixture home"}},
    ], page=None, base_url=site)
    assert_passed(result)


def test_it_rebases_absolute_urls_onto_the_run_base_url(run, site):
    port = urlsplit(site).port
    options = RunOptions(base_url=f"http://localhost:{port}")
    result = run([
        {"action": "goto", "url": "https://prod.example.com/index.html?x=1"},
        {"action": "assert_url", "expected": "https://prod.example.com/index.html?x=1"},
        {"action": "click", "target": {"css": "#to-next"},
         "expect_navigation": {"url": "https://prod.example.com/next.html"}},
        {"action": "wait_for", "url": "https://prod.example.com/next.html"},
    ], page=None, options=options)
    assert_passed(result)
    assert result.steps[0].status == "passed"


def test_it_requires_a_base_url_for_relative_urls(run):
    result = run([{"action": "goto", "url": "/login"}], page=None)
    assert_failed_at(result, 0, "relative URL '/login' needs a base URL: choose an environment")


def test_it_reports_an_unreachable_server(run):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run([{"action": "goto", "url": f"http://127.0.0.1:{port}/"}], page=None)
    assert_failed_at(result, 0, f"net::ERR_CONNECTION_REFUSED at http://127.0.0.1:{port}/")


def test_it_fails_history_steps_without_history(run):
    result = run([{"action": "go_forward"}], page="index.html")
    assert_failed_at(result, 1, "there is no next page in the history")
    result = run([{"action": "go_back"}], page=None)
    assert_failed_at(result, 0, "there is no previous page in the history")


def test_it_checks_that_a_step_causes_the_expected_navigation(run, site):
    result = run([
        {"action": "click", "target": {"css": "#delayed-nav"}, "expect_navigation": {"title": "Next page"}},
        {"action": "click", "target": {"css": "#back-home"},
         "expect_navigation": {"url": site + "index.html?from=next", "title": "Fixture home"}},
        {"action": "click", "target": {"css": "#to-hash"}, "expect_navigation": {"url": "**/index.html*#section"}},
    ], page="index.html")
    assert_passed(result)


def test_it_fails_a_step_that_does_not_navigate(run):
    result = run([{"action": "click", "target": {"css": "#section"}, "expect_navigation": {}}],
                 page="index.html", last_timeout_ms=1500)
    assert_failed_at(result, 1, "the step did not cause a navigation (the page is at 'http://127.0.0.1:")


def test_it_fails_a_navigation_to_the_wrong_url_or_title(run, site):
    result = run([{"action": "click", "target": {"css": "#to-next"},
                   "expect_navigation": {"url": site + "other.html"}}], page="index.html", last_timeout_ms=1500)
    assert_failed_at(result, 1, f"the step did not navigate to '{site}other.html' (the page is at '{site}next.html')")
    result = run([{"action": "click", "target": {"css": "#to-next"}, "expect_navigation": {"title": "Nope"}}],
                 page="index.html", last_timeout_ms=1500)
    assert_failed_at(result, 1, "after navigating, expected title 'Nope' but found 'Next page'")


def test_it_blocks_navigation_outside_the_allowlist(run, site):
    options = RunOptions(allowed_hosts=["127.0.0.1"])
    result = run([{"action": "goto", "url": "http://10.0.0.1/"}], page="index.html", options=options)
    assert_failed_at(result, 1, "navigation to http://10.0.0.1/ blocked: host 10.0.0.1 is not in the project's allowlist")
    # A click that leaves for another host (localhost is not 127.0.0.1) is stopped too.
    result = run([{"action": "click", "target": {"css": "#leave"}}], page="blocked.html", options=options)
    assert_failed_at(result, 1, "navigation to http://localhost:", "blocked: host localhost is not in the project's allowlist")


def test_it_blocks_a_redirect_that_leaves_the_allowlist(run, site):
    port = urlsplit(site).port
    options = RunOptions(allowed_hosts=["127.0.0.1"])
    result = run([{"action": "goto", "url": f"{site}redirect?to=http://localhost:{port}/next.html"}],
                 page="index.html", options=options)
    assert_failed_at(result, 1, f"redirect from {site}redirect?to=http://localhost:{port}/next.html to "
                                f"http://localhost:{port}/next.html left the allowlist: host localhost is not")


def test_it_allows_hosts_by_wildcard_and_port(run, site):
    port = urlsplit(site).port
    options = RunOptions(allowed_hosts=["*.example.com", f"127.0.0.1:{port}"])
    result = run([{"action": "goto", "url": site + "next.html"}], page="index.html", options=options)
    assert_passed(result)


def test_it_sets_the_viewport(run):
    result = run([
        {"action": "set_viewport", "width": 500, "height": 400},
        {"action": "wait_for", "expression": "window.innerWidth === 500 && window.innerHeight === 400"},
    ], page="index.html", viewport={"width": 800, "height": 600})
    assert_passed(result)
    result = run([{"action": "wait_for", "expression": "window.innerWidth === 800"}], page="index.html",
                 viewport={"width": 800, "height": 600})
    assert_passed(result)


def test_it_emulates_network_conditions_and_offline(run, site):
    result = run([
        {"action": "emulate_network", "download": 500_000, "upload": 100_000, "latency": 400},
        {"action": "goto", "url": site + "next.html"},
        {"action": "emulate_network", "offline": True},
        {"action": "goto", "url": site + "index.html?never-cached"},
    ], page="index.html")
    assert_failed_at(result, 4, "net::ERR_INTERNET_DISCONNECTED")
    assert result.steps[2].duration_ms >= 400  # the latency applied


def test_it_closes_the_current_page(run):
    result = run([{"action": "close"}, {"action": "assert_title", "expected": "x"}], page="index.html")
    assert_failed_at(result, 2, "no open page (it was closed by an earlier step)")


def test_it_reopens_a_page_with_goto_after_close(run, site):
    result = run([{"action": "close"}, {"action": "goto", "url": site + "next.html"},
                  {"action": "assert_title", "expected": "Next page"}], page="index.html")
    assert_passed(result)


def test_it_goes_offline_without_throttling(run, site):
    result = run([{"action": "emulate_network", "offline": True},
                  {"action": "goto", "url": site + "next.html?offline"}], page="index.html")
    assert_failed_at(result, 2, "net::ERR_INTERNET_DISCONNECTED")


@pytest.mark.parametrize(("url", "allowed", "ok"), [
    ("http://shop.example.com/x", ["shop.example.com"], True),
    ("https://a.b.example.com/", ["*.example.com"], True),
    ("https://example.com/", ["*.example.com"], False),
    ("http://localhost:8080/", ["localhost:8080"], True),
    ("http://localhost:8081/", ["localhost:8080"], False),
    ("http://localhost/", ["localhost:80"], True),
    ("http://[::1]:8080/", ["[::1]:8080"], True),
    ("http://[::1]:8080/", ["[::1]"], True),
    ("http://[::2]/", ["[::1]"], False),
    ("http://10.0.0.1/", ["SHOP.example.com"], False),
    ("about:blank", [], True),
    ("file:///etc/hostname", None, False),
    ("view-source:http://x/", ["x"], False),
    ("http://anything/", None, True),
])
def test_it_matches_allowlist_entries(url, allowed, ok):
    assert host_allowed(url, allowed) is ok


def test_it_resolves_and_rebases_urls():
    assert resolve_url("/a?b=1", None, "http://h:1/x/") == "http://h:1/a?b=1"
    assert resolve_url("next.html", None, "http://h/x/") == "http://h/x/next.html"
    assert resolve_url("https://prod.com/p?q#f", "http://stage:8/ignored/", None) == "http://stage:8/p?q#f"
    assert resolve_url("data:text/html,x", "http://stage/", None) == "data:text/html,x"


@pytest.mark.parametrize(("pattern", "url", "ok"), [
    ("**/page2.html", "http://h:1/a/b/page2.html", True),
    ("*/page2.html", "http://h:1/page2.html", False),  # * never crosses "/"
    ("http://h:1/*.html", "http://h:1/page2.html", True),
    ("http://h:1/*.html", "http://h:1/a/page2.html", False),
    ("**/x?a=1*", "http://h:1/x?a=1&b=2", True),  # ? is literal
    ("**/x?a", "http://h:1/xya", False),
    ("http://h:1/x", "http://h:1/x/", True),  # exact, trailing slash ignored
    ("http://h:1/x", "http://h:1/x?y", False),
])
def test_it_matches_urls_with_one_glob_syntax(pattern, url, ok):
    assert url_matches(pattern, url) is ok


def test_it_uses_the_same_url_globs_in_every_url_step(run, site):
    # wait_for url, assert_url, expect_navigation and switch_popup all read globs alike.
    origin = site.rstrip("/")
    passing = run([
        {"action": "wait_for", "url": "**/index.html"},
        {"action": "assert_url", "expected": f"{origin}/*.html"},
        {"action": "click", "target": {"css": "#to-next"}, "expect_navigation": {"url": f"{origin}/*.html"}},
        {"action": "goto", "url": site + "popup.html"},
        {"action": "click", "target": {"css": "#blank-link"}},
        {"action": "switch_popup", "url": "**/popup_target.html?via=*"},
        {"action": "assert_url", "expected": "**/popup_target.html?via=link"},
    ], page="index.html")
    assert_passed(passing)
    for step in ({"action": "wait_for", "url": "*/index.html"}, {"action": "assert_url", "expected": "*/index.html"},
                 {"action": "click", "target": {"css": "#to-next"}, "expect_navigation": {"url": "*/next.html"}}):
        assert_failed_at(run([step], page="index.html", last_timeout_ms=800), 1, "*/")
    failed = run([{"action": "click", "target": {"css": "#blank-link"}},
                  {"action": "switch_popup", "url": "*/popup_target.html?via=link"}],
                 page="popup.html", last_timeout_ms=800)
    assert_failed_at(failed, 2, "a page at */popup_target.html?via=link did not open")
