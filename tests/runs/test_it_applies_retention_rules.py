"""Retention rules (System page editor): keep runs N days, keep the last N runs, keep failed
runs longer, per project or org-wide. The preview is `retention.sweep(dry_run=True)`, the same
plan the real pass executes: its counts equal what the pass then deletes (runs, results,
artifacts, bytes), and the stored objects go with their rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from tests.factories import make_project, make_user
from tests.runs.conftest import goto, title_is
from traceiq_app.models import Artifact, Organization, Project, Run, TestResult, utcnow
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import retention, retention_rules
from traceiq_app.services.runs.control import start_run
from traceiq_app.services.runs.retention_rules import RetentionRuleInvalid, RuleSpec


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"keep_days": "abc"}, "keep_days", "whole number"),
    ({"keep_days": "0"}, "keep_days", "at least 1"),
    ({"keep_days": "-3"}, "keep_days", "whole number"),
    ({"keep_last": "99999999"}, "keep_last", "at most"),
    ({}, "keep_days", "set a number of days"),
    ({"keep_failed_days": "40"}, "keep_failed_days", "set \"Keep runs for\" too"),
    ({"keep_days": "30", "keep_failed_days": "10"}, "keep_failed_days", "at least 30"),
])
def test_it_refuses_bad_rules_naming_the_field(form, field, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RetentionRuleInvalid) as caught:
        retention_rules.parse_spec(form)
    assert caught.value.field == field and words in caught.value.message


def test_it_accepts_a_full_rule() -> None:
    assert retention_rules.parse_spec({"keep_days": " 14 ", "keep_last": "5", "keep_failed_days": "60"}) == \
        RuleSpec(keep_days=14, keep_last=5, keep_failed_days=60)


def _age(stack, run_id: uuid.UUID, days: float) -> None:  # type: ignore[no-untyped-def]
    at = utcnow() - timedelta(days=days)
    with stack.session() as s:
        s.execute(sa.update(Run).where(col(Run.id) == run_id).values(finished_at=at, created_at=at))
        s.commit()


def _counts(stack, run_ids):  # type: ignore[no-untyped-def]
    with stack.session() as s:
        results = len(s.exec(select(TestResult.id).where(col(TestResult.run_id).in_(run_ids))).all())
        arts = s.exec(select(Artifact).where(col(Artifact.run_id).in_(run_ids))).all()
        return results, [(a.storage_key, a.size_bytes) for a in arts]


def test_the_preview_equals_what_the_sweep_deletes(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    stack.configure(TRACEIQ_RUN_TRACE="on")
    shop = stack.project(site_url)
    with stack.session() as s:
        org = s.get(Organization, shop.org_id)
        assert org is not None
        blog = make_project(s, org, "Blog", settings={"base_url": site_url, "step_timeout_ms": 2000})
        admin = make_user(s, f"alice-{uuid.uuid4().hex[:6]}@acme.test")
        s.commit()
        blog_id = blog.id
    stack.test_case(shop, "passes", [goto("/index.html"), title_is("Runs home")])
    with stack.session() as s:
        blog_row = s.get(Project, blog_id)
    stack.test_case(blog_row, "fails", [goto("/index.html"), title_is("Nope")])
    stack.start_worker()
    shop_runs = [stack.wait_run(start_run(shop.id).id).id for _ in range(3)]
    blog_runs = [stack.wait_run(start_run(blog_id).id).id for _ in range(2)]
    for run_id, days in zip(shop_runs, (40, 20, 1), strict=True):
        _age(stack, run_id, days)
    for run_id, days in zip(blog_runs, (40, 20), strict=True):
        _age(stack, run_id, days)

    principal = Principal(user_id=admin.id, email=admin.email)
    org_id = shop.org_id
    # Org-wide: 10 days, failed runs 30; the shop keeps its last 2 runs whatever their age.
    retention_rules.save_rule(principal, org_id, "org", {"keep_days": "10", "keep_failed_days": "30"})
    retention_rules.save_rule(principal, org_id, str(shop.id), {"keep_days": "10", "keep_last": "2"})
    rules = retention_rules.list_rules(org_id)
    assert [r["scope"] for r in rules] == ["Whole organization", "Shop"]

    doomed = [shop_runs[0], blog_runs[0]]  # 40 days old; the 20-day-old shop run is one of the last 2
    results, artifacts = _counts(stack, doomed)
    assert results == 2 and artifacts, "runs with traces should have artifacts"

    # An unsaved org-wide rule without the longer keep for failures would also take the 20-day failed run.
    wider = retention.sweep(dry_run=True, org_id=org_id, override=(None, RuleSpec(keep_days=10)))
    assert wider.runs == 3

    preview = retention.sweep(dry_run=True, org_id=org_id)
    assert preview.as_dict() == {"runs": 2, "results": 2, "artifacts": len(artifacts),
                                 "bytes": sum(size for _key, size in artifacts)}
    other_org = retention.sweep(dry_run=True, org_id=uuid.uuid4())
    assert other_org.runs == 0

    done = retention.sweep(dry_run=False)
    assert done.as_dict() == preview.as_dict() and done.failed == 0
    with stack.session() as s:
        left = set(s.exec(select(Run.id).where(col(Run.project_id).in_([shop.id, blog_id]))).all())
    assert left == set(shop_runs[1:]) | {blog_runs[1]}
    root = stack.data_dir / "artifacts"
    assert not any((root / key).exists() for key, _size in artifacts)
    assert _counts(stack, doomed) == (0, [])
    assert retention.sweep(dry_run=True, org_id=org_id).runs == 0  # nothing left to delete

    assert retention_rules.delete_rule(principal, org_id, rules[1]["id"])
    assert [r["scope"] for r in retention_rules.list_rules(org_id)] == ["Whole organization"]
    assert not retention_rules.delete_rule(principal, uuid.uuid4(), rules[0]["id"])  # another org's id
