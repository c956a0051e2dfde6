"""`--junit` writes JUnit XML that validates against Jenkins' junit-10.xsd."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from tests.exec.conftest import DATA, RECORDER_FLOWS, run_cli

pytestmark = pytest.mark.browser
XSD = Path(__file__).with_name("junit-10.xsd")


def test_it_writes_junit_valid_against_junit_10_xsd(site_url: str, tmp_path) -> None:
    junit = tmp_path / "junit.xml"
    report = tmp_path / "report.json"
    proc = run_cli(str(DATA / "native_pass.yaml"), str(RECORDER_FLOWS / "fails_missing_element.json"),
                   "--base-url", site_url, "--junit", str(junit), "--report-json", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    xmlschema.XMLSchema(str(XSD)).validate(str(junit))  # raises with the reason when invalid

    root = ElementTree.parse(junit).getroot()
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["native_pass", "fails_missing_element"]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None
    import json

    error = json.loads(report.read_text())["tests"][1]["error"]
    assert failure.get("message") == error  # failure message = the report's error
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
