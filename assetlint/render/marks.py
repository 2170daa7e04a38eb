"""Defects to draw on the renders, gathered once per asset from the findings.

The renders draw what the findings name and compute nothing of their own: a finding from
the run that drew it carries every element it is about (:attr:`Finding.elements`: every
hole's edges, every self-intersecting face, each floating part's faces); one read back from
JSON or the cache has its bounded ``sample`` only, and that is what is drawn.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from assetlint.findings import Finding
from assetlint.geometry.raster import Scene
from assetlint.model import Asset
from assetlint.rules import Rule, mesh_label

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


MAX_RINGS = 20  # floating parts ringed per finding


@functools.lru_cache(maxsize=1)
def installed_rules() -> Mapping[str, Rule]:
    """Every installed rule (built-in and packs), for a caller that has no engine at hand:
    what each finding is drawn as is its rule's declaration (``Rule.mark``)."""
    from assetlint.engine import Engine

    return Engine.default().rules


def elements(finding: Finding, kind: str) -> np.ndarray:
    """Every element of ``kind`` the finding names (faces, vertices, edges as vertex pairs,
    parts): all of them from the run that made it, else its bounded sample."""
    items = finding.elements.get(kind)
    if items is None:
        items = finding.sample.get(kind, [])
    ids = np.asarray(items)
    if ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
        return np.zeros((0, 2) if kind == "edges" else 0, dtype=np.int64)
    return ids.astype(np.int64).reshape(-1, 2) if kind == "edges" else ids.astype(np.int64)


def _edges(scene: Scene, mesh_index: int, pairs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    pairs = pairs[((pairs >= 0) & (pairs < len(positions))).all(axis=1)][:MAX_EDGES]
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


def collect(
    asset: Asset, scene: Scene, findings: list[Finding], rules: Mapping[str, Rule] | None = None
) -> Defects:
    """The marks of every finding that points at geometry, each drawn as its rule declares
    (``Rule.mark``; ``rules``: the run's rules, by default every installed one)."""
    declared = installed_rules() if rules is None else rules
    labels = {mesh_label(asset, i): i for i in range(len(asset.meshes))}
    defects = Defects(marks={})
    for index, f in enumerate(findings):
        rule = declared.get(f.code)
        kind = rule.mark if rule is not None else "spot"
        if kind == "light":
            defects.light = light_direction(f)
            if defects.light is not None:
                defects.marks[index] = Mark("light")
            continue
        mesh_index = labels.get(f.subject) if f.subject_type == "mesh" else None
        if mesh_index is None or kind == "none":
            continue
        mark = None if kind == "spot" else _mark(f, kind, asset, scene, mesh_index)
        if mark is None and f.location is not None:
            pts = scene.world_points(mesh_index, np.asarray(f.location))
            mark = Mark("spot", points=np.concatenate(pts)) if pts else None
        if mark is not None:
            defects.marks[index] = mark
    return defects


def _mark(f: Finding, kind: str, asset: Asset, scene: Scene, mesh_index: int) -> Mark | None:
    """The ``kind`` mark of a finding about mesh ``mesh_index``: every element it names
    (edges as segments, faces painted, vertices as points, a ring around each part); None
    when it names none, so that it is drawn as a spot at its location, if it has one."""
    mesh = asset.meshes[mesh_index]
    local = elements(f, "faces")
    mark = Mark(kind, faces=scene.global_faces(mesh_index, local))
    pairs = elements(f, "edges")
    if len(pairs):
        mark.segments = _edges(scene, mesh_index, pairs, mesh.positions)
    verts = elements(f, "vertices")
    verts = verts[(verts >= 0) & (verts < mesh.vertex_count)]
    pts = scene.world_points(mesh_index, mesh.positions[verts]) if len(verts) else []
    if pts:
        mark.points = np.concatenate(pts)
    parts = elements(f, "parts")
    if len(parts) and len(parts) == len(local):
        keep = (local >= 0) & (local < mesh.triangle_count)
        local, parts = local[keep], parts[keep]
        for p in np.unique(parts)[:MAX_RINGS]:  # one ring around each floating part
            corners = mesh.triangles[local[parts == p]].ravel()
            corners = corners[(corners >= 0) & (corners < mesh.vertex_count)]
            mark.rings += scene.world_points(mesh_index, mesh.positions[corners])
    named = len(local) or len(pairs) or len(mark.points)
    return mark if named else None
