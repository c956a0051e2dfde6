"""`traceiq exec --heal-store FILE [--heal]`: the first run records fingerprints, a second run
on the changed pages heals (still "passed", `healed_steps` in the report, a JUnit note); an
element that is really gone still fails at its step; bad option combinations exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.healing_site import Mutation, render
from tests.exec.conftest import run_cli
from tests.support.processes import serve_directory

pytestmark = pytest.mark.browser

CHANGED = Mutation("release-2", "save", "#save", True, {"save": {"id": "place-order", "cls": "button primary"},
                                                        "cancel": None})


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("versions")
    (root / "v1").mkdir()
    (root / "v2").mkdir()
    (root / "v1" / "checkout.html").write_text(render(), encoding="utf-8")
    (root / "v2" / "checkout.html").write_text(render(CHANGED), encoding="utf-8")
    with serve_directory(root) as url:
        yield url


def _tests(folder: Path) -> list[str]:
    folder.mkdir(exist_ok=True)
    order = folder / "order.yaml"
    order.write_text("""version: 1
name: place order
step_timeout_ms: 1500
steps:
  - {action: goto, url: checkout.html}
  - {action: click, target: {css: "#save"}}
  - {action: assert_text, target: {css: "#status"}, expected: save}
""", encoding="utf-8")
    cancel = folder / "cancel.yaml"
    cancel.write_text("""version: 1
name: cancel order
step_timeout_ms: 1500
steps:
  - {action: goto, url: checkout.html}
  - {action: click, target: {css: "#cancel"}}
""", encoding="utf-8")
    return [str(order), str(cancel)]


def test_it_records_then_heals_through_the_report(two_versions: str, tmp_path: Path) -> None:
    tests = _tests(tmp_path / "tests")
    store = tmp_path / "state" / "heal.json"
    first = run_cli(*tests, "--base-url", two_versions + "/v1/", "--heal-store", str(store),
                    "--report-json", str(tmp_path / "r1.json"), cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    saved = json.loads(store.read_text())
    assert saved["version"] == 1
    assert saved["tests"]["tests/order.yaml"]["1"]["locator"] == 'css="#save"'
    assert saved["tests"]["tests/order.yaml"]["1"]["tag"] == "button"

    second = run_cli(*tests, "--base-url", two_versions + "/v2/", "--heal-store", str(store), "--heal",
                     "--report-json", str(tmp_path / "r2.json"), "--junit", str(tmp_path / "j.xml"), cwd=tmp_path)
    assert second.returncode == 1, second.stdout + second.stderr  # the cancel button is really gone
    report = json.loads((tmp_path / "r2.json").read_text())
    order, cancel = report["tests"]
    assert order["status"] == "passed" and cancel["status"] == "failed"
    [healed] = order["healed_steps"]
    assert healed["index"] == 1 and healed["from"] == 'css="#save"'
    assert healed["to"] == 'role="button"[name="Place order"]'
    assert 0.62 <= healed["score"] <= 1.0
    assert cancel["healed_steps"] == [] and cancel["failed_step"] == 1
    assert "healing refused" in cancel["error"]
    assert "PASS (healed 1) order" in second.stdout
    import xml.etree.ElementTree as ET

    case = ET.parse(tmp_path / "j.xml").getroot().find(".//testcase[@name='order']")
    assert case is not None and case.find("failure") is None
    note = case.findtext("system-out") or ""
    assert "passed (healed)" in note and 'css="#save" -> role="button"[name="Place order"]' in note


def test_it_keeps_passing_runs_cheap_and_the_store_stable(two_versions: str, tmp_path: Path) -> None:
    tests = _tests(tmp_path / "tests")[:1]
    store = tmp_path / "heal.json"
    assert run_cli(*tests, "--base-url", two_versions + "/v1/", "--heal-store", str(store), cwd=tmp_path).returncode == 0
    before = store.stat().st_mtime_ns
    again = run_cli(*tests, "--base-url", two_versions + "/v1/", "--heal-store", str(store), cwd=tmp_path)
    assert again.returncode == 0
    assert store.stat().st_mtime_ns == before  # nothing new recorded: the file is not rewritten


@pytest.mark.parametrize(("args", "message"), [
    (["--heal"], "--heal needs --heal-store FILE"),
    (["--heal-store", "{bad}"], "not a heal store"),
    (["--heal-store", "{garbage}"], "cannot read it as JSON"),
])
def test_it_refuses_bad_heal_options(tmp_path: Path, args: list[str], message: str) -> None:
    tests = _tests(tmp_path / "tests")[:1]
    (tmp_path / "bad.json").write_text('{"tests": []}')
    (tmp_path / "garbage.json").write_text("{not json")
    args = [a.replace("{bad}", str(tmp_path / "bad.json")).replace("{garbage}", str(tmp_path / "garbage.json"))
            for a in args]
    proc = run_cli(*tests, *args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
