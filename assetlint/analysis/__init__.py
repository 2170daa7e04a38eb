"""Measurements of what a surface looks like, shared by the image-to-3D heuristics (H rules).

Several rules read the same evidence (albedo sampled on the surface, ambient occlusion,
a fitted light), and computing it is the expensive part, so each piece is computed once
per asset and kept in :func:`asset_cache` for as long as the asset lives.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from assetlint.model import Asset

T = TypeVar("T")

_CACHES: dict[int, tuple[weakref.ref, dict[str, Any]]] = {}
_LOCK = threading.Lock()


def asset_cache(asset: Asset) -> dict[str, Any]:
    """A dict that lives as long as ``asset`` does (the model has no asset-wide memo, and
    Asset is unhashable). Whoever changes an asset's arrays after analysing it must not
    expect the analysis to follow."""
    key = id(asset)
    with _LOCK:
        entry = _CACHES.get(key)
        if entry is not None and entry[0]() is asset:
            return entry[1]
        store: dict[str, Any] = {}
        ref = weakref.ref(asset, lambda _ref, key=key: _CACHES.pop(key, None))
        _CACHES[key] = (ref, store)
        return store


def memo(asset: Asset, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per asset and key, also when rules run on several threads: a
    thread that asks for a key being computed waits for it rather than computing it
    again."""
    store = asset_cache(asset)
    if key in store:
        return store[key]
    with _LOCK:
        lock = store.setdefault(f"{key}#lock", threading.Lock())
    with lock:
        if key not in store:
            store[key] = compute()
    return store[key]
