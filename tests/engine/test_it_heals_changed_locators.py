"""Self-healing on fixture pages whose next version renames ids, changes classes, moves the
element, changes its text slightly or adds a look-alike neighbour: the step heals to the right
element with a unique new locator; a gone element, two twins or an invisible copy are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.healing_site import Mutation, steps_for, write_site
from tests.support.processes import serve_directory
from traceiq_app.engine.healing import HealingOptions
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions, TestResult
from traceiq_app.engine.runner import Engine


@pytest.fixture(scope="module")
def healing_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Mutation]]]:
    folder = tmp_path_factory.mktemp("healing-site")
    found = write_site(folder)
    with serve_directory(folder) as url:
        yield url + "/", found


def _run(engine: Engine, url: str, key: str, target: dict[str, str], healing: HealingOptions,
         timeout_ms: int = 1_000) -> TestResult:
    steps = [{"action": "goto", "url": url}, *steps_for(key, target)]
    steps[1]["timeout_ms"] = timeout_ms
    test = TestDefinition.model_validate({"name": f"heal {key}", "steps": steps})
    return engine.run(test, RunOptions(healing=healing))


def _record(engine: Engine, base: str, mutation: Mutation) -> dict[str, dict]:
    first = _run(engine, base + "v1.html", mutation.key, {"css": mutation.locator}, HealingOptions())
    assert first.status == "passed", first.error
    assert "1" in first.fingerprints, first.fingerprints
    return first.fingerprints


HEALS = ["save-renamed-id", "save-generated-id", "save-no-id", "save-renamed-id-and-classes",
         "save-renamed-id-and-text", "save-moved", "save-look-alike-neighbour", "help-look-alike-neighbour",
         "email-renamed-id-and-text", "email-look-alike-neighbour", "coupon-moved", "terms-renamed-id-and-text",
         "cancel-look-alike-neighbour", "title-renamed-id-and-text"]


@pytest.mark.parametrize("name", HEALS)
def test_it_heals_to_the_same_element(engine: Engine, healing_site: tuple[str, dict[str, Mutation]],
                                      name: str) -> None:
    base, found = healing_site
    mutation = found[name]
    stored = _record(engine, base, mutation)
    healed = _run(engine, base + f"m-{name}.html", mutation.key, {"css": mutation.locator},
                  HealingOptions(fingerprints=stored, heal=True))
    assert healed.status == "passed", healed.error
    [record] = healed.healed_steps
    assert record["index"] == 1 and record["from"] == f'css="{mutation.locator}"'
    assert 0.62 <= record["score"] <= 1
    # The new locator is unique and finds the same element (its data-k), on its own.
    new = healed.steps[1].healed["locator"]
    check = TestDefinition.model_validate({"name": "check", "steps": [
        {"action": "goto", "url": base + f"m-{name}.html"},
        {"action": "assert_count", "target": new, "expected": 1},
        {"action": "assert_attribute", "target": new, "attribute": "data-k", "expected": mutation.key}]})
    assert engine.run(check, RunOptions()).status == "passed", record


@pytest.mark.parametrize("name", ["save-gone", "save-two-twins", "save-hidden", "email-gone", "terms-hidden"])
def test_it_refuses_when_the_element_is_gone_ambiguous_or_invisible(
        engine: Engine, healing_site: tuple[str, dict[str, Mutation]], name: str) -> None:
    base, found = healing_site
    mutation = found[name]
    stored = _record(engine, base, mutation)
    result = _run(engine, base + f"m-{name}.html", mutation.key, {"css": mutation.locator},
                  HealingOptions(fingerprints=stored, heal=True))
    assert result.status == "failed" and result.failed_step == 1
    assert result.healed_steps == []
    assert "healing refused" in (result.error or ""), result.error


def test_it_records_only_when_the_store_lacks_the_fingerprint(
        engine: Engine, healing_site: tuple[str, dict[str, Mutation]]) -> None:
    base, found = healing_site
    mutation = found["save-renamed-id"]
    stored = _record(engine, base, mutation)
    again = _run(engine, base + "v1.html", "save", {"css": "#save"}, HealingOptions(fingerprints=stored))
    assert again.status == "passed" and again.fingerprints == {}  # warm store: nothing recorded
    other = _run(engine, base + "v1.html", "save", {"css": "button.btn-primary"}, HealingOptions(fingerprints=stored))
    assert other.fingerprints["1"]["locator"] == 'css="button.btn-primary"'  # the step's locator changed


def test_it_does_not_heal_without_the_heal_switch_or_with_a_fingerprint_of_another_locator(
        engine: Engine, healing_site: tuple[str, dict[str, Mutation]]) -> None:
    base, found = healing_site
    mutation = found["save-renamed-id"]
    stored = _record(engine, base, mutation)
    page = base + "m-save-renamed-id.html"
    off = _run(engine, page, "save", {"css": "#save"}, HealingOptions(fingerprints=stored))
    assert off.status == "failed" and off.healed_steps == []
    edited = _run(engine, page, "save", {"css": "#save-button"}, HealingOptions(fingerprints=stored, heal=True))
    assert edited.status == "failed" and edited.healed_steps == []


def test_it_keeps_the_old_result_shape_without_healing(engine: Engine, tmp_path: Path,
                                                       healing_site: tuple[str, dict[str, Mutation]]) -> None:
    base, _ = healing_site
    result = _run(engine, base + "v1.html", "save", {"css": "#save"}, None)  # type: ignore[arg-type]
    assert result.status == "passed" and result.fingerprints == {} and result.steps[1].healed is None
