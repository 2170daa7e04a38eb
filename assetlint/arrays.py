"""numpy helpers for the (n, 3) arrays every part of assetlint works on (positions,
normals, triangles). numpy is slow at a few of their shapes: reductions across a row of
3 (``all(axis=1)``, ``min(axis=0)``) and products with a transposed view; these do the
same work five to twenty times faster. Nothing here knows about assets or formats."""

from __future__ import annotations

import numpy as np


def rows(op: np.ufunc, arr: np.ndarray) -> np.ndarray:
    """``op`` folded over the columns of a 2-D array: ``rows(np.logical_and, mask)`` is
    ``mask.all(axis=1)``, about ten times faster on (n, 3) arrays."""
    out = arr[:, 0]
    for j in range(1, arr.shape[1]):
        out = op(out, arr[:, j])
    return out


def column_bounds(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) per column of a non-empty (n, c) array, as float64. ``min(axis=0)`` is
    very slow on this shape and column by column reads strided memory; reducing blocks
    of 1024 rows as one long row, then folding the block's columns, is several times
    faster (and exact: min and max only pick values)."""
    points = np.ascontiguousarray(points)
    n, c = points.shape
    m = n // 1024 * 1024
    lo, hi = points[m:].min(axis=0, initial=np.inf), points[m:].max(axis=0, initial=-np.inf)
    if m:
        block = points[:m].reshape(-1, 1024 * c)
        lo = np.minimum(lo, block.min(axis=0).reshape(-1, c).min(axis=0))
        hi = np.maximum(hi, block.max(axis=0).reshape(-1, c).max(axis=0))
    return lo.astype(np.float64), hi.astype(np.float64)


def cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise cross product of (n, 3) arrays (np.cross's general machinery is slower)."""
    out = np.empty_like(u)
    out[:, 0] = u[:, 1] * v[:, 2] - u[:, 2] * v[:, 1]
    out[:, 1] = u[:, 2] * v[:, 0] - u[:, 0] * v[:, 2]
    out[:, 2] = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return out


def finite_rows(points: np.ndarray) -> np.ndarray:
    """Per row of an (n, c) array: all its values finite."""
    if np.isfinite(points).all():  # the usual case, found without the per-row fold
        return np.ones(len(points), dtype=bool)
    return rows(np.logical_and, np.isfinite(points))


def in_range_rows(triangles: np.ndarray, count: int) -> np.ndarray:
    """Per row of an (m, 3) index array: every index in [0, count)."""
    if not len(triangles) or (triangles.min() >= 0 and triangles.max() < count):
        return np.ones(len(triangles), dtype=bool)  # the usual case, without the fold
    return rows(np.logical_and, (triangles >= 0) & (triangles < count))


def row_matrix(matrix: np.ndarray) -> np.ndarray:
    """The transpose of a 4x4 (or 3x3) matrix's linear part, as a contiguous array: what
    (n, 3) rows are multiplied by. numpy multiplies by a transposed view five times slower
    than by a contiguous copy (no BLAS on that layout)."""
    return np.ascontiguousarray(np.asarray(matrix, dtype=np.float64)[:3, :3].T)
