"""Fixes on mesh geometry: weld, cleanup, winding, floaters, holes.

Each works on the rules' own topology (:mod:`assetlint.geometry.topology`, at the weld
tolerance the rule ran with), so it removes exactly what the rule reported.
"""

from __future__ import annotations

import numpy as np

from assetlint.fix import FixContext, fix
from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, Topology, topology
from assetlint.model import Asset, Mesh
from assetlint.rules import mesh_label, plural


def _tolerance(ctx: FixContext, code: str) -> float:
    return float(ctx.param(code, "weld_tolerance") or DEFAULT_WELD_TOLERANCE)


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
    reported = {f.subject for f in ctx.found("G011")}
    changes = []
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label not in reported or not mesh.vertex_count:
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
    """Remove what G006/G007/G009/G010 count (the triangles) and what G008 counts (the
    vertices), with the same topology the rules judged."""
    reported = {f.subject for f in ctx.found(*CLEANUP_CODES)}
    changes = []
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label not in reported:
            continue
        topo = topology(mesh, _tolerance(ctx, "G006"))
        bad = np.zeros(mesh.triangle_count, dtype=bool)
        bad[~topo.valid] = True
        for faces in (topo.repeated_index, topo.collapsed, topo.flat_faces):
            bad[faces] = True
        degenerate = int(bad.sum())
        bad[topo.duplicate_faces] = True
        duplicates = int(bad.sum()) - degenerate
        vertices = mesh.vertex_count
        keep_faces(mesh, ~bad)
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


def _flipped_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rows of ``after`` that are not a cyclic rotation of the same row of ``before``."""
    same = np.zeros(len(before), dtype=bool)
    for shift in range(3):  # three rotations, not a loop over faces
        same |= (np.roll(before, shift, axis=1) == after).all(axis=1)
    return ~same


@fix("winding", ("G004", "G005"), "make winding consistent and closed shells face outward")
def fix_winding(asset: Asset, ctx: FixContext) -> list[str]:
    """Orient each part coherently from its largest faces and flip closed parts whose
    signed volume is negative (trimesh's ``fix_normals`` on the welded topology); only the
    faces that changed direction are flipped in the mesh, so seams stay as they were."""
    import trimesh

    reported = {f.subject for f in ctx.found("G004", "G005")}
    changes = []
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label not in reported:
            continue
        topo = topology(mesh, _tolerance(ctx, "G004"))
        faces = topo.faces
        tm = trimesh.Trimesh(topo.welded_positions, faces.copy(), process=False)
        trimesh.repair.fix_normals(tm, multibody=True)
        flipped = _flipped_rows(faces, np.asarray(tm.faces))
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
    return topo.face_index[small[part]]


@fix("floaters", ("G012",), "delete small disconnected parts")
def fix_floaters(asset: Asset, ctx: FixContext) -> list[str]:
    """Delete the parts G012 reports (area or size a small share of the main part's)."""
    reported = {f.subject for f in ctx.found("G012")}
    area_ratio = float(ctx.param("G012", "area_ratio"))
    size_ratio = float(ctx.param("G012", "size_ratio"))
    changes = []
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label not in reported:
            continue
        faces = _small_parts(topology(mesh, _tolerance(ctx, "G012")), area_ratio, size_ratio)
        if not len(faces):
            continue
        keep = np.ones(mesh.triangle_count, dtype=bool)
        keep[faces] = False
        keep_faces(mesh, keep)
        changes.append(f"{label}: deleted {plural(len(faces), 'floating triangle')}")
    return changes


MAX_HOLE_EDGES = 30  # convention: MeshLab's default for Close Holes


@fix("holes", ("G003",), f"close holes of up to {MAX_HOLE_EDGES} edges")
def fix_holes(asset: Asset, ctx: FixContext) -> list[str]:
    """Close holes of up to MAX_HOLE_EDGES boundary edges with MeshLab's Close Holes on
    the welded topology (no new vertices). Each new triangle uses existing vertices (their
    UVs) and takes the material of a face beside it; bigger holes are left to a person."""
    import pymeshlab

    reported = {f.subject for f in ctx.found("G003")}
    changes = []
    for index, mesh in enumerate(asset.meshes):
        label = mesh_label(asset, index)
        if label not in reported:
            continue
        topo = topology(mesh, _tolerance(ctx, "G003"))
        ms = pymeshlab.MeshSet()
        ms.add_mesh(
            pymeshlab.Mesh(topo.welded_positions.astype(np.float64), topo.faces.astype(np.int32))
        )
        try:
            ms.meshing_close_holes(maxholesize=MAX_HOLE_EDGES, selfintersection=False)
        except pymeshlab.PyMeshLabException:
            continue  # MeshLab refuses non-manifold input; G001/G002 explain why
        out = ms.current_mesh()
        new_faces = out.face_matrix()[len(topo.faces) :]
        if out.vertex_number() != topo.welded_count or not len(new_faces):
            continue
        rep = topo.representative
        slot_of = np.full(topo.welded_count, -1, dtype=np.int32)
        slot_of[topo.faces.reshape(-1)] = np.repeat(mesh.material_indices[topo.face_index], 3)
        mesh.triangles = np.concatenate([mesh.triangles, rep[new_faces].astype(np.int32)])
        mesh.material_indices = np.concatenate([mesh.material_indices, slot_of[new_faces[:, 0]]])
        mesh.polygon_count = len(mesh.triangles)
        mesh.cache.clear()
        changes.append(f"{label}: closed holes with {plural(len(new_faces), 'triangle')}")
    return changes
