"""FBX (binary and ASCII, 6.1 to 7.7; older files as far as ufbx reads them) via ufbx.

ufbx's Python bindings can crash the interpreter (see /work/shared/README.md), so the file
is read by :mod:`assetlint.loaders._fbx_worker` in a forked child
(:func:`~assetlint.loaders._isolated.run_forked`) that returns plain Python values and
raw arrays; a crash, a hang or unreadable output there becomes a :class:`LoadError`
here and the run goes on.

What this module makes of the worker's payload:

- A mesh vertex is a unique (position, UV in every set, normal, colour) combination as the
  polygon corners use them, attribute values compared by value (files that store one
  normal per corner still share vertices). Polygons are fan-triangulated; ``polygon_count``
  counts the authored polygons, one- and two-corner faces count as points and lines. UVs
  are stored as ``1 - v``.
- Node transforms are ufbx's ``node_to_parent``/``node_to_world`` (pivots, offsets, pre-
  and post-rotations applied). A node with a geometric transform gets a child node that
  holds its mesh with ``geometry_to_world``, since the geometric transform is not inherited.
- The frame: GlobalSettings' axes (right = CoordAxis, up = UpAxis, front = FrontAxis, each
  with its sign) and UnitScaleFactor (centimetres per unit) map onto metres, +Y up, +Z
  front, +X right. For Y-up and Z-up files this is :func:`conversion_matrix`'s rotation;
  a left-handed file is mirrored and its winding flipped. Files older than FBX 6.1 state
  neither: the authored values stay ``None`` and FBX's defaults (centimetres, Y up) are
  used for the conversion.
- Textures: one per texture file ufbx lists. Embedded content is used as is; otherwise the
  file's RelativeFilename is resolved inside the asset's folder. The absolute FileName,
  usually a path on the author's machine, is only reported, never opened.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from assetlint.loaders import _fbx_worker
from assetlint.loaders._isolated import run_forked
from assetlint.loaders._refs import RefusedReference, resolve_reference
from assetlint.model import (
    Asset,
    Authored,
    LoadError,
    Material,
    Mesh,
    Node,
    SkinWeights,
    Texture,
    TextureSlot,
    axis_vector,
    conversion_matrix,
    place_skinned,
)

# Seconds the worker may take on one file before it is killed.
TIMEOUT_S = 60.0

# ufbx ShaderType values -> Material.workflow.
_LAMBERT, _PHONG, _MAX_SPEC_GLOSS, _BLENDER_PHONG, _WAVEFRONT_MTL = 1, 2, 7, 11, 12


def load(path: Path) -> Asset:
    """Read an FBX file into an Asset (see the module doc)."""
    payload = _run_worker(path)
    return _Builder(path, payload).build()


def _run_worker(path: Path) -> dict[str, Any]:
    """The ufbx reader's payload, read in a forked child (see the module doc)."""
    with contextlib.suppress(ImportError):  # the child says so if ufbx is missing
        import ufbx  # noqa: F401 - imported once here rather than in every child
    return run_forked(_fbx_worker.read, (str(path.resolve()),), "FBX reader", TIMEOUT_S)


class _Builder:
    """Turns the worker's payload into an Asset."""

    def __init__(self, path: Path, payload: dict[str, Any]):
        self.path = path
        self.p = payload
        self.asset = Asset(path=path, format="fbx", file_size=path.stat().st_size)
        self.unnamed: dict[int, int] = {}  # texture id -> asset texture, for file-less ones
        self.control_points: list[np.ndarray] = []  # per mesh: each vertex's FBX control point

    def build(self) -> Asset:
        asset = self.asset
        asset.authored = self._authored()
        for _kind, text, count in self.p["warnings"]:  # as the worker sends them
            times = f" ({count} times)" if count > 1 else ""
            asset.issue("L005", f"ufbx: {text}{times}")
        for kind, count in self.p["unsupported"].items():
            if count:
                asset.issue("L004", f"{count} {kind} not read (only polygon meshes are)")
        asset.textures = [self._texture(tf) for tf in self.p["texture_files"]]
        # textures embedded without any file name: ufbx lists no file for them
        for texture_id, tex in enumerate(self.p["textures"]):
            if tex["file"] < 0 and tex["content"]:
                self.unnamed[texture_id] = len(asset.textures)
                name = tex["name"] or "texture"
                asset.textures.append(Texture.from_bytes(name, "embedded", tex["content"]))
        built = [_build_mesh(m, asset) for m in self.p["meshes"]]
        asset.meshes = [mesh for mesh, _ in built]
        self.control_points = [points for _, points in built]
        asset.materials = [self._material(i, m) for i, m in enumerate(self.p["materials"])]
        self._nodes()
        matrix, mirrored = self._conversion()
        asset.convert_to_canonical(matrix)
        if mirrored:
            for mesh in asset.meshes:
                mesh.triangles = np.ascontiguousarray(mesh.triangles[:, [0, 2, 1]])
        return asset

    # -- frame -----------------------------------------------------------------------

    def _meters_per_unit(self) -> float | None:
        """UnitScaleFactor (centimetres per unit) in metres; None if absent or unusable."""
        factor = self.p["unit_scale_factor"]
        if factor is None:
            return None
        if not (np.isfinite(factor) and factor > 0):
            self.asset.issue("L005", f"UnitScaleFactor {factor!r} is not a positive number")
            return None
        return factor / 100.0

    def _authored(self) -> Authored:
        right, up, front = self.p["axes"]
        return Authored(
            meters_per_unit=self._meters_per_unit(),
            up_axis=up,
            front_axis=front,
            handedness=_handedness(right, up, front),
            generator=_generator(self.p["application"], self.p["creator"]),
            format_version=str(self.p["version"]),
        )

    def _conversion(self) -> tuple[np.ndarray, bool]:
        """The authored -> canonical matrix, and whether it mirrors."""
        scale = self.asset.authored.meters_per_unit or 0.01  # FBX's default: centimetres
        right, up, front = self.p["axes"]
        if right is None and up is None and front is None:
            return conversion_matrix(scale, "+Y"), False
        if _handedness(right, up, front) is None:
            self.asset.issue(
                "L005",
                f"GlobalSettings axes are inconsistent (right {right}, up {up}, front {front});"
                " only the up axis is used",
            )
            return conversion_matrix(scale, up or "+Y"), False
        basis = np.column_stack([axis_vector(a) for a in (right, up, front)])
        matrix = np.eye(4)
        matrix[:3, :3] = basis.T * scale  # right -> +X, up -> +Y, front -> +Z
        return matrix, bool(np.linalg.det(basis) < 0)

    # -- scene -----------------------------------------------------------------------

    def _nodes(self) -> None:
        asset = self.asset
        payload_nodes = self.p["nodes"]
        index_of: dict[int, int] = {}
        for typed_id, n in enumerate(payload_nodes):
            if n is not None:
                index_of[typed_id] = len(asset.nodes)
                local, world = _matrix(n["node_to_parent"]), _matrix(n["node_to_world"])
                asset.nodes.append(Node(n["name"], local, world))
        used_materials: dict[int, list[int]] = {}
        for typed_id, n in enumerate(payload_nodes):
            if n is None:
                continue
            index = index_of[typed_id]
            parent = index_of.get(n["parent"]) if n["parent"] is not None else None
            if parent is not None:
                asset.nodes[index].parent = parent
                asset.nodes[parent].children.append(index)
            mesh = n["mesh"]
            if mesh is None or not 0 <= mesh < len(asset.meshes):
                continue
            used_materials.setdefault(mesh, n["materials"])
            if used_materials[mesh] != n["materials"]:
                asset.issue(
                    "L004",
                    f"node {n['name']!r} gives mesh {asset.meshes[mesh].name!r} other materials"
                    " than its first instance; material indices follow the first instance",
                    severity="info",
                    subject=n["name"],
                )
            geometry_to_node = _matrix(n["geometry_to_node"])
            if np.allclose(geometry_to_node, np.eye(4)):
                asset.nodes[index].mesh = mesh
                self._place_skinned(index, mesh)
            else:  # a geometric transform: applies to the mesh only, not to children
                child = Node(
                    f"{n['name']} (geometry)",
                    geometry_to_node,
                    _matrix(n["geometry_to_world"]),
                    parent=index,
                    mesh=mesh,
                )
                asset.nodes[index].children.append(len(asset.nodes))
                asset.nodes.append(child)
                self._place_skinned(len(asset.nodes) - 1, mesh)

    def _place_skinned(self, node_index: int, mesh: int) -> None:
        """Place a skinned mesh instance by its clusters (each the bone's world transform
        times its geometry-to-bone matrix, weighted per control point), as FBX skinning
        does; a mesh without weighted clusters keeps its node's transform."""
        clusters = self.p["meshes"][mesh]["clusters"]
        if not clusters:
            return
        cp_vertex = [_np(c["vertices"]).astype(np.int64) for c in clusters]
        cp_weight = [_np(c["weights"]).astype(np.float64) for c in clusters]
        if not sum(len(v) for v in cp_vertex):
            return
        joint = np.repeat(np.arange(len(clusters)), [len(v) for v in cp_vertex])
        weights = _vertex_weights(
            self.control_points[mesh], np.concatenate(cp_vertex), joint, np.concatenate(cp_weight)
        )
        matrices = np.stack([_matrix(c["geometry_to_world"]) for c in clusters])
        place_skinned(self.asset, node_index, matrices, weights)

    # -- materials and textures ------------------------------------------------------

    def _texture(self, tf: dict[str, Any]) -> Texture:
        uri = tf["relative"] or tf["absolute"]
        name = _basename(uri) or "texture"
        if tf["content"]:
            return Texture.from_bytes(name, "embedded", tf["content"])
        if not uri:
            self.asset.issue("L002", "texture without a file name", subject=name)
            return Texture.missing_texture(name, None, "no file name in the FBX file")
        try:
            found = resolve_reference(self.path.parent, uri)
        except RefusedReference as exc:
            self.asset.issue(exc.code, f"texture {exc}", subject=name)
            return Texture.missing_texture(name, uri, str(exc))
        return Texture.from_file(name, found, uri=uri)

    def _material(self, index: int, m: dict[str, Any]) -> Material:
        maps, legacy = m["maps"], m["fbx_maps"]
        workflow = _workflow(m)
        mat = Material(name=m["name"], workflow=workflow)
        base = maps["base_color"]["value"] or legacy["diffuse_color"]["value"]
        factor = maps["base_factor"]["value"]
        opacity = maps["opacity"]["value"]
        color = np.ones(4, dtype=np.float32)
        if base is not None:
            color[:3] = base[:3]
        if factor is not None:
            color[:3] *= factor[0]
        if opacity is not None:
            color[3] = opacity[0]
        mat.base_color_factor = color
        metal = maps["metalness"]["value"]
        mat.metallic_factor = float(metal[0]) if metal is not None else 0.0
        rough = maps["roughness"]["value"]
        if rough is not None:
            mat.roughness_factor = float(1.0 - rough[0] if m["gloss"] else rough[0])
        emission = maps["emission_color"]["value"]
        strength = maps["emission_factor"]["value"]
        if emission is not None:
            scale = 1.0 if strength is None else strength[0]
            mat.emissive_factor = np.asarray(emission[:3], dtype=np.float32) * scale
        mat.unlit = m["unlit"]
        mat.double_sided = m["double_sided"]
        roles = {
            "base_color": _first(maps["base_color"], legacy["diffuse_color"]),
            "normal": _first(maps["normal_map"], legacy["normal_map"]),
            "metallic_roughness": _first(maps["roughness"], maps["metalness"]),
            "occlusion": maps["ambient_occlusion"]["texture"],
            "emissive": maps["emission_color"]["texture"],
        }
        uv_names = self._uv_names_of(index)
        for role, texture_id in roles.items():
            slot = self._slot(texture_id, uv_names)
            if slot is not None:
                mat.textures[role] = slot
        transparent = _first(maps["opacity"], legacy["transparency_factor"])
        if color[3] < 1.0 or transparent is not None:
            mat.alpha_mode = "BLEND"
        return mat

    def _uv_names_of(self, material_index: int) -> list[str]:
        """UV set names of the first mesh that uses a material (for texture UV sets)."""
        for payload_mesh, mesh in zip(self.p["meshes"], self.asset.meshes, strict=True):
            if material_index in payload_mesh["materials"]:
                return mesh.uv_names
        return []

    def _slot(self, texture_id: int | None, uv_names: list[str]) -> TextureSlot | None:
        textures = self.p["textures"]
        if texture_id is None or not 0 <= texture_id < len(textures):
            return None
        tex = textures[texture_id]
        index = self.unnamed.get(texture_id, tex["file"])
        if not 0 <= index < len(self.asset.textures):
            return None
        uv_set = uv_names.index(tex["uv_set"]) if tex["uv_set"] in uv_names else 0
        return TextureSlot(texture=index, uv_set=uv_set)


def _first(*maps: dict[str, Any]) -> int | None:
    """The texture id of the first map that has a texture."""
    for m in maps:
        if m["texture"] is not None:
            return m["texture"]
    return None


def _workflow(m: dict[str, Any]) -> str:
    """The authored shading model as Material.workflow names it."""
    shader = m["shader_type"]
    model = (m["shading_model"] or "").lower()
    if m["unlit"]:
        return "unlit"
    if shader == _LAMBERT or (shader == 0 and model == "lambert"):
        return "lambert"
    if shader in (_PHONG, _BLENDER_PHONG, _WAVEFRONT_MTL) or model in ("phong", "blinn"):
        return "phong"
    if shader == _MAX_SPEC_GLOSS or (m["pbr"] and m["gloss"] and not m["metalness"]):
        return "spec-gloss"
    if m["pbr"]:
        return "metal-rough"
    return "unknown"


def _handedness(right: str | None, up: str | None, front: str | None) -> str | None:
    """'right' or 'left' for three distinct axes, None when the file does not say."""
    if right is None or up is None or front is None:
        return None
    r, u, f = (axis_vector(a) for a in (right, up, front))
    cross = np.cross(r, u)
    if np.allclose(cross, f):
        return "right"
    if np.allclose(cross, -f):
        return "left"
    return None


def _generator(application: dict[str, str], creator: str) -> str | None:
    """'Autodesk 3ds Max 2023 (FBX SDK/FBX Plugins version 2020.3)', or the creator alone
    when it already names the application (Blender's does)."""
    vendor, name, version = (application.get(k, "").strip() for k in ("vendor", "name", "version"))
    creator = creator.strip()
    if not name:
        return creator or None
    if creator and name in creator:
        return creator
    app = " ".join(x for x in (vendor if vendor not in name else "", name, version) if x)
    return f"{app} ({creator})" if creator else app


def _basename(uri: str) -> str:
    return uri.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


# -- meshes ---------------------------------------------------------------------------


def _build_mesh(m: dict[str, Any], asset: Asset) -> tuple[Mesh, np.ndarray]:
    """One Mesh from the worker's arrays, all vectorized (see the module doc), and each
    vertex's FBX control point (skin weights are given per control point)."""
    name = m["name"] or "mesh"
    faces = _np(m["faces"]).astype(np.int64).reshape(-1, 2)
    begins, counts = faces[:, 0], faces[:, 1]
    vertex_indices = _np(m["vertex_indices"]).astype(np.int64)
    positions = _np(m["positions"]).reshape(-1, 3)
    n_corners = len(vertex_indices)
    if len(faces) and (begins.min() < 0 or (begins + counts).max() > n_corners):
        raise LoadError(f"mesh {name!r}: faces point past its {n_corners} polygon corners")
    bad = (vertex_indices < 0) | (vertex_indices >= len(positions))
    if bad.any():
        asset.issue(
            "L005", f"{int(bad.sum())} corners index missing vertices; clamped", subject=name
        )
        vertex_indices = np.clip(vertex_indices, 0, max(len(positions) - 1, 0))

    polygon = counts >= 3
    tri_counts = counts[polygon] - 2
    n_tris = int(tri_counts.sum())
    tri_face = np.repeat(np.flatnonzero(polygon), tri_counts)
    first = np.repeat(begins[polygon], tri_counts)
    step = np.arange(n_tris) - np.repeat(np.cumsum(tri_counts) - tri_counts, tri_counts)
    corners = np.stack([first, first + step + 1, first + step + 2], axis=1)

    corner_face = np.repeat(np.arange(len(faces)), counts)
    used = np.flatnonzero(polygon[corner_face]) if len(faces) else np.zeros(0, dtype=np.int64)

    attributes: list[tuple[str, np.ndarray, np.ndarray]] = []  # (kind, values, indices)
    uv_names: list[str] = []
    sources = [("uv", uv_name, values, indices) for uv_name, values, indices in m["uv_sets"]]
    sources += [(kind, kind, *m[kind]) for kind in ("normals", "colors") if m[kind] is not None]
    for kind, label, values_spec, indices_spec in sources:
        values, indices = _np(values_spec), _np(indices_spec)
        if _usable(asset, name, label, values, indices, n_corners):
            attributes.append((kind, values, indices))
            if kind == "uv":
                uv_names.append(label)

    columns = [vertex_indices[used].astype(np.uint64)]
    for _, values, indices in attributes:
        columns.extend(_value_bits(values, indices[used]))
    vertex_of_used, first_use = _row_ids(columns)
    corner_vertex = np.full(n_corners, -1, dtype=np.int64)
    corner_vertex[used] = vertex_of_used
    source = used[first_use]  # one corner per output vertex

    uvs, normals, colors = [], None, None
    for kind, values, indices in attributes:
        picked = values.reshape(len(values), -1)[indices[source]].astype(np.float64)
        if kind == "uv":
            picked = np.column_stack([picked[:, 0], 1.0 - picked[:, 1]])
            uvs.append(picked.astype(np.float32))
        elif kind == "normals":
            normals = picked.astype(np.float32)
        else:
            colors = picked.astype(np.float32)

    material_indices = _material_indices(m, tri_face, len(faces))
    other = {}
    points, lines = int((counts == 1).sum()), int((counts == 2).sum())
    if not len(faces) and m["num_edges"]:
        lines = m["num_edges"]
    if points:
        other["points"] = points
    if lines:
        other["lines"] = lines
    control = vertex_indices[source]
    mesh = Mesh(
        name=name,
        positions=positions[control],
        triangles=corner_vertex[corners] if n_tris else np.zeros((0, 3), dtype=np.int32),
        normals=normals,
        uvs=uvs,
        uv_names=uv_names,
        colors=colors,
        material_indices=material_indices,
        polygon_count=int(polygon.sum()),
        other_primitives=other,
        bone_count=m["bone_count"],
        max_influences=m["max_influences"],
    )
    return mesh, control


def _vertex_weights(
    control: np.ndarray, cp_vertex: np.ndarray, joint: np.ndarray, weight: np.ndarray
) -> SkinWeights:
    """Clusters' (control point, cluster, weight) triplets moved onto the mesh's vertices
    (one control point becomes several vertices where UVs or normals split it)."""
    keep = (cp_vertex >= 0) & (cp_vertex < max(int(control.max(initial=-1)) + 1, 0))
    cp_vertex, joint, weight = cp_vertex[keep], joint[keep], weight[keep]
    order = np.argsort(cp_vertex, kind="stable")
    counts = np.bincount(cp_vertex, minlength=int(control.max(initial=-1)) + 1)
    starts = np.cumsum(counts) - counts
    per_vertex = counts[control]
    total = int(per_vertex.sum())
    first = np.repeat(np.cumsum(per_vertex) - per_vertex, per_vertex)
    rows = order[np.repeat(starts[control], per_vertex) + np.arange(total) - first]
    vertex = np.repeat(np.arange(len(control)), per_vertex)
    return SkinWeights(vertex, joint[rows], weight[rows])


def _np(spec: tuple[str, tuple[int, ...], bytes]) -> np.ndarray:
    """An array the worker sent as (struct format, shape, bytes)."""
    fmt, shape, data = spec
    return np.frombuffer(data, dtype=np.dtype(fmt)).reshape(shape)


def _matrix(columns: tuple) -> np.ndarray:
    """4x4 from the worker's four column vectors."""
    out = np.eye(4)
    out[:3, :] = np.asarray(columns, dtype=np.float64).T
    return out


def _usable(
    asset: Asset, mesh: str, what: str, values: np.ndarray, indices: np.ndarray, n_corners: int
) -> bool:
    """Whether a vertex attribute has one in-range index per corner (else an issue)."""
    if len(indices) != n_corners or (
        len(indices) and (indices.min() < 0 or indices.max() >= len(values))
    ):
        asset.issue("L005", f"{what} has bad indices; ignored", subject=mesh)
        return False
    return True


def _value_bits(values: np.ndarray, indices: np.ndarray) -> list[np.ndarray]:
    """Per corner, the float32 bit patterns of an attribute's value, one uint64 column per
    component, so that equal values compare equal (-0.0 counts as 0.0)."""
    picked = np.asarray(values, dtype=np.float32).reshape(len(values), -1)[indices] + 0.0
    bits = np.ascontiguousarray(picked, dtype=np.float32).view(np.uint32)
    return [bits[:, i].astype(np.uint64) for i in range(bits.shape[1])]


_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _row_ids(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For rows given as equal-length uint64 columns: an id per row, equal iff the rows
    are, numbered in order of first appearance; and each id's first row.

    Rows are grouped by a 64-bit hash (one sort instead of one per column) and the
    grouping is then checked column by column; a collision falls back to an exact sort."""
    n = len(columns[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    digest = np.full(n, 0x9E3779B97F4A7C15, dtype=np.uint64)
    for column in columns:  # splitmix64 finalizer over the running digest
        digest ^= column
        digest ^= digest >> np.uint64(30)
        digest *= _MIX1
        digest ^= digest >> np.uint64(27)
        digest *= _MIX2
        digest ^= digest >> np.uint64(31)
    _, first, inverse = np.unique(digest, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if any((column[first][inverse] != column).any() for column in columns):
        _, first, inverse = np.unique(
            np.column_stack(columns), axis=0, return_index=True, return_inverse=True
        )
        inverse = inverse.reshape(-1)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse], first[order]


def _material_indices(m: dict[str, Any], tri_face: np.ndarray, n_faces: int) -> np.ndarray:
    """Per triangle, the scene material index (asset.materials), -1 for none."""
    mesh_materials = np.asarray(m["materials"], dtype=np.int64)
    face_material = _np(m["face_material"]).astype(np.int64)
    if not len(mesh_materials):
        return np.full(len(tri_face), -1, dtype=np.int32)
    if len(face_material) != n_faces:
        face_material = np.zeros(n_faces, dtype=np.int64)
    slot = face_material[tri_face]
    ok = (slot >= 0) & (slot < len(mesh_materials))
    return np.where(ok, mesh_materials[np.clip(slot, 0, len(mesh_materials) - 1)], -1).astype(
        np.int32
    )
