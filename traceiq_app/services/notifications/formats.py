"""What each channel kind receives for an event: the Standard Webhooks envelope (generic
webhooks), a Slack Block Kit message, a Microsoft Teams Adaptive Card (Workflows webhook), or an
e-mail (subject, plain text, HTML). Everything is built from the event's `data` (see
docs/webhooks.md for the schema per event type)."""

from __future__ import annotations

import html
from typing import Any

SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
TEAMS_MAX_FAILURES = 20
EMAIL_MAX_FAILURES = 50

TITLES = {
    "run.finished": "Run finished",
    "run.failed": "Run failed",
    "run.recovered": "Run recovered",
    "schedule.missed": "Schedule missed",
    "test.flaky_detected": "Flaky test detected",
    "defect.assigned": "Defect assigned",
    "defect.status_changed": "Defect status changed",
    "defect.commented": "New comment on a defect",
    "notification.test": "Test notification",
}


def envelope(event_type: str, timestamp: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": timestamp, "data": data}


def title(event_type: str, data: dict[str, Any]) -> str:
    base = TITLES.get(event_type, event_type)
    project = data.get("project_name") or ""
    what = data.get("run_title") or data.get("schedule_name") or data.get("test_name") or data.get("title") or ""
    return " · ".join(p for p in (base, project, what) if p)


def _duration(ms: Any) -> str:
    if not isinstance(ms, int | float):
        return "—"
    seconds = int(ms) // 1000
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def summary_lines(event_type: str, data: dict[str, Any]) -> list[str]:
    """Short human lines (status, counts, duration, branch/commit) shared by every format."""
    lines: list[str] = []
    if "status" in data:
        lines.append(f"Status: {data['status']}")
    totals = data.get("totals")
    if isinstance(totals, dict):
        lines.append("Tests: " + ", ".join(f"{totals.get(k, 0)} {k}" for k in
                                            ("total", "passed", "failed", "flaky", "errors", "skipped")))
    if "duration_ms" in data:
        lines.append(f"Duration: {_duration(data.get('duration_ms'))}")
    if data.get("branch") or data.get("commit"):
        lines.append(f"Branch: {data.get('branch') or '—'}  Commit: {(data.get('commit') or '—')[:12]}")
    if data.get("trigger"):
        lines.append(f"Trigger: {data['trigger']}")
    if data.get("reason"):
        lines.append(f"Reason: {data['reason']}")
    if data.get("message"):
        lines.append(str(data["message"]))
    return lines


def _failures(data: dict[str, Any]) -> list[dict[str, Any]]:
    value = data.get("failing_tests")
    return [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []


def _failure_line(f: dict[str, Any]) -> str:
    error = (f.get("error") or "").strip().splitlines()
    first = error[0][:300] if error else "no error message"
    browser = f" ({f['browser']})" if f.get("browser") else ""
    return f"{f.get('name', 'test')}{browser}: {first}"


# ---- Slack --------------------------------------------------------------------------------
def slack(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Block Kit within Slack's limits: at most 50 blocks, 3,000 characters a section; a long
    failure list is cut with "and N more"."""
    head = title(event_type, data)[:150]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head, "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape("\n".join(summary_lines(event_type, data))
                                                                             or head)[:SLACK_SECTION_CHARS]}},
    ]
    failures = _failures(data)
    reserved = 3  # the "and N more" section, the link and a safety margin
    current = ""
    shown = 0
    for failure in failures:
        line = "• " + _slack_escape(_failure_line(failure))[:SLACK_SECTION_CHARS - 10]
        if current and len(current) + 1 + len(line) > SLACK_SECTION_CHARS:
            if len(blocks) + 1 + reserved > SLACK_MAX_BLOCKS:
                break
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": current}})
            current = ""
        current = f"{current}\n{line}" if current else line
        shown += 1
    if current:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": current}})
    if shown < len(failures):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"…and {len(failures) - shown} more"}})
    if data.get("url"):
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open in TraceIQ"}, "url": data["url"]}]})
    return {"text": head, "blocks": blocks[:SLACK_MAX_BLOCKS]}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---- Microsoft Teams (Workflows webhook, Adaptive Card) -------------------------------------
def teams(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": True, "text": title(event_type, data)},
    ]
    body += [{"type": "TextBlock", "wrap": True, "spacing": "None", "text": line}
             for line in summary_lines(event_type, data)]
    failures = _failures(data)
    for failure in failures[:TEAMS_MAX_FAILURES]:
        body.append({"type": "TextBlock", "wrap": True, "color": "Attention", "text": _failure_line(failure)})
    if len(failures) > TEAMS_MAX_FAILURES:
        body.append({"type": "TextBlock", "wrap": True, "text": f"…and {len(failures) - TEAMS_MAX_FAILURES} more"})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": "1.4", "body": body,
    }
    if data.get("url"):
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in TraceIQ", "url": data["url"]}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


# ---- e-mail -------------------------------------------------------------------------------
def email(event_type: str, data: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML)."""
    subject = "[TraceIQ] " + title(event_type, data)
    lines = summary_lines(event_type, data)
    failures = _failures(data)
    text = [title(event_type, data), "", *lines]
    if failures:
        text += ["", "Failing tests:"]
        text += [f"- {_failure_line(f)}" for f in failures[:EMAIL_MAX_FAILURES]]
        if len(failures) > EMAIL_MAX_FAILURES:
            text.append(f"…and {len(failures) - EMAIL_MAX_FAILURES} more")
    if data.get("url"):
        text += ["", f"Open the run: {data['url']}"]
    esc = html.escape
    parts = [f"<h2 style=\"font-family:sans-serif\">{esc(title(event_type, data))}</h2>",
             "<p style=\"font-family:sans-serif\">" + "<br>".join(esc(line) for line in lines) + "</p>"]
    if failures:
        items = "".join(f"<li><b>{esc(str(f.get('name', 'test')))}</b>"
                        f"{esc(' (' + str(f['browser']) + ')') if f.get('browser') else ''}: "
                        f"<code>{esc(_failure_line(f).split(': ', 1)[-1])}</code></li>"
                        for f in failures[:EMAIL_MAX_FAILURES])
        more = (f"<p>…and {len(failures) - EMAIL_MAX_FAILURES} more</p>" if len(failures) > EMAIL_MAX_FAILURES else "")
        parts.append(f"<h3 style=\"font-family:sans-serif\">Failing tests</h3><ul>{items}</ul>{more}")
    if data.get("url"):
        parts.append(f"<p><a href=\"{esc(str(data['url']), quote=True)}\">Open the run in TraceIQ</a></p>")
    return subject, "\n".join(text) + "\n", "<!doctype html><html><body>" + "".join(parts) + "</body></html>"
