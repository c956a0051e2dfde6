"""JSON Schema of the native test format, generated from the pydantic model.

Regenerate after changing model.py:  python -m traceiq_app.engine.schema
(tests/engine/test_engine_loader.py fails while the committed file is stale).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from traceiq_app.engine.model import TestDefinition

SCHEMA_PATH = Path(__file__).with_name("test-format.schema.json")
SCHEMA_ID = "https://traceiq.dev/schemas/test-format-v1.json"


def build_schema() -> dict[str, Any]:
    schema = TestDefinition.model_json_schema()
    # The loader insists on `version` (it tells native files from Recorder exports).
    schema["required"] = ["version", *schema.get("required", [])]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "TraceIQ test",
    }


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_schema())
