"""Ambient occlusion by ray casting: open surface, a corner, the inside of a closed shell,
the simplified proxy of a large mesh, and the cast the rules share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint.analysis.albedo import surface_samples
from assetlint.analysis.occlusion import (
    PROXY_TRIANGLES,
    ambient_occlusion,
    hemisphere,
    occluder,
    shared_occlusion,
)
from tests.analysis.builders import Shape, colour, sphere_patch, textured_asset, uniform

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

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


def test_occlusion_strength_is_read_at_the_light_the_surface_receives():
    # a key light and no fill: half the sphere gets max(0, n . d) and the other half
    # none. The fit's intercept is the level where every light term is 0, which on the
    # lit half no normal has (read there, the darkening came out 2.0, not 0.5); the open
    # surface's level under the mean light gives the darkening painted
    from assetlint.analysis.occlusion import irradiance_terms
    from assetlint.analysis.shading import fit_occlusion

    def fake(p):
        return np.clip(0.5 + 0.5 * np.sin(9 * p[:, 0]) * np.cos(7 * p[:, 2]), 0, 1)

    def paint(p, n):
        return GREY * (np.maximum(n[:, 1], 0) * (1 - 0.5 * fake(p)))[:, None]

    shape = Shape().add(sphere_patch(), res=(96, 48), flip=True)
    samples = surface_samples(textured_asset(shape, paint))
    light = irradiance_terms(samples.shading_normals)
    fit = fit_occlusion(samples, fake(samples.positions[:4096]), light=light)
    assert fit.strength == pytest.approx(0.5, abs=0.02)


def test_hemisphere_is_cosine_weighted_and_stratified():
    rays = hemisphere(64)
    assert np.allclose(np.linalg.norm(rays, axis=1), 1) and (rays[:, 2] > 0).all()
    # r^2 = 1 - z^2, uniform for cosine-weighted directions, one ray per 1/64
    assert np.allclose(np.sort(1 - rays[:, 2] ** 2), (np.arange(64) + 0.5) / 64)


def test_shared_cast_answers_as_separate_casts_in_any_order():
    asset = floor_and_wall()
    samples = surface_samples(asset)
    n = 2000
    points, normals = samples.positions[:n], samples.normals[:n]
    asks = [(1.0, 16), (1.0, 64), (3.0, 16), (0.5, 64)]
    alone = [ambient_occlusion(asset, points, normals, r, k) for r, k in asks]
    assert 0.1 < alone[2].mean() < 0.4  # the corner is seen from part of the floor
    for order in (asks, asks[::-1]):
        fresh = floor_and_wall()  # a new asset: a new cast
        shared = {a: shared_occlusion(fresh, surface_samples(fresh), n, *a) for a in order}
        for ask, expected in zip(asks, alone, strict=True):
            assert np.array_equal(shared[ask], expected), ask


def test_nothing_is_cast_where_no_geometry_is_above_a_point(monkeypatch):
    """A convex object occludes none of its own surface: its points are answered without
    a ray (exactly 0), and a point whose plane has geometry above it still gets rays."""
    box = Shape()
    for origin, u, v in [
        ((0, 0, 0), (1, 0, 0), (0, 0, 1)),  # bottom, facing -Y (normal u x v)
        ((0, 1, 0), (0, 0, 1), (1, 0, 0)),  # top, facing +Y
        ((0, 0, 0), (0, 1, 0), (1, 0, 0)),  # facing -Z
        ((0, 0, 1), (1, 0, 0), (0, 1, 0)),  # facing +Z
        ((0, 0, 0), (0, 0, 1), (0, 1, 0)),  # facing -X
        ((1, 0, 0), (0, 1, 0), (0, 0, 1)),  # facing +X
    ]:
        box.add(plane(origin, u, v), res=(3, 3))
    asset = textured_asset(box, uniform(GREY))
    samples = surface_samples(asset)
    outward = np.einsum("ij,ij->i", samples.normals, samples.positions - 0.5)
    assert (outward > 0).all()  # the builder's faces look out
    # from inside the box, every ray hits a wall
    inside = ambient_occlusion(asset, np.full((5, 3), 0.5), np.tile([0, 1.0, 0], (5, 1)), 10.0)
    assert inside.min() == 1.0

    class NoRays:
        def run(self, *args, **kwargs):
            raise AssertionError("a ray was cast")

    monkeypatch.setattr(occluder(asset), "scene", NoRays())
    occ = shared_occlusion(asset, samples, 4096, 10.0, 64)
    assert occ.shape == (4096,) and occ.max() == 0.0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_real_files_the_shared_cast_keeps_the_16_ray_answer():
    """The Damaged Helmet (crevices everywhere) and the textured box (convex, all culled):
    the 16-ray estimates the light fit and the side comparison read are the same as from
    casts of their own, and the 64-ray one of H002 agrees with a cast of its own."""
    from assetlint.loaders import load

    helmet = load(CORPUS / "gltf-samples" / "DamagedHelmet" / "DamagedHelmet.gltf")
    samples = surface_samples(helmet)
    n, size = 4096, samples.diagonal
    points, normals = samples.positions[:n], samples.normals[:n]
    for fraction, rays in [(0.2, 16), (0.2, 64), (0.5, 16)]:
        shared = shared_occlusion(helmet, samples, n, fraction * size, rays)
        alone = ambient_occlusion(helmet, points, normals, fraction * size, rays)
        assert np.array_equal(shared, alone)
    assert shared.mean() == pytest.approx(0.406, abs=0.005)
    box = load(CORPUS / "gltf-samples" / "BoxTextured" / "BoxTextured.glb")
    samples = surface_samples(box)
    assert shared_occlusion(box, samples, n, 0.5 * samples.diagonal, 64).max() == 0.0
