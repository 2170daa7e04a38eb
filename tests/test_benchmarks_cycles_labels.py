"""H002's label in the Cycles set (benchmarks.heuristics_cycles), from planes of light:
the label is physics of the bake, so it is checked on planes whose contrasts are known.
The UV-overlap check that keeps a mesh whose faces share texels out of the bake is
checked on built triangles and on the real meshes the set uses."""

from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import load
from benchmarks.heuristics_cycles import (
    REAL,
    SIZE,
    SPLITS,
    UV_OVERLAP_TOLERANCE,
    occlusion_contrasts,
    occlusion_label,
    uv_overlap,
)

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def planes(crevice: float, key: float, seed: int = 0):
    """Lit, ambient-only, albedo and coverage planes: an island (the rest uncovered, 0)
    whose lower fifth the sky reaches ``crevice`` times as much as the rest, and a key
    light that adds ``key`` times the open sky's irradiance everywhere; 2% noise per
    texel."""
    rng = np.random.default_rng(seed)
    albedo = rng.uniform(0.3, 2.0, (SIZE, SIZE))
    island = np.zeros((SIZE, SIZE), dtype=bool)
    island[20:220, 30:230] = True
    sky = np.ones((SIZE, SIZE))
    sky[180:220] = crevice
    ambient = albedo * sky * rng.normal(1, 0.02, (SIZE, SIZE)) * island
    lit = ambient + albedo * key * island
    return lit, ambient, albedo, island


def test_a_convex_surface_has_no_occlusion_whatever_the_noise():
    ambient_c, visible_c = occlusion_contrasts(*planes(1.0, 0.0))
    assert ambient_c == pytest.approx(1.0, abs=0.01)
    assert visible_c == pytest.approx(1.0, abs=0.01)
    assert occlusion_label(ambient_c, visible_c) is False


def test_a_crevice_the_sky_reaches_half_as_much():
    ambient_c, visible_c = occlusion_contrasts(*planes(0.5, 0.0))
    assert ambient_c == pytest.approx(2.0, rel=0.01)
    assert visible_c == pytest.approx(2.0, rel=0.01)
    assert occlusion_label(ambient_c, visible_c) is True


def test_a_key_light_much_stronger_than_the_sky_drowns_the_occlusion():
    # were the sky not occluded, the crevice would get 9 + 1 instead of 9 + 0.5
    ambient_c, visible_c = occlusion_contrasts(*planes(0.5, 9.0))
    assert ambient_c == pytest.approx(2.0, rel=0.01)
    assert visible_c == pytest.approx(10 / 9.5, rel=0.01)
    assert occlusion_label(ambient_c, visible_c) is False
    # as strong as the sky: (1 + 1) / (1 + 0.5)
    ambient_c, visible_c = occlusion_contrasts(*planes(0.5, 1.0))
    assert visible_c == pytest.approx(2 / 1.5, rel=0.01)
    assert occlusion_label(ambient_c, visible_c) is True


def test_between_the_two_levels_is_not_scored():
    ambient_c, visible_c = occlusion_contrasts(*planes(1 / 1.18, 0.0))
    assert ambient_c == pytest.approx(1.18, rel=0.01)
    assert occlusion_label(ambient_c, visible_c) is None


def test_a_crevice_the_sky_never_reaches_counts():
    # 0 in the bake, yet covered by the island: the darkest crevice, not a gap
    lit, ambient, albedo, island = planes(0.0, 1.0)
    ambient_c, visible_c = occlusion_contrasts(lit, ambient, albedo, island)
    assert ambient_c > 100
    assert visible_c == pytest.approx(2.0, rel=0.01)
    assert occlusion_label(ambient_c, visible_c) is True


def test_nothing_covered_is_not_labelled():
    # no window whole inside an island: nothing read, neither True nor False
    empty = np.zeros((SIZE, SIZE))
    covered = np.zeros((SIZE, SIZE), dtype=bool)
    contrasts = occlusion_contrasts(empty, empty, np.ones((SIZE, SIZE)), covered)
    assert np.isnan(contrasts).all()
    assert occlusion_label(*contrasts) is None


QUAD = np.array([[[0.1, 0.1], [0.9, 0.1], [0.9, 0.9]], [[0.1, 0.1], [0.9, 0.9], [0.1, 0.9]]])


def test_faces_that_only_share_an_edge_do_not_overlap():
    # the diagonal runs through texel centres: a centre on it belongs to neither face
    assert uv_overlap(QUAD) == 0.0
    # nor when the shared edge is axis-aligned and on texel centres
    row = (np.round(0.5 * SIZE) + 0.5) / SIZE
    halves = np.array([[[0.1, 0.1], [0.9, 0.1], [0.9, row]], [[0.1, 0.1], [0.9, row], [0.1, row]]])
    halves = np.concatenate([halves, halves + [0, row - 0.1]])
    assert uv_overlap(halves) == 0.0


def test_mirrored_and_repeated_faces_overlap_wholly():
    # a tube's two walls, a mirrored half: the same texels, either winding
    assert uv_overlap(np.concatenate([QUAD, QUAD[:, ::-1]])) == 1.0
    # a copy one texture further on lands on the same texels: UVs wrap
    assert uv_overlap(np.concatenate([QUAD, QUAD + [1.0, 0.0]])) == 1.0


def test_half_overlapping_squares():
    # two 0.4-wide squares shifted by 0.2: 0.2 x 0.4 shared of 0.6 x 0.4 covered
    square = QUAD * 0.5
    share = uv_overlap(np.concatenate([square, square + [0.2, 0.0]]))
    assert share == pytest.approx(1 / 3, abs=0.01)


def test_degenerate_and_empty_input():
    assert uv_overlap(np.zeros((0, 3, 2))) == 0.0
    assert uv_overlap(np.array([[[0.2, 0.2], [0.5, 0.5], [0.8, 0.8]]])) == 0.0


def uv_triangles(path: Path) -> np.ndarray:
    asset = load(path)
    return np.concatenate([m.uvs[0][m.triangles] for m in asset.meshes if m.uvs])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_the_real_meshes_whose_own_uvs_overlap():
    # the tube's inner and outer walls share one strip; the Duck's halves are mirrored;
    # the milk truck's wheels share one; the Fox is laid out once
    assert uv_overlap(uv_triangles(CORPUS / "meshes/tube.obj")) == 1.0
    assert uv_overlap(uv_triangles(CORPUS / "gltf-samples/Duck/Duck.glb")) > 0.9
    truck = uv_overlap(uv_triangles(CORPUS / "gltf-samples/CesiumMilkTruck/CesiumMilkTruck.glb"))
    assert truck > 0.2
    assert uv_overlap(uv_triangles(CORPUS / "gltf-samples/Fox/Fox.glb")) < UV_OVERLAP_TOLERANCE


def test_the_splits_share_no_mesh_and_no_seed():
    meshes = [kind for kinds, _ in SPLITS.values() for kind in kinds]
    assert len(meshes) == len(set(meshes))
    assert len({seed for _, seed in SPLITS.values()}) == len(SPLITS)
    assert set(SPLITS) == {"tuning", "tuning2", "scoring", "holdout"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_the_held_out_real_meshes():
    # every real mesh is in ../shared; the held-out teapot and Cesium Man are baked on
    # their own UVs, the Damaged Helmet's overlap and it is smart-projected afresh
    assert all((CORPUS / path).is_file() for path in REAL.values())
    assert uv_overlap(uv_triangles(CORPUS / REAL["teapot"])) == 0.0
    assert uv_overlap(uv_triangles(CORPUS / REAL["man"])) == 0.0
    assert uv_overlap(uv_triangles(CORPUS / REAL["helmet"])) > 0.9
