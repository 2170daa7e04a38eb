"""The STL loader: binary and ASCII told apart by content, positions merged bit for bit,
broken files refused with the numbers that disagree, and the shared corpus."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import load, stl
from assetlint.model import LoadError
from tests.loaders.make_obj import grid
from tests.loaders.make_stl import write_stl
from tests.shapes import asymmetric_object

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "meshes"
POS, TRIS = asymmetric_object()


@pytest.mark.parametrize("binary", [True, False])
def test_round_trip_is_indexed_like_the_source(tmp_path, binary):
    path = tmp_path / "l.stl"
    write_stl(path, POS, TRIS, binary=binary, name="block")
    asset = load(path)
    (mesh,) = asset.meshes
    # the 12 corners of the L-block, merged back from 60 facet corners, in order of first
    # appearance, so the triangles come back exactly
    assert mesh.vertex_count == 12 and mesh.triangle_count == 20
    order = np.unique(TRIS.ravel(), return_index=True)[1]
    first_seen = TRIS.ravel()[np.sort(order)]
    np.testing.assert_array_equal(mesh.positions, POS[first_seen])
    np.testing.assert_array_equal(first_seen[mesh.triangles], TRIS)
    assert mesh.normals is None and mesh.uvs == [] and mesh.polygon_count == 20
    assert asset.authored.meters_per_unit is None and asset.authored.up_axis is None
    assert asset.format == "stl" and asset.issues == []
    if binary:
        assert mesh.name == "l" and asset.authored.generator == "assetlint test block"
    else:
        assert mesh.name == "block" and asset.authored.generator is None


def test_binary_whose_header_starts_with_solid_is_binary(tmp_path):
    path = tmp_path / "sw.stl"
    write_stl(path, POS, TRIS, header=b"solid angle_block")  # as SolidWorks writes
    asset = load(path)
    assert asset.meshes[0].name == "angle_block" and asset.meshes[0].triangle_count == 20
    assert asset.authored.generator is None  # "solid NAME" is a name, not a tool


def test_header_text_stops_at_magics_colour(tmp_path):
    path = tmp_path / "c.stl"
    write_stl(path, POS, TRIS, header=b"STLB ATF 2.0.0.9000 COLOR=\xa0\xa0\xa0\xff")
    assert load(path).authored.generator == "STLB ATF 2.0.0.9000"


def test_ascii_with_several_solids_gives_a_mesh_each(tmp_path):
    a, b = tmp_path / "a.stl", tmp_path / "b.stl"
    write_stl(a, POS, TRIS, binary=False, name="first part")
    write_stl(b, POS + 1, TRIS[:4], binary=False, name="")
    path = tmp_path / "two.stl"
    path.write_text(a.read_text() + b.read_text())
    asset = load(path)
    assert [(m.name, m.triangle_count, m.vertex_count) for m in asset.meshes] == [
        ("first part", 20, 12),
        ("two", 4, 6),  # no name: the file's
    ]
    assert len(asset.nodes) == 2
    np.testing.assert_allclose(asset.bounds(), [[0.1, 0, -0.05], [1.5, 1.6, 1.15]], atol=1e-6)


def test_ascii_keywords_in_capitals_and_exponents(tmp_path):
    text = (
        "SOLID Up\n FACET NORMAL 0 0 1\n  OUTER LOOP\n"
        "   VERTEX 0 0 0\n   VERTEX 1.5E+01 0 0\n   VERTEX 0 2.5e-1 0\n"
        "  ENDLOOP\n ENDFACET\nENDSOLID Up\n"
    )
    path = tmp_path / "caps.stl"
    path.write_text(text)
    (mesh,) = load(path).meshes
    assert mesh.name == "Up"
    np.testing.assert_array_equal(mesh.positions, [[0, 0, 0], [15, 0, 0], [0, 0.25, 0]])


def test_ascii_without_solid_line_is_one_unnamed_solid(tmp_path):
    path = tmp_path / "bare.stl"
    write_stl(path, POS, TRIS, binary=False)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[1:-1]) + "\n")  # no "solid" / "endsolid" lines
    (mesh,) = load(path).meshes
    assert (mesh.name, mesh.triangle_count, mesh.vertex_count) == ("bare", 20, 12)


def test_only_bit_identical_positions_merge(tmp_path):
    eps = np.float32(1e-7)
    pos = np.array(
        [[0, 0, 0], [1, 0, 0], [0, 1, 0], [-0.0, 0, 0], [1 + eps, 0, 0], [0, 1, 0]],
        dtype=np.float32,
    )
    path = tmp_path / "m.stl"
    write_stl(path, pos, [[0, 1, 2], [3, 4, 5]])
    (mesh,) = load(path).meshes
    # -0.0 merges with 0.0 (as admesh does); 1 + 1e-7 stays apart: welding is a rule's call
    assert mesh.vertex_count == 4
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 3, 2]]


def test_malformed_ascii_facets_are_skipped_and_counted(tmp_path):
    def facet(*vertices: str) -> str:
        corners = "".join(f"vertex {v}\n" for v in vertices)
        return f"facet normal 0 0 1\nouter loop\n{corners}endloop\nendfacet\n"

    good = facet("0 0 0", "1 0 0", "0 1 0")
    short = facet("0 0 0", "1 0 0")
    word = facet("0 0 0", "1 x 0", "0 1 0")
    path = tmp_path / "bad.stl"
    path.write_text(f"solid s\n{good}{short}{good}{word}endsolid s\n")
    asset = load(path)
    assert asset.meshes[0].triangle_count == 2
    assert [(i.code, i.message) for i in asset.issues] == [
        ("L005", "2 malformed facets skipped (not three numeric vertices)")
    ]


def test_a_coordinate_past_float32_range_is_inf_without_a_warning(tmp_path):
    """1e60 does not fit a float32: it becomes inf, which G009 reports; neither the
    loader nor the rules after it print numpy's overflow warnings."""
    import warnings

    from assetlint.engine import Engine

    path = tmp_path / "huge.stl"
    path.write_text(
        "solid x\nfacet normal 0 0 1\nouter loop\nvertex 1e60 0 0\nvertex 1 0 0\n"
        "vertex 0 1 0\nendloop\nendfacet\nendsolid x\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asset = load(path)
        findings = Engine.default().run(asset, None, [], None, {}, {})
    assert np.isinf(asset.meshes[0].positions).any(axis=1).tolist() == [True, False, False]
    assert [f.code for f in findings if f.severity != "info"] == ["G009"]


def test_truncated_binary_names_both_numbers(tmp_path):
    path = tmp_path / "cut.stl"
    write_stl(path, POS, TRIS)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(LoadError, match=r"says 20 triangles \(1,084 bytes\) but the file is 1,054"):
        load(path)


def test_header_claiming_a_billion_triangles_is_refused_at_once(tmp_path):
    path = tmp_path / "liar.stl"
    header = b"x" * 80 + np.array([10**9], dtype="<u4").tobytes()
    path.write_bytes(header + b"\x00" * 500)
    start = time.perf_counter()
    with pytest.raises(LoadError, match=r"1,000,000,000 triangles .* but the file is 584 bytes"):
        load(path)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "file is empty"),
        (b"\x01\x02garbage", "shorter than a binary STL's 84-byte header"),
    ],
)
def test_unreadable_files_raise_load_error(tmp_path, content, message):
    path = tmp_path / "bad.stl"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        stl.load(path)


def test_empty_binary_and_empty_ascii_give_an_empty_mesh(tmp_path):
    binary, ascii_ = tmp_path / "b.stl", tmp_path / "a.stl"
    binary.write_bytes(b"empty".ljust(80) + b"\x00\x00\x00\x00")
    ascii_.write_text("solid nothing\nendsolid nothing\n")
    for path, name in ((binary, "b"), (ascii_, "nothing")):
        (mesh,) = load(path).meshes
        assert (mesh.name, mesh.triangle_count, mesh.vertex_count) == (name, 0, 0)


# --- the shared corpus -------------------------------------------------------------------

# Where our face count legitimately differs from pymeshlab's (trimesh agrees with ours):
PYMESHLAB_DIFFERS = {
    # Two ASCII solids; pymeshlab's reader loses the first facet of the second solid.
    # Each solid is a closed cube of 12 facets.
    "two_objects_mixed_case_names.stl": 24,
}
CORPUS_STLS = sorted(p.name for p in CORPUS.glob("*") if p.suffix.lower() == ".stl")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name", CORPUS_STLS)
def test_corpus_face_and_vertex_counts(name):
    truth = json.loads((CORPUS / "GROUND_TRUTH.json").read_text())[name]
    asset = load(CORPUS / name)
    assert asset.unique_triangle_count == truth["trimesh"]["faces"]
    assert asset.unique_triangle_count == PYMESHLAB_DIFFERS.get(name, truth["pymeshlab"]["faces"])
    # Bit-identical merging gives pymeshlab's vertex count on every file; trimesh merges
    # nearly-equal positions too and counts fewer on angle_block, featuretype and
    # idler_riser.
    assert sum(m.vertex_count for m in asset.meshes) == truth["pymeshlab"]["vertices"]
    size = asset.bounds()[1] - asset.bounds()[0]
    np.testing.assert_allclose(size, truth["trimesh"]["extents"], rtol=1e-6, atol=1e-6)
    assert asset.issues == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_names_and_generators():
    """Facts read off the files by hand."""
    angle = load(CORPUS / "angle_block.STL")  # binary, header "solid angle_block"
    assert angle.meshes[0].name == "angle_block" and angle.authored.generator is None
    teapot = load(CORPUS / "teapot.stl")
    assert teapot.authored.generator == "Binary STL output from Blender: /home/phooky/teapot.stl"
    multi = load(CORPUS / "multibody.stl")  # ASCII, two solids
    assert [(m.name, m.triangle_count) for m in multi.meshes] == [("bodyB", 12), ("bodyA", 20)]


# --- speed ---------------------------------------------------------------------------------


def test_million_triangle_binary_stl_loads_in_seconds(tmp_path):
    """1,002,528 triangles (50 MB): about 1 s of CPU on the 2-core development machine,
    most of it merging 3 million corners; the bound is loose for slower CI runners."""
    positions, triangles = grid(708)
    path = tmp_path / "big.stl"
    write_stl(path, positions, triangles)
    start = time.process_time()  # CPU time: other processes on the runner do not count
    (mesh,) = load(path).meshes
    elapsed = time.process_time() - start
    assert mesh.triangle_count == len(triangles) and mesh.vertex_count == len(positions)
    assert elapsed < 5.0, f"{elapsed:.1f} s of CPU"


def _merged_exactly(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """merge_positions' answer from an exact row grouping (np.unique), for comparison."""
    c = np.ascontiguousarray(corners, dtype=np.float32) + np.float32(0.0)
    _, first, inverse = np.unique(c.view(np.uint32), axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return c[np.sort(first)], rank[inverse.reshape(-1)].reshape(-1, 3)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("collide", [False, True])
def test_merge_positions_equals_an_exact_grouping_even_when_every_hash_collides(
    monkeypatch, collide
):
    """The hash only speeds the grouping up: with a hash that puts every position in one
    bucket, the regrouping of collided rows gives the same positions, order and triangles."""
    if collide:
        monkeypatch.setattr(stl, "_K1", np.uint64(0))
        monkeypatch.setattr(stl, "_K2", np.uint64(0))
    for name in ("teapot.stl", "angle_block.STL", "multibody.stl"):
        for mesh in load(CORPUS / name).meshes:
            corners = mesh.positions[mesh.triangles].reshape(-1, 3)
            corners[::7] = -0.0  # signed zeros merge with zeros
            positions, triangles = stl.merge_positions(corners)
            want_positions, want_triangles = _merged_exactly(corners)
            assert np.array_equal(positions, want_positions)
            assert np.array_equal(triangles, want_triangles)
            assert triangles.dtype == np.int32
