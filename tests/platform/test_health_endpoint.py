"""GET /api/health over real HTTP: database, Redis, workers and storage, 200 or 503; the
component details only with the health token (or for org owners/admins), the overall status
for anyone; GET /api/health/live answers while the web process serves, whatever else is down."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import RedisServer, base_env, free_port, wait_until

pytestmark = pytest.mark.slow

HEALTH_TOKEN = "health-token-for-monitoring-0123456789"


class ApiServer:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "traceiq_app.api.app:create_api", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        wait_until(self._up, 60, what="the API server")  # generous: a loaded shared machine starts it slowly

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _up(self) -> bool:
        if self.process.poll() is not None:
            out = self.process.stdout.read().decode() if self.process.stdout else ""
            raise RuntimeError(f"API server exited:\n{out}")
        try:
            httpx.get(self.url + "/api/v1/openapi.json", timeout=0.5)
            return True
        except httpx.HTTPError:
            return False

    def health(self, token: str | None = HEALTH_TOKEN) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.url + "/api/health", headers=headers, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        print(out.decode(errors="replace"))  # shown by pytest when the test failed


@pytest.fixture
def env(tmp_path: Path, redis_server: RedisServer) -> dict[str, str]:
    return base_env(TRACEIQ_DATA_DIR=str(tmp_path / "data"), REDIS_URL=redis_server.url,
                    TRACEIQ_HEALTH_TOKEN=HEALTH_TOKEN)


@pytest.fixture
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-m", "traceiq_app.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield proc
    proc.terminate()
    proc.wait(15)


def _serve(env: dict[str, str]) -> Iterator[ApiServer]:
    server = ApiServer(env)
    yield server
    server.stop()


@pytest.fixture
def api(env: dict[str, str]) -> Iterator[ApiServer]:
    yield from _serve(env)


def test_it_answers_200_when_every_component_is_up(api: ApiServer, worker) -> None:
    response = wait_until(lambda: (r := api.health()).status_code == 200 and r, 20, what="a healthy report")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "redis", "workers", "storage"}
    assert all(c["ok"] for c in body["components"].values())
    assert body["components"]["workers"]["detail"] == "1 alive"


def test_it_answers_503_naming_redis_when_redis_is_stopped(api: ApiServer, worker, redis_server: RedisServer) -> None:
    wait_until(lambda: api.health().status_code == 200, 20, what="a healthy report first")
    redis_server.stop()
    response = api.health()
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["redis"]["ok"] is False
    assert components["database"]["ok"] is True
    assert response.json()["status"] == "degraded"


def test_it_answers_503_when_no_worker_is_alive(api: ApiServer) -> None:
    response = api.health()
    assert response.status_code == 503
    assert response.json()["components"]["workers"]["detail"].endswith("no worker heartbeat in the last 10 s")


def test_it_answers_503_when_the_database_is_unreachable(env: dict[str, str], worker) -> None:
    env = {**env, "DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"}
    for server in _serve(env):
        components = server.health().json()["components"]
        assert components["database"]["ok"] is False
        assert server.health().status_code == 503


def test_it_answers_503_when_artifact_storage_is_not_writable(env: dict[str, str], tmp_path: Path, worker) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the artifact folder should be")
    env = {**env, "TRACEIQ_DATA_DIR": str(blocker)}
    for server in _serve(env):
        response = server.health()
        assert response.status_code == 503
        assert response.json()["components"]["storage"]["ok"] is False


def test_it_shows_anonymous_callers_only_the_overall_status(api: ApiServer, worker) -> None:
    wait_until(lambda: api.health().status_code == 200, 20, what="a healthy report first")
    for token in (None, "wrong-token"):
        response = api.health(token=token)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def test_it_answers_liveness_while_redis_and_workers_are_down(api: ApiServer, redis_server: RedisServer) -> None:
    redis_server.stop()
    assert api.health().status_code == 503
    live = httpx.get(api.url + "/api/health/live", timeout=30)
    assert live.status_code == 200 and live.json() == {"status": "ok"}
