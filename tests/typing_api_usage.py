"""A studio import script as a user writes it, type-checked by mypy in CI (.ci/run) with
``disallow_any_expr``: if ``assetlint.lint`` or the Report types lost their annotations,
this file would stop checking. Not a test module: pytest does not collect it."""

from __future__ import annotations

from pathlib import Path

import assetlint


def gate(folder: Path) -> int:
    report: assetlint.Report = assetlint.lint(folder, target="unity", select=["G"], jobs=2)
    for result in report.results:
        result_path: str = result.path
        for finding in result.findings:
            line: str = f"{result_path}: {finding.code} {finding.severity} {finding.message}"
            print(line)
    problems: list[assetlint.Finding] = report.problems()
    print(len(problems), report.counts()["error"], report.targets)
    return 0 if report.ok else report.exit_code
