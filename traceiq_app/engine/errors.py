"""Exceptions the engine raises or turns into failed/errored results.

Every message is meant for a person: which file/step, what was expected, what was found.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class for everything the engine raises on purpose."""


class DefinitionError(EngineError):
    """A test file is invalid. `problems` holds one located message per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class BrowserNotAvailable(EngineError):
    """The requested browser is not installed (or cannot start); the message says how to fix it."""


class VariableError(EngineError):
    """A `${NAME}` reference has no value. Makes the test `error`, not `failed`."""


class StepFailed(EngineError):
    """A step did not do what it should (assertion, element missing, navigation blocked...)."""


class BrowserCrashed(EngineError):
    """The browser went away mid-test. Makes the test `error`; the next test relaunches it."""
