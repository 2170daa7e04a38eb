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


def _text_columns(*parts: np.ndarray | bytes, rows: int) -> bytes:
    """Lines built column-block by column-block: each part is a (rows, k) uint8 array of
    characters or a constant byte string repeated on every row."""
    blocks = [
        np.tile(np.frombuffer(p, dtype=np.uint8), (rows, 1)) if isinstance(p, bytes) else p
        for p in parts
    ]
    return np.hstack(blocks).tobytes()


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as zero-padded decimal characters, (n, width) uint8."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10 + 48).astype(np.uint8)


def _fixed(values: np.ndarray) -> list[np.ndarray | bytes]:
    """Values in [0, 10) as "d.dddddd" columns."""
    scaled = np.rint(np.asarray(values) * 1e6).astype(np.int64)
    return [_digits(scaled // 10**6, 1), b".", _digits(scaled % 10**6, 6)]


def write_textured_grid(path: Path, cells: int) -> None:
    """A :func:`grid` written as Blender does, ``f v/vt/vn`` corners (one vt per vertex,
    one normal), to time the full corner parse. Built as fixed-width columns with numpy
    (indices zero-padded, which OBJ readers accept), so a million-triangle file takes
    well under a second to write."""
    positions, triangles = grid(cells)
    n, m = len(positions), len(triangles)
    x, y, z = positions.T
    v = _text_columns(b"v ", *_fixed(x), b" ", *_fixed(y), b" ", *_fixed(z), b"\n", rows=n)
    vt = _text_columns(b"vt ", *_fixed(x), b" ", *_fixed(z), b"\n", rows=n)
    width = len(str(n))
    corners = []
    for k in range(3):
        index = _digits(triangles[:, k] + 1, width)
        corners += [b" ", index, b"/", index, b"/1"]
    f = _text_columns(b"f", *corners, b"\n", rows=m)
    Path(path).write_bytes(v + vt + b"vn 0 1 0\n" + f)
