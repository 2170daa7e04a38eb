"""Orientation and pivot rules (O): axes, lying on a side, pivot, node transforms, ground,
overhangs."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.model import Mesh
from assetlint.rules import orientation
from tests.rules.pack_assets import box, instance, make_asset, merged, messages, run


def test_authored_axes():
    asset = make_asset(box())
    asset.authored.up_axis, asset.authored.front_axis = "+Z", "-Y"
    assert messages(run(orientation, "O001", asset, expected_up="+Y", expected_front="+Z")) == [
        "authored +Z up; the target is +Y up, so the importer must rotate it",
        "authored front -Y; the target's front is +Z",
    ]
    assert run(orientation, "O001", asset, expected_up="+Z", expected_front="") == []
    asset.authored.up_axis = asset.authored.front_axis = None  # not stated: not judged
    assert run(orientation, "O001", asset) == []


def pyramid(base_axis: int) -> Mesh:
    """A closed square pyramid whose base (side 1) lies in the plane where coordinate
    ``base_axis`` is 0, apex at +1 along that axis."""
    a, b = [i for i in range(3) if i != base_axis]
    corners = []
    for u, v in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        p = [0.0, 0.0, 0.0]
        p[a], p[b] = u, v
        corners.append(p)
    apex = [0.0, 0.0, 0.0]
    apex[base_axis] = 1.0
    pos = np.array(corners + [apex])
    tris = [(0, 2, 1), (0, 3, 2)] + [(i, (i + 1) % 4, 4) for i in range(4)]
    mesh = Mesh("pyramid", pos, tris)
    # orient every face away from the centroid, whatever the axis permutation did
    centre = pos.mean(axis=0)
    t = mesh.triangles
    n = np.cross(pos[t[:, 1]] - pos[t[:, 0]], pos[t[:, 2]] - pos[t[:, 0]])
    inward = (n * (pos[t].mean(axis=1) - centre)).sum(axis=1) < 0
    mesh.triangles[inward] = mesh.triangles[inward][:, ::-1]
    return mesh


def test_standing_pyramid_is_upright_and_one_on_its_side_is_not():
    assert run(orientation, "O002", make_asset(pyramid(1))) == []
    [f] = run(orientation, "O002", make_asset(pyramid(0)))
    assert f.message == (
        "looks on its -X side: the bottom touches 0% of its footprint while the side facing -X "
        "is a flat face covering 100%"
    )


def test_a_tilted_object_is_judged_on_its_principal_axes():
    mesh = pyramid(1)
    c, s = np.cos(np.radians(45)), np.sin(np.radians(45))  # base faces down and to -X
    mesh.positions = mesh.positions @ np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]]).T
    [f] = run(orientation, "O002", make_asset(mesh))
    assert f.message == (
        "looks tilted 45 degrees from upright: the bottom touches 0% of its footprint while "
        "the side facing (-0.71, -0.71, 0.00) is a flat face covering 100%"
    )
    upright = pyramid(1)  # the principal axes of an upright pyramid change nothing
    assert run(orientation, "O002", make_asset(upright)) == []


def pedestal() -> Mesh:
    """A unit cube on a 0.5 x 0.2 x 0.5 foot centred under it: the bottom touches 25% of
    the footprint, the top is a flat face covering all of it, and each side of the cube
    covers 1/1.2 of its side's cross-section."""
    return merged(box(), box((0.5, 0.2, 0.5), (0.25, -0.2, 0.25)))


def test_bottom_support_threshold():
    asset = make_asset(pedestal())
    [f] = run(orientation, "O002", asset, max_bottom_support=0.25)
    assert f.message == (
        "looks upside down: the bottom touches 25% of its footprint while the side facing +Y "
        "is a flat face covering 100%"
    )
    assert run(orientation, "O002", asset, max_bottom_support=0.24) == []
    assert run(orientation, "O002", asset) == []  # default 5%: a foot this wide stands


def test_pivot_at_the_bottom_centre():
    centred = make_asset(box(offset=(-0.5, 0.0, -0.5)))
    assert run(orientation, "O003", centred) == []
    assert run(orientation, "O003", make_asset(box(offset=(-0.46, 0.0, -0.5)))) == []
    [f] = run(orientation, "O003", make_asset(box(offset=(-0.44, 0.0, -0.5))))
    assert f.message == (
        "the origin is 0.06 m from the bottom centre of the bounds (6% of the size; the bottom "
        "centre is at (0.06, 0, 0) m)"
    )
    assert f.location == pytest.approx([0.06, 0.0, 0.0])
    middle = make_asset(box(offset=(-0.5, -0.5, -0.5)))
    assert run(orientation, "O003", middle, expected="center") == []
    assert len(run(orientation, "O003", middle)) == 1
    with pytest.raises(ValueError, match="expected must be"):
        run(orientation, "O003", middle, expected="top")


def test_pivot_far_from_the_geometry():
    assert run(orientation, "O004", make_asset(box(offset=(1.0, 0.0, 0.0)))) == []
    assert messages(run(orientation, "O004", make_asset(box(offset=(1.01, 0.0, 0.0))))) == [
        "the origin is 1.01 m from the geometry, 1.0 times its size (limit 1)"
    ]


def test_negative_scale():
    asset = make_asset(box())
    instance(asset, 0, np.diag([-1.0, 1.0, 1.0, 1.0]), name="mirror")
    [f] = run(orientation, "O005", asset)
    assert (f.message, f.subject) == (
        "node 'mirror' is mirrored (transform determinant -1)",
        "mirror",
    )


@pytest.mark.parametrize(("z", "found"), [(1.0005, False), (1.002, True)])
def test_non_uniform_scale(z, found):
    asset = make_asset(box())
    asset.nodes[0].world = np.diag([1.0, 1.0, z, 1.0])
    findings = run(orientation, "O006", asset)
    assert len(findings) == found
    if found:
        assert findings[0].message == "node 'box' is scaled 1.002 / 1 / 1 along its axes (ratio 1)"
        assert findings[0].value == pytest.approx(1.002)


def test_below_ground():
    assert run(orientation, "O007", make_asset(box(offset=(0, -0.005, 0)))) == []
    assert messages(run(orientation, "O007", make_asset(box(offset=(0, -0.02, 0))))) == [
        "2% of the object's height (0.02 m) is below the ground plane"
    ]


def test_overhang_share_of_a_mushroom():
    # The cube's underside (area 1) hangs over the foot; the foot's underside is on the bed.
    # Total area 6 + 0.4 + 0.25 + 0.25 = 6.9.
    asset = make_asset(pedestal())
    [f] = run(orientation, "O008", asset)
    assert (
        f.message
        == "14.5% of the surface overhangs more than 45 degrees and needs support (2 triangles)"
    )
    assert f.value == pytest.approx(1 / 6.9)
    assert run(orientation, "O008", asset, min_share=0.145) == []
    assert run(orientation, "O008", make_asset(box())) == []  # only its bed face points down


@pytest.mark.parametrize(("tilt", "found"), [(44.9, False), (45.1, True)])
def test_overhang_angle(tilt, found):
    a = np.radians(tilt)
    p0 = np.array([0.0, 1.0, 0.0])
    face = [p0, p0 + [1.0, 0.0, 0.0], p0 + [0.0, np.cos(a), np.sin(a)]]  # normal y = -sin(a)
    bed = [[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    asset = make_asset(Mesh("faces", np.array(face + bed), [[0, 1, 2], [3, 4, 5]]))
    assert len(run(orientation, "O008", asset, max_angle=45.0)) == found


def test_overhang_of_a_z_up_stl():
    # The pedestal turned so that +Z is its up: read Z up (as a slicer), the same 14.5%.
    mesh = pedestal()
    mesh.positions = mesh.positions[:, [0, 2, 1]] * [1, 1, 1]
    mesh.triangles = mesh.triangles[:, ::-1]  # the axis swap mirrors: keep faces outward
    stl = make_asset(mesh, fmt="stl", mpu=None)
    [f] = run(orientation, "O008", stl, unitless_up="+Z")
    assert f.message == (
        "14.5% of the surface overhangs more than 45 degrees and needs support (2 triangles) "
        "(STL states no axes; read Z up)"
    )
    assert f.value == pytest.approx(1 / 6.9)


def test_non_finite_transform_is_reported_once_where_it_starts():
    """A NaN group node takes its two instances down: one O009 at the group, and every
    rule that measures in world space judges the box that is placed, without a numpy
    warning (a NaN matrix used to reach det/svd)."""
    import warnings

    from assetlint.engine import Engine
    from assetlint.model import Node

    asset = make_asset(box(offset=(-0.5, 0.0, -0.5)))
    nan = np.full((4, 4), np.nan)
    asset.nodes.append(Node("broken", local=nan, world=nan, children=[2, 3]))
    for name in ("a", "b"):
        asset.nodes.append(Node(name, local=np.eye(4), world=nan, parent=1, mesh=0))
    [f] = run(orientation, "O009", asset)
    assert (f.message, f.subject, f.count) == (
        "node 'broken' has a NaN or infinite transform: 2 mesh instances under it cannot be placed",
        "broken",
        2,
    )
    assert run(orientation, "O009", make_asset(box())) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        findings = Engine.default().run(asset, None, [], None, {}, {})
    assert sorted({x.code for x in findings if x.severity != "info"}) == ["O009"]


def test_the_mirror_search_counts_as_every_probe_of_every_candidate():
    """The branch and bound (chunked counting, dropped candidates, one gathered query per
    round) picks the candidate, and the hits, that counting every probe of every
    candidate one by one gives."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(3)
    points = rng.normal(size=(2000, 3)) * [1.0, 0.6, 0.3]
    normals = points / np.linalg.norm(points, axis=1, keepdims=True)
    diagonal = float(np.linalg.norm(np.ptp(points, axis=0)))
    samples = orientation.ShapeSamples(points, normals, diagonal, None, None, None, None)
    tree = cKDTree(points)
    directions = np.concatenate([orientation.hemisphere(40), np.eye(3)])
    search = orientation.MirrorSearch(samples, tree, directions)
    best = search.best(np.ones(len(directions), dtype=bool))
    full = []
    for d in directions:
        probes, probe_normals = search.probes, search.probe_normals
        reflected = probes - 2 * ((probes - search.centre) @ d)[:, None] * d
        mirrored = probe_normals - 2 * (probe_normals @ d)[:, None] * d
        dist, near = tree.query(reflected, distance_upper_bound=search.tol)
        hit = dist < search.tol
        hit[hit] = np.einsum("ij,ij->i", mirrored[hit], normals[near[hit]]) > 0.5
        full.append(int(hit.sum()))
    assert best == int(np.argmax(full))  # the first of equals
    assert int(search.hits[best]) == max(full) and max(full) > 0
