"""Which faces MeshLab's self-intersection test can skip, decided in compiled code.

MeshLab's test (see intersections.py) costs about 2.5 µs per face, whatever the face: 2.5 s
on a 1M-triangle sphere, where almost no face has a neighbour it could cross. Here, in
code compiled by numba (the standard JIT compiler for numerical Python), a uniform grid
lists every pair of faces whose closed bounding boxes meet (a superset of the pairs VCG
tests, whose boxes must overlap strictly), and sets a pair aside when VCG's test cannot
report it:

- the faces share an edge (VCG never reports those);
- or the corners of one face that the other lacks lie all on one side of the other's
  plane, farther from it than ``margin``. Then no point of the one face but a shared
  vertex is on the other's plane: Moller's and Guigue's tests both start by rejecting
  exactly this, and for faces sharing a vertex, neither halved opposite edge can reach
  the other face (the segment test's tolerances only reject more).

The margin (1e-7 of the mesh size, set by the caller) is far above the rounding of
either side's arithmetic: double-precision plane distances of faces at least 1e-7 of the
diagonal high (intersections.py drops flatter ones) are off by under 1e-8 of the size.

A face left in no pair cannot be selected, and a face's selection depends only on the
pairs it is in, so MeshLab run on the faces left (in their order, sharing the same
vertices) selects exactly what it selects on the whole mesh.
"""

from __future__ import annotations

import numba
import numpy as np


def possible_faces(
    points: np.ndarray,
    faces: np.ndarray,
    box_lo: np.ndarray,
    cell: np.ndarray,
    dims: np.ndarray,
    margin: float,
) -> np.ndarray:
    """Per face: True when some pair it is in may be reported by VCG's test. ``box_lo``,
    ``cell`` and ``dims`` lay the grid (its origin, cell size and cells per axis)."""
    return _possible(
        np.ascontiguousarray(points, dtype=np.float64),
        np.ascontiguousarray(faces, dtype=np.int64),
        np.asarray(box_lo, dtype=np.float64),
        1.0 / np.asarray(cell, dtype=np.float64),
        np.asarray(dims, dtype=np.int64),
        float(margin),
    )


@numba.njit(cache=True, nogil=True)
def _possible(points, faces, box_lo, inv_cell, dims, margin):  # pragma: no cover - compiled
    n = faces.shape[0]
    # boxes in float32 rounded outwards (they still hold the faces) and cell ranges in
    # int32: half the memory
    lo = np.empty((n, 3), np.float32)
    hi = np.empty((n, 3), np.float32)
    first = np.empty((n, 3), np.int32)
    last = np.empty((n, 3), np.int32)
    normal = np.empty((n, 3))
    offset = np.empty(n)
    tol = np.empty(n)
    for f in range(n):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        for k in range(3):
            x, y, z = points[a, k], points[b, k], points[c, k]
            mn = min(x, min(y, z))
            mx = max(x, max(y, z))
            lo[f, k] = np.nextafter(np.float32(mn), np.float32(-np.inf))
            hi[f, k] = np.nextafter(np.float32(mx), np.float32(np.inf))
            top = dims[k] - 1.0
            first[f, k] = int(min(max((mn - box_lo[k]) * inv_cell[k], 0.0), top))
            last[f, k] = int(min(max((mx - box_lo[k]) * inv_cell[k], 0.0), top))
        e1x = points[b, 0] - points[a, 0]
        e1y = points[b, 1] - points[a, 1]
        e1z = points[b, 2] - points[a, 2]
        e2x = points[c, 0] - points[a, 0]
        e2y = points[c, 1] - points[a, 1]
        e2z = points[c, 2] - points[a, 2]
        nx = e1y * e2z - e1z * e2y
        ny = e1z * e2x - e1x * e2z
        nz = e1x * e2y - e1y * e2x
        normal[f, 0], normal[f, 1], normal[f, 2] = nx, ny, nz
        offset[f] = nx * points[a, 0] + ny * points[a, 1] + nz * points[a, 2]
        tol[f] = margin * np.sqrt(nx * nx + ny * ny + nz * nz)

    dy, dz = dims[1], dims[2]
    cells = dims[0] * dy * dz
    start = np.zeros(cells + 1, np.int64)
    for f in range(n):
        for i in range(first[f, 0], last[f, 0] + 1):
            for j in range(first[f, 1], last[f, 1] + 1):
                for k in range(first[f, 2], last[f, 2] + 1):
                    start[(i * dy + j) * dz + k + 1] += 1
    for i in range(cells):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    entries = np.empty(start[cells], np.int32)
    # per entry, the axes along which the cell is the first of the face's range: a pair
    # is handled once, in the cell where both ranges have begun on every axis
    begins = np.empty(start[cells], np.uint8)
    for f in range(n):
        for i in range(first[f, 0], last[f, 0] + 1):
            for j in range(first[f, 1], last[f, 1] + 1):
                for k in range(first[f, 2], last[f, 2] + 1):
                    at = (i * dy + j) * dz + k
                    entries[fill[at]] = f
                    begins[fill[at]] = (
                        (i == first[f, 0]) | (j == first[f, 1]) << 1 | (k == first[f, 2]) << 2
                    )
                    fill[at] += 1

    possible = np.zeros(n, np.bool_)
    for at in range(cells):
        for p in range(start[at], start[at + 1]):
            f = entries[p]
            for q in range(p + 1, start[at + 1]):
                if begins[p] | begins[q] != 7:
                    continue
                g = entries[q]
                if possible[f] and possible[g]:
                    continue
                if (
                    lo[f, 0] > hi[g, 0]
                    or lo[g, 0] > hi[f, 0]
                    or lo[f, 1] > hi[g, 1]
                    or lo[g, 1] > hi[f, 1]
                    or lo[f, 2] > hi[g, 2]
                    or lo[g, 2] > hi[f, 2]
                ):
                    continue
                shared = 0
                for u in range(3):
                    for v in range(3):
                        if faces[f, u] == faces[g, v]:
                            shared += 1
                if shared == 2:
                    continue
                if shared < 3 and (
                    _apart(points, faces, normal, offset, tol, f, g)
                    or _apart(points, faces, normal, offset, tol, g, f)
                ):
                    continue
                if (
                    shared == 0
                    and _tilted(normal, f, g)
                    and (
                        _beside(points, faces, normal, margin, f, g)
                        or _beside(points, faces, normal, margin, g, f)
                    )
                ):
                    continue
                possible[f] = True
                possible[g] = True
    return possible


@numba.njit(cache=True, nogil=True, inline="always")
def _apart(points, faces, normal, offset, tol, f, g):  # pragma: no cover - compiled
    """The corners of g that f lacks lie all on one side of f's plane, beyond tol."""
    above = 0
    below = 0
    for v in range(3):
        w = faces[g, v]
        if w == faces[f, 0] or w == faces[f, 1] or w == faces[f, 2]:
            continue
        d = (
            normal[f, 0] * points[w, 0]
            + normal[f, 1] * points[w, 1]
            + normal[f, 2] * points[w, 2]
            - offset[f]
        )
        if d > tol[f]:
            above += 1
        elif d < -tol[f]:
            below += 1
        else:
            return False
    return above == 0 or below == 0


@numba.njit(cache=True, nogil=True, inline="always")
def _tilted(normal, f, g):  # pragma: no cover - compiled
    """The planes of f and g meet at more than 1e-6 radians, so the line where they meet,
    along which Moller's test compares the faces, is well defined."""
    cx = normal[f, 1] * normal[g, 2] - normal[f, 2] * normal[g, 1]
    cy = normal[f, 2] * normal[g, 0] - normal[f, 0] * normal[g, 2]
    cz = normal[f, 0] * normal[g, 1] - normal[f, 1] * normal[g, 0]
    nf = normal[f, 0] ** 2 + normal[f, 1] ** 2 + normal[f, 2] ** 2
    ng = normal[g, 0] ** 2 + normal[g, 1] ** 2 + normal[g, 2] ** 2
    return cx * cx + cy * cy + cz * cz > 1e-12 * nf * ng


@numba.njit(cache=True, nogil=True, inline="always")
def _beside(points, faces, normal, margin, f, g):  # pragma: no cover - compiled
    """Some edge of f has g wholly beyond it, farther than margin: beyond the plane
    through the edge square to f (two neighbours of a flat quad's corner touch each
    other's plane, but lie apart sideways)."""
    for e in range(3):
        p = faces[f, e]
        q = faces[f, (e + 1) % 3]
        r = faces[f, (e + 2) % 3]
        ex = points[q, 0] - points[p, 0]
        ey = points[q, 1] - points[p, 1]
        ez = points[q, 2] - points[p, 2]
        mx = normal[f, 1] * ez - normal[f, 2] * ey
        my = normal[f, 2] * ex - normal[f, 0] * ez
        mz = normal[f, 0] * ey - normal[f, 1] * ex
        tol = margin * np.sqrt(mx * mx + my * my + mz * mz)
        inside = (
            mx * (points[r, 0] - points[p, 0])
            + my * (points[r, 1] - points[p, 1])
            + mz * (points[r, 2] - points[p, 2])
        )
        out = 0
        for v in range(3):
            w = faces[g, v]
            d = (
                mx * (points[w, 0] - points[p, 0])
                + my * (points[w, 1] - points[p, 1])
                + mz * (points[w, 2] - points[p, 2])
            )
            if (inside > 0 and d < -tol) or (inside < 0 and d > tol):
                out += 1
        if out == 3:
            return True
    return False
