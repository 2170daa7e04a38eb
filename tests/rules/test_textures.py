"""Texture and UV rules (T): missing and unportable textures, sizes, formats, UVs and
lightmap UVs."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.model import Material, Mesh
from assetlint.rules import textures
from assetlint.rules.textures import path_problem, uv_overlap
from tests.rules.pack_assets import (
    make_asset,
    messages,
    quad_uv_mesh,
    run,
    texture,
    textured,
    triangles,
)

SQUARE = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.25), (0.0, 0.25)]  # diagonal misses cell centres


def shifted(quad, du=0.0, dv=0.0):
    return [(u + du, v + dv) for u, v in quad]


def test_missing_and_undecodable_textures_a_material_uses():
    asset = make_asset(triangles(1))
    gone = texture("wood.png", source="missing")
    gone.error = "wood.png not found"
    broken = texture("bad.png")
    broken.error = "not a readable image: truncated"
    asset.textures = [gone, broken, texture("fine.png")]
    asset.materials = [textured("table", 0, normal=1), textured("ok", 2)]
    assert messages(run(textures, "T001", asset)) == [
        "texture 'wood.png' (base_color of 'table') is unusable: wood.png not found",
        "texture 'bad.png' (normal of 'table') is unusable: not a readable image: truncated",
    ]


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("C:\\Users\\me\\wood.png", "an absolute path"),
        ("/home/me/wood.png", "an absolute path"),
        ("\\\\server\\share\\wood.png", "an absolute path"),
        ("../wood.png", "a path outside the asset's folder"),
        ("tex/../../wood.png", "a path outside the asset's folder"),
        ("tex%2F..%2F..%2Fwood.png", "a path outside the asset's folder"),
        ("https://cdn.example.com/wood.png", "a https URL"),
        ("file:///home/me/wood.png", "a file URL"),
        ("tex/wood.png", None),
        ("tex/../wood.png", None),
        ("data:image/png;base64,AAAA", None),
    ],
)
def test_path_problems(uri, problem):
    assert path_problem(uri) == problem


def test_unportable_texture_path_message():
    asset = make_asset(triangles(1))
    asset.textures = [
        texture("wood", uri="C:\\tex\\wood.png", source="missing"),
        texture("ok", uri="wood.png"),
    ]
    assert messages(run(textures, "T002", asset)) == [
        "texture 'wood' is referenced by an absolute path: C:\\tex\\wood.png"
    ]


def test_power_of_two_and_maximum_size():
    asset = make_asset(triangles(1))
    asset.textures = [
        texture("a", 1024, 512),
        texture("b", 1000, 1024),
        texture("c", 8192, 8192),
        texture("d", 8193, 4096),
        texture("e", None, None),
    ]
    assert messages(run(textures, "T003", asset)) == [
        "texture 'b' is 1000x1024, not a power of two",
        "texture 'd' is 8193x4096, not a power of two",
    ]
    [f] = run(textures, "T004", asset, max_size=8192)
    assert (f.message, f.value, f.limit) == ("texture 'd' is 8193x4096 (limit 8192)", 8193, 8192)


def test_formats():
    asset = make_asset(triangles(1))
    asset.textures = [
        texture("a", mime="image/png"),
        texture("b", mime="image/webp"),
        texture("c", mime="image/x-tga"),
        texture("d", mime=None),
    ]
    assert messages(run(textures, "T005", asset, allowed=["png", "jpeg"])) == [
        "texture 'b' is webp; the target takes jpeg, png",
        "texture 'c' is tga; the target takes jpeg, png",
    ]
    assert messages(run(textures, "T005", asset, allowed=["png", "webp", "tga"])) == []


def textured_quads(quads, material=0, uv_set=0):
    mesh = quad_uv_mesh(quads, uv_set=uv_set, materials=material)
    asset = make_asset(mesh)
    asset.textures = [texture("albedo")]
    asset.materials = [textured("skin", 0, uv_set=uv_set), Material("plain")]
    return asset


def test_textured_material_without_the_uv_set_it_samples():
    asset = textured_quads([SQUARE])
    asset.materials[0] = textured("skin", 0, uv_set=1)
    assert messages(run(textures, "T006", asset)) == [
        "UV set 1 is needed by base_color of 'skin' but the mesh has 1 UV set(s)"
    ]
    asset.meshes[0].uvs = []
    assert messages(run(textures, "T006", asset)) == [
        "UV set 1 is needed by base_color of 'skin' but the mesh has no UVs"
    ]
    assert run(textures, "T006", textured_quads([SQUARE])) == []


def test_nan_uvs_count_only_on_textured_faces():
    asset = textured_quads([SQUARE, shifted(SQUARE, du=0.5)])
    asset.meshes[0].uvs[0][4] = np.nan  # the corner both triangles of the second quad share
    [f] = run(textures, "T007", asset)
    assert f.message == (
        "2 of 4 faces textured through UV set 0 (base_color of 'skin') have corners without "
        "finite UVs"
    )
    assert f.sample == {"faces": [2, 3]}
    asset.meshes[0].material_indices[2:] = 1  # the second quad becomes untextured
    assert run(textures, "T007", asset) == []


def test_uvs_far_outside_0_1():
    asset = textured_quads([shifted(SQUARE, du=10.5)])  # u reaches 11.0
    assert run(textures, "T008", asset, max_outside=10.0) == []
    asset = textured_quads([shifted(SQUARE, du=10.51)])
    [f] = run(textures, "T008", asset, max_outside=10.0)
    assert f.message == (
        "2 vertices of textured faces have UVs outside [-10, 11] in UV set 0 "
        "(range u 10.5..11, v 0..0.25)"
    )
    assert run(textures, "T008", textured_quads([SQUARE]), max_outside=0.0) == []


def test_uv_overlap_rasterization():
    a = quad_uv_mesh([SQUARE, SQUARE])  # two quads on the same UVs: 8 cells at 8x8
    assert uv_overlap(a.uvs[0], a.triangles, 8)[:2] == (8, 8)
    b = quad_uv_mesh([SQUARE, shifted(SQUARE, du=0.5)])  # side by side: no overlap
    covered, overlapped, faces = uv_overlap(b.uvs[0], b.triangles, 8)
    assert (covered, overlapped, len(faces)) == (16, 0, 0)


def lightmapped(quads):
    asset = make_asset(quad_uv_mesh(quads, uv_set=1))
    return asset


def test_lightmap_uvs():
    single = make_asset(quad_uv_mesh([SQUARE]))
    assert messages(run(textures, "T009", single, resolution=8)) == [
        "no UV set 1 for lightmaps (the mesh has 1 UV set(s))"
    ]
    assert run(textures, "T009", lightmapped([SQUARE, shifted(SQUARE, du=0.5)]), resolution=8) == []
    half = lightmapped([SQUARE, shifted(SQUARE, du=0.25)])  # 4 of the 12 covered cells shared
    assert run(textures, "T009", half, resolution=8, max_overlap_share=0.34) == []
    [f] = run(textures, "T009", half, resolution=8, max_overlap_share=0.33)
    assert f.message == (
        "lightmap UV set 1 overlaps: 33.3% of covered texels (4 of 12 at 8x8) are shared by "
        "faces, 4 faces involved (limit 33.0%)"
    )
    outside = lightmapped([shifted(SQUARE, du=0.51)])
    assert messages(run(textures, "T009", outside, resolution=8)) == [
        "2 vertices of lightmap UV set 1 lie outside 0-1 (or have no finite UVs)"
    ]


def test_overlap_is_fast_on_a_large_mesh():
    # 200,000 triangles on a 64 x 64-cell grid of UV squares, none overlapping
    n = 100_000
    i = np.arange(n)
    cell = np.stack([i % 316, i // 316], axis=1) / 316.0
    corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1]]) * (0.9 / 316.0)
    uv = (cell[:, None, :] + corners[None]).reshape(-1, 2).astype(np.float32)
    base = 4 * i[:, None]
    tris = np.concatenate([base + [0, 1, 2], base + [0, 2, 3]])
    mesh = Mesh("big", np.zeros((len(uv), 3)), tris, uvs=[uv, uv])
    covered, overlapped, _ = uv_overlap(mesh.uvs[1], mesh.triangles, 512)
    assert overlapped == 0 and covered > 0


def test_any_uv_outside_0_1_when_no_margin_is_allowed():
    [f] = run(textures, "T008", textured_quads([shifted(SQUARE, dv=0.76)]), max_outside=0.0)
    assert f.message == (
        "2 vertices of textured faces have UVs outside [0, 1] in UV set 0 "
        "(range u 0..0.5, v 0.76..1.01)"
    )
