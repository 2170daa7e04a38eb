"""H002's label in the Cycles set (benchmarks.heuristics_cycles), from planes of light:
the label is physics of the bake, so it is checked on planes whose contrasts are known."""

import numpy as np
import pytest

from benchmarks.heuristics_cycles import SIZE, occlusion_contrasts, occlusion_label


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


def test_nothing_covered_is_no_occlusion():
    empty = np.zeros((SIZE, SIZE))
    covered = np.zeros((SIZE, SIZE), dtype=bool)
    assert occlusion_contrasts(empty, empty, np.ones((SIZE, SIZE)), covered) == (1.0, 1.0)
