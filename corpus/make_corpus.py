"""Regenerate the bundled sample corpus (small files, committed beside this script).

Run from the repository root:  .venv/bin/python -m corpus.make_corpus

Every file is built in code so its facts are known exactly; the README's corpus table
says what each one is meant to show and corpus/EXPECTED.json what assetlint finds in it
(rewritten by ``python -m corpus.expected`` after a deliberate change).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import trimesh
from PIL import Image

from tests.loaders.make_fbx import write_fbx
from tests.loaders.make_gltf import GltfBuilder
from tests.loaders.make_obj import write_obj
from tests.loaders.make_stl import write_stl
from tests.shapes import asymmetric_object, to_authored

HERE = Path(__file__).parent


def _box(lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """An outward-wound closed box from corner lo to corner hi (8 vertices, 12 triangles)."""
    box = trimesh.creation.box(bounds=np.array([lo, hi], dtype=float))
    return box.vertices.astype(np.float32), box.faces.astype(np.int32)


def _textured_box(size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A box resting on the ground (y = 0), split per face for its UVs: positions,
    triangles, normals, uvs (24 vertices, 12 triangles)."""
    pos, tris = _box([-size / 2, 0, -size / 2], [size / 2, size, size / 2])
    corners = pos[tris].reshape(-1, 3)  # unweld: 3 corners per triangle
    normals = np.repeat(
        np.cross(corners[1::3] - corners[0::3], corners[2::3] - corners[0::3]), 3, 0
    )
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    # planar UVs along each face's dominant axis
    axis = np.abs(normals).argmax(axis=1)
    keep = np.array([[1, 2], [0, 2], [0, 1]])[axis]
    uv = np.take_along_axis(corners, keep, axis=1) / size + 0.5
    welded, inverse = np.unique(
        np.column_stack([corners, normals, uv]).round(6), axis=0, return_inverse=True
    )
    return (
        welded[:, :3].astype(np.float32),
        inverse.reshape(-1, 3).astype(np.int32),
        welded[:, 3:6].astype(np.float32),
        welded[:, 6:8].astype(np.float32),
    )


def _png(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


def _checker(size: int = 256, cells: int = 8) -> bytes:
    i, j = np.indices((size, size)) * cells // size
    light = ((i + j) % 2).astype(bool)
    rgb = np.where(light[..., None], [170, 120, 70], [120, 80, 45])
    return _png(rgb)


def crate_glb(path: Path) -> None:
    """A clean, textured, 0.5 m crate resting on the ground, metres, +Y up."""
    pos, tris, normals, uv = _textured_box(0.5)
    b = GltfBuilder(generator="assetlint corpus")
    image = b.add("images", {"bufferView": b.view(_checker()), "mimeType": "image/png"})
    texture = b.add("textures", {"source": image})
    material = b.add(
        "materials",
        {
            "name": "crate_wood",
            "pbrMetallicRoughness": {
                "baseColorTexture": {"index": texture},
                "metallicFactor": 0.0,
                "roughnessFactor": 0.8,
            },
        },
    )
    prim = b.primitive(pos, tris, NORMAL=normals, TEXCOORD_0=uv)
    prim["material"] = material
    b.scene([b.node(mesh=b.mesh(prim, name="crate"), name="crate")])
    b.write(path)


def statue_glb(path: Path) -> None:
    """What an image-to-3D generator hands over: a bust-sized blob split at every UV
    seam, no real-world scale (2 units tall), a hole in the back, a floating crumb, the
    photo's light baked into its colours, and a generic material name."""
    body = trimesh.creation.icosphere(subdivisions=3, radius=1.0)
    pos = body.vertices.copy()
    tris = body.faces.copy()
    # a hole in the back: drop the fan of faces around the vertex that faces -Z most
    back = np.argmin(pos[:, 2])
    tris = tris[~(tris == back).any(axis=1)]
    # the floater: a tiny separate sphere beside the body
    crumb = trimesh.creation.icosphere(subdivisions=1, radius=0.03)
    tris = np.vstack([tris, crumb.faces + len(pos)])
    pos = np.vstack([pos, crumb.vertices + [1.2, 0.4, 0.2]])
    # split every triangle's corners apart (what seam-split generator output looks like
    # at its worst: a vertex per corner)
    corners = pos[tris].reshape(-1, 3)
    normals = corners / np.linalg.norm(corners, axis=1, keepdims=True)
    light = np.array([-0.5, 0.7, 0.5]) / np.linalg.norm([-0.5, 0.7, 0.5])
    shade = 0.35 + 0.65 * np.clip(normals @ light, 0, 1)
    colors = np.column_stack([np.outer(shade, [0.75, 0.62, 0.5]), np.ones(len(shade))])
    b = GltfBuilder(generator="image-to-3d demo generator")
    material = b.add("materials", {"name": "Material.001", "pbrMetallicRoughness": {}})
    prim = b.primitive(
        corners.astype(np.float32),
        np.arange(len(corners), dtype=np.int32).reshape(-1, 3),
        NORMAL=normals.astype(np.float32),
        COLOR_0=colors.astype(np.float32),
    )
    prim["material"] = material
    b.scene([b.node(mesh=b.mesh(prim, name="mesh_0"), name="mesh_0")])
    b.write(path)


def bracket_stl(path: Path) -> None:
    """A printable L bracket in millimetres (STL has no units), 40 x 30 x 20 mm, whose
    upright is only 0.5 mm thick: fine on screen, too thin for an FDM nozzle."""
    profile = np.array([[0, 0], [40, 0], [40, 3], [0.5, 3], [0.5, 30], [0, 30]], dtype=float)
    pos, tris = _extrude(profile, depth=20.0)
    write_stl(path, pos, tris, binary=True, name="bracket")


def _extrude(profile: np.ndarray, depth: float) -> tuple[np.ndarray, np.ndarray]:
    """A closed prism of a counter-clockwise L-shaped profile (the same vertex order as
    tests.shapes.asymmetric_object), lying in XY and extruded along Z."""
    _, tris = asymmetric_object()
    front = np.column_stack([profile, np.full(len(profile), depth)])
    back = np.column_stack([profile, np.zeros(len(profile))])
    return np.vstack([front, back]).astype(np.float32), tris


def chair_usda(path: Path) -> None:
    """A chair of six parts in centimetres, Z up (as 3ds Max or Blender write USD), two
    materials bound per part; 45 cm seat height."""
    from pxr import Gf, Sdf, Usd, UsdGeom, UsdShade

    path.unlink(missing_ok=True)
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageMetersPerUnit(stage, 0.01)
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    root = UsdGeom.Xform.Define(stage, "/Chair")
    stage.SetDefaultPrim(root.GetPrim())
    materials = {}
    for name, color in (("Wood", (0.45, 0.3, 0.18)), ("Fabric", (0.2, 0.25, 0.5))):
        mat = UsdShade.Material.Define(stage, f"/Chair/Looks/{name}")
        shader = UsdShade.Shader.Define(stage, f"/Chair/Looks/{name}/Surface")
        shader.CreateIdAttr("UsdPreviewSurface")
        shader.CreateInput("diffuseColor", Sdf.ValueTypeNames.Color3f).Set(Gf.Vec3f(*color))
        shader.CreateInput("roughness", Sdf.ValueTypeNames.Float).Set(0.7)
        mat.CreateSurfaceOutput().ConnectToSource(shader.ConnectableAPI(), "surface")
        materials[name] = mat
    parts = {
        "Seat": ([-22, -22, 42], [22, 22, 45], "Fabric"),
        "LegFL": ([-20, -20, 0], [-17, -17, 42], "Wood"),
        "LegFR": ([17, -20, 0], [20, -17, 42], "Wood"),
        "LegBL": ([-20, 17, 0], [-17, 20, 42], "Wood"),
        "LegBR": ([17, 17, 0], [20, 20, 42], "Wood"),
        "Back": ([-22, 19, 45], [22, 22, 90], "Wood"),
    }
    for name, (lo, hi, material) in parts.items():
        pos, tris = _box(lo, hi)
        mesh = UsdGeom.Mesh.Define(stage, f"/Chair/{name}")
        mesh.CreatePointsAttr([Gf.Vec3f(*map(float, p)) for p in pos])
        mesh.CreateFaceVertexCountsAttr([3] * len(tris))
        mesh.CreateFaceVertexIndicesAttr([int(i) for i in tris.ravel()])
        mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
        UsdShade.MaterialBindingAPI.Apply(mesh.GetPrim()).Bind(materials[material])
    stage.GetRootLayer().Save()


def lamp_obj(path: Path) -> None:
    """A desk lamp as OBJ + MTL whose albedo texture was not copied along: the classic
    'works on my machine' export."""
    shade = trimesh.creation.cone(radius=0.12, height=0.15, sections=24)
    stem = trimesh.creation.cylinder(radius=0.01, height=0.35, sections=12)
    shade.apply_translation([0, 0, 0.3])
    lamp = trimesh.util.concatenate([stem, shade])
    lamp.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    lamp.apply_translation([0, 0.175, 0])
    write_obj(path, lamp.vertices, lamp.faces)
    text = path.read_text()
    path.write_text(f"mtllib {path.stem}.mtl\nusemtl lamp_metal\n" + text)
    (path.parent / f"{path.stem}.mtl").write_text(
        "newmtl lamp_metal\nKd 0.8 0.8 0.8\nNs 200\nmap_Kd lamp_albedo.png\n"
    )


def block_fbx(path: Path) -> None:
    """The tests' L-block as ASCII FBX in centimetres, Z up (a 3ds Max-style export)."""
    pos, tris = asymmetric_object()
    write_fbx(path, to_authored(pos, 0.01, "+Z"), tris, unit_scale_factor_cm=1.0, up_axis="+Z")


def truncated_glb(path: Path, source: Path) -> None:
    """A download cut short: the first 200 bytes of a real GLB."""
    path.write_bytes(source.read_bytes()[:200])


def main(root: Path = HERE) -> None:
    """Write every sample under ``root`` (the corpus folder itself, or a test's tmp dir)."""
    for folder in ("clean", "generated", "print", "usd", "obj", "fbx", "broken"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    crate_glb(root / "clean" / "crate.glb")
    statue_glb(root / "generated" / "statue.glb")
    bracket_stl(root / "print" / "bracket_mm.stl")
    chair_usda(root / "usd" / "chair_cm_zup.usda")
    lamp_obj(root / "obj" / "lamp.obj")
    block_fbx(root / "fbx" / "block_cm_zup.fbx")
    truncated_glb(root / "broken" / "truncated.glb", root / "clean" / "crate.glb")


if __name__ == "__main__":
    main()
