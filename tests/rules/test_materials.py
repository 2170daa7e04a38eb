"""Material rules (M): unused slots, faces without material, names, duplicates, models,
normal maps."""

from __future__ import annotations

import numpy as np

from assetlint.model import Material
from assetlint.rules import materials
from assetlint.rules.materials import is_generic_name
from tests.rules.pack_assets import make_asset, messages, run, textured, triangles


def asset_with(indices, mats):
    mesh = triangles(len(indices), name="body")
    mesh.material_indices = np.asarray(indices, dtype=np.int32)
    asset = make_asset(mesh)
    asset.materials = mats
    return asset


def test_unused_material():
    asset = asset_with([0, 2, 2], [Material("leather"), Material("steel"), Material("glass")])
    [f] = run(materials, "M001", asset)
    assert (f.message, f.subject) == ("material 'steel' is used by no face", "steel")
    assert run(materials, "M001", asset_with([0, 1], [Material("a"), Material("b")])) == []


def test_faces_without_material():
    asset = asset_with([-1, 0, 5, 0], [Material("leather")])
    [f] = run(materials, "M002", asset)
    assert f.message == "2 of 4 triangles have no material, 1 with an index past the 1 materials"
    assert f.sample == {"faces": [0, 2]}
    assert run(materials, "M002", asset_with([0, 0], [Material("leather")])) == []


def test_generic_names():
    names = [
        "Material.001",
        "lambert1",
        "Leather",
        "",
        "02 - Default",
        "Material #25",
        "DefaultMaterial",
        "mat_2",
        "brushed_steel",
        "material_leather",
    ]
    assert [n for n in names if is_generic_name(n)] == [
        "Material.001",
        "lambert1",
        "",
        "02 - Default",
        "Material #25",
        "DefaultMaterial",
        "mat_2",
    ]
    asset = asset_with([0, 1], [Material("Material.001"), Material("leather")])
    assert messages(run(materials, "M003", asset)) == [
        "material #0 has a generic name 'Material.001'"
    ]


def test_duplicates_by_name_and_by_definition():
    red = Material("paint", base_color_factor=np.array([1, 0, 0, 1], dtype=np.float32))
    red_again = Material(
        "paint", base_color_factor=np.array([1, 0, 0, 1], dtype=np.float32), roughness_factor=0.5
    )
    same_as_red = Material("lacquer", base_color_factor=np.array([1, 0, 0, 1], dtype=np.float32))
    asset = asset_with([0, 1, 2], [red, red_again, same_as_red])
    assert messages(run(materials, "M004", asset)) == [
        "2 materials are named 'paint' (#0, #1)",
        "2 materials are identical under different names: 'paint', 'lacquer'",
    ]
    distinct = asset_with([0, 1], [red, Material("blue", base_color_factor=np.zeros(4))])
    assert run(materials, "M004", distinct) == []


def test_material_model():
    mats = [
        Material("gloss", workflow="spec-gloss"),
        Material("flat", unlit=True, workflow="unlit"),
        Material("who", workflow="unknown"),
        Material("unused", workflow="phong"),
        Material("pbr"),
    ]
    asset = asset_with([0, 1, 2, 4], mats)
    assert messages(run(materials, "M005", asset)) == [
        "material 'gloss' is spec-gloss; the target takes metal-rough",
        "material 'flat' is unlit; the target takes metal-rough",
    ]
    assert messages(run(materials, "M005", asset, allowed=["metal-rough", "unlit"])) == [
        "material 'gloss' is spec-gloss; the target takes metal-rough or unlit"
    ]


def test_missing_normal_map():
    asset = asset_with(
        [0, 1, 2], [textured("bare", 0), textured("full", 0, normal=1), Material("plain")]
    )
    assert messages(run(materials, "M006", asset)) == [
        "material 'bare' has a base color texture but no normal map"
    ]
