"""Clustering one material slot into the materials it looks like."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.analysis.albedo import surface_samples
from assetlint.analysis.regions import _classes, grain_floor, lab, material_parts
from tests.analysis.builders import (
    Shape,
    colour,
    noise,
    regions,
    sphere_patch,
    textured_asset,
    uniform,
)

SEEDS = np.array([[1.0, 0.2, 0.1], [-0.6, 0.7, -0.2], [0.0, -0.8, 0.6]])


def parts_of(paint):
    asset = textured_asset(Shape().add(sphere_patch(), res=(96, 48), flip=True), paint)
    samples = surface_samples(asset)
    return material_parts(samples, np.arange(samples.count))


def test_cielab_of_reference_colours():
    white, black, red = lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    assert white == pytest.approx([100, 0, 0], abs=0.02)
    assert black == pytest.approx([0, 0, 0], abs=1e-9)
    assert red == pytest.approx([53.24, 80.09, 67.20], abs=0.05)  # sRGB red, D65


def test_broad_classes():
    assert _classes(colour((40, 40, 42)), None, None) == ("dark neutral", "dark rubber")
    # a bright grey is white paint as much as metal: only the metallic value names metal
    assert _classes(colour((205, 205, 208)), None, None) == ("bright neutral", "white")
    assert _classes(colour((205, 205, 208)), 0.0, 0.3) == ("bright neutral", "white (glossy)")
    assert _classes(colour((120, 120, 120)), 1.0, 0.3) == ("metal", "metal")
    assert _classes(colour((110, 70, 40)), None, None) == ("coloured", "leather or wood")
    assert _classes(colour((180, 40, 35)), 0.0, 0.9) == ("coloured", "painted (rough)")


def test_bright_dark_and_red_regions_alone_are_one_material():
    # the colours of metal, rubber and paint, but nothing else tells them apart: paint
    materials = np.array([colour((205, 205, 208)), colour((40, 40, 42)), colour((180, 40, 35))])
    (part,) = parts_of(regions(SEEDS, materials))
    assert part.share == 1.0


def grained(paint, amplitude: np.ndarray, frequency: float = 300.0):
    """``paint`` with fine noise of ``amplitude[i]`` in the region around SEEDS[i]."""

    def fn(p, n):
        d = ((p[:, None, :] - SEEDS[None]) ** 2).sum(-1).argmin(axis=1)
        return paint(p, n) * (1 + amplitude[d] * noise(p, frequency, 3))[:, None]

    return fn


def _parts_of(materials: np.ndarray, amplitude: np.ndarray) -> list:
    """The material parts of a textured sphere painted in three grained regions."""
    from assetlint.analysis.sides import texture_values

    paint = grained(regions(SEEDS, materials), amplitude)
    asset = textured_asset(Shape().add(sphere_patch(), res=(96, 48), flip=True), paint, size=512)
    samples = surface_samples(asset)
    grain = np.abs(texture_values(asset, samples.texture, samples.uv, 0))
    return material_parts(samples, np.arange(samples.count), grain=grain)


def test_regions_of_different_grain_are_different_materials():
    materials = np.array([colour((205, 205, 208)), colour((40, 40, 42)), colour((180, 40, 35))])
    parts = _parts_of(materials, np.array([0.02, 0.02, 0.15]))
    # the red's grain is 4x the white's; the dark region's is below the floor, so it can
    # join either but not bridge them
    assert len(parts) == 2
    assert "white" in [p.kind for p in parts]


def test_flat_paint_has_no_grain_to_compare():
    # a flat white (hand-painted, or clipped) beside a grained red: no evidence
    materials = np.array([colour((255, 255, 255)), colour((255, 255, 255)), colour((180, 40, 35))])
    assert len(_parts_of(materials, np.array([0.0, 0.0, 0.15]))) == 1


def test_rounding_in_the_dark_is_no_grain():
    # a dark paint with a faint texture beside smooth light paints (the TripoSR chibi's
    # hair and clothes, baked): the light paints' rounding noise, 0.5 of an sRGB code,
    # is 0.007 in log luminance, the dark's faint texture 5x that; below the floor of
    # its level (0.75 codes) a paint has no grain to compare, so this is one material
    materials = np.array([colour((55, 56, 60)), colour((186, 123, 177)), colour((190, 95, 103))])
    assert len(_parts_of(materials, np.array([0.07, 0.0, 0.0]))) == 1
    # one sRGB code is a 2.5x larger step of log luminance at sRGB 55 than at 200
    assert grain_floor((55, 56, 60)) == pytest.approx(0.75 * 0.0274, rel=0.02)
    assert grain_floor((200, 200, 200)) == pytest.approx(0.75 * 0.0110, rel=0.02)
    assert grain_floor((255, 255, 255)) == pytest.approx(0.75 * 0.0088, rel=0.02)


def test_paint_of_three_colours_is_one_material():
    paints = np.array([colour((180, 40, 35)), colour((40, 120, 170)), colour((70, 150, 60))])
    (part,) = parts_of(regions(SEEDS, paints))
    assert part.share == 1.0
    assert part.kind == "painted"


def test_speckled_colours_are_not_separate_materials():
    # two colours mixed at random over the surface: no patches, one material
    def paint(p, n):
        pick = noise(p, 400.0, 4) > 0
        return np.where(pick[:, None], colour((205, 205, 208)), colour((40, 40, 42)))

    assert len(parts_of(paint)) == 1


def test_too_few_samples_give_no_parts():
    asset = textured_asset(
        Shape().add(sphere_patch(), res=(8, 4), flip=True), lambda p, n: np.full((len(p), 3), 0.3)
    )
    samples = surface_samples(asset)
    assert material_parts(samples, np.arange(299)) == []


@pytest.mark.filterwarnings("error")  # k-means++ on too few distinct colours divides by 0
def test_fewer_distinct_colours_than_clusters():
    assert len(parts_of(uniform(colour((120, 90, 60))))) <= 1
    two = np.array([colour((205, 205, 208)), colour((40, 40, 42))])
    assert len(parts_of(regions(SEEDS[:2], two))) == 1
