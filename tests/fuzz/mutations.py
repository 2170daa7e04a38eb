"""Hypothesis strategies that mutate a valid seed file into hostile input.

Every format gets the blind byte mutations (truncation, bit flips, inserted and deleted
bytes, 32/64-bit fields overwritten with boundary values); each also gets edits that
know its structure, since blind bytes rarely get past a parser: JSON edits for glTF (and
the JSON chunk of a GLB, re-framed), header counts for GLB and STL, absurd numbers and
lines for the text formats, deep nesting, cycles in the node hierarchy, and zip tricks
(``../`` and absolute member names, a zip bomb, compressed or nested members) for USDZ.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

INTERESTING_INTS = (0, 1, 255, 2**15, 2**16 - 1, 2**31 - 1, 2**31, 2**32 - 1, 10**9)
ABSURD_NUMBERS = (
    "1000000000000", "-1000000000000", "2147483648", "-2147483649", "4294967296",
    "99999999999999999999999", "nan", "-nan", "inf", "-inf", "1e308", "-1e308", "1e-320",
    "0", "-0", "-1",
)  # fmt: skip
HOSTILE_PATHS = (
    "../outside.bin", "../../../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini",
    "http://example.invalid/x.png", "https://example.invalid/x.bin", "file:///etc/passwd",
    "\\\\server\\share\\x.png", "a/../../x", "%2e%2e/x", "", "nul", "\x00",
)  # fmt: skip
JSON_VALUES: tuple[Any, ...] = (
    2**31, 2**32, 2**53, 2**64, 10**12, -1, -(2**31), 0, 0.5, 1e308, -1e308,
    float("nan"), float("inf"), None, True, "", [], {}, [0] * 64, {"a": {"b": {}}},
    "data:application/octet-stream;base64,@@@", "data:", *HOSTILE_PATHS,
)  # fmt: skip
DEEP = "<deep {}>"  # a value nested that many arrays deep
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _offset(draw: Callable, data: bytes, end: int = 0) -> int:
    return draw(st.integers(0, max(0, len(data) - 1 - end)))


# --- blind byte mutations ----------------------------------------------------------------


def truncate(draw: Callable, data: bytes) -> bytes:
    return data[: _offset(draw, data)]


def flip_bits(draw: Callable, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        i = _offset(draw, out)
        out[i] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def insert_bytes(draw: Callable, data: bytes) -> bytes:
    i = _offset(draw, data)
    return data[:i] + draw(st.binary(min_size=1, max_size=16)) + data[i:]


def delete_bytes(draw: Callable, data: bytes) -> bytes:
    i = _offset(draw, data)
    return data[:i] + data[i + draw(st.integers(1, 64)) :]


def duplicate_slice(draw: Callable, data: bytes) -> bytes:
    i = _offset(draw, data)
    piece = data[i : i + draw(st.integers(1, 256))]
    return data[:i] + piece * draw(st.integers(2, 50)) + data[i + len(piece) :]


def overwrite_int(draw: Callable, data: bytes) -> bytes:
    """A 32- or 64-bit little-endian field set to a boundary value (counts, offsets and
    lengths in binary formats)."""
    fmt = draw(st.sampled_from(("<I", "<Q", "<i")))
    size = struct.calcsize(fmt)
    if len(data) < size:
        return data
    i = _offset(draw, data, size - 1)
    if draw(st.booleans()):
        i -= i % 4
    value = draw(st.sampled_from(INTERESTING_INTS))
    value = value if fmt != "<i" else -value if value < 2**31 else -1
    return data[:i] + struct.pack(fmt, value) + data[i + size :]


BYTE_OPS = (truncate, flip_bits, insert_bytes, delete_bytes, duplicate_slice, overwrite_int)


# --- text formats -------------------------------------------------------------------------


def absurd_number(draw: Callable, data: bytes) -> bytes:
    """One number in the text (a count, an index, a coordinate) made absurd."""
    spans = [m.span() for m in _NUMBER.finditer(data)]
    if not spans:
        return data
    a, b = draw(st.sampled_from(spans))
    return data[:a] + draw(st.sampled_from(ABSURD_NUMBERS)).encode() + data[b:]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def drop_line(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"\n".join(lines)


def repeat_line(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    i = draw(st.integers(0, len(lines) - 1))
    lines[i:i] = [lines[i]] * draw(st.integers(1, 200))
    return b"\n".join(lines)


def swap_lines(draw: Callable, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _insert_line(lines_of: tuple[str, ...]) -> Callable[[Callable, bytes], bytes]:
    def insert_line(draw: Callable, data: bytes) -> bytes:
        lines = _lines(data)
        line = draw(st.sampled_from(lines_of))
        if "{path}" in line:
            line = line.replace("{path}", draw(st.sampled_from(HOSTILE_PATHS)))
        lines.insert(draw(st.integers(0, len(lines))), line.encode("utf-8", "surrogatepass"))
        return b"\n".join(lines)

    return insert_line


TEXT_OPS = (absurd_number, drop_line, repeat_line, swap_lines)

OBJ_LINES = (
    "f 1000000000000 1 2", "f -1000000000000 1 2", "f 0 0 0", "f 1/1000000000000/1 2 3",
    "f 1 2", "f", "v nan nan nan", "v inf -inf 1e308", "v 1", "vt nan", "vn", "usemtl",
    "usemtl " + "x" * 5000, "mtllib {path}", "mtllib seed.obj", "o", "g a b c", "s off",
    "f " + " ".join(["1"] * 100000), "l 1 1000000000000", "p -5", "#" * 10000,
)  # fmt: skip
USDA_LINES = (
    '    subLayers = [@{path}@]',
    'def "R" (prepend references = @{path}@) {}',
    'def "P" (prepend payload = @{path}@</X>) {}',
    'def "S" (prepend references = @seed.usda@) {}',  # the layer referencing itself
    'def "C" (prepend references = </World>) {}',
    "    int[] faceVertexIndices = [1000000000000, -5, 2147483647]",
    "    int[] faceVertexCounts = [2147483647, -1, 0]",
    "    matrix4d xformOp:transform = ((nan, 0, 0, 0), (0, inf, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1))",
    '    uniform token[] xformOpOrder = ["xformOp:transform"]',
    "    double metersPerUnit = nan",
    '    upAxis = "W"',
    "    asset inputs:file = @{path}@",
    "".join('def Xform "n" {\n' for _ in range(400)) + "}\n" * 400,
)  # fmt: skip
FBX_LINES = (
    "\tVertices: *1000000000000 {",
    "\tPolygonVertexIndex: *3 {\n\t\ta: 0,1,-1000000000000\n\t}",
    '\t\tP: "UnitScaleFactor", "double", "Number", "",nan',
    '\t\tP: "UpAxis", "int", "Integer", "",7',
    '\tRelativeFilename: "{path}"',
    '\tFileName: "{path}"',
    '\tC: "OO",1000,1000',
    "{" * 2000 + "}" * 2000,
)  # fmt: skip
STL_LINES = (
    "facet normal nan nan nan", "vertex 1e308 -1e308 nan", "vertex 1", "outer loop",
    "endloop", "endfacet", "solid", "endsolid",
)  # fmt: skip


# --- glTF ---------------------------------------------------------------------------------


def _json_paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into the document (dict keys and list indices), the root excluded."""
    out = []
    if isinstance(doc, dict):
        items: Any = doc.items()
    else:
        items = enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        out.append((*prefix, key))
        out += _json_paths(value, (*prefix, key))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def json_edit(draw: Callable, doc: Any) -> Any:
    """One edit: a value replaced (by a huge count, NaN, a hostile URI...), a key deleted,
    a node hierarchy made cyclic, or a value wrapped in deep nesting."""
    paths = _json_paths(doc)
    kind = draw(st.sampled_from(("set", "set", "set", "delete", "cycle", "deep", "matrix")))
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if kind == "cycle" and isinstance(nodes, list) and nodes:
        i = draw(st.integers(0, len(nodes) - 1))
        j = draw(st.integers(0, len(nodes) - 1))
        if isinstance(nodes[i], dict):
            nodes[i]["children"] = [j]
        return doc
    if kind == "matrix" and isinstance(nodes, list) and nodes and isinstance(nodes[0], dict):
        value = draw(st.sampled_from((float("nan"), float("inf"), 1e308, 0.0)))
        nodes[0]["matrix"] = [value] * 16
        return doc
    if not paths:
        return doc
    path = draw(st.sampled_from(paths))
    parent = _parent(doc, path)
    if kind == "delete":
        del parent[path[-1]]
    elif kind == "deep":  # spliced in as text: json.dumps itself recurses
        parent[path[-1]] = DEEP.format(draw(st.integers(100, 100_000)))
    else:
        parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(JSON_VALUES)))  # later edits
    return doc


def gltf_json(draw: Callable, data: bytes) -> bytes:
    doc = json.loads(data)
    for _ in range(draw(st.integers(1, 3))):
        doc = json_edit(draw, doc)
    text = json.dumps(doc)
    for depth in re.findall(r'"<deep (\d+)>"', text):
        text = text.replace(f'"<deep {depth}>"', "[" * int(depth) + "]" * int(depth), 1)
    return text.encode()


def _glb_chunks(data: bytes) -> tuple[bytes, bytes | None]:
    length = struct.unpack_from("<I", data, 12)[0]
    json_chunk = data[20 : 20 + length]
    rest = data[20 + length :]
    return json_chunk, rest[8:] if len(rest) >= 8 else None


def glb_json(draw: Callable, data: bytes) -> bytes:
    """The JSON chunk edited, and the GLB framed again around it (lengths consistent)."""
    from tests.loaders.make_gltf import glb_bytes

    json_chunk, bin_chunk = _glb_chunks(data)
    return glb_bytes(gltf_json(draw, json_chunk), bin_chunk)


def glb_header(draw: Callable, data: bytes) -> bytes:
    """The total length, the JSON chunk length or the BIN chunk length set to a boundary
    value (a chunk claiming more than the file holds)."""
    json_length = struct.unpack_from("<I", data, 12)[0]
    at = draw(st.sampled_from((8, 12, 20 + json_length)))
    value = draw(st.sampled_from(INTERESTING_INTS))
    return data[:at] + struct.pack("<I", value) + data[at + 4 :]


# --- STL ----------------------------------------------------------------------------------


def stl_count(draw: Callable, data: bytes) -> bytes:
    value = draw(st.sampled_from((*INTERESTING_INTS, 11, 13)))
    return data[:80] + struct.pack("<I", value) + data[84:]


# --- USDZ ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def with_bomb(data: bytes, first: bool) -> bytes:
    """The package with a zip bomb added (first or last): a deflated member of 64 MiB of
    zeros, about 64 KiB in the archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(i.filename, source.read(i)) for i in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, body in members if not first else ():
            target.writestr(name, body)
        info = zipfile.ZipInfo("bomb.usda")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(1 << 20))
        for name, body in members if first else ():
            target.writestr(name, body)
    return out.getvalue()


def usdz_trick(draw: Callable, data: bytes) -> bytes:
    """The package rebuilt with a hostile member: a ``../`` or absolute name, a zip bomb,
    a deflated layer, a nested package, a duplicated name, a first member that is not a
    layer, or a layer referencing a hostile path."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    kind = draw(
        st.sampled_from(("rename", "bomb", "deflate", "nest", "duplicate", "first", "refs"))
    )
    compress = {}
    if kind == "rename":
        i = draw(st.integers(0, len(members) - 1))
        members[i] = (draw(st.sampled_from(HOSTILE_PATHS[:8])) or "x", members[i][1])
    elif kind == "bomb":
        return with_bomb(data, draw(st.booleans()))
    elif kind == "deflate":
        compress = {members[draw(st.integers(0, len(members) - 1))][0]: zipfile.ZIP_DEFLATED}
    elif kind == "nest":
        members.append(("inner.usdz", data))
    elif kind == "duplicate":
        members.append(members[0])
    elif kind == "first":
        members.insert(0, ("readme.txt", b"not a layer"))
    else:
        name, body = members[0]
        line = f'def "H" (prepend references = @{draw(st.sampled_from(HOSTILE_PATHS))}@) {{}}\n'
        members[0] = (name, body + line.encode("utf-8", "surrogatepass"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, body in members:
            target.writestr(name, body, compress_type=compress.get(name, zipfile.ZIP_STORED))
    return out.getvalue()


# --- per format ---------------------------------------------------------------------------

FORMAT_OPS: dict[str, tuple[Callable[[Callable, bytes], bytes], ...]] = {
    "glb": (*BYTE_OPS, glb_json, glb_json, glb_json, glb_header),
    "gltf": (*BYTE_OPS, *TEXT_OPS, gltf_json, gltf_json, gltf_json, gltf_json),
    "obj": (*BYTE_OPS, *TEXT_OPS, _insert_line(OBJ_LINES), _insert_line(OBJ_LINES)),
    "stl_binary": (*BYTE_OPS, stl_count, stl_count),
    "stl_ascii": (*BYTE_OPS, *TEXT_OPS, _insert_line(STL_LINES)),
    "usda": (*BYTE_OPS, *TEXT_OPS, _insert_line(USDA_LINES), _insert_line(USDA_LINES)),
    "usdc": BYTE_OPS,
    "usdz": (*BYTE_OPS, usdz_trick, usdz_trick, usdz_trick),
    "fbx_ascii": (*BYTE_OPS, *TEXT_OPS, _insert_line(FBX_LINES)),
    "fbx_binary": BYTE_OPS,
}


# What reading a zip an earlier step broke raises (a flipped bit in a deflated member: zlib).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


@st.composite
def mutated(draw: Callable, fmt: str, seed: bytes) -> bytes:
    """``seed`` after one to three mutations chosen among the format's."""
    data = seed
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(FORMAT_OPS[fmt]))
        try:
            data = op(draw, data)
        except (ValueError, KeyError, IndexError, RecursionError, struct.error, *_ZIP_ERRORS):
            pass  # a structural edit on input an earlier step broke: keep it as is
        if not data:
            break
    return data
