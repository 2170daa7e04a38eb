"""Writing OBJ files for tests: plain geometry, and a grid big enough to time the reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_obj(path: Path, positions: np.ndarray, triangles: np.ndarray) -> None:
    """An OBJ of ``v`` and ``f`` lines (1-based), formatted in one call per block (no loop
    per vertex, so a million-triangle fixture is quick to write)."""
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    triangles = np.asarray(triangles, dtype=np.int64).reshape(-1, 3) + 1
    text = ("v %.9g %.9g %.9g\n" * len(positions)) % tuple(positions.ravel())
    text += ("f %d %d %d\n" * len(triangles)) % tuple(triangles.ravel())
    Path(path).write_text(text)


def grid(cells: int) -> tuple[np.ndarray, np.ndarray]:
    """A flat (cells+1)^2-vertex grid of 2*cells^2 triangles in the XZ plane, 1 m wide."""
    n = cells + 1
    u, w = np.meshgrid(np.linspace(0.0, 1.0, n), np.linspace(0.0, 1.0, n), indexing="ij")
    positions = np.column_stack([u.ravel(), np.zeros(n * n), w.ravel()])
    i, j = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
    a = (i * n + j).ravel()
    b, c, d = a + n, a + 1, a + n + 1
    triangles = np.concatenate([np.column_stack([a, c, b]), np.column_stack([c, d, b])])
    return positions, triangles


def write_textured_grid(path: Path, cells: int) -> None:
    """A grid written as Blender does, ``f v/vt/vn`` corners with one vt per vertex and a
    single normal, for timing the full corner parse."""
    positions, triangles = grid(cells)
    uv = positions[:, [0, 2]]
    t = triangles.ravel() + 1
    corners = np.column_stack([t, t, np.ones_like(t)]).ravel()
    text = ("v %.6f %.6f %.6f\n" * len(positions)) % tuple(positions.ravel())
    text += ("vt %.6f %.6f\n" * len(uv)) % tuple(uv.ravel())
    text += "vn 0 1 0\n"
    text += ("f %d/%d/%d %d/%d/%d %d/%d/%d\n" * len(triangles)) % tuple(corners)
    Path(path).write_text(text)
