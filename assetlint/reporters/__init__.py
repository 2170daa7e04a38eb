"""Reporters: one module per output format, each exposing ``render(report) -> str``.

The registry maps a format name to its module, imported only when used, so a new format
is one module and one line here. Several formats can be written from one run (the linting
is done once); files are written atomically, so an interrupted run leaves either the
previous file or the complete new one.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

# not `import json`: the submodule assetlint.reporters.json takes that name in this package
from json import dumps as json_dumps
from pathlib import Path
from typing import Any, TextIO

from assetlint import __version__
from assetlint.batch import FileResult, write_atomic
from assetlint.findings import Finding
from assetlint.rules import Rule
from assetlint.rules.internal import INTERNAL_ERROR

REPORTERS: dict[str, str] = {
    "text": "assetlint.reporters.text",
    "json": "assetlint.reporters.json",
    "junit": "assetlint.reporters.junit",
    "sarif": "assetlint.reporters.sarif",
    "github": "assetlint.reporters.github",
    "gitlab": "assetlint.reporters.gitlab",
    "html": "assetlint.reporters.html",
}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass
class Report:
    """The outcome of a run: per-file results in the order given, and what judging them
    needs (the rules' metadata, which severities fail, the repository root)."""

    results: list[FileResult]
    rules: Mapping[str, Rule] = field(default_factory=dict)
    fail_on: str = "warning"
    show_info: bool = False
    root: Path = field(default_factory=Path.cwd)  # SARIF locations are relative to it
    errors: list[str] = field(default_factory=list)  # arguments that named no file
    targets: list[str] = field(default_factory=list)  # the packs judged against, in order
    quiet: bool = False  # findings only, no summary line (text)
    color: bool = False  # ANSI colours in text output (a terminal, see use_color)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def truncated(self) -> bool:
        """Whether findings were left out of the results (alike ones grouped into one with a
        count, or a file's findings capped, see batch.lint_file): JSON says so at the top."""
        return any(r.truncated for r in self.results) or any(f.repeats for f in self.findings)

    @property
    def files(self) -> list[str]:
        return [r.path for r in self.results]

    def fails(self, f: Finding) -> bool:
        """Whether this finding fails the run (errors always; warnings unless fail-on is
        error)."""
        return f.severity == "error" or (f.severity == "warning" and self.fail_on == "warning")

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_CLEAN

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings, 2 a file that could not be read or checked (as ruff's)."""
        if self.errors or any(not r.loaded for r in self.results):
            return EXIT_ERROR
        if any(f.code == INTERNAL_ERROR.code for f in self.findings):
            return EXIT_ERROR
        return EXIT_FINDINGS if any(self.fails(f) for f in self.findings) else EXIT_CLEAN

    def shown(self) -> list[Finding]:
        """The findings a reader is shown: info ones only when asked (--show-info)."""
        return [f for f in self.findings if self.show_info or f.severity != "info"]

    def problems(self) -> list[Finding]:
        """Errors and warnings, the findings a summary counts as problems."""
        return [f for f in self.findings if f.severity in ("error", "warning")]

    def rule_name(self, code: str) -> str | None:
        rule = self.rules.get(code)
        return rule.name if rule is not None else None

    def fixable(self, code: str) -> bool:
        """Whether `assetlint fix` repairs findings of this rule."""
        rule = self.rules.get(code)
        return bool(rule is not None and rule.autofix)

    def finding_dict(self, f: Finding) -> dict[str, Any]:
        """A finding as JSON: its fields, plus its rule's name and whether it is fixable."""
        return {**f.to_dict(), "rule": self.rule_name(f.code), "fixable": self.fixable(f.code)}

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (schemas/report.schema.json)."""
        return {
            "version": __version__,
            "files": self.files,
            "findings": [self.finding_dict(f) for f in self.findings],
            "results": [
                {"path": r.path, "loaded": r.loaded, "rules": r.rules, "stats": r.stats}
                for r in self.results
            ],
            "counts": self.counts(),
            "fail_on": self.fail_on,
            "exit_code": self.exit_code,
            "targets": self.targets,
            "truncated": self.truncated,
        }


def use_color(stream: TextIO) -> bool:
    """Colour when the stream is a terminal; ``NO_COLOR`` (any value) turns it off and
    ``FORCE_COLOR`` on, in that order of precedence, as CPython's own output does."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def statistics(report: Report, as_json: bool = False) -> str:
    """How many findings each rule made (the findings shown), most first, as ruff's
    --statistics: ``count  code  [*] name`` (``[*]``: `assetlint fix` repairs them); a JSON
    list with ``as_json``."""
    counts = Counter(f.code for f in report.shown())
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        listed = [
            {"code": c, "name": report.rule_name(c), "count": n, "fixable": report.fixable(c)}
            for c, n in rows
        ]
        return json_dumps(listed, indent=2) + "\n"
    width = len(str(rows[0][1])) if rows else 1
    return "".join(
        f"{n:>{width}}\t{code}\t{'[*] ' if report.fixable(code) else ''}"
        f"{report.rule_name(code) or ''}\n"
        for code, n in rows
    )


def render(name: str, report: Report) -> str:
    """The report in format ``name``."""
    if name not in REPORTERS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(REPORTERS)}")
    return importlib.import_module(REPORTERS[name]).render(report)


def parse_output(spec: str, default_format: str) -> tuple[str, Path]:
    """``--output`` values: ``FORMAT=FILE``, or a bare ``FILE`` for the --format output."""
    name, sep, path = spec.partition("=")
    if sep and name in REPORTERS:
        return name, Path(path)
    if sep and "/" not in name and "." not in name:
        raise ValueError(
            f"--output {spec}: unknown format {name!r}; choose from {', '.join(REPORTERS)}"
        )
    return default_format, Path(spec)


def write(name: str, report: Report, path: Path) -> None:
    """Render and write atomically."""
    text = render(name, report)
    write_atomic(path, text if text.endswith("\n") else text + "\n")
