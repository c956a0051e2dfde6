"""`traceiq exec --heal-store FILE [--heal]`: fingerprints kept in a local file (see
engine/healing/store.py). The store is read once before the run; each test gets its own
fingerprints; the fingerprints recorded on passing steps are merged back and the file written
once after the run."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--heal-store", default=None, metavar="FILE",
                        help="record the fingerprint of every located element in FILE (created if missing, "
                             "updated on passing steps)")
    parser.add_argument("--heal", action="store_true",
                        help="heal failing locators from the --heal-store fingerprints; the report lists "
                             "healed_steps")


def check(args: argparse.Namespace) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The store's tests, and problems with the options (for the exit-2 list)."""
    from traceiq_app.engine.healing.store import StoreError, load

    if getattr(args, "heal", False) and not getattr(args, "heal_store", None):
        return {}, ["--heal needs --heal-store FILE (the fingerprints it heals from)"]
    if not getattr(args, "heal_store", None):
        return {}, []
    try:
        return load(Path(args.heal_store)), []
    except StoreError as exc:
        return {}, [str(exc)]


def test_key(path: Path) -> str:
    """Tests are keyed by their file, relative to the working folder when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path(os.getcwd()).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def merge(tests: dict[str, dict[str, Any]], entries: list[dict[str, Any]]) -> bool:
    """Fold each entry's recorded fingerprints (popped from it) into the store; True if any."""
    changed = False
    for entry in entries:
        recorded = entry.pop("fingerprints", None)
        key = entry.pop("heal_key", None)
        if recorded and key:
            tests.setdefault(key, {}).update(recorded)
            changed = True
    return changed


def save(path: str, tests: dict[str, dict[str, Any]]) -> None:
    from traceiq_app.engine.healing.store import save as save_store

    save_store(Path(path), tests)


def junit_note(entry: dict[str, Any]) -> str | None:
    healed = entry.get("healed_steps") or []
    if not healed:
        return None
    lines = [f"passed (healed): {len(healed)} locator(s) healed; review and update the test:"]
    lines += [f"  step {h['index']}: {h['from']} -> {h['to']} (score {h['score']:.2f})" for h in healed]
    return "\n".join(lines)
