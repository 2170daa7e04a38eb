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
    subject: str | None = None  # the mesh/node/material/texture it is about (its name)
    subject_type: str | None = None  # "mesh", "node", "material", "texture", "scene"...
    count: int | None = None  # how many elements are affected
    value: float | None = None  # the measured value the message states
    limit: float | None = None  # the threshold it was compared with
    # Bounded sample of element indices so a tool can highlight them: "faces" and "vertices"
    # index the mesh's arrays, "edges" are [vertex, vertex] pairs.
    sample: dict[str, list] = field(default_factory=dict)
    location: list[float] | None = None  # a point in mesh-local metres (the worst spot)
    # A unit vector in the canonical frame (+Y up, +Z front), for findings about a direction
    # (H001: towards the baked light), so that renderers and tools need not parse messages.
    direction: list[float] | None = None
    # The target packs that report it ("default" when none was named), so that JSON and
    # CI tools need not parse the "[unity, print]" prefix of a several-target message.
    target: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_load_issue(issue: LoadIssue, path: str) -> Finding:
    return Finding(issue.code, issue.severity, issue.message, path, subject=issue.subject)


def load_failure(message: str, path: str) -> Finding:
    """The finding for a file that gave no Asset at all."""
    return Finding("L001", "error", message, path)
