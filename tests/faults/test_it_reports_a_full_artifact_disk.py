"""The artifact storage runs out of space (a real 256 KB tmpfs mounted on the artifacts folder,
filled up before the run): each test's result says which artifact was not stored and why,
the tests still pass, and the run goes on to the end. Needs root to mount the tmpfs (skipped,
saying so, otherwise)."""

from __future__ import annotations

import contextlib
import errno
import subprocess

import pytest

from tests.runs.conftest import quick_steps
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


@pytest.fixture
def full_artifacts_disk(fstack):
    folder = fstack.data_dir / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        with open(folder / "filler", "wb") as filler, contextlib.suppress(OSError):  # fill it up
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        with pytest.raises(OSError) as full:
            (folder / "probe").write_bytes(b"\0" * 8192)
        assert full.value.errno == errno.ENOSPC
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_it_says_which_artifact_was_not_stored(fstack, site_url, full_artifacts_disk):
    stack = fstack
    stack.configure(TRACEIQ_RUN_TRACE="on")  # every test uploads a trace
    project = stack.project(site_url)
    for n in range(3):
        stack.test_case(project, f"quick {n}", quick_steps(), position=n)
    stack.start_worker()
    run = start_run(project.id)
    done = stack.wait_run(run.id, timeout=120)
    results = stack.results(run.id)
    assert done.status == RunStatus.passed and done.passed == 3
    for result in results:
        assert result.status == TestResultStatus.passed
        assert result.error == "trace not stored (no space left on the artifact storage)", result.error
    assert not list(full_artifacts_disk.rglob("*.part"))  # no half-written files left behind
    assert all(w.alive() for w in stack.workers)
