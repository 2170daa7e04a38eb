"""The manifold step (G001, G002): fins deleted, surfaces that only touch separated on the
welded topology the rules judge (so the relint agrees), what cannot be separated without
cutting the surface left and said; what was kept is asserted beside what was repaired."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.engine import Engine
from assetlint.fix import FixContext, apply_fixes
from assetlint.fix.harm import shell_counts
from assetlint.geometry.topology import topology
from tests.fix.test_harm import GENERATED, mapped_colour_difference, relint, run, shared
from tests.rules.meshes import asset_of, cube, merge


def fix_manifold(asset) -> list[str]:
    """Lint, then run only the manifold step (with its harm check); its lines."""
    engine = Engine.default()
    ctx = FixContext(engine.run(asset), engine.rules)
    applied = apply_fixes(asset, ctx, select=["G001", "G002"])
    return [line for item in applied for line in item.changes]


def defects(asset) -> tuple[int, int, int]:
    """(non-manifold edges, bow-tie vertices, open edges) of the first mesh."""
    topo = topology(asset.meshes[0])
    return (
        len(topo.nonmanifold_edges),
        len(topo.nonmanifold_vertices),
        len(topo.boundary_edges),
    )


def test_two_cubes_sharing_an_edge_are_separated_into_two_closed_shells():
    asset = asset_of(merge(cube(), cube(offset=(1, 1, 0))))
    assert defects(asset) == (1, 0, 0)  # 4 faces on the edge; its ends are not bow-ties
    lines = fix_manifold(asset)
    assert lines == [
        "mesh0: separated surfaces that only touched: 1 non-manifold edge and 0 bow-tie "
        "vertices fewer; 2 vertices split into one per fan of faces (0 vertices added), "
        "each part moved 1.6e-05 of the mesh's diagonal toward its own faces"
    ]
    assert defects(asset) == (0, 0, 0)
    # kept: both solids, closed and outward, no face lost, nothing moved but the edge's
    # two ends, by 16 weld tolerances
    assert shell_counts(asset) == {"outward": 2, "inward": 0, "cavity": 0, "hidden": 0}
    mesh = asset.meshes[0]
    assert mesh.triangle_count == 24 and mesh.vertex_count == 16
    original = merge(cube(), cube(offset=(1, 1, 0)))[0]
    step = mesh.positions - original
    moved = np.flatnonzero(np.linalg.norm(step, axis=1))
    diagonal = np.sqrt(4 + 4 + 1)
    assert np.linalg.norm(step, axis=1).max() <= 16e-6 * diagonal * 1.001
    # the edge's two ends in each cube (their vertices were already apart in the index
    # buffer, together in position), each moved into its own cube
    assert moved.tolist() == [3, 7, 8, 12]
    assert (step[[3, 7], :2] < 0).all() and (step[[8, 12], :2] > 0).all()


def test_two_cubes_touching_at_a_corner_are_split_at_the_bow_tie():
    asset = asset_of(merge(cube(), cube(offset=(1, 1, 1))))
    assert defects(asset) == (0, 1, 0)
    (line,) = fix_manifold(asset)
    assert "0 non-manifold edges and 1 bow-tie vertex fewer; 1 vertex split" in line
    assert defects(asset) == (0, 0, 0)
    assert shell_counts(asset)["outward"] == 2


def fin_on_cube(height: float):
    """The cube with one triangle standing on its edge 0-1, ``height`` out of the face."""
    pos, tris = cube()
    pos = np.vstack([pos, [[0.5, -height, 0.0]]]).astype(np.float32)
    return pos, np.vstack([tris, [[0, 1, 8]]]).astype(np.int32)


def test_a_fin_is_deleted_without_opening_a_hole():
    # 0.001 of area against the cube's 6: debris by G012's measure (0.1% of the largest
    # part), hanging off an edge of the surface
    asset = asset_of(fin_on_cube(0.002))
    assert defects(asset) == (1, 0, 2)
    lines = fix_manifold(asset)
    assert lines == [
        "mesh0: deleted 1 fin (1 triangle) hanging off non-manifold edges, no hole opened"
    ]
    assert defects(asset) == (0, 0, 0)
    assert asset.meshes[0].triangle_count == 12  # the cube whole
    assert shell_counts(asset)["outward"] == 1


def test_a_sheet_too_large_to_be_a_fin_is_left_and_said():
    # a quarter of a face's area standing on the edge: not debris, and separating it
    # would cut the cube open along the edge
    asset = asset_of(fin_on_cube(0.5))
    before = asset.meshes[0].positions.copy(), asset.meshes[0].triangles.copy()
    lines = fix_manifold(asset)
    assert lines == [
        "mesh0: not repairable here: 1 non-manifold edge left where a sheet ends on a "
        "surface that runs on through the edge: separating them would cut the surface open"
    ]
    mesh = asset.meshes[0]
    assert np.array_equal(mesh.positions, before[0])
    assert np.array_equal(mesh.triangles, before[1])


MESHY = GENERATED / "meshy_dahee-character-animated" / "Meshy_Merged_Animations.glb"
ORNAMENT = GENERATED / "trellis_gendb-ornament" / "mesh.glb"
FOX = next(iter(sorted((GENERATED / "tripo_raptureio-fox-rigged").glob("*.gltf"))), None)
BIRD = GENERATED / "unirig_bird-rigged" / "bird.fbx"
SET_SQUARE = GENERATED / "dreamgaussian_coconut-set-square" / "set_square_DG_mesh.glb"
PERSON = GENERATED / "meshgpt_vsekai-person" / "output.glb"


@shared
def test_fix_separates_the_meshy_character_and_says_what_it_cannot(tmp_path, capsys):
    """Before: 25 non-manifold edges and 65 bow-ties, all left (MeshLab's split without a
    displacement was re-welded by the relint; deleting the faces opened holes). Now 9
    fins go, 16 edges and every bow-tie are separated; the 9 edges left and the 12
    inconsistent edges on the body's one-sided patch are said, not claimed."""
    out = tmp_path / "meshy.glb"
    run(str(MESHY), "--target", "unity", "--output", str(out))
    printed = capsys.readouterr().out
    assert (
        "manifold (G001, G002): char1: deleted 9 fins (13 triangles) hanging off "
        "non-manifold edges, no hole opened\n" in printed
    )
    assert (
        "22 non-manifold edges and 65 bow-tie vertices fewer; 71 vertices split into one per "
        "fan of faces (5 vertices added), 5 edges pinched between two walls cut in two at "
        "the middle, each part moved 1.6e-05 of the mesh's diagonal" in printed
    )
    assert (
        "char1: not repairable here: 3 non-manifold edges left where a sheet ends on a "
        "surface that runs on through the edge: separating them would cut the surface open\n"
        in printed
    )
    assert (
        "winding (G004, G005): char1: not repairable here: 12 edges wound the same way by "
        "both faces left on 1 one-sided patch (9,679 triangles, twisted like a Moebius "
        "strip): no choice of flips orients it\n" in printed
    )
    assert "undone" not in printed and "new:" not in printed
    assert "fixed: G002, G005, G012\n" in printed
    # H002: the occlusion Meshy painted into its albedo, found before and after the fix
    assert relint(out, "unity") == {"G001", "G004", "H002", "H003", "H004", "H005"}
    # kept: the texture's colour over the surface, and no hole opened (242 open edges in,
    # fewer out: the fins' and the floaters' own edges went with them)
    assert np.median(mapped_colour_difference(load_(MESHY), load_(out))) < 0.02
    assert len(topology(load_(out).meshes[0]).boundary_edges) < 242


def load_(path):
    from assetlint.loaders import load

    return load(path)


@shared
@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        # (non-manifold edges, bow-ties, open edges) of the first mesh before and after
        (ORNAMENT, (26, 10, 37), (0, 0, 21)),  # 2 edges were left before _alternating
        (FOX, (2, 0, 8), (0, 0, 4)),
        (SET_SQUARE, (0, 3, 10), (0, 0, 10)),
        # 70 bow-ties were left before fans lying along one another moved farther
        (PERSON, (3, 663, 3135), (2, 3, 3133)),
    ],
)
def test_manifold_on_real_generator_outputs(path, before, after):
    from assetlint.loaders import load

    asset = load(path)
    index = next(i for i, m in enumerate(asset.meshes) if m.triangle_count)
    first = asset.meshes[index]
    topo = topology(first)
    counts = (len(topo.nonmanifold_edges), len(topo.nonmanifold_vertices))
    assert (*counts, len(topo.boundary_edges)) == before
    shells = shell_counts(asset)
    fix_manifold(asset)
    topo = topology(asset.meshes[index])
    counts = (len(topo.nonmanifold_edges), len(topo.nonmanifold_vertices))
    assert (*counts, len(topo.boundary_edges)) == after
    # no cavity or hidden shell lost, no outer shell turned inside out
    now = shell_counts(asset)
    assert now["cavity"] == shells["cavity"] and now["hidden"] >= shells["hidden"]
    assert now["inward"] <= shells["inward"]


@shared
def test_a_bow_tie_on_a_hole_s_rim_is_left_to_the_holes_step(tmp_path, capsys):
    """The set square's 10-edge hole passes twice through one vertex. Split first, its two
    halves were filled apart and the fill crossed the surface (a new P001 for print, and
    the crack's fold left G004); left to the holes step, the hexagon is filled and the
    crack joined, as before. The other two bow-ties are split."""
    out = tmp_path / "square.glb"
    run(str(SET_SQUARE), "--target", "print", "--output", str(out))
    printed = capsys.readouterr().out
    assert (
        "manifold (G002): mesh0: 1 bow-tie vertex where a hole's rim passes twice left to "
        "the holes step: closing the hole joins the fans\n" in printed
    )
    assert "0 non-manifold edges and 2 bow-tie vertices fewer" in printed
    assert "mesh0: closed 1 crack folded over an edge by joining the edge's ends\n" in printed
    assert "new:" not in printed and "undone" not in printed
    # the fill closed each fan's side of the vertex apart, so the holes step splits it
    assert (
        "holes (G003): mesh0: split 1 bow-tie vertex on a hole's rim that closing the hole "
        "did not join: 1 vertex into one per fan of faces (2 vertices added)\n" in printed
    )
    assert relint(out, "print") == {"H007", "S001", "S004", "S006"}


@shared
def test_rim_bow_ties_the_holes_step_did_not_close_are_split(tmp_path, capsys):
    """The bird for print: 3 bow-ties on holes' rims were left to the holes step; MeshLab
    closed one of the holes, and two 6-edge holes stayed open with a bow-tie on each (G002
    on the relint). The holes step now splits them as the manifold step would have: the
    holes stay as they were (G003 still reported, 12 open edges), no bow-tie is left."""
    out = tmp_path / "bird.glb"
    run(str(BIRD), "--target", "print", "--output", str(out))
    printed = capsys.readouterr().out
    assert (
        "holes (G003): mesh.057: split 2 bow-tie vertices on a hole's rim that closing the "
        "hole did not join: 2 vertices into one per fan of faces (1 vertex added)\n" in printed
    )
    assert "new:" not in printed and "undone" not in printed
    assert relint(out, "print") == {"G003", "P001", "P002", "S001", "S004", "S006"}
    mesh = next(m for m in load_(out).meshes if m.name == "mesh.057")
    topo = topology(mesh)
    assert (len(topo.nonmanifold_vertices), len(topo.boundary_edges)) == (0, 12)


@shared
def test_bow_ties_whose_fans_lie_along_one_another_are_moved_farther(tmp_path, capsys):
    """MeshGPT's triangle soup: slivers sharing a corner, their directions 1-15 degrees
    apart, so copies moved 16 weld tolerances toward their faces were welded again by the
    relint (68 bow-ties left). They now move until the copies are 8 tolerances apart, at
    most 5.12e-4 of the diagonal (a tenth of a pixel at the harm check's 256 px): 2 left,
    each two slivers crossing with one centre, said. Kept: no step undone, nothing new."""
    out = tmp_path / "person.glb"
    run(str(PERSON), "--target", "unity", "--output", str(out))
    printed = capsys.readouterr().out
    assert (
        "each part moved 1.6e-05 of the mesh's diagonal toward its own faces (173 vertices "
        "whose fans lie along one another up to 0.00048, so the copies stay apart)\n" in printed
    )
    assert (
        "not repairable here: 2 bow-tie vertices left whose fans lie too closely along one "
        "another to be moved apart\n" in printed
    )
    assert "new:" not in printed and "undone" not in printed
    assert relint(out, "unity") == {"G001", "G002", "G003", "M002", "S006"}
    topo = topology(load_(out).meshes[0])
    assert len(topo.nonmanifold_vertices) == 2


@shared
@pytest.mark.parametrize("target", ["unity", "print"])
def test_edges_whose_faces_face_into_the_thin_wedges_are_paired_by_their_runs(
    tmp_path, capsys, target
):
    """TRELLIS's ornament: two 4-face edges beside a sliver, whose faces face into the
    thin wedges between them, so no two bound a wedge of material: left as "a sheet ends
    on a surface", G001 stayed on the relint. Paired instead by the one pairing of angle
    neighbours that runs the edge in opposite directions, each pair is a consistently
    wound manifold edge. Kept: the texture's colour, the closed shells (no cavity or
    hidden shell lost, none inside out), no step undone."""
    out = tmp_path / f"ornament.{target}.glb"
    run(str(ORNAMENT), "--target", target, "--output", str(out))
    printed = capsys.readouterr().out
    assert (
        "separated surfaces that only touched: 26 non-manifold edges and 9 bow-tie vertices "
        "fewer; 33 vertices split into one per fan of faces (2 vertices added), 2 edges "
        "pinched between two walls cut in two at the middle" in printed
    )
    assert "not repairable here" not in printed and "undone" not in printed
    # H002 sits at its threshold on this file (sampling noise, issue 17): not asserted here
    codes = {"unity": {"H003", "H004", "S006"}, "print": {"P001", "P002", "S004", "S006"}}
    assert relint(out, target) - {"H002"} == codes[target]
    assert np.median(mapped_colour_difference(load_(ORNAMENT), load_(out))) < 0.02
    before, after = shell_counts(load_(ORNAMENT)), shell_counts(load_(out))
    assert after["cavity"] == before["cavity"] and after["hidden"] >= before["hidden"]
    assert after["inward"] == 0
