"""The README's rule table, generated from the rules' own metadata so that it is written
once. ``python -m assetlint.docs`` rewrites the block between the markers in README.md;
``--check`` only says whether it is stale (a test runs that)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from assetlint.engine import Engine
from assetlint.rules import Rule

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_table(rules: Iterable[Rule]) -> str:
    """A Markdown table of the rules, one row per code."""
    lines = [
        "| Code | Name | Severity | Targets | Auto-fix | Detects |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rules:
        targets = "all" if "all" in r.targets else ", ".join(r.targets)
        lines.append(
            f"| {r.code} | `{r.name}` | {r.severity} | {targets} | "
            f"{'yes' if r.autofix else 'no'} | {_cell(r.summary)} |"
        )
    return "\n".join(lines)


def builtin_table() -> str:
    """The table of the built-in rules (installed third-party packs are left out)."""
    engine = Engine.default(entry_points=False)
    intro = (
        "Generated from the rules' metadata by `python -m assetlint.docs`; "
        "`assetlint explain CODE` prints a rule's rationale, fix and parameters."
    )
    return f"{intro}\n\n{rules_table(engine.rules.values())}"


def render(readme: str, table: str) -> str:
    """``readme`` with the block between the markers replaced by ``table``."""
    start = readme.find(START)
    end = readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {START} ... {END} block")
    return readme[: start + len(START)] + "\n" + table + "\n" + readme[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assetlint.docs", description=__doc__)
    parser.add_argument("readme", nargs="?", type=Path, default=README)
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    ns = parser.parse_args(argv)
    current = ns.readme.read_text(encoding="utf-8")
    try:
        updated = render(current, builtin_table())
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if updated == current:
        return 0
    if ns.check:
        print(f"{ns.readme}: rule table is stale; run `python -m assetlint.docs`", file=sys.stderr)
        return 1
    ns.readme.write_text(updated, encoding="utf-8")
    print(f"{ns.readme}: rule table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
