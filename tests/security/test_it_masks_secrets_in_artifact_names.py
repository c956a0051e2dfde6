"""Defect 4: a secret never ends up in a name built from user text: a screenshot labelled
`shot-${API_KEY}`, a test named after a secret value, in the engine and in `traceiq exec`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.exec.conftest import run_cli
from traceiq_app.engine.results import RunOptions

SECRET = "sk-live-4f9a77c1"


def _names(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*")]


def test_it_masks_secrets_in_screenshot_and_folder_names(run, tmp_path):
    options = RunOptions(artifacts_dir=tmp_path, secrets={"API_KEY": SECRET}, trace="off")
    result = run([{"action": "screenshot", "label": "shot-${API_KEY}"}], name=f"login {SECRET}", options=options)
    assert result.status == "passed", result.error
    names = _names(tmp_path)
    assert names and not any(SECRET in n for n in names), names
    shot = Path(result.artifacts["screenshots"][0])
    assert shot.name == "screenshot-shot-masked.png" and shot.is_file()
    assert shot.parent.name == "login_masked"


def test_it_masks_secrets_in_exec_artifact_names(tmp_path, site):
    test = tmp_path / "shot.yaml"
    test.write_text(f"version: 1\nname: shot\nsteps:\n  - action: goto\n    url: {site}index.html\n"
                    "  - action: screenshot\n    label: shot-${SECRET_API_KEY}\n")
    env = tmp_path / "secrets.env"
    env.write_text(f"SECRET_API_KEY={SECRET}\n")
    artifacts, report = tmp_path / "artifacts", tmp_path / "report.json"
    done = run_cli(str(test), "--env-file", str(env), "--artifacts", str(artifacts), "--report-json", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    names = _names(artifacts)
    assert names and not any(SECRET in n for n in names), names
    assert SECRET not in done.stdout + done.stderr + report.read_text()
    shots = json.loads(report.read_text())["tests"][0]["artifacts"]["screenshots"]
    assert [Path(p).name for p in shots] == ["screenshot-shot-masked.png"]
    assert all(Path(p).is_file() for p in shots)  # the report names the files that exist
