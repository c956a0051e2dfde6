"""`traceiq exec` exposes the engine's network rules: link-local/metadata denied by default
(--allow-link-local lifts it), --deny-private refuses private and loopback addresses."""

from __future__ import annotations

import json

from tests.exec.conftest import run_cli


def _write(tmp_path, url: str):
    test = tmp_path / "reach.yaml"
    test.write_text(f"version: 1\nname: reach\nsteps:\n  - action: goto\n    url: {url}\n")
    return test


def test_it_denies_metadata_by_default(tmp_path):
    report = tmp_path / "report.json"
    done = run_cli(str(_write(tmp_path, "http://169.254.169.254/latest/meta-data/")), "--report-json", str(report))
    assert done.returncode == 1, done.stdout + done.stderr
    error = json.loads(report.read_text())["tests"][0]["error"]
    assert error == ("step 1 (goto): navigation to http://169.254.169.254/latest/meta-data/ blocked: "
                     "169.254.169.254, a link-local/cloud metadata address (denied unless link-local access "
                     "is allowed)")


def test_it_denies_loopback_with_deny_private(tmp_path, site):
    test = _write(tmp_path, site + "index.html")
    assert run_cli(str(test)).returncode == 0  # loopback is allowed by default
    done = run_cli(str(test), "--deny-private")
    assert done.returncode == 1
    assert "blocked: 127.0.0.1, a private or loopback address" in done.stdout, done.stdout


def test_it_documents_the_flags():
    out = run_cli("--help").stdout
    assert "--deny-private" in out and "--allow-link-local" in out and "cloud-metadata" in out
