"""docs/architecture.md names every services sub-package (as the settings test does for settings),
and the tree keeps the layout it describes."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import traceiq_app
import traceiq_app.services as services

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
DOMAINS = sorted(m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg)


def test_it_has_domains() -> None:
    assert {"accounts", "catalog", "runs", "platform"} <= set(DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_it_documents_every_services_domain(domain: str) -> None:
    assert f"| `{domain}` |" in DOC.read_text(), f"services/{domain}/ is missing from the domain table in {DOC.name}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_it_says_what_each_domain_owns_and_may_call(domain: str) -> None:
    doc = (Path(services.__path__[0]) / domain / "__init__.py").read_text()
    assert '"""' in doc and "May call:" in doc, f"services/{domain}/__init__.py needs a docstring with 'May call:'"


def test_it_keeps_no_service_module_outside_a_domain() -> None:
    loose = [m.name for m in pkgutil.iter_modules(services.__path__) if not m.ispkg]
    assert loose == [], f"service modules outside a domain package: {loose}"


def test_it_keeps_the_package_root_small() -> None:
    modules = {m.name for m in pkgutil.iter_modules(traceiq_app.__path__) if not m.ispkg}
    assert modules <= {"settings", "db", "redis_conn", "traceiq_app"}, modules


def test_it_is_linked_from_the_readme() -> None:
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text()
