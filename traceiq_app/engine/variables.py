"""`${NAME}` substitution and secret masking.

Substitution happens at run time, step by step, so a value extracted by step 3 (`extract`)
is usable from step 4 on, and an unknown name fails exactly the step that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel

from traceiq_app.engine.errors import VariableError

MASK = "•••"
# `$${NAME}` is an escape for a literal `${NAME}`.
_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")

M = TypeVar("M", bound=BaseModel)


class Masker:
    """Replaces every secret value with `•••` in any text that leaves the engine."""

    def __init__(self, secret_values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        for value in secret_values:
            self.add(value)

    def add(self, value: str) -> None:
        # Empty or 1-char secrets would mask half of every message; they protect nothing anyway.
        if not value or len(value) < 2:
            return
        # A token in a URL shows up percent-encoded ("p@ss" -> "p%40ss").
        for form in {value, quote(value, safe=""), quote_plus(value)}:
            if form not in self._values:
                self._values.append(form)
        # Longest first so a secret containing another one is masked whole.
        self._values.sort(key=len, reverse=True)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self._values)

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        for value in self._values:
            text = text.replace(value, MASK)
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)


class Variables:
    """Layered values: test defaults < run variables < secrets < values extracted during the run."""

    def __init__(
        self,
        defaults: Mapping[str, str],
        overrides: Mapping[str, str],
        secrets: Mapping[str, str],
        secret_names: Iterable[str] = (),
    ) -> None:
        self.values: dict[str, str] = {**defaults, **overrides, **secrets}
        self.extracted: dict[str, str] = {}
        # A name listed in the test's `secrets` is secret wherever its value comes from.
        hidden = set(secrets) | set(secret_names)
        self.masker = Masker(self.values[n] for n in hidden if n in self.values)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value
        self.extracted[name] = value

    def substitute(self, text: str) -> str:
        def repl(match: re.Match[str]) -> str:
            escaped, name = match.group(1), match.group(2)
            if escaped:
                return "${" + name + "}"
            if name not in self.values:
                known = ", ".join(sorted(self.values)) or "none"
                raise VariableError(f"unknown variable ${{{name}}} (known: {known})")
            return self.values[name]

        return _REF.sub(repl, text)

    def substitute_model(self, model: M) -> M:
        """A copy of `model` with every string field substituted (nested locators included)."""
        data = model.model_dump(exclude_unset=True)
        if not _has_reference(data):
            return model
        return type(model).model_validate(self._walk(data))

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.substitute(value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        return value


def _has_reference(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, list):
        return any(_has_reference(v) for v in value)
    if isinstance(value, dict):
        return any(_has_reference(v) for v in value.values())
    return False
