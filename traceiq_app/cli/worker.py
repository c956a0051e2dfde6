"""`traceiq worker` (an RQ worker, for worker machines) and `traceiq supervise` (the embedded
redis-server + workers in the foreground). The processes themselves live in traceiq_app.processes."""

from __future__ import annotations

import argparse
from typing import Any


def _cmd_worker(args: argparse.Namespace) -> int:
    from traceiq_app.processes.worker import run_worker

    return run_worker(burst=args.burst, name_suffix=args.name_suffix)


def _cmd_supervise(args: argparse.Namespace) -> int:
    from traceiq_app.processes.supervisor import main as supervisor_main

    return supervisor_main([])


def add_parsers(sub: Any) -> None:
    worker = sub.add_parser("worker", help="run an RQ worker (for worker machines)")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--name-suffix", default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=_cmd_worker)

    supervise = sub.add_parser("supervise", help="run the embedded Redis + workers in the foreground")
    supervise.set_defaults(func=_cmd_supervise)
