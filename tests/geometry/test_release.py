"""Derived data a large mesh's rules are done with is freed, not kept alive elsewhere."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from assetlint.geometry.shells import nesting_across_meshes
from assetlint.geometry.topology import topology
from assetlint.loaders import load

TWO_OBJECTS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "meshes" / "two_objects.obj"
)


@pytest.mark.skipif(not TWO_OBJECTS.is_file(), reason="shared corpus not present")
def test_nesting_across_meshes_does_not_keep_the_topologies_alive():
    """trimesh's two_objects.obj (a tetrahedron inside a cube, two meshes): once the
    meshes' caches drop their topology (as the engine does after the G and P rules on a
    large mesh), the cached nesting answer does not hold it (it was ~110 MB per million
    triangles under the later rules' peaks); asked again, the answer is the same."""
    asset = load(TWO_OBJECTS)
    first = {i: kinds.tolist() for i, kinds in nesting_across_meshes(asset, 1e-6).items()}
    assert first == {0: [""], 1: ["hidden"]}
    refs = [weakref.ref(topology(mesh, 1e-6)) for mesh in asset.meshes]
    for mesh in asset.meshes:
        mesh.cache.release(["topology"])
    gc.collect()
    assert [ref() for ref in refs] == [None, None]
    again = {i: kinds.tolist() for i, kinds in nesting_across_meshes(asset, 1e-6).items()}
    assert again == first
