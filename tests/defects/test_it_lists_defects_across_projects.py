"""The organization-wide defects list (/defects and GET /api/v1/defects): the defects of every
project of the organization the user may read, a Project filter (id or slug), custom field
filters once one project is chosen, saved filters per user and organization, CSV/Excel export
with a Project column; an outsider sees none; each bad input is refused naming its field and
the page keeps what was typed."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.accounts.matrix_support import session_cookie, state_for
from tests.factories import Personas, add_org_member, add_project_member, make_project, make_user
from tests.support.webapp import principal_of
from traceiq_app.db import get_engine
from traceiq_app.models import OrgRole, ProjectRole
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.defects import custom_fields, defects, org_list
from traceiq_app.state.defects.org_list import OrgDefectsState

ORIGIN = "http://testserver"


@pytest.fixture
def two_projects(personas: Personas):  # type: ignore[no-untyped-def]
    """Acme has "Web shop" (alice owner, bob editor) and "Mobile app with a rather long name for
    the column" (alice only); dan is an Acme member in no project; Globex has one defect."""
    p = personas
    with Session(get_engine(), expire_on_commit=False) as s:
        mobile = make_project(s, p.acme, "Mobile app with a rather long name for the column", slug="mobile",
                              owner=p.alice)
        dan = make_user(s, "dan@acme.test", display_name="Dan")
        add_org_member(s, p.acme, dan, OrgRole.member)
        s.commit()
    custom_fields.create_field(p.project.id, "defect", "Customer", "select", "Acme, Globex")
    defects.create(p.project.id, p.alice.id, {"title": "Cart total wrong", "severity": "blocker",
                                              "custom": {"customer": "Acme"}, "assignee_id": str(p.bob.id)})
    defects.create(p.project.id, p.alice.id, {"title": "Typo on About", "severity": "trivial",
                                              "custom": {"customer": "Globex"}})
    defects.create(mobile.id, p.alice.id, {"title": "App crashes on start", "severity": "blocker"})
    defects.create(p.globex_project.id, p.charlie.id, {"title": "Globex only"})
    return p, mobile, dan


def _titles(rows: list[dict]) -> set[str]:  # type: ignore[type-arg]
    return {r["title"] for r in rows}


def test_it_lists_readable_projects_only(two_projects) -> None:  # type: ignore[no-untyped-def]
    p, mobile, dan = two_projects
    everything = org_list.search(principal_of(p.alice), p.acme.id)
    assert _titles(everything) == {"Cart total wrong", "Typo on About", "App crashes on start"}
    assert {r["project"] for r in everything} == {"Web shop", mobile.name}
    # bob is in Web shop only; dan in no project; charlie is not in Acme at all.
    assert _titles(org_list.search(principal_of(p.bob), p.acme.id)) == {"Cart total wrong", "Typo on About"}
    assert org_list.search(principal_of(dan), p.acme.id) == []
    assert org_list.search(principal_of(p.charlie), p.acme.id) == []
    # bob may not name a project he cannot read: refused like an unknown one.
    with pytest.raises(Invalid, match="^Project: 'mobile' is not a project of this organization"):
        org_list.search(principal_of(p.bob), p.acme.id, {"project": "mobile"})
    with Session(get_engine()) as s:
        add_project_member(s, mobile, dan, ProjectRole.viewer)
        s.commit()
    assert _titles(org_list.search(principal_of(dan), p.acme.id)) == {"App crashes on start"}


def test_it_filters_by_project_and_custom_fields(two_projects) -> None:  # type: ignore[no-untyped-def]
    p, mobile, _dan = two_projects
    alice = principal_of(p.alice)
    assert _titles(org_list.search(alice, p.acme.id, {"project": "mobile"})) == {"App crashes on start"}
    assert _titles(org_list.search(alice, p.acme.id, {"project": str(p.project.id), "cf_customer": "globex"})) \
        == {"Typo on About"}
    # Without a project the custom field filter does not apply (fields differ per project).
    assert len(org_list.search(alice, p.acme.id, {"cf_customer": "globex"})) == 3
    assert _titles(org_list.search(alice, p.acme.id, {"severity": "blocker"})) == {"Cart total wrong",
                                                                                  "App crashes on start"}
    assert _titles(org_list.search(alice, p.acme.id, {"assignee": str(p.bob.id), "status": "open"})) \
        == {"Cart total wrong"}


@pytest.mark.parametrize(("filters", "message"), [
    ({"project": "nope"}, "Project: 'nope' is not a project of this organization"),
    ({"status": "done"}, "Status: 'done' is not a defect status"),
    ({"severity": "huge"}, "Severity: 'huge' is not one; choose one of blocker"),
    ({"priority": "asap"}, "Priority: 'asap' is not one; choose one of urgent"),
    ({"assignee": "bob"}, "Assignee: choose a person from the list."),
    ({"reporter": "12"}, "Reporter: choose a person from the list."),
])
def test_it_refuses_bad_filters_and_keeps_the_input(two_projects, filters, message) -> None:  # type: ignore[no-untyped-def]
    p, _mobile, _dan = two_projects
    state = state_for(OrgDefectsState, session_cookie(p.alice.id), path="/defects")
    state.load()
    assert len(state.rows) == 3 and state.form_error == ""
    state.apply({**filters, "q": "cart"})
    assert state.form_error.startswith(message)
    assert state.filters == {**filters, "q": "cart"}  # the form shows what was typed
    assert len(state.rows) == 3  # the last good list stays
    assert "nope" not in state.query and "huge" not in state.query  # exports keep the last good filters


def test_it_saves_filters_per_user_and_org(two_projects) -> None:  # type: ignore[no-untyped-def]
    p, _mobile, _dan = two_projects
    alice = state_for(OrgDefectsState, session_cookie(p.alice.id), path="/defects")
    alice.load()
    alice.apply({"project": "mobile", "severity": "blocker"})
    assert _titles(alice.rows) == {"App crashes on start"} and alice.rows[0]["project"].startswith("Mobile app")
    alice.save_filter({"name": "Mobile blockers"})
    alice.save_filter({"name": ""})  # refused: a toast, nothing saved
    assert [s["name"] for s in alice.saved] == ["Mobile blockers"]
    alice.clear()
    assert len(alice.rows) == 3 and alice.filters == {}
    alice.use_filter(alice.saved[0]["id"])
    assert _titles(alice.rows) == {"App crashes on start"} and alice.filters["project"] == "mobile"
    bob = state_for(OrgDefectsState, session_cookie(p.bob.id), path="/defects")
    bob.load()
    assert bob.saved == [] and _titles(bob.rows) == {"Cart total wrong", "Typo on About"}
    bob.use_filter(alice.saved[0]["id"])  # not his: "gone"
    assert bob.filters == {}
    alice.delete_filter(alice.saved[0]["id"])
    assert alice.saved == []


def test_an_outsider_sees_no_acme_defects(two_projects) -> None:  # type: ignore[no-untyped-def]
    p, _mobile, dan = two_projects
    charlie = state_for(OrgDefectsState, session_cookie(p.charlie.id), path="/defects")
    charlie.load()
    assert _titles(charlie.rows) == {"Globex only"}
    assert [x["name"] for x in charlie.projects] == ["Portal"]
    charlie.apply({"project": str(p.project.id)})
    assert charlie.form_error.startswith("Project:") and _titles(charlie.rows) == {"Globex only"}
    lonely = state_for(OrgDefectsState, session_cookie(dan.id), path="/defects")
    lonely.load()
    assert lonely.rows == [] and lonely.projects == [] and lonely.error == ""


def test_the_api_lists_and_exports_across_projects(two_projects) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api

    p, mobile, _dan = two_projects
    with TestClient(create_api(), base_url=ORIGIN) as client:
        client.cookies.set("tiq_session", session_cookie(p.bob.id))
        items = client.get("/api/v1/defects").json()["items"]
        assert {i["title"] for i in items} == {"Cart total wrong", "Typo on About"}
        assert {i["project"] for i in items} == {"Web shop"}
        assert client.get("/api/v1/defects", params={"project": "mobile"}).status_code == 404
        bad = client.get("/api/v1/defects", params={"severity": "huge"})
        assert bad.status_code == 422 and "Severity" in bad.text

        client.cookies.set("tiq_session", session_cookie(p.alice.id))
        one = client.get("/api/v1/defects", params={"project": "web-shop", "cf_customer": "acme"}).json()["items"]
        assert [i["title"] for i in one] == ["Cart total wrong"]
        both = client.get("/api/v1/defects", params={"org": str(p.acme.id), "severity": "blocker"}).json()["items"]
        assert {i["project"] for i in both} == {"Web shop", mobile.name}
        assert client.get("/api/v1/defects", params={"org": str(p.globex.id)}).status_code == 404

        exported = client.get("/api/v1/defects.csv", params={"org": str(p.acme.id)})
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0][:3] == ["Project", "Key", "Title"] and "Customer" not in rows[0]
        assert sorted(r[2] for r in rows[1:]) == ["App crashes on start", "Cart total wrong", "Typo on About"]
        one_csv = list(csv.reader(io.StringIO(client.get("/api/v1/defects.csv", params={"project": "web-shop"}).text)))
        assert one_csv[0][0] == "Key" and one_csv[0][-1] == "Customer"
        xlsx = client.get("/api/v1/defects.xlsx", params={"status": "open"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

        client.cookies.set("tiq_session", session_cookie(p.charlie.id))
        assert {i["title"] for i in client.get("/api/v1/defects").json()["items"]} == {"Globex only"}
