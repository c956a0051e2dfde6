"""Every metric TraceIQ exports is in docs/operations.md, and the Grafana dashboard only queries
metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "traceiq_app" / "services" / "observability" / "metrics.py").read_text()
EXPORTED = set(re.findall(r'"(traceiq_[a-z_]+)"', SOURCE))
DOCUMENTED = set(re.findall(r"^\| `(traceiq_[a-z_]+)` \|", (ROOT / "docs" / "operations.md").read_text(), re.M))


def test_it_documents_every_metric() -> None:
    assert len(EXPORTED) >= 10
    assert EXPORTED == DOCUMENTED


def test_it_ships_a_grafana_dashboard_of_existing_metrics() -> None:
    dashboard = json.loads((ROOT / "docs" / "grafana" / "traceiq.json").read_text())
    queried = {name for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"traceiq_[a-z_]+", target["expr"])}
    base = {re.sub(r"_(bucket|count|sum)$", "", name) for name in queried}
    assert base and base <= EXPORTED, base - EXPORTED
