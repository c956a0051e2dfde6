"""End to end, as a CI job would: the app started as `make run` does (tests/support/app_server.py)
with a real worker; `traceiq admin` creates a user and a token; `traceiq import` uploads Chrome
Recorder flows; `traceiq run --wait --junit` runs them over HTTP and exits 0 when all passed,
1 when one failed, 2 for a bad token, with a JUnit file valid against junit-10.xsd."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import xmlschema

from tests.support.processes import base_env, serve_directory

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.slow, pytest.mark.timeout(900)]  # the first app test pays the build

TESTS = Path(__file__).resolve().parents[1]
TRACEIQ = str(Path(sys.executable).parent / "traceiq")
XSD = TESTS / "exec" / "junit-10.xsd"


def _cli(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRACEIQ, *args], env=env, capture_output=True, text=True, timeout=timeout)


def _flow(name: str, site: str, folder: Path) -> Path:
    text = (TESTS / "fixture_recorder" / name).read_text().replace("http://localhost:8000", site)
    target = folder / name
    target.write_text(text)
    return target


def test_it_imports_and_runs_recorder_flows_from_ci(app_server, worker, tmp_path):  # type: ignore[no-untyped-def]
    admin_env = base_env(TRACEIQ_DATA_DIR=str(app_server.data_dir), REDIS_URL=app_server.redis.url)
    email = f"ci-{uuid.uuid4().hex[:8]}@ci.test"
    org = f"CI {uuid.uuid4().hex[:6]}"
    made = _cli(admin_env, "admin", "create-user", "--email", email, "--password", "a long ci password", "--org", org)
    assert made.returncode == 0, made.stderr
    tok = _cli(admin_env, "admin", "create-token", "--email", email, "--name", "ci", "--scope", "write",
               "--scope", "run")
    assert tok.returncode == 0, tok.stderr
    token = tok.stdout.strip()
    server = app_server.url
    created = httpx.post(f"{server}/api/v1/projects", json={"name": f"Shop {org}"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert created.status_code == 201, created.text
    project = created.json()["slug"]

    # A CI job's environment: TRACEIQ_SERVER/TRACEIQ_TOKEN and GitLab's variables, no TTY.
    env = base_env(TRACEIQ_SERVER=server, TRACEIQ_TOKEN=token, GITLAB_CI="true", CI="true",
                   CI_COMMIT_REF_NAME="feature/login", CI_COMMIT_SHA="0123abcd",
                   CI_JOB_URL="https://gitlab.test/shop/-/jobs/7", CI_MERGE_REQUEST_IID="12")
    with serve_directory(TESTS / "exec" / "site") as site:
        good, bad = tmp_path / "good", tmp_path / "bad"
        good.mkdir(), bad.mkdir()
        _flow("forms_and_navigation.json", site, good)
        _flow("fails_missing_element.json", site, bad)
        _flow("unsupported_custom_step.json", site, tmp_path)

        rejected = _cli(env, "import", "--project", project, str(tmp_path / "unsupported_custom_step.json"))
        assert rejected.returncode == 2 and "steps[2]" in rejected.stderr, rejected.stderr

        imported = _cli(env, "import", "--project", project, "--suite", "Good", str(good))
        assert imported.returncode == 0, imported.stderr
        assert "imported forms_and_navigation.json" in imported.stdout
        assert _cli(env, "import", "--project", project, "--suite", "Bad", str(bad)).returncode == 0

        junit = tmp_path / "reports" / "junit.xml"
        passed = _cli(env, "run", "--project", project, "--suite", "Good", "--wait", "--junit", str(junit))
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "passed - 1 passed, 0 failed" in passed.stdout and f"{server}/runs/" in passed.stdout
        assert "passed" in passed.stderr  # plain progress lines in CI
        xmlschema.XMLSchema(str(XSD)).validate(str(junit))
        assert 'tests="1"' in junit.read_text() and 'failures="0"' in junit.read_text()

        failed_junit = tmp_path / "reports" / "failed.xml"
        failed = _cli(env, "run", "--server", server, "--token", token, "--project", project, "--suite", "Bad",
                      "--wait", "--junit", str(failed_junit))
        assert failed.returncode == 1, failed.stdout + failed.stderr
        xmlschema.XMLSchema(str(XSD)).validate(str(failed_junit))
        assert 'failures="1"' in failed_junit.read_text()

    run_id = failed.stdout.split("run ", 1)[1].split(":", 1)[0]
    report = httpx.get(f"{server}/api/v1/runs/{run_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    assert report["metadata"] == {"branch": "feature/login", "commit": "0123abcd",
                                  "ci_url": "https://gitlab.test/shop/-/jobs/7", "pr": "12"}
    shot = [a for t in report["tests"] for at in t["attempts"] for a in at["artifacts"]]
    assert shot and httpx.get(server + shot[0]["url"], headers={"Authorization": f"Bearer {token}"},
                              timeout=30).status_code == 200  # artifact URLs work with the same token

    wrong = _cli({**env, "TRACEIQ_TOKEN": "tiq_deadbeef_not-a-real-token"}, "run", "--project", project, "--wait")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().count("\n") == 0 and "token" in wrong.stderr and "Traceback" not in wrong.stderr
    assert _cli(env, "run", "--project", project, "--suite", "No such suite").returncode == 2

