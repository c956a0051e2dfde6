"""Parse a Server-Sent Events body (the whole stream, as text) into events and comments."""

from __future__ import annotations

import json
from typing import Any


def parse_sse(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """([{"id", "event", "data"}...], [comment lines]) — data is decoded JSON."""
    events: list[dict[str, Any]] = []
    comments: list[str] = []
    current: dict[str, Any] = {}
    data: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line:
            if data or current:
                current["data"] = json.loads("\n".join(data)) if data else None
                events.append(current)
            current, data = {}, []
        elif line.startswith(":"):
            comments.append(line[1:].strip())
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field in ("id", "event"):
                current[field] = value
    return events, comments
