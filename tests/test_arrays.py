"""The (n, 3) array helpers: each gives exactly what the plain numpy expression gives."""

from __future__ import annotations

import numpy as np

from assetlint.arrays import column_bounds, cross, finite_rows, in_range_rows, row_matrix, rows


def test_column_bounds_match_numpy_across_block_sizes():
    rng = np.random.default_rng(7)
    for n in (1, 1023, 1024, 2050):
        pts = rng.normal(size=(n, 3)).astype(np.float32)
        lo, hi = column_bounds(pts)
        assert lo.dtype == np.float64
        assert lo.tolist() == pts.min(axis=0).tolist()
        assert hi.tolist() == pts.max(axis=0).tolist()


def test_rows_fold_like_all_and_any():
    mask = np.random.default_rng(1).random((500, 3)) > 0.3
    assert rows(np.logical_and, mask).tolist() == mask.all(axis=1).tolist()
    assert rows(np.logical_or, mask).tolist() == mask.any(axis=1).tolist()


def test_finite_rows_marks_rows_with_a_nan_or_inf():
    pts = np.ones((5, 3))
    assert finite_rows(pts).tolist() == [True] * 5
    pts[1, 2] = np.nan
    pts[3, 0] = -np.inf
    assert finite_rows(pts).tolist() == [True, False, True, False, True]


def test_in_range_rows_marks_rows_with_an_index_outside_the_vertices():
    tris = np.array([[0, 1, 2], [2, 3, 1], [0, -1, 2], [1, 2, 4]], dtype=np.int32)
    assert in_range_rows(tris, 5).tolist() == [True, True, False, True]
    assert in_range_rows(tris[:2], 4).tolist() == [True, True]
    assert in_range_rows(tris, 4).tolist() == [True, True, False, False]
    assert in_range_rows(np.zeros((0, 3), dtype=np.int32), 0).tolist() == []


def test_cross_and_row_matrix_equal_numpy():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    assert np.array_equal(cross(u, v), np.cross(u, v))
    world = np.eye(4)
    world[:3, :3] = rng.normal(size=(3, 3))
    assert row_matrix(world).flags.c_contiguous
    assert np.allclose(u @ row_matrix(world), u @ world[:3, :3].T, rtol=1e-14, atol=1e-14)
