"""The command line of targets: the options `check` takes, the `targets` command
and ``python -m assetlint.targets --update-readme``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assetlint import categories
from assetlint.engine import Engine
from assetlint.plugins import PluginError
from assetlint.targets.packs import PackError
from assetlint.targets.table import all_targets, key_numbers, table, update_readme


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `assetlint check` takes for targets."""
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAMES",
        help="destinations to judge for, comma-separated (unity,print); see `assetlint targets`",
    )
    parser.add_argument(
        "--size",
        metavar="SIZE",
        help="the object's real size (largest dimension: 0.3m, 30cm, 12in) or a category "
        "(helmet, chair, car)",
    )
    parser.add_argument(
        "--category",
        metavar="NAME",
        help="what the object is, to judge its size against the category's range: "
        + ", ".join(categories.names()),
    )


def add_targets_command(subparsers: Any) -> None:
    """`assetlint targets`: the packs and their key numbers."""
    p = subparsers.add_parser("targets", help="list the target packs and their key numbers")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def cmd_targets(ns: argparse.Namespace, engine: Engine | None = None) -> int:
    """Print the targets table; 0, or 2 when a pack is broken."""
    try:
        engine = engine or Engine.default()
        targets = all_targets(engine)
    except (PackError, PluginError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if ns.format == "json":
        json.dump(
            [
                {
                    "name": t.name,
                    "description": t.description,
                    "family": t.family,
                    "extends": list(t.chain[:-1]),
                    "rules": t.select,
                    "severities": t.severities,
                    "params": t.params,
                }
                for t in targets
            ],
            sys.stdout,
            indent=2,
        )
        print()
    elif ns.format == "markdown":
        print(table(targets, engine.rules))
    else:
        rows = [{"target": t.name, **key_numbers(t, engine.rules)} for t in targets]
        head = list(rows[0]) if rows else []
        widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in head}
        print("  ".join(h.ljust(widths[h]) for h in head).rstrip())
        for r in rows:
            print("  ".join(r[h].ljust(widths[h]) for h in head).rstrip())
        print()
        for t in targets:
            print(f"{t.name}: {t.description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assetlint.targets --update-readme [README.md]` regenerates the table."""
    parser = argparse.ArgumentParser(prog="python -m assetlint.targets")
    parser.add_argument("--update-readme", metavar="README", nargs="?", const="README.md")
    ns = parser.parse_args(argv)
    if ns.update_readme:
        changed = update_readme(Path(ns.update_readme))
        print(f"{ns.update_readme}: {'updated' if changed else 'up to date'}")
        return 0
    return cmd_targets(argparse.Namespace(format="text"))
