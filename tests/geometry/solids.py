"""Solids built in code whose intersections and wall thicknesses are known exactly."""

from __future__ import annotations

import numpy as np

from tests.rules.meshes import CUBE_QUADS, merge


def box(lo, hi, inward: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned box between corners ``lo`` and ``hi``: 8 vertices, 12 triangles,
    wound outward (or inward, as the wall of a cavity is)."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    i = np.arange(8)
    unit = np.column_stack([i & 1, (i >> 1) & 1, i >> 2])
    pos = lo + unit * (hi - lo)
    tris = np.array(
        [(a, b, c) for a, b, c, _ in CUBE_QUADS] + [(a, c, d) for a, _, c, d in CUBE_QUADS]
    )
    if inward:
        tris = tris[:, ::-1]
    return pos.astype(np.float32), tris.astype(np.int32)


def hollow_box(outer: float, cavity_lo, cavity_hi) -> tuple[np.ndarray, np.ndarray]:
    """A closed solid: the box [0, outer]^3 with a box-shaped cavity inside. Its walls
    are as thick as the gaps between the cavity and the outside, face by face."""
    return merge(box((0, 0, 0), (outer,) * 3), box(cavity_lo, cavity_hi, inward=True))


def folded_strip() -> tuple[np.ndarray, np.ndarray]:
    """An open strip of three flat panels, 1 wide along z, joined at shared edges:
    A on y = 0 from x = 0 to 2 (faces 0, 1), B up the wall x = 2 to y = 1 (faces 2, 3),
    and C folding back down from (2, 1) to (0.5, -1) (faces 4, 5). C crosses A along
    the line x = 1.25, which runs across the diagonals of both A's and C's quads, so
    exactly faces 0, 1, 4 and 5 intersect; B touches A and C only along shared edges."""
    xy = np.array([[0, 0], [2, 0], [2, 1], [0.5, -1]], dtype=np.float64)
    pos = np.vstack([np.column_stack([xy, np.zeros(4)]), np.column_stack([xy, np.ones(4)])])
    tris = []
    for k in range(3):  # panel k joins profile points k and k + 1 (at z = 0 and z = 1)
        a, b, c, d = k, k + 1, k + 5, k + 4
        tris += [(a, b, c), (a, c, d)]
    return pos.astype(np.float32), np.array(tris, dtype=np.int32)
