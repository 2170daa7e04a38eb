"""Findings: what assetlint reports about an asset, whatever produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assetlint.model import LoadIssue

SEVERITIES = ("error", "warning", "info")

# Cap on element indices a finding carries, so a million bad faces do not make a
# million-line report; ``count`` still says how many there were.
SAMPLE_LIMIT = 20


@dataclass
class Finding:
    code: str
    severity: str  # "error", "warning" or "info"
    message: str  # says the measured value and the limit
    path: str  # the asset file
    subject: str | None = None  # the mesh/node/material/texture it is about
    count: int | None = None  # how many elements are affected
    sample: dict[str, list[int]] = field(default_factory=dict)  # "faces"/"edges"/... -> indices

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_load_issue(issue: LoadIssue, path: str) -> Finding:
    return Finding(issue.code, issue.severity, issue.message, path, subject=issue.subject)


def load_failure(message: str, path: str) -> Finding:
    """The finding for a file that gave no Asset at all."""
    return Finding("L001", "error", message, path)
