"""Cold vs warm `make run`: seconds from the command to `/api/health` answering 200.

Clones the repository into a temporary folder (so the first run installs the venv, node
modules and builds the frontend, as on a fresh machine — with whatever pip/npm caches and
system packages this machine already has), starts `make run`, waits for health, stops it
with SIGINT like Ctrl-C, checks nothing was left running, then starts it again (warm).

    .venv/bin/python bench/bench_startup.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_and_time(clone: Path, port: int, log: Path) -> tuple[float, subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACEIQ_", "S3_")) and k not in ("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV")}
    env["TRACEIQ_PORT"] = str(port)
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if ".venv" not in p)
    started = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"make run exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return time.monotonic() - started, proc
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def stop(proc: subprocess.Popen[bytes], clone: Path) -> list[str]:
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(60)
    time.sleep(2)
    leftovers = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(str(clone) in part for part in p.info["cmdline"] or []):
                leftovers.append(" ".join(p.info["cmdline"]))
        except psutil.Error:
            pass
    return leftovers


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = parser.parse_args()
    clone = Path(tempfile.mkdtemp(prefix="tiq-startup-")) / "traceiq"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    log = clone.parent / "make-run.log"
    results = {}
    for label in ("cold", "warm"):
        seconds, proc = start_and_time(clone, free_port(), log)
        leftovers = stop(proc, clone)
        results[label] = seconds
        print(f"{label:>5} make run -> healthy: {seconds:7.1f} s   processes left after Ctrl-C: {len(leftovers)}")
        for line in leftovers:
            print(f"        left: {line}")
    print(f"warm/cold ratio: {results['warm'] / results['cold']:.3f}")
    if not args.keep:
        shutil.rmtree(clone.parent, ignore_errors=True)
    else:
        print(f"clone kept at {clone}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
