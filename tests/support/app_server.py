"""Start the real app (Reflex, prod build, one port) for browser tests.

Reflex bakes the backend port into the built frontend, and builds into `.web/` of the folder it
runs in. So every server gets its own copy of the app folder (rxconfig + a symlink to the
package + a copy of `.web/` to reuse installed node modules), which keeps parallel test
sessions and developers' own `make run` from overwriting each other's build.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.processes import base_env, free_port
from traceiq_app.processes.supervisor import die_with_parent

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _prepare_app_dir(target: Path) -> None:
    shutil.copy2(REPO / "rxconfig.py", target / "rxconfig.py")
    for name in ("traceiq_app", "assets", "alembic", "alembic.ini"):
        if (REPO / name).exists():
            (target / name).symlink_to(REPO / name)
    web = REPO / ".web"
    if (web / "node_modules").is_dir():
        # Copy without the old build; node_modules saves minutes of `npm install`.
        def _skip_old_build(folder: str, names: list[str]) -> set[str]:
            return {"build"} & set(names) if Path(folder) == web else set()

        shutil.copytree(web, target / ".web", symlinks=True, ignore=_skip_old_build)


def _seed_node_modules_cache(built_web: Path) -> None:
    """After the first successful start in a fresh clone, keep its node modules in the repo's
    `.web/` so later servers (and `make run`) skip `npm install`."""
    import fcntl

    target = REPO / ".web"
    if (target / "node_modules").is_dir():
        return
    with open(Path(tempfile.gettempdir()) / "traceiq-web-cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "node_modules").is_dir():
            staging = REPO / f".web.tmp-{os.getpid()}"
            shutil.copytree(built_web, staging, symlinks=True,
                            ignore=lambda folder, names: {"build"} & set(names) if Path(folder) == built_web else set())
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)


class AppServer:
    """`reflex run --env prod` on a free port, with its own data folder."""

    def __init__(self, env: dict[str, str] | None = None, workers: int = 0, start_timeout: float = 600) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tiq-app-"))
        self.data_dir = self.dir / "data"
        _prepare_app_dir(self.dir)
        self.log_path = self.dir / "reflex.log"
        self.env = base_env(
            TRACEIQ_PORT=str(self.port),
            TRACEIQ_DATA_DIR=str(self.data_dir),
            TRACEIQ_WORKERS=str(workers),
            REFLEX_USE_NPM="1",
            REFLEX_TELEMETRY_ENABLED="false",
            REFLEX_CHECK_LATEST_VERSION="0",
            PATH=f"{BIN}:{os.environ.get('PATH', '')}",
            **(env or {}),
        )
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
             "--frontend-port", str(self.port), "--backend-port", str(self.port)],
            cwd=self.dir, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # so stop() can signal the whole tree
            preexec_fn=die_with_parent,  # and a killed test run leaves no app behind
        )
        self._wait_until_up(start_timeout)
        _seed_node_modules_cache(self.dir / ".web")

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.logs()[-8000:]}")
            try:
                if httpx.get(self.url + "/ping", timeout=1).status_code == 200 and \
                        httpx.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the app did not come up within {timeout}s:\n{self.logs()[-8000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # like Ctrl-C in a terminal
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
