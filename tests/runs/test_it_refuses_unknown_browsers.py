"""`start_run(browsers=["safari"])` is refused with the run service's own error, naming the
browsers TraceIQ knows (it used to be a bare ValueError from the enum)."""

from __future__ import annotations

import pytest

from tests.runs.conftest import quick_steps
from traceiq_app.services.runs.control import RunError, start_run


def test_it_names_the_valid_browsers(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "one", quick_steps())
    with pytest.raises(RunError) as caught:
        start_run(project.id, browsers=["chromium", "safari"], dispatch=False)
    assert str(caught.value) == "unknown browser 'safari': choose from chromium, firefox, webkit"
    assert type(caught.value) is RunError
