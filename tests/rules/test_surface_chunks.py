"""orientation.surface() works SURFACE_CHUNK triangles at a time to bound its memory: what it
keeps must be the whole-array result (bit for bit, except the second moment's BLAS sums)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import load
from assetlint.model import Mesh
from assetlint.rules import orientation

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def whole(mesh: Mesh) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """(area vectors, area, first, second) of every triangle at once, as surface() did
    before it was chunked (the mesh's indices and positions all valid here)."""
    pos = mesh.positions.astype(np.float64)
    tris = mesh.triangles
    a, b, c = pos[tris[:, 0]], pos[tris[:, 1]], pos[tris[:, 2]]
    vectors = np.cross(b - a, c - a)
    area = np.sqrt(np.einsum("ij,ij->i", vectors, vectors)) / 2
    s = a + b + c
    w = (area / 12)[:, None]
    second = (w * a).T @ a + (w * b).T @ b + (w * c).T @ c + (w * s).T @ s
    return vectors, float(area.sum()), (s * (area / 3)[:, None]).sum(axis=0), second


def check(mesh: Mesh) -> None:
    vectors, area, first, second = whole(mesh)
    s = orientation.surface(mesh)
    assert np.array_equal(s.area_vectors, vectors)
    assert s.area == area
    assert np.array_equal(s.first, first)
    np.testing.assert_allclose(s.second, second, rtol=1e-12, atol=0)


def test_chunks_give_the_whole_array_result():
    rng = np.random.default_rng(3)
    n = 2 * orientation.SURFACE_CHUNK + 123  # three chunks, the last one short
    pos = rng.normal(size=(n, 3)) * [3.0, 1.0, 0.2] + [10.0, -2.0, 5.0]
    mesh = Mesh("soup", pos, rng.integers(0, n, size=(n, 3)))
    check(mesh)


@pytest.mark.skipif(not (SHARED / "meshes").is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize(
    "name", ["meshes/fandisk.obj", "generated-real/hunyuan3d1_vernon-banana/mesh.glb"]
)
def test_real_meshes(name):
    for mesh in load(SHARED / name).meshes:
        check(mesh)
