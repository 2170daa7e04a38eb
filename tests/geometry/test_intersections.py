"""Self-intersections: exact face sets on solids built in code, and guarded bad input."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import trimesh

from assetlint.arrays import cross
from assetlint.geometry.intersections import (
    IntersectionTooCostly,
    _height,
    _snapped,
    aligned_centre,
    grid_cost,
    self_intersections,
)
from tests.geometry.solids import folded_strip
from tests.rules.meshes import cube, merge, soup, split_faces
from tests.shapes import asymmetric_object

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def two_cubes():
    """Unit cube (faces 0-11) and the same cube moved by (0.5, 0.3, 0.2) (faces 12-23).

    Each cube's +X, +Y, +Z sides (first cube) and -X, -Y, -Z sides (second) lie inside
    the other; the crossing lines (x = 0.5, y = 0.3, z = 0.2 on one side, x = y = z = 1
    on the other) run across each side's diagonal, so both triangles of those three
    sides intersect, and no other triangle does."""
    return merge(cube(), cube(offset=(0.5, 0.3, 0.2)))


def test_two_interpenetrating_cubes():
    pos, tris = two_cubes()
    # cube(): sides -Y, +Y, -X, +X, -Z, +Z are triangles k and k + 6
    first = [1, 3, 5, 7, 9, 11]  # +Y, +X, +Z
    second = [12 + k for k in (0, 2, 4, 6, 8, 10)]  # -Y, -X, -Z
    assert self_intersections(pos, tris).tolist() == first + second


def test_same_answer_on_a_triangle_soup_and_float64_input():
    """Exactly coincident vertices are merged first, so neighbours stay neighbours."""
    pos, tris = two_cubes()
    expected = self_intersections(pos, tris).tolist()
    spos, stris = soup(pos, tris)
    assert self_intersections(spos.astype(np.float64), stris).tolist() == expected


@pytest.mark.parametrize(
    "shape",
    [
        cube,
        split_faces,  # every side its own vertices (UV seams): neighbours only by position
        asymmetric_object,  # concave L-block
        lambda: (trimesh.creation.icosphere(4).vertices, trimesh.creation.icosphere(4).faces),
        lambda: soup(*cube()),
    ],
)
def test_clean_closed_solids_have_none(shape):
    pos, tris = shape()
    assert self_intersections(pos, tris).tolist() == []


def test_copies_a_rounding_error_apart_are_still_neighbours():
    """Exporters compute seam copies separately (sin(pi) is not 0): a cube soup whose
    copies of each corner differ by 1e-9 (float32 resolution of a unit box is 6e-8)."""
    pos, tris = soup(*cube())
    pos = pos.astype(np.float64) + np.random.default_rng(0).uniform(-1e-9, 1e-9, pos.shape)
    assert self_intersections(pos, tris).tolist() == []


def test_folded_strip():
    pos, tris = folded_strip()
    assert self_intersections(pos, tris).tolist() == [0, 1, 4, 5]


def test_neighbours_through_each_other_at_a_shared_vertex():
    """Two triangles sharing only vertex 0, the second standing through the first."""
    pos = np.array(
        [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0.3, 0.3, -1], [0.3, 0.3, 1]], dtype=np.float32
    )
    assert self_intersections(pos, [[0, 1, 2], [0, 3, 4]]).tolist() == [0, 1]
    # the same pair leaning away (second triangle outside the first's corner): none
    pos[3:, :2] = -0.3
    assert self_intersections(pos, [[0, 1, 2], [0, 3, 4]]).tolist() == []


def test_touching_is_not_crossing():
    tri = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    tip = [[0.25, 0.25, 0], [0.25, 0.5, 1], [0.5, 0.25, 1]]  # a corner on the face
    edge = [[0.2, 0.2, 0], [0.4, 0.2, 0], [0.3, 0.2, 1]]  # an edge on the face
    for other in (tip, edge):
        assert self_intersections(np.array(tri + other, float), [[0, 1, 2], [3, 4, 5]]).size == 0
    stacked = merge(cube(), cube(offset=(0.25, 1.0, 0.25)))  # sharing part of a side
    assert self_intersections(*stacked).size == 0


def test_cad_part_with_rounding_noise_on_a_flat_side():
    """The corpus's idler_riser.STL: a clean CAD part whose flat side (y = 0) has corners
    at y = -2.7e-16, fanned into long coplanar slivers. Unsnapped, MeshLab flagged 9 of
    its faces (2 with the centre rounded to a power of two)."""
    from assetlint.loaders import load

    path = CORPUS / "meshes" / "idler_riser.STL"
    if not path.exists():
        pytest.skip("shared corpus not present")
    mesh = load(path).meshes[0]
    assert mesh.triangle_count == 1572
    assert self_intersections(mesh.positions, mesh.triangles).size == 0


def test_centre_and_snap_keep_exact_coordinates():
    pts = np.array([[1000.0, 0.0, -3.0], [1001.5, 0.5, -2.0]])
    centre = aligned_centre(pts)
    assert centre.tolist() == [1001.0, 0.0, -2.0]  # centre (1000.75, 0.25, -2.5) to whole units
    moved = pts - centre
    assert (moved + centre).tolist() == pts.tolist()
    noisy = np.array([[0.0, -2.7e-16, 0.0], [2.0, 0.0, 1.0], [0.0, 1e-3, 4.0]])
    snapped = _snapped(noisy)  # box size 4: steps of 2^-28
    assert snapped[0].tolist() == [0.0, 0.0, 0.0] and snapped[1].tolist() == [2.0, 0.0, 1.0]
    assert abs(snapped[2, 1] - 1e-3) <= 2.0**-29


def test_folded_onto_its_neighbour_is_not_counted():
    """A sheet folded flat over a shared edge: neighbours, reported by no pairwise test."""
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0.5, 0.6, 0]], dtype=np.float32)
    assert self_intersections(pos, [[0, 1, 2], [1, 0, 3]]).tolist() == []


def test_bad_input_is_left_out_not_fatal():
    pos, tris = two_cubes()
    n = len(pos)
    pos = np.vstack([pos, [[np.nan, 0, 0], [np.inf, 1, 1], [0.2, 0.2, 0.2], [0.3, 0.3, 0.3]]])
    extra = [
        [n, 0, 1],  # NaN corner
        [n + 1, 0, 1],  # infinite corner
        [0, 1, n + 9],  # index out of range
        [-1, 0, 1],  # negative index
        [0, 0, 1],  # repeated index
        [0, n + 2, n + 3],  # collinear: zero area, crosses cube 2's inside
        [1, 3, 7],  # duplicate of face 3 (which crosses cube 2)
        [7, 3, 1],  # the same with the other winding
    ]
    tris = np.vstack([tris, extra]).astype(np.int32)
    got = self_intersections(pos.astype(np.float32), tris).tolist()
    m = 24
    assert got == [1, 3, 5, 7, 9, 11, 12, 14, 16, 18, 20, 22, m + 6, m + 7]


def test_nothing_to_test():
    assert self_intersections(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32)).tolist() == []
    nan = np.full((3, 3), np.nan)
    assert self_intersections(nan, [[0, 1, 2]]).tolist() == []
    assert self_intersections(np.zeros((3, 3)), [[0, 1, 2]]).tolist() == []  # one point


def test_pathological_overlap_is_refused_quickly():
    """6,000 random triangles spanning the same box would keep MeshLab's grid busy for
    minutes; the estimate refuses in milliseconds."""
    rng = np.random.default_rng(0)
    pos = rng.random((18_000, 3))
    tris = np.arange(18_000).reshape(-1, 3)
    start = time.perf_counter()
    with pytest.raises(IntersectionTooCostly, match="6,000 triangles"):
        self_intersections(pos, tris)
    assert time.perf_counter() - start < 2.0


def test_cost_limit_is_a_parameter():
    pos, tris = two_cubes()
    with pytest.raises(IntersectionTooCostly):
        self_intersections(pos, tris, max_cost=10)


def test_grid_cost_counts_cell_occupancy_squared():
    """About one grid cell per face; the work is the sum over cells of faces-in-cell^2."""
    # 1,000 small triangles on a 10x10x10 lattice: a 10^3 grid, one face per cell
    lattice = np.stack(np.meshgrid(*[np.arange(10.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    corner = np.array([[0, 0, 0], [0.05, 0, 0], [0, 0.05, 0.05]])
    pos = (lattice[:, None, :] + corner).reshape(-1, 3)
    tris = np.arange(3000).reshape(-1, 3)
    assert grid_cost(pos, tris) == 1000.0
    # 8 copies of one triangle spanning the unit cube: a 2^3 grid, all 8 faces in every
    # cell, 8 cells x 8^2
    one = np.array([[0, 0, 0], [1, 1, 0], [0, 1, 1]], dtype=float)
    assert grid_cost(np.tile(one, (8, 1)), np.arange(24).reshape(-1, 3)) == 512.0


@pytest.mark.parametrize(
    ("name", "count", "contacts"),
    [
        # a T-junction: a vertex of faces 63 and 64 lies on an edge of face 60
        ("meshes/wallhole.obj", 3, [60, 63, 64]),
        # coordinates on a 1/256 grid: an edge of face 122 meets an edge of face 120 at one
        # point, and an edge of face 64 lies on face 74 (each pair tested on its own)
        ("generated-real/meshgpt_vsekai-person/output.glb", 756, [64, 74, 120, 122]),
        # a corner of face 950 on face 949; a corner of faces 4873-4875 on face 4608
        ("generated-real/tripo_fishabe-fish-rigged/fishanim.glb", 465, [950, 4608]),
    ],
)
@pytest.mark.parametrize("broad_phase", [False, True])
def test_closed_contact_counts_on_real_files(name, count, contacts, broad_phase):
    """MeshLab's test treats triangles as closed sets: faces that only touch (a corner on
    another face or on its edge, two edges meeting at a point) are reported, except in
    the cases of test_touching_is_not_crossing. Any faster search for candidate pairs
    (rays along the edges, a broad phase with a margin) must keep these: rays pulled
    inside each face by float32 rounding missed all of them."""
    from assetlint.geometry.topology import topology
    from assetlint.loaders import load

    path = CORPUS / name
    if not path.exists():
        pytest.skip("shared corpus not present")
    mesh = load(path).meshes[0]
    topo = topology(mesh)
    hit = self_intersections(topo.welded_positions, topo.faces, broad_phase=broad_phase)
    got = topo.face_index[hit]
    assert len(got) == count
    assert set(contacts) <= set(got.tolist())


def test_broad_phase_keeps_every_face_meshlab_selects():
    """The compiled broad phase (geometry/broadphase.py) only sets aside faces MeshLab
    would not select: crossings, touching contacts at a shared vertex and edge, coplanar
    overlaps and their near misses give the same faces with it and without it. The whole
    corpus is checked by benchmarks/intersections_identity.py."""
    tri = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    cases = [
        two_cubes(),
        folded_strip(),
        merge(cube(), cube(offset=(0.25, 1.0, 0.25))),
        (
            np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0.3, 0.3, -1], [0.3, 0.3, 1]]),
            [[0, 1, 2], [0, 3, 4]],
        ),
        (
            np.array(tri + [[0.25, 0.25, 0], [0.25, 0.5, 1], [0.5, 0.25, 1]], float),
            [[0, 1, 2], [3, 4, 5]],
        ),
        (
            np.array(tri + [[0.2, 0.2, 0], [1.2, 0.2, 0], [0.2, 1.2, 0]], float),
            [[0, 1, 2], [3, 4, 5]],
        ),  # coplanar, overlapping
        (
            np.array(tri + [[0.6, 0.6, 0], [1.6, 0.6, 0], [0.6, 1.6, 0]], float),
            [[0, 1, 2], [3, 4, 5]],
        ),  # coplanar, apart
        (
            np.array(tri + [[0.5, 0.5, 0], [1.5, 0.5, 1e-9], [0.5, 1.5, -1e-9]], float),
            [[0, 1, 2], [3, 4, 5]],
        ),  # almost coplanar, touching at the hypotenuse
    ]
    selected = 0
    for pos, tris in cases:
        reference = self_intersections(pos, tris, broad_phase=False)
        assert self_intersections(pos, tris, broad_phase=True).tolist() == reference.tolist()
        selected += len(reference) > 0
    assert selected >= 4


def test_broad_phase_on_a_clean_sphere_sets_aside_all_but_the_pole_fans():
    """On a closed UV sphere every face's neighbours lie below its plane or beside it:
    only the ~1,000-face fans at the two poles, nearly flat around one vertex, reach
    MeshLab."""
    from assetlint.arrays import column_bounds
    from assetlint.geometry.broadphase import possible_faces
    from assetlint.geometry.intersections import BROAD_PHASE_FACES
    from benchmarks.meshes import uv_sphere

    pos, tris, _ = uv_sphere(20_000, radius=0.05)
    pos = pos.astype(np.float64)
    lo, hi = column_bounds(pos)
    dims = np.array([20, 20, 20])
    possible = possible_faces(pos, tris, lo, (hi - lo) / dims, dims, 1e-7 * 0.173)
    near_pole = np.abs(pos[tris].mean(axis=1)[:, 1]) > 0.9 * 0.05  # uv_sphere's axis is y
    assert len(tris) < BROAD_PHASE_FACES
    assert 0 < possible.sum() < 0.1 * len(tris)
    assert near_pole[possible].all()
    assert self_intersections(pos, tris, broad_phase=True).size == 0


def test_height_by_columns_equals_the_row_formula_bit_for_bit():
    """_height decides which faces are too flat to test; worked on columns for speed, it
    must give the row formula's values exactly, or a face at the limit could change."""
    rng = np.random.default_rng(3)
    points = rng.normal(size=(5_000, 3)) * rng.uniform(1e-3, 1e3, size=(5_000, 1))
    faces = rng.integers(0, 5_000, size=(20_000, 3))
    a, b, c = points[faces[:, 0]], points[faces[:, 1]], points[faces[:, 2]]
    ab, bc, ca = b - a, c - b, a - c
    n = cross(ab, -ca)
    longest = np.maximum.reduce([np.einsum("ij,ij->i", e, e) for e in (ab, bc, ca)])
    rows = np.sqrt(np.einsum("ij,ij->i", n, n)) / np.maximum(
        np.sqrt(longest), np.finfo(np.float64).tiny
    )
    assert np.array_equal(_height(points, faces), rows, equal_nan=True)


def test_height_in_chunks_equals_the_whole_computation(monkeypatch):
    """A large mesh's heights are computed a chunk of faces at a time (memory): each
    face's value is its own, so the chunks give exactly the values of one pass."""
    from assetlint.geometry import intersections

    rng = np.random.default_rng(4)
    points = rng.normal(size=(3_000, 3)) * rng.uniform(1e-3, 1e3, size=(3_000, 1))
    faces = rng.integers(0, 3_000, size=(10_007, 3))
    whole = _height(points, faces)
    monkeypatch.setattr(intersections, "_HEIGHT_CHUNK", 1_000)
    assert np.array_equal(_height(points, faces), whole, equal_nan=True)


def test_without_numba_the_broad_phase_falls_back_to_meshlab_alone(monkeypatch):
    # a platform without numba's wheel, or a read-only install that numba cannot cache in:
    # the same faces, from MeshLab over every face
    import sys

    pos, tri = merge(cube(), cube(offset=(0.5, 0.5, 0.5)))
    expected = self_intersections(pos, tri, broad_phase=False)
    monkeypatch.setitem(sys.modules, "assetlint.geometry.broadphase", None)  # import fails
    assert np.array_equal(self_intersections(pos, tri, broad_phase=True), expected)
    assert len(expected) > 0
