"""Reporters: one module per output format, each exposing ``render(report) -> str``.

The registry maps a format name to its module, imported only when used, so a new format
is one module and one line here. Several formats can be written from one run (the linting
is done once); files are written atomically, so an interrupted run leaves either the
previous file or the complete new one.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

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
            "findings": [f.to_dict() for f in self.findings],
            "results": [
                {"path": r.path, "loaded": r.loaded, "rules": r.rules, "stats": r.stats}
                for r in self.results
            ],
            "counts": self.counts(),
            "fail_on": self.fail_on,
            "exit_code": self.exit_code,
        }


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
