"""Errors raised by the importers: every problem of a file at once, each with its location."""

from __future__ import annotations

from traceiq_app.engine.errors import DefinitionError


class FormatError(DefinitionError):
    """A file could not be turned into a `TestDefinition`.

    Like the native loader's `DefinitionError` (which it extends, so callers catch one type),
    `problems` lists every problem found, not just the first, each located and prefixed with
    the file name: "flow.json: steps[8] (customStep): ..." or "login.py: line 12: ...".
    """

    def __init__(self, source: str | None, problems: list[str]) -> None:
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__([prefix + p for p in (problems or ["unknown problem"])])
