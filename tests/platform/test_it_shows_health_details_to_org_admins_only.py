"""/api/health details (hosts, drivers, errors) go to signed-in organization owners/admins and
the health token; members and anonymous callers get the overall status only."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import *  # noqa: F403 - the account tests' fixtures (database, Redis, personas)
from tests.accounts.conftest import (
    _cheap_argon2,  # noqa: F401 - autouse: cheap password hashing
    login,
    set_password,
)


@pytest.mark.parametrize(("email", "sees_details"), [("alice@acme.test", True), ("bob@acme.test", False)],
                         ids=["owner", "member"])
def test_it_shows_details_by_org_role(api, personas, email: str, sees_details: bool) -> None:  # type: ignore[no-untyped-def]
    assert set(api.get("/api/health").json()) == {"status"}
    set_password(email)
    assert login(api, email).status_code == 200
    body = api.get("/api/health").json()
    assert ("components" in body) is sees_details, body
    if sees_details:
        assert set(body["components"]) == {"database", "redis", "workers", "storage"}
