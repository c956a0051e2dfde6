"""Failures whose messages differ only in ids, numbers, UUIDs, URLs' query strings, timestamps or
quoted values form one cluster; genuinely different errors (another category, another step or
locator, another message) do not."""

from __future__ import annotations

from tests.analytics.history import Outcome
from traceiq_app.services.analytics.clusters import cluster, clusters
from traceiq_app.services.analytics.signatures import category_of, mask, signature_of

LOGIN = ("click", "#login")


def test_it_masks_the_variable_parts_of_messages() -> None:
    a = ("Timeout 5000ms exceeded waiting for locator('#order-4411') at 2026-11-27T03:12:44.123Z "
         "on https://shop.test/cart?session=abc123&x=1 id 0f4c2a9e-1b2c-4d5e-8f90-aabbccddeeff req 9f8e7d6c5b4a")
    b = ("Timeout 3000ms exceeded waiting for locator('#order-17') at 2026-11-28T11:00:01Z "
         "on https://shop.test/cart?session=zzz id 11111111-2222-4333-8444-555555555555 req a1b2c3d4e5f6a7")
    assert mask(a) == mask(b)
    assert "https://shop.test/cart?<query>" in mask(a) and "<uuid>" in mask(a) and "<ts>" in mask(a)
    assert signature_of(a, *LOGIN).key == signature_of(b, *LOGIN).key
    assert mask('expected "Welcome" got "Wrong password"') == 'expected "<v>" got "<v>"'


def test_it_does_not_merge_genuinely_different_errors() -> None:
    base = signature_of("Timeout 5000ms exceeded", *LOGIN)
    assert signature_of("Timeout 5000ms exceeded", "click", "#checkout").key != base.key  # another locator
    assert signature_of("Timeout 5000ms exceeded", "fill", "#login").key != base.key  # another step type
    assert signature_of("net::ERR_CONNECTION_REFUSED at https://shop.test", *LOGIN).key != base.key
    assert signature_of("Timeout 5000ms exceeded while loading fonts", *LOGIN).key != base.key


def test_it_names_error_categories() -> None:
    assert category_of("expect(locator).to_have_text: expected 'a' got 'b'") == "assertion"
    assert category_of("Timeout 30000ms exceeded.") == "timeout"
    assert category_of("waiting for locator('#x') resolved to 0 elements") == "element not found"
    assert category_of("page.goto: net::ERR_NAME_NOT_RESOLVED") == "navigation"
    assert category_of("ECONNREFUSED 127.0.0.1:8080") == "network"
    assert category_of("Uncaught ReferenceError: foo is not defined") == "script error"
    assert category_of("worker lost while running the test") == "infrastructure"
    assert category_of("something odd") == "other"


def test_it_groups_one_broken_page_across_tests_and_runs(history) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        history.run({
            f"Checkout {n}": Outcome("failed", error=f"Timeout {1000 + i * 7 + n}ms exceeded waiting for "
                                     f"locator('#login') on https://shop.test/login?next=/cart/{n}",
                                     step=LOGIN)
            for n in range(4)
        } | {"Search": Outcome("failed", error="expected \"3 results\" got \"0 results\"", step=("assert", "#n"))},
            branch="main" if i < 2 else "feature-x")
    found = clusters(history.p.project.id)
    assert len(found) == 2
    login = found[0]
    assert login["count"] == 12 and login["tests"] == 4 and login["category"] == "element not found"
    assert login["branches"] == ["feature-x", "main"] and login["first_seen"] <= login["last_seen"]
    assert "<query>" in login["signature"] and login["example_error"].startswith("Timeout")
    assert found[1]["count"] == 3 and found[1]["category"] == "assertion"
    detail = cluster(history.p.project.id, login["id"])
    assert detail is not None and len(detail["occurrences"]) == 12
    assert {o["name"] for o in detail["occurrences"]} == {f"Checkout {n}" for n in range(4)}
    assert cluster(history.p.project.id, "nope") is None
