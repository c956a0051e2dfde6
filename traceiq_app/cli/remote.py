"""What the CLI commands that talk to a TraceIQ server share (`results upload`, `pull`, `push`):
the --server/--token flags of cli/client.py plus --project (TRACEIQ_SERVER / TRACEIQ_TOKEN stand in), one HTTP call
with the error envelope turned into one readable line, and the exit codes:

    0 done, 1 the server failed or could not be reached, 2 usage / auth / validation error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import quote

from traceiq_app.cli.client import add_server_options, server_from, token_from

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_options(parser)
    parser.add_argument("--project", required=True, help="project slug or id")


def connection(args: argparse.Namespace) -> tuple[str, str]:
    server, token = server_from(args) or "", token_from(args) or ""
    if not server:
        raise CliError("no server: pass --server URL or set TRACEIQ_SERVER")
    if not server.startswith(("http://", "https://")):
        raise CliError(f"--server must be an http(s) URL, not '{server}'")
    if not token:
        raise CliError("no token: pass --token tiq_... or set TRACEIQ_TOKEN")
    return server, token


def project_path(args: argparse.Namespace, tail: str) -> str:
    return f"/api/v1/projects/{quote(str(args.project), safe='')}/{tail}"


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        message = str(error.get("message") or error.get("code") or "error")
        details = error.get("details")
        problems = details.get("problems") if isinstance(details, dict) else None
        if isinstance(problems, list) and len(problems) > 1:
            message += "".join(f"\n  {p}" for p in problems[1:20])
        return message
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return f"HTTP {response.status_code}"


def request(method: str, server: str, token: str, path: str, **kwargs: Any) -> Any:
    """The decoded JSON answer, or CliError with one line saying what went wrong."""
    import httpx

    try:
        response = httpx.request(method, server + path, headers={"Authorization": f"Bearer {token}"},
                                 timeout=httpx.Timeout(300.0, connect=15.0), **kwargs)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {server}: {exc.__class__.__name__}: {exc}", EXIT_FAILED) from None
    if response.status_code == 401:
        raise CliError(f"the server refused the token ({_message(response)}); check --token / TRACEIQ_TOKEN")
    if response.status_code == 403:
        raise CliError(f"not allowed: {_message(response)}")
    if response.status_code == 404:
        raise CliError(f"not found: {_message(response)}")
    if response.status_code >= 500:
        raise CliError(f"the server failed (HTTP {response.status_code})", EXIT_FAILED)
    if response.status_code >= 400:
        raise CliError(_message(response))
    try:
        return response.json()
    except ValueError:
        raise CliError(f"the server's answer is not JSON (HTTP {response.status_code}): is --server right?",
                       EXIT_FAILED) from None


def fail(exc: CliError) -> int:
    print(f"error: {exc.message}", file=sys.stderr)
    return exc.code
