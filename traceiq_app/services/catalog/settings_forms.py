"""Execution settings as a form (project and folder settings pages): each field is plain text a
person types, parsed here into the `ExecutionSettings` JSON and back. Empty = inherit. Problems
raise `Invalid` with "field: what to write" messages; nothing here touches the database."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from traceiq_app.models import ExecutionSettings
from traceiq_app.models.enums import Browser, VideoMode
from traceiq_app.services.catalog.projects import Invalid, pydantic_problems

FIELDS = ("base_url", "headers", "cookies", "variables", "viewport", "test_timeout_ms", "step_timeout_ms",
          "navigation_timeout_ms", "video")
BROWSERS = tuple(b.value for b in Browser)
INHERIT = "inherit"
MAX_TEXT = 20_000
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TIMEOUT_LABELS = {"test_timeout_ms": "test timeout", "step_timeout_ms": "step timeout",
                  "navigation_timeout_ms": "navigation timeout"}


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")]


def _base_url(text: str) -> str | None:
    value = text.strip()
    if value and not re.match(r"^https?://[^\s/]+\S*$", value):
        raise Invalid("base URL: must start with http:// or https:// followed by a host, e.g. https://shop.example.com")
    return value or None


def _headers(text: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for n, line in _lines(text):
        name, sep, value = line.partition(":")
        if not sep or not HEADER_NAME.match(name.strip()):
            raise Invalid(f"headers, line {n}: write Name: value (e.g. X-Team: checkout)")
        out[name.strip()] = value.strip()
    return out or None


def _variables(text: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for n, line in _lines(text):
        name, sep, value = line.partition("=")
        if not sep or not VAR_NAME.match(name.strip()):
            raise Invalid(f"variables, line {n}: write NAME=value (letters, digits, _; not starting with a digit)")
        out[name.strip()] = value.strip()
    return out or None


def _cookies(text: str, base_url: str | None) -> list[dict[str, Any]] | None:
    """`name=value; domain=example.com; path=/; secure; httponly` per line (no domain: the base URL's)."""
    out: list[dict[str, Any]] = []
    for n, line in _lines(text):
        first, *attrs = [part.strip() for part in line.split(";")]
        name, sep, value = first.partition("=")
        if not sep or not name.strip():
            raise Invalid(f"cookies, line {n}: write name=value, optionally followed by ; domain=example.com")
        cookie: dict[str, Any] = {"name": name.strip(), "value": value.strip()}
        for attr in attrs:
            key, _, val = attr.partition("=")
            key = key.strip().lower()
            if key in ("domain", "path") and val.strip():
                cookie[key] = val.strip()
            elif key == "secure":
                cookie["secure"] = True
            elif key in ("httponly", "http_only"):
                cookie["http_only"] = True
            elif key:
                raise Invalid(f"cookies, line {n}: unknown attribute '{key}' (use domain=, path=, secure, httponly)")
        if "domain" not in cookie:
            if not base_url:
                raise Invalid(f"cookies, line {n}: add ; domain=example.com (this layer has no base URL to take it from)")
            cookie["url"] = base_url
            cookie.pop("path", None)
        out.append(cookie)
    return out or None


def _viewport(text: str) -> dict[str, int] | None:
    value = text.strip().lower().replace(" ", "")
    if not value:
        return None
    match = re.match(r"^(\d{1,5})[x×](\d{1,5})$", value)
    if not match or not (1 <= int(match[1]) <= 10_000 and 1 <= int(match[2]) <= 10_000):
        raise Invalid("viewport: write WIDTHxHEIGHT in pixels, each 1 to 10000 (e.g. 1280x800)")
    return {"width": int(match[1]), "height": int(match[2])}


def _timeout(field: str, text: str) -> int | None:
    value = text.strip().replace("_", "")
    if not value:
        return None
    if not value.isdigit():
        raise Invalid(f"{field.replace('_', ' ')}: a whole number of milliseconds (e.g. 30000), or empty to inherit")
    return int(value)


def parse_settings_form(form: dict[str, Any]) -> dict[str, Any]:
    """The settings JSON for a layer from the form's fields; raises Invalid (first problem)."""
    text = {k: str(form.get(k) or "")[:MAX_TEXT] for k in FIELDS}
    base_url = _base_url(text["base_url"])
    data: dict[str, Any] = {
        "base_url": base_url,
        "headers": _headers(text["headers"]),
        "variables": _variables(text["variables"]),
        "cookies": _cookies(text["cookies"], base_url),
        "viewport": _viewport(text["viewport"]),
    }
    for field in TIMEOUT_LABELS:
        data[field] = _timeout(field, text[field])
    browsers = [b for b in BROWSERS if form.get(f"browser:{b}") not in (None, "", False)]
    data["browsers"] = browsers or None
    video = text["video"].strip()
    if video and video != INHERIT:
        if video not in {m.value for m in VideoMode}:
            raise Invalid("video: choose inherit, off, on failure or always")
        data["video"] = video
    try:
        return ExecutionSettings.model_validate({k: v for k, v in data.items() if v is not None}).to_json()
    except ValidationError as exc:
        raise Invalid(pydantic_problems(exc)) from None


def settings_to_form(settings: dict[str, Any] | None) -> dict[str, str]:
    """The form's text for a layer's stored settings (the inverse of parse_settings_form)."""
    s = ExecutionSettings.model_validate(settings or {})
    cookies = []
    for c in s.cookies or []:
        parts = [f"{c.name}={c.value}"]
        if c.domain:
            parts.append(f"domain={c.domain}")
            if c.path and c.path != "/":
                parts.append(f"path={c.path}")
        parts += ["secure"] if c.secure else []
        parts += ["httponly"] if c.http_only else []
        cookies.append("; ".join(parts))
    return {
        "base_url": s.base_url or "",
        "headers": "\n".join(f"{k}: {v}" for k, v in (s.headers or {}).items()),
        "cookies": "\n".join(cookies),
        "variables": "\n".join(f"{k}={v}" for k, v in (s.variables or {}).items()),
        "viewport": f"{s.viewport.width}x{s.viewport.height}" if s.viewport else "",
        "test_timeout_ms": str(s.test_timeout_ms or ""),
        "step_timeout_ms": str(s.step_timeout_ms or ""),
        "navigation_timeout_ms": str(s.navigation_timeout_ms or ""),
        "video": s.video.value if s.video else INHERIT,
        "browsers": ",".join(b.value for b in s.browsers or []),
    }
