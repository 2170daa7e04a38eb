"""USD loader: stages generated in tmp_path with known answers, and the shared corpus."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import assetlint
from assetlint.loaders import load
from assetlint.loaders import usd as usd_loader
from assetlint.loaders._isolated import FAULT_ENV
from assetlint.model import Asset, LoadError
from tests.loaders.make_usd import as_usdc, as_usdz, write_grid, write_text, write_usd
from tests.shapes import asymmetric_object, to_authored

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus"

HEADER = '#usda 1.0\n(\n    metersPerUnit = 1\n    upAxis = "Y"\n)\n\n'

# Two unit quads side by side, sharing the edge 1-4:  3-4-5 over 0-1-2.
TWO_QUADS = """
        point3f[] points = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (0, 1, 0), (1, 1, 0), (2, 1, 0)]
        int[] faceVertexCounts = [4, 4]
        int[] faceVertexIndices = [0, 1, 4, 3, 1, 2, 5, 4]
        uniform token subdivisionScheme = "none"
"""
QUAD_POINTS = np.array(
    [[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 1, 0], [1, 1, 0], [2, 1, 0]], dtype=np.float32
)


def mesh_layer(body: str, extra: str = "", header: str = HEADER) -> str:
    return f'{header}def Mesh "M"\n{{\n{body}\n}}\n{extra}'


def corners(mesh) -> np.ndarray:
    """Triangle corner positions (m, 3, 3), independent of vertex numbering."""
    return mesh.positions[mesh.triangles]


def vertex_table(mesh, *arrays) -> set[tuple]:
    """Each vertex as a tuple of its position and attribute values, rounded."""
    columns = [mesh.positions, *arrays]
    rows = np.hstack([np.round(np.asarray(c, dtype=np.float64), 5) for c in columns])
    return {tuple(r) for r in rows.tolist()}


# --- triangulation -----------------------------------------------------------------------


NGONS = """
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (-1, 1, 0), (-1, 0, 0),
                            (-1, -1, 0), (0, -1, 0), (1, -1, 0), (2, -1, 0), (2, 0, 0), (2, 1, 0)]
        int[] faceVertexCounts = [3, 4, 5, 6, 4]
        int[] faceVertexIndices = [0, 1, 2,  0, 2, 3, 4,  0, 4, 5, 6, 7,
                                   0, 7, 8, 9, 10, 11,  1, 2, 3, 4]
        int[] holeIndices = [4]
        uniform token subdivisionScheme = "none"
"""
NGON_FANS = [
    [0, 1, 2],
    [0, 2, 3],
    [0, 3, 4],
    [0, 4, 5],
    [0, 5, 6],
    [0, 6, 7],
    [0, 7, 8],
    [0, 8, 9],
    [0, 9, 10],
    [0, 10, 11],
]


def test_quads_and_ngons_are_fan_triangulated_and_holes_dropped(tmp_path):
    asset = load(write_text(tmp_path / "ngons.usda", mesh_layer(NGONS)))
    mesh = asset.meshes[0]
    assert mesh.polygon_count == 4  # five faces authored, one is a hole
    assert mesh.vertex_count == 12
    assert mesh.triangles.tolist() == NGON_FANS
    assert asset.scene_triangle_count == 10
    assert asset.format == "usda"
    assert asset.authored.format_version == "usda 1.0"
    assert asset.issues == []


def test_left_handed_orientation_flips_winding(tmp_path):
    body = NGONS + '        uniform token orientation = "leftHanded"\n'
    mesh = load(write_text(tmp_path / "left.usda", mesh_layer(body))).meshes[0]
    assert mesh.triangles.tolist() == [[a, c, b] for a, b, c in NGON_FANS]


def test_bad_face_counts_are_reported_and_dropped(tmp_path):
    body = """
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]
        int[] faceVertexCounts = [3, 2, 4]
        int[] faceVertexIndices = [0, 1, 2,  2, 3,  0, 2, 3]
"""
    asset = load(write_text(tmp_path / "bad.usda", mesh_layer(body)))
    mesh = asset.meshes[0]
    assert mesh.triangles.tolist() == [[0, 1, 2]]  # the 2-gon and the overrunning quad go
    messages = [i.message for i in asset.issues if i.code == "L005"]
    assert any("fewer than 3 corners" in m for m in messages)
    assert any("asks for 9 corners but faceVertexIndices has 8" in m for m in messages)


def test_out_of_range_point_index_is_kept_for_the_rules(tmp_path):
    body = """
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0)]
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 7]
"""
    mesh = load(write_text(tmp_path / "oob.usda", mesh_layer(body))).meshes[0]
    assert mesh.triangles.tolist() == [[0, 1, 7]]


# --- primvars ----------------------------------------------------------------------------


def test_face_varying_st_with_a_seam_splits_the_shared_points(tmp_path):
    st = """
        texCoord2f[] primvars:st = [(0, 0), (1, 0), (1, 1), (0, 1)] (interpolation = "faceVarying")
        int[] primvars:st:indices = [0, 1, 2, 3,  0, 1, 2, 3]
"""
    mesh = load(write_text(tmp_path / "seam.usda", mesh_layer(TWO_QUADS + st))).meshes[0]
    assert mesh.uv_names == ["st"]
    assert mesh.vertex_count == 8  # points 1 and 4 carry two UVs each
    assert mesh.polygon_count == 2 and mesh.triangle_count == 4
    # stored as (u, 1 - v)
    expected = {
        (0, 0, 0, 0, 1), (1, 0, 0, 1, 1), (1, 1, 0, 1, 0), (0, 1, 0, 0, 0),
        (1, 0, 0, 0, 1), (2, 0, 0, 1, 1), (2, 1, 0, 1, 0), (1, 1, 0, 0, 0),
    }  # fmt: skip
    assert vertex_table(mesh, mesh.uvs[0]) == expected
    p = QUAD_POINTS
    np.testing.assert_array_equal(
        corners(mesh), np.stack([p[[0, 1, 4]], p[[0, 4, 3]], p[[1, 2, 5]], p[[1, 5, 4]]])
    )
    # each triangle's corners carry the UVs of their own face
    uv = mesh.uvs[0][mesh.triangles]
    np.testing.assert_allclose(uv[2], [[0, 1], [1, 1], [1, 0]])


def test_face_varying_st_without_a_seam_keeps_one_vertex_per_point(tmp_path):
    # not indexed: equal values at a shared point merge, as an exporter would weld them
    st = """
        texCoord2f[] primvars:st = [(0, 0), (0.5, 0), (0.5, 1), (0, 1),
                                    (0.5, 0), (1, 0), (1, 1), (0.5, 1)] (
            interpolation = "faceVarying"
        )
"""
    mesh = load(write_text(tmp_path / "noseam.usda", mesh_layer(TWO_QUADS + st))).meshes[0]
    assert mesh.vertex_count == 6
    expected = {(x, y, 0, x / 2, 1 - y) for x, y, _ in QUAD_POINTS.tolist()}
    assert vertex_table(mesh, mesh.uvs[0]) == expected


def test_uniform_vertex_and_constant_primvars(tmp_path):
    prims = """
        color3f[] primvars:displayColor = [(1, 0, 0), (0, 1, 0)] (interpolation = "uniform")
        float[] primvars:displayOpacity = [0.5, 0.6, 0.7, 0.8, 0.9, 1] (interpolation = "vertex")
        normal3f[] normals = [(0, 0, -1)] (interpolation = "constant")
        normal3f[] primvars:normals = [(0, 0, 1)] (interpolation = "constant")
"""
    mesh = load(write_text(tmp_path / "colors.usda", mesh_layer(TWO_QUADS + prims))).meshes[0]
    assert mesh.vertex_count == 8  # the red and the green face split points 1 and 4
    opacity = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    expected = set()
    for face, rgb in (([0, 1, 4, 3], (1, 0, 0)), ([1, 2, 5, 4], (0, 1, 0))):
        for point in face:
            expected.add((*QUAD_POINTS[point].tolist(), *rgb, opacity[point]))
    assert vertex_table(mesh, mesh.colors) == expected
    # primvars:normals wins over the normals attribute
    np.testing.assert_array_equal(mesh.normals, np.tile([0, 0, 1], (8, 1)))


def test_face_varying_normals_and_uvs_split_per_combination(tmp_path):
    prims = """
        texCoord2f[] primvars:st = [(0, 0), (0.5, 0), (1, 0), (0, 1), (0.5, 1), (1, 1)] (
            interpolation = "vertex"
        )
        normal3f[] normals = [(0, 0, 1), (0, 1, 0)] (interpolation = "faceVarying")
        int[] primvars:normals:indices = [0, 0, 0, 0,  1, 1, 1, 1]
"""
    # primvars:normals:indices without a primvars:normals primvar is not an index for the
    # normals attribute, which then has too few values: reported, not read
    asset = load(write_text(tmp_path / "fvn.usda", mesh_layer(TWO_QUADS + prims)))
    assert asset.meshes[0].normals is None
    assert any("normals has 2 values, 8 needed" in i.message for i in asset.issues)

    prims = prims.replace("normal3f[] normals", "normal3f[] primvars:normals")
    mesh = load(write_text(tmp_path / "fvn2.usda", mesh_layer(TWO_QUADS + prims))).meshes[0]
    assert mesh.vertex_count == 8
    normals_at_point1 = {
        tuple(n)
        for n, p in zip(mesh.normals.tolist(), mesh.positions.tolist(), strict=True)
        if p == [1, 0, 0]
    }
    assert normals_at_point1 == {(0, 0, 1), (0, 1, 0)}


def test_several_uv_sets_are_kept_st_first(tmp_path):
    prims = """
        texCoord2f[] primvars:st1 = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)] (
            interpolation = "vertex"
        )
        float2[] primvars:UVMap = [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)] (
            interpolation = "vertex"
        )
        texCoord2f[] primvars:st = [(0.25, 0.25)] (interpolation = "constant")
        float2[] primvars:notAUV = [(9, 9)] (interpolation = "constant")
"""
    mesh = load(write_text(tmp_path / "uvsets.usda", mesh_layer(TWO_QUADS + prims))).meshes[0]
    assert mesh.uv_names == ["st", "UVMap", "st1"]
    assert mesh.vertex_count == 6
    np.testing.assert_allclose(mesh.uvs[0], np.tile([0.25, 0.75], (6, 1)))
    np.testing.assert_allclose(mesh.uvs[2][:, 0], QUAD_POINTS[:, 0])
    np.testing.assert_allclose(mesh.uvs[2][:, 1], 1 - QUAD_POINTS[:, 1])


def test_primvar_with_wrong_count_is_reported(tmp_path):
    prims = """
        texCoord2f[] primvars:st = [(0, 0), (1, 0)] (interpolation = "faceVarying")
"""
    asset = load(write_text(tmp_path / "short.usda", mesh_layer(TWO_QUADS + prims)))
    assert asset.meshes[0].uvs == []
    assert [i.code for i in asset.issues] == ["L005"]
    assert "st has 2 values, 8 needed for faceVarying" in asset.issues[0].message


# --- materials ---------------------------------------------------------------------------


def material(name: str, inputs: str = "", shaders: str = "") -> str:
    return f"""
    def Material "{name}"
    {{
        token outputs:surface.connect = </Looks/{name}/Surface.outputs:surface>
        def Shader "Surface"
        {{
            uniform token info:id = "UsdPreviewSurface"
{inputs}
            token outputs:surface
        }}
{shaders}
    }}
"""


def test_geom_subsets_give_per_face_materials(tmp_path):
    text = (
        HEADER
        + """
def Mesh "Strip" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    point3f[] points = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0),
                        (0, 1, 0), (1, 1, 0), (2, 1, 0), (3, 1, 0)]
    int[] faceVertexCounts = [4, 4, 4]
    int[] faceVertexIndices = [0, 1, 5, 4,  1, 2, 6, 5,  2, 3, 7, 6]
    rel material:binding = </Looks/Base>
    uniform token subdivisionScheme = "none"

    def GeomSubset "red" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        uniform token elementType = "face"
        uniform token familyName = "materialBind"
        int[] indices = [0, 2]
        rel material:binding = </Looks/Red>
    }
    def GeomSubset "other" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        uniform token elementType = "face"
        uniform token familyName = "notMaterials"
        int[] indices = [1]
        rel material:binding = </Looks/Green>
    }
}

def Mesh "Partial" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    point3f[] points = [(0, 2, 0), (1, 2, 0), (1, 3, 0), (0, 3, 0)]
    int[] faceVertexCounts = [3, 3]
    int[] faceVertexIndices = [0, 1, 2,  0, 2, 3]
    def GeomSubset "green" (prepend apiSchemas = ["MaterialBindingAPI"])
    {
        uniform token elementType = "face"
        uniform token familyName = "materialBind"
        int[] indices = [1, 5]
        rel material:binding = </Looks/Green>
    }
}

def Scope "Looks"
{
"""
        + material("Base", "            color3f inputs:diffuseColor = (1, 1, 1)")
        + material("Red", "            color3f inputs:diffuseColor = (1, 0, 0)")
        + material("Green", "            color3f inputs:diffuseColor = (0, 1, 0)")
        + "}\n"
    )
    asset = load(write_text(tmp_path / "subsets.usda", text))
    names = [m.name for m in asset.materials]
    strip, partial = asset.meshes
    by_name = [names[i] if i >= 0 else None for i in strip.material_indices]
    assert by_name == ["/Looks/Red"] * 2 + ["/Looks/Base"] * 2 + ["/Looks/Red"] * 2
    by_name = [names[i] if i >= 0 else None for i in partial.material_indices]
    assert by_name == [None, "/Looks/Green"]
    red = asset.materials[names.index("/Looks/Red")]
    np.testing.assert_allclose(red.base_color_factor, [1, 0, 0, 1])
    assert [i.code for i in asset.issues] == ["L005"]  # face 5 does not exist
    assert "names 1 faces the mesh does not have" in asset.issues[0].message


def png(path: Path, size: tuple[int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", size, (200, 100, 50, 255)).save(path)
    return path


TEXTURED = (
    HEADER
    + """
def Mesh "M" (prepend apiSchemas = ["MaterialBindingAPI"])
{
"""
    + TWO_QUADS
    + """
    texCoord2f[] primvars:st = [(0, 0), (0.5, 0), (1, 0), (0, 1), (0.5, 1), (1, 1)] (
        interpolation = "vertex"
    )
    texCoord2f[] primvars:st1 = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)] (
        interpolation = "vertex"
    )
    uniform bool doubleSided = 1
    rel material:binding = </Looks/Pbr>
}

def Mesh "N" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    point3f[] points = [(0, 2, 0), (1, 2, 0), (1, 3, 0)]
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    rel material:binding = </Looks/Spec>
}

def Mesh "O" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    point3f[] points = [(0, 4, 0), (1, 4, 0), (1, 5, 0)]
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    rel material:binding = </Looks/Broken>
}

def Scope "Looks"
{
"""
    + material(
        "Pbr",
        """
            color3f inputs:diffuseColor.connect = </Looks/Pbr/Albedo.outputs:rgb>
            normal3f inputs:normal.connect = </Looks/Pbr/Normal.outputs:rgb>
            float inputs:roughness.connect = </Looks/Pbr/Orm.outputs:g>
            float inputs:metallic = 0.25
            color3f inputs:emissiveColor = (0.5, 0.25, 0)
            float inputs:opacity = 0.8
            float inputs:opacityThreshold = 0.5
""",
        """
        def Shader "Reader"
        {
            uniform token info:id = "UsdPrimvarReader_float2"
            string inputs:varname = "st1"
            float2 outputs:result
        }
        def Shader "Albedo"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @tex/albedo.png@
            float2 inputs:st.connect = </Looks/Pbr/Reader.outputs:result>
            float4 inputs:scale = (0.5, 0.5, 0.5, 1)
            float3 outputs:rgb
        }
        def Shader "Normal"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @tex/normal.png@
            float2 inputs:st.connect = </Looks/Pbr/Reader.outputs:result>
            float3 outputs:rgb
        }
        def Shader "Orm"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @./tex/orm.png@
            float4 inputs:scale = (1, 0.75, 1, 1)
            float outputs:g
        }
""",
    )
    + material(
        "Spec",
        """
            int inputs:useSpecularWorkflow = 1
            color3f inputs:diffuseColor = (1, 0, 0)
            float inputs:opacity = 0.5
""",
    )
    + material(
        "Broken",
        """
            color3f inputs:diffuseColor.connect = </Looks/Broken/Outside.outputs:rgb>
            color3f inputs:emissiveColor.connect = </Looks/Broken/Absolute.outputs:rgb>
            normal3f inputs:normal.connect = </Looks/Broken/Missing.outputs:rgb>
""",
        """
        def Shader "Outside"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @../outside.png@
            float3 outputs:rgb
        }
        def Shader "Absolute"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @/etc/hostname@
            float3 outputs:rgb
        }
        def Shader "Missing"
        {
            uniform token info:id = "UsdUVTexture"
            asset inputs:file = @tex/nothere.png@
            float3 outputs:rgb
        }
""",
    )
    + "}\n"
)


def textured_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "asset"
    png(folder / "tex" / "albedo.png", (4, 2))
    png(folder / "tex" / "normal.png", (8, 8))
    png(folder / "tex" / "orm.png", (2, 2))
    png(tmp_path / "outside.png", (16, 16))
    return write_text(folder / "textured.usda", TEXTURED)


def check_preview_surfaces(asset: Asset, source: str) -> None:
    pbr, spec, broken = asset.materials
    textures = asset.textures
    assert pbr.workflow == "metal-rough"
    np.testing.assert_allclose(pbr.base_color_factor, [0.5, 0.5, 0.5, 0.8])
    assert pbr.metallic_factor == 0.25
    assert pbr.roughness_factor == 0.75  # the texture's scale on the channel read (g)
    np.testing.assert_allclose(pbr.emissive_factor, [0.5, 0.25, 0])
    assert (pbr.alpha_mode, pbr.alpha_cutoff) == ("MASK", 0.5)
    assert pbr.double_sided
    slots = {role: (textures[s.texture].name, s.uv_set) for role, s in pbr.textures.items()}
    assert slots == {
        "base_color": ("albedo.png", 1),  # the reader asks for st1, the mesh's second set
        "normal": ("normal.png", 1),
        "metallic_roughness": ("orm.png", 0),
    }
    sizes = {t.name: (t.source, t.width, t.height, t.mime_type) for t in textures[:3]}
    assert sizes == {
        "albedo.png": (source, 4, 2, "image/png"),
        "normal.png": (source, 8, 8, "image/png"),
        "orm.png": (source, 2, 2, "image/png"),
    }
    assert spec.workflow == "spec-gloss"
    assert spec.alpha_mode == "BLEND"
    np.testing.assert_allclose(spec.base_color_factor, [1, 0, 0, 0.5])
    assert (spec.metallic_factor, spec.roughness_factor) == (0.0, 0.5)
    assert spec.textures == {}
    assert {r: textures[s.texture].source for r, s in broken.textures.items()} == {
        "base_color": "missing",
        "emissive": "missing",
        "normal": "missing",
    }


def test_preview_surface_inputs_and_texture_files(tmp_path):
    asset = load(textured_folder(tmp_path))
    check_preview_surfaces(asset, "file")
    assert asset.textures[0].path == tmp_path / "asset" / "tex" / "albedo.png"
    issues = {(i.code, i.message) for i in asset.issues}
    assert issues == {
        ("L006", "texture '../outside.png' points outside the asset folder"),
        (
            "L006",
            "texture '/etc/hostname' is an absolute path; only paths inside the asset "
            "folder are opened",
        ),
        ("L002", "texture 'tex/nothere.png' not found"),
    }


def test_usdz_textures_are_read_from_the_package(tmp_path):
    textures = ["tex/albedo.png", "tex/normal.png", "tex/orm.png"]
    package = as_usdz(textured_folder(tmp_path), tmp_path / "asset" / "textured.usdz", textures)
    for png_file in (tmp_path / "asset" / "tex").iterdir():
        png_file.unlink()  # only the package holds them now
    asset = load(package)
    assert asset.format == "usdz"
    check_preview_surfaces(asset, "embedded")
    assert asset.textures[0].data()[:4] == b"\x89PNG"
    assert [m.name for m in asset.meshes] == ["/M", "/N", "/O"]


# --- instancing, references, payloads ----------------------------------------------------


TRIANGLE = """
        point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 2]
"""


def test_instanceable_prims_share_one_mesh(tmp_path):
    def instance(name: str, offset: str) -> str:
        return f"""
def Xform "{name}" (instanceable = true
    prepend references = </Proto>)
{{
    double3 xformOp:translate = {offset}
    uniform token[] xformOpOrder = ["xformOp:translate"]
}}
"""

    text = (
        HEADER
        + f'class Xform "Proto"\n{{\n    def Mesh "Tri"\n    {{\n{TRIANGLE}    }}\n}}\n'
        + instance("A", "(0, 0, 0)")
        + instance("B", "(10, 0, 0)")
        + instance("C", "(0, 0, 5)")
    )
    asset = load(write_text(tmp_path / "instances.usda", text))
    assert len(asset.meshes) == 1
    assert asset.unique_triangle_count == 1
    assert asset.scene_triangle_count == 3
    assert [n.name for _, n in asset.instances()] == ["/A/Tri", "/B/Tri", "/C/Tri"]
    np.testing.assert_allclose(asset.bounds(), [[0, 0, 0], [11, 1, 5]])
    parents = [asset.nodes[n.parent].name for _, n in asset.instances()]
    assert parents == ["/A", "/B", "/C"]
    assert asset.nodes[asset.nodes[-1].parent].children == [len(asset.nodes) - 1]


def test_point_instancer_instances_count_each_time(tmp_path):
    text = (
        HEADER
        + f"""
def PointInstancer "Scatter"
{{
    rel prototypes = [</Scatter/Protos/Tri>, </Scatter/Protos/Quad>]
    int[] protoIndices = [0, 1, 0, 0]
    point3f[] positions = [(0, 0, 0), (2, 0, 0), (4, 0, 0), (6, 0, 0)]
    double3 xformOp:translate = (0, 1, 0)
    uniform token[] xformOpOrder = ["xformOp:translate"]
    def Scope "Protos"
    {{
        def Mesh "Tri"
        {{
{TRIANGLE}
        }}
        def Mesh "Quad"
        {{
            point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]
            int[] faceVertexCounts = [4]
            int[] faceVertexIndices = [0, 1, 2, 3]
        }}
    }}
}}
"""
    )
    asset = load(write_text(tmp_path / "scatter.usda", text))
    assert [m.name for m in asset.meshes] == ["/Scatter/Protos/Tri", "/Scatter/Protos/Quad"]
    assert sum(1 for _ in asset.instances()) == 4
    assert asset.scene_triangle_count == 3 * 1 + 1 * 2
    np.testing.assert_allclose(asset.bounds(), [[0, 1, 0], [7, 2, 0]])
    instancer = asset.nodes[0]
    assert instancer.name == "/Scatter" and len(instancer.children) == 4
    translations = sorted(asset.nodes[c].world[0, 3] for c in instancer.children)
    assert translations == [0, 2, 4, 6]
    np.testing.assert_allclose(asset.nodes[instancer.children[0]].local[:3, 3], [0, 0, 0])


def test_references_payloads_and_sublayers_are_composed(tmp_path):
    folder = tmp_path / "asset"
    png(folder / "parts" / "tex" / "wood.png", (4, 4))
    wood = material(
        "Wood",
        "            color3f inputs:diffuseColor.connect = </Part/Looks/Wood/Tex.outputs:rgb>",
        '        def Shader "Tex"\n        {\n'
        '            uniform token info:id = "UsdUVTexture"\n'
        "            asset inputs:file = @tex/wood.png@\n            float3 outputs:rgb\n"
        "        }\n",
    ).replace("</Looks/Wood/Surface", "</Part/Looks/Wood/Surface")
    write_text(
        folder / "parts" / "part.usda",
        HEADER
        + 'def Xform "Part"\n{\n    def Mesh "Tri" (prepend apiSchemas = ["MaterialBindingAPI"])\n'
        + f"    {{\n{TRIANGLE}        rel material:binding = </Part/Looks/Wood>\n    }}\n"
        + f'    def Scope "Looks"\n    {{\n{wood}    }}\n}}\n',
    )
    heavy = write_text(
        folder / "parts" / "heavy.usda",
        '#usda 1.0\n(\n    defaultPrim = "Heavy"\n)\n'
        f'def Xform "Heavy"\n{{\n    def Mesh "Big"\n    {{\n{TRIANGLE}    }}\n}}\n',
    )
    as_usdc(heavy, folder / "parts" / "heavy.usdc")
    write_text(
        folder / "layers" / "extra.usda",
        f'#usda 1.0\ndef Mesh "Extra"\n{{\n{TRIANGLE.replace("(0, 1, 0)]", "(0, 3, 0)]")}}}\n',
    )
    main = write_text(
        folder / "main.usda",
        '#usda 1.0\n(\n    metersPerUnit = 1\n    upAxis = "Y"\n'
        "    subLayers = [@layers/extra.usda@]\n)\n"
        'def Xform "World"\n{\n'
        '    def "A" (prepend references = @parts/part.usda@</Part>)\n    {\n'
        "        double3 xformOp:translate = (5, 0, 0)\n"
        '        uniform token[] xformOpOrder = ["xformOp:translate"]\n    }\n'
        '    def "B" (prepend payload = @./parts/heavy.usdc@)\n    {\n'
        "        double3 xformOp:translate = (0, 0, -2)\n"
        '        uniform token[] xformOpOrder = ["xformOp:translate"]\n    }\n'
        "}\n",
    )
    asset = load(main)
    assert sorted(m.name for m in asset.meshes) == ["/Extra", "/World/A/Tri", "/World/B/Big"]
    np.testing.assert_allclose(asset.bounds(), [[0, 0, -2], [6, 3, 0]])
    assert asset.issues == []
    # the texture is found beside the layer that names it, not beside main.usda
    assert [m.name for m in asset.materials] == ["/World/A/Looks/Wood"]
    assert [(t.source, t.path) for t in asset.textures] == [
        ("file", folder / "parts" / "tex" / "wood.png")
    ]


# --- units and axes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meters_per_unit", "up_axis", "fmt"),
    [(1.0, "+Y", "usda"), (0.01, "+Y", "usdc"), (0.001, "+Z", "usdz"), (0.01, "+Z", "usda")],
)
def test_units_and_up_axis_give_the_same_canonical_bounds(tmp_path, meters_per_unit, up_axis, fmt):
    positions, triangles = asymmetric_object()
    authored = to_authored(positions, meters_per_unit, up_axis)
    path = write_usd(
        tmp_path / f"object.{fmt}",
        authored,
        triangles,
        meters_per_unit=meters_per_unit,
        up_axis=up_axis,
        fmt=fmt,
    )
    asset = load(path)
    assert asset.format == fmt
    assert asset.authored.meters_per_unit == meters_per_unit
    assert asset.authored.up_axis == up_axis
    assert asset.scene_triangle_count == 20
    np.testing.assert_allclose(asset.bounds(), [[0.1, 0, -0.05], [0.5, 0.6, 0.15]], atol=1e-6)


def test_format_is_read_from_content_not_extension(tmp_path):
    positions, triangles = asymmetric_object()
    write_usd(tmp_path / "a.usd", positions, triangles, meters_per_unit=1, up_axis="Y", fmt="usdc")
    crate = load(tmp_path / "a.usd")
    assert crate.format == "usdc" and crate.authored.format_version.startswith("usdc 0.")
    write_usd(tmp_path / "b.usd", positions, triangles, meters_per_unit=1, up_axis="Y", fmt="usda")
    assert load(tmp_path / "b.usd").format == "usda"


def test_unauthored_meters_per_unit_uses_usd_fallback(tmp_path):
    text = '#usda 1.0\n(\n    upAxis = "Y"\n)\n' + f'def Mesh "M"\n{{\n{TRIANGLE}}}\n'
    asset = load(write_text(tmp_path / "cm.usda", text))
    assert asset.authored.meters_per_unit is None
    np.testing.assert_allclose(asset.bounds(), [[0, 0, 0], [0.01, 0.01, 0]])
    assert [(i.code, i.severity) for i in asset.issues] == [("L005", "info")]
    assert "fallback of 0.01" in asset.issues[0].message


def test_invalid_up_axis_is_reported_and_y_kept(tmp_path):
    text = HEADER.replace('"Y"', '"X"') + f'def Mesh "M"\n{{\n{TRIANGLE}}}\n'
    asset = load(write_text(tmp_path / "xup.usda", text))
    assert asset.authored.up_axis is None
    assert [(i.code, i.severity) for i in asset.issues] == [("L005", "error")]
    np.testing.assert_allclose(asset.bounds(), [[0, 0, 0], [1, 1, 0]])


def test_generator_from_creator_or_doc(tmp_path):
    text = HEADER.replace(
        "(\n", '(\n    customLayerData = {\n        string creator = "Gen3D 2.1"\n    }\n'
    )
    assert load(write_text(tmp_path / "c.usda", text)).authored.generator == "Gen3D 2.1"
    text = HEADER.replace("(\n", '(\n    doc = "Blender v4.2.0"\n')
    assert load(write_text(tmp_path / "d.usda", text)).authored.generator == "Blender v4.2.0"


def test_layers_with_other_units_are_reported(tmp_path):
    write_text(tmp_path / "cm.usda", "#usda 1.0\n(\n    metersPerUnit = 0.01\n)\n")
    main = write_text(
        tmp_path / "main.usda", HEADER.replace("(\n", "(\n    subLayers = [@cm.usda@]\n")
    )
    issues = load(main).issues
    assert [(i.code, i.subject) for i in issues] == [("L004", "cm.usda")]


# --- confinement -------------------------------------------------------------------------


LEAK = '#usda 1.0\ndef Mesh "Leak"\n{\n' + TRIANGLE + "}\n"


def refusing_stage(tmp_path: Path) -> Path:
    write_text(tmp_path / "outside.usda", LEAK)
    folder = tmp_path / "asset"
    write_text(folder / "inside.usda", '#usda 1.0\ndef Mesh "Inside"\n{\n' + TRIANGLE + "}\n")
    return write_text(
        folder / "main.usda",
        "#usda 1.0\n(\n    metersPerUnit = 1\n"
        "    subLayers = [@../outside.usda@, @/etc/passwd@, @missing.usda@, @inside.usda@]\n)\n"
        'def Xform "World" (\n'
        "    prepend references = [@../outside.usda@</Leak>, @/etc/passwd@</X>,\n"
        "                          @http://example.com/x.usda@</X>, @file:///etc/passwd@]\n)\n"
        "{\n"
        '    def "P" (prepend payload = @../outside.usda@</Leak>) {}\n'
        '    def "Q" (\n'
        "        clips = {\n"
        "            dictionary default = {\n"
        "                asset[] assetPaths = [@../outside.usda@]\n"
        '                string primPath = "/Leak"\n'
        "                double2[] active = [(0, 0)]\n"
        "            }\n"
        "        }\n"
        "    ) {}\n"
        "}\n",
    )


def test_refused_layers_are_reported_and_not_composed(tmp_path):
    asset = load(refusing_stage(tmp_path))
    assert [m.name for m in asset.meshes] == ["/Inside"]
    refused = sorted((i.code, i.subject) for i in asset.issues if i.code in ("L002", "L006"))
    assert refused == [
        ("L002", "missing.usda"),
        ("L006", "../outside.usda"),
        ("L006", "/World/Q"),  # the value clip
        ("L006", "/etc/passwd"),
        ("L006", "file:///etc/passwd"),
        ("L006", "http://example.com/x.usda"),
    ]


def test_usd_itself_never_opens_the_refused_layers(tmp_path):
    from pxr import Sdf, Usd

    main = refusing_stage(tmp_path)
    outside = str(tmp_path / "outside.usda")
    opened = lambda: {layer.realPath for layer in Sdf.Layer.GetLoadedLayers()}  # noqa: E731
    # control: left to itself, USD composes the outside layer
    stage = Usd.Stage.Open(str(main))
    assert outside in opened()
    del stage
    assert outside not in opened()

    asset = Asset(path=main, format="usda", file_size=main.stat().st_size)
    layers = usd_loader.vet_layers(main, asset)
    stage = Usd.Stage.Open(layers[0])
    used = {layer.realPath for layer in stage.GetUsedLayers() if layer.realPath}
    assert used == {str(main), str(tmp_path / "asset" / "inside.usda")}
    stage.GetPrimAtPath("/World/Q").GetAttributes()  # value clips resolve lazily
    for prim in stage.Traverse():
        for attr in prim.GetAttributes():
            attr.Get(0)
    assert outside not in opened() and "/etc/passwd" not in opened()
    assert not stage.GetPrimAtPath("/World/Leak") and not stage.GetPrimAtPath("/Leak")
    del stage, layers
    assert main.read_text().count("outside.usda") == 4  # the file itself is untouched


def test_value_clips_leaving_the_folder_are_dropped_before_usd_opens_them(tmp_path):
    from pxr import Sdf, Usd

    outside = write_text(
        tmp_path / "outside.usda",
        '#usda 1.0\ndef Xform "Leak"\n{\n    double3 xformOp:translate.timeSamples = '
        '{ 0: (1, 2, 3) }\n    uniform token[] xformOpOrder = ["xformOp:translate"]\n}\n',
    )
    main = write_text(
        tmp_path / "asset" / "clips.usda",
        HEADER + 'def Xform "Q" (\n    clips = {\n        dictionary default = {\n'
        "            asset[] assetPaths = [@../outside.usda@]\n"
        '            string primPath = "/Leak"\n            double2[] active = [(0, 0)]\n'
        "        }\n    }\n)\n{\n"
        '    uniform token[] xformOpOrder = ["xformOp:translate"]\n}\n',
    )
    opened = lambda: {layer.realPath for layer in Sdf.Layer.GetLoadedLayers()}  # noqa: E731
    stage = Usd.Stage.Open(str(main))  # control: USD opens clip layers with the stage
    assert str(outside) in opened()
    del stage
    asset = Asset(path=main, format="usda", file_size=main.stat().st_size)
    layers = usd_loader.vet_layers(main, asset)
    stage = Usd.Stage.Open(layers[0])
    assert stage.GetPrimAtPath("/Q").GetAttribute("xformOp:translate").Get(0) is None
    assert str(outside) not in opened()
    assert [(i.code, i.subject) for i in asset.issues] == [("L006", "/Q")]
    del stage, layers
    asset = load(main)
    np.testing.assert_array_equal(asset.nodes[0].world, np.eye(4))


def test_usdz_layers_cannot_reach_outside(tmp_path):
    write_text(tmp_path / "outside.usda", LEAK)
    inner = write_text(
        tmp_path / "asset" / "build" / "root.usda",
        HEADER
        + 'def Xform "W" (prepend references = [@../../outside.usda@</Leak>, @/etc/passwd@])\n'
        + "{\n}\n",
    )
    asset = load(as_usdz(inner, tmp_path / "asset" / "pkg.usdz"))
    assert asset.meshes == []
    # relative paths in a package resolve inside the package, as USD does: leaving it is L006
    assert sorted((i.code, i.message) for i in asset.issues) == [
        ("L006", "layer '../../outside.usda' points outside the package pkg.usdz"),
        (
            "L006",
            "layer '/etc/passwd' is an absolute path; only paths inside the asset folder "
            "are opened",
        ),
    ]


# --- bad files ---------------------------------------------------------------------------


def bad_files(tmp_path: Path) -> dict[str, Path]:
    positions, triangles = asymmetric_object()
    good = tmp_path / "good.usdc"
    write_usd(good, positions, triangles, meters_per_unit=1, up_axis="Y", fmt="usdc")
    data = good.read_bytes()
    png_bytes = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png_bytes, "PNG")
    files = {
        "garbage.usda": b"#usda 1.0\n(\n    garbage {{{ \n",
        "truncated.usdc": data[: len(data) // 2],
        "tiny.usdc": data[:20],
        "garbage.usdc": b"PXR-USDC" + bytes(range(256)) * 4,
        "broken.usdz": b"PK\x03\x04" + b"\x00" * 100,
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    paths["image-only.usdz"] = tmp_path / "image-only.usdz"
    with zipfile.ZipFile(paths["image-only.usdz"], "w") as zf:
        zf.writestr("texture.png", png_bytes.getvalue())
    return paths


def test_bad_files_give_one_line_load_errors_and_print_nothing(tmp_path, capfd):
    for name, path in bad_files(tmp_path).items():
        with pytest.raises(LoadError) as caught:
            load(path)
        message = str(caught.value)
        assert message and "\n" not in message, name
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_usd_warnings_become_issues_not_output(capfd):
    path = CORPUS / "usd" / "openusd_usdchecker" / "bad" / "badShaderId.usdc"
    asset = load(path)
    assert capfd.readouterr().err == ""
    assert any("deprecated version 0.7.0" in i.message for i in asset.issues)


# --- a large mesh ------------------------------------------------------------------------


def test_large_grid_is_read_whole(tmp_path):
    asset = load(write_grid(tmp_path / "grid.usdc", 200))
    mesh = asset.meshes[0]
    assert mesh.polygon_count == 40_000 and mesh.triangle_count == 80_000
    assert mesh.vertex_count == 201 * 201  # equal face-varying UVs weld back to points
    np.testing.assert_allclose(asset.bounds(), [[0, 0, 0], [1, 0, 1]])


# --- the shared corpus -------------------------------------------------------------------


def corpus_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with open(manifest, newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [r for r in rows if r["rel_path"].startswith("usd/") and r["role"] == "usd"]


def facts(row: dict[str, str]) -> dict[str, str]:
    """metersPerUnit=0.01 (authored=True; ...);upAxis=Y (authored=Y);mesh_faces=6..."""
    found = {}
    for part in row["ground_truth"].split(";"):
        key, _, value = part.partition("=")
        found[key.strip()] = value
    return found


@pytest.mark.skipif(not corpus_rows(), reason="shared corpus not present")
@pytest.mark.parametrize("row", corpus_rows(), ids=lambda r: r["rel_path"][4:])
def test_corpus_file_loads_with_its_known_facts(row):
    path = CORPUS / row["rel_path"]
    known = facts(row)
    if known["metersPerUnit"].startswith("None"):  # usd-core reads no layer in it
        with pytest.raises(LoadError, match="no layer in it that usd-core reads"):
            load(path)
        return
    asset = load(path)
    assert asset.format == path.suffix[1:] or path.suffix == ".usd"
    mpu = float(known["metersPerUnit"].split()[0])
    authored_mpu = "authored=True" in known["metersPerUnit"]
    assert asset.authored.meters_per_unit == (mpu if authored_mpu else None)
    up = known["upAxis"].split()[0]
    authored_up = known["upAxis"].split("authored=")[1].rstrip(")")
    if authored_up in ("Y", "Z"):
        assert asset.authored.up_axis == f"+{up}"
    else:
        assert asset.authored.up_axis is None
    if authored_up not in ("Y", "Z", "None"):
        assert any("is not valid in USD" in i.message for i in asset.issues)
    assert len(asset.meshes) == int(known["mesh_prims"])
    assert sum(m.polygon_count for m in asset.meshes) == int(known["mesh_faces"])
    codes = {i.code for i in asset.issues}
    if "references ../" in row["notes"] or "BROKEN reference" in row["notes"]:
        assert codes & {"L002", "L006"}


def test_corpus_textures_in_usdz_are_embedded():
    path = CORPUS / "usd" / "usdwg" / "test_assets" / "USDZ" / "CesiumMan" / "CesiumMan.usdz"
    if not path.exists():
        pytest.skip("shared corpus not present")
    asset = load(path)
    texture = asset.textures[0]
    assert (texture.source, texture.mime_type, texture.width, texture.height) == (
        "embedded",
        "image/jpeg",
        1024,
        1024,
    )
    mesh = asset.meshes[0]
    assert (mesh.polygon_count, mesh.triangle_count, mesh.vertex_count) == (4672, 4672, 3273)
    assert mesh.bone_count == 19 and mesh.max_influences == 4
    assert asset.authored.generator == "usdzconvert preview 0.67"


# --- a file that aborts usd-core ---------------------------------------------------------

# The fuzz seed's usdc with one bit flipped (offset 141): usd-core 26.11 aborts composing it
# (SIGABRT after "Prim index at <> not found in PcpCache").
CRATE_ABORT = Path(__file__).with_name("data") / "crate_abort.usdc"


@pytest.fixture
def aborting(tmp_path: Path) -> dict[str, Path]:
    usdc = tmp_path / "abort.usdc"
    usdc.write_bytes(CRATE_ABORT.read_bytes())
    usdz = tmp_path / "abort.usdz"
    with zipfile.ZipFile(usdz, "w") as zf:  # stored, as USDZ wants
        zf.write(usdc, "abort.usdc")
    return {"usdc": usdc, "usdz": usdz}


@pytest.mark.parametrize("flavour", ["usdc", "usdz"])
def test_a_reader_abort_is_a_load_error_and_this_process_lives_on(aborting, flavour):
    with pytest.raises(LoadError, match=r"^USD reader crashed \(signal 6, SIGABRT\)$"):
        load(aborting[flavour])
    grid = write_grid(aborting["usdc"].with_name("grid.usda"), 2, fmt="usda")
    assert load(grid).meshes[0].triangle_count == 8


def test_lint_reports_a_reader_abort_as_a_load_failure(aborting):
    report = assetlint.lint(list(aborting.values()), config=False)
    assert [(f.code, f.severity, f.message, f.path) for f in report.findings] == [
        ("L001", "error", "USD reader crashed (signal 6, SIGABRT)", str(aborting["usdc"])),
        ("L001", "error", "USD reader crashed (signal 6, SIGABRT)", str(aborting["usdz"])),
    ]


def test_reader_hang_is_killed_at_the_timeout(tmp_path, monkeypatch):
    path = write_grid(tmp_path / "grid.usda", 2, fmt="usda")
    monkeypatch.setenv(FAULT_ENV, "hang")
    monkeypatch.setattr(usd_loader, "TIMEOUT_S", 1.0)
    with pytest.raises(LoadError, match=r"^USD reader timed out after 1 s$"):
        load(path)
