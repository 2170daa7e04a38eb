"""The intermediate model every loader produces and every rule reads.

Everything geometric is canonical: metres, +Y up, right-handed, front facing +Z
(glTF's convention). Loaders convert into this frame with :func:`conversion_matrix`
and :func:`Asset.convert_to_canonical`; what the file *authored* (units, axes,
generator) stays on :class:`Authored` so rules can judge it.

UV convention: glTF's, origin at the top-left of the image (v grows downwards, as
image rows do). Loaders of bottom-left formats (OBJ, USD, FBX) store ``1 - v`` so that
sampling a texture is the same for every source format.
"""

from __future__ import annotations

import functools
import io
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assetlint.arrays import column_bounds, cross, finite_rows, row_matrix

T = TypeVar("T")


class Cache(MutableMapping[str, Any]):
    """What the rules derive from an asset (or from one of its meshes) and share, kept for
    as long as it lives: computing it is the expensive part and several rules read it.

    :meth:`memo` computes a key once also when rules run on several threads (a thread
    that asks for a key being computed waits for it rather than computing it again).
    Whoever changes the arrays it was derived from clears it. A copy sent to another
    process (a kept asset, pickled back from a worker) arrives empty: derived data is
    cheaper to recompute than to send."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per key, its result kept."""
        if key in self._data:
            return self._data[key]
        with self._lock:
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            if key not in self._data:
                self._data[key] = compute()
            return self._data[key]

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()

    def release(self, names: Iterable[str]) -> None:
        """Drop the entries named in ``names`` (a key, or the first item of a tuple key):
        derived data whose readers are done, freed before the asset is."""
        names = set(names)
        with self._lock:
            for key in list(self._data):
                if (key[0] if isinstance(key, tuple) else key) in names:
                    del self._data[key]

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]  # a fresh, empty cache with its own locks

    def __repr__(self) -> str:
        return f"Cache({sorted(self._data)})"


# Texture roles a material can reference; loaders map their format's names onto these.
TEXTURE_ROLES = ("base_color", "normal", "metallic_roughness", "occlusion", "emissive")

# Where a texture's bytes come from.
TEXTURE_SOURCES = ("embedded", "data-uri", "file", "missing")


@dataclass
class LoadIssue:
    """A problem met while reading that did not stop the read (a missing .mtl, an
    undecodable extension, a reference outside the asset folder...).

    ``code`` is stable (see :data:`LOAD_CODES`); the reporter turns these into findings.
    """

    code: str
    message: str
    severity: str = "warning"  # "error", "warning" or "info"
    subject: str | None = None  # the mesh/material/texture/reference it is about
    # How many issues it stands for: alike ones grouped, or (X003) ones not listed.
    repeats: int | None = None


# Stable codes for load issues. L001 is a fatal read error (the file gives no Asset).
LOAD_CODES: dict[str, str] = {
    "L001": "file could not be read",
    "L002": "referenced file missing or unreadable (buffer, .mtl, texture, layer)",
    "L003": "geometry or image not decoded (compression or encoding not supported)",
    "L004": "content ignored (unsupported primitive, extension or feature)",
    "L005": "malformed data read in part (bad index, count or value)",
    "L006": "reference outside the asset folder or to the network, not opened",
    "L007": "glTF 2.0 specification broken (Khronos validator code in the subject)",
    "L008": "the file holds no geometry (no triangle in any mesh)",
}


class LoadError(Exception):
    """The file could not be turned into an Asset. The message names the reason in one
    line, fit to show a user next to the file name."""


@dataclass
class Texture:
    """An image a material uses. Header facts (mime, size) are read eagerly and cheaply;
    pixels are decoded only when a rule asks, via :meth:`image` or :meth:`pixels`."""

    name: str
    source: str  # one of TEXTURE_SOURCES
    uri: str | None = None  # as written in the file (None for embedded)
    path: Path | None = None  # resolved file on disk, for source == "file"
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    byte_size: int | None = None
    error: str | None = None  # why it is missing or unreadable
    _read: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)
    _image: Any = field(default=None, repr=False, compare=False)

    @property
    def missing(self) -> bool:
        return self.source == "missing"

    def data(self) -> bytes:
        """The encoded image bytes (PNG, JPEG...)."""
        if self._read is None:
            raise LoadError(f"texture {self.name!r} has no data: {self.error or 'missing'}")
        return self._read()

    def image(self) -> Any:
        """The decoded PIL image, cached after the first call; LoadError for a texture
        known to be unreadable (past the pixel limit: decoding it is what is avoided)."""
        if self._image is None:
            from PIL import Image

            if self.error:
                raise LoadError(f"texture {self.name!r} is not decoded: {self.error}")

            img = Image.open(io.BytesIO(self.data()))
            img.load()
            self._image = img
        return self._image

    def pixels(self) -> np.ndarray:
        """Pixels as float32 (h, w, 4) RGBA in 0..1, sRGB-encoded as stored."""
        img = self.image().convert("RGBA")
        return np.asarray(img, dtype=np.float32) / 255.0

    @classmethod
    def from_bytes(
        cls, name: str, source: str, data: bytes, uri: str | None = None, path: Path | None = None
    ) -> Texture:
        """Build a texture from encoded bytes, reading only the header for its size. It
        pickles with its bytes (an Asset read in a child process goes back whole)."""
        tex = cls(name=name, source=source, uri=uri, path=path, byte_size=len(data))
        tex._read = functools.partial(bytes, data)  # bytes(b) is b: no copy
        tex._sniff(data)
        return tex

    @classmethod
    def from_file(cls, name: str, path: Path, uri: str | None = None) -> Texture:
        """A texture in a file beside the asset; the file is opened for its header only."""
        tex = cls(name=name, source="file", uri=uri, path=path)
        try:
            tex.byte_size = path.stat().st_size
            with open(path, "rb") as fh:
                tex._sniff(fh)
        except OSError as exc:
            return cls.missing_texture(name, uri, f"cannot read {path.name}: {exc.strerror}")
        tex._read = path.read_bytes
        return tex

    @classmethod
    def missing_texture(cls, name: str, uri: str | None, reason: str) -> Texture:
        return cls(name=name, source="missing", uri=uri, error=reason)

    def _sniff(self, data: bytes | Any) -> None:
        """Read mime type and size from the header without decoding pixels, whatever
        size it declares; one past Pillow's pixel limit is marked not to be decoded."""
        from PIL import Image

        stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        try:
            fmt, (self.width, self.height) = image_header(stream)
            self.mime_type = Image.MIME.get(fmt, self.mime_type)
        except (OSError, ValueError) as exc:
            self.error = f"not a readable image: {exc}"
            return
        limit = Image.MAX_IMAGE_PIXELS  # read, never changed: other threads decode too
        if limit and self.width * self.height > limit:
            self.error = (
                f"declares {self.width} x {self.height} pixels, more than the {limit:,} "
                "decoded at most (a guard against decompression bombs); not decoded"
            )


def image_header(stream: Any) -> tuple[str, tuple[int, int]]:
    """(format, (width, height)) of an encoded image, from its header only. Pillow's
    plugins are tried as ``Image.open`` tries them, but without its decompression-bomb
    check: that check compares with the process-global ``Image.MAX_IMAGE_PIXELS`` (an
    error, or a warning on stderr, that would lose the asset), and lifting the global
    around it would lift it for every thread decoding meanwhile."""
    from PIL import Image

    start = stream.tell()
    prefix = stream.read(16)
    for register in (Image.preinit, Image.init):
        register()
        for fmt in list(Image.ID):
            factory, accept = Image.OPEN[fmt]
            verdict = accept(prefix) if accept else True
            if not verdict or isinstance(verdict, str):
                continue
            stream.seek(start)
            try:
                img = factory(stream, "")
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue
            return img.format or fmt, img.size
    raise ValueError("unknown image format")


@dataclass
class TextureSlot:
    """A material's use of a texture: which texture and which UV set."""

    texture: int  # index into Asset.textures
    uv_set: int = 0


@dataclass
class Material:
    name: str
    base_color_factor: np.ndarray = field(
        default_factory=lambda: np.ones(4, dtype=np.float32)
    )  # linear RGBA
    metallic_factor: float = 1.0
    roughness_factor: float = 1.0
    emissive_factor: np.ndarray = field(default_factory=lambda: np.zeros(3, dtype=np.float32))
    textures: dict[str, TextureSlot] = field(default_factory=dict)  # role -> slot
    alpha_mode: str = "OPAQUE"  # OPAQUE, MASK or BLEND
    alpha_cutoff: float = 0.5
    unlit: bool = False
    double_sided: bool = False
    # The shading model as authored: "metal-rough" (glTF, UsdPreviewSurface metallic),
    # "spec-gloss", "unlit", "phong", "lambert", "unknown"...
    workflow: str = "metal-rough"
    # Invented by a loader for a material the file names but does not define (an OBJ whose
    # .mtl is missing): it stands for nothing authored, so no rule judges it.
    placeholder: bool = False


@dataclass
class Mesh:
    """One mesh's geometry in canonical units (metres, +Y up), in its own local space.

    ``triangles`` may hold invalid indices (negative or >= len(positions)) when the file
    did: the loader keeps them so that a rule can report them.
    """

    name: str
    positions: np.ndarray  # float32 (n, 3)
    triangles: np.ndarray  # int32 (m, 3)
    normals: np.ndarray | None = None  # float32 (n, 3)
    uvs: list[np.ndarray] = field(default_factory=list)  # float32 (n, 2) per UV set
    uv_names: list[str] = field(default_factory=list)
    colors: np.ndarray | None = None  # float32 (n, 4), 0..1
    material_indices: np.ndarray | None = None  # int32 (m,), -1 = no material
    polygon_count: int | None = None  # faces as authored, before triangulation
    other_primitives: dict[str, int] = field(default_factory=dict)  # "points"/"lines" -> count
    bone_count: int = 0
    max_influences: int = 0  # most joints weighting one vertex
    # What the rules derive from this mesh's arrays and share (edge table, welded
    # positions...): cleared by whoever changes them; see Asset.cache for the rest.
    cache: Cache = field(default_factory=Cache, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.positions = np.ascontiguousarray(self.positions, dtype=np.float32).reshape(-1, 3)
        self.triangles = np.ascontiguousarray(self.triangles, dtype=np.int32).reshape(-1, 3)
        if self.material_indices is None:
            self.material_indices = np.full(len(self.triangles), -1, dtype=np.int32)
        else:
            self.material_indices = np.ascontiguousarray(self.material_indices, dtype=np.int32)
        if self.polygon_count is None:
            self.polygon_count = len(self.triangles)

    @property
    def vertex_count(self) -> int:
        return len(self.positions)

    @property
    def triangle_count(self) -> int:
        return len(self.triangles)


@dataclass
class Node:
    name: str
    local: np.ndarray  # float64 (4, 4), canonical frame
    world: np.ndarray  # float64 (4, 4), canonical frame
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    mesh: int | None = None  # index into Asset.meshes

    @property
    def placed(self) -> bool:
        """Whether the world transform is finite: a NaN or infinite one puts the node
        nowhere (rule O009)."""
        return bool(np.isfinite(self.world).all())


# Formats whose files cannot state a unit (as opposed to a file that left it out): loaders
# read one unit as one metre, and the S rules state the unit they assume instead.
UNITLESS_FORMATS = frozenset({"stl", "obj", "ply", "off"})


@dataclass
class Authored:
    """What the file said about itself, before canonicalisation."""

    meters_per_unit: float | None = None  # None where the format has no units (STL, OBJ)
    up_axis: str | None = None  # "+Y", "+Z", "-X"...; None where the format does not say
    front_axis: str | None = None
    handedness: str | None = None  # "right" or "left" where the format says
    generator: str | None = None
    format_version: str | None = None


@dataclass
class Asset:
    path: Path
    format: str  # "glb", "gltf", "obj", "stl", "usda", "usdc", "usdz", "fbx"
    file_size: int
    meshes: list[Mesh] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    textures: list[Texture] = field(default_factory=list)
    authored: Authored = field(default_factory=Authored)
    issues: list[LoadIssue] = field(default_factory=list)
    # Every file the loader resolved besides ``path`` (buffers, images, .mtl, layers at
    # any depth), found or not, inside the asset's folder: what the results cache hashes.
    dependencies: list[Path] = field(default_factory=list)
    # What the rules derive from the whole asset and share (the USD validators' report,
    # sampled albedo, a fitted light...): the one per-asset cache, read through
    # ``cache.memo(key, compute)``; the per-mesh arrays' derivations are on ``Mesh.cache``.
    cache: Cache = field(default_factory=Cache, repr=False, compare=False)

    def clear_caches(self) -> None:
        """Forget everything derived from the asset and its meshes (a kept asset does not
        carry what the rules memoized)."""
        self.cache.clear()
        for mesh in self.meshes:
            mesh.cache.clear()

    def issue(self, code: str, message: str, severity: str = "warning", subject: str | None = None):
        """Record a non-fatal load problem."""
        self.issues.append(LoadIssue(code, message, severity, subject))

    @property
    def unitless(self) -> bool:
        """Whether the file states no unit because its format cannot (STL, OBJ): its numbers
        are metres only by the loaders' convention."""
        return self.format in UNITLESS_FORMATS and self.authored.meters_per_unit is None

    def instances(self) -> Iterator[tuple[int, Node]]:
        """(mesh index, node) for each node that instances a mesh."""
        for node in self.nodes:
            if node.mesh is not None:
                yield node.mesh, node

    def placed_instances(self) -> Iterator[tuple[int, Node]]:
        """The instances whose world transform is finite: the others have no place in
        the scene (rule O009 reports them), so what is measured in world space skips
        them rather than turning every figure into NaN."""
        for mesh_index, node in self.instances():
            if node.placed:
                yield mesh_index, node

    @property
    def scene_triangle_count(self) -> int:
        """Triangles drawn: a mesh used by three nodes counts three times."""
        return sum(self.meshes[m].triangle_count for m, _ in self.instances())

    @property
    def unique_triangle_count(self) -> int:
        return sum(m.triangle_count for m in self.meshes)

    @property
    def scene_vertex_count(self) -> int:
        return sum(self.meshes[m].vertex_count for m, _ in self.instances())

    def bounds(self) -> np.ndarray | None:
        """World-space (2, 3) min/max over all placed geometry, in metres; None if empty.

        Only finite vertices count, so one NaN does not hide the size of the rest.
        Computed once per mesh and transform and cached on the mesh, since many rules
        ask: an axis-aligned transform (scale, axis swaps, translation: nearly every
        instance) maps the local box exactly, so only other transforms move every
        vertex."""
        lo = np.full(3, np.inf)
        hi = np.full(3, -np.inf)
        for mesh_index, node in self.placed_instances():
            mesh = self.meshes[mesh_index]
            key = ("world_bounds", node.world.tobytes())
            if key not in mesh.cache:
                mesh.cache[key] = _world_box(mesh, node.world)
            box = mesh.cache[key]
            if box is not None:
                lo = np.minimum(lo, box[0])
                hi = np.maximum(hi, box[1])
        if not np.isfinite(lo).all():
            return None
        return np.stack([lo, hi])

    def convert_to_canonical(self, matrix: np.ndarray) -> None:
        """Move geometry authored in another frame into the canonical one.

        ``matrix`` maps authored coordinates to canonical ones (see
        :func:`conversion_matrix`). Mesh positions and normals are transformed in place and
        node transforms are conjugated (C·T·C⁻¹), so instancing and hierarchy survive and
        ``world @ position`` stays right."""
        matrix = np.asarray(matrix, dtype=np.float64)
        if np.allclose(matrix, np.eye(4)):
            return
        linear = matrix[:3, :3]
        rotation = linear / np.cbrt(abs(np.linalg.det(linear)))
        for mesh in self.meshes:
            mesh.positions = transform_points(mesh.positions, matrix).astype(np.float32)
            if mesh.normals is not None:
                mesh.normals = (mesh.normals.astype(np.float64) @ row_matrix(rotation)).astype(
                    np.float32
                )
            mesh.cache.clear()  # anything measured before is in the old frame
        inverse = np.linalg.inv(matrix)
        for node in self.nodes:
            node.local = matrix @ node.local @ inverse
            node.world = matrix @ node.world @ inverse


@dataclass(frozen=True)
class SkinWeights:
    """Which joints move a mesh's vertices, as sparse (vertex, joint, weight) triplets:
    glTF's JOINTS_n/WEIGHTS_n columns and FBX's per-cluster lists both flatten to this."""

    vertex: np.ndarray  # int (m,) index into the mesh's vertices
    joint: np.ndarray  # int (m,) index into the skin's joint matrices
    weight: np.ndarray  # float (m,)


# Joint placements closer than this share of the mesh's placed size are one rigid
# placement: float32 bind matrices written by exporters agree to about 1e-6, and a pose
# that moves any limb moves it by far more than 1e-4 of the body.
SKIN_RIGID_TOLERANCE = 1e-4


def place_skinned(asset: Asset, node_index: int, joints: np.ndarray, skin: SkinWeights) -> None:
    """Place a skinned mesh instance where its skin puts it, as glTF ("the transform of the
    node that the mesh is attached to is ignored") and FBX (clusters' bone x geometry-to-bone
    matrices) define it. ``joints`` holds each joint's world matrix times its inverse bind
    matrix (k, 4, 4). When every weighted joint agrees (the scene holds the bind pose, the
    usual case) the node simply gets that matrix as its world transform; otherwise the
    linear blend is baked into the vertices (a copy of the mesh if other nodes share it)
    and the node gets the identity. Unweighted vertices keep the node's own transform."""
    node = asset.nodes[node_index]
    mesh = asset.meshes[node.mesh] if node.mesh is not None else None
    joints = np.asarray(joints, dtype=np.float64).reshape(-1, 4, 4)
    if mesh is None or not mesh.vertex_count or not len(joints):
        return
    n = mesh.vertex_count
    vertex, joint = np.asarray(skin.vertex, np.int64), np.asarray(skin.joint, np.int64)
    weight = np.asarray(skin.weight, np.float64)
    good_joint = np.isfinite(joints).all(axis=(1, 2))
    ok = (weight > 0) & (vertex >= 0) & (vertex < n) & (joint >= 0) & (joint < len(joints))
    ok[ok] = good_joint[joint[ok]]
    vertex, joint, weight = vertex[ok], joint[ok], weight[ok]
    if not len(vertex):
        return
    total = np.bincount(vertex, weight, minlength=n)
    candidates = joints[np.unique(joint)]
    if (total <= 0).any():
        candidates = np.concatenate([candidates, node.world[None]])
    local = _finite_local_bounds(mesh)
    if local is None:
        return
    corners = np.array(list(product(*local.T)))
    placed = np.einsum("kij,cj->kci", candidates[:, :3, :3], corners) + candidates[:, None, :3, 3]
    size = float(np.ptp(placed[0], axis=0).max())
    if float(np.abs(placed - placed[0]).max()) <= SKIN_RIGID_TOLERANCE * max(size, 1e-300):
        _set_world(asset, node_index, candidates.mean(axis=0))
        return
    blend = np.empty((n, 4, 4))
    share = weight / total[vertex]
    for r, c in product(range(4), range(4)):
        blend[:, r, c] = np.bincount(vertex, share * joints[joint, r, c], minlength=n)
    blend[total <= 0] = node.world
    pos = mesh.positions.astype(np.float64)
    moved = np.einsum("nij,nj->ni", blend[:, :3, :3], pos) + blend[:, :3, 3]
    normals = None
    if mesh.normals is not None:
        cols = blend[:, :3, :3].transpose(0, 2, 1)  # rows are the columns of each matrix
        cofactor = np.stack(
            [
                cross(cols[:, 1], cols[:, 2]),
                cross(cols[:, 2], cols[:, 0]),
                cross(cols[:, 0], cols[:, 1]),
            ],
            axis=2,
        )
        normals = np.einsum("nij,nj->ni", cofactor, mesh.normals.astype(np.float64))
        length = np.linalg.norm(normals, axis=1, keepdims=True)
        normals = np.where(length > 0, normals / np.maximum(length, 1e-300), 0.0)
    shared = sum(1 for m, _ in asset.instances() if m == node.mesh) > 1
    target = replace(mesh, cache=Cache()) if shared else mesh
    target.positions = moved.astype(np.float32)
    if normals is not None:
        target.normals = normals.astype(np.float32)
    target.cache.clear()
    if shared:
        asset.meshes.append(target)
        node.mesh = len(asset.meshes) - 1
    _set_world(asset, node_index, np.eye(4))


def _set_world(asset: Asset, node_index: int, world: np.ndarray) -> None:
    """Give a node a new world transform, keeping the hierarchy consistent: its local
    transform follows its parent's, and its children keep their world transforms."""
    node = asset.nodes[node_index]
    node.world = np.asarray(world, dtype=np.float64)
    parent = asset.nodes[node.parent].world if node.parent is not None else np.eye(4)
    node.local = _solve(parent, node.world)
    for child in node.children:
        asset.nodes[child].local = _solve(node.world, asset.nodes[child].world)


def _solve(base: np.ndarray, world: np.ndarray) -> np.ndarray:
    """inv(base) @ world; a singular base (a zero scale) gives the world itself."""
    try:
        return np.linalg.solve(base, world)
    except np.linalg.LinAlgError:
        return world.copy()


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 4x4 affine transform to (n, 3) points, in float64 (a new array). Most
    nodes have no rotation or scale: those only add the translation."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if np.array_equal(matrix[:3, :3], np.eye(3)):
        out = np.array(points, dtype=np.float64)
    else:
        out = np.asarray(points, dtype=np.float64) @ row_matrix(matrix)
    if matrix[:3, 3].any():
        out += matrix[:3, 3]
    return out


_AXES = {"X": 0, "Y": 1, "Z": 2}


def _finite_local_bounds(mesh: Mesh) -> np.ndarray | None:
    """(2, 3) bounds of a mesh's finite vertices in its own space, cached."""
    if "finite_bounds" not in mesh.cache:
        pts = mesh.positions
        finite = finite_rows(pts)
        if not finite.all():
            pts = pts[finite]
        mesh.cache["finite_bounds"] = np.stack(column_bounds(pts)) if len(pts) else None
    return mesh.cache["finite_bounds"]


def _world_box(mesh: Mesh, world: np.ndarray) -> np.ndarray | None:
    """(2, 3) world bounds of a mesh's finite vertices drawn with ``world``."""
    local = _finite_local_bounds(mesh)
    if local is None:
        return None
    linear = world[:3, :3]
    nonzero = np.abs(linear) > 1e-12 * max(float(np.abs(linear).max()), 1e-300)
    if (nonzero.sum(axis=1) == 1).all():
        corners = transform_points(np.array(list(product(*local.T))), world)
        return np.stack([corners.min(axis=0), corners.max(axis=0)])
    pts = transform_points(mesh.positions, world)
    finite = finite_rows(pts)
    if not finite.all():
        pts = pts[finite]
    return np.stack(column_bounds(pts)) if len(pts) else None


def axis_vector(axis: str) -> np.ndarray:
    """'+Z' -> (0, 0, 1), '-X' -> (-1, 0, 0)."""
    sign = -1.0 if axis[0] == "-" else 1.0
    vec = np.zeros(3)
    vec[_AXES[axis[-1].upper()]] = sign
    return vec


def conversion_matrix(meters_per_unit: float | None, up_axis: str | None) -> np.ndarray:
    """4x4 matrix from an authored frame (units, up axis, right-handed) to canonical.

    A Z-up file is rotated -90 degrees about X (so +Z becomes +Y and +Y becomes -Z), the
    usual Blender/3ds Max to glTF conversion; -Y, X and -X up axes rotate likewise.
    Missing units are taken as metres."""
    scale = 1.0 if meters_per_unit is None else float(meters_per_unit)
    up = axis_vector(up_axis or "+Y")
    target = np.array([0.0, 1.0, 0.0])
    rot = _rotation_between(up, target)
    mat = np.eye(4)
    mat[:3, :3] = rot * scale
    return mat


def _rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rotation taking unit axis vector a onto b (a quarter or half turn)."""
    if np.allclose(a, b):
        return np.eye(3)
    if np.allclose(a, -b):
        # half turn about an axis perpendicular to both (X for Y/-Y, Z otherwise)
        perp = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.5 else np.array([0.0, 0.0, 1.0])
        return 2.0 * np.outer(perp, perp) - np.eye(3)
    axis = np.cross(a, b)
    axis /= np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + k + k @ k  # Rodrigues with sin=1, cos=0


def single_node_scene(asset: Asset) -> None:
    """Give an asset without a hierarchy (STL, OBJ) one identity node per mesh."""
    for index, mesh in enumerate(asset.meshes):
        asset.nodes.append(Node(name=mesh.name, local=np.eye(4), world=np.eye(4), mesh=index))
