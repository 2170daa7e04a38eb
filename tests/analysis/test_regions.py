"""Clustering one material slot into the materials it looks like."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.analysis.albedo import surface_samples
from assetlint.analysis.regions import _classes, lab, material_parts
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
    assert _classes(colour((205, 205, 208)), None, None) == ("bright neutral", "metal")
    assert _classes(colour((205, 205, 208)), 0.0, 0.3) == ("bright neutral", "white (glossy)")
    assert _classes(colour((120, 120, 120)), 1.0, 0.3) == ("metal", "metal")
    assert _classes(colour((110, 70, 40)), None, None) == ("coloured", "leather or wood")
    assert _classes(colour((180, 40, 35)), 0.0, 0.9) == ("coloured", "painted (rough)")


def test_metal_rubber_and_paint_are_three_materials():
    materials = np.array([colour((205, 205, 208)), colour((40, 40, 42)), colour((180, 40, 35))])
    parts = parts_of(regions(SEEDS, materials))
    assert [p.kind for p in parts] == ["dark rubber", "painted", "metal"]
    assert [p.srgb for p in parts] == [(40, 40, 42), (180, 40, 35), (205, 205, 208)]
    assert sum(p.share for p in parts) == pytest.approx(1.0)
    assert min(p.share for p in parts) > 0.2


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
    assert [p.kind for p in parts_of(regions(SEEDS[:2], two))] == ["dark rubber", "metal"]
