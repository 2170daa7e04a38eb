"""Valid seed files for the fuzzer, one or more per loader, built in code with the loader
tests' writers so each mutation starts from something every part of a reader accepts:
node hierarchies, materials with textures, external buffers and layers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from tests.loaders.make_fbx import write_fbx
from tests.loaders.make_gltf import RED_PNG, GltfBuilder
from tests.loaders.make_stl import write_stl
from tests.loaders.make_usd import as_usdc, as_usdz, write_text
from tests.rules.meshes import cube

# A small binary FBX from the shared corpus (FBX has no binary writer here); its seed is
# left out when the corpus is absent.
SHARED_FBX = Path(__file__).resolve().parents[3] / "shared/corpus/fbx/assimp__box.fbx"

USDA = """#usda 1.0
(
    defaultPrim = "World"
    metersPerUnit = 0.01
    upAxis = "Z"
    subLayers = [@extra.usda@]
)
def Xform "World"
{
    double3 xformOp:translate = (1, 2, 3)
    uniform token[] xformOpOrder = ["xformOp:translate"]
    def Mesh "Quad" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1)]
        int[] faceVertexCounts = [4, 3]
        int[] faceVertexIndices = [0, 1, 2, 3, 0, 1, 4]
        texCoord2f[] primvars:st = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)] (
            interpolation = "vertex"
        )
        uniform token subdivisionScheme = "none"
        rel material:binding = </World/Looks/Red>
    }
    def "Part" (prepend references = @part.usda@</Part>)
    {
    }
    def Scope "Looks"
    {
        def Material "Red"
        {
            token outputs:surface.connect = </World/Looks/Red/Surface.outputs:surface>
            def Shader "Surface"
            {
                uniform token info:id = "UsdPreviewSurface"
                color3f inputs:diffuseColor.connect = </World/Looks/Red/Tex.outputs:rgb>
                token outputs:surface
            }
            def Shader "Tex"
            {
                uniform token info:id = "UsdUVTexture"
                asset inputs:file = @red.png@
                float3 outputs:rgb
            }
        }
    }
}
"""
PART = """#usda 1.0
def Xform "Part"
{
    def Mesh "Tri"
    {
        point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 2]
    }
}
"""
EXTRA = '#usda 1.0\ndef Mesh "Extra"\n{\n    point3f[] points = [(0, 0, 0), (1, 0, 0)]\n}\n'


def _gltf() -> GltfBuilder:
    """A textured cube under a parent node with TRS, and a child node with a matrix."""
    pos, tris = cube()
    uvs = pos[:, :2].astype(np.float32)
    b = GltfBuilder()
    image = b.add("images", {"bufferView": b.view(RED_PNG), "mimeType": "image/png"})
    texture = b.add("textures", {"source": image})
    material = b.add(
        "materials",
        {"name": "red", "pbrMetallicRoughness": {"baseColorTexture": {"index": texture}}},
    )
    prim = b.primitive(pos, tris, material=material, NORMAL=pos.astype(np.float32), TEXCOORD_0=uvs)
    mesh = b.mesh(prim, name="cube")
    child = b.node(mesh=mesh, matrix=[1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1])
    root = b.node(children=[child], mesh=mesh, translation=[0, 1, 0], scale=[1, 2, 1])
    b.scene([root])
    return b


def write_seeds(folder: Path) -> dict[str, Path]:
    """Write every seed into ``folder``; name -> path (names are the fuzzed formats)."""
    folder.mkdir(parents=True, exist_ok=True)
    pos, tris = cube()
    seeds: dict[str, Path] = {}
    seeds["glb"] = _gltf().write(folder / "seed.glb")
    b = _gltf()
    (folder / "red.png").write_bytes(RED_PNG)
    b.doc["images"][0] = {"uri": "red.png"}
    seeds["gltf"] = b.write(folder / "seed.gltf", binary=False, external=True)
    obj = folder / "seed.obj"
    corners = ["f" + "".join(f" {i + 1}/{i + 1}/1" for i in t) + "\n" for t in tris]
    faces = "".join(corners)
    obj.write_text(
        "mtllib seed.mtl\no cube\n"
        + "".join(f"v {x:g} {y:g} {z:g}\n" for x, y, z in pos)
        + "".join(f"vt {x:g} {y:g}\n" for x, y, _ in pos)
        + "vn 0 1 0\nusemtl red\n"
        + faces
        + "usemtl none\nf -1/-1/1 -2/-2/1 -3/-3/1 -4/-4/1\nl 1 2\n"
    )
    (folder / "seed.mtl").write_text("newmtl red\nKd 1 0 0\nmap_Kd red.png\nnewmtl none\n")
    seeds["obj"] = obj
    seeds["stl_binary"] = folder / "seed_bin.stl"
    write_stl(seeds["stl_binary"], pos, tris)
    seeds["stl_ascii"] = folder / "seed_ascii.stl"
    write_stl(seeds["stl_ascii"], pos, tris, binary=False)
    write_text(folder / "part.usda", PART)
    write_text(folder / "extra.usda", EXTRA)
    seeds["usda"] = write_text(folder / "seed.usda", USDA)
    seeds["usdc"] = as_usdc(seeds["usda"], folder / "seed.usdc")
    seeds["usdz"] = as_usdz(seeds["usda"], folder / "seed.usdz", ["part.usda", "extra.usda"])
    seeds["fbx_ascii"] = folder / "seed_ascii.fbx"
    write_fbx(
        seeds["fbx_ascii"],
        pos,
        tris,
        materials=["red"],
        texture={"relative": "red.png", "absolute": "/nowhere/red.png", "content": None},
        models=[{"Lcl Translation": (0, 1, 0)}, {"parent": 0, "Lcl Rotation": (0, 90, 0)}],
    )
    if SHARED_FBX.is_file():
        seeds["fbx_binary"] = shutil.copyfile(SHARED_FBX, folder / "seed_bin.fbx")
    return seeds
