"""Ambient occlusion by ray casting: open surface, a corner, the inside of a closed shell,
and the simplified proxy of a large mesh."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.analysis.occlusion import PROXY_TRIANGLES, ambient_occlusion, occluder
from tests.analysis.builders import Shape, colour, sphere_patch, textured_asset, uniform

GREY = colour((128, 128, 128))


def plane(origin, u, v):
    """A parallelogram patch origin + s u + t v."""
    o, u, v = (np.asarray(x, dtype=np.float64) for x in (origin, u, v))
    return lambda s, t: o + np.asarray(s)[..., None] * u + np.asarray(t)[..., None] * v


def floor_and_wall():
    """A 4 x 4 m floor at y = 0 and a 4 m wall standing on it at x = 0 (facing +X)."""
    shape = Shape()
    shape.add(plane((0, 0, -2), (0, 0, 4), (4, 0, 0)), res=(4, 4))  # normal +Y
    shape.add(plane((0, 0, -2), (0, 4, 0), (0, 0, 4)), res=(4, 4))  # normal +X
    return textured_asset(shape, uniform(GREY))


def test_open_floor_is_unoccluded_and_a_corner_half():
    asset = floor_and_wall()
    rng = np.random.default_rng(0)
    far = np.column_stack([rng.uniform(3, 3.9, 200), np.zeros(200), rng.uniform(-1, 1, 200)])
    up = np.tile([0.0, 1.0, 0.0], (200, 1))
    assert ambient_occlusion(asset, far, up, radius=0.5).max() == 0.0
    # at the foot of the wall half the hemisphere (x < 0) is the wall
    foot = far * [0, 0, 1] + [0.001, 0, 0]
    occ = ambient_occlusion(asset, foot, up, radius=3.0)
    assert occ.mean() == pytest.approx(0.5, abs=0.03)
    assert occ.min() >= 6 / 16 and occ.max() <= 10 / 16


def test_inside_a_closed_sphere_everything_is_occluded():
    asset = textured_asset(Shape().add(sphere_patch(), res=(48, 24), flip=True), uniform(GREY))
    rng = np.random.default_rng(1)
    d = rng.normal(size=(100, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    assert ambient_occlusion(asset, 0.49 * d, -d, radius=2.0).min() == 1.0
    assert ambient_occlusion(asset, 0.5 * d, d, radius=2.0).max() == 0.0
    assert occluder(asset).cell == 0.0  # small: the exact triangles


def test_large_mesh_is_simplified_without_changing_the_answer():
    big = Shape().add(sphere_patch(), res=(200, 180), flip=True)
    asset = textured_asset(big, uniform(GREY), size=16)
    assert asset.meshes[0].triangle_count > PROXY_TRIANGLES
    occ = occluder(asset)
    assert 0 < occ.triangles <= PROXY_TRIANGLES
    assert 0 < occ.cell < 0.02
    rng = np.random.default_rng(2)
    d = rng.normal(size=(100, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    assert ambient_occlusion(asset, 0.5 * d, d, radius=2.0).max() == 0.0
    assert ambient_occlusion(asset, 0.49 * d, -d, radius=2.0).min() == 1.0


def test_fit_recovers_painted_occlusion_beside_a_light():
    from assetlint.analysis.albedo import surface_samples
    from assetlint.analysis.shading import fit_occlusion

    def fake(p):  # an "occlusion" field that is not a function of the normal alone
        return np.clip(0.5 + 0.5 * np.sin(9 * p[:, 0]) * np.cos(7 * p[:, 2]), 0, 1)

    def paint(p, n):
        light = 1 + 0.5 * n[:, 1]
        return GREY * (light * (1 - 0.5 * fake(p)))[:, None]

    shape = Shape().add(sphere_patch(), res=(96, 48), flip=True)
    samples = surface_samples(textured_asset(shape, paint))
    fit = fit_occlusion(samples, fake(samples.positions[:4096]))
    assert fit.samples == 4096 and fit.groups == 1
    assert fit.strength == pytest.approx(0.5, abs=0.03)
    assert fit.partial > 0.9  # not all: the light multiplies, the fit adds
    noise = np.random.default_rng(3).random(4096)  # occlusion unrelated to the paint
    unrelated = fit_occlusion(samples, noise)
    assert abs(unrelated.strength) < 0.05 and unrelated.partial < 0.005
