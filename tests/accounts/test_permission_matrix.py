"""The permission matrix (tests/accounts/permission_matrix.py) against the code:

1. every event handler of every State in traceiq_app and every /api route has an entry;
2. each protected handler, called directly as each persona, allows/denies as declared and a
   denied call neither reveals nor changes Acme's data;
3. each /api route, requested as each persona, allows/denies as declared.

The crafted-websocket half (raw events with another org's ids sent to the running app) is
tests/accounts/test_it_ignores_crafted_events_for_other_orgs.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accounts import matrix_support as ms
from tests.accounts.permission_matrix import (
    HANDLERS,
    PERSONAS,
    ROUTES,
    MatrixContext,
    fill_json,
    json_strings,
)
from tests.support.processes import RedisServer
from traceiq_app.services.platform import permissions
from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.settings import get_settings, reset_settings_cache

ORIGIN = "http://testserver"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> ms.Template:
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACEIQ_SECRET_KEY", ms.SECRET)
    reset_settings_cache()
    try:
        return ms.build_template(tmp_path_factory.mktemp("matrix-template"))
    finally:
        mp.undo()
        reset_settings_cache()


@pytest.fixture(scope="session")
def matrix_redis() -> Iterator[RedisServer]:
    """One private redis-server for the drivers that start/cancel runs (tests/runs/runs_matrix.py)."""
    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"tiq-matrix-redis-{os.getpid()}-{os.urandom(3).hex()}"
    server = RedisServer(directory).start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def matrix_db(template: ms.Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              matrix_redis: RedisServer) -> Iterator[tuple[str, MatrixContext]]:
    from argon2 import PasswordHasher

    from traceiq_app.db import get_engine
    from traceiq_app.services.accounts import passwords

    url = ms.copy_template(template, tmp_path / "data")
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACEIQ_SECRET_KEY", ms.SECRET)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    reset_settings_cache()
    assert get_settings().database_url_effective == url, "the settings do not read this case's database"
    ctx = ms.context(template)
    ctx.redis_url = matrix_redis.url
    yield url, ctx
    get_engine().dispose()
    reset_settings_cache()


def test_every_handler_and_route_has_an_entry() -> None:
    from traceiq_app.api.app import create_api

    missing_handlers = sorted(set(ms.app_handlers()) - set(HANDLERS))
    missing_routes = sorted(set(ms.api_routes(create_api())) - set(ROUTES))
    stale = sorted(set(HANDLERS) - set(ms.app_handlers())) + [
        f"{m} {p}" for m, p in sorted(set(ROUTES) - set(ms.api_routes(create_api())))]
    assert not missing_handlers and not missing_routes, (
        "no permission-matrix entry (add one to tests/accounts/permission_matrix.py, see docs/security.md):\n"
        + "\n".join([f"  handler {h}" for h in missing_handlers] + [f"  route {m} {p}" for m, p in missing_routes])
    )
    assert not stale, f"matrix entries for handlers/routes that no longer exist: {stale}"


class _DeniedSpy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.raised: list[PermissionDenied] = []
        original = PermissionDenied.__init__
        spy = self

        def recording_init(exc: PermissionDenied, *args: Any, **kwargs: Any) -> None:
            original(exc, *args, **kwargs)
            if not permissions.probing.get():  # `can()` asking is not a refusal
                spy.raised.append(exc)

        monkeypatch.setattr(PermissionDenied, "__init__", recording_init)


def _call_outside_any_event_loop(call: Any, state: Any, ctx: MatrixContext) -> Any:
    """Run the driver in a thread of its own: no event loop is running there (a session-wide
    Playwright may run one in the main thread), so drivers may use asyncio.run() and
    coroutine results (async handlers) are awaited here."""
    import asyncio
    import inspect
    from concurrent.futures import ThreadPoolExecutor

    def run() -> Any:
        result = call(state, ctx)
        if inspect.iscoroutine(result):
            return asyncio.run(result)
        if inspect.isgenerator(result):  # a handler that yields deltas (e.g. charts before tables)
            return list(result)
        if inspect.isasyncgen(result):
            async def drain() -> None:
                async for _ in result:
                    pass

            return asyncio.run(drain())
        return result

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


HANDLER_CASES = [(key, persona) for key in sorted(HANDLERS) for persona in PERSONAS
                 if HANDLERS[key].call is not None]


@pytest.mark.parametrize(("key", "persona"), HANDLER_CASES, ids=[f"{k}-{p}" for k, p in HANDLER_CASES])
def test_handler_allows_and_denies_as_declared(key: str, persona: str, matrix_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, ctx = matrix_db
    handlers = ms.app_handlers()
    if key not in handlers:
        pytest.fail(f"{key} is in the matrix but no longer exists")
    cls, _name = handlers[key]
    entry = HANDLERS[key]
    cookie = ms.session_cookie(ctx.user_ids[persona]) if persona != "anonymous" else None
    state = ms.state_for(cls, cookie)
    ctx.alice_token_id()  # fixtures the call needs exist before the "before" fingerprint
    if entry.prepare is not None:
        entry.prepare(ctx)
    before = ms.acme_fingerprint(url, str(ctx.acme_id))
    spy = _DeniedSpy(monkeypatch)
    assert entry.call is not None
    _call_outside_any_event_loop(entry.call, state, ctx)
    monkeypatch.undo()
    after = ms.acme_fingerprint(url, str(ctx.acme_id))

    if entry.public:
        assert not ms.leaked_markers(state, persona) or persona in ("owner", "admin", "editor", "viewer"), \
            f"{key} put Acme data into a non-member's state"
        assert before == after, f"public handler {key} changed Acme's data as {persona}"
        return
    if persona in entry.allow:
        assert not spy.raised, f"{key} should be allowed for {persona} but raised: {spy.raised[0].message}"
        return
    if persona == "anonymous":
        assert spy.raised and spy.raised[0].status == 401, f"{key} ran for an anonymous client"
    elif persona != "other_org":
        assert spy.raised, f"{key} should be denied for {persona} but raised no PermissionDenied"
    assert before == after, f"{key} changed Acme's data as {persona}"
    assert not ms.leaked_markers(state, persona), f"{key} put Acme data into {persona}'s state"


ROUTE_CASES = [(method, path, persona) for (method, path), entry in sorted(ROUTES.items()) if not entry.public
               for persona in PERSONAS]


@pytest.mark.parametrize(("method", "path", "persona"), ROUTE_CASES,
                         ids=[f"{m}-{p}-{who}" for m, p, who in ROUTE_CASES])
def test_route_allows_and_denies_as_declared(method: str, path: str, persona: str, matrix_db) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    url, ctx = matrix_db
    entry = ROUTES[(method, path)]
    if entry.skip_drive:
        pytest.skip(entry.skip_drive)
    values = ctx.path_values(" ".join([path, *entry.query.values(), *json_strings(entry.json)]))
    concrete = path.format(**values)
    query = {k: v.format(**values) for k, v in entry.query.items()}
    body = fill_json(entry.json, values)
    cookie = ms.session_cookie(ctx.user_ids[persona]) if persona != "anonymous" else None
    before = ms.acme_fingerprint(url, str(ctx.acme_id))
    with entry.around(ctx, values) if entry.around else contextlib.nullcontext(lambda _response: None) as check:
        with TestClient(create_api(), base_url=ORIGIN) as client:
            if cookie:
                client.cookies.set("tiq_session", cookie)
            response = client.request(method, concrete, params=query, json=body, files=entry.files,
                                      headers={"Origin": ORIGIN},
                                      follow_redirects=False)  # a redirect is the route's own answer
        check(response)
    after = ms.acme_fingerprint(url, str(ctx.acme_id))
    if persona in entry.allow:
        assert response.status_code < 400, f"{method} {path} as {persona}: {response.status_code} {response.text}"
        return
    expected = {401} if persona == "anonymous" else {403, 404}
    assert response.status_code in expected, f"{method} {path} as {persona}: {response.status_code} {response.text}"
    assert before == after, f"{method} {path} changed Acme's data as {persona}"
    for marker in ("alice@acme.test", "Web shop"):
        assert marker not in response.text
