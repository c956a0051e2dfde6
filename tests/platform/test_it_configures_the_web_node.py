"""The web node's process count (TRACEIQ_WEB_PROCESSES, only with a shared REDIS_URL) and listen
address (TRACEIQ_WEB_BIND) reach Reflex's server through rxconfig.py; bad values are refused
with the setting's name and the problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.support.processes import base_env
from traceiq_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import json, os, rxconfig\n"
         "print(json.dumps({'workers': os.environ.get('GRANIAN_WORKERS'), 'host': rxconfig.config.backend_host}))\n")


def _reflex_config(tmp_path: Path, **settings: str) -> dict[str, str | None]:
    env = base_env(TRACEIQ_DATA_DIR=str(tmp_path / "data"), **settings)
    env.pop("GRANIAN_WORKERS", None)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_it_passes_the_process_count_and_bind_address_to_the_web_server(tmp_path: Path) -> None:
    shared = {"REDIS_URL": "redis://127.0.0.1:1/0"}
    assert _reflex_config(tmp_path, **shared, TRACEIQ_WEB_PROCESSES="3", TRACEIQ_WEB_BIND="127.0.0.1") == {
        "workers": "3", "host": "127.0.0.1"}
    # Unset: Reflex's own default count (it asks Redis), and every interface.
    assert _reflex_config(tmp_path, **shared) == {"workers": None, "host": "0.0.0.0"}
    # Without a shared Redis the tabs' state lives in one process's memory: always one process.
    assert _reflex_config(tmp_path, TRACEIQ_WEB_PROCESSES="4", TRACEIQ_WEB_BIND="[::]") == {
        "workers": "1", "host": "::"}


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("TRACEIQ_WEB_PROCESSES", "0", "greater than or equal to 1"),
    ("TRACEIQ_WEB_PROCESSES", "many", "valid integer"),
    ("TRACEIQ_WEB_PROCESSES", "65", "less than or equal to 64"),
    ("TRACEIQ_WEB_BIND", "my host", "is not an IP address or host name"),
    ("TRACEIQ_WEB_BIND", "http://0.0.0.0", "is not an IP address or host name"),
])
def test_it_refuses_bad_web_settings(name: str, value: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(**{name: value})
    assert name in str(caught.value) and problem in str(caught.value)
