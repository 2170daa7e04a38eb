"""Mesh topology judged on welded positions, computed once per mesh and shared by rules.

Image-to-3D generators (and most exporters) split a vertex wherever its UV or normal
changes, so the raw index buffer shows a "hole" along every seam. Topology is therefore
judged on positions welded within a tolerance relative to the mesh size; the seams are
still counted (as information) by comparing welded and raw edges.

Welding without missing pairs that straddle a grid cell border (t = weld tolerance x
bounding-box diagonal): positions are quantized into cells of size 4t on four grids
shifted by 0, t, 2t and 3t along every axis, and two vertices are welded when they share a
cell in any grid (transitively). Along one axis, two coordinates less than t apart are
separated by at most one of the four grids' cell borders, so over three axes at most three
grids separate them and the fourth holds both: vertices closer than t (per axis) are
always welded, and vertices welded directly are less than 4t apart per axis. No pair
search, no tree: integer sorts. To keep it to about one sort of all vertices, a coarse pass
(cells of 128t) settles the cells whose members all share one t-sized cell, and only the
vertices near a coarse-cell border or in a cell with distinct points go through the four
grids (see :func:`weld`).

Everything is vectorized (sorts of packed integer keys, bincount, scipy's connected
components); nothing loops over faces, edges or vertices in Python. :func:`topology`
caches the result in ``mesh.cache``; whoever changes a mesh's arrays must clear it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from assetlint.arrays import column_bounds, finite_rows, rows
from assetlint.model import Asset, Mesh

DEFAULT_WELD_TOLERANCE = 1e-6  # fraction of the bounding-box diagonal
# float32 coordinates resolve about 6e-8 of their magnitude: a finer weld tolerance would
# only measure rounding noise (and would overflow the packed 64-bit cell keys).
MIN_WELD_TOLERANCE = 2e-7
# meshes with this many triangles compute their per-face geometry (while welding) and
# their parts (while counting fans) on a second thread
BACKGROUND_FACES = 100_000

_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)


def index_type(n: int) -> type[np.signedinteger]:
    """The integer type for indices below ``n``: int32 when they fit (any mesh below two
    billion elements), halving the memory of the large per-edge and per-face tables."""
    return np.int32 if n < 2**31 else np.int64


@dataclass(frozen=True)
class Groups:
    """Rows grouped by equal value. ``order`` lists row indices group after group (in
    ascending row order within a group), ``starts[g]`` is where group g begins in
    ``order``, ``sizes[g]`` its row count and ``inverse[i]`` the group of row i."""

    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    inverse: np.ndarray

    @property
    def count(self) -> int:
        return len(self.starts)

    @property
    def first(self) -> np.ndarray:
        """The lowest row index of each group."""
        return self.order[self.starts]


def _sort_groups(
    columns: Sequence[np.ndarray], bounds: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(order, new): row indices sorted by value (ascending row within equal values) and
    where each run of equal rows begins in that order."""
    n = len(columns[0])
    idx_bits = max(1, (n - 1).bit_length())
    key_bits = sum(max(1, (int(b) - 1).bit_length()) for b in bounds)
    exact = key_bits + idx_bits <= 63
    if exact:
        key = np.array(columns[0], dtype=np.int64)  # a copy: it is shifted in place below
        for col, bound in zip(columns[1:], bounds[1:], strict=True):
            key *= np.int64(bound)
            key += col
    else:
        mixed = np.zeros(n, dtype=np.uint64)
        for j, col in enumerate(columns):
            mixed ^= np.asarray(col).astype(np.uint64)
            mixed *= np.uint64(_MIX[j % len(_MIX)])
        key = (mixed >> np.uint64(1 + idx_bits)).astype(np.int64)
    key <<= idx_bits
    key |= np.arange(n, dtype=index_type(n))
    key.sort()
    order = _low_bits(key, idx_bits)
    key >>= idx_bits
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    if not exact:
        same = ~new[1:]
        for col in columns:
            c = np.asarray(col)[order]
            if np.any(same & (c[1:] != c[:-1])):  # a hash collision: sort the slow way
                order = np.lexsort([np.asarray(c) for c in columns[::-1]])
                new[1:] = False
                for col2 in columns:
                    c2 = np.asarray(col2)[order]
                    new[1:] |= c2[1:] != c2[:-1]
                break
    return order, new


def _low_bits(key: np.ndarray, bits: int) -> np.ndarray:
    """The low ``bits`` (at most 31 below 2^31 rows) of int64 keys, in the index type:
    the row indices packed there (cast first, which keeps the low 32 bits, then masked, so
    no 64-bit temporary)."""
    out = key.astype(index_type(len(key)))
    out &= (1 << bits) - 1
    return out


def group_rows(columns: Sequence[np.ndarray], bounds: Sequence[int]) -> Groups:
    """Group rows of non-negative integer columns (column j below ``bounds[j]``).

    numpy's argsort is several times slower than its sort, so the row index is packed into
    the low bits of a 64-bit key and plain-sorted. When the columns do not fit beside the
    index, they are hashed into the bits that are left and the grouping is verified
    against the columns (falling back to lexsort on a collision)."""
    n = len(columns[0])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Groups(empty, empty, empty, empty)
    return _groups_from_sorted(*_sort_groups(columns, bounds))


def _groups_from_sorted(order: np.ndarray, new: np.ndarray) -> Groups:
    """Groups from rows in sorted ``order`` and where each run of equal rows begins."""
    n = len(order)
    kind = index_type(n)
    starts = np.flatnonzero(new).astype(kind)
    group = np.cumsum(new, dtype=kind)
    group -= 1
    inverse = np.empty(n, dtype=kind)
    inverse[order] = group
    del group
    sizes = np.diff(np.append(starts, kind(n)))
    return Groups(order, starts, sizes, inverse)


def components(n: int, a: np.ndarray, b: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, label per node) of the undirected graph on n nodes with edges a[i]-b[i]."""
    from scipy.sparse import csr_matrix  # here: scipy would double the CLI's start-up
    from scipy.sparse.csgraph import connected_components

    if len(a) == 0:
        return n, np.arange(n)
    graph = csr_matrix((np.ones(len(a), dtype=bool), (a, b)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="weak")
    return int(count), labels


def _rotate(faces: np.ndarray, step: int) -> np.ndarray:
    """(f, 3) columns moved by ``step``: column i of the result is column (i + step) % 3
    (column copies: much faster than fancy indexing or np.roll on this shape)."""
    out = np.empty_like(faces)
    for i in range(3):
        out[:, i] = faces[:, (i + step) % 3]
    return out


def _next_corner(h: np.ndarray) -> np.ndarray:
    """The next corner (and half-edge) of the same face: 3f+0 -> 3f+1 -> 3f+2 -> 3f+0."""
    return h + np.array([1, 1, -2])[h % 3]


def _first_of_groups(order: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Per row, the lowest row of its group (from :func:`_sort_groups`' output)."""
    start = np.maximum.accumulate(np.where(new, np.arange(len(new)), 0))
    first = np.empty(len(order), dtype=np.int64)
    first[order] = order[start]
    return first


def _cell_first(scaled: np.ndarray, shift: float, bounds: Sequence[int]) -> np.ndarray:
    """Per row, the lowest row in its cell, on the grid of unit cells shifted by ``shift``
    cells (``scaled`` is non-negative)."""
    q = (scaled + shift).astype(np.int64)
    return _first_of_groups(*_sort_groups([q[:, 0], q[:, 1], q[:, 2]], bounds))


def _weld_exact(p: np.ndarray, tolerance: float, lo: np.ndarray, extent: np.ndarray):
    """Lowest-index partner links of the four shifted 4t grids (module docstring)."""
    cell = 4.0 * tolerance
    scaled = (p - lo) / cell
    bounds = [int(b) for b in np.floor(extent / cell) + 2]
    rep0 = _cell_first(scaled, 0.0, bounds)
    a, b = [], []
    for shift in (0.25, 0.5, 0.75):
        rep = _cell_first(scaled, shift, bounds)
        differs = np.flatnonzero(rep != rep0)
        a.append(differs)
        b.append(rep[differs])
    return rep0, np.concatenate(a), np.concatenate(b)


def weld(positions: np.ndarray, tolerance: float) -> tuple[int, np.ndarray]:
    """(count, class per vertex) of positions welded within an absolute ``tolerance``;
    non-finite positions get class -1.

    Vertices closer than the tolerance along every axis are always welded; vertices
    welded directly are less than 4x the tolerance apart per axis (see the module
    docstring). For speed, the exact four-grid pass only runs on the few vertices that
    need it: a first pass sorts vertices into coarse cells of 128 tolerances and welds
    every cell whose members all share one cell of a tolerance-sized grid; vertices within
    a tolerance of a coarse-cell border (which may have a partner across it) and the
    members of cells holding distinct points go through the four grids."""
    pts = np.asarray(positions)
    if pts.dtype.kind != "f":
        pts = pts.astype(np.float64)
    n = len(pts)
    finite = finite_rows(pts)
    idx = None if n and finite.all() else np.flatnonzero(finite)
    kind = index_type(n)
    if idx is not None and not len(idx):
        return 0, np.full(n, -1, dtype=kind)
    p = pts if idx is None else pts[idx]
    lo, hi = column_bounds(p)
    extent = hi - lo
    if not np.any(extent > 0):  # all finite vertices at one point
        labels = np.full(n, -1, dtype=kind)
        labels[finite] = 0
        return 1, labels
    if tolerance <= 0:
        raise ValueError("weld tolerance must be positive")
    # no finer than 2^-36 of the extent, so that cell coordinates stay small integers
    tolerance = max(float(tolerance), float(extent.max()) * 2.0**-36)
    # fine cells of one tolerance, column by column (computed in float64 whatever the
    # input type); 128 of them (a shift away) make a coarse cell
    inv = 1.0 / tolerance
    fine = [((p[:, j] - lo[j]) * inv).astype(np.int64) for j in range(3)]
    bounds_q = [int(b) for b in (extent / tolerance).astype(np.int64) // 128 + 2]
    first = _first_of_groups(*_sort_groups([f >> 7 for f in fine], bounds_q))
    # which fine cell of its coarse cell, per axis (0 and 127 touch a border), packed; in
    # int32 and without the int64 cells from here (1M vertices: 36 MB less at the peak)
    offset = [(f & 127).astype(np.int32) for f in fine]
    del fine
    inside = (offset[0] << 14) | (offset[1] << 7) | offset[2]
    # a coarse cell is settled at once when all its members share its first member's fine
    # cell (so lie within one tolerance of each other along every axis)
    others = np.flatnonzero(first != np.arange(len(p)))
    apart = inside[others] != inside[first[others]]
    mixed_cell = np.zeros(len(p), dtype=bool)
    mixed_cell[first[others[apart]]] = True
    mixed = mixed_cell[first]
    label = np.where(mixed, np.arange(len(p)), first)
    for o in offset:  # 0 -> 1, 127 -> 0: both at most 1
        o += 1
        o &= 127
        mixed |= o <= 1
    subset = np.flatnonzero(mixed)
    if len(subset):
        rep0, a, b = _weld_exact(p[subset], tolerance, lo, extent)
        a = label[np.concatenate([subset, subset[a]])]
        b = label[np.concatenate([subset[rep0], subset[b]])]
        keep = a != b
        if keep.any():
            # components over the few labels the links touch, then relabel those
            nodes, local = np.unique(np.concatenate([a[keep], b[keep]]), return_inverse=True)
            half = int(np.count_nonzero(keep))
            _, comp = components(len(nodes), local[:half], local[half:])
            lowest = np.full(len(nodes), len(p), dtype=np.int64)
            np.minimum.at(lowest, comp, nodes)
            relabel = np.arange(len(p))
            relabel[nodes] = lowest[comp]
            label = relabel[label]
    used = np.zeros(len(p), dtype=bool)
    used[label] = True
    dense = np.cumsum(used, dtype=kind)
    dense -= 1
    if idx is None:
        return int(dense[-1] + 1), dense[label]
    labels = np.full(n, -1, dtype=kind)
    labels[idx] = dense[label]
    return int(dense[-1] + 1), labels


FACE_CHUNK = 1 << 16  # faces measured at a time: a few MB of temporaries, not ~100


def _face_geometry(
    positions: np.ndarray, tris: np.ndarray, centre: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area, six times the signed volume of the tetrahedron (centre, face), longest edge)
    per triangle, in float32 on positions centred on ``centre`` (float32 keeps a relative
    error near 1e-7, far below the weld tolerance; areas and volumes end in float64),
    :data:`FACE_CHUNK` faces at a time (each face's arithmetic is its own)."""
    p = np.ascontiguousarray((positions - centre.astype(np.float32)).T)
    n = len(tris)
    area, six, longest = np.empty(n), np.empty(n), np.empty(n, dtype=p.dtype)
    for start in range(0, n, FACE_CHUNK):
        end = start + FACE_CHUNK
        area[start:end], six[start:end], longest[start:end] = _face_chunk(p, tris[start:end])
    return area, six, longest


def _face_chunk(p: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_face_geometry` of some faces, on the (3, n) centred positions ``p``."""
    v0 = p[:, tris[:, 0]]
    e1 = p[:, tris[:, 1]]
    e1 -= v0
    e2 = p[:, tris[:, 2]]
    e2 -= v0
    cross = np.empty_like(v0)
    np.multiply(e1[1], e2[2], out=cross[0])
    cross[0] -= e1[2] * e2[1]
    np.multiply(e1[2], e2[0], out=cross[1])
    cross[1] -= e1[0] * e2[2]
    np.multiply(e1[0], e2[1], out=cross[2])
    cross[2] -= e1[1] * e2[0]
    six = np.einsum("ij,ij->j", v0, cross, dtype=np.float64)
    c = cross.astype(np.float64)
    area = 0.5 * np.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2])
    e3 = e2 - e1
    longest = np.sqrt(
        np.maximum(
            np.maximum(np.einsum("ij,ij->j", e1, e1), np.einsum("ij,ij->j", e2, e2)),
            np.einsum("ij,ij->j", e3, e3),
        )
    )
    return area, six, longest


def _references(vertex_count: int, tris: np.ndarray) -> np.ndarray:
    """Per vertex, how many of the triangles use it."""
    return np.bincount(tris.ravel(), minlength=vertex_count)


def _background(
    vertex_count: int,
    positions: np.ndarray,
    valid_tris: np.ndarray,
    centre: np.ndarray,
    in_range_tris: np.ndarray,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """What a large mesh's topology computes beside welding: face geometry and vertex
    references (both independent of the weld)."""
    return _face_geometry(positions, valid_tris, centre), _references(vertex_count, in_range_tris)


class _Job:
    """A function run on a thread of its own. Fork-safe: in a child forked while it ran,
    the thread does not exist and :meth:`result` computes the value itself."""

    def __init__(self, fn: Any, *args: Any):
        self._fn, self._args = fn, args
        self._done: tuple[Any, BaseException | None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._done = (self._fn(*self._args), None)
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self._done = (None, exc)

    def result(self) -> Any:
        self._thread.join()
        if self._done is None:
            return self._fn(*self._args)
        value, exc = self._done
        if exc is not None:
            raise exc
        return value


@dataclass(frozen=True)
class EdgeTable:
    """Undirected edges of the welded faces. Half-edge h = 3*f + i runs from corner i of
    face f to corner i+1; ``groups.inverse[h]`` is its edge."""

    groups: Groups
    tail: np.ndarray  # welded vertex each half-edge starts at
    head: np.ndarray  # welded vertex it ends at
    face_count: np.ndarray  # faces per edge
    forward: np.ndarray  # half-edges per edge running from its lower to its higher vertex
    paired: bool = False  # every edge has exactly two faces (edge e's are order[2e:2e+2])

    @property
    def count(self) -> int:
        return self.groups.count


class Topology:
    """Everything topological about one mesh, each part computed on first use."""

    def __init__(self, mesh: Mesh, weld_tolerance: float = DEFAULT_WELD_TOLERANCE):
        self.mesh = mesh
        self.weld_tolerance = max(float(weld_tolerance), MIN_WELD_TOLERANCE)

    # --- validity -------------------------------------------------------------------

    @cached_property
    def finite(self) -> np.ndarray:
        """Per vertex: all three coordinates finite."""
        return finite_rows(self.mesh.positions)

    @cached_property
    def in_range(self) -> np.ndarray:
        """Per triangle: all three indices name an existing vertex."""
        tris = self.mesh.triangles
        return rows(np.logical_and, (tris >= 0) & (tris < self.mesh.vertex_count))

    @cached_property
    def valid(self) -> np.ndarray:
        """Per triangle: indices in range and positions finite (the faces topology uses)."""
        ok = self.in_range.copy()
        if not self.finite.all():
            tris = self.mesh.triangles[ok]
            ok[ok] = rows(np.logical_and, self.finite[tris])
        return ok

    @cached_property
    def valid_index(self) -> np.ndarray:
        valid = self.valid
        kind = index_type(len(valid))
        return (
            np.arange(len(valid), dtype=kind) if valid.all() else np.flatnonzero(valid).astype(kind)
        )

    @cached_property
    def bounds(self) -> np.ndarray | None:
        """(2, 3) min/max of the finite positions, None if there are none."""
        pts = self.mesh.positions
        if not self.finite.all():
            pts = pts[self.finite]
        if not len(pts):
            return None
        return np.stack(column_bounds(pts))

    @cached_property
    def diagonal(self) -> float:
        b = self.bounds
        return 0.0 if b is None else float(np.linalg.norm(b[1] - b[0]))

    @cached_property
    def tolerance(self) -> float:
        """The absolute weld tolerance, in metres."""
        return self.weld_tolerance * self.diagonal

    # --- welding --------------------------------------------------------------------

    @cached_property
    def _weld(self) -> tuple[int, np.ndarray]:
        """Welding is the first of the long chain of steps topology waits on (weld, edge
        table, fans, parts); on a large mesh the per-face geometry, which needs none of
        them, is computed meanwhile on a second core (numpy releases the GIL)."""
        if len(self.mesh.triangles) >= BACKGROUND_FACES and "_face_geometry" not in self.__dict__:
            args = (
                self.mesh.positions,
                self._valid_triangles,
                self._centre,
                self._in_range_triangles,
            )
            self.__dict__["_background"] = _Job(_background, self.mesh.vertex_count, *args)
        return weld(self.mesh.positions, self.tolerance)

    @property
    def welded_count(self) -> int:
        return self._weld[0]

    @property
    def welded(self) -> np.ndarray:
        """Welded vertex id of each vertex (-1 for non-finite ones)."""
        return self._weld[1]

    @cached_property
    def representative(self) -> np.ndarray:
        """For each welded vertex, the lowest original vertex welded into it."""
        rep = np.full(self.welded_count, self.mesh.vertex_count, dtype=np.int64)
        ok = self.welded >= 0
        np.minimum.at(rep, self.welded[ok], np.flatnonzero(ok))
        return rep

    @cached_property
    def welded_positions(self) -> np.ndarray:
        return self.mesh.positions[self.representative].astype(np.float64)

    @cached_property
    def repeated_index(self) -> np.ndarray:
        """Valid triangles that name the same vertex twice (indices of mesh.triangles)."""
        t = self._valid_triangles
        rep = (t[:, 0] == t[:, 1]) | (t[:, 1] == t[:, 2]) | (t[:, 2] == t[:, 0])
        return self.valid_index[rep]

    @cached_property
    def _valid_triangles(self) -> np.ndarray:
        tris = self.mesh.triangles
        return tris if len(self.valid_index) == len(tris) else tris[self.valid_index]

    @cached_property
    def _welded_valid(self) -> np.ndarray:
        return self.welded[self._valid_triangles]

    @cached_property
    def _kept(self) -> np.ndarray:
        w = self._welded_valid
        return (w[:, 0] != w[:, 1]) & (w[:, 1] != w[:, 2]) & (w[:, 2] != w[:, 0])

    @cached_property
    def collapsed(self) -> np.ndarray:
        """Valid triangles with two corners welded together (repeated index, or an edge
        shorter than the tolerance): they have no edges of their own, topology skips them."""
        return self.valid_index[~self._kept]

    @cached_property
    def face_index(self) -> np.ndarray:
        """Indices into mesh.triangles of the faces topology is judged on."""
        kept = self._kept
        return self.valid_index if kept.all() else self.valid_index[kept]

    @cached_property
    def triangles(self) -> np.ndarray:
        """(f, 3) original vertex indices of the topological faces."""
        kept = self._kept
        return self._valid_triangles if kept.all() else self._valid_triangles[kept]

    @cached_property
    def faces(self) -> np.ndarray:
        """(f, 3) welded vertex ids of the topological faces."""
        kept = self._kept
        return self._welded_valid if kept.all() else self._welded_valid[kept]

    # --- edges ----------------------------------------------------------------------

    @cached_property
    def edges(self) -> EdgeTable:
        f = self.faces
        tail = f.ravel()
        head = _rotate(f, 1).ravel()
        k = max(self.welded_count, 1)
        n = len(tail)
        vbits = max(1, (k - 1).bit_length())
        idx_bits = max(1, (n - 1).bit_length())
        if n and 2 * vbits + idx_bits <= 63:
            # (lower vertex, higher vertex, half-edge) packed in one key and plain-sorted
            # (several times faster than argsort); the table is built from the sorted keys
            key = np.empty(n, dtype=np.int64)
            np.minimum(tail, head, out=key)
            key <<= vbits
            key |= np.maximum(tail, head)
            key <<= idx_bits
            key |= np.arange(n, dtype=index_type(n))
            key.sort()
            order = _low_bits(key, idx_bits)
            key >>= idx_bits
            first, second = key[0::2], key[1::2]
            if (
                n % 2 == 0
                and np.array_equal(first, second)
                and not np.any(first[1:] == second[:-1])
            ):
                return self._paired_edges(order, tail, head)
            new = np.empty(n, dtype=bool)
            new[0] = True
            np.not_equal(key[1:], key[:-1], out=new[1:])
            groups = _groups_from_sorted(order, new)
        else:
            lo = np.minimum(tail, head)
            hi = np.maximum(tail, head)
            groups = group_rows([lo, hi], [k, k])
        face_count = groups.sizes
        forward = np.bincount(groups.inverse[tail < head], minlength=groups.count)
        return EdgeTable(groups, tail, head, face_count, forward.astype(index_type(n)))

    @staticmethod
    def _paired_edges(order: np.ndarray, tail: np.ndarray, head: np.ndarray) -> EdgeTable:
        """The edge table when every edge has exactly two faces (any closed manifold
        mesh): half-edges 2e and 2e+1 of the sorted order are edge e's."""
        count = len(order) // 2
        kind = index_type(len(order))
        h1, h2 = order[0::2], order[1::2]
        ids = np.arange(count, dtype=kind)
        inverse = np.empty(len(order), dtype=kind)
        inverse[h1] = ids
        inverse[h2] = ids
        ids *= 2
        sizes = np.broadcast_to(kind(2), (count,))  # read-only, no memory
        fwd = tail < head
        forward = fwd[h1].astype(kind)
        forward += fwd[h2]
        return EdgeTable(Groups(order, ids, sizes, inverse), tail, head, sizes, forward, True)

    @cached_property
    def boundary_edges(self) -> np.ndarray:
        """Edge ids used by one face only (after welding)."""
        return np.flatnonzero(self.edges.face_count == 1)

    @cached_property
    def nonmanifold_edges(self) -> np.ndarray:
        """Edge ids shared by more than two faces."""
        return np.flatnonzero(self.edges.face_count > 2)

    @cached_property
    def inconsistent_edges(self) -> np.ndarray:
        """Edge ids shared by two faces that traverse it in the same direction."""
        e = self.edges
        return np.flatnonzero((e.face_count == 2) & (e.forward != 1))

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(edge ids, first half-edge, second half-edge) of the edges used by two faces."""
        e = self.edges
        if e.paired:
            ids = np.arange(e.count, dtype=index_type(len(e.tail)))
            return ids, e.groups.order[0::2], e.groups.order[1::2]
        two = np.flatnonzero(e.face_count == 2)
        at = e.groups.starts[two]
        return two, e.groups.order[at], e.groups.order[at + 1]

    def edge_vertices(self, edge_ids: np.ndarray) -> np.ndarray:
        """(len, 2) original vertex indices of edges, as one of their faces names them."""
        h = self.edges.groups.order[self.edges.groups.starts[edge_ids]]
        tris = self.triangles[h // 3]
        corner = h % 3
        rows = np.arange(len(h))
        return np.column_stack([tris[rows, corner], tris[rows, (corner + 1) % 3]])

    def edge_faces(self, edge_ids: np.ndarray) -> np.ndarray:
        """Indices into mesh.triangles of every face using the given edges."""
        g = self.edges.groups
        sizes = g.sizes[edge_ids]
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        half = g.order[np.repeat(g.starts[edge_ids], sizes) + offsets]
        return np.unique(self.face_index[half // 3])

    def edge_lengths(self, edge_ids: np.ndarray) -> np.ndarray:
        e = self.edges
        h = e.groups.order[e.groups.starts[edge_ids]]
        p = self.welded_positions
        return np.linalg.norm(p[e.tail[h]] - p[e.head[h]], axis=1)

    @cached_property
    def seam_edge_count(self) -> int:
        """Edges that join two faces once welded but whose faces name different vertices
        there: UV/normal seams, which are not holes."""
        two, h1, h2 = self.pairs
        tail = self.triangles.ravel()
        head = _rotate(self.triangles, 1).ravel()
        # the faces' corners at one welded end are distinct vertices of that end, so the
        # faces name the same two vertices when the ends match up as the faces run them
        t1, h1_, t2, h2_ = tail[h1], head[h1], tail[h2], head[h2]
        seam = t1 != h2_
        seam |= h1_ != t2
        same = self.edges.forward[two] != 1  # both faces run the edge the same way
        if same.any():
            seam[same] = (t1[same] != t2[same]) | (h1_[same] != h2_[same])
        return int(np.count_nonzero(seam))

    # --- boundary loops -------------------------------------------------------------

    @cached_property
    def boundary_loops(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(loop of each boundary edge, edges per loop, length per loop in mesh-local
        metres). A loop is a connected run of boundary edges; two holes that touch at one
        vertex count as one loop."""
        ids = self.boundary_edges
        if not len(ids):
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        e = self.edges
        h = e.groups.order[e.groups.starts[ids]]
        ends = np.concatenate([e.tail[h], e.head[h]])
        verts = group_rows([ends], [max(self.welded_count, 1)])
        a = verts.inverse[: len(ids)]
        b = verts.inverse[len(ids) :]
        _, vlabel = components(verts.count, a, b)
        loop_groups = group_rows([vlabel[a]], [verts.count])
        loop = loop_groups.inverse
        lengths = np.bincount(loop, weights=self.edge_lengths(ids), minlength=loop_groups.count)
        return loop, loop_groups.sizes, lengths

    # --- non-manifold vertices ------------------------------------------------------

    @cached_property
    def fans(self) -> np.ndarray:
        """Per welded vertex, how many fans its faces form. Two corners of a vertex are in
        one fan when their faces share an edge at that vertex used by exactly two faces.

        Corner c of a face is also half-edge c, the one leaving that corner. Around a
        vertex whose edges are consistently wound, "the corner across my incoming edge"
        is a permutation of its corners whose cycles are its closed fans; an open fan (a
        path from a boundary edge to another) is closed into a cycle when it is the
        vertex's only one. The vertex has one fan when the cycle through one of its
        corners holds all of them: the walks from every vertex advance together, one
        corner a step, and a walk that comes back early has found a bow-tie. Bow-ties and
        the few other vertices (more than 64 corners, a wrongly wound edge, several open
        fans) are counted by connected components on their own corners."""
        e = self.edges
        two, h1, h2 = self.pairs
        corners = len(e.tail)
        k = self.welded_count
        vertex = e.tail
        twin = self.partner
        same = e.forward[two] != 1  # both faces run the edge the same way
        if same.any():
            twin = twin.copy()
            twin[h1[same]] = -1
            twin[h2[same]] = -1
        # across the incoming edge: the twin of the previous corner's half-edge
        rot = _rotate(twin.reshape(-1, 3), 2).ravel()
        valence = np.bincount(vertex, minlength=k)
        hard = valence > 64
        start = np.flatnonzero(twin < 0)  # no corner leads here: an open fan begins
        if len(start):
            hard |= np.bincount(vertex[start], minlength=k) > 1
            first = np.full(k, -1, dtype=np.int64)
            first[vertex[start]] = start
            ends = np.flatnonzero(rot < 0)
            rot[ends] = first[vertex[ends]]  # the one open fan's end back to its start
        hard[e.tail[h1[same]]] = True
        hard[e.head[h1[same]]] = True
        # walk the cycle through one corner of every other vertex
        kind = index_type(corners)
        some_corner = np.empty(k, dtype=kind)
        some_corner[vertex] = np.arange(corners, dtype=kind)
        walking = np.flatnonzero(~hard & (valence > 0))
        begin = some_corner[walking]
        at = begin
        left = valence[walking]
        single = np.zeros(k, dtype=bool)
        for _ in range(64):
            if not len(walking):
                break
            at = rot[at]
            left -= 1
            back = at == begin
            if back.any():
                single[walking[back & (left == 0)]] = True
                going = ~back
                walking, begin, at, left = walking[going], begin[going], at[going], left[going]
        fans = single.astype(np.int64)
        hard |= ~single & (valence > 0)
        if hard.any():
            fans[hard] = self._fans_by_components(hard)[hard]
        if corners >= 3 * BACKGROUND_FACES and "parts" not in self.__dict__:
            # parts needs only what is computed by now: let a second core find them while
            # the rules go on; started after this walk, not beside it (1M faces: the two
            # peaks together were ~65 MB of the process's peak)
            self.__dict__["_parts_job"] = _Job(self._parts)
        return fans

    @cached_property
    def partner(self) -> np.ndarray:
        """Per half-edge, the other half-edge of its edge when the edge has exactly two
        faces, else -1."""
        _, h1, h2 = self.pairs
        partner = np.full(len(self.edges.tail), -1, dtype=index_type(len(self.edges.tail)))
        partner[h1] = h2
        partner[h2] = h1
        return partner

    def _fans_by_components(self, vertices: np.ndarray) -> np.ndarray:
        """Fans per welded vertex, counted by connected components over the corners of
        the flagged ``vertices`` (a boolean mask): each corner is linked to the corner of
        the same vertex across its outgoing and its incoming edge, when that edge has two
        faces (whichever way they run it)."""
        tail = self.edges.tail
        partner = self.partner
        corners = np.flatnonzero(vertices[tail])
        links = []
        for edge in (corners, _next_corner(_next_corner(corners))):  # outgoing, incoming
            other = partner[edge]
            ok = other >= 0
            other, edge, corner = other[ok], edge[ok], corners[ok]
            # the other face runs the edge the same way: its corner at our vertex is the
            # same end of the edge
            same_way = tail[other] == tail[edge]
            at_tail = edge == corner
            links.append((corner, np.where(same_way == at_tail, other, _next_corner(other))))
        a = np.concatenate([a for a, _ in links])
        b = np.concatenate([b for _, b in links])
        local_a = np.searchsorted(corners, a)
        local_b = np.searchsorted(corners, b)
        _, label = components(len(corners), local_a, local_b)
        fan_vertex = np.zeros(label.max() + 1, dtype=np.int64)
        fan_vertex[label] = tail[corners]
        return np.bincount(fan_vertex, minlength=self.welded_count)

    @cached_property
    def nonmanifold_vertices(self) -> np.ndarray:
        """Welded vertex ids whose faces form more than one fan (bow-ties), leaving out
        vertices on non-manifold edges (reported as edges)."""
        fans = self.fans
        multi = fans > 1
        if multi.any() and len(self.nonmanifold_edges):
            e = self.edges
            h = e.groups.order[e.groups.starts[self.nonmanifold_edges]]
            multi[e.tail[h]] = False
            multi[e.head[h]] = False
        return np.flatnonzero(multi)

    # --- parts ----------------------------------------------------------------------

    @cached_property
    def parts(self) -> tuple[int, np.ndarray]:
        """(count, part of each topological face): faces connected through shared edges."""
        job = self.__dict__.pop("_parts_job", None)
        return self._parts() if job is None else job.result()

    def _parts(self) -> tuple[int, np.ndarray]:
        """:attr:`parts`, from the edge table (and :attr:`partner` on a closed manifold)
        only, so that it can run on a second thread beside :attr:`fans`."""
        from scipy.sparse import csr_matrix  # here: scipy would double the CLI's start-up
        from scipy.sparse.csgraph import connected_components

        g = self.edges.groups
        nf = len(self.faces)
        if self.edges.paired:
            # each edge once, in the row of the face holding its lower half-edge: the rows
            # come out in order, so the sparse graph needs no sort
            partner = self.partner
            lower = partner > np.arange(len(partner))
            per_face = lower.reshape(-1, 3)
            count = per_face[:, 0].astype(np.int32)
            count += per_face[:, 1]
            count += per_face[:, 2]
            indptr = np.zeros(nf + 1, dtype=np.int32)  # scipy's index type
            np.cumsum(count, out=indptr[1:])
            neighbours = (partner[lower] // 3).astype(np.int32)
            graph = csr_matrix(
                (np.ones(len(neighbours), dtype=bool), neighbours, indptr), shape=(nf, nf)
            )
            count, labels = connected_components(graph, directed=True, connection="weak")
            return int(count), labels
        later = np.ones(len(g.order), dtype=bool)
        later[g.starts] = False
        joined = np.flatnonzero(later)  # positions that continue the previous one's edge
        a = g.order[joined - 1] // 3
        b = g.order[joined] // 3
        return components(nf, a, b)

    @cached_property
    def _face_geometry(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(area, six times the signed volume of the tetrahedron with the bounding-box
        centre, longest edge) of each topological face, from the background job
        :meth:`_weld` started when there is one."""
        job = self.__dict__.get("_background")
        if job is not None:
            result = job.result()[0]
        else:
            result = _face_geometry(self.mesh.positions, self._valid_triangles, self._centre)
        kept = self._kept
        return result if kept.all() else (result[0][kept], result[1][kept], result[2][kept])

    @property
    def _centre(self) -> np.ndarray:
        b = self.bounds
        return np.zeros(3) if b is None else (b[0] + b[1]) / 2

    @cached_property
    def face_areas(self) -> np.ndarray:
        """Area of each topological face, in square metres (mesh-local)."""
        return self._face_geometry[0]

    @cached_property
    def part_areas(self) -> np.ndarray:
        count, label = self.parts
        return np.bincount(label, weights=self.face_areas, minlength=count)

    @cached_property
    def part_extents(self) -> np.ndarray:
        """(parts, 3) bounding-box size of each part, in metres."""
        count, label = self.parts
        p = self.welded_positions
        lo = np.full((count, 3), np.inf)
        hi = np.full((count, 3), -np.inf)
        for corner in range(3):  # three corners, not a loop over elements
            pts = p[self.faces[:, corner]]
            np.minimum.at(lo, label, pts)
            np.maximum.at(hi, label, pts)
        return hi - lo

    @cached_property
    def part_closed(self) -> np.ndarray:
        """Per part: no boundary, non-manifold or inconsistently wound edge (a shell
        whose volume and inside are defined)."""
        count, label = self.parts
        e = self.edges
        bad_edges = (e.face_count != 2) | (e.forward != 1)
        if not bad_edges.any():
            return np.ones(count, dtype=bool)
        bad_half = bad_edges[e.groups.inverse]
        open_parts = np.zeros(count, dtype=bool)
        open_parts[label[np.flatnonzero(bad_half) // 3]] = True
        return ~open_parts

    @cached_property
    def part_volumes(self) -> np.ndarray:
        """Signed volume of each part in cubic metres (meaningful for closed parts):
        negative when the faces are wound inward."""
        count, label = self.parts
        return np.bincount(label, weights=self._face_geometry[1], minlength=count) / 6.0

    # --- face and vertex checks -----------------------------------------------------

    @cached_property
    def flat_faces(self) -> np.ndarray:
        """Topological faces (mesh.triangles indices) flatter than the weld tolerance:
        twice the area over the longest edge (the height) below it."""
        longest = self._face_geometry[2]
        height = 2.0 * self.face_areas / np.maximum(longest, np.finfo(np.float64).tiny)
        return self.face_index[height < self.tolerance]

    @cached_property
    def half_count(self) -> np.ndarray:
        """(f, 3): how many faces use the edge of each corner-to-next-corner side."""
        return self.edges.face_count[self.edges.groups.inverse].reshape(-1, 3)

    @cached_property
    def duplicate_faces(self) -> np.ndarray:
        """Topological faces (mesh.triangles indices) over the same three welded vertices
        as an earlier face, whatever their winding.

        Two such faces share all three edges. Where those edges have exactly two faces,
        the copies are each other's neighbour across every edge (checked without a sort);
        only faces with an edge used three or more times are grouped by vertex triple."""
        if self.edges.paired:  # every face has a neighbour across each edge
            across = (self.partner // 3).reshape(-1, 3)
            faces = np.flatnonzero((across[:, 0] == across[:, 1]) & (across[:, 1] == across[:, 2]))
            return self.face_index[faces[across[faces, 0] < faces]]
        count = self.half_count
        shared = rows(np.logical_and, count >= 2)
        dup = np.zeros(len(count), dtype=bool)
        if not shared.any():
            return self.face_index[dup]
        _, h1, h2 = self.pairs
        partner = np.full(count.size, -1, dtype=np.int64)
        partner[h1] = h2 // 3
        partner[h2] = h1 // 3
        across = partner.reshape(-1, 3)
        pair = rows(np.logical_and, count == 2)
        pair &= (across[:, 0] == across[:, 1]) & (across[:, 1] == across[:, 2])
        faces = np.flatnonzero(pair)
        dup[faces] = across[faces, 0] < faces  # the later face of the two is the copy
        crowded = np.flatnonzero(shared & ~rows(np.logical_and, count == 2))
        if len(crowded):
            s = np.sort(self.faces[crowded], axis=1)
            k = max(self.welded_count, 1)
            g = group_rows([s[:, 0], s[:, 1], s[:, 2]], [k, k, k])
            later = np.ones(len(crowded), dtype=bool)
            later[g.first] = False
            dup[crowded[later]] = True
        return self.face_index[dup]

    @cached_property
    def references(self) -> np.ndarray:
        """Per vertex: how many triangles with in-range indices use it."""
        job = self.__dict__.get("_background")
        if job is not None:
            return job.result()[1]
        return _references(self.mesh.vertex_count, self._in_range_triangles)

    @property
    def _in_range_triangles(self) -> np.ndarray:
        tris = self.mesh.triangles
        return tris if self.in_range.all() else tris[self.in_range]

    @cached_property
    def unreferenced_vertices(self) -> np.ndarray:
        return np.flatnonzero(self.references == 0)

    def _redundant(self, idx: np.ndarray) -> np.ndarray:
        """Per vertex of ``idx``: another vertex of ``idx`` has the same welded position and
        the same normal and UVs (to 1e-3 and 1e-5), so keeping both serves no purpose."""
        mesh = self.mesh
        ok = np.ones(len(idx), dtype=bool)
        columns = [self.welded[idx]]
        bounds = [max(self.welded_count, 1)]
        attributes = ([] if mesh.normals is None else [(mesh.normals, 1e3)]) + [
            (uv, 1e5) for uv in mesh.uvs
        ]
        for values, scale in attributes:
            q = np.round(np.asarray(values, dtype=np.float64)[idx] * scale)
            ok &= finite_rows(q)
            q[~ok] = 0
            q -= q.min(axis=0)
            for column in q.T:
                columns.append(column.astype(np.int64))
                bounds.append(int(column.max()) + 1)
        groups = group_rows(columns, bounds)
        return (groups.sizes[groups.inverse] > 1) & ok

    @cached_property
    def soup_vertices(self) -> np.ndarray:
        """Vertices of "lone" triangles (all three of whose vertices no other triangle
        uses) that duplicate another vertex, normal and UVs included: the signature of a
        triangle soup, where every triangle carries its own copies. Faces split at hard
        edges or UV seams do not count (their copies differ, or a chart's faces still share
        vertices), nor do flat-shaded meshes whose copies differ by normal."""
        tris = self.triangles  # collapsed triangles are degenerate, not soup
        lone = rows(np.logical_and, self.references[tris] == 1)
        if not lone.any():
            return np.zeros(0, dtype=np.int64)
        verts = tris[lone].ravel()
        used = self.finite & (self.references > 0)
        class_size = np.bincount(self.welded[used], minlength=self.welded_count)
        verts = verts[class_size[self.welded[verts]] > 1]
        if not len(verts):
            return verts.astype(np.int64)
        # compare attributes only among the used vertices at those positions
        at_spot = np.zeros(self.welded_count, dtype=bool)
        at_spot[self.welded[verts]] = True
        members = np.flatnonzero(used & at_spot[np.maximum(self.welded, 0)])
        redundant = np.zeros(self.mesh.vertex_count, dtype=bool)
        redundant[members] = self._redundant(members)
        return np.sort(verts[redundant[verts]])


def topology(mesh: Mesh, weld_tolerance: float = DEFAULT_WELD_TOLERANCE) -> Topology:
    """The mesh's topology for this weld tolerance, from ``mesh.cache`` when computed."""
    key = ("topology", max(float(weld_tolerance), MIN_WELD_TOLERANCE))
    topo = mesh.cache.get(key)
    if topo is None:
        topo = mesh.cache[key] = Topology(mesh, weld_tolerance)
    return topo


def totals(asset: Asset, weld_tolerance: float | None = None) -> dict[str, Any]:
    """Triangle and vertex counts per mesh and for the scene (instances counted as drawn),
    the numbers budget rules compare. With ``weld_tolerance``, each mesh also gets the
    count of distinct positions (vertices once seams are welded)."""
    used = np.array([m for m, _ in asset.instances()], dtype=np.int64)
    instances = np.bincount(used, minlength=len(asset.meshes))
    meshes = []
    for index, mesh in enumerate(asset.meshes):
        row = {
            "mesh": index,
            "name": mesh.name,
            "instances": int(instances[index]),
            "triangles": mesh.triangle_count,
            "vertices": mesh.vertex_count,
        }
        if weld_tolerance is not None:
            row["welded_vertices"] = topology(mesh, weld_tolerance).welded_count
        meshes.append(row)
    return {
        "meshes": meshes,
        "scene": {
            "triangles": asset.scene_triangle_count,
            "vertices": asset.scene_vertex_count,
            "unique_triangles": asset.unique_triangle_count,
            "unique_vertices": sum(m.vertex_count for m in asset.meshes),
            "instances": int(instances.sum()),
        },
    }
