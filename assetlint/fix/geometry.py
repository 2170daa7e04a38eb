"""Fixes on mesh geometry: weld, cleanup, winding, floaters, hidden parts, holes.

Each works on the rules' own topology (:mod:`assetlint.geometry.topology`, at the weld
tolerance the rule ran with), so it removes exactly what the rule reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from assetlint.fix import FixContext, fix
from assetlint.fix._meshlab import MeshLabError, close_holes, isolated
from assetlint.geometry.shells import nesting
from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, Topology, topology
from assetlint.model import Asset, Mesh
from assetlint.rules import mesh_label, plural


def _tolerance(ctx: FixContext, code: str) -> float:
    return float(ctx.param(code, "weld_tolerance") or DEFAULT_WELD_TOLERANCE)


def reported_meshes(asset: Asset, ctx: FixContext, *codes: str) -> Iterator[tuple[Mesh, str]]:
    """(mesh, label) of each mesh the lint reported under one of ``codes``: a
    repair step touches only what its rules found."""
    reported = {f.subject for f in ctx.found(*codes)}
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label in reported:
            yield mesh, label


def keep_faces(mesh: Mesh, keep: np.ndarray) -> None:
    """Keep the triangles ``keep`` (a boolean mask) and drop the vertices no triangle
    uses any more, with their attributes."""
    tris = mesh.triangles[keep]
    slots = mesh.material_indices[keep]
    valid = ((tris >= 0) & (tris < mesh.vertex_count)).all(axis=1)
    tris, slots = tris[valid], slots[valid]
    used = np.zeros(mesh.vertex_count, dtype=bool)
    used[tris.reshape(-1)] = True
    set_vertices(mesh, used, tris, slots)


def set_vertices(mesh: Mesh, used: np.ndarray, tris: np.ndarray, slots: np.ndarray) -> None:
    """Keep the vertices ``used`` (mask), renumbering ``tris`` into them."""
    remap = np.cumsum(used, dtype=np.int64) - 1
    mesh.positions = mesh.positions[used]
    if mesh.normals is not None:
        mesh.normals = mesh.normals[used]
    mesh.uvs = [uv[used] for uv in mesh.uvs]
    if mesh.colors is not None:
        mesh.colors = mesh.colors[used]
    mesh.triangles = remap[tris].astype(np.int32).reshape(-1, 3)
    mesh.material_indices = np.ascontiguousarray(slots, dtype=np.int32)
    mesh.polygon_count = len(mesh.triangles)
    mesh.cache.clear()


def _attributes(mesh: Mesh) -> np.ndarray:
    """(n, k) float64 of every per-vertex attribute besides the position."""
    columns = [uv for uv in mesh.uvs]
    if mesh.normals is not None:
        columns.append(mesh.normals)
    if mesh.colors is not None:
        columns.append(mesh.colors)
    if not columns:
        return np.zeros((mesh.vertex_count, 0))
    return np.concatenate([np.asarray(c, dtype=np.float64) for c in columns], axis=1)


@fix("weld", ("G011",), "weld vertices equal in position and every attribute")
def fix_weld(asset: Asset, ctx: FixContext) -> list[str]:
    """Triangle soup (every triangle with its own corners) welded into shared vertices:
    two vertices become one only where positions agree within the weld tolerance *and*
    UVs, normals and colours agree (to 1e-6), so UV and normal seams stay split."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, "G011"):
        if not mesh.vertex_count:
            continue
        topo = topology(mesh, _tolerance(ctx, "G011"))
        attrs = np.round(_attributes(mesh) * 1e6)
        key = np.column_stack([topo.welded.astype(np.float64), attrs])
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        if len(first) == mesh.vertex_count:
            continue
        order = np.sort(first)  # keep the first vertex of each class, in original order
        rank = np.empty(len(first), dtype=np.int64)
        rank[np.argsort(first)] = np.arange(len(first))
        remap = rank[inverse]
        tris = mesh.triangles
        valid = (tris >= 0) & (tris < mesh.vertex_count)
        new_tris = np.where(valid, remap[np.clip(tris, 0, mesh.vertex_count - 1)], tris)
        before = mesh.vertex_count
        mesh.positions = mesh.positions[order]
        if mesh.normals is not None:
            mesh.normals = mesh.normals[order]
        mesh.uvs = [uv[order] for uv in mesh.uvs]
        if mesh.colors is not None:
            mesh.colors = mesh.colors[order]
        mesh.triangles = new_tris.astype(np.int32)
        mesh.cache.clear()
        changes.append(f"{label}: welded {before:,} vertices into {mesh.vertex_count:,}")
    return changes


CLEANUP_CODES = ("G006", "G007", "G008", "G009", "G010")


@fix(
    "cleanup",
    CLEANUP_CODES,
    "remove degenerate, duplicate and invalid triangles and unreferenced vertices",
)
def fix_cleanup(asset: Asset, ctx: FixContext) -> list[str]:
    """Remove what G007/G009/G010 count (the triangles), G006's collapsed triangles, and
    what G008 counts (the vertices), with the same topology the rules judged, for the codes
    selected. G006's flat slivers over three distinct points are kept (see below)."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, *CLEANUP_CODES):
        topo = topology(mesh, _tolerance(ctx, "G006"))
        bad = np.zeros(mesh.triangle_count, dtype=bool)
        if {"G009", "G010"} & set(ctx.running):
            bad[~topo.valid] = True
        if "G006" in ctx.running:
            # triangles with two corners at one point have no edges of their own: removing
            # them opens nothing. A flat triangle over three distinct points fills a gap
            # (a T-junction sliver); removing it would open a hole, so it stays.
            for faces in (topo.repeated_index, topo.collapsed):
                bad[faces] = True
        degenerate = int(bad.sum())
        if degenerate:
            snap_welded(mesh, topo, topo.collapsed)
        if "G007" in ctx.running:
            bad[topo.duplicate_faces] = True
        duplicates = int(bad.sum()) - degenerate
        vertices = mesh.vertex_count
        tris = mesh.triangles
        valid = ((tris >= 0) & (tris < vertices)).all(axis=1)
        used = np.zeros(vertices, dtype=bool)
        used[tris[~bad & valid].reshape(-1)] = True
        if "G008" not in ctx.running:  # unused before: left as they were
            used[np.setdiff1d(np.arange(vertices), tris[valid].reshape(-1))] = True
        set_vertices(mesh, used, tris[~bad & valid], mesh.material_indices[~bad & valid])
        unreferenced = vertices - mesh.vertex_count
        parts = []
        if degenerate:
            parts.append(plural(degenerate, "degenerate or invalid triangle"))
        if duplicates:
            parts.append(plural(duplicates, "duplicate triangle"))
        if unreferenced:
            parts.append(plural(unreferenced, "unused vertex", "unused vertices"))
        if parts:
            changes.append(f"{label}: removed " + ", ".join(parts))
    return changes


def snap_welded(mesh: Mesh, topo: Topology, faces: np.ndarray) -> None:
    """Move every vertex welded with a corner of ``faces`` onto its welded position. A
    collapsed triangle is removed because the topology joined its short edge's two ends;
    left apart by up to 4 weld tolerances, the ends may not be joined again when the
    written file is read with its grid elsewhere (the TripoSR robot, written for print
    in millimetres, reopened a 4-edge hole). Moved by less than 4e-6 of the diagonal,
    they are then one point for any weld."""
    if not len(faces):
        return
    tris = mesh.triangles[faces].reshape(-1)
    classes = np.unique(topo.welded[tris])
    classes = classes[classes >= 0]
    joined = np.isin(topo.welded, classes)
    positions = mesh.positions.copy()
    positions[joined] = topo.welded_positions[topo.welded[joined]].astype(positions.dtype)
    mesh.positions = positions


def orientation_flips(topo: Topology) -> np.ndarray:
    """Per topological face, whether to flip it so that every edge shared by two faces is
    traversed in opposite directions and closed shells enclose positive volume.

    Faces joined by two-face edges form patches; in each, the flip bit of a face is the
    parity of inconsistent edges on its path to the patch's root, found by a breadth-first
    tree and pointer doubling (no loop over faces). A patch keeps the orientation of most
    of its area; a closed one whose signed volume is then negative is turned over, unless
    it lies inside another closed shell (:mod:`assetlint.geometry.shells`): an inward
    shell inside an outward one is a cavity, and a nested shell is never flipped."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    nf = len(topo.faces)
    ids, h1, h2 = topo.pairs
    fa, fb = h1 // 3, h2 // 3
    parity = np.zeros(topo.edges.count, dtype=np.int8)
    parity[topo.inconsistent_edges] = 1
    pair, first = np.unique(np.sort(np.stack([fa, fb], axis=1), axis=1), axis=0, return_index=True)
    odd = parity[ids[first]]
    virtual = nf  # joined to one face of each patch, so one search covers every patch
    _, patch = connected_components(
        csr_matrix((np.ones(len(pair)), (pair[:, 0], pair[:, 1])), shape=(nf, nf)),
        directed=False,
    )
    _, roots = np.unique(patch, return_index=True)
    a = np.concatenate([pair[:, 0], np.full(len(roots), virtual)])
    b = np.concatenate([pair[:, 1], roots])
    weight = np.concatenate([odd.astype(np.float64), np.zeros(len(roots))]) + 1.0
    graph = csr_matrix((weight, (a, b)), shape=(nf + 1, nf + 1))
    graph = graph + graph.T
    _, pred = breadth_first_order(graph, virtual, directed=False, return_predecessors=True)
    pred[virtual] = virtual
    nodes = np.arange(nf + 1)
    bit = (np.asarray(graph[nodes, pred]).reshape(-1) - 1.0).astype(np.int8) & 1
    bit[virtual] = 0
    step = pred.copy()
    while (step != virtual).any():  # log2(depth) rounds
        bit = bit ^ bit[step]
        step = step[step]
    flip = bit[:nf].astype(bool)
    area = topo.face_areas
    flipped_area = np.bincount(patch, weights=area * flip, minlength=len(roots))
    total = np.bincount(patch, weights=area, minlength=len(roots))
    flip ^= (flipped_area > total / 2)[patch]
    # closed patches (no boundary edge) must enclose positive volume
    p = topo.welded_positions.astype(np.float64)
    f = topo.faces
    volume = np.einsum("ij,ij->i", p[f[:, 0]], np.cross(p[f[:, 1]], p[f[:, 2]]))
    volume = np.bincount(patch, weights=np.where(flip, -volume, volume), minlength=len(roots))
    open_patch = np.zeros(len(roots), dtype=bool)
    edges_of = topo.edges
    single = np.flatnonzero(edges_of.face_count != 2)
    if len(single):
        g = edges_of.groups
        open_patch[patch[g.order[g.starts[single]] // 3]] = True
    nest = nesting(topo)
    nested = np.zeros(len(roots), dtype=bool)
    nested[patch] = nest.container[topo.parts[1]] >= 0
    flip ^= ((volume < 0) & ~open_patch & ~nested)[patch]
    return flip


@fix("winding", ("G004", "G005"), "make winding consistent and closed shells face outward")
def fix_winding(asset: Asset, ctx: FixContext) -> list[str]:
    """Flip the faces :func:`orientation_flips` names, on the welded topology the rules
    judge; seams stay as they were (only the order of each face's corners changes)."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, "G004", "G005"):
        topo = topology(mesh, _tolerance(ctx, "G004"))
        flipped = orientation_flips(topo)
        if not flipped.any():
            continue
        rows = topo.face_index[flipped]
        tris = mesh.triangles.copy()
        tris[rows] = tris[rows][:, ::-1]
        mesh.triangles = tris
        if mesh.normals is not None and "G005" in {
            f.code for f in ctx.findings if f.subject == label
        }:
            _flip_normals_of(mesh, rows)
        mesh.cache.clear()
        changes.append(f"{label}: flipped {plural(int(flipped.sum()), 'triangle')}")
    return changes


def _flip_normals_of(mesh: Mesh, rows: np.ndarray) -> None:
    """Reverse the stored normals of vertices used only by flipped faces (an inside-out
    shell's normals point inward with its faces)."""
    flipped = np.zeros(mesh.vertex_count, dtype=bool)
    flipped[mesh.triangles[rows].reshape(-1)] = True
    kept = np.ones(mesh.triangle_count, dtype=bool)
    kept[rows] = False
    flipped[mesh.triangles[kept].reshape(-1)] = False
    normals = mesh.normals.copy()
    normals[flipped] *= -1
    mesh.normals = normals


def _small_parts(topo: Topology, area_ratio: float, size_ratio: float) -> np.ndarray:
    """mesh.triangles indices of the faces of floaters, as G012 judges them."""
    count, part = topo.parts
    if count < 2:
        return np.zeros(0, dtype=np.int64)
    areas = topo.part_areas
    sizes = np.linalg.norm(topo.part_extents, axis=1)
    main = int(np.argmax(areas))
    small = (areas < area_ratio * areas[main]) | (sizes < size_ratio * sizes[main])
    small[main] = False
    small[nesting(topo).container >= 0] = False  # cavities and hidden parts stay
    return topo.face_index[small[part]]


@fix("floaters", ("G012",), "delete small disconnected parts")
def fix_floaters(asset: Asset, ctx: FixContext) -> list[str]:
    """Delete the parts G012 reports (area or size a small share of the main part's)."""
    area_ratio = float(ctx.param("G012", "area_ratio"))
    size_ratio = float(ctx.param("G012", "size_ratio"))
    changes = []
    for mesh, label in reported_meshes(asset, ctx, "G012"):
        faces = _small_parts(topology(mesh, _tolerance(ctx, "G012")), area_ratio, size_ratio)
        if not len(faces):
            continue
        keep = np.ones(mesh.triangle_count, dtype=bool)
        keep[faces] = False
        keep_faces(mesh, keep)
        changes.append(f"{label}: deleted {plural(len(faces), 'floating triangle')}")
    return changes


@fix("hidden", ("G016",), "delete parts hidden inside a closed shell facing the same way")
def fix_hidden(asset: Asset, ctx: FixContext) -> list[str]:
    """Delete the parts G016 reports: solids inside a solid, or open parts inside a
    closed shell (:mod:`assetlint.geometry.shells`), which no camera sees. It runs only
    where the target's lint reported G016 (the game and web packs; a print keeps them).
    Cavities (G017, an inward shell inside an outward one) are never touched: they are the
    hollow of the object, not geometry lying inside it."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, "G016"):
        topo = topology(mesh, _tolerance(ctx, "G016"))
        _, part = topo.parts
        hidden = nesting(topo).parts("hidden")
        if not len(hidden):
            continue
        per_part = np.bincount(part, minlength=int(part.max()) + 1)[hidden]
        keep = np.ones(mesh.triangle_count, dtype=bool)
        keep[topo.face_index[np.isin(part, hidden)]] = False
        keep_faces(mesh, keep)
        sizes = " + ".join(f"{n:,}" for n in sorted(per_part.tolist(), reverse=True))
        each = f": {sizes}" if len(hidden) > 1 else ""
        changes.append(
            f"{label}: deleted {plural(len(hidden), 'hidden part')} "
            f"({plural(int(per_part.sum()), 'triangle')}{each})"
        )
    return changes


MAX_HOLE_EDGES = 30  # convention: MeshLab's default for Close Holes


def _heights(positions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Each triangle's height over its longest edge (twice the area over that edge), as
    G006 measures flatness."""
    p = positions[faces]
    area2 = np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
    longest = np.linalg.norm(p - np.roll(p, -1, axis=1), axis=2).max(axis=1)
    return area2 / np.maximum(longest, np.finfo(np.float64).tiny)


def flip_flat_fill(
    positions: np.ndarray, faces: np.ndarray, first_new: int, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flip every flat fill triangle (``faces[first_new:]``, height below the weld
    ``tolerance``: G006's measure) with the triangle across its longest edge.

    A hole whose boundary runs through three collinear vertices gets a fill triangle with
    no area (the Tripo fish: a 3-edge crack, vertex c on the edge a-b of the surface
    beside it); dropping it would reopen the hole. Flipping the shared edge, (a, b, c) +
    (b, a, d) into (a, d, c) + (d, b, c), covers the same quad with two triangles of real
    height: where the neighbour is a surface triangle this splits it at c, a T-junction
    repair that moves no surface. Only where the neighbour winds consistently, both new
    triangles have height and the new edge c-d is not in the mesh yet; an ear that cannot
    be flipped so is left (G006 reports it).

    Returns (faces with the flips, the flipped fill rows, the row of each one's partner),
    rows indexing ``faces``."""
    faces = faces.astype(np.int64)
    none = np.zeros(0, dtype=np.int64)
    n = max(int(faces.max()) + 1, 1) if len(faces) else 1
    flat = first_new + np.flatnonzero(_heights(positions, faces[first_new:]) < tolerance)
    if not len(flat):
        return faces, none, none
    p = positions[faces[flat]]
    k = np.linalg.norm(p - np.roll(p, -1, axis=1), axis=2).argmax(axis=1)
    rows = faces[flat]
    idx = np.arange(len(flat))
    a, b, c = rows[idx, k], rows[idx, (k + 1) % 3], rows[idx, (k + 2) % 3]
    # the triangle holding the directed edge b -> a (a consistently wound neighbour)
    tails = faces.reshape(-1)
    heads = np.roll(faces, -1, axis=1).reshape(-1)
    directed = tails * n + heads
    order = np.argsort(directed)
    want = b * n + a
    at = order[np.clip(np.searchsorted(directed, want, sorter=order), 0, len(order) - 1)]
    found = directed[at] == want
    other = at // 3
    d = faces[other, (at % 3 + 2) % 3]
    flipped = np.stack([np.stack([a, d, c], axis=1), np.stack([d, b, c], axis=1)], axis=1)
    existing = np.minimum(tails, heads) * n + np.maximum(tails, heads)
    ok = (
        found
        & (d != c)
        & ~np.isin(np.minimum(c, d) * n + np.maximum(c, d), existing)
        & ~np.isin(other, flat)
        & (_heights(positions, flipped.reshape(-1, 3)).reshape(-1, 2) >= tolerance).all(axis=1)
    )
    _, first = np.unique(other[ok], return_index=True)  # each neighbour serves one ear
    chosen = np.flatnonzero(ok)[first]
    faces = faces.copy()
    faces[other[chosen]] = flipped[chosen, 0]
    faces[flat[chosen]] = flipped[chosen, 1]
    return faces, flat[chosen], other[chosen]


@fix("holes", ("G003",), f"close holes of up to {MAX_HOLE_EDGES} edges")
def fix_holes(asset: Asset, ctx: FixContext) -> list[str]:
    """Close holes of up to MAX_HOLE_EDGES boundary edges with MeshLab's Close Holes on
    the welded topology (no new vertices). Each new triangle uses existing vertices (their
    UVs) and takes the material of a face beside it; bigger holes are left to a person."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, "G003"):
        topo = topology(mesh, _tolerance(ctx, "G003"))
        try:
            vertex_count, faces = isolated(
                close_holes,
                topo.welded_positions.astype(np.float64),
                topo.faces.astype(np.int32),
                MAX_HOLE_EDGES,
            )
        except MeshLabError:
            continue  # MeshLab refuses some non-manifold input; G001/G002 explain why
        if vertex_count != topo.welded_count or len(faces) == len(topo.faces):
            continue
        count = len(topo.faces)
        positions = topo.welded_positions.astype(np.float64)
        faces, ears, partners = flip_flat_fill(positions, faces, count, topo.tolerance)
        new_faces = faces[count:]
        rep = topo.representative
        slot_of = np.full(topo.welded_count, -1, dtype=np.int32)
        slot_of[topo.faces.reshape(-1)] = np.repeat(mesh.material_indices[topo.face_index], 3)
        triangles = np.concatenate([mesh.triangles, rep[new_faces].astype(np.int32)])
        slots = np.concatenate([mesh.material_indices, slot_of[new_faces[:, 0]]])
        split = partners < count  # ears flipped with a surface triangle: it is split at c
        if split.any():
            source = topo.face_index[partners[split]]
            rows = np.concatenate([source, len(mesh.triangles) + ears[split] - count])
            welded = np.concatenate([faces[partners[split]], faces[ears[split]]])
            own = np.tile(mesh.triangles[source], (2, 1))  # the split triangle's corners
            own_welded = topo.welded[own]
            match = welded[:, :, None] == own_welded[:, None, :]
            corner = np.take_along_axis(own, match.argmax(axis=2), axis=1)
            triangles[rows] = np.where(match.any(axis=2), corner, rep[welded])
            slots[rows] = np.tile(mesh.material_indices[source], 2)
        mesh.triangles = triangles
        mesh.material_indices = slots
        mesh.polygon_count = len(mesh.triangles)
        mesh.cache.clear()
        changes.append(f"{label}: closed holes with {plural(len(new_faces), 'triangle')}")
        # a shell closed now must face outward, as G005 will judge it
        closed = topology(mesh, _tolerance(ctx, "G003"))
        flips = orientation_flips(closed)
        if flips.any():
            rows = closed.face_index[flips]
            tris = mesh.triangles.copy()
            tris[rows] = tris[rows][:, ::-1]
            mesh.triangles = tris
            mesh.cache.clear()
            changes.append(
                f"{label}: turned {plural(len(rows), 'triangle')} of the closed shells outward"
            )
    return changes
