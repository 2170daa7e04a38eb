"""Wall thickness, sampled: how far the surface is from the surface behind it.

Points are drawn on the surface in proportion to area; from each, a ray goes inward
(against its face's normal) and the distance to the first face it leaves the solid
through is the local wall thickness. Rays are cast with Intel Embree through the
``embreex`` package (the binding trimesh uses for its fast ray queries): trimesh's own ray
module needs ``rtree`` and tests candidates in Python, and pymeshlab's shape diameter
function averages a cone of rays per vertex (it gave 0.8 to 2.7 mm on a 0.5 mm wall here),
which hides exactly the thin spots a printer cares about.

Each ray starts a small step (1e-5 of the bounding-box diagonal) inside its face, so it
can neither hit the face it starts on nor a coplanar duplicate of it, and near-zero
distances are not measured; that step is added back to the distance. A hit on a face that
points towards the ray (the ray *enters* a surface) means the sample was not on the
outside of a solid (an inverted or inner shell): it is counted apart, not as a thickness,
and so are rays that hit nothing (open surface, or faces wound inward), and rays that
leave through the other side of a blunt edge (see ``wedge_angle``): near any edge sharper
than 90 degrees the inward ray soon meets the neighbouring side, which is an edge, not a
thin wall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetlint.arrays import column_bounds, finite_rows, in_range_rows

DEFAULT_SAMPLES = 20_000

# Ray start offset along the inward direction, as a fraction of the bounding-box diagonal:
# far above float32 rounding (~6e-8 of the coordinates), far below any printable wall.
_STEP = 1e-5


# Edges at least this blunt (degrees between the two sides) are not walls. Without it,
# every edge sharper than 90 degrees "has" a thin wall along it: the corpus's 1 m cones and
# tetrahedra (edges of 47 to 71 degrees) had 0.1-0.3% of their samples under 0.8 mm, and
# that share grows as 1/size, so a 10 cm pyramid would fail. Fins, plates and shells
# have sides facing each other (within a few degrees); blades and needles sharper than
# 30 degrees still count as thin.
DEFAULT_WEDGE_ANGLE = 30.0


class ThicknessUnavailable(Exception):
    """Wall thickness cannot be measured on this machine (the ray caster is missing)."""


@dataclass(frozen=True)
class ThicknessResult:
    """Per-sample measurements; lengths in the units of the input positions."""

    thickness: np.ndarray  # (s,) distance to the wall behind; NaN where not measured
    points: np.ndarray  # (s, 3) sample points on the surface
    faces: np.ndarray  # (s,) input triangle each sample lies on
    missed: int  # rays that left through no face (open or inward-wound surface)
    entered: int  # rays whose first hit faced them (inverted or inner shell)
    edge: int  # rays that left through a neighbouring side of a blunt edge, not a wall

    @property
    def samples(self) -> int:
        return len(self.thickness)

    @property
    def measured(self) -> int:
        return int(np.count_nonzero(np.isfinite(self.thickness)))

    @property
    def thinnest(self) -> int | None:
        """Index of the thinnest measured sample, None when none was measured."""
        if not self.measured:
            return None
        return int(np.nanargmin(self.thickness))

    @property
    def minimum(self) -> float:
        i = self.thinnest
        return float("nan") if i is None else float(self.thickness[i])

    @property
    def thinnest_point(self) -> np.ndarray | None:
        i = self.thinnest
        return None if i is None else self.points[i]

    @property
    def thinnest_face(self) -> int | None:
        i = self.thinnest
        return None if i is None else int(self.faces[i])

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) of the measured thicknesses."""
        if not self.measured:
            return float("nan")
        return float(np.nanpercentile(self.thickness, q))

    def share_below(self, limit: float) -> float:
        """Share of the measured samples thinner than ``limit`` (an estimate of the share
        of the surface whose wall is thinner)."""
        if not self.measured:
            return 0.0
        return float(np.count_nonzero(self.thickness < limit)) / self.measured


def wall_thickness(
    positions: np.ndarray,
    triangles: np.ndarray,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    wedge_angle: float = DEFAULT_WEDGE_ANGLE,
) -> ThicknessResult:
    """Sample the wall thickness of a mesh (see the module docstring). Faces with
    out-of-range indices or non-finite corners are neither sampled nor hit; the result is
    the same for the same input and seed. A ray that leaves through a face turned more
    than ``wedge_angle`` degrees away from facing it is crossing an edge blunter than that
    (a cube's, a tetrahedron's), not a wall: it is counted in ``edge``, not measured."""
    pos = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    tri = np.asarray(triangles).reshape(-1, 3).astype(np.int64)
    n = len(pos)
    ok = in_range_rows(tri, n)
    finite = finite_rows(pos)
    if not finite.all():
        ok[ok] = finite[tri[ok]].all(axis=1)
    origin = np.flatnonzero(ok)
    valid = tri if len(origin) == len(tri) else tri[origin]
    used = np.zeros(n, dtype=bool)
    used[valid.ravel()] = True
    if used.all():  # the usual case: no copy of 1M faces to renumber them as they are
        pts, faces = pos, valid
    else:
        remap = np.cumsum(used) - 1
        pts, faces = pos[used], remap[valid]
    cross = _cross(pts, faces) if len(faces) else np.zeros((0, 3))
    twice_area = np.linalg.norm(cross, axis=1)
    total = float(twice_area.sum())
    if samples <= 0 or not total > 0:
        empty = np.zeros(0)
        return ThicknessResult(empty, np.zeros((0, 3)), np.zeros(0, np.int64), 0, 0, 0)

    lo, hi = column_bounds(pts)
    centre = (lo + hi) / 2
    pts = pts - centre
    step = _STEP * float(np.linalg.norm(hi - lo))

    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(twice_area)
    face = np.searchsorted(cumulative, rng.random(samples) * cumulative[-1], side="right")
    face = np.minimum(face, len(faces) - 1)
    r1 = np.sqrt(rng.random(samples))
    r2 = rng.random(samples)
    a, b, c = (pts[faces[face, i]] for i in range(3))
    point = (1 - r1)[:, None] * a + (r1 * (1 - r2))[:, None] * b + (r1 * r2)[:, None] * c
    inward = -_unit_normals(cross, twice_area, face)

    hit_face, distance = _first_hits(pts, faces, point + inward * step, inward)
    thickness = np.full(samples, np.nan)
    hit = hit_face >= 0
    # cosine between the exit face's normal and the ray: > 0 leaves the solid, and above
    # cos(wedge_angle) the exit face is opposite enough to be the wall's other side
    exit_cos = np.full(samples, -1.0)
    exit_cos[hit] = np.einsum(
        "ij,ij->i", _unit_normals(cross, twice_area, hit_face[hit]), inward[hit]
    )
    leaving = exit_cos > 0
    wall = exit_cos > np.cos(np.radians(wedge_angle))
    thickness[wall] = distance[wall] + step
    return ThicknessResult(
        thickness=thickness,
        points=point + centre,
        faces=origin[face],
        missed=int(np.count_nonzero(~hit)),
        entered=int(np.count_nonzero(hit & ~leaving)),
        edge=int(np.count_nonzero(leaving & ~wall)),
    )


# faces whose cross products are worked out at a time: a few MB of edge columns rather
# than ~50 MB for a million faces, and the same values (each face's own)
_CROSS_CHUNK = 1 << 16


def _cross(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(b - a) x (c - a) per face, worked on contiguous columns with the same operations
    as on (n, 3) rows, so the same values (tests/geometry/test_thickness.py),
    :data:`_CROSS_CHUNK` faces at a time."""
    columns = [np.ascontiguousarray(points[:, k]) for k in range(3)]
    out = np.empty((len(faces), 3), dtype=np.result_type(points.dtype, np.float16))
    for start in range(0, len(faces), _CROSS_CHUNK):
        chunk = faces[start : start + _CROSS_CHUNK]
        index = [np.ascontiguousarray(chunk[:, k]) for k in range(3)]
        ab, ac = [], []
        for column in columns:
            a = column[index[0]]
            ab.append(column[index[1]] - a)
            ac.append(column[index[2]] - a)
        rows = out[start : start + len(chunk)]
        np.subtract(ab[1] * ac[2], ab[2] * ac[1], out=rows[:, 0])
        np.subtract(ab[2] * ac[0], ab[0] * ac[2], out=rows[:, 1])
        np.subtract(ab[0] * ac[1], ab[1] * ac[0], out=rows[:, 2])
    return out


def _unit_normals(cross: np.ndarray, twice_area: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """The unit normals of the given faces only (the samples' and the hit ones', not all
    1M faces')."""
    return cross[faces] / np.maximum(twice_area[faces], np.finfo(np.float64).tiny)[:, None]


def _first_hits(
    points: np.ndarray, faces: np.ndarray, origins: np.ndarray, directions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(face hit or -1, distance) of the first hit of each ray, with Embree."""
    try:
        from embreex import rtcore_scene
        from embreex.mesh_construction import TriangleMesh
    except ImportError:
        raise ThicknessUnavailable(
            "wall thickness needs the embreex package (Intel Embree ray casting): "
            "pip install embreex"
        ) from None
    scene = rtcore_scene.EmbreeScene()
    TriangleMesh(
        scene=scene,
        vertices=np.ascontiguousarray(points, dtype=np.float32),
        indices=np.ascontiguousarray(faces, dtype=np.int32),
    )
    result = scene.run(
        np.ascontiguousarray(origins, dtype=np.float32),
        np.ascontiguousarray(directions, dtype=np.float32),
        output=1,
    )
    face = np.asarray(result["primID"], dtype=np.int64)
    return face, np.asarray(result["tfar"], dtype=np.float64)
