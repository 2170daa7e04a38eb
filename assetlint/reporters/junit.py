"""JUnit XML (junit-xml package) for CI test views (Jenkins, GitLab): one testsuite per
asset with its stats as properties; one failing testcase per rule whose findings fail the
run (typed by the most severe of them), and one passing testcase for an asset with none,
so that a dashboard shows the problems and not hundreds of passing rules. Findings that do
not fail (warnings with fail-on = error, info with --show-info) go to the passing case's
system-out. The suite's time is the file's real load-and-lint time in this run (0 when it
came from the cache), shared evenly by its testcases, since rules are not timed apart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from junit_xml import TestCase, TestSuite, to_xml_report_string

from assetlint.findings import SEVERITY_RANK
from assetlint.reporters.encoding import xml_text

if TYPE_CHECKING:
    from assetlint.findings import Finding
    from assetlint.reporters import Report

PASSING_CASE = "all checks"


def _properties(stats: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten the loader's summary into name -> text (lists of names joined)."""
    out: dict[str, str] = {}
    for key, value in stats.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_properties(value, f"{name}."))
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out[name] = ", ".join(str(v) for v in value)
            else:
                out[name] = str(len(value))
        elif value is not None:
            out[name] = str(value)
    return out


def _line(f: Finding) -> str:
    return f"{f.severity}: {f.subject + ': ' if f.subject else ''}{f.message}"


def render(report: Report) -> str:
    suites = []
    for result in report.results:
        failing: dict[str, list[Finding]] = {}
        for f in result.findings:
            if report.fails(f):
                failing.setdefault(f.code, []).append(f)
        cases = []
        for code in sorted(failing):
            found = failing[code]
            name = report.rule_name(code)
            case = TestCase(xml_text(f"{code} {name}" if name else code))
            worst = min(found, key=lambda f: SEVERITY_RANK[f.severity])
            case.add_failure_info(
                message=xml_text(f"{worst.subject + ': ' if worst.subject else ''}{worst.message}"),
                output=xml_text("\n".join(_line(f) for f in found)),
                failure_type=worst.severity,
            )
            cases.append(case)
        if not cases:
            case = TestCase(PASSING_CASE)
            rest = [f for f in result.findings if report.show_info or f.severity != "info"]
            if rest:
                case.stdout = xml_text("\n".join(_line(f) for f in rest))
            if not result.loaded:  # unreadable, its L001 not selected: nothing was checked
                case.add_skipped_info("not checked: the file could not be loaded")
            cases.append(case)
        seconds = 0.0 if result.cached else result.seconds
        for case in cases:
            case.elapsed_sec = seconds / len(cases)
            case.classname = xml_text(result.path)
        props = {xml_text(k): xml_text(v) for k, v in _properties(result.stats).items()}
        props.pop("path", None)
        suites.append(
            TestSuite(
                xml_text(result.path),
                cases,
                properties=props or None,
                file=xml_text(result.path),
            )
        )
    return _strict(to_xml_report_string(suites, encoding="utf-8"))


# Attributes the Jenkins xUnit schema (junit-10.xsd) allows where junit-xml writes more.
_ALLOWED = {"testsuites": {"name", "time", "tests", "failures", "errors"}}
_DROPPED = {"testsuite": {"disabled"}}


def _strict(xml: str) -> str:
    """Drop the attributes junit-xml adds that strict consumers' schema does not know, and
    write times in milliseconds as the schema's pattern wants (three decimals at most)."""
    root = ET.fromstring(xml)
    for el in root.iter():
        for attr in list(el.attrib):
            if attr not in _ALLOWED.get(el.tag, {attr}) or attr in _DROPPED.get(el.tag, ()):
                del el.attrib[attr]
        if "time" in el.attrib:
            el.set("time", f"{float(el.get('time', 0)):.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
