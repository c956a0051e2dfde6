"""Defect 1: a test may load only http(s), about:blank/srcdoc and the page's own blob:/data:.
file:, ftp:, view-source:, chrome: are refused with a clear step error, however the page gets
there: goto, popup, iframe, redirect or a script navigation. The file's content never shows."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.security.conftest import failure

HOSTNAME = Path("/etc/hostname").read_text().strip()


def _never_shows_the_file(result) -> None:
    for step in result.steps:
        assert HOSTNAME not in (step.error or ""), step.error


@pytest.mark.parametrize("url", [
    "file:///etc/hostname", "FILE:///etc/hostname", "view-source:file:///etc/hostname",
    "ftp://127.0.0.1/etc/hostname", "chrome://version", "javascript:alert(1)",
])
def test_it_refuses_a_goto_to_another_scheme(run, url):
    result = run([{"action": "goto", "url": url}, {"action": "assert_text", "target": {"css": "body"},
                                                   "expected": "x"}])
    scheme = url.split(":", 1)[0].lower()
    assert f"step 2 (goto): navigation to {url} blocked: {scheme}: URLs are not allowed (only http and https)" \
        == failure(result, 1)
    _never_shows_the_file(result)


@pytest.mark.parametrize("script", [
    "window.location = 'file:///etc/hostname'",
    "window.open('file:///etc/hostname')",
    "document.body.innerHTML = '<iframe src=\"file:///etc/hostname\"></iframe>'",
])
def test_it_reports_a_page_script_that_opens_a_file(run, script):
    result = run([{"action": "evaluate", "script": script},
                  {"action": "wait_for", "timeout_ms": 500, "expression": "false"}])
    message = failure(result, 1)
    assert "navigation to file:///etc/hostname blocked: file: URLs are not allowed" in message, message
    _never_shows_the_file(result)


def test_it_refuses_a_redirect_to_a_file(run, site):
    target = "file:///etc/hostname"
    result = run([{"action": "goto", "url": f"{site}redirect?to={quote(target)}"}])
    message = failure(result, 1)
    assert f"redirect from {site}redirect?to=file%3A///etc/hostname blocked: it led to a URL that is not " \
           "http(s)" in message, message
    _never_shows_the_file(result)


def test_it_still_allows_about_blank_and_the_pages_own_data_and_blob_content(run):
    result = run([
        {"action": "goto", "url": "about:blank"},
        {"action": "evaluate", "script": "document.body.innerHTML = '<iframe srcdoc=\"<b>hi</b>\"></iframe>"
                                         "<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">'"},
        {"action": "evaluate", "script": "fetch(URL.createObjectURL(new Blob(['ok']))).then(r => r.text())",
         "variable": "BLOB"},
    ], page=None)
    assert result.status == "passed", [s.error for s in result.steps]
    assert result.variables["BLOB"] == "ok"
