"""Project allowlists: validated entries go to the engine's RunOptions.allowed_hosts."""

from __future__ import annotations

import pytest

from traceiq_app.engine.results import RunOptions
from traceiq_app.services.platform.allowlist import (
    AllowlistError,
    normalize_allowed_hosts,
    run_allowed_hosts,
    url_allowed,
)


def test_it_normalizes_entries() -> None:
    assert normalize_allowed_hosts([" Shop.Example.com ", "*.example.org", "localhost:8080",
                                    "https://staging.example.net/path", "shop.example.com", ""]) == [
        "shop.example.com", "*.example.org", "localhost:8080", "staging.example.net"]


@pytest.mark.parametrize("bad", ["*", "exa mple.com", "http://", "foo..bar", "a.com:99999", "evil.com/../x@"])
def test_it_rejects_invalid_entries(bad: str) -> None:
    with pytest.raises(AllowlistError):
        normalize_allowed_hosts([bad])


def test_it_feeds_the_engine() -> None:
    assert run_allowed_hosts([]) is None  # empty: anywhere
    hosts = run_allowed_hosts(["*.example.org", "localhost:8080"])
    options = RunOptions(allowed_hosts=hosts)
    assert options.allowed_hosts == ["*.example.org", "localhost:8080"]
    assert url_allowed("https://shop.example.org/cart", hosts)
    assert url_allowed("http://localhost:8080/", hosts)
    assert not url_allowed("http://localhost:9090/", hosts)
    assert not url_allowed("https://evil.test/", hosts)
