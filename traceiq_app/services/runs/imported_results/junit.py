"""JUnit XML, the flavours CI tools write:

* `<testsuites>` (or a lone `<testsuite>`) with `<testsuite>`s, possibly nested;
* `<testcase name classname time file>` with `<failure>`, `<error>`, `<skipped>`,
  `<system-out>`, `<system-err>`, `<properties>`;
* Maven Surefire reruns: `<flakyFailure>`/`<flakyError>` (failed, then passed: flaky) and
  `<rerunFailure>`/`<rerunError>` (failed every time) become earlier attempts;
* attachments named in the output as `[[ATTACHMENT|path]]` (Jenkins' convention, which
  Playwright's junit reporter follows) are matched with the uploaded files.

A test's folder is its `classname` (else its testsuite's name). Problems are reported with the
file name and line number; nothing of the parser's own wording or stack leaks out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
from datetime import UTC, datetime

from traceiq_app.services.runs.imported_results.report import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    Attachment,
    Attempt,
    ParsedReport,
    ParsedTest,
    ReportInvalid,
)

MAX_TEXT = 20_000
ATTACHMENT_RE = re.compile(r"\[\[ATTACHMENT\|([^\]\n]+)\]\]")
_EXPAT_REASONS = {
    "no element found": "the file ends before the XML is complete",
    "not well-formed (invalid token)": "not well-formed XML (invalid character or markup)",
    "mismatched tag": "a closing tag does not match the open element",
    "junk after document element": "more content after the root element",
    "unclosed token": "an unclosed tag or attribute",
    "syntax error": "not XML",
}


def _element_lines(data: bytes, root: ET.Element) -> dict[int, int]:
    """id(element) -> the line it starts on: expat's start events come in document order, the
    order of `root.iter()` (a second, slower pass: only to locate problems)."""
    starts: list[int] = []
    expat = xml.parsers.expat.ParserCreate()
    expat.StartElementHandler = lambda _name, _attrs: starts.append(expat.CurrentLineNumber)
    expat.Parse(data, True)
    return {id(element): line for element, line in zip(root.iter(), starts, strict=False)}


def _parse_xml(data: bytes, filename: str, *, lines: bool = False) -> tuple[ET.Element, dict[int, int]]:
    """The root element and, with `lines`, each element's line (slower: only to locate problems)."""
    if b"<!ENTITY" in data[:65536]:
        raise ReportInvalid(f"{filename}: XML entity declarations are not accepted")
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0].strip()
        raise ReportInvalid(f"{filename}: line {line}, column {column + 1}: "
                            f"{_EXPAT_REASONS.get(reason, 'not well-formed XML')}") from None
    return root, _element_lines(data, root) if lines else {}


def looks_like_junit(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and (b"<testsuite" in data[:65536] or b"<testsuites" in data[:65536])


def _seconds_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return max(0, round(float(value.replace(",", "")) * 1000))
    except ValueError:
        return None


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _problem_text(element: ET.Element) -> str:
    message = (element.get("message") or "").strip()
    kind = (element.get("type") or "").strip()
    body = _text(element)
    head = ": ".join(x for x in (kind, message) if x)
    text = head if not body or body == message else (f"{head}\n{body}" if head else body)
    return (text or element.tag)[:MAX_TEXT]


def _properties(element: ET.Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for prop in element.findall("property"):
        name = prop.get("name")
        if name:
            value = prop.get("value")
            props[name] = value if value is not None else _text(prop)
    return props


def _attachments(output: str) -> list[Attachment]:
    out: list[Attachment] = []
    for path in ATTACHMENT_RE.findall(output):
        path = path.strip()
        out.append(Attachment(name=path.rsplit("/", 1)[-1], content_type="", path=path))
    return out


RERUNS = {"flakyFailure": FAILED, "flakyError": ERROR, "rerunFailure": FAILED, "rerunError": ERROR}


def _testcase(case: ET.Element, suite_name: str, started: datetime | None) -> ParsedTest:
    name = (case.get("name") or "").strip()
    folder = (case.get("classname") or "").strip() or suite_name or "(no suite)"
    children: dict[str, ET.Element] = {}
    earlier: list[Attempt] = []
    surefire_reruns = False
    for child in case:  # one pass over the children (reports can hold many thousand cases)
        status = RERUNS.get(child.tag)
        if status is not None:
            earlier.append(Attempt(status=status, duration_ms=_seconds_ms(child.get("time")),
                                   error=_problem_text(child), started_at=started))
            surefire_reruns = surefire_reruns or child.tag.startswith("rerun")
        else:
            children.setdefault(child.tag, child)
    output = "\n".join(x for x in (_text(children.get("system-out")), _text(children.get("system-err"))) if x)
    failure, error, skipped = children.get("failure"), children.get("error"), children.get("skipped")
    if failure is not None:
        final = Attempt(status=FAILED, error=_problem_text(failure))
    elif error is not None:
        final = Attempt(status=ERROR, error=_problem_text(error))
    elif skipped is not None:
        final = Attempt(status=SKIPPED, error=(skipped.get("message") or _text(skipped) or None))
    else:
        final = Attempt(status=PASSED)
    final.duration_ms, final.started_at = _seconds_ms(case.get("time")), started
    if output:
        final.output = output[:MAX_TEXT * 10]
        final.attachments = _attachments(output)
    # Surefire: with reruns the <failure> is the first attempt and the reruns came after it;
    # flaky failures came before the final pass.
    attempts = [final, *earlier] if surefire_reruns else [*earlier, final]
    props = _properties(children["properties"]) if "properties" in children else {}
    return ParsedTest(suite_path=[folder], name=name, attempts=attempts, properties=props)


def parse_junit(data: bytes, filename: str = "report.xml") -> ParsedReport:
    try:
        return _parse_junit(data, filename, lines=False)
    except ReportInvalid:
        return _parse_junit(data, filename, lines=True)  # again, to say on which lines


def _parse_junit(data: bytes, filename: str, *, lines: bool) -> ParsedReport:
    root, lines_of = _parse_xml(data, filename, lines=lines)
    if root.tag not in ("testsuites", "testsuite"):
        raise ReportInvalid(f"{filename}: line {lines_of.get(id(root), 1)}: the root element is <{root.tag}>, "
                            "expected <testsuites> or <testsuite> (is this a JUnit XML report?)")
    report = ParsedReport(format="junit")
    problems: list[str] = []
    report.started_at = _timestamp(root.get("timestamp"))
    report.duration_ms = _seconds_ms(root.get("time"))

    def walk(suite: ET.Element, inherited: str) -> None:
        suite_name = (suite.get("name") or "").strip() or inherited
        started = _timestamp(suite.get("timestamp"))
        if report.started_at is None and started is not None:
            report.started_at = started
        for child in suite:
            if child.tag == "testsuite":
                walk(child, suite_name)
            elif child.tag == "testcase":
                test = _testcase(child, suite_name, started)
                if not test.name:
                    problems.append(f"{filename}: line {lines_of.get(id(child), 0)}: <testcase> without a name")
                    continue
                if len(test.name) > 300:
                    test.name = test.name[:299] + "…"
                report.tests.append(test)

    if root.tag == "testsuite":
        walk(root, "")
    else:
        for child in root:
            if child.tag == "testsuite":
                walk(child, "")
    if problems:
        raise ReportInvalid(problems[:50])
    if not report.tests:
        raise ReportInvalid(f"{filename}: no <testcase> elements: nothing to import")
    return report


