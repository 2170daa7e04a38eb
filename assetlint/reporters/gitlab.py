"""GitLab Code Quality JSON, as ruff writes it: one issue per finding with a description,
the rule as ``check_name``, a stable ``fingerprint`` (the SARIF one: code, path, subject
and location), a severity and ``location.path``/``lines.begin`` relative to the repository
root; info findings only with --show-info. GitLab shows these in merge requests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assetlint.reporters.encoding import json_safe
from assetlint.reporters.sarif import fingerprints, relative_path, repository_root

if TYPE_CHECKING:
    from assetlint.reporters import Report

# GitLab's severities are info, minor, major, critical and blocker.
SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def render(report: Report) -> str:
    root = repository_root(report.root)
    shown = report.shown()
    issues = [
        {
            "description": f"{f.subject + ': ' if f.subject else ''}{f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[f.severity],
            "location": {"path": relative_path(f.path, root), "lines": {"begin": 1}},
        }
        for f, fingerprint in zip(shown, fingerprints(shown, root), strict=True)
    ]
    return json.dumps(json_safe(issues), indent=2) + "\n"
