"""A worker machine started without the web node's TRACEIQ_SECRET_KEY would generate a key of its
own and fail every test that uses an environment secret; it refuses to start instead, with a
message that says what to set. With the right key (or no secrets stored) it starts."""

from __future__ import annotations

import subprocess

from traceiq_app.models import Environment
from traceiq_app.services.platform.secrets_crypto import encrypt_secrets


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from tests.runs.conftest import TRACEIQ

    return subprocess.run([TRACEIQ, "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120)


def test_it_refuses_a_worker_whose_key_cannot_open_stored_secrets(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    project = stack.project(site_url)
    web_key = "k" * 48
    with stack.session() as s:
        env = s.get(Environment, stack.environment(project).id)
        env.secrets_encrypted = encrypt_secrets({"API_KEY": "v"}, secret_key=web_key)
        env.secret_names = ["API_KEY"]
        s.add(env)
        s.commit()

    without = _worker({k: v for k, v in stack.env.items() if k != "TRACEIQ_SECRET_KEY"})
    assert without.returncode == 2, without.stdout + without.stderr
    assert "TRACEIQ_SECRET_KEY" in without.stderr and "cannot decrypt" in without.stderr
    assert "Traceback" not in without.stderr

    right = _worker({**stack.env, "TRACEIQ_SECRET_KEY": web_key})
    assert right.returncode == 0, right.stderr[-2000:]
