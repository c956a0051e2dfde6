"""Raw websocket events, crafted by hand and sent to the RUNNING app: a signed-in user of
another org (charlie) names Acme's ids in every protected handler, and an anonymous client calls
protected handlers directly. Nothing of Acme is read (no Acme data in any delta) or changed."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import socketio

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import acme_fingerprint
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.project_members import ProjectMembersState
from traceiq_app.state.accounts.settings import AuditState, MembersState, TokensState

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app")]
NAMESPACE = "/_event"  # Reflex's socket.io namespace (rx.Config.get_event_namespace())


class RawClient:
    """A socket.io client speaking Reflex's event protocol, nothing else."""

    def __init__(self, url: str, cookie: str | None) -> None:
        self.updates: list[Any] = []
        self.token = str(uuid.uuid4())
        self.sio = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.sio.on("event", self._on_update, namespace=NAMESPACE)
        headers = {"Cookie": f"tiq_session={cookie}"} if cookie else {}
        self.sio.connect(f"{url}?token={self.token}", socketio_path="/_event", transports=["websocket"],
                         headers=headers, wait_timeout=30, namespaces=[NAMESPACE])

    def _on_update(self, data: Any) -> None:
        with self.lock:
            self.updates.append(data)

    def send(self, state: type, handler: str, payload: dict[str, Any], path: str = "/settings/tokens") -> None:
        self.sio.emit("event", {
            "name": f"{state.get_full_name()}.{handler}",
            "payload": payload,
            "router_data": {"pathname": path, "asPath": path, "query": {}},
        }, namespace=NAMESPACE)

    def text(self) -> str:
        with self.lock:
            return json.dumps(self.updates, default=str)

    def close(self) -> None:
        self.sio.disconnect()


def _wait_quiet(client: RawClient, seconds: float = 2.0, timeout: float = 30) -> None:
    """Until no new update arrived for `seconds` (the app answered everything it will)."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        count = len(client.updates)
        if count == last and count > 0:
            return
        last = count
        time.sleep(seconds)


def _acme_invite(cast) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A pending invitation of Acme's (made by alice): (invitation id, invited email)."""
    from traceiq_app.services.accounts import members
    from traceiq_app.services.platform.permissions import Principal

    email = f"nina-{cast.suffix}@acme.test"
    alice = Principal(user_id=cast.alice_id, email=cast.alice)
    members.create_invite(alice, cast.acme_id, email)
    return next(i["id"] for i in members.list_invites(alice, cast.acme_id) if i["email"] == email), email


def test_it_ignores_crafted_events_naming_another_orgs_objects(live) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import tokens, web_sessions

    cast = seed_live_cast()
    invite_id, invited = _acme_invite(cast)
    with session_scope() as s:
        alice = s.get(User, cast.alice_id)
        charlie = s.get(User, cast.charlie_id)
        assert alice and charlie
        _raw, alice_token = tokens.create_token(s, user=alice, org_id=cast.acme_id, name="alice-ci", scopes=["read"])
        charlie_cookie = web_sessions.create_session(s, charlie)
        alice_cookie = web_sessions.create_session(s, alice)
    before = acme_fingerprint(live.db_url, str(cast.acme_id))
    markers = [cast.alice, cast.bob, f"Web shop {cast.suffix}", alice_token.prefix, invited]
    project_members = f"/projects/{cast.project_id}/members"

    acme = str(cast.acme_id)
    client = RawClient(live.url, charlie_cookie)
    try:
        client.send(AuthState, "select_org", {"org_id": acme})
        client.send(AuthState, "setvar", {"var_name": "org_id", "value": acme})
        client.send(TokensState, "load_tokens", {})
        client.send(TokensState, "revoke_token", {"token_id": str(alice_token.id)})
        client.send(MembersState, "load_members", {})
        client.send(MembersState, "set_role", {"user_id": str(cast.bob_id), "role": "owner"})
        client.send(MembersState, "set_role", {"user_id": str(cast.charlie_id), "role": "member"})
        client.send(MembersState, "remove", {"user_id": str(cast.bob_id)})
        client.send(MembersState, "invite", {"form_data": {"email": "x@acme.test", "role": "owner"}})
        client.send(MembersState, "revoke_invite", {"invite_id": invite_id})
        # The project members page, pointed at Acme's project by a crafted URL.
        client.send(ProjectMembersState, "load", {}, path=project_members)
        client.send(ProjectMembersState, "set_role", {"user_id": str(cast.bob_id), "role": "viewer"},
                    path=project_members)
        client.send(ProjectMembersState, "remove", {"user_id": str(cast.bob_id)}, path=project_members)
        client.send(ProjectMembersState, "add", {"form_data": {"user_id": str(cast.charlie_id), "role": "owner"}},
                    path=project_members)
        client.send(AuditState, "load_audit", {}, path="/settings/audit")
        client.send(AuditState, "apply_filters", {"form_data": {"action": "", "actor": "alice", "days": "3650"}},
                    path="/settings/audit")
        _wait_quiet(client)
        seen = client.text()
    finally:
        client.close()
    assert "charlie" in seen  # the events did run, for charlie's own org
    leaked = [m for m in markers if m in seen]
    assert leaked == [], f"Acme data reached charlie's client: {leaked}"
    assert acme_fingerprint(live.db_url, str(cast.acme_id)) == before

    # Control: the same events from alice DO read Acme's data (the test can see a leak).
    control = RawClient(live.url, alice_cookie)
    try:
        control.send(TokensState, "load_tokens", {})
        control.send(MembersState, "load_members", {}, path="/settings/members")
        control.send(ProjectMembersState, "load", {}, path=project_members)
        _wait_quiet(control)
        seen = control.text()
        assert alice_token.prefix in seen and invited in seen and cast.bob in seen
    finally:
        control.close()


def test_it_drops_protected_events_from_signed_out_clients(live) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import tokens

    cast = seed_live_cast()
    invite_id, _invited = _acme_invite(cast)
    with session_scope() as s:
        alice = s.get(User, cast.alice_id)
        assert alice
        _raw, alice_token = tokens.create_token(s, user=alice, org_id=cast.acme_id, name="alice-ci", scopes=["read"])
    before = acme_fingerprint(live.db_url, str(cast.acme_id))
    client = RawClient(live.url, None)
    try:
        client.send(TokensState, "revoke_token", {"token_id": str(alice_token.id)})
        client.send(MembersState, "remove", {"user_id": str(cast.bob_id)})
        client.send(MembersState, "revoke_invite", {"invite_id": invite_id})
        client.send(ProjectMembersState, "remove", {"user_id": str(cast.bob_id)},
                    path=f"/projects/{cast.project_id}/members")
        client.send(AuditState, "load_audit", {}, path="/settings/audit")
        _wait_quiet(client)
        seen = client.text()
    finally:
        client.close()
    assert "/login" in seen  # the guard answered with a redirect to the sign-in page
    assert cast.alice not in seen and alice_token.prefix not in seen
    assert acme_fingerprint(live.db_url, str(cast.acme_id)) == before
