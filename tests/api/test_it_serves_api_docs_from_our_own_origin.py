"""/api/docs is Swagger UI served from our own origin (no CDN: offline installs), reading
/api/v1/openapi.json, which documents every /api/v1 route with a summary, typed bodies and its
error responses (the error envelope)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_and_openapi() -> None:
    from traceiq_app.api.app import create_api

    client = TestClient(create_api())
    page = client.get("/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "cdn" not in page.text.lower()
    assert "https:" not in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000
    assert client.get("/api/docs/assets/..%2F..%2F__init__.py").status_code == 404

    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "TraceIQ API" and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 25 and all(p.startswith("/api/v1/") for _m, p, _op in operations)
    for method, path, op in operations:
        assert op.get("summary"), f"{method} {path} has no summary"
        for status in ("401", "404", "422", "429"):
            ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorEnvelope"), (method, path, status)
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert ok, f"{method} {path} documents no success response"
        if method in ("post", "put", "patch") and "requestBody" in op:
            assert op["requestBody"]["content"], (method, path)
