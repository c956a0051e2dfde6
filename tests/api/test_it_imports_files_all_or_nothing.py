"""POST /api/v1/projects/{project}/import: Recorder JSON, native YAML and codegen .py in one
multipart request; per-file results; any bad file (with its step/line) means nothing is saved."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import assert_error

RECORDER = Path(__file__).resolve().parents[1] / "fixture_recorder"
NATIVE = b"version: 1\nname: Native one\nsteps:\n  - action: goto\n    url: https://shop.test/\n"
CODEGEN = b"""from playwright.sync_api import Page, expect


def test_example(page: Page) -> None:
    page.goto("https://shop.test/")
    page.get_by_role("link", name="Cart").click()
"""


def _count(api):
    return len(api.client.get("/api/v1/projects/web-shop/tests", headers=api.token("alice")).json()["items"])


def test_imports_every_format_or_nothing(api):
    alice = api.token("alice")
    files = [("files", ("flow.json", (RECORDER / "forms_and_navigation.json").read_bytes(), "application/json")),
             ("files", ("native.yaml", NATIVE, "application/yaml")),
             ("files", ("test_cart.py", CODEGEN, "text/x-python"))]
    ok = api.client.post("/api/v1/projects/web-shop/import", files=files, data={"suite": "Imported"}, headers=alice)
    assert ok.status_code == 201, ok.text
    results = ok.json()["files"]
    assert [r["status"] for r in results] == ["created"] * 3
    assert [r["format"] for r in results] == ["chrome_recorder", "native", "playwright_codegen"]
    assert _count(api) == 3
    suites = api.client.get("/api/v1/projects/web-shop/suites", headers=alice).json()["items"]
    assert [s["name"] for s in suites] == ["Imported"]

    bad = [("files", ("good.yaml", NATIVE, "application/yaml")),
           ("files", ("custom.json", (RECORDER / "unsupported_custom_step.json").read_bytes(), "application/json")),
           ("files", ("broken.json", b'{"title": "x",\n "steps": [}', "application/json"))]
    err = assert_error(api.client.post("/api/v1/projects/web-shop/import", files=bad, headers=alice), 422,
                       "import_rejected")
    by_file = {d["file"]: d for d in err["details"]}
    assert by_file["good.yaml"]["status"] == "not_saved"
    assert by_file["custom.json"]["status"] == "failed" and "steps[" in " ".join(by_file["custom.json"]["problems"])
    assert by_file["broken.json"]["problems"][0].startswith("line 2")
    assert _count(api) == 3  # nothing of the rejected request was saved

    assert_error(api.client.post("/api/v1/projects/web-shop/import", files=files[:1],
                                 headers=api.token("bob", scopes=("read",))), 403)
    assert_error(api.client.post("/api/v1/projects/web-shop/import", files=files[:1], headers=api.token("charlie")), 404)
    assert_error(api.client.post("/api/v1/projects/web-shop/import", headers=alice), 422)
