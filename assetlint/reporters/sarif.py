"""SARIF 2.1.0 for GitHub code scanning: the rules' metadata (summary, rationale, fix,
default level, a link to their section of docs/rules.md) in the driver, one result per
finding with artifact locations relative to the repository root (``%SRCROOT%``) so the
upload maps them onto the checkout.

What code scanning needs beyond the schema: a stable ``partialFingerprints`` entry per
result (else results on the same file and line merge, and alerts reopen on every run),
no info findings unless asked (they are notes that clutter the alert list), and at most
25,000 results per run (GitHub's limit); past it the most severe are kept and a run-level
notification says how many were dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
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


def _artifact(path: str, root: Path) -> dict[str, str]:
    p = Path(path).resolve()
    try:
        return {"uri": p.relative_to(root).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": p.as_uri()}


def relative_path(path: str, root: Path) -> str:
    """The path relative to the repository root (posix), else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return p.as_posix()


def _location(artifact: dict[str, str]) -> dict[str, Any]:
    # GitHub needs a region to place a result; an asset is binary, so its first line
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}}}


def fingerprints(findings: Iterable[Finding], root: Path) -> list[str]:
    """One stable fingerprint per finding: a hash of its code, its path relative to the
    repository, its subject and its location (rounded to 0.1 mm, so float noise between
    runs does not reopen an alert), numbered among findings that agree on all four."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        where = "" if f.location is None else ",".join(f"{float(v):.4f}" for v in f.location)
        key = "\0".join((f.code, relative_path(f.path, root), f.subject or "", where))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def rules_page() -> Path | None:
    """docs/rules.md beside the package (a checkout or an editable install), if present."""
    from assetlint.docs import RULES_PAGE

    return RULES_PAGE if RULES_PAGE.is_file() else None


def _rule_entry(code: str, rule: Rule | None, page: Path | None) -> dict[str, Any]:
    from assetlint.docs import anchor

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
    if page is not None:
        entry["helpUri"] = f"{page.as_uri()}#{anchor(rule)}"
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
    page = rules_page()
    rules = [_rule_entry(code, report.rules.get(code), page) for code in codes]
    results = []
    for f, print_ in zip(findings, fingerprints(findings, root), strict=True):
        subject = f"{f.subject}: " if f.subject else ""
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": subject + f.message},
            "locations": [_location(_artifact(f.path, root))],
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
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(json_safe(doc), indent=2) + "\n"
