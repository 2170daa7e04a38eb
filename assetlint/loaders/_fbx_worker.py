"""The ufbx side of the FBX loader, run in a forked child (see :mod:`assetlint.loaders.fbx`).

ufbx 0.0.5's Python bindings crash the interpreter in some access patterns: its wrappers
are cached per element and a second fetch of the same element hands out a reference it
does not own, so dropping it frees an object still in use; freeing the scene and exiting
can crash too. This module therefore reads the file in one pass, keeps every ufbx object
it touched alive (:func:`_hold`) for the life of the child (which leaves with
``os._exit``, see :func:`assetlint.loaders._isolated.run_forked`, so nothing is freed)
and returns plain Python values (arrays as ``(struct format, shape, bytes)``) for the
parent. A crash here kills only the child.
"""

from __future__ import annotations

import array
from typing import Any

from assetlint.model import LoadError

# Every ufbx object fetched, kept alive for the life of the process (see module doc).
_KEEP: list[Any] = []

_AXIS_NAMES = ("+X", "-X", "+Y", "-Y", "+Z", "-Z")

# ufbx error classes -> the message a user sees.
_ERROR_MESSAGES = {
    "TruncatedFileError": "FBX file is truncated",
    "UnrecognizedFileFormatError": "not an FBX file (format not recognized)",
    "EmptyFileError": "file is empty",
    "UnsupportedVersionError": "unsupported FBX version",
    "OutOfMemoryError": "out of memory while reading the FBX file",
    "MemoryLimitError": "FBX file needs more memory than allowed",
    "AllocationLimitError": "FBX file needs more memory than allowed",
    "NodeDepthLimitError": "FBX hierarchy nested too deeply",
    "BadIndexError": "FBX file has an out-of-range index",
}


def _hold(obj: Any) -> Any:
    """Keep a ufbx object alive until exit; returns it."""
    _KEEP.append(obj)
    return obj


def _items(collection: Any) -> list[Any]:
    """A ufbx list (or generator) as a Python list, every item held."""
    return [_hold(x) for x in _hold(collection)]


# An array for the parent: (struct format "d"/"I", shape, raw bytes).
Array = tuple[str, tuple[int, ...], bytes]


def _u32(ufbx_list: Any) -> Array:
    """Copy a ufbx Uint32List (no buffer protocol in 0.0.5): ~35 ns per item."""
    lst = _hold(ufbx_list)
    return ("I", (len(lst),), array.array("I", lst).tobytes())


def _array(buffer_list: Any) -> Array:
    """Copy a ufbx list that has the buffer protocol (Vec2/3/4List: "d", FaceList: "I")."""
    lst = _hold(buffer_list)
    if len(lst) == 0:
        return ("d", (0,), b"")
    view = memoryview(lst)
    try:
        return (view.format, tuple(view.shape or ()), view.tobytes())
    finally:
        view.release()


def _matrix(m: Any) -> tuple[tuple[float, float, float], ...]:
    """ufbx Matrix: its four column vectors (x, y, z axes and translation)."""
    return (tuple(m.c0), tuple(m.c1), tuple(m.c2), tuple(m.c3))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _attribute(vertex_attr: Any) -> tuple[Array, Array] | None:
    """(values, per-corner indices) of a ufbx vertex attribute, or None if absent."""
    attr = _hold(vertex_attr)
    if not attr.exists:
        return None
    return _array(attr.values), _u32(attr.indices)


def _mesh(mesh: Any) -> dict[str, Any]:
    uv_sets = []
    for uv_set in _items(mesh.uv_sets):
        attr = _attribute(uv_set.vertex_uv)
        if attr is not None:
            uv_sets.append((uv_set.name, *attr))
    bones = 0
    influences = 0
    clusters = []
    for skin in _items(mesh.skin_deformers):
        skin_clusters = _items(skin.clusters)
        bones += len(skin_clusters)
        influences = max(influences, int(skin.max_weights_per_vertex))
        clusters += [_cluster(c) for c in skin_clusters]
    return {
        "name": mesh.name,
        "positions": _array(mesh.vertices),
        "faces": _array(mesh.faces),
        "vertex_indices": _u32(mesh.vertex_indices),
        "face_material": _u32(mesh.face_material),
        "materials": [m.typed_id for m in _items(mesh.materials)],
        "normals": _attribute(mesh.vertex_normal),
        "uv_sets": uv_sets,
        "colors": _attribute(mesh.vertex_color),
        "bone_count": bones,
        "max_influences": influences,
        "num_edges": int(mesh.num_edges),
        "clusters": clusters,
    }


def _cluster(cluster: Any) -> dict[str, Any]:
    """A skin cluster: the control points it moves, their weights, and its geometry to
    world matrix (ufbx: the bone's world transform times geometry-to-bone, what skinning
    uses)."""
    return {
        "vertices": _u32(cluster.vertices),
        "weights": _array(cluster.weights),
        "geometry_to_world": _matrix(_hold(cluster.geometry_to_world)),
    }


def _node(node: Any) -> dict[str, Any]:
    parent = _hold(node.parent)
    mesh = _hold(node.mesh)
    return {
        "name": node.name,
        "parent": None if parent is None or parent.is_root else parent.typed_id,
        "mesh": None if mesh is None else mesh.typed_id,
        "materials": [m.typed_id for m in _items(node.materials)],
        "node_to_parent": _matrix(_hold(node.node_to_parent)),
        "node_to_world": _matrix(_hold(node.node_to_world)),
        "geometry_to_node": _matrix(_hold(node.geometry_to_node)),
        "geometry_to_world": _matrix(_hold(node.geometry_to_world)),
    }


def _map(material_map: Any) -> dict[str, Any]:
    """A ufbx material map: its value (if the file sets one) and its texture's id."""
    mm = _hold(material_map)
    texture = _hold(mm.texture)
    return {
        "value": tuple(mm.value_vec4) if mm.has_value else None,
        "texture": None if texture is None else texture.typed_id,
    }


_PBR_MAPS = (
    "base_factor",
    "base_color",
    "metalness",
    "roughness",
    "opacity",
    "emission_factor",
    "emission_color",
    "normal_map",
    "ambient_occlusion",
)
_FBX_MAPS = ("diffuse_color", "normal_map", "bump", "transparency_factor")


def _material(material: Any) -> dict[str, Any]:
    features = _hold(material.features)
    pbr = _hold(material.pbr)
    fbx = _hold(material.fbx)
    return {
        "name": material.name,
        "shader_type": int(material.shader_type),
        "shading_model": material.shading_model_name,
        "pbr": bool(_hold(features.pbr).enabled),
        "metalness": bool(_hold(features.metalness).enabled),
        "gloss": bool(_hold(features.roughness_as_glossiness).enabled),
        "unlit": bool(_hold(features.unlit).enabled),
        "double_sided": bool(_hold(features.double_sided).enabled),
        "maps": {name: _map(getattr(pbr, name)) for name in _PBR_MAPS},
        "fbx_maps": {name: _map(getattr(fbx, name)) for name in _FBX_MAPS},
    }


def _texture(texture: Any) -> dict[str, Any]:
    """A texture element: its file (ufbx deduplicates files), UV set name, and its content
    when it has no file name at all (ufbx then lists no file for it)."""
    file_index = int(texture.file_index) if texture.has_file else -1
    if file_index < 0:
        # layered or procedural texture: use its first file texture, if any
        for inner in _items(texture.file_textures):
            if inner.has_file:
                file_index = int(inner.file_index)
                break
    return {
        "name": texture.name,
        "file": file_index,
        "uv_set": texture.uv_set,
        "content": bytes(texture.content) if file_index < 0 else b"",
    }


def _texture_file(tf: Any) -> dict[str, Any]:
    return {
        "relative": _text(tf.raw_relative_filename),
        "absolute": _text(tf.raw_absolute_filename),
        "content": bytes(tf.content),
    }


def _axis(axis: Any) -> str | None:
    value = int(axis)
    return _AXIS_NAMES[value] if 0 <= value < len(_AXIS_NAMES) else None


def _application(app: Any) -> dict[str, str]:
    return {"vendor": app.vendor, "name": app.name, "version": app.version}


def extract(data: bytes) -> dict[str, Any]:
    """Everything the loader needs from an FBX file, as plain Python values."""
    import ufbx

    scene = _hold(
        ufbx.load_memory(
            data,
            file_format=ufbx.FileFormat.FBX,  # never OBJ/MTL, whatever the content
            ignore_animation=True,
            load_external_files=False,
            clean_skin_weights=True,
            use_blender_pbr_material=True,
        )
    )
    meta = _hold(scene.metadata)
    settings = _hold(scene.settings)
    props = _hold(settings.props)
    axes = _hold(settings.axes)
    unit_prop = _hold(props.find_prop("UnitScaleFactor"))
    return {
        "version": int(meta.version),
        "creator": meta.creator,
        "application": _application(_hold(meta.original_application)),
        # centimetres per unit as written (ufbx's unit_meters is that * 0.01, rounded)
        "unit_scale_factor": None if unit_prop is None else float(unit_prop.value_vec4.x),
        "axes": (_axis(axes.right), _axis(axes.up), _axis(axes.front)),
        "meshes": [_mesh(m) for m in _items(scene.meshes)],
        "nodes": [None if n.is_root else _node(n) for n in _items(scene.nodes)],
        "materials": [_material(m) for m in _items(scene.materials)],
        "textures": [_texture(t) for t in _items(scene.textures)],
        "texture_files": [_texture_file(tf) for tf in _items(scene.texture_files)],
        "warnings": [(w.type.name, w.description, int(w.count)) for w in _items(meta.warnings)],
        "unsupported": {
            "NURBS surfaces": len(_items(scene.nurbs_surfaces)),
            "NURBS curves": len(_items(scene.nurbs_curves)),
            "line curves": len(_items(scene.line_curves)),
            "procedural geometries": len(_items(scene.procedural_geometries)),
        },
    }


def _fail_message(exc: Exception) -> str:
    if isinstance(exc, ImportError) and exc.name == "ufbx":
        return "reading FBX needs the 'ufbx' package (pip install ufbx)"
    name = type(exc).__name__
    if name in _ERROR_MESSAGES:
        return _ERROR_MESSAGES[name]
    detail = str(exc).strip() or name
    if detail.lower().startswith("not an fbx file"):
        return "not an FBX file"
    if type(exc).__module__.startswith("ufbx"):
        return f"not a readable FBX file: {detail}"
    return f"FBX reader failed: {name}: {detail}"


def read(path: str) -> dict[str, Any]:
    """:func:`extract` of the file at ``path``; LoadError with a one-line reason if ufbx
    cannot read it."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return extract(data)
    except Exception as exc:  # ufbx errors and surprises in its bindings alike
        raise LoadError(_fail_message(exc)) from None
