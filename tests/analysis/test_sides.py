"""Front against back: detail per half, triangle density, and mirror symmetry."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.analysis.albedo import surface_samples
from assetlint.analysis.sides import mirror_symmetry, side_detail
from tests.analysis.builders import (
    Shape,
    bumpy_sphere_patch,
    colour,
    noise,
    sphere_patch,
    textured_asset,
    uniform,
)

RED = colour((170, 60, 50))
FRONT = np.array([0.0, 0.0, 1.0])


def sphere(res=(96, 48)) -> Shape:
    return Shape().add(sphere_patch(), res=res, flip=True)


def speckled(mirror: bool, back_detail: float = 1.0, frequency: float = 40.0):
    """Fine noise painted over the sphere; on the back, the front's noise reflected
    through z = 0 (``mirror``), and ``back_detail`` of its contrast."""

    def paint(p, n):
        behind = p[:, 2] < 0
        q = np.where((behind & mirror)[:, None], p * [1, 1, -1], p)
        amp = np.where(behind, 0.3 * back_detail, 0.3)
        return RED * (1 + amp * noise(q, frequency, 9))[:, None]

    return paint


def test_plain_sphere_has_equal_halves():
    asset = textured_asset(sphere(), uniform(RED))
    d = side_detail(asset, surface_samples(asset), FRONT)
    # medians over about 3,000 pairs a half: a 4% difference is noise (the rule's limit
    # is 2x)
    assert d.geometry[0] == pytest.approx(d.geometry[1], rel=0.04)
    # a ball of radius 0.5 turns its normal by 2 per metre, x the diagonal (about 1.73);
    # on the 96 x 48 facets only pairs across a facet edge are curved (pairs inside one
    # are planar and left out), and they turn faster: by about two fifths
    assert 2 * np.sqrt(3) < d.geometry[0] < 1.5 * 2 * np.sqrt(3)
    assert np.isnan(d.texture).all()  # one flat colour: unpainted, nothing to compare
    assert d.density[0] == pytest.approx(d.density[1], rel=1e-9)
    assert d.share == pytest.approx((0.35, 0.35), abs=0.01)  # |n_z| >= 0.3: 70% of a ball


def test_smoother_back_has_less_geometric_and_texture_detail():
    def height(d):
        return np.where(d[:, 2] > 0, 0.03, 0.003) * noise(d, 12.0, 5)

    melted = Shape().add(bumpy_sphere_patch(height), res=(192, 96), flip=True)
    # paint detail of about 5 texels: the high-pass (2 texels) keeps it
    asset = textured_asset(melted, speckled(False, back_detail=0.1, frequency=120), size=512)
    d = side_detail(asset, surface_samples(asset), FRONT)
    assert d.geometry[0] > 3 * d.geometry[1]
    assert d.texture[0] > 5 * d.texture[1]  # a tenth of the contrast, over 8-bit rounding


def test_mirrored_texture_correlates_across_the_plane():
    asset = textured_asset(sphere(), speckled(True), size=512)
    m = mirror_symmetry(asset, surface_samples(asset), FRONT)
    assert m.geometric == 1.0
    assert abs(m.plane) < 0.01
    assert m.correlation > 0.9
    # mirrored paint, own texels: only points within a texel of where the back's
    # triangles meet the front's in one island read texels the front shows too
    assert m.duplicated < 0.03
    asset = textured_asset(sphere(), speckled(False), size=512)
    m = mirror_symmetry(asset, surface_samples(asset), FRONT)
    assert m.geometric == 1.0
    assert abs(m.correlation) < 0.15


def test_planar_halves_have_no_curvature_to_compare():
    # a back that is one plane (a cut, a base) has no curvature to lose: not known
    asset = textured_asset(Shape().add(sphere_patch(), res=(96, 48), flip=True), uniform(RED))
    samples = surface_samples(asset)
    samples.normals[samples.normals[:, 2] <= -0.3] = [0.0, 0.0, -1.0]  # a flat back
    d = side_detail(asset, samples, FRONT)
    assert np.isfinite(d.geometry[0]) and np.isnan(d.geometry[1])


def test_asymmetric_geometry_does_not_mirror():
    def height(d):
        return np.where(d[:, 2] > 0, 0.04 * noise(d, 12.0, 5), 0.0)

    asset = textured_asset(
        Shape().add(bumpy_sphere_patch(height), res=(192, 96), flip=True), uniform(RED)
    )
    m = mirror_symmetry(asset, surface_samples(asset), FRONT)
    assert m.geometric < 0.6


@pytest.mark.parametrize("size", [(1, 1), (1, 8), (8, 1)])
def test_texture_one_texel_wide_has_no_detail_and_no_crash(size):
    import io

    from PIL import Image

    from assetlint.analysis.sides import detail_images
    from assetlint.engine import Engine
    from assetlint.model import Texture
    from tests.render.shapes import textured_quad

    quad = textured_quad()
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buf, format="PNG")
    quad.textures[0] = Texture.from_bytes("tiny", "embedded", buf.getvalue())
    assert detail_images(quad, 0) is None
    assert Engine.default().run(quad, ["H007", "H008", "X001"]) == []


def test_grain_of_painted_occlusion_is_not_front_detail():
    # a backrest with a seat in front of it, the corner between them painted darker with
    # the grain a baker's rays leave, on the faces that face the front: shading, not
    # detail the back lacks. Judged open with the shared short rays (0.2 x size,
    # occlusion <= 0.15), the front had 2.5x the back's texture detail.
    from assetlint.analysis.occlusion import ambient_occlusion
    from assetlint.analysis.sides import OPEN_RADIUS
    from assetlint.engine import Engine
    from tests.analysis.builders import box_patches, tiles

    shape = Shape()
    rects = iter(tiles(12))
    for half, offset in (((0.5, 0.5, 0.04), (0, 0.5, 0)), ((0.5, 0.04, 0.3), (0, 0.2, 0.34))):
        for fn, flip in box_patches(half):
            shape.add(
                lambda s, t, fn=fn, o=offset: fn(s, t) + np.asarray(o), next(rects), (12, 12), flip
            )

    def paint(p, n):
        grain = 1 + 0.03 * noise(p, 150.0, 5)
        shade = np.clip(1 - np.hypot(p[:, 1] - 0.24, p[:, 2] - 0.04) / 0.6, 0, 1) * (p[:, 2] > 0)
        return RED * (grain * (1 - 0.5 * shade * (1 + 0.6 * noise(p, 150.0, 3))))[:, None]

    asset = textured_asset(shape, paint, size=512)
    samples = surface_samples(asset)
    n = min(4096, samples.count)
    occ = ambient_occlusion(
        asset, samples.positions[:n], samples.normals[:n], OPEN_RADIUS * samples.diagonal
    )
    d = side_detail(asset, samples, FRONT, occlusion=occ)
    assert d.texture[0] / d.texture[1] == pytest.approx(1.36, abs=0.05)
    assert Engine.default(entry_points=False).run(asset, ["H007"]) == []
