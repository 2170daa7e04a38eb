"""Small meshes built in code for tests, with answers known exactly."""

from __future__ import annotations

import numpy as np

from assetlint.model import conversion_matrix, transform_points


def asymmetric_object() -> tuple[np.ndarray, np.ndarray]:
    """A closed, outward-wound L-shaped block, asymmetric along every axis, in metres,
    +Y up: 0.4 wide (x), 0.6 tall (y), 0.2 deep (z), with its corner at (0.1, 0, -0.05).

    Any axis swap, mirror or unit slip in a loader changes its bounds."""
    # L profile in the XY plane (counter-clockwise seen from +Z), extruded along Z.
    profile = np.array([[0.0, 0.0], [0.4, 0.0], [0.4, 0.15], [0.12, 0.15], [0.12, 0.6], [0.0, 0.6]])
    z0, z1 = -0.05, 0.15
    front = np.column_stack([profile, np.full(6, z1)])
    back = np.column_stack([profile, np.full(6, z0)])
    positions = np.vstack([front, back]) + np.array([0.1, 0.0, 0.0])
    # front cap (z1, facing +Z): fan split into convex pieces of the L
    caps = [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]]
    tris = list(caps)
    tris += [[c[0] + 6, c[2] + 6, c[1] + 6] for c in caps]  # back cap, reversed
    for i in range(6):
        j = (i + 1) % 6
        tris += [[i, i + 6, j + 6], [i, j + 6, j]]  # side quads, outward
    return positions.astype(np.float32), np.array(tris, dtype=np.int32)


def to_authored(positions: np.ndarray, meters_per_unit: float, up_axis: str) -> np.ndarray:
    """Canonical positions expressed in a file's authored units and up axis: the inverse
    of what a loader does, for writing fixtures."""
    inverse = np.linalg.inv(conversion_matrix(meters_per_unit, up_axis))
    return transform_points(positions, inverse)
