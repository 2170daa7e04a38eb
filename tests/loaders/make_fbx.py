"""Write small ASCII FBX 7.4 files from code, for loader tests.

The FBX ASCII format is text: GlobalSettings (units, axes), Objects (Model, Geometry,
Material, Texture, Video) and Connections between their ids. Only what the tests need
is written; ufbx reads it back (see tests/loaders/test_fbx.py).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assetlint.model import conversion_matrix

_AXIS_INDEX = {"X": 0, "Y": 1, "Z": 2}


def frame_axes(up_axis: str) -> dict[str, tuple[int, int]]:
    """GlobalSettings axes (index, sign) of the right-handed frame whose up axis is
    ``up_axis`` and which :func:`assetlint.model.conversion_matrix` maps onto the
    canonical one: the frame :func:`tests.shapes.to_authored` writes positions in.

    '+Z' gives 3ds Max's frame: right +X, up +Z, front -Y."""
    rotation = conversion_matrix(1.0, up_axis)[:3, :3]  # authored -> canonical
    # rows of the rotation: the authored vectors that become canonical +X, +Y, +Z
    out = {}
    for key, row in zip(("Coord", "Up", "Front"), np.rint(rotation), strict=True):
        index = int(np.flatnonzero(row)[0])
        out[key] = (index, int(row[index]))
    return out


def write_fbx(
    path: Path,
    positions: np.ndarray,
    triangles: np.ndarray | Sequence[Sequence[int]],
    *,
    unit_scale_factor_cm: float = 1.0,
    up_axis: str = "+Y",
    axes: Mapping[str, tuple[int, int]] | None = None,
    uvs: np.ndarray | Mapping[str, np.ndarray] | None = None,
    normals: np.ndarray | None = None,
    materials: Sequence[str] = (),
    material_indices: Sequence[int] | None = None,
    texture: Mapping[str, Any] | None = None,
    models: Sequence[Mapping[str, Any]] | None = None,
    creator: str = "assetlint tests",
) -> None:
    """Write an ASCII FBX 7.4 file with one Geometry.

    ``positions`` are in the authored units and axes. ``triangles`` is an (m, 3) array
    or a list of polygons of any size. ``axes`` overrides the GlobalSettings axes
    ({"Up"|"Front"|"Coord": (axis index, sign)}), by default :func:`frame_axes`.
    ``uvs`` and ``normals`` hold one row per polygon corner, in polygon order; ``uvs``
    may map UV set names to such arrays (a bare array is the set "UVMap").
    ``materials`` are Phong material names given to every model, ``material_indices``
    one per polygon. ``texture`` = {"relative": ..., "absolute": ..., "content": bytes or
    None} becomes the first material's diffuse texture. ``models`` lists the Models that
    instance the geometry: each a mapping of Properties70 names ("Lcl Translation",
    "PreRotation", "RotationPivot", "GeometricTranslation"...) to 3-tuples, plus an
    optional "parent" (index of an earlier model); by default one untransformed Model.
    """
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    polygons = _polygon_vertex_index(triangles)
    models = list(models) if models is not None else [{}]
    axes = dict(axes) if axes is not None else frame_axes(up_axis)
    ids = iter(range(1000, 10**9))
    geometry_id = next(ids)
    model_ids = [next(ids) for _ in models]
    material_ids = [next(ids) for _ in materials]

    objects = [_geometry(geometry_id, positions, polygons, uvs, normals, materials,
                         material_indices)]  # fmt: skip
    connections = []
    for i, (model_id, props) in enumerate(zip(model_ids, models, strict=True)):
        objects.append(_model(model_id, f"model{i}", props))
        parent = props.get("parent")
        connections.append(("OO", model_id, 0 if parent is None else model_ids[parent]))
        connections.append(("OO", geometry_id, model_id))
        connections.extend(("OO", material_id, model_id) for material_id in material_ids)
    for material_id, name in zip(material_ids, materials, strict=True):
        objects.append(_material(material_id, name))
    if texture is not None:
        texture_id, video_id = next(ids), next(ids)
        objects.extend(_texture(texture_id, video_id, texture))
        connections.append(("OP", texture_id, material_ids[0], "DiffuseColor"))
        connections.append(("OO", video_id, texture_id))

    text = "\n".join(
        [
            "; FBX 7.4.0 project file",
            "FBXHeaderExtension:  {",
            "\tFBXHeaderVersion: 1003",
            "\tFBXVersion: 7400",
            f'\tCreator: "{_quote(creator)}"',
            "}",
            "GlobalSettings:  {",
            "\tVersion: 1000",
            "\tProperties70:  {",
            *(
                f'\t\tP: "{key}Axis", "int", "Integer", "",{axes[key][0]}\n'
                f'\t\tP: "{key}AxisSign", "int", "Integer", "",{axes[key][1]}'
                for key in ("Up", "Front", "Coord")
            ),
            f'\t\tP: "UnitScaleFactor", "double", "Number", "",{unit_scale_factor_cm!r}',
            "\t}",
            "}",
            "Objects:  {",
            *objects,
            "}",
            "Connections:  {",
            *(_connection(c) for c in connections),
            "}",
            "",
        ]
    )
    Path(path).write_text(text, encoding="utf-8")


def _polygon_vertex_index(triangles: np.ndarray | Sequence[Sequence[int]]) -> np.ndarray:
    """FBX's PolygonVertexIndex: corners in order, the last of each polygon as -(i+1)."""
    if isinstance(triangles, np.ndarray):
        flat = np.array(triangles, dtype=np.int64).reshape(len(triangles), -1)
        flat[:, -1] = -flat[:, -1] - 1
        return flat.ravel()
    flat = np.concatenate([np.asarray(p, dtype=np.int64) for p in triangles])
    ends = np.cumsum([len(p) for p in triangles]) - 1
    flat[ends] = -flat[ends] - 1
    return flat


def _array(name: str, values: np.ndarray, floats: bool) -> str:
    items = values.ravel().tolist()
    body = ",".join(map(repr, items)) if floats else ",".join(map(str, items))
    return f"\t\t{name}: *{len(items)} {{\n\t\t\ta: {body}\n\t\t}}"


def _layer_element(
    kind: str, data_name: str, mapping: str, values: np.ndarray, name: str = "", index: int = 0
) -> str:
    return "\n".join(
        [
            f"\t\t{kind}: {index} {{",
            "\t\t\tVersion: 101",
            f'\t\t\tName: "{_quote(name)}"',
            f'\t\t\tMappingInformationType: "{mapping}"',
            '\t\t\tReferenceInformationType: "Direct"'
            if kind != "LayerElementMaterial"
            else '\t\t\tReferenceInformationType: "IndexToDirect"',
            "\t" + _array(data_name, values, kind != "LayerElementMaterial"),
            "\t\t}",
        ]
    )


def _geometry(
    geometry_id: int,
    positions: np.ndarray,
    polygons: np.ndarray,
    uvs: np.ndarray | Mapping[str, np.ndarray] | None,
    normals: np.ndarray | None,
    materials: Sequence[str],
    material_indices: Sequence[int] | None,
) -> str:
    parts = [
        f'\tGeometry: {geometry_id}, "Geometry::mesh", "Mesh" {{',
        _array("Vertices", positions, floats=True),
        _array("PolygonVertexIndex", polygons, floats=False),
        "\t\tGeometryVersion: 124",
    ]
    layer = []
    if normals is not None:
        parts.append(
            _layer_element("LayerElementNormal", "Normals", "ByPolygonVertex", np.asarray(normals))
        )
        layer.append("LayerElementNormal")
    uv_sets = {"UVMap": uvs} if isinstance(uvs, np.ndarray) else dict(uvs or {})
    for i, (name, values) in enumerate(uv_sets.items()):
        parts.append(
            _layer_element("LayerElementUV", "UV", "ByPolygonVertex", np.asarray(values), name, i)
        )
    if uv_sets:
        layer.append("LayerElementUV")
    if materials:
        if material_indices is None:
            parts.append(
                _layer_element(
                    "LayerElementMaterial", "Materials", "AllSame", np.zeros(1, dtype=np.int64)
                )
            )
        else:
            values = np.asarray(material_indices, dtype=np.int64)
            parts.append(_layer_element("LayerElementMaterial", "Materials", "ByPolygon", values))
        layer.append("LayerElementMaterial")
    parts.append("\t\tLayer: 0 {\n\t\t\tVersion: 100")
    for kind in layer:
        parts.append(_layer_entry(kind, 0))
    parts.append("\t\t}")
    for i in range(1, len(uv_sets)):  # further UV sets: one layer each
        parts.append(f"\t\tLayer: {i} {{\n\t\t\tVersion: 100")
        parts.append(_layer_entry("LayerElementUV", i))
        parts.append("\t\t}")
    parts.append("\t}")
    return "\n".join(parts)


def _layer_entry(kind: str, index: int) -> str:
    return f'\t\t\tLayerElement:  {{\n\t\t\t\tType: "{kind}"\n\t\t\t\tTypedIndex: {index}\n\t\t\t}}'


def _model(model_id: int, name: str, props: Mapping[str, Any]) -> str:
    lines = [
        f'\tModel: {model_id}, "Model::{name}", "Mesh" {{',
        "\t\tVersion: 232",
        "\t\tProperties70:  {",
    ]
    for key, value in props.items():
        if key == "parent":
            continue
        if key in ("RotationActive", "InheritType", "RotationOrder"):
            lines.append(f'\t\t\tP: "{key}", "int", "Integer", "",{int(value)}')
            continue
        x, y, z = (repr(float(v)) for v in value)
        lines.append(f'\t\t\tP: "{key}", "Vector3D", "Vector", "",{x},{y},{z}')
    lines += ["\t\t}", "\t}"]
    return "\n".join(lines)


def _material(material_id: int, name: str) -> str:
    return (
        f'\tMaterial: {material_id}, "Material::{_quote(name)}", "" {{\n'
        '\t\tVersion: 102\n\t\tShadingModel: "phong"\n\t\tMultiLayer: 0\n'
        '\t\tProperties70:  {\n\t\t\tP: "DiffuseColor", "Color", "", "A",0.8,0.6,0.4\n\t\t}\n\t}'
    )


def _texture(texture_id: int, video_id: int, texture: Mapping[str, Any]) -> list[str]:
    relative = _quote(texture.get("relative", ""))
    absolute = _quote(texture.get("absolute", ""))
    content = texture.get("content")
    uv_set = _quote(texture.get("uv_set", "UVMap"))
    video = [
        f'\tVideo: {video_id}, "Video::tex", "Clip" {{',
        '\t\tType: "Clip"',
        f'\t\tFilename: "{absolute}"',
        f'\t\tRelativeFilename: "{relative}"',
    ]
    if content:
        video.append(f'\t\tContent: , "{base64.b64encode(content).decode("ascii")}"')
    video.append("\t}")
    tex = [
        f'\tTexture: {texture_id}, "Texture::tex", "" {{',
        '\t\tType: "TextureVideoClip"',
        "\t\tVersion: 202",
        '\t\tTextureName: "Texture::tex"',
        '\t\tMedia: "Video::tex"',
        f'\t\tProperties70:  {{\n\t\t\tP: "UVSet", "KString", "", "", "{uv_set}"\n\t\t}}',
        f'\t\tFileName: "{absolute}"',
        f'\t\tRelativeFilename: "{relative}"',
        "\t}",
    ]
    return ["\n".join(video), "\n".join(tex)]


def _connection(c: tuple) -> str:
    if c[0] == "OP":
        return f'\tC: "OP",{c[1]},{c[2]}, "{c[3]}"'
    return f'\tC: "OO",{c[1]},{c[2]}'


def _quote(text: str) -> str:
    """FBX ASCII strings cannot hold a double quote; FBX writes &quot;."""
    return text.replace('"', "&quot;")
