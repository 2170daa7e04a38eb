"""JUnit XML (junit-xml package) for CI test views (Jenkins, GitLab): one testsuite per
asset with its stats as properties, one testcase per rule that ran. Errors are failures;
warnings are failures only with fail-on = warning, else they pass with the finding in
system-out; rules of a file that could not be loaded are skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from junit_xml import TestCase, TestSuite, to_xml_report_string

if TYPE_CHECKING:
    from assetlint.reporters import Report


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


def render(report: Report) -> str:
    suites = []
    for result in report.results:
        by_code: dict[str, list] = {}
        for f in result.findings:
            by_code.setdefault(f.code, []).append(f)
        cases = []
        for code in sorted(set(result.rules) | set(by_code)):
            rule = report.rules.get(code)
            name = f"{code} {rule.name}" if rule else code
            case = TestCase(name, classname=result.path)
            found = by_code.get(code, [])
            lines = [
                f"{f.severity}: {f.subject + ': ' if f.subject else ''}{f.message}" for f in found
            ]
            failing = [f for f in found if report.fails(f)]
            if failing:
                first = failing[0]
                case.add_failure_info(
                    message=f"{first.subject + ': ' if first.subject else ''}{first.message}",
                    output="\n".join(lines),
                    failure_type=first.severity,
                )
            elif not result.loaded and not found:
                case.add_skipped_info("not checked: the file could not be loaded")
            elif lines:
                case.stdout = "\n".join(lines)
            cases.append(case)
        props = _properties(result.stats)
        props.pop("path", None)
        suites.append(TestSuite(result.path, cases, properties=props or None, file=result.path))
    return _strict(to_xml_report_string(suites, encoding="utf-8"))


# Attributes the Jenkins xUnit schema (junit-10.xsd) allows where junit-xml writes more.
_ALLOWED = {"testsuites": {"name", "time", "tests", "failures", "errors"}}
_DROPPED = {"testsuite": {"disabled"}}


def _strict(xml: str) -> str:
    """Drop the attributes junit-xml adds that strict consumers' schema does not know."""
    root = ET.fromstring(xml)
    for el in root.iter():
        for attr in list(el.attrib):
            if attr not in _ALLOWED.get(el.tag, {attr}) or attr in _DROPPED.get(el.tag, ()):
                del el.attrib[attr]
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
