"""Severity that follows the destination: what one engine accepts another refuses, and
what a viewer never shows is no warning for it. Real files from the shared corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint import targets as target_packs
from assetlint.engine import Engine
from assetlint.loaders import load
from assetlint.model import Mesh
from tests.rules.meshes import asset_of

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
HELMET = CORPUS / "gltf-samples" / "DamagedHelmet" / "DamagedHelmet.gltf"
TEAPOT = CORPUS / "meshes" / "teapot.stl"
CHIBI = CORPUS / "generated-real" / "triposr_anik81-chibi-boy" / "output_model.glb"
shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def findings(engine: Engine, asset, target: str, code: str):
    chosen = target_packs.resolve([target], engine)
    return [f for f in target_packs.run_targets(engine, asset, chosen) if f.code == code]


@shared
def test_helmet_open_edges_are_by_design_for_games_and_holes_for_print(engine):
    """DamagedHelmet's 83 open loops sit under its own plates: no see-through patch larger
    than 0.18% of a view's silhouette, so information for game and web targets; a print
    still needs them closed."""
    asset = load(HELMET)
    for target in ("unity", "roblox", "web"):
        (hole,) = findings(engine, asset, target, "G003")
        assert hole.severity == "info", target
        assert hole.message.endswith(
            "; not visible from outside: largest see-through patch 0.18% of the silhouette "
            "(visible from 1%)"
        )
        assert hole.count == 83
    (hole,) = findings(engine, asset, "print", "G003")
    assert hole.severity == "error" and "visible" not in hole.message


@shared
def test_pinholes_of_a_generator_output_are_not_visible(engine):
    (hole,) = findings(engine, load(CHIBI), "web", "G003")
    assert (hole.severity, hole.count) == ("info", 18)
    assert "largest see-through patch 0.02%" in hole.message


@shared
def test_teapot_open_spout_and_lid_are_visible(engine):
    (hole,) = findings(engine, load(TEAPOT), "game", "G003")
    assert hole.severity == "warning" and hole.count == 6
    assert hole.message.endswith(
        "; visible: see-through patch 5.0% of the front view's silhouette (limit 1%)"
    )


def test_double_sided_sheet_shows_no_hole(engine):
    """A single quad seen from behind is a visible hole unless its material is drawn from
    both sides (a leaf card)."""
    from assetlint.model import Material

    pos = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float32)
    tris = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int32)
    asset = asset_of((pos, tris))
    asset.meshes[0].material_indices[:] = 0
    asset.materials.append(Material("leaf"))
    (one_sided,) = findings(engine, asset, "web", "G003")
    assert one_sided.severity == "warning"
    asset.materials[0].double_sided = True
    asset.meshes[0].cache.clear()
    (two_sided,) = findings(engine, asset, "web", "G003")
    assert two_sided.severity == "info"


def test_unity_imports_large_meshes_with_32_bit_indices(engine):
    """ModelImporter.indexFormat is Auto in Unity: over 65,535 vertices is information
    there, and stays a warning for mobile GPUs without 32-bit indices."""
    n = 70_000
    # small separate triangles in a row: many vertices, nothing for the other rules to chew
    i = np.arange(n)
    pos = np.stack([i * 1e-3, (i % 3) * 1e-3, np.zeros(n)], axis=1).astype(np.float32)
    tris = np.arange(n - n % 3, dtype=np.int32).reshape(-1, 3)
    asset = asset_of((pos, tris))
    asset.meshes = [Mesh("big", pos, tris)]
    (unity,) = findings(engine, asset, "unity", "B003")
    assert unity.severity == "info"
    assert unity.message == "70,000 vertices (limit 65,535 per mesh)"
    (mobile,) = findings(engine, asset, "game-mobile", "B003")
    assert mobile.severity == "warning"


def obj_with_missing_mtl(folder: Path) -> Path:
    path = folder / "lamp.obj"
    path.write_text(
        "mtllib gone.mtl\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0 0 1\n"
        "usemtl Material.001\nf 1 2 3\nf 1 3 4\nf 1 2 5\nf 2 3 5\nf 3 4 5\nf 4 1 5\n"
    )
    return path


def test_placeholder_material_of_a_missing_mtl_is_judged_by_no_rule(engine, tmp_path):
    asset = load(obj_with_missing_mtl(tmp_path))
    assert [m.placeholder for m in asset.materials] == [True]
    for target in ("unity", "web", "print"):
        chosen = target_packs.resolve([target], engine)
        codes = {f.code for f in target_packs.run_targets(engine, asset, chosen)}
        assert not codes & {"M001", "M002", "M003", "M004", "M005", "M006", "H004"}, target
        assert "L002" in codes


@shared
@pytest.mark.parametrize("name", ["jacked.obj", "polygonfaces.obj", "tube.obj"])
def test_real_objs_whose_mtl_is_missing_get_no_material_findings(engine, name):
    """Before, the white placeholder drew H004 (100% brighter than sRGB 240) and M003."""
    asset = load(CORPUS / "meshes" / name)
    assert all(m.placeholder for m in asset.materials)
    chosen = target_packs.resolve(["web"], engine)
    codes = {f.code for f in target_packs.run_targets(engine, asset, chosen)}
    assert codes & {"H004", "M003", "M004", "M005"} == set()
    assert "L002" in codes


def test_a_material_index_past_the_list_does_not_break_the_hole_views(engine):
    pos = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float32)
    tris = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int32)
    asset = asset_of((pos, tris))
    asset.meshes[0].material_indices[:] = 7  # no material 7: M002 reports it
    (hole,) = findings(engine, asset, "web", "G003")
    assert hole.severity == "warning"
