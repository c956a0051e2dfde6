"""An import with nothing usable says what is wrong instead of only "no step could be
imported": the Recorder flow version it found, the line and column of a Python syntax error."""

from __future__ import annotations

import json

import pytest

from traceiq_app.services.catalog import imports
from traceiq_app.services.catalog.projects import Invalid


def test_it_names_an_unsupported_recorder_version(personas) -> None:
    flow = {"title": "Future", "version": 2, "steps": [{"type": "navigate", "url": "https://shop.test/"}]}
    with pytest.raises(Invalid) as info:
        imports.save_import(personas.project.id, "future.json", json.dumps(flow))
    message = str(info.value)
    assert "no step could be imported" in message
    assert "unsupported Recorder flow version 2" in message


def test_it_points_at_a_python_syntax_error(personas) -> None:
    script = "def test_x(page):\n    page.goto('https://shop.test/'\n    page.click('#a')\n"
    with pytest.raises(Invalid) as info:
        imports.save_import(personas.project.id, "broken.py", script)
    message = str(info.value)
    assert "no step could be imported" in message
    assert "line 2, column 14: Python syntax error" in message, message
