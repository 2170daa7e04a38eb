"""SARIF 2.1.0 for GitHub code scanning: the rules' metadata (summary, rationale, fix,
default level) in the driver, one result per finding, artifact locations relative to the
repository root (``%SRCROOT%``) so the upload maps them onto the checkout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetlint import __version__

if TYPE_CHECKING:
    from assetlint.reporters import Report

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def repository_root(start: Path) -> Path:
    """The nearest folder holding .git, else ``start``."""
    start = start.resolve()
    return next((d for d in (start, *start.parents) if (d / ".git").exists()), start)


def _location(path: str, root: Path) -> dict[str, Any]:
    p = Path(path).resolve()
    try:
        artifact = {"uri": p.relative_to(root).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        artifact = {"uri": p.as_uri()}
    # GitHub needs a region to place a result; an asset is binary, so its first line
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": 1}}}


def render(report: Report) -> str:
    root = repository_root(report.root)
    codes = sorted({f.code for f in report.findings} | {c for r in report.results for c in r.rules})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = report.rules.get(code)
        entry: dict[str, Any] = {"id": code}
        if rule is not None:
            entry.update(
                name=rule.name,
                shortDescription={"text": rule.summary},
                fullDescription={"text": rule.rationale},
                help={"text": f"Fix: {rule.fix}"},
                defaultConfiguration={"level": LEVELS.get(rule.severity, "warning")},
                properties={"tags": [rule.family, *rule.targets]},
            )
        rules.append(entry)
    results = []
    for f in report.findings:
        subject = f"{f.subject}: " if f.subject else ""
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": subject + f.message},
            "locations": [_location(f.path, root)],
        }
        props = {
            k: v
            for k, v in (("count", f.count), ("value", f.value), ("limit", f.limit))
            if v is not None
        }
        if props:
            result["properties"] = props
        results.append(result)
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
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
