"""One UsdGeom.Mesh to the model's Mesh: faces triangulated, primvars (UVs, normals,
colours) expanded to shared vertices, GeomSubsets to material blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assetlint.model import Asset, Mesh

# Primvar names taken as UV sets even when not typed texCoord2f.
_UV_NAMES = {"st", "uv", "uvmap", "st0", "st1", "uv0", "uv1", "map1"}


@dataclass
class _Attr:
    """A primvar's data, ready to map onto vertices."""

    kind: str  # "const", "point" or "corner"
    values: np.ndarray  # (k, d): one row (const), per point, or the table corner ids index
    ids: np.ndarray | None = None  # per-corner row index into values, for "corner"


class MeshReader:
    """Triangulates one UsdGeom.Mesh and maps its primvars onto vertices, splitting a
    point wherever a face-varying or uniform primvar takes different values."""

    def __init__(self, prim: Any, time: Any, asset: Asset):
        from pxr import UsdGeom

        self.prim = prim
        self.mesh = UsdGeom.Mesh(prim)
        self.time = time
        self.asset = asset
        self.name = str(prim.GetPath())

    def issue(self, code: str, message: str) -> None:
        self.asset.issue(code, message, subject=self.name)

    def _numbers(self, name: str, attr: Any, dtype: Any, width: int | None = None) -> np.ndarray:
        """An attribute's array; empty, and reported, when it is authored with a type that
        holds no numbers (a misspelt or unknown type name in the file)."""
        value = attr.Get(self.time)
        try:
            return _array(value, dtype, width)
        except (TypeError, ValueError):
            self.issue("L005", f"{name} holds {type(value).__name__} values, not numbers; ignored")
            return _array(None, dtype, width)

    def read(self) -> Mesh:
        from pxr import UsdGeom

        m = self.mesh
        points = self._numbers("points", m.GetPointsAttr(), np.float32, 3)
        counts = self._numbers("faceVertexCounts", m.GetFaceVertexCountsAttr(), np.int64)
        indices = self._numbers("faceVertexIndices", m.GetFaceVertexIndicesAttr(), np.int64)
        holes = self._numbers("holeIndices", m.GetHoleIndicesAttr(), np.int64)
        n_points, n_faces, n_corners = len(points), len(counts), len(indices)

        starts = np.zeros(n_faces, dtype=np.int64)
        if n_faces:  # a negative count takes no corners (nor moves the next face back)
            np.cumsum(np.maximum(counts[:-1], 0), out=starts[1:])
        keep = counts >= 3
        if (counts < 3).any():
            self.issue("L005", f"{int((counts < 3).sum())} faces with fewer than 3 corners dropped")
        overrun = starts + np.maximum(counts, 0) > n_corners
        if overrun.any():
            self.issue(
                "L005",
                f"faceVertexCounts asks for {int(counts.clip(0).sum())} corners but "
                f"faceVertexIndices has {n_corners}; {int(overrun.sum())} faces dropped",
            )
            keep &= ~overrun
        hole_faces = holes[(holes >= 0) & (holes < n_faces)]
        is_hole = np.zeros(n_faces, dtype=bool)
        is_hole[hole_faces] = True
        polygon_count = int(n_faces - is_hole.sum())
        keep &= ~is_hole

        # fan triangulation in corner space: face f gives (s, s+k, s+k+1), k = 1..c-2
        kept_faces = np.nonzero(keep)[0]
        fan = counts[kept_faces] - 2
        tri_face = np.repeat(kept_faces, fan)
        first_tri = np.cumsum(fan) - fan
        k = np.arange(len(tri_face), dtype=np.int64) - np.repeat(first_tri, fan) + 1
        base = starts[tri_face]
        tri_corners = np.stack([base, base + k, base + k + 1], axis=1)
        if self.mesh.GetOrientationAttr().Get() == UsdGeom.Tokens.leftHanded:
            tri_corners = tri_corners[:, [0, 2, 1]]

        # corners past faceVertexIndices are not repeated (a count of 2**31 is not memory)
        within = np.clip(n_corners - starts, 0, None)
        corner_face = np.repeat(np.arange(n_faces), np.minimum(np.maximum(counts, 0), within))
        if len(corner_face) < n_corners:  # indices beyond the last face belong to no face
            corner_face = np.concatenate(
                [corner_face, np.full(n_corners - len(corner_face), -1, dtype=np.int64)]
            )
        self.shape = (n_points, n_faces, n_corners, corner_face)

        attrs: dict[str, _Attr] = {}
        normals = self._normals()
        if normals is not None:
            attrs["normals"] = normals
        uv_names = []
        for name, primvar in self._uv_primvars():
            attr = self._attr(primvar, name, 2)
            if attr is not None:
                attrs[f"uv:{name}"] = attr
                uv_names.append(name)
        for name, width in (("displayColor", 3), ("displayOpacity", 1)):
            primvar = UsdGeom.PrimvarsAPI(self.prim).GetPrimvar(name)
            if primvar and primvar.HasAuthoredValue():
                attr = self._attr(primvar, name, width)
                if attr is not None:
                    attrs[name] = attr

        used_corners = np.zeros(n_corners, dtype=bool)
        used_corners[tri_corners.ravel()] = True
        positions, triangles, data = _build_vertices(
            points, indices, tri_corners, used_corners, attrs
        )
        mesh = Mesh(
            name=self.name,
            positions=positions,
            triangles=triangles,
            polygon_count=polygon_count,
        )
        if "normals" in data:
            mesh.normals = data["normals"].astype(np.float32)
        for name in uv_names:
            uv = data[f"uv:{name}"].astype(np.float32)
            uv[:, 1] = 1.0 - uv[:, 1]
            mesh.uvs.append(uv)
            mesh.uv_names.append(name)
        if "displayColor" in data or "displayOpacity" in data:
            count = len(positions)
            rgb = data.get("displayColor", np.ones((count, 3), dtype=np.float32))
            alpha = data.get("displayOpacity", np.ones((count, 1), dtype=np.float32))
            mesh.colors = np.hstack([rgb, alpha]).astype(np.float32)
        self._skinning(mesh)
        mesh.cache["usd_triangle_faces"] = tri_face
        mesh.cache["usd_face_count"] = n_faces
        return mesh

    def _uv_primvars(self) -> list[tuple[str, Any]]:
        """texCoord2f primvars (and float2 ones with a usual UV name), st first."""
        from pxr import Sdf, UsdGeom

        found = []
        for primvar in UsdGeom.PrimvarsAPI(self.prim).GetPrimvarsWithAuthoredValues():
            type_name = primvar.GetTypeName()
            name = primvar.GetPrimvarName()
            if type_name.role == Sdf.ValueRoleNames.TextureCoordinate or (
                type_name.scalarType in (Sdf.ValueTypeNames.Float2, Sdf.ValueTypeNames.Double2)
                and type_name.isArray
                and str(name).lower() in _UV_NAMES
            ):
                found.append((str(name), primvar))
        found.sort(key=lambda item: (item[0] != "st", item[0]))
        return found

    def _normals(self) -> _Attr | None:
        """primvars:normals wins over the normals attribute, as in USD."""
        from pxr import UsdGeom

        primvar = UsdGeom.PrimvarsAPI(self.prim).GetPrimvar("normals")
        if primvar and primvar.HasAuthoredValue():
            return self._attr(primvar, "normals", 3)
        attr = self.mesh.GetNormalsAttr()
        if not attr.HasAuthoredValue():
            return None
        values = attr.Get(self.time)
        return self._layout("normals", values, None, str(self.mesh.GetNormalsInterpolation()), 3, 1)

    def _attr(self, primvar: Any, name: str, width: int) -> _Attr | None:
        indices = primvar.GetIndices(self.time) if primvar.IsIndexed() else None
        return self._layout(
            name,
            primvar.Get(self.time),
            indices,
            str(primvar.GetInterpolation()),
            width,
            primvar.GetElementSize(),
        )

    def _layout(
        self, name: str, raw: Any, raw_indices: Any, interpolation: str, width: int, size: int
    ) -> _Attr | None:
        """Check a primvar's counts against its interpolation and express it per point,
        per corner (value ids) or as one constant."""
        n_points, n_faces, n_corners, corner_face = self.shape
        if raw is None:
            return None
        if size != 1:
            self.issue("L004", f"primvar {name} has elementSize {size}; not read")
            return None
        try:
            values = _array(raw, np.float32, width)
            indices = None if raw_indices is None else _array(raw_indices, np.int64)
        except (TypeError, ValueError):
            self.issue("L005", f"primvar {name} does not hold numbers; not read")
            return None
        if indices is not None and ((indices < 0) | (indices >= len(values))).any():
            self.issue("L005", f"primvar {name} has indices outside its {len(values)} values")
            return None
        count = len(indices) if indices is not None else len(values)
        expected = {
            "constant": 1,
            "uniform": n_faces,
            "vertex": n_points,
            "varying": n_points,
            "faceVarying": n_corners,
        }.get(interpolation)
        if expected is None:
            self.issue("L004", f"primvar {name} has unknown interpolation {interpolation!r}")
            return None
        if count < expected or (interpolation == "constant" and count == 0):
            self.issue(
                "L005",
                f"primvar {name} has {count} values, {expected} needed for {interpolation} "
                "interpolation; not read",
            )
            return None
        rows = values[indices] if indices is not None else values
        if interpolation == "constant":
            return _Attr("const", rows[:1])
        if interpolation in ("vertex", "varying"):
            return _Attr("point", rows[:n_points])
        table, value_ids = _unique_rows(rows[:expected])
        if interpolation == "uniform":
            ids = np.where(corner_face >= 0, value_ids[np.maximum(corner_face, 0)], 0)
        else:
            ids = value_ids
        return _Attr("corner", table, ids)

    def _skinning(self, mesh: Mesh) -> None:
        from pxr import UsdSkel

        binding = UsdSkel.BindingAPI(self.prim)
        joint_indices = binding.GetJointIndicesPrimvar()
        if not joint_indices or not joint_indices.HasAuthoredValue():
            return
        mesh.max_influences = int(joint_indices.GetElementSize())
        joints = binding.GetJointsAttr().Get() if binding.GetJointsAttr() else None
        if not joints:
            skeleton = binding.GetInheritedSkeleton()
            joints = skeleton.GetJointsAttr().Get() if skeleton else None
        mesh.bone_count = len(joints) if joints else 0


def _array(value: Any, dtype: Any, width: int | None = None) -> np.ndarray:
    """A Vt array (or None) as a numpy array, without a Python loop."""
    if value is None:
        shape = (0, width) if width else (0,)
        return np.zeros(shape, dtype=dtype)
    array = np.asarray(value, dtype=dtype)
    if width:
        if array.ndim == 1 and width == 1:
            array = array.reshape(-1, 1)
        array = array.reshape(-1, width) if array.size % width == 0 else array[:0].reshape(0, width)
    return array


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, id of each row): equal values share one id. Rows are compared by
    their float32 bits, two columns per int64 sort key (sorting void rows is 10x slower)."""
    rows = np.ascontiguousarray(rows, dtype=np.float32) + np.float32(0.0)  # -0.0 -> 0.0
    if not len(rows):
        return rows, np.zeros(0, dtype=np.int64)
    bits = rows.view(np.uint32).astype(np.uint64)
    key = bits[:, 0] << np.uint64(32) | bits[:, 1] if rows.shape[1] > 1 else bits[:, 0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    for column in range(2, rows.shape[1]):
        key = inverse.ravel().astype(np.uint64) << np.uint64(32) | bits[:, column]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return rows[first], inverse.ravel().astype(np.int64)


def _build_vertices(
    points: np.ndarray,
    corner_points: np.ndarray,
    tri_corners: np.ndarray,
    used_corners: np.ndarray,
    attrs: dict[str, _Attr],
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Vertices and triangles: one vertex per point when every primvar is per point or
    constant; otherwise one per distinct (point, value ids...) corner, as exporters split
    at UV and normal seams. Point indices out of range stay invalid (-1 once split)."""
    n_points = len(points)
    corner_attrs = {k: a for k, a in attrs.items() if a.kind == "corner"}
    data: dict[str, np.ndarray] = {}
    if not corner_attrs:
        for key, attr in attrs.items():
            if attr.kind == "const":
                data[key] = np.repeat(attr.values, n_points, axis=0)
            else:
                data[key] = attr.values
        return points, corner_points[tri_corners] if len(tri_corners) else tri_corners, data

    valid = used_corners & (corner_points >= 0) & (corner_points < n_points)
    corners = np.nonzero(valid)[0]
    columns = [corner_points[corners]] + [a.ids[corners] for a in corner_attrs.values()]
    key = _combined_key(columns)
    _, first, inverse = np.unique(
        key, axis=0 if key.ndim == 2 else None, return_index=True, return_inverse=True
    )
    vertex_of_corner = np.full(len(corner_points), -1, dtype=np.int64)
    vertex_of_corner[corners] = inverse.ravel()
    source = corners[first]  # a corner standing for each vertex
    source_points = corner_points[source]
    for key_name, attr in attrs.items():
        if attr.kind == "const":
            data[key_name] = np.repeat(attr.values, len(source), axis=0)
        elif attr.kind == "point":
            data[key_name] = attr.values[source_points]
        else:
            data[key_name] = attr.values[attr.ids[source]]
    return points[source_points], vertex_of_corner[tri_corners], data


def _combined_key(columns: list[np.ndarray]) -> np.ndarray:
    """One int64 per corner when the mixed-radix key fits, else a (n, k) array."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    capacity = 1
    for column in columns:
        radix = int(column.max()) + 1 if len(column) else 1
        capacity *= radix
        if capacity >= 2**62:
            return np.stack(columns, axis=1)
        key = key * radix + column
    return key
