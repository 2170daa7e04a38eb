"""Triangles of one mesh that cross other triangles of the same mesh.

The pairwise test is MeshLab's (the VCG library's ``Clean::SelfIntersections``, reached
through pymeshlab's ``compute_selection_by_self_intersections_per_face``, in double
precision): a uniform grid over the faces' bounding boxes, then VCG's triangle-triangle
test on every candidate pair. Faces that share an edge are never
reported against each other; faces that share one vertex only when one passes through the
other; faces that merely touch (a vertex or an edge on another face, boxes stacked) are
not reported. pymeshlab is already a dependency, native and fast (see
benchmarks/printability.py). manifold3d was not used: it has no self-intersection query
(it assumes valid input) and would be a new dependency; trimesh has no triangle-triangle
test. pymeshlab reports faces, not pairs, so faces are what this returns.

Measured and set aside (issue 21, on a 1M-triangle sphere, CPU): a numpy uniform-grid
broad phase took 16.8 s to list the 9.2M pairs whose boxes meet, where MeshLab tests them
all in 2.7 s. Casting every edge as an Embree ray (the scene shared with wall thickness)
to pick the faces worth testing saved 0.6 s on the clean sphere (4.5 s for P001 and P002
against 5.2 s) but cost 5 s more on a self-intersecting one (11.2 s against 6.3 s), and
missed faces MeshLab reports for merely touching (see the real-file cases in
tests/geometry/test_intersections.py). Handing MeshLab the mesh in spatial blocks (each
face in every block its box meets, so every pair whose boxes meet is still tested, in the
same order, and the answer is the same) lowers its grid's estimated work from 1.7e8 to
0.9e8 box checks but not its time (2.4-2.8 s in 8 to 216 blocks, 3.1 s whole, same
run): its cost is per face, not per candidate. Around it, the numpy
preparation costs about 0.5 s of CPU, most of it first touches of fresh memory.

On large meshes (:data:`BROAD_PHASE_FACES`), a broad phase compiled with numba
(geometry/broadphase.py) first sets aside the faces the test cannot select, and MeshLab
sees only the rest: on a clean 1M-triangle sphere the whole test takes 1.9 s of CPU
instead of 4.0 s, plus about 0.6 s once per process to load numba, with the same faces
selected on all 363 corpus meshes and the generated spheres
(benchmarks/intersections_identity.py).

For whoever replaces it, what VCG does (vcglib ``clean.h``, ``triangle_triangle3.h``,
``intersection3.h``): each face's box is tested against the later faces' boxes with
``Box3::Collide``, which is strict (boxes that only touch do not meet: why stacked boxes
are not reported); faces with all three vertices in common intersect, with two (an edge)
never, with one only when the opposite edge, moved halfway towards the shared vertex,
crosses the other face (a segment-triangle test with absolute 1e-6 tolerances, so
scale-dependent); faces with none go to Moller's NoDivTriTriIsect (first plane
normalised, second not) with its 2D test for coplanar pairs. An exact replacement must
follow all of this, in the same order of operations, to give the same touching cases.

The native code is only ever given clean input:

- faces with out-of-range indices, non-finite or degenerate corners are left out (other
  rules report them), and duplicate faces are tested once;
- vertices that coincide at float32 resolution are merged, so faces split along UV seams
  stay neighbours (unwelded, a clean sphere written as a triangle soup has 1,275 of its
  1,280 faces "intersecting");
- coordinates are moved near the origin and snapped to 2^-30 of the mesh size, both by
  powers of two so that no meaningful bit is lost (:func:`aligned_centre`,
  :func:`_snapped`): the test is unstable on nearly coplanar faces, and rounding noise on
  a CAD part's flat side made it flag 9 faces of the corpus's idler_riser.STL;
- vertex and face order is kept (the grid is several times slower on shuffled memory);
- the grid degrades badly when many large triangles overlap (8,000 random triangles
  spanning one box take minutes), so its work is estimated first, as its grid would be
  filled, and the test refuses instead of hanging (:class:`IntersectionTooCostly`).
"""

from __future__ import annotations

import numpy as np

from assetlint.arrays import column_bounds, finite_rows, in_range_rows
from assetlint.geometry.topology import MIN_WELD_TOLERANCE, group_rows, weld

# Refuse when the grid's estimated work (sum over cells of faces-in-cell squared) is
# above this. Measured here: a noisy 1.3M-triangle sphere is 1.2e8 (3 s); 2,000 random
# overlapping triangles 4.4e8 (5 s); 8,000 of them 2.1e10 (525 s).
DEFAULT_MAX_COST = 1.5e9

# From this many faces the compiled broad phase pays: it costs about 0.6-0.8 s of CPU to
# import numba and load the compiled code, then about 0.7 µs per face, where MeshLab's
# test costs about 2.7 µs per face (1M-triangle clean sphere: 0.7 s + 0.4 s for MeshLab
# on the faces left, against 2.9 s).
BROAD_PHASE_FACES = 400_000

# The compiled broad phase sets a pair aside when one face lies on one side of the
# other's plane farther than this fraction of the mesh's bounding-box diagonal (see
# geometry/broadphase.py for why it is far above either side's rounding).
_MARGIN = 1e-7

# A face lower than this fraction of the mesh's bounding-box diagonal (twice its area over
# its longest edge) is degenerate at float32 resolution: it has no plane to cross.
_FLAT = 1e-7


class IntersectionTooCostly(Exception):
    """The pairwise test would take too long on this mesh (an estimate, not a timeout)."""


def self_intersections(
    positions: np.ndarray,
    triangles: np.ndarray,
    max_cost: float = DEFAULT_MAX_COST,
    broad_phase: bool | None = None,
) -> np.ndarray:
    """Sorted indices of the triangles that intersect another triangle of the same mesh,
    not counting neighbours that merely share a vertex or an edge.

    ``broad_phase`` says whether the compiled broad phase first sets aside the faces that
    cannot be selected (geometry/broadphase.py; same answer): by default on meshes of
    :data:`BROAD_PHASE_FACES` faces or more, where it pays for its fixed cost. Raises
    :class:`IntersectionTooCostly` when the estimated work exceeds ``max_cost``."""
    pos = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    tri = np.asarray(triangles).reshape(-1, 3)
    if tri.dtype not in (np.int32, np.int64):  # int32 indices are kept: no 1M-face copy
        tri = tri.astype(np.int64)
    if not len(tri):
        return np.zeros(0, dtype=np.int64)
    prepared = _prepare(pos, tri)
    if prepared is None:
        return np.zeros(0, dtype=np.int64)
    origin, faces, verts, group, face_group = prepared
    cost = grid_cost(verts, faces)
    if cost > max_cost:
        raise IntersectionTooCostly(
            f"self-intersection test skipped: {len(faces):,} triangles overlap so much that "
            f"the test would do about {cost:.2g} comparisons (limit {max_cost:.2g})"
        )
    if broad_phase is None:
        broad_phase = len(faces) >= BROAD_PHASE_FACES
    hit = _selection(verts, faces) if broad_phase else _meshlab_selection(verts, faces)
    if not hit.any():
        return np.zeros(0, dtype=np.int64)
    selected = np.zeros(len(faces), dtype=bool)
    selected[group[hit]] = True
    return origin[selected[face_group]]


def _prepare(pos: np.ndarray, tri: np.ndarray):
    """(original index of each candidate face, unique faces as compact vertex ids,
    centred compact positions, the vertex-set group of each unique face, the group of each
    candidate face), or None when no face is fit to test."""
    n = len(pos)
    ok = in_range_rows(tri, n)
    finite = finite_rows(pos)
    if not finite.all():
        ok[ok] = finite[tri[ok]].all(axis=1)
    origin = np.flatnonzero(ok)
    if not len(origin):
        return None
    t = tri[origin]
    used = np.zeros(n, dtype=bool)
    used[t.ravel()] = True
    used_ids = np.flatnonzero(used)
    # merge vertices that coincide at float32 resolution (the topology rules' weld at its
    # finest tolerance); its ids follow the input order
    p = pos[used_ids]
    lo, hi = column_bounds(p)
    diag = float(np.linalg.norm(hi - lo))
    count, label = weld(p, MIN_WELD_TOLERANCE * diag)  # all at one point: one class
    rep = np.full(count, len(p), dtype=np.int64)
    np.minimum.at(rep, label, np.arange(len(p)))
    welded = np.full(n, -1, dtype=label.dtype)  # int32 below 2^31 vertices
    welded[used_ids] = label
    w = welded[t]
    points = _snapped(p[rep] - aligned_centre(p))
    keep = (w[:, 0] != w[:, 1]) & (w[:, 1] != w[:, 2]) & (w[:, 2] != w[:, 0])
    keep[keep] = _height(points, w[keep]) > _FLAT * diag
    origin, w = origin[keep], w[keep]
    if not len(origin):
        return None
    k = len(points)
    s = np.sort(w, axis=1)
    dup = group_rows([s[:, 0], s[:, 1], s[:, 2]], [k, k, k])
    first = np.zeros(len(w), dtype=bool)
    first[dup.first] = True
    faces = w[first]  # one face per vertex set, in input order
    group = dup.inverse[first]  # the group each of them stands for
    # compact to the vertices the unique faces use, so the native grid sees nothing else
    ref = np.zeros(len(points), dtype=bool)
    ref[faces.ravel()] = True
    remap = np.cumsum(ref) - 1
    return origin, remap[faces], points[ref], group, dup.inverse


def aligned_centre(points: np.ndarray) -> np.ndarray:
    """The bounding-box centre rounded to a multiple of the largest power of two not above
    the box's size: moving there brings far-off meshes near the origin without rounding
    any coordinate (a plain centre would put a flat side at y = 0 at an inexact height)."""
    lo, hi = column_bounds(points)
    extent = float((hi - lo).max())
    if not extent > 0:
        return np.zeros(3)
    step = 2.0 ** np.floor(np.log2(extent))
    return np.round((lo + hi) / 2 / step) * step


def _snapped(points: np.ndarray) -> np.ndarray:
    """Coordinates rounded to 2^-30 of the box size (a power of two, so exactly), far
    finer than float32 resolves (2^-24): what is lost is noise like the -2.7e-16 a
    rotation leaves where an exporter meant 0, which makes faces of one flat side not
    quite coplanar, and MeshLab's test on such near-coplanar faces unstable."""
    lo, hi = column_bounds(points)
    extent = float((hi - lo).max())
    if not extent > 0:
        return points
    step = 2.0 ** (np.floor(np.log2(extent)) - 30)
    return np.round(points / step) * step


# faces measured at a time by _height: a few MB of temporaries rather than ~130 MB (the
# twelve edge columns of a million faces), and the same values (each face's own)
_HEIGHT_CHUNK = 1 << 16


def _height(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Twice the area over the longest edge: how far the flattest corner is from the
    opposite edge. Worked on contiguous columns, with the operations of the row formula
    (``cross(ab, -ca)``, einsum's order of addition), so the same values;
    :data:`_HEIGHT_CHUNK` faces at a time."""
    columns = [np.ascontiguousarray(points[:, k]) for k in range(3)]
    out = np.empty(len(faces), dtype=np.result_type(points.dtype, np.float16))
    for start in range(0, len(faces), _HEIGHT_CHUNK):
        out[start : start + _HEIGHT_CHUNK] = _chunk_height(
            columns, faces[start : start + _HEIGHT_CHUNK]
        )
    return out


def _chunk_height(columns: list[np.ndarray], faces: np.ndarray) -> np.ndarray:
    """:func:`_height` of some faces, the points given as their three columns."""
    index = [np.ascontiguousarray(faces[:, k]) for k in range(3)]
    ab, bc, ca = [], [], []
    for column in columns:
        a, b, c = column[index[0]], column[index[1]], column[index[2]]
        ab.append(b - a)
        bc.append(c - b)
        ca.append(a - c)
    ac = [-x for x in ca]
    n = (
        ab[1] * ac[2] - ab[2] * ac[1],
        ab[2] * ac[0] - ab[0] * ac[2],
        ab[0] * ac[1] - ab[1] * ac[0],
    )
    doubled_area = np.sqrt(_norm2(n))
    longest = _norm2(ab)
    np.maximum(longest, _norm2(bc), out=longest)
    np.maximum(longest, _norm2(ca), out=longest)
    return doubled_area / np.maximum(np.sqrt(longest), np.finfo(np.float64).tiny)


def _norm2(v) -> np.ndarray:
    """x*x + y*y + z*z of three columns, added as ``np.einsum("ij,ij->i")`` adds a row's
    three products: (x*x + z*z) + y*y."""
    out = v[0] * v[0]
    out += v[2] * v[2]
    out += v[1] * v[1]
    return out


def grid_cost(points: np.ndarray, faces: np.ndarray) -> float:
    """Work of a VCG-style uniform grid over the faces' bounding boxes (about one cell
    per face, proportioned like the whole box): the sum over cells of the square of the
    number of boxes touching the cell, i.e. the candidates all queries enumerate.

    Computed without rasterising each box: +/-1 at the eight corners of every box's cell
    range, then prefix sums along the three axes (a 3D difference array); column by
    column, on contiguous arrays."""
    index = [np.ascontiguousarray(faces[:, k]) for k in range(3)]
    lo, hi = [], []
    for k in range(3):
        column = np.ascontiguousarray(points[:, k])
        c0, c1, c2 = column[index[0]], column[index[1]], column[index[2]]
        lo.append(np.minimum(np.minimum(c0, c1), c2))
        hi.append(np.maximum(np.maximum(c0, c1), c2))
    box_lo = np.array([c.min() for c in lo])
    size = np.array([c.max() for c in hi]) - box_lo
    n = len(faces)
    size = np.maximum(size, size.max() * 1e-3 + np.finfo(np.float64).tiny)
    dims = _grid_dims(size, n)
    cell = size / dims
    shape = tuple(int(d) for d in dims + 1)
    stride = (shape[1] * shape[2], shape[2], 1)
    # per axis, the first cell of each box's range and the one past its last
    ends: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    for k in range(3):
        low, high = lo.pop(0), hi.pop(0)  # each freed once used (1M faces: 8 MB)
        first = np.clip(((low - box_lo[k]) / cell[k]).astype(np.int64), 0, dims[k] - 1)
        last = np.clip(((high - box_lo[k]) / cell[k]).astype(np.int64), 0, dims[k] - 1)
        ends[0].append(first * stride[k])
        ends[1].append((last + 1) * stride[k])
    cells = int(np.prod(shape))
    # the eight corners of the ranges, by parity: +1 for even, -1 for odd (one corner's
    # counts at a time: integer sums, the same as counting all of a parity at once)
    diff = np.zeros(cells, dtype=np.int64)
    for sx in (0, 1):
        for sy in (0, 1):
            for sz in (0, 1):
                corner = ends[sx][0] + ends[sy][1] + ends[sz][2]
                if (sx + sy + sz) % 2:
                    diff -= np.bincount(corner, minlength=cells)
                else:
                    diff += np.bincount(corner, minlength=cells)
    counts = diff.reshape(shape).cumsum(0).cumsum(1).cumsum(2)[:-1, :-1, :-1].ravel()
    counts = counts.astype(np.float64)  # its square summed may pass 2^63
    return float(np.dot(counts, counts))


def _selection(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Per face: selected by MeshLab's filter, which is run only on the faces the compiled
    broad phase could not set aside (see geometry/broadphase.py): the same selection. Where
    numba cannot load or cache its compiled code (no wheel for the platform, a read-only
    install and home), MeshLab runs on every face: slower, same answer."""
    try:
        from assetlint.geometry.broadphase import possible_faces
    except (ImportError, RuntimeError, OSError):
        return _meshlab_selection(points, faces)

    lo, hi = column_bounds(points)
    diag = float(np.linalg.norm(hi - lo))
    size = np.maximum(hi - lo, (hi - lo).max() * 1e-3 + np.finfo(np.float64).tiny)
    dims = _grid_dims(size, len(faces))
    possible = possible_faces(points, faces, lo, size / dims, dims, _MARGIN * diag)
    hit = np.zeros(len(faces), dtype=bool)
    if possible.any():
        kept = faces[possible]
        used = np.zeros(len(points), dtype=bool)
        used[kept.ravel()] = True
        remap = np.cumsum(used) - 1
        hit[possible] = _meshlab_selection(points[used], remap[kept])
    return hit


def _grid_dims(size: np.ndarray, n: int) -> np.ndarray:
    """Cells per axis of a uniform grid of about one cell per face over a box of ``size``,
    proportioned like it (VCG's choice); ``size`` has no zero side."""
    dims = np.maximum(np.round(size * (n / np.prod(size)) ** (1 / 3)), 1).astype(np.int64)
    while dims.prod() > 4 * n + 8:
        dims = np.maximum(dims // 2, 1)
    return dims


def _meshlab_selection(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Per face: selected by MeshLab's self-intersection filter."""
    import pymeshlab

    ms = pymeshlab.MeshSet()
    ms.add_mesh(
        pymeshlab.Mesh(
            vertex_matrix=np.ascontiguousarray(points, dtype=np.float64),
            face_matrix=np.ascontiguousarray(faces, dtype=np.int32),
        )
    )
    ms.compute_selection_by_self_intersections_per_face()
    selection = np.asarray(ms.current_mesh().face_selection_array(), dtype=bool)
    if len(selection) != len(faces):  # pymeshlab must not have reordered or dropped faces
        raise RuntimeError(f"pymeshlab returned {len(selection)} faces for {len(faces)}")
    return selection
