"""GitLab Code Quality JSON, as ruff writes it: one issue per finding with a description,
the rule as ``check_name``, a stable ``fingerprint`` (the SARIF one: code, path, subject
and location), a severity and ``location.path``/``lines.begin`` relative to the repository
root (a file outside it: to the scan root, as SARIF's SCANROOT); info findings only with
--show-info. GitLab shows these in merge requests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assetlint.reporters.encoding import json_safe
from assetlint.reporters.sarif import Places, fingerprints, repository_root

if TYPE_CHECKING:
    from assetlint.reporters import Report

# GitLab's severities are info, minor, major, critical and blocker.
SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def render(report: Report) -> str:
    shown = report.shown()
    places = Places.of((f.path for f in shown), repository_root(report.root))
    issues = [
        {
            "description": f"{f.subject + ': ' if f.subject else ''}{f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[f.severity],
            "location": {"path": places.relative(f.path), "lines": {"begin": 1}},
        }
        for f, fingerprint in zip(shown, fingerprints(shown, places), strict=True)
    ]
    return json.dumps(json_safe(issues), indent=2) + "\n"
