"""Target allowlists: which hosts a project's tests may navigate to. The project stores
`allowed_hosts` (validated with `normalize_allowed_hosts`); runs pass
`run_allowed_hosts(project)` as the engine's `RunOptions.allowed_hosts`, and the engine blocks
navigation anywhere else (`traceiq_app.engine.urls.host_allowed`).

Entries: a host name ("shop.example.com"), a wildcard ("*.example.com") or host:port
("localhost:8080"). An empty list means "anywhere".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from traceiq_app.engine.urls import host_allowed

_LABEL = r"(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)"
_ENTRY_RE = re.compile(rf"^(?:\*\.)?{_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?$")
_IPV6_RE = re.compile(r"^\[[0-9a-f:.]+\](?::\d{1,5})?$")
MAX_ENTRIES = 200


class AllowlistError(ValueError):
    pass


def normalize_allowed_hosts(entries: Iterable[str]) -> list[str]:
    """Lowercased, deduplicated, validated entries. A pasted URL is reduced to its host[:port]."""
    out: list[str] = []
    for raw in entries:
        entry = (raw or "").strip().lower()
        if not entry:
            continue
        if "://" in entry:
            parts = urlsplit(entry)
            entry = parts.netloc.rsplit("@", 1)[-1]
        entry = entry.rstrip("/")
        if entry in ("*", "*.*"):
            raise AllowlistError("'*' would allow every host; leave the list empty for that")
        if not (_ENTRY_RE.match(entry) or _IPV6_RE.match(entry)):
            raise AllowlistError(f"'{raw}' is not a host name, *.wildcard or host:port")
        if ":" in entry and not entry.startswith("["):
            port = int(entry.rpartition(":")[2])
            if not 1 <= port <= 65535:
                raise AllowlistError(f"'{raw}' has an invalid port")
        if entry not in out:
            out.append(entry)
    if len(out) > MAX_ENTRIES:
        raise AllowlistError(f"at most {MAX_ENTRIES} allowed hosts")
    return out


def run_allowed_hosts(allowed_hosts: list[str] | None) -> list[str] | None:
    """The value for `RunOptions.allowed_hosts`: None (anywhere) for an empty list."""
    entries = normalize_allowed_hosts(allowed_hosts or [])
    return entries or None


def url_allowed(url: str, allowed_hosts: list[str] | None) -> bool:
    """Would the engine let a test open `url`? (For warning about a base URL outside the list.)"""
    return host_allowed(url, run_allowed_hosts(allowed_hosts))


def parse_entries(value: object) -> list[str]:
    """What a form or an API body gives (a list, or text with one entry per line or separated by
    commas) -> normalized entries; AllowlistError says what is wrong."""
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AllowlistError("give a list of host names")
    if len(value) > MAX_ENTRIES * 2:
        raise AllowlistError(f"at most {MAX_ENTRIES} allowed hosts")
    if any(len(v.strip()) > 260 for v in value):
        raise AllowlistError("an entry is longer than a host name can be (253 characters)")
    return normalize_allowed_hosts(value)
