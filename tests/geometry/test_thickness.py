"""Wall thickness: exact walls of hollow boxes, located thin spots, sampling, bad input."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
import trimesh

from assetlint.geometry.thickness import ThicknessUnavailable, wall_thickness
from tests.geometry.solids import box, hollow_box
from tests.rules.meshes import cube

needs_embree = pytest.mark.skipif(
    importlib.util.find_spec("embreex") is None,
    reason="embreex (Embree ray casting) must be a dependency",
)

MM = 0.001

# 20 mm box, cavity leaving a 0.5 mm wall on the -X side and 2 mm everywhere else
THIN = hollow_box(20 * MM, (0.5 * MM, 2 * MM, 2 * MM), (18 * MM, 18 * MM, 18 * MM))
# Thin-wall area: the -X outer side and the cavity's -X side, each 16 x 16 mm where they
# face each other; total area: 6 outer sides of 20 x 20 plus the 17.5 x 16 x 16 cavity.
THIN_SHARE = (2 * 16 * 16) / (6 * 20 * 20 + 2 * 16 * 16 + 4 * 17.5 * 16)
THIN_WALL_FACES = {2, 8, 12 + 2, 12 + 8}  # -X side triangles of the box and of the cavity


@needs_embree
def test_thin_wall_is_measured_and_located():
    r = wall_thickness(*THIN, samples=20_000, seed=0)
    assert r.samples == 20_000
    assert r.measured == 20_000 and r.missed == 0 and r.entered == 0
    assert r.minimum == pytest.approx(0.5 * MM, abs=1e-4 * MM)
    assert r.percentile(1) == pytest.approx(0.5 * MM, abs=1e-4 * MM)
    # binomial sampling error is 0.24 points at 20k samples: 4 sigma
    assert r.share_below(0.8 * MM) == pytest.approx(THIN_SHARE, abs=0.01)
    assert r.thinnest_face in THIN_WALL_FACES
    x = r.thinnest_point[0]
    assert x == pytest.approx(0.0, abs=1e-9) or x == pytest.approx(0.5 * MM, abs=1e-9)
    assert 2 * MM <= r.thinnest_point[1] <= 18 * MM
    assert 2 * MM <= r.thinnest_point[2] <= 18 * MM


@needs_embree
def test_two_millimetre_walls():
    r = wall_thickness(*hollow_box(20 * MM, (2 * MM,) * 3, (18 * MM,) * 3), samples=5000)
    assert r.minimum == pytest.approx(2 * MM, abs=1e-4 * MM)
    assert r.share_below(0.8 * MM) == 0.0
    # rays from near an edge run along the side wall: up to the full 20 mm
    assert r.percentile(100) == pytest.approx(20 * MM, rel=1e-3)


@needs_embree
def test_solid_sphere_is_its_diameter():
    s = trimesh.creation.icosphere(subdivisions=4, radius=0.05)
    r = wall_thickness(s.vertices, s.faces, samples=2000)
    # inward rays from a flat facet pass near the centre: the chord is a diameter within
    # the facets' sag (0.2% at this subdivision)
    assert r.percentile(0) > 0.0995 and r.percentile(100) < 0.1001


def prism(profile_xy, depth: float) -> tuple[np.ndarray, np.ndarray]:
    """A closed prism: a convex counter-clockwise polygon in XY extruded along +Z."""
    k = len(profile_xy)
    xy = np.asarray(profile_xy, dtype=np.float64)
    pos = np.vstack([np.column_stack([xy, np.zeros(k)]), np.column_stack([xy, np.full(k, depth)])])
    tris = [(0, i + 1, i) for i in range(1, k - 1)]  # back cap, facing -Z
    tris += [(k, k + i, k + i + 1) for i in range(1, k - 1)]  # front cap, facing +Z
    for i in range(k):
        j = (i + 1) % k
        tris += [(i, j, k + j), (i, k + j, k + i)]
    return pos, np.array(tris)


@needs_embree
def test_blunt_edges_are_not_walls_but_blades_are():
    """A 10 cm triangular prism with 60-degree edges measures no thin wall (rays near an
    edge leave through the neighbouring side: counted as edge); a blade whose two long
    sides meet at 20 degrees is thin along its edge."""
    h = 0.1 * np.sqrt(3) / 2
    r = wall_thickness(*prism([(0, 0), (0.1, 0), (0.05, h)], 0.1), samples=5000)
    assert r.share_below(0.8 * MM) == 0.0 and r.edge > 0
    assert r.measured + r.edge == 5000
    # blade: sides of length L meeting at 20 degrees at x = 0.1, 5 cm deep. A ray from a
    # long side at s from the tip crosses s * tan(20) to the other: thin for s < 2.198 mm.
    # Rays from the back, and from the long sides beyond s = L cos(20), leave through a
    # side turned 80 degrees away: edges, not walls. Caps: 5 cm through.
    half = np.tan(np.radians(10)) * 0.1
    long_side = np.hypot(0.1, half)
    r = wall_thickness(*prism([(0, -half), (0.1, 0), (0, half)], 0.05), samples=20_000)
    total = 2 * long_side * 0.05 + 2 * half * 0.05 + 2 * 0.1 * half
    edge = 2 * half * 0.05 + 2 * (long_side - long_side * np.cos(np.radians(20))) * 0.05
    thin = 2 * (0.8 * MM / np.tan(np.radians(20))) * 0.05
    assert r.edge / 20_000 == pytest.approx(edge / total, abs=0.01)  # 15.4%
    assert r.share_below(0.8 * MM) == pytest.approx(thin / (total - edge), abs=0.003)  # 1.7%
    assert r.thinnest_point[0] > 0.1 - 2.3 * MM


@needs_embree
def test_deterministic_with_a_seed():
    a = wall_thickness(*THIN, samples=500, seed=7)
    b = wall_thickness(*THIN, samples=500, seed=7)
    c = wall_thickness(*THIN, samples=500, seed=8)
    assert np.array_equal(a.thickness, b.thickness) and np.array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


@needs_embree
def test_samples_follow_area():
    """A 1 x 1 x 4 box: the four long sides hold 16 of its 18 square units of area."""
    pos, tris = box((0, 0, 0), (1, 1, 4))
    r = wall_thickness(pos, tris, samples=9000)
    on_ends = np.count_nonzero(np.isin(r.points[:, 2], [0.0, 4.0]))
    assert on_ends / 9000 == pytest.approx(2 / 18, abs=0.01)


@needs_embree
def test_inside_out_and_open_surfaces_are_not_measured():
    pos, tris = cube()
    r = wall_thickness(pos, tris[:, ::-1], samples=1000)
    assert (r.measured, r.missed, r.entered) == (0, 1000, 0)
    assert np.isnan(r.minimum) and r.thinnest_point is None and r.share_below(1.0) == 0.0
    # a shell inside a solid (not a cavity: wound outward): rays from the outer box that
    # meet it enter its front faces and measure nothing; the others cross the 3-wide box
    big = box((-1, -1, -1), (2, 2, 2))
    pos2 = np.vstack([pos, big[0]])
    tris2 = np.vstack([tris, big[1] + 8])
    r = wall_thickness(pos2, tris2, samples=2000)
    assert r.missed == 0 and r.entered > 0 and r.measured + r.entered == 2000
    measured = r.thickness[np.isfinite(r.thickness)]
    assert set(np.round(measured, 4)) == {1.0, 3.0}


@needs_embree
def test_bad_faces_are_neither_sampled_nor_hit():
    pos, tris = cube()
    pos = np.vstack([pos, [[np.nan, 0, 0], [0.5, 0.5, 0.5], [0.6, 0.5, 0.5]]])
    bad = [[8, 0, 1], [0, 1, 99], [-1, 0, 1], [9, 10, 9]]  # NaN, out of range, degenerate
    r = wall_thickness(pos, np.vstack([tris, bad]), samples=1000)
    assert r.measured == 1000 and r.faces.max() < 12
    assert r.minimum == pytest.approx(1.0, abs=1e-5)


def test_empty_input():
    r = wall_thickness(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
    assert r.samples == 0 and r.measured == 0 and r.thinnest is None
    r = wall_thickness(np.full((3, 3), np.nan), [[0, 1, 2]])
    assert r.samples == 0


def test_missing_ray_caster_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "embreex", None)
    with pytest.raises(ThicknessUnavailable, match="pip install embreex"):
        wall_thickness(*cube(), samples=10)


def test_face_cross_products_on_columns_equal_the_row_formula_bit_for_bit():
    """Samples are drawn by cumulative area: the column-wise cross products must give the
    very same floats as the row formula, or a sample could move to another face."""
    from assetlint.geometry.thickness import _cross

    rng = np.random.default_rng(5)
    points = rng.normal(size=(2000, 3)) * rng.choice([1e-5, 1.0, 1e3], size=(2000, 1))
    faces = rng.integers(0, 2000, size=(10_000, 3))
    a = points[faces[:, 0]]
    expected = np.cross(points[faces[:, 1]] - a, points[faces[:, 2]] - a)
    assert np.array_equal(_cross(points, faces), expected)


def test_face_cross_products_in_chunks_equal_the_row_formula_bit_for_bit(monkeypatch):
    """A large mesh's cross products are worked out a chunk of faces at a time (memory):
    the chunks, the last one short, give the row formula's floats exactly."""
    from assetlint.geometry import thickness

    monkeypatch.setattr(thickness, "_CROSS_CHUNK", 1_000)
    rng = np.random.default_rng(6)
    points = rng.normal(size=(2000, 3)) * rng.choice([1e-5, 1.0, 1e3], size=(2000, 1))
    faces = rng.integers(0, 2000, size=(10_007, 3))
    a = points[faces[:, 0]]
    expected = np.cross(points[faces[:, 1]] - a, points[faces[:, 2]] - a)
    assert np.array_equal(thickness._cross(points, faces), expected)
