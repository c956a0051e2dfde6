"""The HTTP client of the `traceiq` commands that talk to a server (`run`, `import`): the
server URL and token (flags, else TRACEIQ_SERVER / TRACEIQ_TOKEN), the error envelope turned
into one readable line, the SSE stream of a run (reconnecting with Last-Event-ID), and the CI
metadata of the job it runs in.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

USER_AGENT = "traceiq-cli"


class ApiError(Exception):
    """A request failed; `status` 0 = the server could not be reached."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def lines(self) -> list[str]:
        if self.status == 401:
            return ["error: the server refused the token (invalid, expired or revoked); check --token / TRACEIQ_TOKEN"]
        out = [f"error: {self.message}" + (f" ({self.status})" if self.status else "")]
        if isinstance(self.details, list):
            for item in self.details[:50]:
                if isinstance(item, dict) and "field" in item:
                    out.append(f"  {item['field'] or 'request'}: {item.get('problem', '')}")
        return out


def add_server_options(parser: Any) -> None:
    parser.add_argument("--server", default=None, help="TraceIQ URL (default: $TRACEIQ_SERVER)")
    parser.add_argument("--token", default=None, help="API token tiq_... (default: $TRACEIQ_TOKEN)")


def server_from(args: Any, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    value = getattr(args, "server", None) or env.get("TRACEIQ_SERVER") or ""
    return value.strip().rstrip("/") or None


def token_from(args: Any, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    value = getattr(args, "token", None) or env.get("TRACEIQ_TOKEN") or ""
    return value.strip() or None


class Client:
    def __init__(self, server: str, token: str, timeout: float = 60.0) -> None:
        if not server.startswith(("http://", "https://")):
            raise ApiError(0, "usage", f"--server must be an http(s) URL, got {server!r}")
        self.server = server.rstrip("/")
        self.http = httpx.Client(base_url=self.server, timeout=timeout, follow_redirects=False, headers={
            "Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, "unreachable", f"cannot reach {self.server}: {exc}") from None
        if response.status_code >= 400:
            raise _error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    def events(self, run_id: str, deadline: float | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(type, data) of the run's events until run.finished; reconnects after a dropped
        connection, resuming after the last event seen. Stops yielding at `deadline`."""
        last_id: str | None = None
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream", **({"Last-Event-ID": last_id} if last_id else {})}
            remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
            timeout = httpx.Timeout(connect=10, read=min(60.0, remaining or 60.0), write=10, pool=10)
            try:
                with self.http.stream("GET", f"/api/v1/runs/{run_id}/events", headers=headers,
                                      timeout=timeout) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise _error(response)
                    failures = 0
                    for event_id, kind, data in _parse_stream(response.iter_lines()):
                        if event_id:
                            last_id = event_id
                        if kind:
                            yield kind, data
                            if kind == "run.finished":
                                return
                        if deadline is not None and time.monotonic() > deadline:
                            return
            except httpx.HTTPError:
                failures += 1
                if failures > 20:
                    raise ApiError(0, "unreachable", f"lost the connection to {self.server}") from None
            if deadline is not None and time.monotonic() > deadline:
                return
            time.sleep(min(5.0, 0.5 * failures))


def _parse_stream(lines: Iterator[str]) -> Iterator[tuple[str | None, str | None, dict[str, Any]]]:
    event_id: str | None = None
    kind: str | None = None
    data: list[str] = []
    for line in lines:
        if line == "":
            if kind or data:
                try:
                    payload = json.loads("\n".join(data)) if data else {}
                except ValueError:
                    payload = {}
                yield event_id, kind, payload if isinstance(payload, dict) else {}
            event_id, kind, data = None, None, []
            continue
        if line.startswith(":"):
            yield None, None, {}  # keep-alive: lets the caller check its deadline
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            event_id = value
        elif field == "event":
            kind = value
        elif field == "data":
            data.append(value)


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()["error"]
        return ApiError(response.status_code, str(body.get("code")), str(body.get("message")), body.get("details"))
    except (ValueError, KeyError, TypeError):
        text = response.text.strip().splitlines()[0][:200] if response.text.strip() else response.reason_phrase
        return ApiError(response.status_code, "http", f"the server answered {response.status_code}: {text}")


# ---- CI metadata -------------------------------------------------------------------------
@dataclass(frozen=True)
class CiInfo:
    provider: str
    branch: str | None
    commit: str | None
    ci_url: str | None
    pr: str | None

    def metadata(self) -> dict[str, str]:
        data = {"branch": self.branch, "commit": self.commit, "ci_url": self.ci_url, "pr": self.pr}
        return {k: v for k, v in data.items() if v}


def _strip_ref(value: str | None) -> str | None:
    if not value:
        return None
    for prefix in ("refs/heads/", "refs/tags/"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def detect_ci(env: Mapping[str, str] | None = None) -> CiInfo | None:
    """Branch, commit, job URL and pull request from the CI system's environment, if any."""
    e = os.environ if env is None else env

    def g(*names: str) -> str | None:
        for name in names:
            if e.get(name):
                return e[name]
        return None

    if e.get("GITHUB_ACTIONS") == "true":
        ref = e.get("GITHUB_REF", "")
        pr = ref.split("/")[2] if ref.startswith("refs/pull/") else None
        url = None
        if e.get("GITHUB_REPOSITORY") and e.get("GITHUB_RUN_ID"):
            url = f"{e.get('GITHUB_SERVER_URL', 'https://github.com')}/{e['GITHUB_REPOSITORY']}/actions/runs/{e['GITHUB_RUN_ID']}"
        return CiInfo("github", g("GITHUB_HEAD_REF", "GITHUB_REF_NAME"), g("GITHUB_SHA"), url, pr)
    if e.get("GITLAB_CI"):
        return CiInfo("gitlab", g("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME", "CI_COMMIT_BRANCH"),
                      g("CI_COMMIT_SHA"), g("CI_JOB_URL", "CI_PIPELINE_URL"), g("CI_MERGE_REQUEST_IID"))
    if e.get("CIRCLECI"):
        pr = g("CIRCLE_PR_NUMBER") or (e["CIRCLE_PULL_REQUEST"].rstrip("/").rsplit("/", 1)[-1]
                                       if e.get("CIRCLE_PULL_REQUEST") else None)
        return CiInfo("circleci", g("CIRCLE_BRANCH"), g("CIRCLE_SHA1"), g("CIRCLE_BUILD_URL"), pr)
    if e.get("BUILDKITE"):
        pr = e.get("BUILDKITE_PULL_REQUEST")
        return CiInfo("buildkite", g("BUILDKITE_BRANCH"), g("BUILDKITE_COMMIT"), g("BUILDKITE_BUILD_URL"),
                      pr if pr and pr != "false" else None)
    if e.get("TF_BUILD"):
        url = None
        if e.get("SYSTEM_COLLECTIONURI") and e.get("BUILD_BUILDID"):
            url = (f"{e['SYSTEM_COLLECTIONURI'].rstrip('/')}/{e.get('SYSTEM_TEAMPROJECT', '')}"
                   f"/_build/results?buildId={e['BUILD_BUILDID']}")
        return CiInfo("azure", _strip_ref(g("SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH")),
                      g("BUILD_SOURCEVERSION"), url,
                      g("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "SYSTEM_PULLREQUEST_PULLREQUESTID"))
    if e.get("JENKINS_URL") or e.get("JENKINS_HOME"):
        return CiInfo("jenkins", _strip_ref(g("CHANGE_BRANCH", "BRANCH_NAME", "GIT_BRANCH")), g("GIT_COMMIT"),
                      g("BUILD_URL"), g("CHANGE_ID"))
    return None


def is_ci(env: Mapping[str, str] | None = None) -> bool:
    e = os.environ if env is None else env
    return bool(e.get("CI")) or detect_ci(e) is not None


def fancy_output(stream: Any = None) -> bool:
    """A live progress bar only on a real terminal outside CI."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and not is_ci()
