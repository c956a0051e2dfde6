"""The filtered defects list as CSV and Excel over /api/v1: the same rows, custom fields as
columns, formulas neutralised, the filters applied."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from fastapi.testclient import TestClient

from tests.accounts.matrix_support import session_cookie
from tests.factories import Personas
from traceiq_app.services.defects import custom_fields, defects

ORIGIN = "http://testserver"


def _xlsx_cells(data: bytes) -> list[str]:
    """The strings of the first sheet, in order (xlsxwriter writes shared strings)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    out = []
    for kind, value in re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="(\w+)")?><v>([^<]*)</v></c>', sheet):
        out.append(shared[int(value)] if kind == "s" else value)
    return out


def test_it_exports_csv_and_excel(personas: Personas) -> None:
    from traceiq_app.api.app import create_api

    p = personas
    custom_fields.create_field(p.project.id, "defect", "Customer", "select", "Acme, Globex")
    defects.create(p.project.id, p.alice.id, {"title": "=HYPERLINK(\"http://evil\")", "severity": "blocker",
                                              "custom": {"customer": "Acme"}, "assignee_id": str(p.bob.id)})
    defects.create(p.project.id, p.alice.id, {"title": "Typo on the About page", "severity": "trivial"})
    with TestClient(create_api(), base_url=ORIGIN) as client:
        client.cookies.set("tiq_session", session_cookie(p.bob.id))
        response = client.get(f"/api/v1/projects/{p.project.id}/defects.csv")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][:7] == ["Key", "Title", "Status", "Severity", "Priority", "Assignee", "Reporter"]
        assert rows[0][-1] == "Customer"
        by_key = {r[0]: r for r in rows[1:]}
        assert by_key["DEF-1"][1] == "'=HYPERLINK(\"http://evil\")"
        assert by_key["DEF-1"][2:6] == ["ASSIGNED", "blocker", "medium", "Bob"] and by_key["DEF-1"][-1] == "Acme"
        assert by_key["DEF-2"][2] == "NEW" and by_key["DEF-2"][-1] == ""

        filtered = client.get(f"/api/v1/projects/{p.project.id}/defects.csv", params={"severity": "trivial"})
        assert [r[0] for r in csv.reader(io.StringIO(filtered.text))][1:] == ["DEF-2"]

        xlsx = client.get(f"/api/v1/projects/{p.project.id}/defects.xlsx", params={"cf_customer": "acme"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        cells = _xlsx_cells(xlsx.content)
        assert cells[:3] == ["Key", "Title", "Status"] and "Customer" in cells
        assert "DEF-1" in cells and "DEF-2" not in cells and "Acme" in cells and "Bob" in cells
