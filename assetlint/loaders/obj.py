"""Wavefront OBJ (+MTL) reader, vectorized so a million-face file loads in seconds.

The text is normalized once (line endings, ``\\`` continuations, tabs, leading blanks,
inline comments), then every line is classified by its first bytes with numpy. The bytes
of each class (``v``, ``vt``, ``vn``, ``f``...) are gathered and parsed in bulk with one
``np.fromstring`` per class; the slash structure of face corners is read off the bytes
with numpy. Only the rare statements (``o``, ``usemtl``, ``mtllib``, unknown lines) and
malformed input are visited one by one.

Choices:

- One :class:`Mesh` per ``o`` object; faces before the first ``o`` (or a whole file
  without any) form a mesh named after the file. ``g`` groups do not split meshes: they
  are selection sets inside an object (groups.obj has 14 of them in one shape), and the
  rules judge shapes, not selection sets.
- A mesh vertex is a unique (v, vt, vn) combination as the corners reference it, the
  way an exporter splits vertices at UV and normal seams; vertices no face uses are
  dropped. UVs are stored as ``1 - v`` (model.py's top-left convention).
- N-gons are triangulated as fans (right for the convex polygons exporters write);
  ``polygon_count`` keeps the authored face count. ``l`` elements count their segments
  and ``p`` elements their points in ``other_primitives``.
- Bad indices (0, out of range, even 10^12) become ``-1`` in ``triangles`` so a rule
  reports them, and an L005 issue says how many; malformed lines are skipped and counted.
- OBJ states neither units nor up axis: ``Authored`` keeps ``None`` for both and the
  geometry is left as written (read as metres, +Y up).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from assetlint.loaders._refs import RefusedReference, read_reference, resolve_reference
from assetlint.model import (
    Asset,
    Authored,
    LoadError,
    Material,
    Mesh,
    Texture,
    TextureSlot,
    single_node_scene,
)

_SP, _NL, _SLASH, _MINUS = 32, 10, 47, 45

# line classes
_EMPTY, _COMMENT, _V, _VT, _VN, _F, _L, _P, _IGNORED, _OTHER = range(10)

# Free-form geometry (curves and surfaces): not triangles, reported as ignored.
_FREEFORM = {
    b"vp", b"cstype", b"deg", b"bmat", b"step", b"curv", b"curv2", b"surf", b"parm",
    b"trim", b"hole", b"scrv", b"sp", b"end", b"con",
}  # fmt: skip
# Display and render attributes that do not change what a linter judges.
_HARMLESS = {
    b"mg", b"lod", b"bevel", b"c_interp", b"d_interp", b"ctech", b"stech", b"shadow_obj",
    b"trace_obj", b"maplib", b"usemap", b"call", b"csh",
}  # fmt: skip

_FEW_RUNS = 4096  # up to this many blocks of one line class are copied block by block
_MAX_MTL_BYTES = 64 * 1024 * 1024
_WHITESPACE = bytes.maketrans(b"\t\v\f", b"   ")


def load(path: Path) -> Asset:
    """Read an OBJ file and the materials its ``mtllib`` files define."""
    data = path.read_bytes()
    asset = Asset(path=path, format="obj", file_size=len(data))
    if not data.strip():
        raise LoadError("file is empty" if not data else "file holds only whitespace")
    if b"\x00" in data:
        raise LoadError("binary data (NUL bytes) where OBJ text was expected")
    text = _normalize(data)
    del data
    asset.authored = Authored(generator=_generator(text))
    reader = _Reader(asset, text)
    del text  # the reader holds its own (writable) copy
    reader.read()
    single_node_scene(asset)
    return asset


def _normalize(data: bytes) -> bytes:
    """One statement per line, single-space separated from its keyword, starting at byte 0
    of its line, no inline comments; with a newline before the first and after the last."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\\\n" in data:
        data = data.replace(b"\\\n", b" ")
    if b"\t" in data or b"\v" in data or b"\f" in data:
        data = data.translate(_WHITESPACE)
    data = b"\n" + data + b"\n"
    if b"\n " in data:
        data = re.sub(rb"\n +", b"\n", data)
    if b" #" in data:
        data = re.sub(rb" +#[^\n]*", b"", data)
    return data


_GENERATOR_PATTERNS = [
    re.compile(r"(?:generated|exported|created|written|converted)\s+(?:by|from|with)\s+(.+)", re.I),
    re.compile(r"^(.+?)\s+OBJ\s+File", re.I),  # "Blender v2.79 (sub 0) OBJ File: ''"
    re.compile(
        r"\b(Blender|Maya|3ds ?Max|Cinema ?4D|Houdini|ZBrush|Rhino|MeshLab|Wings ?3D|"
        r"SketchUp|Modo|trimesh|assimp|Meshroom|RealityCapture|Metashape|Polycam)\b"
        r"(?:\s+v?\d[\w.]*)?",
        re.I,
    ),
]


def _generator(text: bytes) -> str | None:
    """The exporter named by the comments that open the file, if one is."""
    for raw in text[:4096].split(b"\n"):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith(b"#"):
            return None
        comment = line.lstrip(b"#").strip().decode("utf-8", "replace")
        for pattern in _GENERATOR_PATTERNS:
            match = pattern.search(comment)
            if match:
                return (match.group(1) if match.groups() else match.group(0)).strip() or None
    return None


class _Reader:
    """One OBJ read: the classified text and what has been learned from it."""

    def __init__(self, asset: Asset, text: bytes):
        self.asset = asset
        self.text = bytearray(text)  # writable: keywords are blanked before bulk parsing
        self.buf = np.frombuffer(self.text, dtype=np.uint8)
        newlines = np.flatnonzero(self.buf == _NL)
        self.starts = newlines[:-1] + 1
        self.ends = newlines[1:]  # exclusive: the line's newline
        self.cls = self._classify()
        # Runs of lines of one class (a v block, an f block...), as byte ranges.
        run_first = np.flatnonzero(np.diff(self.cls, prepend=-1))
        self.run_class = self.cls[run_first]
        self.run_bounds = np.append(self.starts[run_first], len(self.buf))
        self._byte_class: np.ndarray | None = None

    def _classify(self) -> np.ndarray:
        buf, starts = self.buf, self.starts
        length = self.ends - starts
        padded = np.concatenate([buf, np.zeros(3, dtype=np.uint8)])
        c0, c1, c2 = padded[starts], padded[starts + 1], padded[starts + 2]
        cls = np.full(len(starts), _OTHER, dtype=np.uint8)
        gap1 = c1 == _SP
        gap2 = c2 == _SP
        cls[(c0 == ord("v")) & gap1] = _V
        cls[(c0 == ord("v")) & (c1 == ord("t")) & gap2] = _VT
        cls[(c0 == ord("v")) & (c1 == ord("n")) & gap2] = _VN
        cls[(c0 == ord("f")) & gap1] = _F
        cls[(c0 == ord("l")) & gap1] = _L
        cls[(c0 == ord("p")) & gap1] = _P
        # smoothing groups and groups: read, deliberately without effect (see module doc)
        cls[((c0 == ord("s")) | (c0 == ord("g"))) & (gap1 | (length == 1))] = _IGNORED
        cls[c0 == ord("#")] = _COMMENT
        cls[length == 0] = _EMPTY
        return cls

    def _line(self, index: int) -> bytes:
        """The text of a line of a class whose keyword is never blanked."""
        return bytes(self.text[self.starts[index] : self.ends[index]])

    def _class_bytes(self, code: int, keyword_len: int) -> tuple[np.ndarray, np.ndarray]:
        """(line indices, bytes of those lines with the keyword blanked, newline-ended)."""
        lines = np.flatnonzero(self.cls == code)
        for k in range(keyword_len):
            self.buf[self.starts[lines] + k] = _SP
        runs = np.flatnonzero(self.run_class == code)
        if len(runs) <= _FEW_RUNS:  # blocks of lines: copy them
            bounds = self.run_bounds
            return lines, np.concatenate(
                [self.buf[bounds[r] : bounds[r + 1]] for r in runs.tolist()] or [self.buf[:0]]
            )
        if self._byte_class is None:  # interleaved classes: mask every byte
            self._byte_class = np.concatenate(
                [[_EMPTY], np.repeat(self.run_class, np.diff(self.run_bounds))]
            ).astype(np.uint8)
        return lines, self.buf[self._byte_class == code]

    def read(self) -> None:
        asset = self.asset
        statements = self._statements()
        v_lines, positions, colors = self._vertices()
        vt_lines, texcoords, counts = self._floats(_VT, 2, 1, 2, "texture coordinate (vt)")
        texcoords[counts == 1, 1] = 0.0  # "vt u": v defaults to 0
        vn_lines, normals, _ = self._floats(_VN, 2, 3, 3, "normal (vn)")
        faces = self._faces(v_lines, vt_lines, vn_lines)
        if not len(v_lines) and not faces.count:
            raise LoadError("no OBJ geometry: not a single 'v' or 'f' statement")
        self._materials(statements)
        names = [asset.path.stem, *statements.object_names]
        objects = np.asarray(statements.object_lines, dtype=np.int64)
        other = self._primitives(objects, len(names))
        if not faces.count:  # a point cloud, or lines only: one mesh holds every vertex
            totals = {kind: int(c.sum()) for kind, c in other.items() if c.sum()}
            asset.meshes.append(
                Mesh(names[0], positions, np.zeros((0, 3)), other_primitives=totals)
            )
            return
        material_of_face = _last_before(
            statements.usemtl_lines, statements.usemtl_materials, faces.line
        )
        object_of_face = np.searchsorted(objects, faces.line, side="right")
        vertices = _Vertices(np.repeat(object_of_face, faces.corners), faces.v, faces.vt, faces.vn)
        self._mixed_attributes(vertices, faces)
        triangles, tri_face = _fan(faces.corners)
        face_bounds = np.searchsorted(object_of_face, np.arange(len(names) + 1))
        tri_bounds = np.searchsorted(object_of_face[tri_face], np.arange(len(names) + 1))
        for obj, name in enumerate(names):
            prims = {kind: int(c[obj]) for kind, c in other.items() if c[obj]}
            face_count = int(face_bounds[obj + 1] - face_bounds[obj])
            if not face_count and not prims:
                continue
            lo, hi = vertices.object_range(obj)
            tris = slice(tri_bounds[obj], tri_bounds[obj + 1])
            corner_vertex = vertices.corner_vertex(triangles[tris])
            v, vt, vn = vertices.v[lo:hi], vertices.vt[lo:hi], vertices.vn[lo:hi]
            mesh = Mesh(
                name,
                positions[v],
                np.where(corner_vertex >= 0, corner_vertex - lo, -1),
                material_indices=material_of_face[tri_face[tris]],
                polygon_count=face_count,
                other_primitives=prims,
            )
            if (vt >= 0).any():
                uv = _gather(texcoords, vt)
                uv[:, 1] = 1.0 - uv[:, 1]
                mesh.uvs, mesh.uv_names = [uv.astype(np.float32)], ["vt"]
            if (vn >= 0).any():
                mesh.normals = _gather(normals, vn).astype(np.float32)
            if colors is not None:
                mesh.colors = colors[v].astype(np.float32)
            asset.meshes.append(mesh)

    def _floats(
        self, code: int, keyword_len: int, need: int, width: int, what: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(line indices, (lines, width) values, numbers per line) of one class of numeric
        lines; a line with fewer than ``need`` numbers (or a non-number) is NaN, and said."""
        lines, data = self._class_bytes(code, keyword_len)
        values, counts, bad = _parse_float_lines(data, len(lines))
        bad |= counts < need
        if bad.any():
            first = int(lines[np.argmax(bad)]) + 1
            self.asset.issue(
                "L005",
                f"{int(bad.sum())} malformed {what} lines read as NaN (first at line {first})",
            )
        table = _columns(values, counts, width)
        table[bad] = np.nan
        return lines, table, counts

    def _vertices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(v line indices, positions, colours or None). ``v x y z r g b`` carries a vertex
        colour (MeshLab, ZBrush); colours written as 0..255 are scaled to 0..1."""
        lines, table, counts = self._floats(_V, 1, 3, 7, "vertex (v)")
        colors = None
        has = counts >= 6
        if has.any():
            colors = np.ones((len(lines), 4))
            colors[has, :3] = table[has, 3:6]
            colors[counts >= 7, 3] = table[counts >= 7, 6]
            if np.nanmax(colors[:, :3]) > 1.0:
                colors[:, :3] /= 255.0
        return lines, table[:, :3], colors

    # -- statements read one by one (few per file) -------------------------------------

    def _statements(self) -> _Statements:
        found = _Statements()
        freeform = garbage = 0
        first_garbage = None
        for index in np.flatnonzero(self.cls == _OTHER).tolist():
            keyword, _, rest = self._line(index).partition(b" ")
            value = rest.strip().decode("utf-8", "replace")
            if keyword == b"o":
                found.object_lines.append(index)
                found.object_names.append(value or f"object{len(found.object_names) + 1}")
            elif keyword == b"usemtl":
                found.usemtl_lines.append(index)
                found.usemtl_names.append(value)
            elif keyword == b"mtllib":
                found.mtllibs.append(value)
            elif keyword in _FREEFORM:
                freeform += 1
            elif keyword not in _HARMLESS:
                garbage += 1
                if first_garbage is None:
                    first_garbage = index + 1
        if freeform:
            self.asset.issue(
                "L004", f"{freeform} free-form curve/surface statements ignored (not triangles)"
            )
        if garbage:
            self.asset.issue(
                "L005", f"{garbage} unrecognized lines skipped (first at line {first_garbage})"
            )
        return found

    # -- faces ---------------------------------------------------------------------------

    def _faces(self, v_lines: np.ndarray, vt_lines: np.ndarray, vn_lines: np.ndarray) -> _Faces:
        f_lines, f_bytes = self._class_bytes(_F, 1)
        corner_line, fields, bad_corner, slash_led = _parse_corners(f_bytes)
        corners = np.bincount(corner_line, minlength=len(f_lines))
        bad_line = np.zeros(len(f_lines), dtype=bool)
        bad_line[corner_line[bad_corner]] = True
        bad_line[slash_led] = True
        bad_line |= corners < 3
        self._report_bad_faces(bad_line, f_lines)
        keep_corner = ~bad_line[corner_line]
        faces = _Faces(line=f_lines[~bad_line], corners=corners[~bad_line])
        fields = fields[keep_corner]
        corner_file_line = np.repeat(faces.line, faces.corners)
        resolved = []
        for slot, (defined, what) in enumerate(
            ((v_lines, "vertex"), (vt_lines, "texture coordinate"), (vn_lines, "normal"))
        ):
            index, invalid = _resolve(fields[:, slot], defined, corner_file_line)
            if invalid:
                self.asset.issue(
                    "L005",
                    f"{invalid} face corners reference a {what} index out of range "
                    f"(1..{len(defined)}); kept as invalid indices",
                )
            resolved.append(index)
        faces.v, faces.vt, faces.vn = resolved
        return faces

    def _report_bad_faces(self, bad: np.ndarray, lines: np.ndarray) -> None:
        if bad.any():
            first = int(lines[np.argmax(bad)]) + 1
            self.asset.issue(
                "L005",
                f"{int(bad.sum())} malformed face (f) lines skipped: fewer than 3 corners or "
                f"non-integer indices (first at line {first})",
            )

    def _mixed_attributes(self, build: _Vertices, faces: _Faces) -> None:
        """Faces written with and without vt (or vn) in one file leave some vertices
        without the attribute; they are stored as NaN and said here."""
        for kind, attr, present in (
            ("texture coordinate", build.vt, faces.vt),
            ("normal", build.vn, faces.vn),
        ):
            if (present >= 0).any() and (present < 0).any():
                self.asset.issue(
                    "L005",
                    f"{int((attr < 0).sum())} of {len(attr)} vertices have no {kind} while "
                    "others do (faces written without it); stored as NaN",
                )

    def _primitives(self, objects: np.ndarray, count: int) -> dict[str, np.ndarray]:
        """Per object: segments of its ``l`` lines and points of its ``p`` lines."""
        per_object = {}
        for kind, code, minus in (("lines", _L, 1), ("points", _P, 0)):
            lines, data = self._class_bytes(code, 1)
            amount = np.maximum(_token_counts(data, len(lines)) - minus, 0)
            owner = np.searchsorted(objects, lines, side="right")
            per_object[kind] = np.bincount(owner, weights=amount, minlength=count).astype(int)
        return per_object

    # -- materials -----------------------------------------------------------------------

    def _materials(self, found: _Statements) -> None:
        asset = self.asset
        by_name: dict[str, int] = {}
        library_missing = False
        for value in dict.fromkeys(found.mtllibs):  # a library named twice is read once
            for uri in _library_names(asset.path.parent, value):
                try:
                    mtl_path = resolve_reference(asset.path.parent, uri)
                    mtl_text = read_reference(asset.path.parent, uri, limit=_MAX_MTL_BYTES)
                except RefusedReference as exc:
                    library_missing = True
                    asset.issue(exc.code, f"material library: {exc}", subject=uri)
                    continue
                _read_mtl(asset, mtl_text, mtl_path.parent, by_name)
        found.usemtl_materials = []
        for name in found.usemtl_names:
            if not name:
                found.usemtl_materials.append(-1)
                continue
            if name not in by_name:
                if not library_missing:  # else the missing library already says why
                    where = "no material library" if not found.mtllibs else "its material library"
                    asset.issue(
                        "L005",
                        f"usemtl {name!r} names a material {where} defines; a placeholder is used",
                        subject=name,
                    )
                by_name[name] = len(asset.materials)
                asset.materials.append(Material(name=name, metallic_factor=0.0, workflow="unknown"))
            found.usemtl_materials.append(by_name[name])


class _Statements:
    """The one-by-one statements: objects, material uses and libraries, in file order."""

    def __init__(self) -> None:
        self.object_lines: list[int] = []
        self.object_names: list[str] = []
        self.usemtl_lines: list[int] = []
        self.usemtl_names: list[str] = []
        self.usemtl_materials: list[int] = []
        self.mtllibs: list[str] = []


class _Faces:
    """Well-formed faces: file line, corner count, and per-corner 0-based indices
    (v: -1 where invalid; vt, vn: -1 where absent or invalid)."""

    def __init__(self, line: np.ndarray, corners: np.ndarray):
        self.line = line
        self.corners = corners
        self.v = self.vt = self.vn = np.zeros(0, dtype=np.int64)

    @property
    def count(self) -> int:
        return len(self.line)


class _Vertices:
    """Unique (object, v, vt, vn) combinations of the corners: the meshes' vertices.

    Sorted by object first, so each object's vertices are one contiguous range."""

    def __init__(self, obj: np.ndarray, v: np.ndarray, vt: np.ndarray, vn: np.ndarray):
        valid = v >= 0
        cols = [obj[valid], v[valid], vt[valid] + 1, vn[valid] + 1]
        sizes = [int(c.max()) + 1 if len(c) else 1 for c in cols]
        if float(np.prod([float(s) for s in sizes])) < 2**62:
            key = np.zeros(len(cols[0]), dtype=np.int64)
            for col, size in zip(cols, sizes, strict=True):
                key = key * size + col
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        else:  # astronomically large index ranges: sort the rows instead
            _, first, inverse = np.unique(
                np.column_stack(cols), axis=0, return_index=True, return_inverse=True
            )
        self.obj, self.v, self.vt, self.vn = (c[first] for c in cols)
        self.vt = self.vt - 1
        self.vn = self.vn - 1
        self._corner = np.full(len(v), -1, dtype=np.int64)
        self._corner[valid] = inverse.reshape(-1)

    def object_range(self, obj: int) -> tuple[int, int]:
        lo, hi = np.searchsorted(self.obj, [obj, obj + 1])
        return int(lo), int(hi)

    def corner_vertex(self, corners: np.ndarray) -> np.ndarray:
        """Global vertex index of each corner (-1 for a corner with an invalid v)."""
        return self._corner[corners]


def _fan(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fan triangulation of all faces at once: (triangles as corner indices, face of each
    triangle). Face f with k corners starting at corner o gives (o, o+j, o+j+1)."""
    per_face = corners - 2
    offset = np.cumsum(corners) - corners
    tri_face = np.repeat(np.arange(len(corners)), per_face)
    first_tri = np.cumsum(per_face) - per_face
    j = np.arange(len(tri_face)) - first_tri[tri_face] + 1
    base = offset[tri_face]
    return np.column_stack([base, base + j, base + j + 1]), tri_face


def _gather(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Rows of ``table`` at ``index``; NaN rows where the index is -1 (absent)."""
    rows = table[np.maximum(index, 0)] if len(table) else np.zeros((len(index), table.shape[1]))
    return np.where((index >= 0)[:, None], rows, np.nan)


def _last_before(lines: list[int], values: list[int], at: np.ndarray) -> np.ndarray:
    """For each line in ``at``, the value of the last statement before it (-1 if none)."""
    table = np.asarray([-1, *values], dtype=np.int64)
    return table[np.searchsorted(np.asarray(lines, dtype=np.int64), at, side="right")]


def _resolve(raw: np.ndarray, defined: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, int]:
    """OBJ indices (1-based, or negative = relative to the elements defined so far) to
    0-based ones: (indices with -1 for absent or invalid, number invalid)."""
    present = raw != _ABSENT
    value = raw - 1
    negative = present & (raw < 0)
    if negative.any():  # elements defined above each such corner's line
        value[negative] = np.searchsorted(defined, line[negative]) + raw[negative]
    ok = present & (raw != 0) & (value >= 0) & (value < len(defined))
    return np.where(ok, value, -1), int(np.count_nonzero(present & ~ok))


def _library_names(folder: Path, value: str) -> list[str]:
    """The files an ``mtllib`` names: its space-separated parts (the spec allows several)
    when one of them exists, else the whole value (a name with spaces, or one missing
    file to report once)."""
    parts = value.split()
    if len(parts) > 1 and not _exists(folder, value) and any(_exists(folder, p) for p in parts):
        return parts
    return [value]


def _exists(folder: Path, uri: str) -> bool:
    try:
        resolve_reference(folder, uri)
    except RefusedReference:
        return False
    return True


# -- bulk parsing ------------------------------------------------------------------------


def _line_of(data: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Line index of each marked byte (``marks``: sorted positions, none a newline), by one
    pass over the bytes instead of a binary search per mark."""
    mask = data == _NL
    mask[marks] = True
    events = np.flatnonzero(mask)
    is_newline = data[events] == _NL
    return np.cumsum(is_newline)[~is_newline]


def _token_starts(data: np.ndarray) -> np.ndarray:
    """Positions where a whitespace-separated token begins, in newline-ended bytes."""
    solid = (data != _SP) & (data != _NL)
    solid[1:] &= ~solid[:-1]
    return np.flatnonzero(solid)


def _token_counts(data: np.ndarray, lines: int) -> np.ndarray:
    return np.bincount(_line_of(data, _token_starts(data)), minlength=lines)


def _parse_float_lines(data: np.ndarray, lines: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All numbers of ``lines`` newline-ended lines: (values, count per line, bad lines).

    Lines with a token that is not a number count as zero values and are flagged bad."""
    bad = np.zeros(lines, dtype=bool)
    if not lines:
        return np.zeros(0), np.zeros(0, dtype=np.int64), bad
    counts = _token_counts(data, lines)
    raw = data.tobytes()
    try:
        values = np.fromstring(raw, sep=" ")
        if len(values) == counts.sum():
            return values, counts, bad
    except ValueError:
        pass
    # Rare path (malformed input only): find the bad lines one by one.
    rows = raw.split(b"\n")[:lines]
    parsed: list[float] = []
    for i, row in enumerate(rows):
        try:
            numbers = [float(t) for t in row.split()]
        except ValueError:
            bad[i] = True
            numbers = []
        parsed.extend(numbers)
        counts[i] = len(numbers)
    return np.asarray(parsed, dtype=np.float64), counts, bad


def _columns(values: np.ndarray, counts: np.ndarray, width: int) -> np.ndarray:
    """(lines, width) array of each line's first ``width`` values; NaN where it has fewer."""
    offset = np.cumsum(counts) - counts
    index = offset[:, None] + np.arange(width)
    has = np.arange(width) < counts[:, None]
    if not len(values):
        return np.full((len(counts), width), np.nan)
    return np.where(has, values[np.minimum(index, len(values) - 1)], np.nan)


_ABSENT = np.iinfo(np.int64).min  # a face corner without this field ("1//3" has no vt)
_TOO_BIG = np.iinfo(np.int64).max  # an index too long to parse: out of any range
_MAX_DIGITS = 15  # float64 holds every integer of 15 digits exactly
_CHUNK = 1 << 20
_SLASH_TO_SPACE = bytes.maketrans(b"/", b" ")


def _parse_integers(data: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, bad) of the optionally signed decimal integers starting at ``start`` in
    face bytes; the slow path, for input where some field is not a plain integer.

    Fields are grouped by length and read as (fields, length) digit matrices, so the work
    is a few numpy passes whatever the count. More than 15 digits reads as too big."""
    sep = (data == _SP) | (data == _NL) | (data == _SLASH)
    end = np.flatnonzero(~sep[:-1] & sep[1:]) + 1
    negative = data[start] == _MINUS
    start = start + negative
    length = end - start
    value = np.full(len(start), _TOO_BIG, dtype=np.int64)
    bad = length == 0
    for width in range(1, _MAX_DIGITS + 1):
        group = np.flatnonzero(length == width)
        powers = 10.0 ** np.arange(width - 1, -1, -1)
        for lo in range(0, len(group), _CHUNK):
            rows = group[lo : lo + _CHUNK]
            digits = data[start[rows, None] + np.arange(width)].astype(np.int16) - 48
            bad[rows] = ((digits < 0) | (digits > 9)).any(axis=1)
            value[rows] = (digits @ powers).astype(np.int64)
    return np.where(negative, -value, value), bad


def _parse_corners(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Face corners ``v``, ``v/vt``, ``v//vn``, ``v/vt/vn`` of newline-ended face lines
    (keyword blanked): (line of each corner, (corners, 3) int64 indices with ``_ABSENT``
    where a field is missing, bad corners, lines with a corner that opens with a slash).

    A field is a run of bytes between separators (space, newline, slash). The one or two
    bytes before it tell its place: after a blank it opens a corner (v), after "/" it is
    one slot further, after "//" two. When every corner has the same layout (the usual
    case) the fields are reshaped instead of scattered. All integers are read by one
    C-level ``np.fromstring`` (they come out in field order) unless one is malformed."""
    raw = data.tobytes()
    sep = (data == _SP) | (data == _NL) | (data == _SLASH)
    begins = ~sep
    begins[1:] &= sep[:-1]
    begins[:1] = False  # the blanked keyword
    f_start = np.flatnonzero(begins)
    del sep, begins
    try:
        value = np.fromstring(raw.translate(_SLASH_TO_SPACE), np.int64, sep=" ")
    except ValueError:
        value = np.zeros(0, dtype=np.int64)
    if len(value) == len(f_start):
        bad_field = np.zeros(len(f_start), dtype=bool)
        value[value == _ABSENT] = -_TOO_BIG  # fromstring saturates -10^20 to the marker
    else:
        value, bad_field = _parse_integers(data, f_start)
    before = data[f_start - 1]
    step = (before == _SLASH).astype(np.int8)
    two = step.astype(bool)
    two[two] = data[f_start[two] - 2] == _SLASH
    step[two] = 2
    bad_field[two] |= data[f_start[two] - 3] == _SLASH  # "1///2": three slashes
    opens = step == 0
    lead = np.zeros(0, dtype=np.int64)
    if b" /" in raw or b"\n/" in raw:
        # A corner opening with a slash ("/2/3") has no v: its line is malformed, and its
        # first field still opens it so that the damage stays on that line.
        lead = np.flatnonzero((data[1:] == _SLASH) & ((data[:-1] == _SP) | (data[:-1] == _NL)))
        lead += 1
        hit = np.searchsorted(f_start, lead)
        opens[hit[hit < len(f_start)]] = True
        step[hit[hit < len(f_start)]] = 0
    first = np.flatnonzero(opens)
    fields = np.full((len(first), 3), _ABSENT, dtype=np.int64)
    per = len(f_start) // max(len(first), 1)
    layout = step[:per]
    slots = np.cumsum(layout)
    if (
        len(first)
        and per * len(first) == len(f_start)
        and slots[-1] <= 2
        and (step.reshape(-1, per) == layout).all()
    ):
        fields[:, slots] = value.reshape(-1, per)
        bad_corner = bad_field.reshape(-1, per).any(axis=1)
    else:
        corner = np.cumsum(opens) - 1
        walked = np.cumsum(step, dtype=np.int64)
        slot = walked - walked[first][corner]
        ok = slot <= 2
        fields[corner[ok], slot[ok]] = value[ok]
        bad_corner = np.zeros(len(first), dtype=bool)
        bad_corner[corner[bad_field | ~ok]] = True
    bad_corner |= fields[:, 0] == _ABSENT  # no v: "/1/2" or "//"
    corner_line = _line_of(data, f_start[first])
    return corner_line, fields, bad_corner, _line_of(data, lead)


# -- MTL -----------------------------------------------------------------------------------

# Texture-map options and how many arguments each takes (MTL spec, "Options for texture
# map statements"); -o, -s and -t take one to three numbers.
_MAP_OPTIONS = {
    "-blendu": (1, 1), "-blendv": (1, 1), "-bm": (1, 1), "-boost": (1, 1), "-cc": (1, 1),
    "-clamp": (1, 1), "-imfchan": (1, 1), "-mm": (2, 2), "-o": (1, 3), "-s": (1, 3),
    "-t": (1, 3), "-texres": (1, 1), "-type": (1, 1),
}  # fmt: skip

_MAP_ROLES = {
    "map_kd": "base_color",
    "map_bump": "normal",
    "bump": "normal",
    "norm": "normal",
    "map_ke": "emissive",
    "map_pr": "metallic_roughness",
    "map_pm": "metallic_roughness",
}


def _map_filename(rest: str) -> str:
    """The file of a texture statement, after its options (``-bm 1.0 -s 1 1 normal.png``).
    The file name may hold spaces ("fuze uv.jpg")."""
    tokens = rest.split()
    i = 0
    while i < len(tokens) and tokens[i].lower() in _MAP_OPTIONS:
        low, high = _MAP_OPTIONS[tokens[i].lower()]
        i += 1
        taken = 0
        while i < len(tokens) - 1 and taken < high and (taken < low or _is_number(tokens[i])):
            i += 1
            taken += 1
    return " ".join(tokens[i:])


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _floats(rest: str, count: int) -> list[float] | None:
    try:
        values = [float(t) for t in rest.split()[:count]]
    except ValueError:
        return None
    return values or None


def _read_mtl(asset: Asset, data: bytes, folder: Path, by_name: dict[str, int]) -> None:
    """Add the materials of one MTL file to the asset.

    ``Kd`` is taken as-is for the linear base colour: Blender, 3ds Max and Maya write
    their shader's linear colour values there, and Blender's importer reads them back
    unconverted, so decoding them as sRGB would darken every round trip. Materials
    without the PBR extension (Pr/Pm/map_Pr/map_Pm) are "phong", with metallic 0.
    ``d`` is opacity; ``Tr`` is transparency (1 - d) and is used only without ``d``, except
    ``Tr 1`` which MeshLab writes to mean opaque (a material made invisible on purpose is
    not a real case), so it is read as opaque with an info issue."""
    current: Material | None = None
    state: dict[str, object] = {}
    materials: list[tuple[Material, dict[str, object]]] = []
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.replace("\t", " ").partition(" ")
        keyword = keyword.lower()
        rest = rest.split(" #")[0].strip()
        if keyword == "newmtl":
            current = Material(name=rest, metallic_factor=0.0, workflow="phong")
            state = {}
            materials.append((current, state))
        elif current is None:
            continue
        elif keyword == "kd" and (rgb := _floats(rest, 3)) and len(rgb) == 3:
            current.base_color_factor[:3] = rgb
        elif keyword == "ke" and (rgb := _floats(rest, 3)) and len(rgb) == 3:
            current.emissive_factor[:] = rgb
            state["ke"] = True
        elif keyword in ("d", "tr") and (value := _floats(rest, 1)):
            state[keyword] = value[0]
        elif keyword in ("pr", "pm") and (value := _floats(rest, 1)):
            current.workflow = "metal-rough"
            if keyword == "pr":
                current.roughness_factor = value[0]
            else:
                current.metallic_factor = value[0]
        elif keyword in _MAP_ROLES:
            role = _MAP_ROLES[keyword]
            if keyword in ("map_pr", "map_pm"):
                current.workflow = "metal-rough"
            if role in current.textures and keyword == "map_pm":
                continue  # map_Pr already holds the slot; roughness is the commoner map
            uri = _map_filename(rest)
            if uri:
                current.textures[role] = TextureSlot(_texture(asset, folder, uri, current.name))
    for material, st in materials:
        _finish(asset, material, st)
        if material.name in by_name:  # redefinition: the later one wins
            asset.materials[by_name[material.name]] = material
        else:
            by_name[material.name] = len(asset.materials)
            asset.materials.append(material)


def _finish(asset: Asset, material: Material, state: dict[str, object]) -> None:
    """Apply opacity and emission once a material's statements are all read."""
    alpha = 1.0
    if "d" in state:
        alpha = float(state["d"])  # type: ignore[arg-type]
    elif "tr" in state:
        tr = float(state["tr"])  # type: ignore[arg-type]
        if tr == 1.0:
            asset.issue(
                "L005",
                f"material {material.name!r}: 'Tr 1' read as opaque (MeshLab writes Tr as "
                "opacity; by the MTL spec it would make the material invisible)",
                severity="info",
                subject=material.name,
            )
        else:
            alpha = 1.0 - tr
    material.base_color_factor[3] = alpha
    if alpha < 1.0:
        material.alpha_mode = "BLEND"
    if "emissive" in material.textures and "ke" not in state:
        material.emissive_factor[:] = 1.0  # a map_Ke without Ke: the map is the emission


def _texture(asset: Asset, folder: Path, uri: str, material: str) -> int:
    """Index of the texture ``uri`` (relative to the MTL's folder, confined to the OBJ's),
    adding it on first use; a missing file becomes a missing texture and an L002 issue."""
    for index, texture in enumerate(asset.textures):
        if texture.uri == uri:
            return index
    try:
        path = resolve_reference(folder, uri, root=asset.path.parent)
        texture = Texture.from_file(uri, path, uri=uri)
    except RefusedReference as exc:
        asset.issue(exc.code, f"texture of material {material!r}: {exc}", subject=uri)
        texture = Texture.missing_texture(uri, uri, str(exc))
    asset.textures.append(texture)
    return len(asset.textures) - 1
