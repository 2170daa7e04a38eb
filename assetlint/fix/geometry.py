"""Fixes on mesh geometry: weld, cleanup, winding, floaters, hidden parts, holes.

Each works on the rules' own topology (:mod:`assetlint.geometry.topology`, at the weld
tolerance the rule ran with), so it removes exactly what the rule reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from assetlint.fix import FixContext, fix
from assetlint.fix._meshlab import MeshLabError, close_holes, isolated
from assetlint.geometry.shells import floating, held_by_other_meshes, nesting
from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, Topology, components, topology
from assetlint.model import Asset, Mesh
from assetlint.rules import mesh_label, plural


def weld_tolerance(ctx: FixContext, code: str) -> float:
    """The weld tolerance rule ``code`` judged with: a repair works on what it saw."""
    return float(ctx.param(code, "weld_tolerance") or DEFAULT_WELD_TOLERANCE)


def reported_meshes(asset: Asset, ctx: FixContext, *codes: str) -> Iterator[tuple[Mesh, str]]:
    """(mesh, label) of each mesh the lint reported under one of ``codes``: a
    repair step touches only what its rules found."""
    for index in ctx.reported(asset, *codes):
        yield asset.meshes[index], mesh_label(asset, index)


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
        topo = topology(mesh, weld_tolerance(ctx, "G011"))
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
    selected. G006's flat slivers over three distinct points are not removed (that would
    open a hole) but flipped with a neighbour (:func:`flip_slivers`)."""
    changes = []
    for mesh, label in reported_meshes(asset, ctx, *CLEANUP_CODES):
        topo = topology(mesh, weld_tolerance(ctx, "G006"))
        bad = np.zeros(mesh.triangle_count, dtype=bool)
        if {"G009", "G010"} & set(ctx.running):
            bad[~topo.valid] = True
        if "G006" in ctx.running:
            # triangles with two corners at one point have no edges of their own: removing
            # them opens nothing. A flat triangle over three distinct points fills a gap
            # (a T-junction sliver); removing it would open a hole: it is flipped instead.
            for faces in (topo.repeated_index, topo.collapsed):
                bad[faces] = True
        degenerate = int(bad.sum())
        unused_before = np.setdiff1d(np.arange(mesh.vertex_count), mesh.triangles.reshape(-1))
        if degenerate:
            snap_welded(mesh, topo, topo.collapsed)
        if "G006" in ctx.running:
            if degenerate:  # the snap can leave a corner on the edge beside it (the robot)
                mesh.cache.clear()
                topo = topology(mesh, weld_tolerance(ctx, "G006"))
            loose = loose_slivers(topo)
            bad[loose] = True
            degenerate += len(loose)
            flipped = flip_slivers(mesh, topo)
            if flipped:
                changes.append(
                    f"{label}: flipped {plural(flipped, 'flat triangle')} with the triangle "
                    "across its longest edge"
                )
        if "G007" in ctx.running:
            bad[topo.duplicate_faces] = True
        duplicates = int(bad.sum()) - degenerate
        vertices = mesh.vertex_count
        tris = mesh.triangles
        valid = ((tris >= 0) & (tris < vertices)).all(axis=1)
        used = np.zeros(vertices, dtype=bool)
        used[tris[~bad & valid].reshape(-1)] = True
        if "G008" not in ctx.running:  # unused before: left as they were
            used[unused_before] = True
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


def loose_slivers(topo: Topology) -> np.ndarray:
    """Flat triangles (G006, mesh.triangles indices) with no other face on their longest
    edge: floating on their own, or a flap on a hole's rim. Removing one opens no hole,
    the rim runs along that edge instead of the two short ones beside it (MeshGPT's
    person: 5 such)."""
    flat = topo.flat_faces
    if not len(flat):
        return flat
    rows = np.searchsorted(topo.face_index, flat)
    corner = topo.welded_positions[topo.faces[rows]].astype(np.float64)
    longest = np.linalg.norm(corner - np.roll(corner, -1, axis=1), axis=2).argmax(axis=1)
    return flat[topo.half_count[rows, longest] == 1]


def flip_slivers(mesh: Mesh, topo: Topology) -> int:
    """Flip each flat triangle over three distinct points (G006's "flatter than the
    tolerance": a corner on, or next to, the opposite edge, a T-junction left by the
    generator's mesher) with the triangle across its longest edge, as
    :func:`flip_flat_fill` does for a fill: the same surface in two triangles of real
    height, no hole opened. Each new triangle takes its corners' vertices (UVs, colour)
    from the neighbour where it has them, from the sliver for the corner only it has, and
    the neighbour's material. Slivers that cannot be flipped so are left. How many were
    flipped."""
    flat = topo.flat_faces
    if not len(flat):
        return 0
    rows = np.searchsorted(topo.face_index, flat)
    rest = np.setdiff1d(np.arange(len(topo.faces)), rows)
    order = np.concatenate([rest, rows])
    positions = topo.welded_positions.astype(np.float64)
    faces, ears, partners = flip_flat_fill(positions, topo.faces[order], len(rest), topo.tolerance)
    if not len(ears):
        return 0
    sliver, beside = topo.face_index[order[ears]], topo.face_index[order[partners]]
    own = np.concatenate([mesh.triangles[beside], mesh.triangles[sliver]], axis=1)
    own_welded = topo.welded[own]
    triangles = mesh.triangles.copy()
    slots = mesh.material_indices.copy()
    for target, welded in ((beside, faces[partners]), (sliver, faces[ears])):
        match = welded[:, :, None] == own_welded[:, None, :]
        triangles[target] = np.take_along_axis(own, match.argmax(axis=2), axis=1)
        slots[target] = mesh.material_indices[beside]
    mesh.triangles = triangles
    mesh.material_indices = slots
    mesh.cache.clear()
    return len(ears)


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


def turn_outward(asset: Asset, mesh: Mesh, tolerance: float, rows: np.ndarray | None = None) -> int:
    """Flip the faces :func:`orientation_flips` picks, so that every closed shell faces
    outward as G005 will judge it after a repair closed it; with ``rows`` (mesh.triangles
    rows), only in the closed shells that hold one of them. How many triangles flipped."""
    topo = topology(mesh, tolerance)
    _, part = topo.parts
    if rows is not None:
        chosen = np.zeros(len(topo.part_closed), dtype=bool)
        chosen[part[np.isin(topo.face_index, rows)]] = True
        chosen &= topo.part_closed
        if not chosen.any():
            return 0
    index = next(i for i, m in enumerate(asset.meshes) if m is mesh)
    flips = orientation_flips(topo, held_by_other_meshes(asset, tolerance).get(index))
    if rows is not None:
        flips &= chosen[part]
    if not flips.any():
        return 0
    flipped = topo.face_index[flips]
    tris = mesh.triangles.copy()
    tris[flipped] = tris[flipped][:, ::-1]
    mesh.triangles = tris
    mesh.cache.clear()
    return len(flipped)


def orientation_flips(topo: Topology, held: np.ndarray | None = None) -> np.ndarray:
    """Per topological face, whether to flip it so that every edge shared by two faces is
    traversed in opposite directions and closed shells enclose positive volume.

    Faces joined by two-face edges form patches; in each, the flip bit of a face is the
    parity of inconsistent edges on its path to the patch's root, found by a breadth-first
    tree and pointer doubling (no loop over faces), kept only where they leave fewer
    inconsistent edges than before. A patch keeps the orientation of most of its area; a
    closed one whose signed volume is then negative is turned over, unless
    it lies inside another closed shell (:mod:`assetlint.geometry.shells`): an inward
    shell inside an outward one is a cavity, and a nested shell is never flipped; nor is a
    part ``held`` (per topology part) inside another mesh's closed shell
    (:func:`~assetlint.geometry.shells.held_by_other_meshes`)."""
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
    # a patch that cannot be oriented (a Moebius-like twist: its inconsistent edges form
    # an odd cycle) keeps its winding when the tree's flips would leave as many or more
    # edges inconsistent than before (the DreamGaussian set square: 1 edge became 11)
    at = patch[pair[:, 0]]
    after = odd ^ flip[pair[:, 0]] ^ flip[pair[:, 1]]
    before = np.bincount(at, weights=odd, minlength=len(roots))
    flip &= ~(np.bincount(at, weights=after, minlength=len(roots)) >= before)[patch]
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
    if held is not None and len(held) == len(nest.container):
        nested[patch] |= held[topo.parts[1]]
    flip ^= ((volume < 0) & ~open_patch & ~nested)[patch]
    return flip


@fix("winding", ("G004", "G005"), "make winding consistent and closed shells face outward")
def fix_winding(asset: Asset, ctx: FixContext) -> list[str]:
    """Flip the faces :func:`orientation_flips` names, on the welded topology the rules
    judge; seams stay as they were (only the order of each face's corners changes)."""
    changes = []
    held = held_by_other_meshes(asset, weld_tolerance(ctx, "G004"))
    index_of = {id(mesh): index for index, mesh in enumerate(asset.meshes)}
    for mesh, label in reported_meshes(asset, ctx, "G004", "G005"):
        topo = topology(mesh, weld_tolerance(ctx, "G004"))
        flipped = orientation_flips(topo, held.get(index_of[id(mesh)]))
        if flipped.any():
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
        if "G004" in ctx.running:
            changes.extend(one_sided(topology(mesh, weld_tolerance(ctx, "G004")), label))
    return changes


def sheets(topo: Topology) -> tuple[int, np.ndarray]:
    """(count, sheet of each topological face): faces joined through edges of exactly two
    faces (the patches :func:`orientation_flips` orients), so a non-manifold edge is
    where sheets meet."""
    _, h1, h2 = topo.pairs
    return components(len(topo.faces), h1 // 3, h2 // 3)


def one_sided(topo: Topology, label: str) -> list[str]:
    """The line saying which inconsistent edges no flip can mend, once
    :func:`orientation_flips` has been applied: on an orientable patch its tree of flips
    leaves none, so an edge left lies on a one-sided patch (a band with an odd number of
    twists, like a Moebius strip) that only a cut through the surface would orient."""
    left = topo.inconsistent_edges
    if not len(left):
        return []
    _, patch = sheets(topo)
    g = topo.edges.groups
    bands = np.unique(patch[g.order[g.starts[left]] // 3])
    faces = int(np.isin(patch, bands).sum())
    return [
        f"{label}: not repairable here: {plural(len(left), 'edge')} wound the same way by "
        f"both faces left on {plural(len(bands), 'one-sided patch', 'one-sided patches')} "
        f"({plural(faces, 'triangle')}, twisted like a Moebius strip): no choice of flips "
        "orients it"
    ]


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


def _small_parts(
    topo: Topology, area_ratio: float, size_ratio: float, held: np.ndarray | None = None
) -> np.ndarray:
    """mesh.triangles indices of the faces of floaters, as G012 judges them (``held``: per
    part, inside another mesh's closed shell, so not floating)."""
    return topo.face_index[floating(topo, area_ratio, size_ratio, held)[topo.parts[1]]]


@fix("floaters", ("G012",), "delete small disconnected parts")
def fix_floaters(asset: Asset, ctx: FixContext) -> list[str]:
    """Delete the parts G012 reports (:func:`assetlint.geometry.shells.floating`: area or
    size a small share of the main part's, inside no closed shell of its own mesh or of
    another, neither a copy of another part nor held all round its rim)."""
    area_ratio = float(ctx.param("G012", "area_ratio"))
    size_ratio = float(ctx.param("G012", "size_ratio"))
    changes = []
    tolerance = weld_tolerance(ctx, "G012")
    held = held_by_other_meshes(asset, tolerance)
    index_of = {id(mesh): index for index, mesh in enumerate(asset.meshes)}
    for mesh, label in reported_meshes(asset, ctx, "G012"):
        topo = topology(mesh, tolerance)
        faces = _small_parts(topo, area_ratio, size_ratio, held.get(index_of[id(mesh)]))
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
        topo = topology(mesh, weld_tolerance(ctx, "G016"))
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


def refill_crossed(
    positions: np.ndarray, faces: np.ndarray, first_new: int, steiner: bool = True
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Fill again, on their own, the holes whose fill (``faces[first_new:]``) put a third
    triangle on an edge: all faces, the refilled holes' triangles last.

    MeshLab's Close Holes ear-clips a boundary loop as one polygon. A loop that passes
    twice through one vertex (two holes touching at a corner: the DreamGaussian set
    square) or whose best ear is a diagonal the surface already has gets a triangle on an
    edge that already has two: a non-manifold edge, which the harm check rolls back. Such
    a loop is split at its repeated vertices into simple cycles, and each is given the
    triangulation of least total area (Barequet & Sharir 1995; Liepa 2003 adds dihedral
    weights) among those whose diagonals are not edges of the mesh yet, wound against the
    surface beside it. Where there is none, or it crosses the surface, and ``steiner``
    allows it, the cycle
    is fanned from a new vertex at its centre (ids from ``len(positions)`` on, one per
    cycle returned); a cycle that cannot be filled so either is left open (G003 stays).

    A 4-edge crack folded over a short edge of the surface is closed by joining that
    edge's ends instead (:func:`_zip`).

    Returns (all faces, the refilled ones last; the cycle of each new vertex; the pairs of
    vertices to join)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    faces = faces.astype(np.int64)
    n = max(int(faces.max()) + 1, 1) if len(faces) else 1
    tails, heads = faces.ravel(), np.roll(faces, -1, axis=1).ravel()
    keys = np.minimum(tails, heads) * n + np.maximum(tails, heads)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    crowded = (counts[inverse].reshape(-1, 3) > 2).any(axis=1)
    if not crowded[first_new:].any():
        return faces, [], []
    old = slice(0, 3 * first_new)
    old_keys = keys[old]
    _, old_inverse, old_counts = np.unique(old_keys, return_inverse=True, return_counts=True)
    open_ = old_counts[old_inverse] == 1
    bt, bh = tails[old][open_], heads[old][open_]
    graph = coo_matrix((np.ones(len(bt)), (bt, bh)), shape=(n, n))
    _, loop = connected_components(graph, directed=False)
    on_boundary = np.zeros(n, dtype=bool)
    on_boundary[bt] = on_boundary[bh] = True
    new = faces[first_new:]
    bad_loops = np.unique(loop[new[crowded[first_new:], 0]])
    redo = np.isin(loop[new[:, 0]], bad_loops) & on_boundary[new[:, 0]]
    existing = np.unique(old_keys)
    fills, centres, zips = [], [], []
    points = positions.astype(np.float64)
    for hole in bad_loops:
        in_hole = loop[bt] == hole
        for cycle in _simple_cycles(bt[in_hole], bh[in_hole]):
            tris = _least_area_fill(points, cycle, existing, n)
            if tris is None or not _lies_clear(points, faces[:first_new], tris):
                if not steiner:
                    continue
                centre = len(positions) + len(centres)
                tris = np.stack([np.full(len(cycle), centre), cycle, np.roll(cycle, -1)], 1)
                trial = np.concatenate([points, points[cycle].mean(axis=0, keepdims=True)])
                if not _lies_clear(trial, faces[:first_new], tris):
                    zips += _zip(points, faces[:first_new], cycle, n)
                    continue
                points = trial
                centres.append(cycle)
            along = np.isin(bt[in_hole] * n + bh[in_hole], cycle * n + np.roll(cycle, -1))
            if 2 * along.sum() > len(along):  # the surface runs the cycle's way: fill against
                tris = tris[:, ::-1]
            fills.append(tris)
    kept = np.concatenate([faces[:first_new], new[~redo], *fills])
    return kept, centres, zips


def _zip(points: np.ndarray, surface: np.ndarray, cycle: np.ndarray, n: int) -> list[tuple]:
    """A 4-edge hole (a, b, c, d) around an edge a-c of the surface, shorter than a third
    of b-d, is a crack folded over that edge (the DreamGaussian set square: 1.4 mm beside
    15 mm sides): no fill exists without a third face on a-c. Joining a and c closes it,
    a-b meeting c-b and a-d meeting c-d, and drops the two faces on a-c. [(a, c)] when the
    surface stays manifold there (no edge gets a third face), else []."""
    if len(cycle) != 4:
        return []
    for a, b, c, d in (cycle, np.roll(cycle, 1)):
        on = (surface == a).any(axis=1) & (surface == c).any(axis=1)
        short = np.linalg.norm(points[a] - points[c]) < np.linalg.norm(points[b] - points[d]) / 3
        if not (on.any() and short):
            continue
        near = surface[((surface == a) | (surface == c)).any(axis=1) & ~on]
        joined = np.where(near == c, a, near)
        tails, heads = joined.ravel(), np.roll(joined, -1, axis=1).ravel()
        keys = np.minimum(tails, heads) * n + np.maximum(tails, heads)
        _, uses = np.unique(keys[(tails == a) | (heads == a)], return_counts=True)
        if (uses <= 2).all():
            return [(int(a), int(c))]
    return []


def _lies_clear(points: np.ndarray, surface: np.ndarray, tris: np.ndarray) -> bool:
    """Whether the fill ``tris`` crosses no triangle of ``surface`` near it, nor one
    another (MeshLab's pairwise test on the triangles whose boxes come near the fill)."""
    from assetlint.geometry.intersections import self_intersections

    corner = points[tris]
    lo, hi = corner.reshape(-1, 3).min(axis=0), corner.reshape(-1, 3).max(axis=0)
    pad = 0.5 * (hi - lo).max()
    box = points[surface]
    near = surface[((box.min(axis=1) <= hi + pad) & (box.max(axis=1) >= lo - pad)).all(axis=1)]
    hit = self_intersections(points, np.concatenate([near, tris]))
    return not (hit >= len(near)).any()


def _simple_cycles(tails: np.ndarray, heads: np.ndarray) -> list[np.ndarray]:
    """The boundary edges of one loop (at most MAX_HOLE_EDGES) split into simple cycles of
    vertices: walk unused edges, and cut off a cycle each time the walk comes back to a
    vertex already on its path (a vertex the loop passes twice)."""
    edges = [(int(a), int(b)) for a, b in zip(tails, heads, strict=True)]
    unused = set(range(len(edges)))
    cycles = []
    while unused:
        path = [edges[min(unused)][0]]
        while unused:
            here = path[-1]
            step = next((i for i in sorted(unused) if here in edges[i]), None)
            if step is None:
                break  # an open chain: no cycle to fill
            unused.discard(step)
            a, b = edges[step]
            there = b if a == here else a
            if there in path:
                start = path.index(there)
                cycles.append(np.array(path[start:], dtype=np.int64))
                del path[start + 1 :]
                if len(path) == 1:
                    break
            else:
                path.append(there)
    return [c for c in cycles if len(c) >= 3]


def _least_area_fill(
    positions: np.ndarray, cycle: np.ndarray, existing: np.ndarray, n: int
) -> np.ndarray | None:
    """Triangles (rows of vertex ids, following the cycle's order) of the least-area
    triangulation of a simple cycle that adds no edge in ``existing`` (keys min * n +
    max); None when there is none. Dynamic programming over the cycle's sub-chains."""
    m = len(cycle)
    p = positions[cycle].astype(np.float64)
    i, j = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    a, b = cycle[i], cycle[j]
    allowed = ~np.isin(np.minimum(a, b) * n + np.maximum(a, b), existing)
    side = (np.abs(i - j) == 1) | (np.abs(i - j) == m - 1)
    allowed |= side
    ab = p[None, :, :] - p[:, None, :]  # ab[i, k] = p[k] - p[i]
    cost = np.full((m, m), np.inf)
    cost[np.arange(m - 1), np.arange(1, m)] = 0.0
    split = np.full((m, m), -1, dtype=np.int64)
    for gap in range(2, m):
        for lo in range(m - gap):
            hi = lo + gap
            if not allowed[lo, hi]:
                continue
            k = np.arange(lo + 1, hi)
            area = 0.5 * np.linalg.norm(np.cross(ab[lo, k], ab[lo, hi]), axis=1)
            total = cost[lo, k] + cost[k, hi] + area
            best = int(np.argmin(total))
            if np.isfinite(total[best]):
                cost[lo, hi], split[lo, hi] = total[best], k[best]
    if not np.isfinite(cost[0, m - 1]):
        return None
    tris, todo = [], [(0, m - 1)]
    while todo:
        lo, hi = todo.pop()
        if hi - lo < 2:
            continue
        k = int(split[lo, hi])
        tris.append((cycle[lo], cycle[k], cycle[hi]))
        todo += [(lo, k), (k, hi)]
    return np.array(tris, dtype=np.int64)


def _join(mesh: Mesh, topo: Topology, pairs: np.ndarray) -> None:
    """Move the vertices of each welded pair (a, c) to their midpoint and drop the faces
    that had both (:func:`_zip`)."""
    welded = topo.welded
    positions = mesh.positions.copy()
    mid = 0.5 * (topo.welded_positions[pairs[:, 0]] + topo.welded_positions[pairs[:, 1]])
    drop = np.zeros(mesh.triangle_count, dtype=bool)
    corners = welded[np.clip(mesh.triangles, 0, len(welded) - 1)]
    for (a, c), at in zip(pairs, mid, strict=True):
        positions[(welded == a) | (welded == c)] = at
        drop |= (corners == a).any(axis=1) & (corners == c).any(axis=1)
    mesh.positions = positions
    keep_faces(mesh, ~drop)


def _add_centres(mesh: Mesh, rings: list[np.ndarray]) -> None:
    """Append one vertex per ring of vertex ids, at its centre, with the mean of its
    attributes (UVs, colour; the normal renormalised)."""
    mean = np.stack([_attributes(mesh)[ring].mean(axis=0) for ring in rings])
    mesh.positions = np.concatenate(
        [mesh.positions, np.stack([mesh.positions[r].mean(axis=0) for r in rings])]
    ).astype(np.float32)
    at = 0
    uvs = []
    for uv in mesh.uvs:
        uvs.append(np.concatenate([uv, mean[:, at : at + 2]]).astype(np.float32))
        at += 2
    mesh.uvs = uvs
    if mesh.normals is not None:
        normal = mean[:, at : at + 3]
        normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
        mesh.normals = np.concatenate([mesh.normals, normal]).astype(np.float32)
        at += 3
    if mesh.colors is not None:
        mesh.colors = np.concatenate([mesh.colors, mean[:, at : at + 4]]).astype(np.float32)
    mesh.cache.clear()


@fix("holes", ("G003",), f"close holes of up to {MAX_HOLE_EDGES} edges")
def fix_holes(asset: Asset, ctx: FixContext) -> list[str]:
    """Close holes of up to MAX_HOLE_EDGES boundary edges with MeshLab's Close Holes on
    the welded topology (no new vertices), those it would close with a non-manifold edge
    again by :func:`refill_crossed` (a centre vertex where no flat fill of the existing
    ones exists, not on a skinned mesh). Each new triangle uses existing vertices (their
    UVs) and takes the material of a face beside it; bigger holes are left to a person."""
    from assetlint.fix.manifold import split_bowties  # here: manifold imports this module

    changes = []
    pinched = "G002" in ctx.judged and {f.subject for f in ctx.found("G002")}
    for mesh, label in reported_meshes(asset, ctx, "G003"):
        changes.extend(_close_holes(asset, mesh, label, ctx))
        if pinched and label in pinched:
            fewer, split, added = split_bowties(mesh, weld_tolerance(ctx, "G002"))
            if fewer:
                changes.append(
                    f"{label}: split {plural(fewer, 'bow-tie vertex', 'bow-tie vertices')} "
                    "on a hole's rim that closing the hole did not join: "
                    f"{plural(split, 'vertex', 'vertices')} into one per fan of faces "
                    f"({plural(added, 'vertex', 'vertices')} added)"
                )
    return changes


def _close_holes(asset: Asset, mesh: Mesh, label: str, ctx: FixContext) -> list[str]:
    """:func:`fix_holes` on one mesh: its lines."""
    changes: list[str] = []
    topo = topology(mesh, weld_tolerance(ctx, "G003"))
    try:
        vertex_count, faces = isolated(
            close_holes,
            topo.welded_positions.astype(np.float64),
            topo.faces.astype(np.int32),
            MAX_HOLE_EDGES,
        )
    except MeshLabError:
        return changes  # MeshLab refuses some non-manifold input; G001/G002 explain why
    if vertex_count != topo.welded_count or len(faces) == len(topo.faces):
        return changes
    count = len(topo.faces)
    positions = topo.welded_positions.astype(np.float64)
    faces, centres, zips = refill_crossed(positions, faces, count, steiner=mesh.bone_count == 0)
    if len(faces) == count and not zips:
        return changes  # every hole MeshLab closed had to be left open
    rep = topo.representative
    if centres:
        rep = np.concatenate([rep, mesh.vertex_count + np.arange(len(centres))])
        positions = np.concatenate([positions, [positions[c].mean(axis=0) for c in centres]])
        _add_centres(mesh, [topo.representative[c] for c in centres])
    faces, ears, partners = flip_flat_fill(positions, faces, count, topo.tolerance)
    new_faces = faces[count:]
    slot_of = np.full(len(positions), -1, dtype=np.int32)
    slot_of[topo.faces.reshape(-1)] = np.repeat(mesh.material_indices[topo.face_index], 3)
    for offset, ring in enumerate(centres):  # a centre takes its ring's material
        slot_of[topo.welded_count + offset] = slot_of[ring[0]]
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
    if len(new_faces):
        changes.append(f"{label}: closed holes with {plural(len(new_faces), 'triangle')}")
    if zips:
        _join(mesh, topo, np.array(zips))
        changes.append(
            f"{label}: closed {plural(len(zips), 'crack')} folded over an edge by joining "
            "the edge's ends"
        )
    # a shell closed now must face outward, as G005 will judge it
    turned = turn_outward(asset, mesh, weld_tolerance(ctx, "G003"))
    if turned:
        changes.append(f"{label}: turned {plural(turned, 'triangle')} of the closed shells outward")
    return changes
