"""Budget rules (B): each limit just met and just exceeded, with the exact message."""

from __future__ import annotations

import numpy as np

from assetlint.model import Material
from assetlint.rules import budgets
from assetlint.rules.budgets import MB, draw_calls, texture_memory
from tests.rules.pack_assets import (
    box,
    instance,
    make_asset,
    messages,
    run,
    texture,
    textured,
    translation,
    triangles,
    vertices,
)


def test_mesh_triangles_at_and_over_the_limit():
    asset = make_asset(triangles(100, name="rock"))
    assert run(budgets, "B001", asset, max_triangles=100) == []
    [f] = run(budgets, "B001", asset, max_triangles=99)
    assert (f.message, f.subject, f.value, f.limit) == (
        "100 triangles (limit 99 per mesh)",
        "rock",
        100,
        99,
    )


def test_scene_triangles_count_instances():
    asset = make_asset(box())
    instance(asset, 0, translation(x=2))  # the 12-triangle box drawn twice
    assert run(budgets, "B002", asset, max_triangles=24) == []
    assert messages(run(budgets, "B002", asset, max_triangles=23)) == [
        "24 triangles drawn (12 unique, instanced) (limit 23)"
    ]


def test_vertices_against_the_16_bit_index_limit():
    assert run(budgets, "B003", make_asset(vertices(65_535))) == []
    assert messages(run(budgets, "B003", make_asset(vertices(65_536)))) == [
        "65,536 vertices (limit 65,535 per mesh)"
    ]


def test_material_slots_count_faces_without_material_as_one():
    mesh = triangles(4)
    mesh.material_indices = np.array([0, 1, 2, -1], dtype=np.int32)
    asset = make_asset(mesh)
    asset.materials = [Material("a"), Material("b"), Material("c")]
    assert run(budgets, "B004", asset, max_materials=4) == []
    assert messages(run(budgets, "B004", asset, max_materials=3)) == [
        "4 material slots (limit 3 per mesh)"
    ]


def test_draw_calls_are_instances_times_slots():
    mesh = triangles(2)
    mesh.material_indices = np.array([0, 1], dtype=np.int32)
    asset = make_asset(mesh, triangles(0, name="empty"))  # a mesh without faces draws nothing
    instance(asset, 0, translation(x=1))
    instance(asset, 0, translation(x=2))
    assert draw_calls(asset) == 6
    assert run(budgets, "B005", asset, max_draw_calls=6) == []
    assert messages(run(budgets, "B005", asset, max_draw_calls=5)) == [
        "6 draw calls from 3 mesh instances (limit 5)"
    ]


def test_bones_and_influences():
    mesh = triangles(1, name="body")
    mesh.bone_count, mesh.max_influences = 76, 5
    asset = make_asset(mesh)
    assert run(budgets, "B006", asset, max_bones=76) == []
    assert messages(run(budgets, "B006", asset, max_bones=75)) == ["76 bones (limit 75)"]
    assert run(budgets, "B007", asset, max_influences=5) == []
    assert messages(run(budgets, "B007", asset, max_influences=4)) == [
        "up to 5 bone influences per vertex (limit 4)"
    ]


def test_file_size_counts_texture_files_beside_the_asset():
    asset = make_asset(box(), file_size=4 * MB)
    asset.textures = [
        texture("wood", source="file", byte_size=MB),
        texture("packed", byte_size=10 * MB),  # embedded: already in file_size
    ]
    assert run(budgets, "B008", asset, max_mb=5.0) == []
    asset.file_size += 1
    [f] = run(budgets, "B008", asset, max_mb=5.0)
    assert f.message == "5.00 MB (1.00 MB of it in texture files) (limit 5 MB)"
    assert f.value == 5.000001


def test_texture_count_counts_textures_materials_use():
    asset = make_asset(box())
    asset.textures = [texture(f"t{i}") for i in range(5)]  # t4 is used by no material
    asset.materials = [textured("a", 0, normal=1), textured("b", 2, normal=3), textured("c", 0)]
    assert run(budgets, "B009", asset, max_textures=4) == []
    assert messages(run(budgets, "B009", asset, max_textures=3)) == [
        "4 textures used by materials (limit 3)"
    ]


def test_texture_memory_with_mipmaps():
    assert texture_memory(2048, 2048, 4, True) == 2048 * 2048 * 4 * 4 / 3
    asset = make_asset(box())
    asset.textures = [texture("albedo", 2048, 2048), texture("lost", None, None)]
    asset.materials = [textured("m", 0, normal=1)]
    # 2048 x 2048 x 4 bytes x 4/3 = 22.37 MB
    assert run(budgets, "B010", asset, max_mb=22.4) == []
    assert messages(run(budgets, "B010", asset, max_mb=22.3)) == [
        "about 22.4 MB of texture memory at 4 bytes per pixel with mipmaps (limit 22.3 MB; "
        "1 texture(s) of unknown size not counted)"
    ]
    assert run(budgets, "B010", asset, max_mb=22.3, mipmaps=False) == []  # 16.8 MB
