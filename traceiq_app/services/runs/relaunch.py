"""The first test after an idle close: relaunch the browser while the attempt is claimed.

A worker idle for TRACEIQ_BROWSER_IDLE_SECONDS closes its browser (`WarmEngines.close_if_idle`).
The next test would otherwise claim its attempt and read its secrets and healing options
(database) and only then launch Chromium (0.5-1 s, more on a loaded machine), one after the
other. Here the database work runs in a helper thread while this thread - the one Playwright's
sync API is bound to, which runs the test - relaunches the browsers the idle close shut, so the
launch overlaps it (TRACEIQ_BROWSER_EARLY_RELAUNCH).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from traceiq_app.engine.errors import BrowserNotAvailable
from traceiq_app.services.runs import orchestration

if TYPE_CHECKING:
    from traceiq_app.services.runs.warm_engines import WarmEngines

log = logging.getLogger(__name__)

Preload = Callable[[orchestration.ClaimedTest], dict[str, Any]]


@dataclass
class Prepared:
    claimed: orchestration.ClaimedTest | None
    loaded: dict[str, Any] = field(default_factory=dict)


def _claim_and_load(test_result_id: uuid.UUID, worker_name: str, preload: Preload) -> Prepared:
    claimed = orchestration.claim(test_result_id, worker_name)
    if claimed is None:
        return Prepared(None)
    try:
        return Prepared(claimed, preload(claimed))
    except BaseException:
        orchestration.hand_back(test_result_id)  # claimed but unusable here: back to the queue
        raise


def claim_while_relaunching(warm: WarmEngines, test_result_id: uuid.UUID, worker_name: str,
                            preload: Preload) -> Prepared:
    """Claim the attempt and `preload` what it needs, overlapped with relaunching the browsers
    the last idle close shut (if any; otherwise simply in this thread)."""
    kinds = warm.relaunch_kinds()
    if not kinds:
        return _claim_and_load(test_result_id, worker_name, preload)
    context = contextvars.copy_context()  # the job's trace and log ids, for the claim's spans
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="traceiq-claim")
    loading = helper.submit(context.run, _claim_and_load, test_result_id, worker_name, preload)
    try:
        started = time.monotonic()
        for kind in kinds:
            try:
                warm.engine(kind).check_browser()
            except BrowserNotAvailable:
                pass  # the test reports it, with the reason, when it asks for the browser
            except Exception:  # noqa: BLE001 - the test relaunches (and reports) it itself
                log.warning("could not relaunch %s early", kind, exc_info=True)
        log.info("relaunched %s after idle in %.0f ms, during the claim", ", ".join(kinds),
                 (time.monotonic() - started) * 1000)
        return loading.result()
    except BaseException:
        # Forced shutdown during the launch: a claim that went through goes back to the queue.
        with contextlib.suppress(Exception):
            if loading.result().claimed is not None:
                orchestration.hand_back(test_result_id)
        raise
    finally:
        helper.shutdown(wait=False)
