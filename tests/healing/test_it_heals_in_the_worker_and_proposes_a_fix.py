"""In a real worker: a passing run records the steps' fingerprints; after the page changes, the
project's mode decides: "heal" passes the test as healed and proposes the fix, "report" fails
the step and proposes it, "off" does neither. Accepting writes a new version (new locator
first, old one kept as fallback) that then passes without healing; a rejected fix is
remembered and not proposed again."""

from __future__ import annotations

from tests.healing.conftest import RELEASE_2, CheckoutSite, order_steps
from tests.runs.conftest import Stack
from traceiq_app.models import TestResultStatus
from traceiq_app.services.catalog.test_cases import get_test_case
from traceiq_app.services.healing import proposals, store
from traceiq_app.services.runs.control import start_run


def _run(stack: Stack, project_id) -> tuple:
    run = start_run(project_id)
    stack.wait_run(run.id, timeout=90)
    [result] = stack.results(run.id)
    return run, result


def test_it_heals_proposes_and_accepts(stack: Stack, checkout: CheckoutSite) -> None:
    project = stack.project(checkout.url)
    case = stack.test_case(project, "Place order", order_steps(checkout.page_url))
    store.set_mode(project.id, "heal")
    stack.start_worker()

    _, first = _run(stack, project.id)
    assert first.status == TestResultStatus.passed, first.error
    recorded = store.fingerprints(case.id)
    assert recorded["1"]["locator"] == 'css="#save"' and recorded["1"]["name"] == "Place order"

    checkout.change_to(RELEASE_2)
    run, healed = _run(stack, project.id)
    assert healed.status == TestResultStatus.passed, healed.error
    [badge] = store.healed_by_result(run.id)[str(healed.id)]
    assert badge["step"] == 1 and badge["applied"] and badge["to"] == 'role="button"[name="Place order"]'
    [proposal] = proposals.list_proposals(project.id)
    assert proposal.test_name == "Place order" and proposal.run_id == str(run.id)
    [change] = proposal.changes
    assert change["from"] == [{"css": "#save"}] and change["to"] == {"role": "button", "name": "Place order",
                                                                       "exact": True}

    _run(stack, project.id)  # the same heal again: still one open proposal
    assert len(proposals.list_proposals(project.id)) == 1

    version = proposals.accept(project.id, proposal.id, None)
    updated = get_test_case(project.id, case.id)
    assert version == updated.version == 2
    assert updated.steps[1]["target"] == [{"role": "button", "name": "Place order", "exact": True}, {"css": "#save"}]
    assert proposals.list_proposals(project.id) == []
    assert proposals.list_proposals(project.id, "accepted")[0].new_version == 2

    run, after = _run(stack, project.id)
    assert after.status == TestResultStatus.passed and store.healed_by_result(run.id) == {}


def test_it_reports_only_and_remembers_a_rejection(stack: Stack, checkout: CheckoutSite) -> None:
    project = stack.project(checkout.url)
    stack.test_case(project, "Place order", order_steps(checkout.page_url))
    stack.start_worker()
    assert store.get_mode(project.id) == "report"  # the default
    _run(stack, project.id)

    checkout.change_to(RELEASE_2)
    run, failed = _run(stack, project.id)
    assert failed.status == TestResultStatus.failed
    assert "a healing proposal was made" in (failed.error or "")
    [badge] = store.healed_by_result(run.id)[str(failed.id)]
    assert not badge["applied"]
    [proposal] = proposals.list_proposals(project.id)
    proposals.reject(project.id, proposal.id, None)

    _run(stack, project.id)
    assert proposals.list_proposals(project.id) == []  # rejected: never proposed again
    assert [p.status for p in proposals.list_proposals(project.id, None)] == ["rejected"]

    store.set_mode(project.id, "off")
    run, off = _run(stack, project.id)
    assert off.status == TestResultStatus.failed and "healing" not in (off.error or "")
    assert store.healed_by_result(run.id) == {}


def test_it_reports_passed_healed_in_the_run_report_and_junit(stack: Stack, checkout: CheckoutSite) -> None:
    from traceiq_app.services.runs.reports import junit_xml, run_report

    project = stack.project(checkout.url)
    stack.test_case(project, "Place order", order_steps(checkout.page_url))
    store.set_mode(project.id, "heal")
    stack.start_worker()
    _run(stack, project.id)
    checkout.change_to(RELEASE_2)
    run, _ = _run(stack, project.id)
    report = run_report(run.id)
    assert report is not None
    [test] = report["tests"]
    assert test["status"] == "passed" and test["healed"] is True
    [healed] = test["attempts"][-1]["healed_steps"]
    assert healed["step"] == 1 and healed["from"] == 'css="#save"' and healed["applied"]
    import xml.etree.ElementTree as ET

    case = ET.fromstring(junit_xml(run.id) or "").find(".//testcase")
    assert case is not None and case.find("failure") is None
    assert 'passed (healed): step 2: css="#save" -> role="button"[name="Place order"]' in (case.findtext("system-out") or "")
