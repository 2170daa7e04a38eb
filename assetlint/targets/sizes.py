"""The size or category a user states (``--size 0.3m``, ``--category chair``) as
overrides of the S rules."""

from __future__ import annotations

import math
import re
from typing import Any

from assetlint import categories
from assetlint.rules.scale import UNITS

_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([-+]?\d+))?\s*(mm|cm|m|in|ft)?\s*$", re.I)


def parse_size(text: str, option: str = "--size") -> tuple[float, str | None]:
    """'0.3m', '30 cm', '12in', '0.3' (metres) -> (metres, None); a category ('helmet',
    see assetlint/categories.py) -> (its typical size, the category's name). ``option``
    names where the text came from in the ValueError (a config file's key, or --size)."""
    try:
        category = categories.lookup(text)
    except ValueError:
        category = None
    if category is not None:
        return category.typical, category.name
    match = _SIZE.match(text.strip())
    if not match:
        raise ValueError(
            f"{option} {text!r}: give a length like 0.3m, 30cm, 12in, or a category: "
            + ", ".join(categories.names())
        )
    # parsed as one float: 10 ** int(exponent) overflows a float past 1e308 (a traceback)
    # and takes minutes for an exponent of a billion
    value = float(f"{match.group(1)}e{match.group(2) or 0}")
    metres = value * UNITS[(match.group(3) or "m").lower()]
    if not (metres > 0 and math.isfinite(metres)):
        raise ValueError(f"{option} {text!r}: the size must be positive and finite")
    return metres, None


def size_overrides(text: str) -> dict[str, dict[str, Any]]:
    """Overrides (for :func:`resolve`) stating the asset's real size for the S rules; a
    category given as a size (--size chair) is a category (--category chair)."""
    metres, category = parse_size(text)
    if category is not None:
        return category_overrides(category)
    return {"S": {"expected_size": metres}}


def category_overrides(name: str) -> dict[str, dict[str, Any]]:
    """Overrides (for :func:`resolve`) naming the object's category for the S rules: S001
    judges the size against the category's range, S006 is silenced."""
    return {"S": {"category": categories.lookup(name).name}}
