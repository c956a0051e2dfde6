"""Test cases: validation with per-step errors, versions on every change, readable diffs,
restore as a new version, move, duplicate, soft delete — on SQLite and Postgres."""

from __future__ import annotations

import pytest

from traceiq_app.services.catalog import suites, test_cases
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.catalog.test_cases import TestCaseInvalid

STEPS = [
    {"action": "goto", "url": "/login"},
    {"action": "fill", "target": [{"label": "Email"}], "value": "a@b.c"},
    {"action": "click", "target": [{"role": "button", "name": "Sign in"}, {"css": "#submit"}]},
    {"action": "assert_text", "target": {"css": "h1"}, "expected": "Welcome"},
]


def test_it_refuses_invalid_steps_with_one_located_problem_per_field(personas) -> None:
    pid = personas.project.id
    bad = [
        {"action": "goto"},  # url missing
        {"action": "clik", "target": [{"css": "#x"}]},  # typo
        {"action": "click", "target": [{"css": "#a", "xpath": "//a"}]},  # two locator kinds
        {"action": "fill", "target": [{"css": "#q"}], "value": "x", "colour": "red"},
        {"action": "wait_for"},
    ]
    with pytest.raises(TestCaseInvalid) as info:
        test_cases.create_test_case(pid, "Broken", bad)
    found = {(p.step, p.field): p.message for p in info.value.details}
    assert found[(0, "url")] == "required"
    assert "did you mean 'click'" in found[(1, "")]
    assert "exactly one of" in found[(2, "target.0")]
    assert found[(3, "colour")] == "unknown field (typo?)"
    assert "wait_for needs exactly one of" in found[(4, "")]
    assert "Step 1 (goto): url: required" in info.value.problems
    assert test_cases.list_test_cases(pid) == []  # nothing saved

    with pytest.raises(TestCaseInvalid, match="give the test a name"):
        test_cases.create_test_case(pid, " ", STEPS)
    with pytest.raises(TestCaseInvalid, match="add at least one"):
        test_cases.create_test_case(pid, "Empty", [])


def test_it_versions_every_change_diffs_and_restores(personas_any) -> None:
    pid, alice = personas_any.project.id, personas_any.alice.id
    case = test_cases.create_test_case(pid, "Sign in", STEPS, tags=["smoke"], priority="high", author_id=alice)
    assert case.version == 1

    # unchanged save: no new version; priority only: no new version
    same = test_cases.update_test_case(pid, case.id, steps=STEPS, priority="critical", expected_version=1)
    assert (same.version, same.priority) == (1, "critical")

    v2_steps = [dict(s) for s in STEPS]
    v2_steps[0] = {"action": "goto", "url": "/signin"}
    v2_steps.insert(3, {"action": "press", "key": "Enter"})
    del v2_steps[1]
    v2 = test_cases.update_test_case(pid, case.id, steps=v2_steps, name="Sign in (v2)", expected_version=1,
                                     author_id=alice)
    assert v2.version == 2
    with pytest.raises(Invalid, match="changed by someone else"):
        test_cases.update_test_case(pid, case.id, name="stale", expected_version=1)

    assert [v.version for v in test_cases.list_versions(pid, case.id)] == [2, 1]
    diff = test_cases.diff_versions(pid, case.id, 1, 2)
    kinds = [(s.kind, s.action) for s in diff.changed_steps]
    assert ("changed", "goto") in kinds and ("removed", "fill") in kinds and ("added", "press") in kinds
    goto = next(s for s in diff.steps if s.action == "goto")
    assert [(f.field, f.old, f.new) for f in goto.fields] == [("url", "/login", "/signin")]
    assert [f.field for f in diff.test_fields] == ["name"]
    assert "1 step added" in diff.summary() and "1 step removed" in diff.summary()
    assert "~ step 1 goto /signin" in diff.text()

    restored = test_cases.restore_version(pid, case.id, 1, author_id=alice)
    assert restored.version == 3 and restored.steps == test_cases.list_versions(pid, case.id)[-1].definition["steps"]
    assert restored.name == "Sign in"
    assert test_cases.diff_versions(pid, case.id, 1, 3).summary() == "no differences"
    with pytest.raises(Invalid, match="same as the current"):
        test_cases.restore_version(pid, case.id, 3)
    with pytest.raises(NotFound):
        test_cases.restore_version(pid, case.id, 99)


def test_it_moves_duplicates_deletes_and_restores_tests(personas) -> None:
    pid = personas.project.id
    folder = suites.create_suite(pid, "Auth")
    other = suites.create_suite(pid, "Other")
    case = test_cases.create_test_case(pid, "Login", STEPS, suite_id=folder.id)
    assert [c.name for c in test_cases.list_test_cases(pid, folder.id)] == ["Login"]
    test_cases.move_test_case(pid, case.id, other.id)
    assert test_cases.list_test_cases(pid, folder.id) == []
    copy_ = test_cases.duplicate_test_case(pid, case.id)
    assert copy_.name == "Copy of Login" and copy_.version == 1 and copy_.steps == case.steps
    assert [v.version for v in test_cases.list_versions(pid, copy_.id)] == [1]
    test_cases.delete_test_case(pid, case.id)
    assert [c.name for c in test_cases.list_test_cases(pid, other.id)] == ["Copy of Login"]
    with pytest.raises(NotFound):
        test_cases.get_test_case(pid, case.id)
    suites.delete_suite(pid, other.id)
    back = test_cases.restore_test_case(pid, case.id)
    assert back.suite_id is None  # its folder is deleted: back at the top level
    assert [c.name for c in test_cases.list_test_cases(pid, None)] == ["Login"]


def test_it_never_reads_or_changes_another_projects_tests(personas) -> None:
    theirs = test_cases.create_test_case(personas.globex_project.id, "Theirs", STEPS)
    mine = personas.project.id
    for call in (
        lambda: test_cases.get_test_case(mine, theirs.id),
        lambda: test_cases.update_test_case(mine, theirs.id, name="pwned"),
        lambda: test_cases.list_versions(mine, theirs.id),
        lambda: test_cases.restore_version(mine, theirs.id, 1),
        lambda: test_cases.duplicate_test_case(mine, theirs.id),
        lambda: test_cases.delete_test_case(mine, theirs.id),
        lambda: test_cases.move_test_case(mine, theirs.id, None),
    ):
        with pytest.raises(NotFound):
            call()
    assert test_cases.get_test_case(personas.globex_project.id, theirs.id).name == "Theirs"
    assert test_cases.project_of_test_case(theirs.id) == personas.globex_project.id
