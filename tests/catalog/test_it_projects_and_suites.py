"""Projects (slugs, per-user lists, rename, soft delete) and the suite tree (create, rename, move
with cycle refusal, soft delete + restore), on SQLite and Postgres."""

from __future__ import annotations

import pytest

from tests.support.webapp import principal_of
from traceiq_app.services.catalog import projects, suites
from traceiq_app.services.catalog.projects import Invalid, NotFound


def test_it_creates_projects_with_unique_slugs_and_lists_them_per_user(personas_any) -> None:
    cast = personas_any
    alice, charlie = principal_of(cast.alice), principal_of(cast.charlie)
    first = projects.create_project(alice, cast.acme.id, "Mobile App!")
    second = projects.create_project(alice, cast.acme.id, "Mobile app")
    assert (first.slug, second.slug) == ("mobile-app", "mobile-app-2")
    with pytest.raises(Invalid, match="already used"):
        projects.create_project(alice, cast.acme.id, "Other", slug="mobile-app")
    with pytest.raises(Invalid, match="slug"):
        projects.create_project(alice, cast.acme.id, "Other", slug="Bad Slug")
    with pytest.raises(Invalid, match="name"):
        projects.create_project(alice, cast.acme.id, "   ")

    names = {p.name for p in projects.list_projects(alice)}
    assert names == {"Web shop", "Mobile App!", "Mobile app"}
    # bob is an org member (not admin): only the project he is a member of
    assert [p.name for p in projects.list_projects(principal_of(cast.bob))] == ["Web shop"]
    assert [p.name for p in projects.list_projects(charlie)] == ["Portal"]

    projects.rename_project(alice, first.id, "Mobile")
    assert projects.get_project(first.id).name == "Mobile"
    projects.delete_project(alice, first.id)
    with pytest.raises(NotFound):
        projects.get_project(first.id)
    assert "Mobile" not in {p.name for p in projects.list_projects(alice)}
    # a deleted project frees its slug
    assert projects.create_project(alice, cast.acme.id, "Again", slug="mobile-app").slug == "mobile-app"


def test_it_keeps_a_suite_tree_moves_without_cycles_and_restores(personas_any) -> None:
    pid = personas_any.project.id
    a = suites.create_suite(pid, "Checkout")
    b = suites.create_suite(pid, "Payments", a.id)
    c = suites.create_suite(pid, "Cards", b.id)
    d = suites.create_suite(pid, "Accounts")

    tree = suites.list_tree(pid)
    assert [(n.name, n.depth) for n in suites.flatten(tree)] == [
        ("Checkout", 0), ("Payments", 1), ("Cards", 2), ("Accounts", 0)]

    for bad_parent in (a.id, b.id, c.id):
        with pytest.raises(Invalid, match="into itself or one of its own sub-folders"):
            suites.move_suite(pid, a.id, bad_parent)
    suites.move_suite(pid, c.id, d.id)
    suites.rename_suite(pid, d.id, "Account")
    assert [(n.name, n.depth) for n in suites.flatten(suites.list_tree(pid))] == [
        ("Checkout", 0), ("Payments", 1), ("Account", 0), ("Cards", 1)]
    suites.move_suite(pid, c.id, None)
    assert [n.name for n in suites.list_tree(pid)] == ["Checkout", "Account", "Cards"]

    # delete hides the subtree; restore brings it back
    suites.delete_suite(pid, a.id)
    assert [n.name for n in suites.flatten(suites.list_tree(pid))] == ["Account", "Cards"]
    with pytest.raises(NotFound):
        suites.create_suite(pid, "Inside deleted", b.id)
    assert [s.name for s in suites.deleted_suites(pid)] == ["Checkout"]
    suites.restore_suite(pid, a.id)
    assert [n.name for n in suites.flatten(suites.list_tree(pid))][:2] == ["Checkout", "Payments"]

    # a folder restored after its parent was deleted comes back at the top level
    suites.delete_suite(pid, b.id)
    suites.delete_suite(pid, a.id)
    suites.restore_suite(pid, b.id)
    assert "Payments" in [n.name for n in suites.list_tree(pid)]


def test_it_never_touches_suites_of_another_project(personas) -> None:
    mine = suites.create_suite(personas.project.id, "Mine")
    theirs = suites.create_suite(personas.globex_project.id, "Theirs")
    with pytest.raises(NotFound):
        suites.rename_suite(personas.project.id, theirs.id, "pwned")
    with pytest.raises(NotFound):
        suites.move_suite(personas.project.id, mine.id, theirs.id)
    with pytest.raises(NotFound):
        suites.delete_suite(personas.project.id, "not-a-uuid")
    assert [n.name for n in suites.list_tree(personas.globex_project.id)] == ["Theirs"]
