"""What assetlint finds in each sample of the bundled corpus, kept in corpus/EXPECTED.json.

A test compares a fresh run with the file, so a change in a loader or a rule that alters
what a newcomer sees on the corpus shows up in review. After a deliberate change, rewrite
the file from the repository root with ``.venv/bin/python -m corpus.expected`` and read
the diff.

Per file: the facts the loader read (format, triangles drawn, authored units and up axis)
and, per run (default rules, then each target in ``RUNS``), every finding as code,
severity, subject and count. Messages are left out: they carry measured floats whose last
digit may move with a numpy release, while the codes, subjects and counts may not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetlint.api import lint
from assetlint.loaders import load
from assetlint.model import LoadError

HERE = Path(__file__).parent
EXPECTED = HERE / "EXPECTED.json"
RUNS: tuple[str | None, ...] = (None, "unity", "print")


def sample_paths(root: Path = HERE) -> list[Path]:
    """The corpus's asset files, in a stable order (the generator and this module are not)."""
    return sorted(
        p for p in root.rglob("*") if p.suffix.lower() in {".glb", ".stl", ".usda", ".obj", ".fbx"}
    )


def facts(path: Path) -> dict[str, Any]:
    """What the loader read, or the load error's first line for an unreadable file."""
    try:
        asset = load(path)
    except LoadError as exc:
        return {"error": str(exc).splitlines()[0]}
    return {
        "format": asset.format,
        "triangles_drawn": asset.scene_triangle_count,
        "meters_per_unit": asset.authored.meters_per_unit,
        "up_axis": asset.authored.up_axis,
        "materials": len(asset.materials),
    }


def findings(path: Path, target: str | None) -> list[list[Any]]:
    """Every finding of one run (info included), as [code, severity, subject, count]."""
    report = lint(path, target=target, config=False)
    rows = [[f.code, f.severity, f.subject, f.count] for f in report.findings]
    return sorted(rows, key=lambda r: (r[0], str(r[2]), r[1], r[3] or 0))


def collect(root: Path = HERE) -> dict[str, Any]:
    """The whole record for the samples under ``root``, keyed by path relative to it."""
    record: dict[str, Any] = {}
    for path in sample_paths(root):
        runs = {target or "default": findings(path, target) for target in RUNS}
        record[path.relative_to(root).as_posix()] = {"facts": facts(path), "findings": runs}
    return record


def dumps(record: dict[str, Any]) -> str:
    """One finding per line, so a changed finding is a one-line diff."""
    lines = ["{"]
    for i, (name, entry) in enumerate(record.items()):
        lines.append(f"  {json.dumps(name)}: {{")
        lines.append(f'    "facts": {json.dumps(entry["facts"])},')
        lines.append('    "findings": {')
        runs = list(entry["findings"].items())
        for j, (run, rows) in enumerate(runs):
            body = ",\n".join(f"        {json.dumps(r)}" for r in rows)
            inner = f"\n{body}\n      " if rows else ""
            sep = "," if j < len(runs) - 1 else ""
            lines.append(f"      {json.dumps(run)}: [{inner}]{sep}")
        lines.append("    }")
        lines.append("  }" + ("," if i < len(record) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    EXPECTED.write_text(dumps(collect()))


if __name__ == "__main__":
    main()
