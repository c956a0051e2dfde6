"""Helpers of the results-upload tests: API tokens for the personas, and uploads through the real
FastAPI app (TestClient: the same ASGI app the server runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session

from traceiq_app.db import get_engine

HERE = Path(__file__).resolve().parent
DATA = HERE / "results_data"


def token_for(personas: Any, who: str = "bob", scopes: tuple[str, ...] = ("run",)) -> str:
    from traceiq_app.services.accounts.tokens import create_token

    user = getattr(personas, who)
    org = personas.globex if who == "charlie" else personas.acme
    with Session(get_engine(), expire_on_commit=False) as s:
        plain, _row = create_token(s, user=s.merge(user), org_id=org.id, name=f"ci-{who}", scopes=list(scopes))
        s.commit()
    return plain


def upload(project: str, report: tuple[str, bytes], *, token: str | None,
           attachments: list[tuple[str, bytes]] = (), data: dict[str, str] | None = None,  # type: ignore[assignment]
           cookie: str | None = None) -> Any:
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    files = [("file", (report[0], report[1], "application/octet-stream"))]
    files += [("attachments", (name, body, "application/octet-stream")) for name, body in attachments]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cookie:
        headers["Origin"] = "http://testserver"
    with TestClient(create_api()) as client:
        if cookie:
            client.cookies.set("tiq_session", cookie)
        return client.post(f"/api/v1/projects/{project}/results", files=files, data=data or {}, headers=headers)


def run_count() -> int:
    from sqlmodel import func, select

    from traceiq_app.models import Run

    with Session(get_engine()) as s:
        return int(s.exec(select(func.count()).select_from(Run)).one())


def session_cookie(user: Any) -> str:
    from traceiq_app.models import User
    from traceiq_app.services.accounts import web_sessions

    with Session(get_engine(), expire_on_commit=False) as s:
        row = s.get(User, user.id)
        assert row is not None
        cookie = web_sessions.create_session(s, row, ip="127.0.0.1")
        s.commit()
    return cookie
