"""Seed data for the manual-testing tests: manual test cases and a run of them."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from traceiq_app.models import ManualRun
from traceiq_app.services.catalog import manual_cases
from traceiq_app.services.manual import runs
from traceiq_app.services.platform.permissions import Principal

# A real 1x1 PNG (what a pasted screenshot is).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

CHECKOUT = [
    {"action": "Open the shop", "data": "https://shop.test", "expected": "The home page shows"},
    {"action": "Add a mug to the cart", "data": "mug, qty 1", "expected": "The cart shows 1 item"},
    {"action": "Pay by card", "data": "4242 4242 4242 4242", "expected": "An order number shows"},
]
LOGIN = [
    {"action": "Open /login", "data": "", "expected": "The sign-in form shows"},
    {"action": "Sign in as alice", "data": "alice / secret", "expected": "The dashboard shows"},
]


def seed_run(project_id: uuid.UUID, alice: Principal, bob_id: uuid.UUID | None = None) -> ManualRun:
    checkout = manual_cases.create_manual_case(project_id, "Checkout by card", CHECKOUT, tags=["smoke"],
                                               preconditions="A customer account exists", author_id=alice.user_id)
    login = manual_cases.create_manual_case(project_id, "Sign in", LOGIN, tags=["smoke"], author_id=alice.user_id)
    assignees = {str(login.id): str(bob_id)} if bob_id else {}
    return runs.start_run(project_id, alice, name="Release 2.4", environment="staging", build_label="2.4.0-rc1",
                          milestone="2.4", tags=["smoke"], assignees={str(checkout.id): str(alice.user_id),
                                                                       **assignees})


def seed_team(app_server: Any) -> dict[str, Any]:
    """For the browser tests: alice (a new organization's owner, made by `traceiq admin
    create-user`), her project "Shop …", and bob, an editor of it who can sign in."""
    from sqlmodel import Session

    from tests.factories import add_org_member, add_project_member, make_project, make_user
    from tests.support.browser_pages import PASSWORD, new_owner
    from traceiq_app.db import get_engine
    from traceiq_app.models import OrgRole, ProjectRole
    from traceiq_app.services.accounts.passwords import hash_password

    bob_email = f"bob-{uuid.uuid4().hex[:8]}@manual.test"
    with Session(get_engine(), expire_on_commit=False) as s:
        alice_email, alice, org = new_owner(app_server, s, "Manual")
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=alice)
        bob = make_user(s, bob_email, display_name="Bob", password_hash=hash_password(PASSWORD))
        add_org_member(s, org, bob, OrgRole.member)
        add_project_member(s, project, bob, ProjectRole.editor)
        s.commit()
    return {"alice_email": alice_email, "alice": alice, "project": project, "bob_email": bob_email, "bob": bob}
