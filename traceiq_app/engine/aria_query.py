"""Parse a Chrome Recorder / puppeteer `aria/` query (pure: shared by the importer, the engine
and the pytest export)."""

from __future__ import annotations

import re

# puppeteer's ATTRIBUTE_REGEXP (AriaQueryHandler.ts): [name="..."] / [role='...']
_ARIA_ATTR = re.compile(r"""\[\s*(\w+)\s*=\s*(["'])(\\.|.*?(?=\2))\2\s*\]""")


class AriaQueryError(ValueError):
    pass


def parse(query: str) -> tuple[str | None, str | None]:
    """`Name[role="button"]` -> ("Name", "button"); `[role="img"]` -> (None, "img"); as puppeteer."""
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        attribute, value = match.group(1), match.group(3)
        if attribute not in ("name", "role"):
            raise AriaQueryError(f'unknown aria attribute "{attribute}" in {query!r} (name and role are supported)')
        found[attribute] = value
        return ""

    default_name = _ARIA_ATTR.sub(take, query)
    if default_name and "name" not in found:
        found["name"] = default_name
    name, role = found.get("name"), found.get("role")
    if name is None and role is None:
        raise AriaQueryError(f"aria query {query!r} has neither a name nor a role")
    return name, role
