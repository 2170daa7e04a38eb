"""Ruff-like text: one line per finding, info findings hidden unless --show-info."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetlint.findings import Finding

if TYPE_CHECKING:
    from assetlint.reporters import Report


def format_finding(f: Finding) -> str:
    """``path: CODE (severity) subject: message``."""
    subject = f"{f.subject}: " if f.subject else ""
    return f"{f.path}: {f.code} ({f.severity}) {subject}{f.message}"


def render(report: Report) -> str:
    lines = [format_finding(f) for f in report.findings if report.show_info or f.severity != "info"]
    counted = sum(f.severity in ("error", "warning") for f in report.findings)
    hidden = 0 if report.show_info else report.counts()["info"]
    note = f" ({hidden} info finding(s) not shown; --show-info)" if hidden else ""
    n = len(report.results)
    if counted:
        lines.append(f"Found {counted} problem(s) in {n} file(s).{note}")
    else:
        lines.append(f"All checks passed ({n} file(s)).{note}")
    return "\n".join(lines) + "\n"
