"""`traceiq run --server ...` against a real HTTP server (the API app under uvicorn in this
process, no workers): without --wait it prints the run and its URL (exit 0); --timeout reached
means exit 3 and the run is cancelled; a bad token, unknown names and an unreachable server are
exit 2 with readable lines and no traceback; `traceiq import` refuses missing paths."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_test_case
from tests.support.processes import base_env, free_port

TRACEIQ = str(Path(sys.executable).parent / "traceiq")


@pytest.fixture
def server(api) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    from traceiq_app.api.app import create_api

    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_api(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRACEIQ, *args], env=base_env(**env), capture_output=True, text=True, timeout=120)


def test_exit_codes(api, server):  # type: ignore[no-untyped-def]
    with api.session() as s:
        make_test_case(s, api.p.project, "home", tags=["smoke"])
        s.commit()
    token = api.token("alice")["Authorization"].split(" ", 1)[1]

    started = _cli("run", "--project", "web-shop", TRACEIQ_SERVER=server, TRACEIQ_TOKEN=token)
    assert started.returncode == 0, started.stderr
    assert f"{'started: '}" in started.stderr and "/runs/" in started.stderr

    waited = _cli("run", "--server", server, "--token", token, "--project", "web-shop", "--tag", "smoke",
                  "--wait", "--timeout", "3")
    assert waited.returncode == 3, waited.stdout + waited.stderr
    assert "did not finish within 3 s" in waited.stderr
    run_id = waited.stderr.split("run ", 1)[1].split(" ", 1)[0]
    report = api.client.get(f"/api/v1/runs/{run_id}", headers=api.token("alice")).json()
    assert report["status"] == "cancelled"

    bad_token = _cli("run", "--server", server, "--token", "tiq_00000000_wrong", "--project", "web-shop", "--wait")
    assert bad_token.returncode == 2
    assert bad_token.stderr.strip().splitlines() == [
        "error: the server refused the token (invalid, expired or revoked); check --token / TRACEIQ_TOKEN"]

    unknown = _cli("run", "--server", server, "--token", token, "--project", "web-shop", "--suite", "Nope",
                   "--env", "nowhere")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "suite: no suite 'Nope' in this project" in unknown.stderr and "environment:" in unknown.stderr
    assert _cli("run", "--server", server, "--token", token, "--project", "no-such-project").returncode == 2

    unreachable = _cli("run", "--server", f"http://127.0.0.1:{free_port()}", "--token", token, "--project", "x")
    assert unreachable.returncode == 2 and "cannot reach" in unreachable.stderr and "Traceback" not in unreachable.stderr
    missing = _cli("import", "--server", server, "--token", token, "--project", "web-shop", "/no/such/dir")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    usage = _cli("run", "--server", server, "--token", token)  # --project is required
    assert usage.returncode == 2 and "--project" in usage.stderr
