"""Headless CPU renders of an asset from seven sides, with its defects drawn on.

``assetlint render FILE --output views.png`` writes the contact sheet; the HTML reporter
embeds the same views. See :mod:`assetlint.geometry.raster` for why this is numpy rather
than a GL library.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assetlint.render.views import View, best_views, contact_sheet, render_views

__all__ = ["View", "add_render_command", "best_views", "contact_sheet", "render_views"]
_VIEWS = {"View", "best_views", "contact_sheet", "render_views"}


def __getattr__(name: str) -> Any:
    """The renderer's names, imported on first use: the CLI imports this package at
    start-up for :func:`add_render_command` only."""
    if name not in _VIEWS:
        raise AttributeError(f"module 'assetlint.render' has no attribute {name!r}")
    value = getattr(importlib.import_module("assetlint.render.views"), name)
    globals()[name] = value
    return value


def add_render_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``assetlint render`` on the CLI's subparsers (handler in ``func``)."""
    p = subparsers.add_parser(
        "render", help="write front/back/left/right/top/bottom/three-quarter views as one PNG"
    )
    p.add_argument("path", metavar="FILE")
    p.add_argument("--output", "-o", required=True, metavar="PNG")
    p.add_argument("--size", type=int, default=512, help="pixels per view side (default 512)")
    p.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="rules whose findings are drawn (default: those `check` reports for the file; "
        "NONE for plain views)",
    )
    p.set_defaults(func=cmd_render)


def cmd_render(ns: argparse.Namespace) -> int:
    """Lint one file as `check` does and draw what its findings name; 0 on success, 2 when
    it cannot be read or drawn. The asset is read once, by the lint run, which sends it
    back with the findings."""
    from assetlint import config as cfg
    from assetlint.engine import Engine
    from assetlint.plugins import PluginError
    from assetlint.render.views import contact_sheet, render_views
    from assetlint.runner import lint_one

    if not 16 <= ns.size <= 4096:
        print("error: --size must be between 16 and 4096", file=sys.stderr)
        return 2
    select = [c.strip().upper() for v in ns.select or [] for c in v.split(",") if c.strip()]
    plain = select == ["NONE"]
    try:
        engine = Engine.default()
        # the file's config (targets, ignores, thresholds) as `check` reads it; NONE: only
        # whether it reads (L001), nothing drawn
        stated = cfg.Overrides(select=["L001"] if plain else select or None)
        result = lint_one(Path(ns.path), cfg.Resolver(engine.rules, stated), engine)
    except (PluginError, ValueError) as exc:  # a bad config, selector or pack
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.asset is None:
        why = "; ".join(f.message for f in result.findings) or "cannot be read"
        print(f"{ns.path}: error: {why}", file=sys.stderr)
        return 2
    findings = [] if plain else result.findings
    views = render_views(result.asset, findings, size=ns.size, rules=engine.rules)
    if not views:
        print(f"{ns.path}: error: nothing to draw (no valid triangles)", file=sys.stderr)
        return 2
    try:
        contact_sheet(views).save(ns.output, format="PNG")
    except OSError as exc:
        print(f"error: cannot write {ns.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {ns.output} ({len(views)} views)")
    return 0
