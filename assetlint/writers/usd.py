"""USD writer (.usda, .usdc, .usd, .usdz) through ``pxr``.

The stage is metres (``metersPerUnit = 1``) and Y up, or Z up when asked (geometry and
transforms are then conjugated into Z up). Nodes become Xforms with their local matrix;
a node's mesh is a ``UsdGeom.Mesh`` child with vertex normals and ``primvars:st``
(bottom-left UVs, ``1 - v``), and one ``GeomSubset`` per material bound to a
``UsdPreviewSurface``. Textures are written beside the layer (``<stem>_tex<N>.png``) or,
for .usdz, packed into the archive.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assetlint.model import Asset, Material, Mesh, conversion_matrix
from assetlint.writers import EXTENSIONS, finite_uvs, texture_bytes


def _names(raw: list[str], fallback: str) -> list[str]:
    """Valid, unique prim names."""
    from pxr import Tf

    out: list[str] = []
    for i, name in enumerate(raw):
        clean = Tf.MakeValidIdentifier(name) if name else f"{fallback}{i}"
        while clean in out:
            clean = f"{clean}_{i}"
        out.append(clean)
    return out


def _material(stage, path: str, material: Material, files: dict[int, str]):
    from pxr import Gf, Sdf, UsdShade

    mat = UsdShade.Material.Define(stage, path)
    shader = UsdShade.Shader.Define(stage, f"{path}/PreviewSurface")
    shader.CreateIdAttr("UsdPreviewSurface")
    rgba = [float(x) for x in material.base_color_factor]
    shader.CreateInput("diffuseColor", Sdf.ValueTypeNames.Color3f).Set(Gf.Vec3f(*rgba[:3]))
    shader.CreateInput("metallic", Sdf.ValueTypeNames.Float).Set(float(material.metallic_factor))
    shader.CreateInput("roughness", Sdf.ValueTypeNames.Float).Set(float(material.roughness_factor))
    if rgba[3] < 1.0:
        shader.CreateInput("opacity", Sdf.ValueTypeNames.Float).Set(rgba[3])
    mat.CreateSurfaceOutput().ConnectToSource(shader.ConnectableAPI(), "surface")
    slot = material.textures.get("base_color")
    if slot is not None and slot.texture in files:
        reader = UsdShade.Shader.Define(stage, f"{path}/stReader")
        reader.CreateIdAttr("UsdPrimvarReader_float2")
        reader.CreateInput("varname", Sdf.ValueTypeNames.String).Set("st")
        tex = UsdShade.Shader.Define(stage, f"{path}/BaseColorTexture")
        tex.CreateIdAttr("UsdUVTexture")
        tex.CreateInput("file", Sdf.ValueTypeNames.Asset).Set(f"./{files[slot.texture]}")
        tex.CreateInput("st", Sdf.ValueTypeNames.Float2).ConnectToSource(
            reader.ConnectableAPI(), "result"
        )
        rgb = tex.CreateOutput("rgb", Sdf.ValueTypeNames.Float3)
        shader.CreateInput("diffuseColor", Sdf.ValueTypeNames.Color3f).ConnectToSource(rgb)
    return mat


def _mesh(stage, path: str, mesh: Mesh, materials: list) -> None:
    from pxr import Sdf, UsdGeom, UsdShade, Vt

    geom = UsdGeom.Mesh.Define(stage, path)
    tris = mesh.triangles
    tris = tris[((tris >= 0) & (tris < mesh.vertex_count)).all(axis=1)]
    slots = mesh.material_indices[
        ((mesh.triangles >= 0) & (mesh.triangles < mesh.vertex_count)).all(axis=1)
    ]
    geom.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(mesh.positions)))
    geom.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(len(tris), 3, np.int32)))
    geom.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(tris.reshape(-1).astype(np.int32)))
    geom.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
    if len(mesh.positions):
        lo, hi = mesh.positions.min(axis=0), mesh.positions.max(axis=0)
        geom.CreateExtentAttr(Vt.Vec3fArray.FromNumpy(np.stack([lo, hi]).astype(np.float32)))
    if mesh.normals is not None:
        geom.CreateNormalsAttr(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(mesh.normals)))
        geom.SetNormalsInterpolation(UsdGeom.Tokens.vertex)
    api = UsdGeom.PrimvarsAPI(geom)
    for index, uv in enumerate(mesh.uvs):
        name = "st" if index == 0 else f"st{index}"
        uv = finite_uvs(uv)
        flipped = np.column_stack([uv[:, 0], 1.0 - uv[:, 1]]).astype(np.float32)
        primvar = api.CreatePrimvar(name, Sdf.ValueTypeNames.TexCoord2fArray, "vertex")
        primvar.Set(Vt.Vec2fArray.FromNumpy(flipped))
    if mesh.colors is not None and len(mesh.colors) == mesh.vertex_count:
        # vertex colours as UsdGeom's displayColor primvar (linear RGB, per vertex)
        rgb = np.ascontiguousarray(mesh.colors[:, :3], dtype=np.float32)
        geom.CreateDisplayColorPrimvar(UsdGeom.Tokens.vertex).Set(Vt.Vec3fArray.FromNumpy(rgb))
    used = [int(s) for s in np.unique(slots) if 0 <= s < len(materials)]
    if len(used) == 1 and (slots == used[0]).all():
        UsdShade.MaterialBindingAPI.Apply(geom.GetPrim()).Bind(materials[used[0]])
        return
    for s in used:
        subset = UsdGeom.Subset.CreateGeomSubset(
            geom,
            f"material{s}",
            UsdGeom.Tokens.face,
            Vt.IntArray.FromNumpy(np.flatnonzero(slots == s).astype(np.int32)),
            "materialBind",
        )
        UsdShade.MaterialBindingAPI.Apply(subset.GetPrim()).Bind(materials[s])
    UsdGeom.Subset.SetFamilyType(geom, "materialBind", UsdGeom.Tokens.nonOverlapping)


def _write_layer(asset: Asset, path: Path, up_axis: str, stem: str) -> None:
    from pxr import Gf, Usd, UsdGeom

    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z if up_axis == "+Z" else UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    root = UsdGeom.Xform.Define(stage, "/Root")
    stage.SetDefaultPrim(root.GetPrim())
    files: dict[int, str] = {}
    for index, texture in enumerate(asset.textures):
        encoded = texture_bytes(texture)
        if encoded is not None:
            data, mime = encoded
            files[index] = f"{stem}_tex{index}{EXTENSIONS[mime]}"
            (path.parent / files[index]).write_bytes(data)
    mat_names = _names([m.name for m in asset.materials], "material")
    materials = [
        _material(stage, f"/Root/Materials/{n}", m, files)
        for n, m in zip(mat_names, asset.materials, strict=True)
    ]
    node_names = _names([n.name for n in asset.nodes], "node")
    paths: dict[int, str] = {}

    def place(index: int, parent: str) -> None:
        node = asset.nodes[index]
        prim_path = f"{parent}/{node_names[index]}"
        paths[index] = prim_path
        xform = UsdGeom.Xform.Define(stage, prim_path)
        if not np.allclose(node.local, np.eye(4)):
            xform.AddTransformOp().Set(Gf.Matrix4d(np.asarray(node.local, dtype=float).T.tolist()))
        if node.mesh is not None:
            _mesh(stage, f"{prim_path}/Geom", asset.meshes[node.mesh], materials)
        for child in node.children:
            place(child, prim_path)

    for index, node in enumerate(asset.nodes):  # the roots; children recurse (a tree)
        if node.parent is None:
            place(index, "/Root")
    stage.GetRootLayer().Save()


def write(asset: Asset, path: Path, up_axis: str = "+Y", stem: str | None = None) -> None:
    """Write a USD layer, or a .usdz package holding one layer and its textures; texture
    files are named after ``stem`` (the final file's, when ``path`` is a temporary one)."""
    path = Path(path)
    stem = stem or path.stem
    if up_axis == "+Z":
        asset = copy.deepcopy(asset)
        asset.convert_to_canonical(np.linalg.inv(conversion_matrix(1.0, "+Z")))
    if path.suffix.lower() != ".usdz":
        _write_layer(asset, path, up_axis, stem)
        return
    from pxr import UsdUtils

    folder = Path(tempfile.mkdtemp(prefix="assetlint-usdz-"))
    try:
        layer = folder / f"{stem}.usdc"
        _write_layer(asset, layer, up_axis, stem)
        package = folder / path.name
        if not UsdUtils.CreateNewUsdzPackage(str(layer), str(package)):
            raise OSError(f"could not package {path.name}")
        shutil.copyfile(package, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
