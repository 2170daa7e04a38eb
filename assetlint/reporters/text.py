"""Ruff-like text: one line per finding, info findings hidden unless --show-info, then a
summary that counts problems and the files that have them and names what was checked
(the targets, or the default pack). Colours only when the report asks (a terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetlint.findings import Finding
from assetlint.reporters.encoding import terminal_text
from assetlint.rules import plural

if TYPE_CHECKING:
    from assetlint.reporters import Report

# ANSI SGR codes: bold, red, yellow, cyan, dim, reset.
BOLD, RED, YELLOW, CYAN, DIM, RESET = "1", "31", "33", "36", "2", "0"
SEVERITY_COLORS = {"error": RED, "warning": YELLOW, "info": CYAN}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[{RESET}m" if color else text


def format_finding(f: Finding, color: bool = False) -> str:
    """``path: CODE (severity) subject: message``."""
    subject = f"{f.subject}: " if f.subject else ""
    path = _paint(terminal_text(f.path), BOLD, color)
    code = _paint(f.code, SEVERITY_COLORS.get(f.severity, BOLD), color)
    return f"{path}: {code} ({f.severity}) {terminal_text(subject + f.message)}"


def summary(report: Report) -> str:
    """The closing line: problems and the files that have them, what was checked, and the
    info findings not shown."""
    problems = report.problems()
    errors = sum(f.severity == "error" for f in problems)
    files = len(report.results)
    with_problems = len({f.path for f in problems})
    checked = ", ".join(report.targets) or "default"
    hidden = 0 if report.show_info else report.counts()["info"]
    note = f" {plural(hidden, 'info finding')} not shown (--show-info)." if hidden else ""
    if problems:
        head = (
            f"Found {plural(len(problems), 'problem')} ({plural(errors, 'error')}, "
            f"{plural(len(problems) - errors, 'warning')}) in {plural(with_problems, 'file')};"
        )
    else:
        head = "All checks passed!"
    checked = f"{plural(files, 'file')} checked against: {terminal_text(checked)}."
    return f"{_paint(head, BOLD, report.color)} {checked}{note}"


def render(report: Report) -> str:
    lines = [format_finding(f, report.color) for f in report.shown()]
    if not report.quiet:
        lines.append(summary(report))
    return "\n".join(lines) + ("\n" if lines else "")
