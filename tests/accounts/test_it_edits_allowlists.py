"""Target allowlists at organization and project level, through the API and the settings pages:
who may change what (admins the lists, owners the link-local rule), errors that name the field
and keep what was typed, audit entries, and what a worker hands the engine
(`network_policy_for` -> the claimed test -> `RunOptions`)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.accounts.conftest import ORIGIN, login, set_password
from tests.factories import add_org_member, make_run, make_test_case, make_test_result, make_user
from traceiq_app.db import get_engine, session_scope
from traceiq_app.models import AuditLog, Organization, OrgRole, Project
from traceiq_app.services.runs.network_policy import network_policy_for
from traceiq_app.settings import reset_settings_cache


def _audit(action: str) -> list[AuditLog]:
    with session_scope() as s:
        rows = list(s.exec(select(AuditLog).where(AuditLog.action == action)).all())
        for r in rows:
            s.expunge(r)
        return rows


def test_org_admins_edit_the_org_list_and_only_owners_lift_the_link_local_rule(api, personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        dave = make_user(s, "dave@acme.test")
        add_org_member(s, s.get(Organization, personas.acme.id), dave, OrgRole.admin)  # type: ignore[arg-type]
        s.commit()
    set_password("dave@acme.test")
    set_password("alice@acme.test")
    url = f"/api/orgs/{personas.acme.id}/security"
    assert login(api, "dave@acme.test").status_code == 200

    bad = api.patch(url, json={"allowed_hosts": ["shop.acme.test", "not a host!"]}, headers={"Origin": ORIGIN})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "allowed_hosts: 'not a host!' is not a host name, *.wildcard or host:port",
                          "field": "allowed_hosts"}
    ok = api.patch(url, json={"allowed_hosts": ["https://Shop.Acme.test/cart", "*.cdn.acme.test", "shop.acme.test"]},
                   headers={"Origin": ORIGIN})
    assert ok.status_code == 200 and ok.json()["allowed_hosts"] == ["shop.acme.test", "*.cdn.acme.test"]
    assert ok.json()["can_edit_hosts"] and not ok.json()["can_edit_rules"]
    denied = api.patch(url, json={"allow_link_local": True}, headers={"Origin": ORIGIN})
    assert denied.status_code == 403

    api.post("/api/auth/logout", headers={"Origin": ORIGIN})
    assert login(api, "alice@acme.test").status_code == 200
    lifted = api.patch(url, json={"allow_link_local": True}, headers={"Origin": ORIGIN})
    assert lifted.status_code == 200 and lifted.json()["allow_link_local"] is True
    assert api.get(url).json()["allowed_hosts"] == ["shop.acme.test", "*.cdn.acme.test"]

    [hosts] = _audit("org.allowlist_update")
    assert hosts.details == {"before": [], "after": ["shop.acme.test", "*.cdn.acme.test"]}
    assert hosts.actor_label == "dave@acme.test"
    [rule] = _audit("org.security_update")
    assert rule.details == {"allow_link_local": True} and rule.actor_label == "alice@acme.test"


def test_project_admins_edit_the_project_list(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    set_password("alice@acme.test")
    url = f"/api/projects/{personas.project.id}/allowed-hosts"
    assert login(api, "bob@acme.test").status_code == 200  # project editor: reads, cannot change
    assert api.get(url).json()["allowed_hosts"] == []
    assert api.put(url, json={"allowed_hosts": ["evil.test"]}, headers={"Origin": ORIGIN}).status_code == 403
    api.post("/api/auth/logout", headers={"Origin": ORIGIN})

    assert login(api, "alice@acme.test").status_code == 200
    bad = api.put(url, json={"allowed_hosts": ["*"]}, headers={"Origin": ORIGIN})
    assert bad.status_code == 400 and bad.json()["field"] == "allowed_hosts"
    assert "leave the list empty" in bad.json()["detail"]
    long = api.put(url, json={"allowed_hosts": ["a" * 5000]}, headers={"Origin": ORIGIN})
    assert long.status_code == 400 and len(long.text) < 300  # the entry is not echoed back
    ok = api.put(url, json={"allowed_hosts": ["localhost:8080", "Staging.Acme.test"]}, headers={"Origin": ORIGIN})
    assert ok.status_code == 200 and ok.json()["allowed_hosts"] == ["localhost:8080", "staging.acme.test"]
    [entry] = _audit("project.allowlist_update")
    assert entry.project_id == personas.project.id and entry.details["after"] == ["localhost:8080", "staging.acme.test"]

    other = api.get(f"/api/projects/{personas.globex_project.id}/allowed-hosts")
    assert other.status_code == 404


def _set(org_hosts: list[str], project_hosts: list[str], link_local: bool = False) -> None:
    with session_scope() as s:
        project = s.exec(select(Project).where(Project.name == "Web shop")).one()
        org = s.get(Organization, project.org_id)
        assert org is not None
        org.allowed_hosts, org.allow_link_local = org_hosts, link_local
        project.allowed_hosts = project_hosts


def test_runs_get_the_org_and_project_rules(personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pid = personas.project.id
    policy = network_policy_for(pid)
    assert (policy.allowed_hosts, policy.allow_link_local, policy.deny_private) == (None, False, False)

    _set(["sso.acme.test"], [])
    assert network_policy_for(pid).allowed_hosts == ["sso.acme.test"]
    _set(["sso.acme.test"], ["shop.acme.test", "sso.acme.test"], link_local=True)
    policy = network_policy_for(pid)
    assert policy.allowed_hosts == ["sso.acme.test", "shop.acme.test"] and policy.allow_link_local
    _set([], ["shop.acme.test"])
    assert network_policy_for(pid).allowed_hosts == ["shop.acme.test"]

    monkeypatch.setenv("TRACEIQ_TEST_DENY_PRIVATE", "true")
    reset_settings_cache()
    assert network_policy_for(pid).deny_private is True
    # Another org's rules never leak into this project.
    with session_scope() as s:
        globex = s.get(Organization, personas.globex.id)
        assert globex is not None
        globex.allowed_hosts, globex.allow_link_local = ["globex.test"], True
    policy = network_policy_for(pid)
    assert policy.allowed_hosts == ["shop.acme.test"] and not policy.allow_link_local


def test_the_worker_hands_the_rules_to_the_engine(personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.runs import orchestration

    _set(["sso.acme.test"], ["shop.acme.test"], link_local=True)
    monkeypatch.setenv("TRACEIQ_TEST_DENY_PRIVATE", "true")
    reset_settings_cache()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, personas.project.id)
        assert project is not None
        case = make_test_case(s, project, "Checkout")
        result = make_test_result(s, make_run(s, project), case)
        s.commit()
    claimed = orchestration.claim(result.id, "w1")
    assert claimed is not None
    assert claimed.allowed_hosts == ["sso.acme.test", "shop.acme.test"]
    assert claimed.allow_link_local is True and claimed.deny_private is True

    from traceiq_app.engine.results import RunOptions

    options = RunOptions(allowed_hosts=claimed.allowed_hosts or None, allow_link_local=claimed.allow_link_local,
                         deny_private=claimed.deny_private)  # what services/runs/execution.py builds
    assert options.allow_link_local and options.deny_private


# --- the settings pages in Chromium ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("app")
def test_it_edits_the_lists_in_the_browser(live, chromium) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.conftest import PASSWORD, seed_live_cast
    from traceiq_app.services.accounts.passwords import hash_password

    cast = seed_live_cast(password_hash=hash_password(PASSWORD))
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(live.url + "/login?next=/projects/" + str(cast.project_id) + "/settings")
        # the page fills its hidden `next` field on load: wait for it before submitting
        page.wait_for_function("document.querySelector('input[name=next]')?.value.startsWith('/projects')",
                               timeout=60_000)
        page.get_by_label("Email").fill(cast.alice)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(re.compile(r"^http://[^/]+/projects/[0-9a-f-]+/settings/?$"), timeout=60_000)
        box = page.locator("#project-allowed-hosts")
        box.wait_for(timeout=60_000)
        box.fill("shop.example.test\nnot a host!")
        page.get_by_role("button", name="Save allowed hosts").click()
        page.locator("#project-allowed-hosts-error").get_by_text("'not a host!' is not a host name").wait_for(
            timeout=60_000)
        assert box.input_value() == "shop.example.test\nnot a host!"  # what the user typed stays
        box.fill("https://Shop.Example.test/cart\n*.cdn.example.test")
        page.get_by_role("button", name="Save allowed hosts").click()
        page.get_by_text("Allowed hosts saved.").first.wait_for(timeout=60_000)
        assert box.input_value() == "shop.example.test\n*.cdn.example.test"
        assert page.locator("#project-allowed-hosts-error").count() == 0
        with session_scope() as s:
            project = s.get(Project, cast.project_id)
            assert project is not None and project.allowed_hosts == ["shop.example.test", "*.cdn.example.test"]

        # The organization page: the owner lifts the link-local rule.
        page.goto(live.url + "/settings/organization")
        page.locator("#org-allowed-hosts").wait_for(timeout=60_000)
        page.locator("#allow-link-local").click()
        page.get_by_text("Saved.").first.wait_for(timeout=60_000)
        with session_scope() as s:
            org = s.get(Organization, cast.acme_id)
            assert org is not None and org.allow_link_local
    finally:
        context.close()
