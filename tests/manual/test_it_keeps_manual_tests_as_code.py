"""Tests as code holds manual tests too: the export writes them with `kind: manual`,
preconditions and action/data/expected steps; pushing the files back changes nothing (byte for
byte); an edited step is a new version of the manual test; a new file with `kind: manual` creates
a manual test; a bad manual step or a kind change is refused, located, all or nothing."""

from __future__ import annotations

import pytest

from tests.manual.manual_support import CHECKOUT
from tests.support.webapp import principal_of
from traceiq_app.services.catalog import manual_cases, suites, tree_sync
from traceiq_app.services.catalog import test_cases as catalog_cases

NEW_MANUAL = """name: Refund an order
kind: manual
preconditions: An order was paid
priority: high
tags:
- refunds
steps:
- action: Open the order
  data: '#1001'
  expected: The order shows
- action: Press Refund
  data: ''
  expected: The order is refunded
"""


def test_manual_tests_round_trip_as_files(personas_any) -> None:  # type: ignore[no-untyped-def]
    pid, alice = personas_any.project.id, principal_of(personas_any.alice)
    folder = suites.create_suite(pid, "Shop")
    case = manual_cases.create_manual_case(pid, "Checkout by card", CHECKOUT, suite_id=folder.id, tags=["smoke"],
                                           preconditions="A customer account exists", author_id=alice.user_id)
    manual_cases.update_manual_case(pid, case.id, name=case.name, steps=CHECKOUT, tags=["smoke"],
                                    preconditions="A customer account exists",
                                    attachments=[{"id": "a1", "filename": "card.png"}])
    files = tree_sync.export_tree(pid)
    text = files["shop/checkout-by-card.yaml"]
    assert text.startswith(f"id: {case.id}\nname: Checkout by card\nkind: manual\n"
                           "preconditions: A customer account exists\npriority: medium\n")
    assert "- action: Add a mug to the cart\n  data: mug, qty 1\n  expected: The cart shows 1 item\n" in text
    assert "attachments" not in text

    # pull -> push -> pull: no change, the same bytes (the attachment list stays on the server).
    plan = tree_sync.push_tree(pid, files, prune=True, dry_run=False, principal=alice)
    assert plan.changes == []
    assert tree_sync.export_tree(pid) == files

    edited = {**files, "shop/checkout-by-card.yaml": text.replace("An order number shows", "An order number and an e-mail show"),
              "shop/refund-an-order.yaml": NEW_MANUAL}
    dry = tree_sync.push_tree(pid, edited, prune=False, dry_run=True)
    assert sorted((c.op, c.path) for c in dry.changes) == [
        ("create", "shop/refund-an-order.yaml"), ("update", "shop/checkout-by-card.yaml")]
    assert any("new version 3" in d for c in dry.changes for d in c.details)
    tree_sync.push_tree(pid, edited, prune=False, dry_run=False, principal=alice)
    saved = manual_cases.get_manual_case(pid, case.id)
    assert (saved.kind, saved.version, saved.steps[2]["expected"]) == ("manual", 3, "An order number and an e-mail show")
    assert saved.options["attachments"] == [{"id": "a1", "filename": "card.png"}]
    refund = next(c for c in manual_cases.list_manual_cases(pid) if c.name == "Refund an order")
    assert (refund.kind, refund.preconditions, str(refund.priority), refund.suite_id) == (
        "manual", "An order was paid", "high", folder.id)
    assert refund.steps[1] == {"action": "Press Refund", "data": "", "expected": "The order is refunded"}
    again = tree_sync.export_tree(pid)
    assert again["shop/checkout-by-card.yaml"] == edited["shop/checkout-by-card.yaml"]
    assert tree_sync.push_tree(pid, again, prune=True, dry_run=True).changes == []

    # Refused, located, nothing changed: a step without an action; a manual file on an automated test.
    automated = catalog_cases.create_test_case(pid, "Home", [{"action": "goto", "url": "https://shop.test/"}])
    before = tree_sync.export_tree(pid)
    bad_step = {**before, "shop/refund-an-order.yaml": before["shop/refund-an-order.yaml"].replace(
        "- action: Press Refund", "- action: ''")}
    with pytest.raises(tree_sync.TreeInvalid) as refused:
        tree_sync.push_tree(pid, bad_step, prune=False, dry_run=False, principal=alice)
    assert refused.value.problems == [{"file": "shop/refund-an-order.yaml",
                                       "problem": "steps: step 2 needs an action (what the tester does)"}]
    kind_change = {**before, "home.yaml": f"id: {automated.id}\nname: Home\nkind: manual\nsteps:\n- action: Open it\n"}
    with pytest.raises(tree_sync.TreeInvalid) as refused:
        tree_sync.push_tree(pid, kind_change, prune=False, dry_run=False, principal=alice)
    assert [p["file"] for p in refused.value.problems] == ["home.yaml"]
    assert refused.value.problems[0]["problem"].startswith("kind: this test is automated on the server")
    assert tree_sync.export_tree(pid) == before
