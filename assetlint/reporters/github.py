"""GitHub Actions workflow commands: each finding becomes an annotation on the file
(``::error file=...,title=CODE::message``); info findings as notices only with --show-info."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetlint.reporters.encoding import terminal_text

if TYPE_CHECKING:
    from assetlint.reporters import Report

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """A workflow command's message: its own escapes, then no raw control character (a
    name cannot end the command early or forge another)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal_text(text)


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        if f.severity == "info" and not report.show_info:
            continue
        subject = f"{f.subject}: " if f.subject else ""
        lines.append(
            f"::{LEVELS[f.severity]} file={_prop(f.path)},title={_prop(f.code + ' ' + f.severity)}"
            f"::{_data(subject + f.message)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
