"""Security headers on every response of the REAL app (Reflex pages, static files, /api, 404s),
and a CSP that still lets the app work: the sign-in page hydrates over its websocket and shows
a toast, with no CSP violation in the console."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]

REQUIRED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
}


def _check(response: httpx.Response) -> None:
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, f"{response.url}: {name}={response.headers.get(name)}"
    csp = response.headers.get("content-security-policy", "")
    for directive in ("default-src 'self'", "frame-ancestors 'self'", "object-src 'none'",
                      "worker-src 'self' blob:", "base-uri 'self'"):
        assert directive in csp, f"{response.url}: CSP lacks {directive!r}: {csp}"


def test_it_sends_security_headers_on_pages_assets_and_api(live) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live.url, timeout=30) as client:
        page = client.get("/login/")
        _check(page)
        assert page.status_code == 200
        asset = re.search(r'(?:src|href)="(/assets/[^"]+\.js)"', page.text)
        paths = ["/", "/settings/tokens/", "/api/health", "/api/me", "/api/auth/config", "/no/such/page",
                 "/api/no-such-route", "/ping"]
        if asset:
            paths.append(asset.group(1))
        for path in paths:
            _check(client.get(path))
        me = client.get("/api/me")
        assert me.status_code == 401 and me.headers["cache-control"] == "no-store"
        redirect = client.post("/api/auth/logout?redirect=1")
        _check(redirect)


def test_it_keeps_the_app_working_under_the_csp(live, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(live.url + "/login?error=wrong_credentials")
        # The toast comes from LoginPageState.on_load: page JS ran, the websocket connected
        # (connect-src), the event round-tripped.
        page.get_by_text("Wrong email or password.").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Toggle color mode").click()  # inline styles switch
    finally:
        page.close()
    assert violations == []
