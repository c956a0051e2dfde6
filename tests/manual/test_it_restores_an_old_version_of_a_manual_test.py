"""Restoring an old version of a manual test (the catalog's `restore_version`, like automated
tests): the old name, preconditions, tags, steps and attachment list come back as a NEW version,
history is kept, and restoring the current content again is refused."""

from __future__ import annotations

import pytest

from tests.manual.manual_support import CHECKOUT
from tests.support.webapp import principal_of
from traceiq_app.services.catalog import manual_cases
from traceiq_app.services.catalog import test_cases as catalog_cases
from traceiq_app.services.catalog.projects import Invalid


def test_an_old_manual_version_comes_back_as_a_new_version(personas_any) -> None:  # type: ignore[no-untyped-def]
    pid, alice = personas_any.project.id, principal_of(personas_any.alice)
    case = manual_cases.create_manual_case(pid, "Checkout by card", CHECKOUT, tags=["smoke"],
                                           preconditions="A customer account exists", author_id=alice.user_id)
    v1 = case.definition()
    manual_cases.update_manual_case(pid, case.id, name="Checkout (card)", steps=CHECKOUT[:1] + [
        {"action": "Pay by PayPal", "data": "", "expected": "An order number shows"}], tags=["regression"],
        preconditions="", expected_version=1, author_id=alice.user_id)

    restored = catalog_cases.restore_version(pid, case.id, 1, author_id=alice.user_id)
    assert restored.version == 3
    again = manual_cases.get_manual_case(pid, case.id)
    assert (again.kind, again.version, again.definition()) == ("manual", 3, v1)
    assert again.preconditions == "A customer account exists" and again.tags == ["smoke"]
    assert sorted(v.version for v in catalog_cases.list_versions(pid, case.id)) == [1, 2, 3]
    assert catalog_cases.diff_versions(pid, case.id, 1, 3).text() == "v1 -> v3: no differences"
    assert "Pay by PayPal" in catalog_cases.diff_versions(pid, case.id, 2, 3).text()

    with pytest.raises(Invalid, match="same as the current version 3"):
        catalog_cases.restore_version(pid, case.id, 1, author_id=alice.user_id)
