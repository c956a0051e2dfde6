"""Validation errors phrased for people: "at most 200 characters", not pydantic's "String should
have at most 200 characters"; "must be at least 1", not "Input should be greater than or equal
to 1"; never a parser's raw text. Used wherever a pydantic ValidationError reaches a page.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

FIELD_NAMES = {"base_url": "base URL", "slug": "slug", "name": "name"}


def _plural(n: Any, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def human_message(err: Any) -> str:
    """One pydantic error (an `exc.errors()` item) as a short phrase without the field name."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg", "is not valid"))
    if kind == "missing":
        return "required"
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        n = ctx.get("max_length")
        return f"at most {n} {unit}" if n != 1 else f"at most 1 {unit[:-1]}"
    if kind in ("string_too_short", "too_short"):
        n = ctx.get("min_length")
        if n == 1:
            return "required" if kind == "string_too_short" else "add at least one"
        return f"at least {_plural(n, 'character' if kind == 'string_too_short' else 'item')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return "must be a number"
    if kind in ("bool_parsing", "bool_type"):
        return "must be yes or no (true/false)"
    if kind in ("json_invalid", "json_type"):
        return "is not valid JSON"
    if kind == "literal_error" and ctx.get("expected"):
        return f"must be one of {ctx['expected']}"
    if kind == "enum" and ctx.get("expected"):
        return f"must be one of {ctx['expected']}"
    if kind == "string_pattern_mismatch":
        return "contains characters that are not allowed"
    if kind in ("string_type", "dict_type", "list_type", "model_type", "model_attributes_type"):
        expected = {"string_type": "text", "dict_type": "a mapping (NAME: value)",
                    "list_type": "a list"}.get(kind, "an object")
        return f"must be {expected}"
    if kind == "extra_forbidden":
        return "unknown field (typo?)"
    if kind in ("url_parsing", "url_scheme", "url_type"):
        return "must be a web address such as https://example.com"
    if kind in ("uuid_parsing", "uuid_type"):
        return "is not a valid id"
    text = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return text[:1].lower() + text[1:] if text else "is not valid"


def field_label(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if str(p) != "__root__"]
    if not parts:
        return ""
    parts[-1] = FIELD_NAMES.get(parts[-1], parts[-1].replace("_", " "))
    return ".".join(parts)


def human_problems(exc: ValidationError) -> list[str]:
    """Every problem as "field: problem" (or just "problem" for the whole input)."""
    out: list[str] = []
    for err in exc.errors():
        field = field_label(err.get("loc"))
        text = f"{field}: {human_message(err)}" if field else human_message(err)
        if text not in out:
            out.append(text)
    return out
