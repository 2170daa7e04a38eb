"""STL reader, binary and ASCII, told apart by content rather than by name.

A binary STL is an 80-byte header, a little-endian uint32 triangle count and 50 bytes per
triangle, so ``84 + 50 * count == file size`` identifies it, even when its header starts
with "solid" (SolidWorks writes "solid NAME" there). Text that starts with "solid" and
holds ``facet``/``vertex`` statements is ASCII. Anything else is refused with the two
numbers that disagree, before any allocation, so a header claiming 10^9 triangles costs
nothing.

STL is unindexed by design (three positions per facet). Bit-identical positions are
merged (-0.0 counts as 0.0, as admesh does) so the mesh is indexed like every other
reader's, in order of first appearance. Nearly-equal positions are *not* merged: that is
a judgement for the rules, which must see what the file holds.

The facet normals are not stored: they are per face, and putting them on merged vertices
would invent data; where they are right they agree with the winding the rules already
read, and where they are wrong (zero, unnormalized, flipped - common in the wild) they
are ignored by slicers and engines alike. Attribute bytes (colour extensions) are ignored.

STL states neither units nor up axis: ``Authored`` keeps ``None`` for both.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from assetlint.model import Asset, Authored, LoadError, Mesh, single_node_scene

_HEADER = 84
_RECORD = np.dtype(
    [("normal", "<f4", 3), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")]
)  # 50 bytes, packed

_VERTEX = re.compile(rb"\bvertex[ \t]+([^\r\n]*)", re.I)
_FACET = re.compile(rb"\bfacet\b", re.I)


def load(path: Path) -> Asset:
    """Read a binary or ASCII STL into one mesh per solid."""
    data = path.read_bytes()
    asset = Asset(path=path, format="stl", file_size=len(data))
    if not data:
        raise LoadError("file is empty")
    if _is_ascii(data):
        generator = None
        solids = _read_ascii(asset, data)
    else:
        generator, solids = _read_binary(data)
    asset.authored = Authored(generator=generator)
    for name, corners in solids:
        positions, triangles = merge_positions(corners)
        asset.meshes.append(Mesh(name or path.stem, positions, triangles))
    single_node_scene(asset)
    return asset


def _is_ascii(data: bytes) -> bool:
    """ASCII STL: text opening with "solid" (or straight with a facet) and holding facets,
    with no NUL byte (every binary STL has some: its attribute words are almost always
    zero). A binary file whose size matches its count is binary whatever its header says."""
    head = data[:1024].lstrip().lower()
    if not head.startswith((b"solid", b"facet")):
        return False
    if b"\x00" in data:
        return False
    return _FACET.search(data) is not None or len(data) < _HEADER or not _binary_size_ok(data)


def _binary_size_ok(data: bytes) -> bool:
    return len(data) >= _HEADER and _HEADER + 50 * _count(data) == len(data)


def _count(data: bytes) -> int:
    return int(np.frombuffer(data, dtype="<u4", count=1, offset=80)[0])


def _read_binary(data: bytes) -> tuple[str | None, list[tuple[str, np.ndarray]]]:
    """(generator, [(name or "", (n*3, 3) corner positions)]) of a binary STL."""
    if len(data) < _HEADER:
        raise LoadError(
            f"not an ASCII STL, and {len(data)} bytes is shorter than a binary STL's "
            f"{_HEADER}-byte header"
        )
    count = _count(data)
    expected = _HEADER + 50 * count
    if expected != len(data):
        raise LoadError(
            f"binary STL header says {count:,} triangles ({expected:,} bytes) "
            f"but the file is {len(data):,} bytes"
        )
    records = np.frombuffer(data, dtype=_RECORD, count=count, offset=_HEADER)
    header = _header_text(data[:80])
    name = None
    generator = header
    if header and header[:5].lower() == "solid":  # "solid NAME": a name, not a tool
        name = header[5:].strip() or None
        generator = None
    return generator, [(name or "", records["vertices"].reshape(-1, 3))]


def _header_text(header: bytes) -> str | None:
    """The printable text that opens a binary header, if any (Materialise Magics appends
    "COLOR=" and four raw bytes, which are not text)."""
    match = re.match(rb"[\x20-\x7e]*", header)
    text = match.group(0).decode("ascii") if match else ""
    text = text.split("COLOR=")[0].strip()
    return text or None


def _read_ascii(asset: Asset, data: bytes) -> list[tuple[str, np.ndarray]]:
    """[(name or "", corner positions)] per ``solid`` of an ASCII STL. Facets that do not hold
    exactly three well-formed vertices are skipped and counted in one L005 issue."""
    result = []
    skipped = 0
    for name, block in _solids(data):
        corners, bad = _ascii_corners(block)
        skipped += bad
        result.append((name, corners))
    if skipped:
        asset.issue("L005", f"{skipped} malformed facets skipped (not three numeric vertices)")
    return result


def _solids(data: bytes) -> list[tuple[str, bytes]]:
    """(name, lower-cased body) of each ``solid NAME ... endsolid`` block; a file without
    the keyword is read as one unnamed solid. Keywords are found with ``bytes.find`` on
    the lower-cased text (a regex over a 100 MB file costs seconds)."""
    low = data.lower()
    headers = []
    at = low.find(b"solid")
    while at != -1:
        line_start = low.rfind(b"\n", 0, at) + 1
        if not low[line_start:at].strip():  # "solid" opens its line: not "endsolid"
            headers.append(at)
        at = low.find(b"solid", at + 5)
    if not headers:
        return [("", low)]
    solids = []
    for start, end in zip(headers, [*headers[1:], len(data)], strict=True):
        line_end = low.find(b"\n", start, end)
        line_end = end if line_end == -1 else line_end
        name = data[start + 5 : line_end].decode("utf-8", "replace").strip()
        closing = low.rfind(b"endsolid", line_end, end)
        solids.append((name, low[line_end : end if closing == -1 else closing]))
    return solids


_LETTER = np.zeros(256, dtype=bool)
_LETTER[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)] = True
_NUMERIC = np.zeros(256, dtype=bool)
_NUMERIC[np.frombuffer(b"0123456789.", dtype=np.uint8)] = True


def _ascii_corners(block: bytes) -> tuple[np.ndarray, int]:
    """((n*3, 3) corner positions, malformed facets) of one lower-cased ASCII solid body.

    Every facet is "facet normal a b c outer loop vertex x y z (x3) endloop endfacet":
    with the keywords blanked out it is twelve numbers, so one ``np.fromstring`` over
    the whole body reads them all when the counts agree. Letters are blanked with numpy
    in one pass, except an "e" that follows a digit or a dot (an exponent). Otherwise
    (malformed text) the body is read facet by facet."""
    facets = block.count(b"endfacet")
    text = np.frombuffer(block, dtype=np.uint8)
    blank = _LETTER[text]
    blank[1:] &= ~((text[1:] == ord("e")) & _NUMERIC[text[:-1]])
    try:
        values = np.fromstring(np.where(blank, np.uint8(32), text).tobytes(), sep=" ")
    except ValueError:
        values = None
    if (
        values is not None
        and len(values) == 12 * facets
        and block.count(b"vertex") == 3 * facets
        and block.count(b"facet normal") == facets
    ):
        return values.reshape(-1, 12)[:, 3:].reshape(-1, 3), 0
    return _ascii_corners_slow(block)


def _ascii_corners_slow(block: bytes) -> tuple[np.ndarray, int]:
    """Facet by facet, for malformed text only: keep facets of three numeric vertices."""
    good: list[list[float]] = []
    bad = 0
    for piece in _FACET.split(block)[1:]:
        if not _VERTEX.search(piece):
            continue  # the "endfacet" remainder
        try:
            corners = [[float(x) for x in p.split()] for p in _VERTEX.findall(piece)]
        except ValueError:
            corners = []
        if len(corners) == 3 and all(len(c) == 3 for c in corners):
            good.extend(corners)
        else:
            bad += 1
    return np.asarray(good, dtype=np.float64).reshape(-1, 3), bad


_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)


def merge_positions(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((n, 3) unique positions in order of first appearance, (m, 3) triangles) from
    (3m, 3) corner positions, merging bit-identical float32 positions only.

    Positions are grouped by a hash of their bits with the row index packed in the low
    bits of the same 64-bit key (one plain sort, several times faster than an argsort,
    and each group comes out with its first row first); the grouping is then checked bit
    for bit, and the rows of a group that a hash collision joined (rare, but possible)
    are grouped again exactly. The ranks of first appearances come from a running count,
    not a second sort."""
    corners = np.ascontiguousarray(corners, dtype=np.float32) + np.float32(0.0)  # -0.0 -> 0.0
    n = len(corners)
    if not n:
        return np.zeros((0, 3), dtype=np.float32), np.zeros((0, 3), dtype=np.int32)
    bits = corners.view(np.uint32)
    idx_bits = max(1, (n - 1).bit_length())
    key = bits[:, 0].astype(np.uint64)
    key <<= np.uint64(32)
    key |= bits[:, 1]
    key *= _K1
    key ^= bits[:, 2].astype(np.uint64) * _K2
    key >>= np.uint64(idx_bits)  # the hash's high bits, then the row below them
    key <<= np.uint64(idx_bits)
    key |= np.arange(n, dtype=np.uint64)
    key.sort()
    kind = np.int32 if n < 2**31 else np.int64
    order = (key & np.uint64((1 << idx_bits) - 1)).astype(kind)
    key >>= np.uint64(idx_bits)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    del key
    first = order[new]  # within a run of one hash the rows ascend: its first row
    group = np.cumsum(new, dtype=kind)
    group -= 1
    inverse = np.empty(n, dtype=kind)
    inverse[order] = group
    del order, group, new
    wrong = np.zeros(n, dtype=bool)
    for j in range(3):
        column = bits[:, j]
        wrong |= column != column[first][inverse]
    if wrong.any():  # a hash collision: regroup the rows of the groups it touched exactly
        touched = np.zeros(len(first), dtype=bool)
        touched[inverse[wrong]] = True
        rows = np.flatnonzero(touched[inverse])
        _, at, local = np.unique(bits[rows], axis=0, return_index=True, return_inverse=True)
        inverse[rows] = len(first) + local.reshape(-1)
        first = np.concatenate([first, rows[at].astype(kind)])
    # rank of each group by its first row (a group emptied above keeps a first row that
    # starts another group: marked twice, counted once)
    is_first = np.zeros(n, dtype=bool)
    is_first[first] = True
    rank = np.cumsum(is_first, dtype=kind)
    rank -= 1
    return corners[is_first], rank[first][inverse].reshape(-1, 3).astype(np.int32)
