"""One cache per asset (:attr:`Asset.cache`): the analyses' memo and the USD validators'
report live there, a key is computed once even by rules on several threads, and a kept
asset sent back from a worker carries none of it."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path

import pytest

from assetlint.analysis import memo
from assetlint.model import Asset, Cache, Mesh

PACKAGE = Path(__file__).resolve().parents[1] / "assetlint"
GPRIM = PACKAGE.parent / ".." / "shared" / "corpus" / "usd" / "openusd_usdchecker" / "bad"
GPRIM = GPRIM / "badGprimParent.usda"  # one UsdValidation error: U005


def _asset() -> Asset:
    asset = Asset(path=Path("a.glb"), format="glb", file_size=0)
    asset.meshes.append(Mesh(name="m", positions=[[0, 0, 0]] * 3, triangles=[[0, 1, 2]]))
    return asset


def test_memo_computes_a_key_once_across_threads():
    asset = _asset()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    threads = [threading.Thread(target=memo, args=(asset, "k", slow)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and asset.cache["k"] == 42 and memo(asset, "k", slow) == 42
    assert memo(_asset(), "k", lambda: 7) == 7  # another asset, another cache


def test_a_pickled_asset_arrives_without_its_caches_and_clearing_forgets_all():
    asset = _asset()
    asset.cache.memo("albedo.samples", lambda: [1, 2])
    asset.meshes[0].cache["topology"] = "t"
    back = pickle.loads(pickle.dumps(asset))
    assert len(back.cache) == 0 and not back.meshes[0].cache
    assert back.cache.memo("k", lambda: 3) == 3  # usable, with locks of its own
    asset.clear_caches()
    assert not asset.cache and not asset.meshes[0].cache


@pytest.mark.skipif(not GPRIM.is_file(), reason="../shared/corpus not present")
def test_usd_validators_report_is_kept_in_the_asset_cache(monkeypatch):
    """All U rules read one UsdValidation run, kept in the asset's cache."""
    from assetlint.engine import Engine
    from assetlint.loaders import load
    from assetlint.loaders import usd as usd_loader

    runs: list[str] = []
    isolated = usd_loader.isolated

    def counted(*args):
        runs.append(args[-1])
        return isolated(*args)

    asset = load(GPRIM)
    monkeypatch.setattr(usd_loader, "isolated", counted)
    engine = Engine.default(entry_points=False)
    first = [f.code for f in engine.run(asset, select=["U"])]
    assert first == ["U005"] == [f.code for f in engine.run(asset, select=["U"])]
    assert runs == ["the validators"]
    assert [e[0] for e in asset.cache["validators.usd"]] == ["U005"]


@pytest.mark.parametrize("name", ["_usd_validation", "_CACHES", "asset_cache"])
def test_no_other_cache_is_left(name):
    hits = [p for p in PACKAGE.rglob("*.py") if name in p.read_text(encoding="utf-8")]
    assert hits == []


def test_cache_is_a_mapping():
    cache = Cache()
    cache["a"] = 1
    assert dict(cache) == {"a": 1} and cache.get("b") is None and "a" in cache
    assert cache.pop("a") == 1 and not cache
