"""TraceIQ's native test definition: the contract between importers, the editor and the runner.

Every importer (Chrome Recorder, Playwright codegen) produces these models, the runner only
consumes them, and `docs/test-format.md` + `test-format.schema.json` describe them for users.
Pydantic gives us validation with readable, located errors for free ("steps.3.target: ...").

This module is pure: no Playwright, no database, no web framework.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from traceiq_app.engine.aria_query import parse as parse_aria
from traceiq_app.engine.script_syntax import js_problem
from traceiq_app.engine.selector_syntax import css_problem, xpath_problem

FORMAT_VERSION: Final = 1

LOCATOR_KINDS = (
    "css",
    "xpath",
    "text",
    "role",
    "label",
    "placeholder",
    "test_id",
    "alt_text",
    "title",
    "aria",
)


class _Strict(BaseModel):
    # Unknown keys are almost always typos ("selctor"): reject them instead of ignoring them.
    model_config = ConfigDict(extra="forbid")


class Locator(_Strict):
    """One way to find an element. Exactly one of the kind fields is set.

    `name`/`exact` refine `role` (accessible name) and the text-like kinds. `nth` picks one of
    several matches. `frame` is a path of iframe CSS selectors from the main frame;
    `frame_index` is the Recorder's child-frame index path. `within` chains: each entry is
    looked up inside the previous match (Playwright pierces open shadow roots on the way).
    """

    css: str | None = None
    xpath: str | None = None
    text: str | None = None
    role: str | None = None
    label: str | None = None
    placeholder: str | None = None
    test_id: str | None = None
    alt_text: str | None = None
    title: str | None = None
    # Chrome Recorder `aria/` query: `Name` (accessible name as the browser computes it, any
    # role) or `Name[role="button"]`. Chromium resolves it through its accessibility tree.
    aria: str | None = None

    name: str | None = None
    exact: bool = False
    has_text: str | None = None
    nth: int | None = None
    frame: list[str] | None = None
    frame_index: list[int] | None = None
    within: list[Locator] | None = None

    @field_validator("css")
    @classmethod
    def _css_syntax(cls, value: str | None) -> str | None:
        problem = css_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"invalid CSS selector {value!r}: {problem}")
        return value

    @field_validator("xpath")
    @classmethod
    def _xpath_syntax(cls, value: str | None) -> str | None:
        problem = xpath_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"invalid XPath {value!r}: {problem}")
        return value

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Locator:
        kinds = [k for k in LOCATOR_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                f"a locator needs exactly one of {', '.join(LOCATOR_KINDS)}; got {kinds or 'none'}"
            )
        if self.name is not None and self.role is None:
            raise ValueError("'name' only refines a 'role' locator")
        if self.aria is not None:
            parse_aria(self.aria)  # AriaQueryError is a ValueError: a located validation error
        return self

    @property
    def kind(self) -> str:
        return next(k for k in LOCATOR_KINDS if getattr(self, k) is not None)

    def describe(self) -> str:
        """Short human form used in logs and error messages: role=button[name="Sign in"]."""
        kind = self.kind
        text = f'{kind}="{getattr(self, kind)}"'
        if self.name is not None:
            text += f'[name="{self.name}"]'
        if self.has_text is not None:
            text += f'[has_text="{self.has_text}"]'
        if self.nth is not None:
            text += f"[nth={self.nth}]"
        if self.within:
            text = " >> ".join([*(w.describe() for w in self.within), text])
        if self.frame:
            text = " >> ".join([*(f"frame({f})" for f in self.frame), text])
        if self.frame_index:
            text = f"frame{self.frame_index} >> {text}"
        return text


# A target is one locator or an ordered list of fallbacks: the first that resolves wins.
def _as_list(value: Any) -> Any:
    # Convenience for hand-written files: `target: {css: "#x"}` means a single alternative.
    return [value] if isinstance(value, dict) else value


Target = Annotated[
    list[Locator],
    # The schema must also accept the single-locator shorthand the validator unwraps.
    BeforeValidator(_as_list, json_schema_input_type=Locator | list[Locator]),
    Field(min_length=1),
]


class ExpectNavigation(_Strict):
    """Recorder `assertedEvents` navigation: the step must cause a navigation (to url/title)."""

    url: str | None = None
    title: str | None = None


class StepBase(_Strict):
    name: str | None = Field(default=None, description="Human description shown in reports")
    timeout_ms: int | None = Field(default=None, ge=1, le=600_000)
    continue_on_failure: bool = Field(default=False, description="Soft assertion: record and go on")
    # Which page the step runs on: "main", or a popup's URL (Recorder `target`).
    page: str | None = None
    expect_navigation: ExpectNavigation | None = None
    # Where the step came from in an imported file (codegen line), for error messages.
    source_line: int | None = None


class _Targeted(StepBase):
    target: Target


TextMatch = Literal["exact", "contains", "regex"]
Operator = Literal[">=", "==", "<="]


class Goto(StepBase):
    action: Literal["goto"]
    url: str
    wait_until: Literal["load", "domcontentloaded", "networkidle", "commit"] = "load"


MouseButton = Literal["left", "right", "middle", "back", "forward"]  # back/forward: Chromium only


class Click(_Targeted):
    action: Literal["click"]
    button: MouseButton = "left"
    modifiers: list[Literal["Alt", "Control", "Meta", "Shift", "ControlOrMeta"]] = []
    position: dict[str, float] | None = None  # {"x": .., "y": ..} offset inside the element
    # Recorder offsetX/offsetY: the point from the element's border box, clicked exactly there
    # (see docs/test-format.md "Recorded clicks"); `position` and `offset` are alternatives.
    offset: dict[str, float] | None = None
    hold_ms: int = Field(default=0, ge=0, le=60_000)  # Recorder `duration`: button held down
    force: bool = False


class DblClick(_Targeted):
    action: Literal["dblclick"]
    button: MouseButton = "left"
    position: dict[str, float] | None = None
    offset: dict[str, float] | None = None
    hold_ms: int = Field(default=0, ge=0, le=60_000)


class RightClick(_Targeted):
    action: Literal["right_click"]


class Hover(_Targeted):
    action: Literal["hover"]


class Fill(_Targeted):
    action: Literal["fill"]
    value: str


class Type(_Targeted):
    action: Literal["type"]
    text: str
    delay_ms: int = Field(default=0, ge=0, le=1000)


class Press(StepBase):
    action: Literal["press"]
    key: str  # "Enter", "Control+A", "Shift+ArrowDown"
    target: Target | None = None


class KeyDown(StepBase):
    action: Literal["key_down"]
    key: str


class KeyUp(StepBase):
    action: Literal["key_up"]
    key: str


class Check(_Targeted):
    action: Literal["check"]


class Uncheck(_Targeted):
    action: Literal["uncheck"]


class SelectOption(_Targeted):
    action: Literal["select_option"]
    values: list[str] = []  # option values
    labels: list[str] = []  # or visible labels

    @model_validator(mode="after")
    def _something_to_select(self) -> SelectOption:
        if not self.values and not self.labels:
            raise ValueError("select_option needs 'values' or 'labels'")
        return self


class Upload(_Targeted):
    action: Literal["upload"]
    files: list[str] = Field(min_length=1)  # paths relative to the test file


class DragAndDrop(StepBase):
    action: Literal["drag_and_drop"]
    source: Target
    target: Target


class Scroll(StepBase):
    action: Literal["scroll"]
    target: Target | None = None  # element to scroll (by x/y) or, with no x/y, into view
    x: float = 0
    y: float = 0


class WaitFor(StepBase):
    """Wait for one condition: an element state, a URL, a load state, an expression, or time."""

    action: Literal["wait_for"]
    target: Target | None = None
    state: Literal["visible", "hidden", "attached", "detached"] = "visible"
    count: int | None = Field(default=None, ge=0)
    operator: Operator = ">="
    properties: dict[str, Any] | None = None
    attributes: dict[str, str] | None = None
    # Recorder `visible: false`: wait until the element condition (count + operator +
    # attributes + properties) is NOT met, as @puppeteer/replay does.
    negate: bool = False
    url: str | None = None  # glob or exact URL
    load_state: Literal["load", "domcontentloaded", "networkidle"] | None = None
    expression: str | None = None  # JS expression that must become truthy
    ms: int | None = Field(default=None, ge=0, le=600_000)  # fixed wait (discouraged)

    @field_validator("expression")
    @classmethod
    def _expression_syntax(cls, value: str | None) -> str | None:
        return _check_js(value)

    @model_validator(mode="after")
    def _one_condition(self) -> WaitFor:
        set_ = [k for k in ("target", "url", "load_state", "expression", "ms") if getattr(self, k) is not None]
        if len(set_) != 1:
            raise ValueError(f"wait_for needs exactly one of target, url, load_state, expression, ms; got {set_ or 'none'}")
        return self


class AssertVisible(_Targeted):
    action: Literal["assert_visible"]


class AssertHidden(_Targeted):
    action: Literal["assert_hidden"]


class AssertText(_Targeted):
    action: Literal["assert_text"]
    expected: str
    match: TextMatch = "exact"


class AssertValue(_Targeted):
    action: Literal["assert_value"]
    expected: str
    match: TextMatch = "exact"


class AssertAttribute(_Targeted):
    action: Literal["assert_attribute"]
    attribute: str
    expected: str
    match: TextMatch = "exact"


class AssertCount(_Targeted):
    action: Literal["assert_count"]
    expected: int = Field(ge=0)
    operator: Operator = "=="


class AssertUrl(StepBase):
    action: Literal["assert_url"]
    expected: str
    match: TextMatch = "exact"


class AssertTitle(StepBase):
    action: Literal["assert_title"]
    expected: str
    match: TextMatch = "exact"


class AssertChecked(_Targeted):
    action: Literal["assert_checked"]
    checked: bool = True


class AssertEnabled(_Targeted):
    action: Literal["assert_enabled"]
    enabled: bool = True


class Extract(_Targeted):
    """Store an element's text, value or attribute in a variable for later `${NAME}` use."""

    action: Literal["extract"]
    variable: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    source: Literal["text", "value", "attribute"] = "text"
    attribute: str | None = None


def _check_js(value: str | None) -> str | None:
    problem = js_problem(value) if value else None
    if problem:
        raise ValueError(f"invalid JavaScript: {problem}")
    return value


class Evaluate(StepBase):
    action: Literal["evaluate"]
    script: str
    variable: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    @field_validator("script")
    @classmethod
    def _script_syntax(cls, value: str) -> str:
        return _check_js(value) or value


class Screenshot(StepBase):
    action: Literal["screenshot"]
    label: str | None = None
    full_page: bool = False
    target: Target | None = None


class SwitchFrame(_Targeted):
    """Following steps act inside this iframe (target locates the <iframe> element)."""

    action: Literal["switch_frame"]


class SwitchPopup(StepBase):
    """Following steps act on a popup/tab: the newest one, or the one whose URL matches."""

    action: Literal["switch_popup"]
    url: str | None = None


class SwitchMain(StepBase):
    action: Literal["switch_main"]


class HandleDialog(StepBase):
    """Policy for the next dialogs (alert/confirm/prompt). Without one, dialogs are dismissed."""

    action: Literal["handle_dialog"]
    accept: bool = True
    prompt_text: str | None = None


class SetViewport(StepBase):
    action: Literal["set_viewport"]
    width: int = Field(ge=1, le=10_000)
    height: int = Field(ge=1, le=10_000)


class GoBack(StepBase):
    action: Literal["go_back"]


class GoForward(StepBase):
    action: Literal["go_forward"]


class Reload(StepBase):
    action: Literal["reload"]


class ClosePage(StepBase):
    action: Literal["close"]


class EmulateNetwork(StepBase):
    """Recorder `emulateNetworkConditions`: throughput in bytes/s (-1 = unlimited), latency ms."""

    action: Literal["emulate_network"]
    download: float = -1
    upload: float = -1
    latency: float = 0
    offline: bool = False


Step = Annotated[
    Goto | Click | DblClick | RightClick | Hover | Fill | Type | Press | KeyDown | KeyUp | Check
    | Uncheck | SelectOption | Upload | DragAndDrop | Scroll | WaitFor | AssertVisible
    | AssertHidden | AssertText | AssertValue | AssertAttribute | AssertCount | AssertUrl
    | AssertTitle | AssertChecked | AssertEnabled | Extract | Evaluate | Screenshot
    | SwitchFrame | SwitchPopup | SwitchMain | HandleDialog | SetViewport | GoBack | GoForward
    | Reload | ClosePage | EmulateNetwork,
    Field(discriminator="action"),
]

STEP_ACTIONS: tuple[str, ...] = (
    "goto", "click", "dblclick", "right_click", "hover", "fill", "type", "press", "key_down",
    "key_up", "check", "uncheck", "select_option", "upload", "drag_and_drop", "scroll",
    "wait_for", "assert_visible", "assert_hidden", "assert_text", "assert_value",
    "assert_attribute", "assert_count", "assert_url", "assert_title", "assert_checked",
    "assert_enabled", "extract", "evaluate", "screenshot", "switch_frame", "switch_popup",
    "switch_main", "handle_dialog", "set_viewport", "go_back", "go_forward", "reload", "close",
    "emulate_network",
)


class Viewport(_Strict):
    width: int = Field(default=1280, ge=1, le=10_000)
    height: int = Field(default=720, ge=1, le=10_000)


class TestDefinition(_Strict):
    """A whole test. `variables` are defaults; the environment / --env-file override them."""

    __test__ = False  # not a pytest test class

    version: Literal[1] = FORMAT_VERSION
    name: str = Field(min_length=1)
    description: str | None = None
    base_url: str | None = None
    timeout_ms: int = Field(default=30_000, ge=1, le=3_600_000)
    step_timeout_ms: int | None = Field(default=None, ge=1, le=600_000)
    viewport: Viewport | None = None
    variables: dict[str, str] = {}
    secrets: list[str] = Field(default=[], description="Names of variables whose values are masked")
    headers: dict[str, str] = {}
    tags: list[str] = []
    steps: list[Step] = Field(min_length=1)


Locator.model_rebuild()
