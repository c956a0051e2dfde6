"""Execution settings that projects define and suites override (`projects.settings`,
`suites.settings`, both JSON). Resolution: project, then each suite from the root folder down
to the test's own folder; a later layer's set fields win, dicts (headers, variables) merge
key by key, lists (cookies, browsers) are replaced whole.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from traceiq_app.models.enums import Browser, VideoMode


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Viewport(_Strict):
    width: int = Field(ge=1, le=10_000)
    height: int = Field(ge=1, le=10_000)


class CookieSpec(_Strict):
    """A cookie set before each test (Playwright `add_cookies` shape: domain+path or url)."""

    name: str = Field(min_length=1)
    value: str
    domain: str | None = None
    path: str = "/"
    url: str | None = None
    secure: bool = False
    http_only: bool = False


class ExecutionSettings(_Strict):
    """Every field is optional: unset means "inherit" (from the parent layer or the default)."""

    base_url: str | None = None
    headers: dict[str, str] | None = None
    cookies: list[CookieSpec] | None = None
    variables: dict[str, str] | None = None
    viewport: Viewport | None = None
    test_timeout_ms: int | None = Field(default=None, ge=1, le=3_600_000)
    step_timeout_ms: int | None = Field(default=None, ge=1, le=600_000)
    navigation_timeout_ms: int | None = Field(default=None, ge=1, le=600_000)
    browsers: list[Browser] | None = Field(default=None, min_length=1)
    video: VideoMode | None = None  # the run dialog's default: off / failures (on failure) / on (always)

    def to_json(self) -> dict[str, Any]:
        """The dict stored in the JSON column: only the fields that are set."""
        return self.model_dump(mode="json", exclude_none=True)

    def merged_with(self, override: ExecutionSettings) -> ExecutionSettings:
        """This layer with `override` on top."""
        data = self.model_dump(exclude_none=True)
        for key, value in override.model_dump(exclude_none=True).items():
            if key in ("headers", "variables") and key in data:
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return ExecutionSettings.model_validate(data)


def resolve_settings(*layers: dict[str, Any] | ExecutionSettings | None) -> ExecutionSettings:
    """Merge layers in order (project first, innermost suite last); None layers are skipped."""
    result = ExecutionSettings()
    for layer in layers:
        if layer is None:
            continue
        parsed = layer if isinstance(layer, ExecutionSettings) else ExecutionSettings.model_validate(layer)
        result = result.merged_with(parsed)
    return result
