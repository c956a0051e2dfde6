"""Every page state extends AuthState, whose public handlers (load_session, select_org,
require_login, ...) any client may call on any of those states. They call AuthState's private
helpers (`_refresh`, `_principal`, ...) on `self`: a state that defines a method of the same name
for its own purpose silently replaces them (HealingState had its own `_refresh(pid)`)."""

from __future__ import annotations

import importlib
import pkgutil

import traceiq_app.state
from traceiq_app.state.accounts.auth import AuthState


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _all_subclasses(sub)
    return found


def test_it_never_shadows_an_auth_helper_in_a_page_state() -> None:
    for module in pkgutil.walk_packages(traceiq_app.state.__path__, "traceiq_app.state."):
        importlib.import_module(module.name)
    helpers = {name for name, value in vars(AuthState).items()
               if name.startswith("_") and not name.startswith("__") and callable(value)}
    assert {"_refresh", "_principal"} <= helpers
    clashes = sorted(f"{cls.__module__}.{cls.__name__}.{name}" for cls in _all_subclasses(AuthState)
                     for name in helpers & set(vars(cls)))
    assert not clashes, f"these states replace AuthState's own helpers: {clashes}"
