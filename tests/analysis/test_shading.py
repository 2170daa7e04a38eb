"""The luminance regression that finds a light (and occlusion) baked into an albedo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint.analysis.albedo import surface_samples
from assetlint.analysis.shading import (
    _valleys,
    colour_groups,
    fit_shading,
    group_samples,
    neighbour_pairs,
)
from assetlint.model import Asset, Mesh, single_node_scene
from tests.analysis.builders import (
    Shape,
    box_patches,
    colour,
    regions,
    sphere_patch,
    textured_asset,
    tiles,
    uniform,
)

RED = colour((170, 60, 50))


def sphere_asset(paint):
    return textured_asset(Shape().add(sphere_patch(), res=(96, 48), flip=True), paint)


def degrees(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(b), -1, 1))))


def test_albedo_half_plus_point_three_n_dot_d_gives_d_and_strength_point_six():
    d = np.array([-1.0, 2.0, 1.5]) / np.linalg.norm([-1.0, 2.0, 1.5])
    asset = sphere_asset(lambda p, n: np.outer(0.5 + 0.3 * (n @ d), np.ones(3)))
    fit = fit_shading(surface_samples(asset))
    assert degrees(fit.direction, d) < 2
    assert fit.strength == pytest.approx(0.6, abs=0.01)
    assert fit.explained > 0.99
    assert fit.groups == 1
    # between neighbours the relative slope is 0.3 / (0.5 + 0.3 n.d): 0.375 on the lit
    # side, more in the shade; the robust local fit leans to the lit side
    assert 0.3 < fit.local_strength < 0.6
    assert fit.local_angle < 10


def test_lambert_key_light_over_a_dim_sky_is_fitted_on_its_lit_side():
    # a hard key light, max(0, n.d), over a sky a tenth as bright: the half turned away
    # is flat, and a robust fit over the whole sphere took it for the rule (strength
    # 0.09 on a Cycles bake of this); on the lit side luminance is 0.1 + 0.9 n.d
    d = np.array([0.6, 0.7, -0.4]) / np.linalg.norm([0.6, 0.7, -0.4])
    asset = sphere_asset(lambda p, n: np.outer(0.08 + 0.72 * np.maximum(n @ d, 0), np.ones(3)))
    fit = fit_shading(surface_samples(asset))
    assert degrees(fit.direction, d) < 3
    assert fit.strength == pytest.approx(9.0, rel=0.15)
    assert fit.explained > 0.95
    assert fit.tint < 0.01  # a white light leaves the hue alone


@pytest.mark.parametrize("light", ["lambert", "half-lambert"])
def test_box_light_direction_comes_from_every_face_not_the_lit_half(light):
    # the three faces of a box turned to a light hold three normals: a refit on them
    # alone fits them exactly (explained 1.0) in a direction 130 degrees off; judged on
    # the same samples (all six faces) the fit over the whole box is kept
    d = np.array([0.3, 0.8, 0.5]) / np.linalg.norm([0.3, 0.8, 0.5])
    shade = {"lambert": lambda c: 0.2 + np.maximum(c, 0), "half-lambert": lambda c: (1 + c) ** 2}
    shape = Shape()
    for (fn, flip), rect in zip(box_patches((0.5, 0.4, 0.3)), tiles(6), strict=True):
        shape.add(fn, rect=rect, res=(8, 8), flip=flip)
    asset = textured_asset(shape, lambda p, n: np.outer(0.1 * shade[light](n @ d), np.ones(3)))
    fit = fit_shading(surface_samples(asset))
    assert degrees(fit.direction, d) < 3


def test_cast_shadow_on_the_lit_side_is_modelled_by_the_visibility_given():
    # a key light max(0, n.d) whose light a neighbouring part blocks from a band of the
    # lit side (as a bowl's rim shades its inside): that band is as dark as the side
    # turned away, and read as facing the light it drags the fit off the light
    d = np.array([0.6, 0.7, -0.4]) / np.linalg.norm([0.6, 0.7, -0.4])
    band = np.array([0.0, 0.0, 1.0])

    def shaded(p, n):
        lit = np.maximum(n @ d, 0) * (np.abs(n @ band) > 0.35)
        return np.outer(0.08 + 0.72 * lit, np.ones(3))

    samples = surface_samples(sphere_asset(shaded))

    def visible(direction: np.ndarray) -> np.ndarray:
        # a shadow ray's answer: the band is shadowed only for a light from about d
        return (np.abs(samples.shading_normals @ band) > 0.35) | (direction @ d < 0.9)

    blind = fit_shading(samples)
    fit = fit_shading(samples, visible=visible)
    assert degrees(fit.direction, d) < 3 < degrees(blind.direction, d)
    assert fit.explained > 0.95


def test_clipped_channels_do_not_inflate_the_tint():
    # a hard, slightly warm sun over a dim bluish sky, so strong that the lit side clips
    # at 1: the hue shifts a little along the light (warm sun, cool sky), and luminance
    # that stops rising at the clip made that shift look large against it (0.65 when
    # the luminance's slope took every sample and the hue's only the unclipped ones)
    d = np.array([0.0, 0.6, 0.8])
    sky, sun = np.array([0.08, 0.09, 0.12]), np.array([4.4, 4.0, 3.4])
    asset = sphere_asset(
        lambda p, n: np.minimum(0.6 * (sky + np.outer(np.maximum(n @ d, 0), sun)), 1.0)
    )
    fit = fit_shading(surface_samples(asset))
    assert degrees(fit.direction, d) < 3
    assert fit.tint < 0.1


def test_paint_graded_from_one_hue_to_another_has_a_tint():
    # pink below, teal above, darker towards the bottom: luminance follows the normal,
    # but so does the hue, as no white light makes it (the ufbx Maya slime)
    pink, teal = colour((200, 40, 190)), colour((80, 190, 160))

    def graded(p, n):
        t = (n[:, 1:2] + 1) / 2
        return (1 - t) * pink + t * teal

    fit = fit_shading(surface_samples(sphere_asset(graded)))
    assert fit.strength > 0.2
    assert fit.tint > 0.8  # heuristics.TINT_MAX


def test_uniform_colour_has_no_light():
    fit = fit_shading(surface_samples(sphere_asset(uniform(RED))))
    assert fit.strength < 1e-9
    assert fit.explained == 0.0
    assert fit.local_strength < 1e-9


def test_region_colours_are_separate_groups_with_no_light():
    seeds = np.array([[0.5, 0.0, 0.0], [-0.25, 0.43, 0.0], [-0.25, -0.43, 0.0]])
    hues = np.array([colour(c) for c in ((170, 60, 50), (50, 140, 60), (60, 80, 170))])
    samples = surface_samples(sphere_asset(regions(seeds, hues)))
    group, usable = colour_groups(samples)
    assert len(np.unique(group[usable])) == 3
    assert usable.mean() > 0.97  # only blends along the borders are left out
    fit = fit_shading(samples)
    assert fit.groups == 3
    assert fit.strength < 0.01  # 8-bit rounding and the blends along borders


def test_light_on_one_of_several_colours_is_measured_within_colours():
    d = np.array([0.0, 1.0, 0.0])
    hues = np.array([colour(c) for c in ((170, 60, 50), (50, 140, 60))])
    paint = regions(np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]), hues)
    asset = sphere_asset(lambda p, n: paint(p, n) * (1 + 0.4 * (n @ d))[:, None])
    fit = fit_shading(surface_samples(asset))
    assert fit.groups == 2
    assert degrees(fit.direction, d) < 3
    assert fit.strength == pytest.approx(0.4, abs=0.02)


def test_excluded_samples_do_not_take_part():
    samples = surface_samples(sphere_asset(uniform(RED)))
    everything = np.ones(samples.count, dtype=bool)
    assert fit_shading(samples, grouping=group_samples(samples, everything)) is None
    half = samples.positions[:, 0] > 0
    fit = fit_shading(samples, grouping=group_samples(samples, half))
    assert fit.samples == samples.count - half.sum()


def test_valleys_cut_once_between_modes():
    rng = np.random.default_rng(3)
    two = np.concatenate([rng.normal(0, 0.1, 1000), rng.normal(1, 0.1, 1000)])
    (cut,) = _valleys(two)
    assert cut == pytest.approx(0.5, abs=0.05)
    three = np.concatenate([rng.normal(c, 0.05, 1000) for c in (0.0, 0.5, 1.0)])
    assert _valleys(three) == pytest.approx([0.25, 0.75], abs=0.03)
    assert _valleys(rng.normal(0, 0.3, 2000)) == []
    assert _valleys(two[:50]) == []


def _brute_pairs(points: np.ndarray, radius: float) -> set[tuple[int, int]]:
    d = np.linalg.norm(points[:, None] - points[None], axis=2)
    i, j = np.nonzero(np.triu(d < radius, 1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_neighbour_pairs_are_every_pair_within_the_radius_of_the_expected_count():
    samples = surface_samples(sphere_asset(uniform(RED)))
    among, neighbours = 2048, 8
    i, j = neighbour_pairs(samples, np.ones(samples.count, dtype=bool), among, neighbours)
    assert (i < j).all() and j.max() < among
    radius = np.sqrt(neighbours * samples.area / (np.pi * among))
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == _brute_pairs(
        samples.positions[:among], radius
    )
    # about `neighbours` per sample, each pair counted once
    assert len(i) == pytest.approx(among * neighbours / 2, rel=0.15)


def test_neighbour_pairs_keep_only_usable_samples():
    samples = surface_samples(sphere_asset(uniform(RED)))
    usable = np.zeros(samples.count, dtype=bool)
    usable[::3] = True
    i, j = neighbour_pairs(samples, usable, 3000)
    assert usable[i].all() and usable[j].all() and len(i) > 0


def test_neighbour_pairs_on_surface_folded_in_layers_are_bounded_by_nearest_neighbours():
    # 200 layers of one square 1e-6 apart (triangle soup stacked on itself): a ball of the
    # pairing radius holds every layer, which would be 200x the expected pairs
    layers = 200
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float64)
    positions = np.concatenate([square + [0, 0, 1e-6 * k] for k in range(layers)])
    quads = np.arange(layers)[:, None] * 4 + np.array([[0, 1, 2], [0, 2, 3]])[:, None, :]
    mesh = Mesh("soup", positions, quads.reshape(-1, 3))
    asset = Asset(path=Path("soup.glb"), format="glb", file_size=0, meshes=[mesh])
    single_node_scene(asset)
    samples = surface_samples(asset)
    i, j = neighbour_pairs(samples, np.ones(samples.count, dtype=bool), 4096, 8)
    assert len(i) <= 4096 * 8
    assert (i < j).all()
