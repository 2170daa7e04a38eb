"""Measurements of what a surface looks like, shared by the image-to-3D heuristics (H rules).

Several rules read the same evidence (albedo sampled on the surface, ambient occlusion,
a fitted light), and computing it is the expensive part, so each piece is computed once
per asset and kept in the asset's one cache (:attr:`Asset.cache`) for as long as the
asset lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from assetlint.model import Asset

T = TypeVar("T")


def memo(asset: Asset, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per asset and key, also when rules run on several threads
    (:meth:`assetlint.model.Cache.memo`). Whoever changes an asset's arrays after
    analysing it must not expect the analysis to follow."""
    return asset.cache.memo(key, compute)
