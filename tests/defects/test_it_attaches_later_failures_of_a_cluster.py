"""A defect raised from an automated failure takes the failure's cluster; the next failure of
the same cluster attaches itself when its run closes (occurrence count 2, last seen); a failure
of another cluster does not; a failure after FIXED flags the defect "recurred"; "Attach to" is
offered while the cluster's defect is not done. Keys are claimed once each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select

from tests.analytics.history import History, Outcome
from traceiq_app.db import get_engine
from traceiq_app.models import ResultFact
from traceiq_app.services.defects import defects, listing, occurrences, prefill

BROKEN = Outcome("failed", error="Timeout 5000ms exceeded waiting for locator('#pay')", step=("click", "#pay"))
OTHER = Outcome("failed", error="expected 'Total 12' to have text 'Total 13'", step=("assert_text", "#total"))


def _failed_result(run_id) -> str:  # type: ignore[no-untyped-def]
    with Session(get_engine()) as s:
        fact = s.exec(select(ResultFact).where(ResultFact.run_id == run_id, ResultFact.status == "failed")).one()
        return str(fact.test_result_id)


def test_it_counts_occurrences_and_flags_recurrence(history_any: History) -> None:
    history = history_any
    p = history.p
    first = history.run({"Checkout": BROKEN})
    found = prefill.from_result(p.project.id, _failed_result(first.id))
    assert found["existing"] is None
    assert "## Steps to reproduce" in found["description"] and "Timeout 5000ms" in found["description"]
    assert "Browser: chromium" in found["description"] and "main" in found["description"]
    defect = defects.create(p.project.id, p.alice.id, {"title": found["title"], "description": found["description"],
                                                       **{k: found[k] for k in ("test_case_id", "signature",
                                                                                "source", "occurrence")}})
    assert defects.key_of(defect) == "DEF-1" and defect.occurrences == 1

    history.run({"Checkout": OTHER})  # another cluster: not this defect's
    assert defects.get(p.project.id, "DEF-1").occurrences == 1

    second = history.run({"Checkout": BROKEN})
    again = defects.get(p.project.id, "DEF-1")
    assert again.occurrences == 2 and not again.recurred
    assert again.last_seen_at is not None
    # the UI offers "Attach to DEF-1" for the next failure of that cluster
    assert prefill.from_result(p.project.id, _failed_result(second.id))["existing"]["key"] == "DEF-1"

    defects.update(p.project.id, "DEF-1", p.alice.id, {"assignee_id": str(p.bob.id)})
    for status in ("in progress", "FIXED"):
        defects.transition(p.project.id, "DEF-1", p.bob.id, status)
    history.run({"Checkout": BROKEN})
    fixed = defects.get(p.project.id, "DEF-1")
    assert fixed.recurred and fixed.occurrences == 3
    fields = [e["field"] for e in listing.view(p.project.id, "DEF-1")["history"]]
    assert "recurred" in fields and fields.count("occurrences") == 2


def test_it_claims_each_key_once_under_concurrency(history_any: History) -> None:
    p = history_any.p

    def raise_one(i: int) -> str:
        return defects.key_of(defects.create(p.project.id, p.bob.id, {"title": f"Broken {i}"}))

    with ThreadPoolExecutor(max_workers=6) as pool:
        keys = list(pool.map(raise_one, range(12)))
    assert sorted(keys, key=lambda k: int(k[4:])) == [f"DEF-{i}" for i in range(1, 13)]


def test_it_attaches_by_hand(history: History) -> None:
    p = history.p
    defect = defects.create(p.project.id, p.alice.id, {"title": "Payment broken"})
    run = history.run({"Checkout": BROKEN})
    occurrences.attach_result(p.project.id, defects.key_of(defect), p.alice.id, _failed_result(run.id))
    later = defects.get(p.project.id, defects.key_of(defect))
    assert later.occurrences == 1 and later.signature  # it now tracks the cluster
    history.run({"Checkout": BROKEN})
    assert defects.get(p.project.id, defects.key_of(defect)).occurrences == 2
