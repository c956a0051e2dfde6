"""Defect 2 (engine): link-local and cloud-metadata addresses are denied by default, however
the browser is sent there (navigation, redirect, image, fetch, iframe, websocket, IP literals
in any form), and nothing reaches them. Only RunOptions.allow_link_local lifts the rule."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.security.conftest import METADATA, failure

DENIED = "a link-local/cloud metadata address (denied unless link-local access is allowed)"


@pytest.mark.parametrize(("url", "shown"), [
    (METADATA, "169.254.169.254"),
    ("http://0xA9FEA9FE/latest/", "169.254.169.254"),  # hex
    ("http://2852039166/latest/", "169.254.169.254"),  # decimal
    ("http://0251.0376.0251.0376/", "169.254.169.254"),  # octal
    ("http://169.254.43518/", "169.254.169.254"),  # short form
    ("http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe"),  # IPv4-mapped IPv6
    ("http://[fe80::1]/", "fe80::1"),
    ("http://100.100.100.200/latest/meta-data/", "100.100.100.200"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
])
def test_it_refuses_to_navigate_to_a_metadata_address(run, url, shown):
    message = failure(run([{"action": "goto", "url": url}]), 1)
    assert message == f"step 2 (goto): navigation to {url} blocked: {shown}, {DENIED}"


def test_it_refuses_metadata_host_names(run):
    url = "http://metadata.google.internal/computeMetadata/v1/"
    message = failure(run([{"action": "goto", "url": url}]), 1)
    assert message == (f"step 2 (goto): navigation to {url} blocked: metadata.google.internal is a cloud "
                       "metadata address (denied unless link-local access is allowed)")


def test_it_stops_a_redirect_to_a_metadata_address(run, site):
    source = f"{site}redirect?to={quote(METADATA)}"
    result = run([{"action": "goto", "url": source}])
    assert failure(result, 1) == f"step 2 (goto): redirect from {source} to {METADATA} blocked: 169.254.169.254, {DENIED}"


@pytest.mark.parametrize(("steps", "described"), [
    ([{"action": "goto", "url": "{site}img.html"}],
     "request to http://169.254.169.254/latest/meta-data/iam.png (image)"),
    ([{"action": "goto", "url": "{site}frame.html"}], f"frame navigation to {METADATA}"),
    ([{"action": "evaluate", "script": f"fetch('{METADATA}').then(r => r.text(), e => String(e))"}],
     f"request to {METADATA} (fetch)"),
    ([{"action": "evaluate", "script": "var x = new XMLHttpRequest(); x.open('GET', '" + METADATA + "'); x.send()"}],
     f"request to {METADATA} (xhr)"),
])
def test_it_blocks_subresources_frames_and_fetches_to_metadata(run, site, steps, described):
    steps = [{**s, "url": s["url"].format(site=site)} if "url" in s else s for s in steps]
    steps.append({"action": "wait_for", "expression": "false", "timeout_ms": 1_000})
    result = run(steps)
    message = failure(result, result.failed_step or 0)
    assert f"{described} blocked: 169.254.169.254, {DENIED}" in message, message


def test_it_blocks_a_websocket_to_a_metadata_address(run):
    result = run([{"action": "evaluate", "script": "window.ws = new WebSocket('ws://169.254.169.254/socket')"},
                  {"action": "wait_for", "expression": "window.ws.readyState === 3", "timeout_ms": 3_000}])
    # The connection is refused by the engine's egress proxy (named by host:port) or the page's
    # websocket event (named by URL), whichever the browser reports first.
    message = failure(result, result.failed_step or 0)
    assert "169.254.169.254" in message and f"blocked: 169.254.169.254, {DENIED}" in message, message


def test_it_blocks_a_worker_fetch_to_a_metadata_address(run):
    script = ("new Worker(URL.createObjectURL(new Blob([\"fetch('" + METADATA + "').catch(() => 0)\"], "
              "{type: 'text/javascript'}))) && 1")
    result = run([{"action": "evaluate", "script": script},
                  {"action": "wait_for", "expression": "false", "timeout_ms": 1_500}])
    message = failure(result, result.failed_step or 0)
    assert f"{METADATA}" in message and f"169.254.169.254, {DENIED}" in message, message
