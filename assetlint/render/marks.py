"""Defects to draw on the renders, gathered once per asset from the findings.

Findings carry a bounded sample of indices; where the whole set is cheap to recompute
(boundary, non-manifold and inconsistent edges) it comes from the mesh's cached topology,
so every hole is drawn, not just the first twenty edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assetlint.findings import Finding
from assetlint.geometry.raster import Scene
from assetlint.geometry.topology import topology
from assetlint.model import Asset
from assetlint.rules import mesh_label

# Marking colours (RGB 0..255), also used by the HTML legend.
COLORS: dict[str, tuple[int, int, int]] = {
    "hole": (235, 20, 20),
    "non-manifold": (255, 150, 0),
    "flipped": (0, 215, 235),
    "floater": (150, 235, 0),
    "intersection": (40, 80, 255),
    "spot": (255, 255, 255),
    "light": (255, 205, 0),
    "back side": (150, 60, 170),
}
LEGEND: dict[str, str] = {
    "hole": "open boundary edges (holes)",
    "non-manifold": "non-manifold edges and vertices",
    "flipped": "inconsistently wound or inside-out faces",
    "floater": "floating parts (ringed)",
    "intersection": "self-intersecting faces",
    "spot": "other located findings",
    "light": "estimated light baked into the albedo (arrow points from the light)",
    "back side": "back side of a face (seen through a hole, or flipped)",
}
FACE_KINDS = ("flipped", "floater", "intersection")
MAX_EDGES = 200_000
# Located findings that are not defects of a spot (seams, soup): no marker.
UNMARKED = ("G011", "G013", "G014", "G015")


@dataclass
class Mark:
    """What one finding puts on the renders: scene faces, world segments, world points."""

    kind: str
    faces: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    segments: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 3)))
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    rings: list[np.ndarray] = field(default_factory=list)  # world points of each ringed part


@dataclass
class Defects:
    marks: dict[int, Mark]  # finding index -> its mark
    light: np.ndarray | None = None  # unit direction towards the baked light

    def face_kinds(self, count: int) -> np.ndarray:
        """Per scene triangle, 1 + index into FACE_KINDS of its marking (0 = none)."""
        out = np.zeros(count, dtype=np.uint8)
        for mark in self.marks.values():
            if mark.kind in FACE_KINDS and len(mark.faces):
                out[mark.faces] = FACE_KINDS.index(mark.kind) + 1
        return out


def _edges(scene: Scene, mesh_index: int, pairs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)[:MAX_EDGES]
    local = positions[pairs].astype(np.float64)  # (n, 2, 3)
    worlds = scene.world_points(mesh_index, local.reshape(-1, 3))
    if not worlds:
        return np.zeros((0, 2, 3))
    return np.concatenate([w.reshape(-1, 2, 3) for w in worlds])


def light_direction(finding: Finding) -> np.ndarray | None:
    """The H001 light direction (a unit vector in the canonical frame), or None."""
    d = np.asarray(finding.direction if finding.direction is not None else [], dtype=np.float64)
    if d.shape != (3,) or not np.isfinite(d).all():
        return None
    n = np.linalg.norm(d)
    return d / n if n > 0 else None


def collect(asset: Asset, scene: Scene, findings: list[Finding]) -> Defects:
    """The marks of every finding that points at geometry."""
    labels = {mesh_label(asset, i): i for i in range(len(asset.meshes))}
    defects = Defects(marks={})
    for index, f in enumerate(findings):
        if f.code == "H001":
            defects.light = light_direction(f)
            if defects.light is not None:
                defects.marks[index] = Mark("light")
            continue
        mesh_index = labels.get(f.subject) if f.subject_type == "mesh" else None
        if mesh_index is None:
            continue
        mesh = asset.meshes[mesh_index]
        faces = np.asarray(f.sample.get("faces", []), dtype=np.int64)
        mark = _mark(f.code, asset, scene, mesh_index, faces)
        if mark is None and f.location is not None and f.code not in UNMARKED:
            pts = scene.world_points(mesh_index, np.asarray(f.location))
            mark = Mark("spot", points=np.concatenate(pts)) if pts else None
        if f.code == "G002" and len(f.sample.get("vertices", [])):
            verts = np.asarray(f.sample["vertices"], dtype=np.int64)
            verts = verts[(verts >= 0) & (verts < mesh.vertex_count)]
            pts = scene.world_points(mesh_index, mesh.positions[verts])
            mark = Mark("non-manifold", points=np.concatenate(pts)) if pts else mark
        if mark is not None:
            defects.marks[index] = mark
    return defects


def _mark(code: str, asset: Asset, scene: Scene, mesh_index: int, faces: np.ndarray):
    mesh = asset.meshes[mesh_index]
    if code in ("G001", "G003", "G004"):
        topo = topology(mesh)
        ids = {
            "G001": topo.nonmanifold_edges,
            "G003": topo.boundary_edges,
            "G004": topo.inconsistent_edges,
        }[code]
        kind = {"G001": "non-manifold", "G003": "hole", "G004": "flipped"}[code]
        segments = _edges(scene, mesh_index, topo.edge_vertices(ids[:MAX_EDGES]), mesh.positions)
        return Mark(kind, faces=scene.global_faces(mesh_index, faces), segments=segments)
    if code == "G005":
        return Mark("flipped", faces=scene.global_faces(mesh_index, faces))
    if code == "P001":
        cached = [v for k, v in mesh.cache.items() if k and k[0] == "self_intersections"]
        every = np.asarray(cached[0]) if cached else faces
        return Mark("intersection", faces=scene.global_faces(mesh_index, every))
    if code == "G012":
        topo = topology(mesh)
        _, part = topo.parts
        local = np.isin(topo.face_index, faces)
        rings = []
        parts = np.unique(part[local])[:20]
        for p in parts:
            verts = mesh.positions[topo.triangles[part == p].ravel()]
            rings += scene.world_points(mesh_index, verts)
        return Mark("floater", faces=scene.global_faces(mesh_index, faces), rings=rings)
    return None
