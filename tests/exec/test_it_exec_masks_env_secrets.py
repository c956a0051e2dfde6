"""`--env-file` gives variables; SECRET_* and TRACEIQ_SECRETS-listed values never appear in
the console, the JSON report or the JUnit file."""

from __future__ import annotations

import json

import pytest

from tests.exec.conftest import DATA, run_cli

pytestmark = pytest.mark.browser
SECRETS = ("hunter22-very-secret", "tok-1234567890")


def test_it_substitutes_variables_and_masks_secrets(site_url: str, tmp_path) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    proc = run_cli(str(DATA / "native_secret.yaml"), "--env-file", str(DATA / "secrets.env"),
                   "--base-url", site_url, "--report-json", str(report), "--junit", str(junit))
    # The assertion fails on purpose: its message shows the field's value, secrets included.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    entry = json.loads(report.read_text())["tests"][0]
    assert entry["failed_step"] == 2
    assert "ada:•••:•••" in entry["error"]  # the plain variable is shown, secrets are masked
    for text in (proc.stdout, proc.stderr, report.read_text(), junit.read_text()):
        for secret in SECRETS:
            assert secret not in text


def test_it_rejects_a_bad_env_file(tmp_path) -> None:
    env = tmp_path / "bad.env"
    env.write_text("GOOD=1\nNOVALUE\nTRACEIQ_SECRETS=GOOD,MISSING\n")
    proc = run_cli(str(DATA / "native_pass.yaml"), "--env-file", str(env))
    assert proc.returncode == 2
    assert "NOVALUE has no value" in proc.stderr
    assert "TRACEIQ_SECRETS lists MISSING" in proc.stderr
