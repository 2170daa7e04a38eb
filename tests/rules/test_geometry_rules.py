"""Geometry rules on small meshes built in code, where the exact answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.engine import Engine
from assetlint.geometry import topology as topology_module
from assetlint.geometry.topology import topology, totals
from assetlint.model import Mesh, Node
from tests.rules.meshes import CUBE_QUADS, asset_of, cube, merge, soup, split_faces
from tests.shapes import asymmetric_object


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def run(engine, *meshes, select=("G",), **kw):
    return engine.run(asset_of(*meshes), select=list(select), **kw)


def by_code(findings) -> dict:
    out: dict = {}
    for f in findings:
        out.setdefault(f.code, []).append(f)
    return out


def problems(findings) -> list[str]:
    return sorted({f.code for f in findings if f.severity != "info"})


def without_quad(k: int):
    """The cube with the two triangles of quad k removed: one square hole."""
    pos, tris = cube()
    keep = [i for i in range(12) if i not in (k, k + 6)]
    return pos, tris[keep]


def test_closed_cube_and_l_block_are_clean(engine):
    assert problems(run(engine, cube())) == []
    assert problems(run(engine, asymmetric_object())) == []
    topo = topology(Mesh("l", *asymmetric_object()))
    assert topo.part_volumes == pytest.approx([0.4 * 0.15 * 0.2 + 0.12 * 0.45 * 0.2])


def test_cube_without_a_face_has_one_hole_of_four_edges(engine):
    assert problems(run(engine, without_quad(0))) == ["G003"]
    found = by_code(run(engine, without_quad(0)))
    (hole,) = found["G003"]
    assert (hole.count, hole.value, hole.limit) == (1, 1.0, 0.0)
    assert hole.message == (
        "1 hole bounded by 4 open edges, 4 m of open boundary in all; the largest is 4 m "
        "around (4 edges; limit 0 holes)"
        "; visible: see-through patch 100.0% of the bottom view's silhouette (limit 1%)"
    )
    assert sorted(sorted(e) for e in hole.sample["edges"]) == [[0, 1], [0, 4], [1, 5], [4, 5]]
    assert "G005" not in found  # an open shell has no inside to be inside out


def test_hole_lengths_follow_the_instance_scale(engine):
    asset = asset_of(without_quad(0))
    asset.nodes[0].world = np.diag([0.5, 0.5, 0.5, 1.0])
    (hole,) = engine.run(asset, select=["G003"])
    assert "2 m of open boundary" in hole.message
    asset.nodes.append(Node("twice", np.eye(4), np.diag([2.0, 2, 2, 1]), mesh=0))
    (hole,) = engine.run(asset, select=["G003"])
    assert "4 m (mesh-local) of open boundary" in hole.message


def test_two_holes_and_their_lengths():
    pos, tris = cube(2.0)
    keep = [i for i in range(12) if i not in (0, 6, 1, 7)]  # -Y and +Y quads removed
    loop, edges, lengths = topology(Mesh("m", pos, tris[keep])).boundary_loops
    assert sorted(edges.tolist()) == [4, 4]
    assert lengths.tolist() == [8.0, 8.0]


def test_seam_split_cube_is_closed_and_seams_are_info(engine):
    pos, tris = split_faces()
    assert len(pos) == 24
    found = by_code(run(engine, (pos, tris)))
    assert problems(run(engine, (pos, tris))) == []
    (seams,) = found["G014"]
    assert (seams.severity, seams.count) == ("info", 12)
    topo = topology(Mesh("m", pos, tris))
    assert (topo.welded_count, len(topo.boundary_edges), topo.parts[0]) == (8, 0, 1)
    assert topo.part_volumes == pytest.approx([1.0])


def test_two_cubes_sharing_an_edge_make_it_non_manifold(engine):
    found = by_code(run(engine, merge(cube(), cube(offset=(1, 1, 0)))))
    (edge,) = found["G001"]
    assert edge.count == 1
    assert edge.message.startswith("1 edge shared by more than two faces (up to 4 faces")
    assert sorted(edge.sample["edges"][0]) == [3, 7]  # (1, 1, 0)-(1, 1, 1)
    assert len(edge.sample["faces"]) == 4
    assert "G002" not in found  # its vertices are on the non-manifold edge: G001's


def test_two_cubes_sharing_a_vertex_make_a_bow_tie(engine):
    found = by_code(run(engine, merge(cube(), cube(offset=(1, 1, 1)))))
    (vertex,) = found["G002"]
    assert vertex.count == 1 and vertex.sample == {"vertices": [7]}
    assert vertex.location == [1.0, 1.0, 1.0]
    assert "G001" not in found
    assert found["G013"][0].count == 2


def test_bow_tie_inside_one_part_is_found():
    # two fans of two triangles around vertex 0, joined far from it by a strip through
    # vertex 7: one part, and vertex 0 pinches it
    pos = np.array(
        [[0, 0, 0], [1, -1, 0], [1, 0, 0], [1, 1, 0], [-1, 1, 0], [-1, 0, 0], [-1, -1, 0]]
        + [[0, 2, 1]],
        dtype=np.float32,
    )
    fans = [[0, 1, 2], [0, 2, 3], [0, 4, 5], [0, 5, 6]]
    strip = [[2, 7, 3], [3, 7, 4], [7, 4, 5]]
    topo = topology(Mesh("m", pos, np.array(fans + strip)))
    assert topo.parts[0] == 1
    assert topo.nonmanifold_vertices.tolist() == [0]
    assert topo.fans.tolist() == [2, 1, 1, 1, 1, 1, 1, 1]


def disc(n: int, centre=(0.0, 0.0, 0.0), z: float = 1.0):
    """A cone of n triangles around vertex 0 (its apex), open at the rim."""
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rim = np.column_stack([np.cos(angle), np.sin(angle), np.full(n, z)])
    pos = np.vstack([[0, 0, 0], rim]) + np.asarray(centre)
    i = np.arange(n)
    return pos.astype(np.float32), np.column_stack([np.zeros(n, int), 1 + i, 1 + (i + 1) % n])


@pytest.mark.parametrize("corners", [3, 6, 8, 9, 16, 17, 40])
def test_fans_of_any_size(corners):
    """Vertices with up to 16 corners are settled by pointer doubling, bigger ones by
    connected components: both count one fan for a cone and two for two cones tip to
    tip, with or without a wrongly wound face there."""
    one = topology(Mesh("m", *disc(corners)))
    assert one.fans[one.welded[0]] == 1
    assert len(one.nonmanifold_vertices) == 0
    pos, tris = merge(disc(corners), disc(corners, z=-1.0))
    two = topology(Mesh("m", pos, tris))
    assert two.fans[two.welded[0]] == 2
    assert two.welded_positions[two.nonmanifold_vertices].tolist() == [[0.0, 0.0, 0.0]]
    flipped = tris.copy()
    flipped[0] = flipped[0][::-1]
    three = topology(Mesh("m", pos, flipped))
    assert len(three.inconsistent_edges) == 2
    assert three.fans[three.welded[0]] == 2


def test_a_flipped_face_breaks_winding(engine):
    pos, tris = cube()
    tris = tris.copy()
    tris[4] = tris[4][::-1]
    found = by_code(run(engine, (pos, tris)))
    assert problems(run(engine, (pos, tris))) == ["G004"]
    (winding,) = found["G004"]
    assert winding.count == 3
    assert 4 in winding.sample["faces"]


def test_inside_out_cube(engine):
    pos, tris = cube()
    found = by_code(run(engine, (pos, tris[:, ::-1].copy())))
    (inside,) = found["G005"]
    assert inside.value == pytest.approx(-1.0)
    assert inside.message == (
        "1 of 1 outer closed shell inside out (signed volume -1 m³; limit: positive)"
    )
    assert len(inside.sample["faces"]) == 12


def test_one_of_two_shells_inside_out():
    pos, tris = merge(cube(), cube(offset=(3, 0, 0)))
    tris = tris.copy()
    tris[12:] = tris[12:, ::-1]
    topo = topology(Mesh("m", pos, tris))
    assert sorted(topo.part_volumes.tolist()) == pytest.approx([-1.0, 1.0])
    assert topo.part_closed.tolist() == [True, True]


def test_degenerate_triangles(engine):
    pos, tris = cube()
    pos = np.vstack([pos, [[0.5, 0, 0], [1e-9, 0, 0]]])  # 8: on the edge 0-1, 9: next to 0
    extra = np.array([[0, 0, 1], [0, 8, 1], [0, 9, 2]])  # repeated, zero area, collapsed
    found = by_code(run(engine, (pos, np.vstack([tris, extra]))))
    (degenerate,) = found["G006"]
    assert degenerate.count == 3
    assert degenerate.message.startswith(
        "3 of 15 triangles degenerate: 1 repeat a vertex index, 1 have two corners within "
    )
    assert degenerate.sample == {"faces": [12, 14, 13]}


def test_duplicate_triangles_whatever_their_winding(engine):
    pos, tris = cube()
    extra = np.array([tris[0], tris[1][::-1]])
    found = by_code(run(engine, (pos, np.vstack([tris, extra]))))
    (dup,) = found["G007"]
    assert dup.count == 2 and dup.sample == {"faces": [12, 13]}


def test_unreferenced_vertices(engine):
    pos, tris = cube()
    pos = np.vstack([pos, [[100, 100, 100], [5, 5, 5]]])
    (loose,) = by_code(run(engine, (pos, tris)))["G008"]
    assert loose.count == 2 and loose.sample == {"vertices": [8, 9]}


def test_nan_and_out_of_range_faces_are_reported_and_left_out(engine):
    pos, tris = cube()
    pos = np.vstack([pos, [[np.nan, 0, 0]]])
    tris = np.vstack([tris, [[0, 1, 8], [0, 1, 42], [-1, 0, 1]]])
    found = by_code(run(engine, (pos, tris)))
    assert found["G009"][0].sample == {"vertices": [8]}
    assert found["G010"][0].count == 2 and found["G010"][0].sample == {"faces": [13, 14]}
    # the cube itself stays closed: the broken faces take no part in topology
    assert problems(found.get("G001", []) + found.get("G003", [])) == []


def test_triangle_soup(engine):
    (soupy,) = by_code(run(engine, soup(*cube())))["G011"]
    assert (soupy.value, soupy.limit, soupy.count) == (1.0, 0.5, 36)
    # split faces and flat-shaded copies are not a soup
    assert "G011" not in by_code(run(engine, split_faces()))
    pos, tris = soup(*cube())
    mesh = Mesh("flat", pos, tris)
    e1 = pos[tris[:, 1]] - pos[tris[:, 0]]
    e2 = pos[tris[:, 2]] - pos[tris[:, 0]]
    normals = np.cross(e1, e2)
    mesh.normals = np.repeat(normals / np.linalg.norm(normals, axis=1)[:, None], 3, axis=0)
    per_quad_pairs = len(topology(mesh).soup_vertices)
    assert per_quad_pairs == 24  # the two triangles of a face still repeat 2 vertices each


def test_floaters_and_parts(engine):
    big, speck = cube(), cube(0.01, (3, 3, 3))
    found = by_code(run(engine, merge(big, speck)))
    (floater,) = found["G012"]
    assert floater.count == 1 and floater.sample["faces"] == list(range(12, 24))
    assert floater.location == pytest.approx([3.0, 3.0, 3.0])
    assert "0.01732 m across" in floater.message
    (parts,) = found["G013"]
    assert parts.count == 2
    # two equal cubes: two parts, no floater
    found = by_code(run(engine, merge(cube(), cube(offset=(3, 0, 0)))))
    assert "G012" not in found and found["G013"][0].count == 2


def test_totals_count_instances(engine):
    asset = asset_of(cube(), soup(*cube()))
    asset.nodes.append(Node("again", np.eye(4), np.eye(4), mesh=1))
    t = totals(asset, weld_tolerance=1e-6)
    assert t["scene"] == {
        "triangles": 36,
        "vertices": 8 + 36 * 2,
        "unique_triangles": 24,
        "unique_vertices": 44,
        "instances": 3,
    }
    assert [m["welded_vertices"] for m in t["meshes"]] == [8, 8]
    (total,) = engine.run(asset, select=["G015"])
    assert total.message == (
        "36 triangles and 80 vertices drawn (24 and 44 in 2 meshes, 3 instances); "
        "largest mesh 'mesh0' has 12 triangles"
    )


def test_topology_is_computed_once_per_mesh_for_all_rules(engine, monkeypatch):
    calls = []
    real = topology_module.weld

    def counting(positions, tolerance):
        calls.append(len(positions))
        return real(positions, tolerance)

    monkeypatch.setattr(topology_module, "weld", counting)
    asset = asset_of(without_quad(0), split_faces())
    engine.run(asset)
    assert calls == [8, 24]  # one weld per mesh, shared by the 13 rules that need it
    engine.run(asset)
    assert calls == [8, 24]
    engine.run(asset, params={"G003": {"weld_tolerance": 1e-3}})  # another tolerance
    assert calls == [8, 24, 8, 24]


def test_empty_and_pointlike_meshes_give_no_crash(engine):
    empty = (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.int32))
    point = (np.zeros((3, 3), np.float32), np.array([[0, 1, 2]]))
    nan = (np.full((3, 3), np.nan, np.float32), np.array([[0, 1, 2]]))
    found = run(engine, empty, point, nan)
    assert "X001" not in {f.code for f in found}
    assert [f.sample for f in found if f.code == "G006"] == [{"faces": [0]}]
    assert "G011" not in {f.code for f in found}  # a collapsed triangle is no soup


def test_cube_quads_are_outward():
    pos, _ = cube()
    for a, b, c, _ in CUBE_QUADS:
        normal = np.cross(pos[b] - pos[a], pos[c] - pos[a])
        centre = (pos[a] + pos[c]) / 2 - 0.5
        assert np.dot(normal, centre) > 0
