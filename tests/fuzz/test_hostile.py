"""Named hostile inputs, each with the exact load error or finding it must give: the absurd
counts, cycles, nesting, NaN transforms and USDZ tricks the fuzzer aims at, and one
regression case per bug the fuzzer found."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import load
from assetlint.model import Asset, LoadError
from tests.fuzz.harness import check_file
from tests.fuzz.mutations import with_bomb


def variant(seed: Path, name: str, data: bytes | str) -> Path:
    """A mutated copy beside the seed (so its buffers, textures and layers resolve)."""
    path = seed.with_name(name + seed.suffix)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def issues(asset: Asset) -> list[tuple[str, str]]:
    return [(i.code, i.message) for i in asset.issues]


def gltf_edit(seeds: dict[str, Path], name: str, edit) -> Path:
    doc = json.loads(seeds["gltf"].read_bytes())
    edit(doc)
    return variant(seeds["gltf"], name, json.dumps(doc))


# --- absurd counts ------------------------------------------------------------------------


def test_accessor_claiming_2_to_the_31_elements(seeds):
    path = gltf_edit(seeds, "huge", lambda d: d["accessors"][0].update(count=2**31))
    assert (
        "L005",
        "mesh 'cube' primitive 0 not read: accessor 0 needs 25769803776 bytes of its "
        "bufferView, which has 96",
    ) in issues(load(path))


def test_buffer_view_past_the_buffer(seeds):
    path = gltf_edit(seeds, "past", lambda d: d["bufferViews"][1].update(byteOffset=10**6))
    assert (
        "L005",
        "mesh 'cube' primitive 0 not read: bufferView 1 spans bytes 1000000..1000096 but "
        "its buffer holds 472",
    ) in issues(load(path))


def test_stl_header_claiming_a_billion_triangles(seeds):
    data = seeds["stl_binary"].read_bytes()
    path = variant(seeds["stl_binary"], "billion", data[:80] + struct.pack("<I", 10**9) + data[84:])
    with pytest.raises(LoadError, match="^binary STL header says 1,000,000,000 triangles "):
        load(path)


def test_obj_face_index_of_10_to_the_12(seeds, engine):
    text = seeds["obj"].read_text().replace("l 1 2\n", "f 1000000000000 1 2\n")
    asset = load(variant(seeds["obj"], "far", text))
    assert issues(asset)[0] == (
        "L005",
        "1 face corners reference a vertex index out of range (1..8); kept as invalid indices",
    )
    assert [f.count for f in engine.run(asset, select=["G010"])] == [1]


# --- structure ----------------------------------------------------------------------------


def test_cycle_in_the_node_hierarchy(seeds):
    path = gltf_edit(seeds, "cycle", lambda d: d["nodes"][0].update(children=[1]))
    with pytest.raises(LoadError, match="^cycle in the node hierarchy: node 0 is its own ancestor"):
        load(path)


def test_json_nested_a_hundred_thousand_deep(seeds):
    text = seeds["gltf"].read_text().replace('"scene": 0', '"extras": ' + "[" * 10**5 + "]" * 10**5)
    with pytest.raises(LoadError, match="^invalid JSON: nested too deeply$"):
        load(variant(seeds["gltf"], "deep", text))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("matrix", [float("nan")] * 16),
        ("translation", [0, float("inf"), 0]),
        ("scale", [10**400] * 3),
    ],
)
def test_non_finite_node_transform_is_reported_and_identity_used(seeds, engine, field, value):
    """Found by the fuzzer: a NaN matrix reached O006, whose SVD raised (X001)."""

    def edit(doc):
        doc["nodes"][0].pop("matrix")
        doc["nodes"][0][field] = value

    path = gltf_edit(seeds, "nan", edit)
    path.write_text(path.read_text().replace("1e+400", "1" + "0" * 400))  # JSON int, > float
    asset = load(path)
    assert ("L005", f"node 'node0': {field} holds NaN or infinite values; identity used") in (
        issues(asset)
    )
    np.testing.assert_array_equal(asset.nodes[1].local, np.eye(4))
    assert check_file(path, engine) == "loaded"  # no rule crashed


def test_rules_skip_a_non_finite_world_transform(seeds, engine):
    """Whatever a loader lets through, O005/O006 judge only finite transforms."""
    asset = load(seeds["glb"])
    asset.nodes[0].world = np.full((4, 4), np.nan)
    findings = engine.run(asset, select=["O005", "O006", "X001"])
    assert [f.subject for f in findings] == ["node0"]  # the child, scaled 1/2/1 by its parent


# --- USDZ ---------------------------------------------------------------------------------


def members(package: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def package(entries: list[tuple[str, bytes]], deflated: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in entries:
            kind = zipfile.ZIP_DEFLATED if name in deflated else zipfile.ZIP_STORED
            z.writestr(name, body, compress_type=kind)
    return out.getvalue()


def test_zip_bomb_member_is_reported_never_inflated(seeds, tmp_path):
    path = tmp_path / "bomb.usdz"
    path.write_bytes(with_bomb(seeds["usdz"].read_bytes(), first=False))
    asset = load(path)
    assert ("L005", "package member 'bomb.usda' is compressed (65,232 bytes that claim to "
            "expand to 67,108,864); USDZ members are stored uncompressed, so it is not read"
            ) in issues(asset)  # fmt: skip


def test_compressed_texture_in_a_usdz_is_refused_not_inflated(seeds, tmp_path, monkeypatch):
    entries = members(seeds["usdz"].read_bytes())
    entries.append(("red.png", seeds["usdz"].with_name("red.png").read_bytes()))
    path = tmp_path / "deflated.usdz"
    path.write_bytes(package(entries, deflated=("red.png",)))
    monkeypatch.setattr(zipfile.ZipFile, "read", None)  # nothing may inflate a member here
    asset = load(path)
    refused = [m for c, m in issues(asset) if "'red.png' is compressed" in m]
    assert len(refused) == 2  # the package check, and the texture that names it
    assert [t.source for t in asset.textures] == ["missing"]


@pytest.mark.parametrize("name", ["../part.usda", "/part.usda", "C:/part.usda", "a/../../x"])
def test_member_names_that_leave_the_package(seeds, tmp_path, name):
    entries = members(seeds["usdz"].read_bytes())
    entries[1] = (name, entries[1][1])
    path = tmp_path / "names.usdz"
    path.write_bytes(package(entries))
    assert (
        "L006",
        f"package member {name!r} has a path that leaves the package; not opened",
    ) in issues(load(path))
    assert not (tmp_path.parent / "part.usda").exists() and not Path("/part.usda").exists()


# --- regressions from the fuzzer ----------------------------------------------------------


def test_usda_with_bytes_that_are_not_utf8(seeds):
    """USD's error message quoted the bad bytes and its binding raised UnicodeDecodeError."""
    text = seeds["usda"].read_bytes().replace(b"#usda 1.0", b"#usda\x80 1.0", 1)
    with pytest.raises(LoadError, match="^USD could not read the file: "):
        load(variant(seeds["usda"], "latin", text))


def test_usd_attribute_of_an_unknown_type(seeds):
    """``nt[] faceVertexIndices`` (a truncated type name) came back as UnregisteredValue."""
    text = (
        seeds["usda"]
        .read_text()
        .replace("        int[] faceVertexIndices", "nt[] faceVertexIndices")
    )
    asset = load(variant(seeds["usda"], "typo", text))
    assert issues(asset)[:2] == [
        ("L005", "faceVertexIndices holds UnregisteredValue values, not numbers; ignored"),
        (
            "L005",
            "faceVertexCounts asks for 7 corners but faceVertexIndices has 0; 2 faces dropped",
        ),
    ]


def test_fbx_reader_warnings_are_load_issues(seeds):
    """ufbx warnings came as (kind, text, count) and were read as (kind, count, text)."""
    text = seeds["fbx_ascii"].read_bytes().replace(b'"assetlint tests"', b'"\xe1ssetlint"')
    asset = load(variant(seeds["fbx_ascii"], "latin", text))
    assert ("L005", "ufbx: Bad UTF-8 string") in issues(asset)


def test_reference_with_a_nul_character(seeds):
    """``subLayers = [@\\0extra.usda@]`` reached os.path.realpath, which raised ValueError."""
    text = seeds["usda"].read_text().replace("@extra.usda@", "@\0extra.usda@")
    asset = load(variant(seeds["usda"], "nul", text))
    assert ("L005", "layer '\\x00extra.usda' holds a NUL character; not a path, not opened") in (
        issues(asset)
    )


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_usd_meters_per_unit_that_is_not_positive(seeds, value):
    """``metersPerUnit = 0`` made the unit conversion singular (LinAlgError)."""
    text = seeds["usda"].read_text().replace("metersPerUnit = 0.01", f"metersPerUnit = {value}")
    asset = load(variant(seeds["usda"], "mpu", text))
    shown = {"nan": "nan", "inf": "inf"}.get(value, value)
    assert (
        "L005",
        f"metersPerUnit is {shown}, not a positive number; read as USD's fallback of 0.01 m "
        "per unit (centimetres)",
    ) in issues(asset)
    assert asset.authored.meters_per_unit is None
    assert np.isfinite(asset.nodes[0].world).all()


def test_usdc_that_composes_but_cannot_be_validated(seeds, engine):
    """A flipped bit in a usdc left an empty property name: the stage opens,
    UsdValidation raised Tf.ErrorException and every U rule crashed (X001)."""
    data = bytearray(seeds["usdc"].read_bytes())
    data[173] ^= 0x01
    asset = load(variant(seeds["usdc"], "flip", bytes(data)))
    findings = engine.run(asset, select=["U", "X001"])
    assert [f.code for f in findings] == ["U010"]
    assert findings[0].message.startswith("UsdValidation: UsdValidation could not run: ")


def test_usdz_whose_first_member_is_corrupt_deflate(seeds, tmp_path):
    """Reading the root layer's first bytes raised zlib.error."""
    entries = members(seeds["usdz"].read_bytes())
    data = bytearray(package(entries, deflated=(entries[0][0],)))
    data[60:64] = b"\xff\xff\xff\xff"  # inside the first member's deflate stream
    (path := tmp_path / "corrupt.usdz").write_bytes(bytes(data))
    with pytest.raises(LoadError, match="^not a readable USDZ package: Error -3 while decomp"):
        load(path)


def test_usd_face_count_of_2_to_the_31(seeds, engine):
    """``faceVertexCounts = [2147483647, -1, 0]`` made the corner-to-face table repeat a
    face 2**31 times (16 GiB)."""
    text = seeds["usda"].read_text().replace("[4, 3]", "[2147483647, -1, 0]")
    path = variant(seeds["usda"], "count", text)
    assert check_file(path, engine) == "loaded"  # within the harness's memory bound
    assert (
        "L005",
        "faceVertexCounts asks for 2147483647 corners but faceVertexIndices has 7; 3 faces dropped",
    ) in issues(load(path))


def test_usd_negative_face_count(seeds):
    """``faceVertexCounts = [4, -300, 3]`` moved the next face's first corner to -296
    (IndexError); a negative count now takes no corners."""
    text = seeds["usda"].read_text().replace("[4, 3]", "[4, -300, 3]")
    asset = load(variant(seeds["usda"], "negative", text))
    quad = next(m for m in asset.meshes if m.name == "/World/Quad")
    assert quad.triangles.tolist() == [[0, 1, 2], [0, 2, 3], [0, 1, 4]]
    assert ("L005", "1 faces with fewer than 3 corners dropped") in issues(asset)


def test_usd_texture_file_of_an_unknown_type(seeds):
    """``isset inputs:file = @red.png@`` (a mangled type) has no asset path to read."""
    text = seeds["usda"].read_text().replace("asset inputs:file", "isset inputs:file")
    asset = load(variant(seeds["usda"], "isset", text))
    assert (
        "L005",
        "material /World/Looks/Red: inputs:file is not an asset path; ignored",
    ) in issues(asset)
