"""Findings: what assetlint reports about an asset, whatever produced it."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assetlint.model import LoadIssue

SEVERITIES = ("error", "warning", "info")

# Cap on element indices a finding carries, so a million bad faces do not make a
# million-line report; ``count`` still says how many there were.
SAMPLE_LIMIT = 20
# Findings alike (same code, severity and subject, messages equal but for their numbers)
# from this many on are reported once, with how many there were: 200,000 copies of one
# scene node would otherwise be 200,000 lines and tens of MB of JSON and HTML.
GROUP_AT = 10
# Findings listed per file at most, after grouping (the most severe first); the others
# are counted in FileResult.truncated and stated by one X003 finding.
MAX_PER_FILE = 500
_NUMBER = re.compile(r"\d+")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}  # most severe first


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
    # How many findings this one stands for: alike ones grouped (see group_findings), or
    # for X003 the ones not listed; None: just itself.
    repeats: int | None = None
    # Every element the finding is about, unbounded ("faces", "edges" as vertex pairs,
    # "vertices", and "parts": the part of each face, for findings about parts), so that
    # the run that made it can draw all of them, every hole and not the first twenty edges.
    # It travels with the finding inside a run (pickled from the worker with the asset) and
    # is never written: JSON, SARIF and the cache carry the bounded ``sample``.
    elements: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(dataclasses.replace(self, elements={}))
        del out["elements"]
        return out


def from_load_issue(issue: LoadIssue, path: str) -> Finding:
    return Finding(
        issue.code,
        issue.severity,
        issue.message,
        path,
        subject=issue.subject,
        repeats=issue.repeats,
    )


def load_failure(message: str, path: str) -> Finding:
    """The finding for a file that gave no Asset at all."""
    return Finding("L001", "error", message, path)


def _alike(items: list[Any]) -> dict[int, int]:
    """First index -> group size for the groups of :data:`GROUP_AT` or more items alike
    (same code, severity and subject, messages equal but for their numbers), and -1 for
    the other members of those groups."""
    groups: dict[tuple, list[int]] = {}
    for i, x in enumerate(items):
        key = (x.code, x.severity, x.subject, _NUMBER.sub("#", x.message))
        groups.setdefault(key, []).append(i)
    out: dict[int, int] = {}
    for members in groups.values():
        if len(members) >= GROUP_AT:
            out[members[0]] = len(members)
            out.update(dict.fromkeys(members[1:], -1))
    return out


def _grouped_message(message: str, size: int) -> str:
    return f"{message} ({size} findings like this one; the first is shown)"


def group_findings(findings: list[Finding]) -> list[Finding]:
    """Findings alike (see :func:`_alike`) replaced by the first of them, its ``repeats``
    set and its message saying how many; the order is kept."""
    alike = _alike(findings)
    return [
        dataclasses.replace(f, repeats=n, message=_grouped_message(f.message, n)) if n > 0 else f
        for i, f in enumerate(findings)
        if (n := alike.get(i, 0)) >= 0
    ]


def group_issues(issues: list[LoadIssue]) -> list[LoadIssue]:
    """Load issues alike grouped as findings are (:func:`group_findings`), and at most
    :data:`MAX_PER_FILE` kept, the most severe first, the rest stated by one X003 issue:
    a file whose scene lists one node 200,000 times gives one L005, not 200,000."""
    alike = _alike(issues)
    grouped = [
        dataclasses.replace(x, repeats=n, message=_grouped_message(x.message, n)) if n > 0 else x
        for i, x in enumerate(issues)
        if (n := alike.get(i, 0)) >= 0
    ]
    kept, left_out = cap_findings(grouped)
    if left_out:
        kept.append(LoadIssue("X003", _truncated_message(left_out), "warning", repeats=left_out))
    return kept


def _truncated_message(left_out: int) -> str:
    return (
        f"{left_out} more findings not listed: at most {MAX_PER_FILE} per file, the most "
        "severe first"
    )


def cap_findings(findings: list[Any], limit: int = MAX_PER_FILE) -> tuple[list[Any], int]:
    """At most ``limit`` findings (or load issues), the most severe first chosen, in their
    order; and how many were left out."""
    if len(findings) <= limit:
        return findings, 0
    chosen = sorted(range(len(findings)), key=lambda i: SEVERITY_RANK.get(findings[i].severity, 3))
    return [findings[i] for i in sorted(chosen[:limit])], len(findings) - limit


def as_reported(findings: list[Finding], path: str) -> tuple[list[Finding], int]:
    """The findings of one file as every front end reports them: alike ones grouped, at
    most :data:`MAX_PER_FILE` listed (the loader's X003 kept apart, a new one stating how
    many more were left out), each naming the file by ``path`` as given; and how many
    findings were left out in all."""
    stated = [f for f in findings if f.code == "X003"]  # the loader's cap
    kept, left_out = cap_findings(group_findings([f for f in findings if f.code != "X003"]))
    if left_out:
        stated.append(truncation(left_out, path))
    kept += stated
    for f in kept:
        f.path = path  # the path as given, not as the loader normalized it
    return kept, sum(f.repeats or 0 for f in stated)


def truncation(left_out: int, path: str) -> Finding:
    """The X003 finding that states how many findings of a file were not listed."""
    return Finding("X003", "warning", _truncated_message(left_out), path, repeats=left_out)
