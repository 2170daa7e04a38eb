"""SARIF 2.1.0 for GitHub code scanning: the rules' metadata (summary, rationale, fix,
default level) in the driver, one result per finding with artifact locations relative to
the repository root (``%SRCROOT%``) so the upload maps them onto the checkout; files
outside the repository are relative to the scan root (``SCANROOT``, the deepest folder
holding them all). Only ``originalUriBaseIds`` names the two folders absolutely, as SARIF
2.1.0 (3.14.14) provides, so a report moves between machines.

No ``helpUri``: SARIF (3.49.12) wants the absolute URI of the rule's primary
documentation, and the project publishes no documentation site a URI could name; a
``file://`` URI of the local checkout means nothing where the report is read. The rule's
documentation travels in ``help`` (text and Markdown) instead, which code scanning shows.

What code scanning needs beyond the schema: a stable ``partialFingerprints`` entry per
result (else results on the same file and line merge, and alerts reopen on every run),
no info findings unless asked (they are notes that clutter the alert list), and at most
25,000 results per run (GitHub's limit); past it the most severe are kept and a run-level
notification says how many were dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetlint import __version__
from assetlint.findings import SEVERITY_RANK, Finding
from assetlint.reporters.encoding import json_safe

if TYPE_CHECKING:
    from assetlint.reporters import Report
    from assetlint.rules import Rule

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub code scanning, "SARIF support": "Maximum results per run: 25,000".
# https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
MAX_RESULTS = 25_000
FINGERPRINT = "assetlintFinding/v1"
# The key code scanning matches results on. github/codeql-action's upload-sarif fills it,
# when absent, with a hash of the result's line in the file: for a binary asset the same
# for every result in it, and new whenever its bytes change, so alerts would reopen on
# every edit. It keeps a value that is there, so the stable fingerprint goes there too.
GITHUB_FINGERPRINT = "primaryLocationLineHash"


def repository_root(start: Path) -> Path:
    """The nearest folder holding .git, else ``start``."""
    start = start.resolve()
    return next((d for d in (start, *start.parents) if (d / ".git").exists()), start)


SCAN_ROOT = "SCANROOT"


@dataclass(frozen=True)
class Places:
    """Where findings' files are, without absolute paths: relative to the repository
    root (``%SRCROOT%``) when inside it, else to the scan root (:data:`SCAN_ROOT`)."""

    root: Path
    scan_root: Path | None

    @classmethod
    def of(cls, paths: Iterable[str], root: Path) -> Places:
        outside = [p.parent for p in map(_resolved, paths) if not p.is_relative_to(root)]
        scan_root = Path(os.path.commonpath(outside)) if outside else None
        return cls(root, scan_root)

    def locate(self, path: str) -> tuple[str, str]:
        """(base id, posix path relative to that base) of a finding's file."""
        p = _resolved(path)
        if p.is_relative_to(self.root) or self.scan_root is None:
            return "%SRCROOT%", p.relative_to(self.root).as_posix()
        return SCAN_ROOT, p.relative_to(self.scan_root).as_posix()

    def relative(self, path: str) -> str:
        return self.locate(path)[1]

    def base_ids(self) -> dict[str, dict[str, str]]:
        """``originalUriBaseIds``: the one place the folders are absolute."""
        bases = {"%SRCROOT%": {"uri": self.root.as_uri() + "/"}}
        if self.scan_root is not None:
            bases[SCAN_ROOT] = {"uri": self.scan_root.as_uri().rstrip("/") + "/"}
        return bases


def _resolved(path: str) -> Path:
    return Path(path).resolve()


def _location(artifact: dict[str, str]) -> dict[str, Any]:
    # GitHub needs a region to place a result; an asset is binary, so its first line
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}}}


def fingerprints(findings: Iterable[Finding], places: Places) -> list[str]:
    """One stable fingerprint per finding: a hash of its code, its path relative to the
    repository, its subject and its location (rounded to 0.1 mm, so float noise between
    runs does not reopen an alert), numbered among findings that agree on all four."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        where = "" if f.location is None else ",".join(f"{float(v):.4f}" for v in f.location)
        key = "\0".join((f.code, places.relative(f.path), f.subject or "", where))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def _rule_entry(code: str, rule: Rule | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": code}
    if rule is None:
        return entry
    entry.update(
        name=rule.name,
        shortDescription={"text": rule.summary},
        fullDescription={"text": rule.rationale},
        help={
            "text": f"Fix: {rule.fix}",
            "markdown": f"**{rule.summary}**\n\n{rule.rationale}\n\n**Fix:** {rule.fix}",
        },
        defaultConfiguration={"level": LEVELS.get(rule.severity, "warning")},
        properties={"tags": [rule.family, *rule.targets]},
    )
    return entry


def render(report: Report) -> str:
    root = repository_root(report.root)
    shown = report.shown()
    by_severity = sorted(range(len(shown)), key=lambda i: SEVERITY_RANK[shown[i].severity])
    keep = set(by_severity[:MAX_RESULTS])
    dropped = len(shown) - len(keep)
    findings = [f for i, f in enumerate(shown) if i in keep]  # in the order found
    codes = sorted({f.code for f in findings} | {c for r in report.results for c in r.rules})
    index = {code: i for i, code in enumerate(codes)}
    rules = [_rule_entry(code, report.rules.get(code)) for code in codes]
    places = Places.of((f.path for f in findings), root)
    results = []
    for f, print_ in zip(findings, fingerprints(findings, places), strict=True):
        base, uri = places.locate(f.path)
        subject = f"{f.subject}: " if f.subject else ""
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": subject + f.message},
            "locations": [_location({"uri": uri, "uriBaseId": base})],
            "partialFingerprints": {FINGERPRINT: print_, GITHUB_FINGERPRINT: print_},
        }
        props = {
            k: v
            for k, v in (("count", f.count), ("value", f.value), ("limit", f.limit))
            if v is not None
        }
        if props:
            result["properties"] = props
        results.append(result)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if dropped:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "descriptor": {"id": "results-capped"},
                "message": {
                    "text": f"{dropped:,} of {len(shown):,} results dropped: code scanning "
                    f"takes at most {MAX_RESULTS:,} per run (the most severe are kept)"
                },
            }
        ]
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "assetlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": places.base_ids(),
                "results": results,
            }
        ],
    }
    return json.dumps(json_safe(doc), indent=2) + "\n"
