"""USD loader (usda, usdc, usdz) on top of usd-core (``pxr``).

Confinement comes first: before a stage is composed, every layer the root layer pulls
in (sublayers, references, payloads, value clips) is vetted through :mod:`._refs` and
opened here, one by one. Arcs that are refused (absolute paths, URIs, paths leaving the
asset folder) or that name a missing/unreadable layer are removed from the in-memory
copies of the vetted layers (never saved), so USD composes only what was vetted and
never opens the rest itself.

Units: a stage that does not author ``metersPerUnit`` gets USD's fallback, 0.01
(centimetres), as every USD consumer would; ``Authored.meters_per_unit`` then stays None
so that rules can tell "not authored" from "authored 0.01". The same goes for
``upAxis`` (fallback Y). An upAxis other than Y or Z is reported and geometry is kept
Y-up.

Isolation: usd-core aborts or hangs on some corrupt files (its crate reader, and
composition of what it read), so the whole read runs in a forked child
(:func:`isolated`) that sends the Asset back; a crash or a hang there is a LoadError
here. On a loaded 2-core machine that costs ~25 ms per file (0.2 s -> 0.3 s for a
1M-triangle usdc, the Asset pickled back), small next to starting a process (0.5 s), so
every flavour is isolated: a usda is text, but its layers may pull in usdc ones, and the
abort seen came from composition, not from parsing.
"""

from __future__ import annotations

import functools
import io
import os
import posixpath
import re
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from assetlint.loaders._isolated import run_forked
from assetlint.loaders._refs import RefusedReference, resolve_reference
from assetlint.model import (
    Asset,
    LoadError,
    Material,
    Mesh,
    Node,
    Texture,
    TextureSlot,
    conversion_matrix,
)

# UsdGeom.GetStageMetersPerUnit when a stage does not author metersPerUnit (centimetres)
FALLBACK_METERS_PER_UNIT = 0.01
# Seconds the reader child may take on one file before it is killed.
TIMEOUT_S = 60.0
# USD's diagnostics are captured while loading; at most this many become load issues.
_MAX_DIAGNOSTIC_ISSUES = 5

# UsdPreviewSurface input -> texture role in the model.
_TEXTURE_ROLES = {
    "diffuseColor": "base_color",
    "normal": "normal",
    "roughness": "metallic_roughness",
    "metallic": "metallic_roughness",
    "occlusion": "occlusion",
    "emissiveColor": "emissive",
}

# UsdPreviewSurface fallbacks (its spec), used when an input is not authored.
_PREVIEW_DEFAULTS: dict[str, Any] = {
    "diffuseColor": (0.18, 0.18, 0.18),
    "emissiveColor": (0.0, 0.0, 0.0),
    "metallic": 0.0,
    "roughness": 0.5,
    "opacity": 1.0,
    "opacityThreshold": 0.0,
    "useSpecularWorkflow": 0,
}

# UsdUVTexture single-channel outputs -> index into its scale.
_CHANNELS = {"r": 0, "g": 1, "b": 2, "a": 3}

# Primvar names taken as UV sets even when not typed texCoord2f.
_UV_NAMES = {"st", "uv", "uvmap", "st0", "st1", "uv0", "uv1", "map1"}

T = TypeVar("T")


def load(path: Path) -> Asset:
    """Read a USD stage into an Asset (see the module docstring for the rules) in a
    child process, since usd-core aborts on some corrupt files."""
    return isolated(_read, (Path(path),), "USD reader")


def isolated(target: Callable[..., T], args: tuple[Any, ...], what: str) -> T:
    """``target(*args)`` in a forked child (:func:`~._isolated.run_forked`), usd-core
    imported and warmed up here first so that the child starts in milliseconds."""
    _warm_up()
    return run_forked(_in_child, (target, args), what, TIMEOUT_S)


def _in_child(target: Callable[..., T], args: tuple[Any, ...]) -> T:
    """The target with all of usd-core's threads, which this process keeps to one."""
    from pxr import Work

    Work.SetMaximumConcurrencyLimit()
    return target(*args)


@functools.cache
def _warm_up() -> None:
    """Read a small stage of our own here, once, so that usd-core's plugins and
    registries and the loader's imports are loaded before any child forks: a cold child
    spends ~0.1 s on them (~0.3 s more if usd-core is not yet imported).

    From then on usd-core runs single-threaded in this process: a fork copies only the
    forking thread, so a worker thread busy at that moment (destroying a stage in the
    background, as usd-core does) could leave a lock held in the child, which then
    hung until the time limit (seen once in ~15 test runs)."""
    from pxr import Work

    Work.SetConcurrencyLimit(1)
    with tempfile.TemporaryDirectory(prefix="assetlint-usd-") as folder:
        path = Path(folder) / "warm.usda"
        path.write_text(_WARM_UP_STAGE)
        _read(path)


# What _warm_up reads: a mesh with UVs and normals, bound to a textured preview material.
_WARM_UP_STAGE = """#usda 1.0
(
    metersPerUnit = 1
    upAxis = "Y"
)
def Mesh "M" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
    normal3f[] normals = [(0, 0, 1), (0, 0, 1), (0, 0, 1)] (interpolation = "faceVarying")
    texCoord2f[] primvars:st = [(0, 0), (1, 0), (0, 1)] (interpolation = "faceVarying")
    rel material:binding = </Mat>
}
def Material "Mat"
{
    token outputs:surface.connect = </Mat/S.outputs:surface>
    def Shader "S"
    {
        uniform token info:id = "UsdPreviewSurface"
        color3f inputs:diffuseColor.connect = </Mat/T.outputs:rgb>
        token outputs:surface
    }
    def Shader "T"
    {
        uniform token info:id = "UsdUVTexture"
        asset inputs:file = @missing.png@
        float3 outputs:rgb
    }
}
"""


def _read(path: Path) -> Asset:
    """The reading proper, in the child."""
    from pxr import Tf

    with _captured_diagnostics() as captured:
        try:
            asset = _load(path, captured)
        except Tf.ErrorException as exc:
            raise LoadError(f"USD could not read the file: {_tf_message(exc)}") from None
    _report_diagnostics(captured, asset)
    return asset


def _load(path: Path, captured: _Captured) -> Asset:
    from pxr import Usd

    fmt, version = _sniff_format(path)
    asset = Asset(path=path, format=fmt, file_size=path.stat().st_size)
    asset.authored.format_version = version
    asset.authored.handedness = "right"
    if fmt == "usdz":
        _vet_package(path, asset)
    layers = _vet_layers(path, asset)
    root_layer = layers[0]
    stage = Usd.Stage.Open(root_layer, Usd.Stage.LoadAll)
    if stage is None:
        raise LoadError("USD could not compose a stage from the file")
    _read_metadata(stage, root_layer, layers, asset)
    _SceneReader(stage, asset).read()
    captured.messages.extend(" ".join(str(e).split()) for e in stage.GetCompositionErrors())
    meters_per_unit = asset.authored.meters_per_unit or FALLBACK_METERS_PER_UNIT
    asset.convert_to_canonical(conversion_matrix(meters_per_unit, _up(asset)))
    return asset


def _up(asset: Asset) -> str:
    return asset.authored.up_axis or "+Y"


# --- diagnostics -------------------------------------------------------------------------


@dataclass
class _Captured:
    """What USD said while a file was read."""

    messages: list[str]


@contextmanager
def _captured_diagnostics() -> Iterator[_Captured]:
    """Keep USD's chatter out of the user's terminal: Tf warnings go to a coalescing
    delegate, and the few lines the crate reader prints straight to stderr (on corrupt
    files) to a temporary file. Both become load issues afterwards."""
    from pxr import UsdUtils

    captured = _Captured(messages=[])
    delegate = UsdUtils.CoalescingDiagnosticDelegate()
    with tempfile.TemporaryFile() as sink:
        try:
            sys.stderr.flush()
            saved: int | None = os.dup(2)
            os.dup2(sink.fileno(), 2)
        except (OSError, ValueError):  # no stderr to redirect (closed, embedded)
            saved = None
        try:
            yield captured
        finally:
            if saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
            sink.seek(0)
            printed = sink.read().decode("utf-8", "replace").splitlines()
            for diagnostic in delegate.TakeUncoalescedDiagnostics():
                captured.messages.append(" ".join(_text(lambda d=diagnostic: d.commentary).split()))
            captured.messages.extend(line.strip() for line in printed if line.strip())
            del delegate


def _text(get: Any) -> str:
    """A message USD hands to Python; its bindings raise UnicodeDecodeError on one that
    quotes bytes of the file that are not UTF-8."""
    try:
        return str(get())
    except UnicodeDecodeError:
        return "USD's message quotes bytes of the file that are not UTF-8"


def _tf_message(exc: Exception) -> str:
    """The commentary of a Tf.ErrorException, on one line."""
    text = _text(lambda: exc)
    found = re.findall(r" : '(.*?)'\s*(?=\n\tError in|$)", text, flags=re.S)
    message = found[-1] if found else text
    message = " ".join(message.split())
    return message[:300] if message else "unknown error"


def _first_sentences(text: str, count: int = 2) -> str:
    """USD's messages run on (FAQ links, how to silence them): keep their gist."""
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
    return " ".join(parts[:count])


def _report_diagnostics(captured: _Captured, asset: Asset) -> None:
    """Composition errors and USD warnings met while reading become L005 issues."""
    unique = list(dict.fromkeys(_first_sentences(m) for m in captured.messages if m))
    for message in unique[:_MAX_DIAGNOSTIC_ISSUES]:
        asset.issue("L005", f"USD reported: {message[:300]}")
    if len(unique) > _MAX_DIAGNOSTIC_ISSUES:
        asset.issue("L005", f"USD reported {len(unique) - _MAX_DIAGNOSTIC_ISSUES} more problems")


# --- format ------------------------------------------------------------------------------


def _sniff_format(path: Path) -> tuple[str, str | None]:
    """("usda"|"usdc"|"usdz", version) from the root layer's content, not its extension."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PK\x03\x04"):
        return "usdz", _package_version(path)
    return _layer_kind(head)


def _layer_kind(head: bytes) -> tuple[str, str | None]:
    if head.startswith(b"PXR-USDC"):
        major, minor, patch = head[8:11] if len(head) >= 11 else (0, 0, 0)
        return "usdc", f"usdc {major}.{minor}.{patch}"
    match = re.match(rb"#usda\s+([0-9.]+)", head)
    return "usda", f"usda {match.group(1).decode()}" if match else None


def _package_version(path: Path) -> str | None:
    """The version of the first layer in a usdz (the package's root layer)."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if not names:
                raise LoadError("USDZ package is empty")
            with package.open(names[0]) as fh:
                return _layer_kind(fh.read(16))[1]
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
        raise LoadError(f"not a readable USDZ package: {exc}") from None


def _vet_package(path: Path, asset: Asset) -> None:
    """Report the members of a usdz that nothing reads: names that would land outside the
    package if extracted (absolute, a drive, ``..``), and compressed members (USDZ stores
    members uncompressed; USD cannot read them, and assetlint never inflates one, since
    it may be a zip bomb)."""
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if parts[0] == "" or ".." in parts or (len(name) > 1 and name[1] == ":"):
                asset.issue(
                    "L006",
                    f"package member {name!r} has a path that leaves the package; not opened",
                    subject=name,
                )
            elif info.compress_type != zipfile.ZIP_STORED:
                asset.issue("L005", _compressed(info), subject=name)


def _compressed(info: zipfile.ZipInfo) -> str:
    return (
        f"package member {info.filename!r} is compressed ({info.compress_size:,} bytes that "
        f"claim to expand to {info.file_size:,}); USDZ members are stored uncompressed, "
        "so it is not read"
    )


# --- layer confinement -------------------------------------------------------------------


def _vet_layers(path: Path, asset: Asset) -> list[Any]:
    """Open the root layer and every layer it depends on that stays inside the asset
    folder; strip the other arcs from the in-memory layers. Returns the opened layers
    (root first), which must stay alive while the stage is composed."""
    from pxr import Sdf, Tf

    root_dir = path.parent.resolve()
    try:
        root = Sdf.Layer.FindOrOpen(os.path.abspath(path))
    except Tf.ErrorException as exc:
        raise LoadError(f"USD could not read the file: {_tf_message(exc)}") from None
    if root is None:
        raise LoadError("USD could not read the file (no layer in it that usd-core reads)")
    layers = [root]
    seen = {root.identifier}
    queue = [root]
    while queue:
        layer = queue.pop(0)
        refused: set[str] = set()
        for asset_path in layer.GetCompositionAssetDependencies():
            if not asset_path:  # internal references and payloads
                continue
            try:
                identifier = _vet_asset(layer, asset_path, root_dir)
                if identifier in seen:
                    continue
                dependency = _open_layer(identifier, asset_path)
            except RefusedReference as exc:
                refused.add(asset_path)
                _issue_once(asset, exc.code, f"layer {exc}", subject=asset_path)
                continue
            seen.add(identifier)
            layers.append(dependency)
            queue.append(dependency)
        _strip_arcs(layer, refused, root_dir, asset)
    return layers


@contextmanager
def vetted_stage(path: Path) -> Iterator[Any]:
    """The stage of ``path`` composed only from the layers :func:`load` vets (inside the
    asset folder, the other arcs stripped), with USD's chatter kept off the terminal: for
    other readers of the file, such as the UsdValidation rules, which must open no more
    than the loader does. A usd-core error while the stage is used is raised as
    LoadError (its message on one line)."""
    from pxr import Tf, Usd

    with _captured_diagnostics():
        layers = _vet_layers(path, Asset(path=path, format="usd", file_size=0))
        try:
            yield Usd.Stage.Open(layers[0], Usd.Stage.LoadAll)
        except Tf.ErrorException as exc:
            raise LoadError(_tf_message(exc)) from None


def _issue_once(asset: Asset, code: str, message: str, subject: str | None = None) -> None:
    """An issue, unless the same one was already recorded (several layers may reference
    the same refused file)."""
    if not any(i.code == code and i.message == message for i in asset.issues):
        asset.issue(code, message, subject=subject)


def _open_layer(identifier: str, asset_path: str) -> Any:
    from pxr import Sdf, Tf

    try:
        layer = Sdf.Layer.FindOrOpen(identifier)
    except Tf.ErrorException as exc:
        raise RefusedReference(
            "L002", f"{asset_path!r} is unreadable: {_tf_message(exc)}"
        ) from None
    if layer is None:
        raise RefusedReference("L002", f"{asset_path!r} is not a layer usd-core reads")
    return layer


def _vet_asset(layer: Any, asset_path: str, root_dir: Path) -> str:
    """The identifier under which USD will open ``asset_path`` as authored in ``layer``,
    once it is known to stay inside ``root_dir``; RefusedReference otherwise."""
    from pxr import Ar, Sdf

    if not _is_plain_relative(asset_path):
        resolve_reference(root_dir, asset_path, root_dir)  # raises L006 with its reason
    anchored = Sdf.ComputeAssetPathRelativeToLayer(layer, asset_path)
    if Ar.IsPackageRelativePath(anchored):
        outer, inner = Ar.SplitPackageRelativePathOuter(anchored)
        resolve_reference(Path(outer).parent, Path(outer).name, root_dir)
        if posixpath.normpath(inner.replace("\\", "/")).startswith(("../", "/")):
            raise RefusedReference(
                "L006", f"{asset_path!r} points outside the package {Path(outer).name}"
            )
        if not _package_member(outer, inner, probe=True):
            raise RefusedReference("L002", f"{asset_path!r} not found in {Path(outer).name}")
        return anchored
    resolve_reference(_layer_dir(layer), asset_path, root_dir)
    return anchored if os.path.isabs(anchored) else str(_layer_dir(layer) / asset_path)


def _is_plain_relative(asset_path: str) -> bool:
    scheme = urlparse(asset_path).scheme
    rel = asset_path.replace("\\", "/")
    absolute = rel.startswith("/") or (len(rel) > 1 and rel[1] == ":")
    return not (scheme and len(scheme) > 1) and not absolute


def _layer_dir(layer: Any) -> Path:
    """The folder a layer's relative paths leave from: a package's own folder for layers
    inside a usdz (paths not found in the package are looked up beside it)."""
    from pxr import Ar

    real = layer.realPath or layer.identifier
    if Ar.IsPackageRelativePath(real):
        real = Ar.SplitPackageRelativePathOuter(real)[0]
    return Path(real).parent


def _strip_arcs(layer: Any, refused: set[str], root_dir: Path, asset: Asset) -> None:
    """Remove refused sublayers, references and payloads from the in-memory layer, and
    value clips that leave the folder, so that composing the stage never opens them."""
    from pxr import Sdf

    if refused:
        layer.SetPermissionToEdit(True)
        for sublayer in [p for p in layer.subLayerPaths if p in refused]:
            layer.subLayerPaths.remove(sublayer)  # keeps the other offsets aligned

    def visit(spec_path: Any) -> None:
        if not (spec_path.IsPrimPath() or spec_path.IsPrimVariantSelectionPath()):
            return
        spec = layer.GetPrimAtPath(spec_path)
        if spec is None:
            return
        if refused:
            for items in (spec.referenceList, spec.payloadList):
                for item in _list_op_items(items):
                    if item.assetPath in refused:
                        items.RemoveItemEdits(item)
        if spec.HasInfo("clips"):
            _strip_clips(layer, spec, root_dir, asset)

    layer.Traverse(Sdf.Path.absoluteRootPath, visit)


def _list_op_items(items: Any) -> list[Any]:
    found: list[Any] = []
    for op in ("explicitItems", "prependedItems", "appendedItems", "addedItems", "orderedItems"):
        found.extend(getattr(items, op))
    return list(dict.fromkeys(found))


def _strip_clips(layer: Any, spec: Any, root_dir: Path, asset: Asset) -> None:
    """Drop clip sets whose clip layers would leave the folder or are missing."""
    clips = dict(spec.GetInfo("clips"))
    kept = {}
    for name, clip_set in clips.items():
        paths = [str(p.path) for p in clip_set.get("assetPaths", [])]
        for key in ("manifestAssetPath", "templateAssetPath"):
            if clip_set.get(key):
                value = clip_set[key]
                paths.append(value.path if hasattr(value, "path") else str(value))
        try:
            for clip_path in paths:
                template = clip_path.replace("#", "0")
                if "#" in clip_path:
                    if not _is_plain_relative(template) or ".." in Path(template).parts:
                        raise RefusedReference("L006", f"{clip_path!r} leaves the asset folder")
                    continue
                _vet_asset(layer, clip_path, root_dir)
        except RefusedReference as exc:
            asset.issue(exc.code, f"value clip {exc}", subject=str(spec.path))
            continue
        kept[name] = clip_set
    if len(kept) != len(clips):
        layer.SetPermissionToEdit(True)
        if kept:
            spec.SetInfo("clips", kept)
        else:
            spec.ClearInfo("clips")


def _package_member(package_path: str, inner: str, probe: bool = False) -> bytes | bool:
    """Bytes of a file inside a usdz (nested packages allowed), read from the zip
    without extracting anything to disk. With ``probe``, only whether it is there."""
    try:
        with zipfile.ZipFile(package_path) as package:
            return _zip_member(package, inner, probe)
    except (zipfile.BadZipFile, OSError, KeyError):
        return False if probe else b""


def _zip_member(package: zipfile.ZipFile, inner: str, probe: bool) -> bytes | bool:
    from pxr import Ar

    if Ar.IsPackageRelativePath(inner):
        outer, rest = Ar.SplitPackageRelativePathOuter(inner)
        with zipfile.ZipFile(io.BytesIO(_stored(package, outer))) as nested:
            return _zip_member(nested, rest, probe)
    if probe:
        return inner in package.namelist()
    return _stored(package, inner)


def _stored(package: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, as long as they are stored: a compressed member is refused
    without inflating it (see :func:`_vet_package`)."""
    info = package.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED:
        raise RefusedReference("L005", _compressed(info))
    return package.read(info)


# --- stage metadata ----------------------------------------------------------------------


def _read_metadata(stage: Any, root_layer: Any, layers: list[Any], asset: Asset) -> None:
    from pxr import UsdGeom

    authored = asset.authored
    if stage.HasAuthoredMetadata("metersPerUnit"):
        value = float(UsdGeom.GetStageMetersPerUnit(stage))
        if np.isfinite(value) and value > 0:
            authored.meters_per_unit = value
        else:  # would make the unit conversion singular
            asset.issue(
                "L005",
                f"metersPerUnit is {value:g}, not a positive number; read as USD's fallback "
                f"of {FALLBACK_METERS_PER_UNIT:g} m per unit (centimetres)",
            )
    else:
        asset.issue(
            "L005",
            "metersPerUnit is not authored; read with USD's fallback of "
            f"{FALLBACK_METERS_PER_UNIT:g} m per unit (centimetres)",
            severity="info",
        )
    if stage.HasAuthoredMetadata("upAxis"):
        up = str(stage.GetMetadata("upAxis"))
        if up in ("Y", "Z"):
            authored.up_axis = f"+{up}"
        else:
            asset.issue(
                "L005",
                f"upAxis {up!r} is not valid in USD (Y or Z); the geometry is kept Y-up",
                severity="error",
            )
    authored.generator = _generator(root_layer)
    stage_mpu = float(UsdGeom.GetStageMetersPerUnit(stage))
    stage_up = str(UsdGeom.GetStageUpAxis(stage))
    for layer in layers[1:]:
        info = layer.pseudoRoot
        name = Path(layer.identifier).name
        if info.HasInfo("metersPerUnit"):
            mpu = float(info.GetInfo("metersPerUnit"))
            if not np.isclose(mpu, stage_mpu):
                asset.issue(
                    "L004",
                    f"layer {name} authors metersPerUnit {mpu:g} but the stage uses "
                    f"{stage_mpu:g}; USD does not rescale it, so its geometry is read in "
                    "the stage's units",
                    subject=name,
                )
        if info.HasInfo("upAxis") and str(info.GetInfo("upAxis")) != stage_up:
            asset.issue(
                "L004",
                f"layer {name} authors upAxis {info.GetInfo('upAxis')} but the stage uses "
                f"{stage_up}; USD does not rotate it",
                subject=name,
            )


def _generator(layer: Any) -> str | None:
    """The tool that wrote the file: customLayerData creator, else doc, else the first
    line of the layer comment (where Mineways and others sign)."""
    creator = layer.customLayerData.get("creator")
    for text in (creator, layer.documentation, layer.comment):
        if text:
            line = next((s.strip(" #\t") for s in str(text).splitlines() if s.strip(" #\t")), "")
            if line:
                return line[:200]
    return None


# --- the scene ---------------------------------------------------------------------------


@dataclass
class _Attr:
    """A primvar's data, ready to map onto vertices."""

    kind: str  # "const", "point" or "corner"
    values: np.ndarray  # (k, d): one row (const), per point, or the table corner ids index
    ids: np.ndarray | None = None  # per-corner row index into values, for "corner"


class _SceneReader:
    """Walks the composed stage: nodes, meshes (shared by instances), materials."""

    def __init__(self, stage: Any, asset: Asset):
        from pxr import Usd, UsdGeom

        self.stage = stage
        self.asset = asset
        self.time = Usd.TimeCode.EarliestTime()
        self.xforms = UsdGeom.XformCache(self.time)
        self.mesh_index: dict[str, int] = {}  # prim (or prototype prim) path -> mesh
        self.material_index: dict[str, int] = {}
        self.texture_index: dict[str, int] = {}
        self.node_index: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.mesh_prims: dict[int, Any] = {}  # mesh -> the prim it was read from
        # material -> texture role -> the UV set name its primvar reader asks for
        self.texture_uv_names: dict[str, dict[str, str | None]] = {}

    # nodes

    def read(self) -> None:
        from pxr import Usd, UsdGeom

        predicate = Usd.TraverseInstanceProxies(Usd.PrimDefaultPredicate)
        prims = iter(Usd.PrimRange(self.stage.GetPseudoRoot(), predicate))
        next(prims)  # the pseudo-root
        for prim in prims:
            imageable = UsdGeom.Imageable(prim)
            if imageable:
                visibility = imageable.GetVisibilityAttr().Get(self.time)
                purpose = imageable.GetPurposeAttr().Get()
                if visibility == "invisible" or purpose == "guide":
                    prims.PruneChildren()
                    self._skip("invisible or guide-purpose prims skipped with their children")
                    continue
            if not prim.IsA(UsdGeom.Xformable):
                continue
            node = self._add_node(prim)
            if prim.IsA(UsdGeom.Mesh):
                self.asset.nodes[node].mesh = self._mesh_for(prim)
            elif prim.IsA(UsdGeom.PointInstancer):
                self._point_instancer(prim, node)
                prims.PruneChildren()
            elif prim.IsA(UsdGeom.Gprim):
                self._skip(f"{prim.GetTypeName()} prims not read (only Mesh geometry is)")
        self._resolve_materials()
        for what, count in self.skipped.items():
            self.asset.issue("L004", f"{count} {what}", "info")

    def _skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def _world(self, prim: Any) -> np.ndarray:
        return np.array(self.xforms.GetLocalToWorldTransform(prim), dtype=np.float64).T

    def _add_node(self, prim: Any) -> int:
        world = self._world(prim)
        parent = self._parent_node(prim)
        local = world if parent is None else _relative(self.asset.nodes[parent].world, world)
        index = len(self.asset.nodes)
        self.asset.nodes.append(
            Node(name=str(prim.GetPath()), local=local, world=world, parent=parent)
        )
        if parent is not None:
            self.asset.nodes[parent].children.append(index)
        self.node_index[str(prim.GetPath())] = index
        return index

    def _parent_node(self, prim: Any) -> int | None:
        parent = prim.GetParent()
        while parent and not parent.IsPseudoRoot():
            found = self.node_index.get(str(parent.GetPath()))
            if found is not None:
                return found
            parent = parent.GetParent()
        return None

    def _point_instancer(self, prim: Any, node: int) -> None:
        """One node per (instance, mesh of its prototype), children of the instancer."""
        from pxr import Usd, UsdGeom

        instancer = UsdGeom.PointInstancer(prim)
        targets = instancer.GetPrototypesRel().GetTargets()
        proto_indices = instancer.GetProtoIndicesAttr().Get(self.time)
        if not targets or proto_indices is None or len(proto_indices) == 0:
            return
        transforms = instancer.ComputeInstanceTransformsAtTime(self.time, self.time)
        if transforms is None or len(transforms) != len(proto_indices):
            self.asset.issue(
                "L005", "point instancer data is inconsistent", subject=str(prim.GetPath())
            )
            return
        # (N, 4, 4) column-convention instance matrices relative to the instancer
        matrices = np.transpose(np.asarray(transforms, dtype=np.float64), (0, 2, 1))
        proto_indices = np.asarray(proto_indices)
        instancer_world = self.asset.nodes[node].world
        to_instancer = _inverse(instancer_world)
        predicate = Usd.TraverseInstanceProxies(Usd.PrimDefaultPredicate)
        for proto_number, target in enumerate(targets):
            proto = self.stage.GetPrimAtPath(target)
            chosen = np.nonzero(proto_indices == proto_number)[0]
            if not proto or not len(chosen):
                continue
            base = _inverse(self._world(proto.GetParent())) if proto.GetParent() else np.eye(4)
            for mesh_prim in Usd.PrimRange(proto, predicate):
                if not mesh_prim.IsA(UsdGeom.Mesh):
                    continue
                mesh = self._mesh_for(mesh_prim)
                relative = base @ self._world(mesh_prim)
                worlds = instancer_world @ matrices[chosen] @ relative
                locals_ = to_instancer @ worlds
                for instance, world, local in zip(chosen, worlds, locals_, strict=True):
                    index = len(self.asset.nodes)
                    self.asset.nodes.append(
                        Node(
                            name=f"{prim.GetPath()}[{instance}]{mesh_prim.GetPath()}",
                            local=local,
                            world=world,
                            parent=node,
                            mesh=mesh,
                        )
                    )
                    self.asset.nodes[node].children.append(index)

    # meshes

    def _mesh_for(self, prim: Any) -> int:
        """The mesh of a Mesh prim, read once per prim or per instancing prototype."""
        key = str(prim.GetPrimInPrototype().GetPath() if prim.IsInstanceProxy() else prim.GetPath())
        found = self.mesh_index.get(key)
        if found is not None:
            return found
        mesh = _MeshReader(prim, self.time, self.asset).read()
        index = len(self.asset.meshes)
        self.asset.meshes.append(mesh)
        self.mesh_index[key] = index
        self.mesh_prims[index] = prim
        return index

    # materials

    def _resolve_materials(self) -> None:
        from pxr import UsdGeom

        for mesh_number, prim in self.mesh_prims.items():
            mesh = self.asset.meshes[mesh_number]
            faces = mesh.cache.pop("usd_triangle_faces")
            face_count = mesh.cache.pop("usd_face_count")
            per_face = np.full(face_count, self._material(prim), dtype=np.int32)
            subsets = UsdGeom.Subset.GetGeomSubsets(
                UsdGeom.Imageable(prim), UsdGeom.Tokens.face, "materialBind"
            )
            for subset in subsets:
                material = self._material(subset.GetPrim())
                indices = np.asarray(subset.GetIndicesAttr().Get(self.time) or [], dtype=np.int64)
                bad = (indices < 0) | (indices >= face_count)
                if bad.any():
                    self.asset.issue(
                        "L005",
                        f"GeomSubset {subset.GetPrim().GetName()} names {int(bad.sum())} "
                        "faces the mesh does not have",
                        subject=mesh.name,
                    )
                per_face[indices[~bad]] = material
            mesh.material_indices = per_face[faces] if len(faces) else per_face[:0]
            double_sided = bool(UsdGeom.Mesh(prim).GetDoubleSidedAttr().Get())
            for material_number in np.unique(mesh.material_indices):
                if material_number < 0:
                    continue
                material = self.asset.materials[material_number]
                material.double_sided = material.double_sided or double_sided
                self._check_uv_sets(material, mesh)

    def _material(self, prim: Any) -> int:
        from pxr import UsdShade

        bound, _ = UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial(UsdShade.Tokens.preview)
        if not bound:
            return -1
        key = str(bound.GetPath())
        found = self.material_index.get(key)
        if found is None:
            found = len(self.asset.materials)
            self.asset.materials.append(self._read_material(bound))
            self.material_index[key] = found
        return found

    def _read_material(self, material: Any) -> Material:
        from pxr import UsdShade

        result = Material(name=str(material.GetPath()))
        shader = material.ComputeSurfaceSource("")[0]
        shader_id = shader.GetIdAttr().Get() if shader else None
        if shader_id != "UsdPreviewSurface":
            result.workflow = "unknown"
            self.asset.issue(
                "L004",
                f"material {material.GetPrim().GetName()} has no UsdPreviewSurface "
                f"({shader_id or 'no surface shader'}); its inputs are not read",
                severity="info",
                subject=result.name,
            )
            return result
        values: dict[str, Any] = {}
        textures: dict[str, tuple[int, str | None, Any]] = {}
        for name, fallback in _PREVIEW_DEFAULTS.items():
            values[name] = fallback
        for name in list(_PREVIEW_DEFAULTS) + ["normal", "occlusion"]:
            shader_input = shader.GetInput(name)
            if not shader_input:
                continue
            for attr in shader_input.GetValueProducingAttributes():
                if UsdShade.Output.IsOutput(attr):
                    texture = self._texture_from_output(attr, result.name)
                    if texture is not None:
                        textures[name] = texture
                else:
                    value = attr.Get(self.time)
                    if value is not None:
                        values[name] = value
                break
        color = np.array(values["diffuseColor"], dtype=np.float32)
        factors = {name: texture[2] for name, texture in textures.items()}
        if "diffuseColor" in factors:
            color = factors["diffuseColor"]
        opacity = float(factors.get("opacity", values["opacity"]))
        result.base_color_factor = np.append(color, np.float32(opacity)).astype(np.float32)
        result.metallic_factor = float(factors.get("metallic", values["metallic"]))
        result.roughness_factor = float(factors.get("roughness", values["roughness"]))
        result.emissive_factor = np.array(
            factors.get("emissiveColor", values["emissiveColor"]), dtype=np.float32
        )
        threshold = float(values["opacityThreshold"])
        if threshold > 0:
            result.alpha_mode, result.alpha_cutoff = "MASK", threshold
        elif float(values["opacity"]) < 1.0 or "opacity" in textures:
            result.alpha_mode = "BLEND"
        if int(values["useSpecularWorkflow"]):
            result.workflow = "spec-gloss"
        uv_names = {}
        for name, role in _TEXTURE_ROLES.items():
            if name in textures and role not in result.textures:
                texture_number, varname, _ = textures[name]
                result.textures[role] = TextureSlot(texture=texture_number)
                uv_names[role] = varname
        self.texture_uv_names[result.name] = uv_names
        return result

    def _texture_from_output(self, output_attr: Any, material_name: str) -> Any:
        """(texture index, UV set name, factor) for a UsdUVTexture feeding an input; the
        factor is the texture's scale for the channel(s) the input reads."""
        from pxr import UsdShade

        shader = UsdShade.Shader(output_attr.GetPrim())
        if not shader or shader.GetIdAttr().Get() != "UsdUVTexture":
            return None
        file_input = shader.GetInput("file")
        if not file_input:
            return None
        file_attrs = file_input.GetValueProducingAttributes()
        file_attr = file_attrs[0] if file_attrs else file_input.GetAttr()
        texture = self._texture(file_attr, material_name)
        if texture is None:
            return None
        scale = np.ones(4, dtype=np.float32)
        scale_input = shader.GetInput("scale")
        if scale_input and scale_input.Get(self.time) is not None:
            scale = np.array(scale_input.Get(self.time), dtype=np.float32)
        channel = output_attr.GetBaseName()  # r, g, b, a or rgb
        factor = scale[_CHANNELS[channel]] if channel in _CHANNELS else scale[:3]
        return texture, self._uv_name(shader), factor

    def _uv_name(self, texture_shader: Any) -> str | None:
        """The primvar the texture's st input reads (through a UsdPrimvarReader)."""
        from pxr import UsdShade

        st_input = texture_shader.GetInput("st")
        if not st_input:
            return None
        for attr in st_input.GetValueProducingAttributes():
            if not UsdShade.Output.IsOutput(attr):
                continue
            reader = UsdShade.Shader(attr.GetPrim())
            varname = reader.GetInput("varname") if reader else None
            if not varname:
                return None
            for value_attr in varname.GetValueProducingAttributes():
                value = value_attr.Get(self.time)
                if value is not None:
                    return str(value)
        return None

    def _texture(self, file_attr: Any, material_name: str) -> int | None:
        """The texture an asset-valued input names, resolved against the layer that
        authored it, confined to the asset folder; read from the package for usdz."""
        from pxr import Ar

        value = file_attr.Get(self.time)
        if value is not None and not isinstance(getattr(value, "path", None), str):
            self.asset.issue(
                "L005",
                f"material {material_name}: {file_attr.GetName()} is not an asset path; ignored",
                subject=material_name,
            )
            return None
        if value is None or not value.path:
            return None
        uri = value.path
        layer = _authoring_layer(file_attr, self.time)
        root_dir = self.asset.path.parent.resolve()
        name = Path(uri.replace("\\", "/")).name or uri
        try:
            if layer is None:
                raise RefusedReference("L002", f"{uri!r}: no layer authors it")
            if "<UDIM>" in uri:
                raise RefusedReference("L003", f"{uri!r} is a UDIM set, not read")
            identifier = _vet_asset(layer, uri, root_dir)
            key = identifier
            if key in self.texture_index:
                return self.texture_index[key]
            if Ar.IsPackageRelativePath(identifier):
                outer, inner = Ar.SplitPackageRelativePathOuter(identifier)
                data = _package_member(outer, inner)
                texture = Texture.from_bytes(name, "embedded", bytes(data), uri=uri)
            else:
                texture = Texture.from_file(name, Path(identifier), uri=uri)
        except RefusedReference as exc:
            key = f"missing:{uri}"
            if key in self.texture_index:
                return self.texture_index[key]
            self.asset.issue(exc.code, f"texture {exc}", subject=material_name)
            texture = Texture.missing_texture(name, uri, str(exc))
        self.texture_index[key] = len(self.asset.textures)
        self.asset.textures.append(texture)
        return self.texture_index[key]

    def _check_uv_sets(self, material: Material, mesh: Mesh) -> None:
        """Point each texture slot at the UV set its reader names; warn when the mesh
        does not have that set."""
        wanted = self.texture_uv_names.get(material.name, {})
        for role, slot in material.textures.items():
            varname = wanted.get(role)
            if varname is None:
                continue
            if varname in mesh.uv_names:
                slot.uv_set = mesh.uv_names.index(varname)
            else:
                self.asset.issue(
                    "L005",
                    f"material {material.name} samples UV set {varname!r} which mesh "
                    f"{mesh.name} does not have",
                    subject=mesh.name,
                )


def _authoring_layer(attr: Any, time: Any) -> Any:
    """The layer whose opinion gives the attribute its value (asset paths are relative
    to it)."""
    for spec in attr.GetPropertyStack(time):
        if spec.HasDefaultValue() or spec.layer.ListTimeSamplesForPath(spec.path):
            return spec.layer
    return None


def _relative(parent_world: np.ndarray, world: np.ndarray) -> np.ndarray:
    return _inverse(parent_world) @ world


def _inverse(matrix: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(matrix)


# --- one mesh ----------------------------------------------------------------------------


class _MeshReader:
    """Triangulates one UsdGeom.Mesh and maps its primvars onto vertices, splitting a
    point wherever a face-varying or uniform primvar takes different values."""

    def __init__(self, prim: Any, time: Any, asset: Asset):
        from pxr import UsdGeom

        self.prim = prim
        self.mesh = UsdGeom.Mesh(prim)
        self.time = time
        self.asset = asset
        self.name = str(prim.GetPath())

    def issue(self, code: str, message: str) -> None:
        self.asset.issue(code, message, subject=self.name)

    def _numbers(self, name: str, attr: Any, dtype: Any, width: int | None = None) -> np.ndarray:
        """An attribute's array; empty, and reported, when it is authored with a type that
        holds no numbers (a misspelt or unknown type name in the file)."""
        value = attr.Get(self.time)
        try:
            return _array(value, dtype, width)
        except (TypeError, ValueError):
            self.issue("L005", f"{name} holds {type(value).__name__} values, not numbers; ignored")
            return _array(None, dtype, width)

    def read(self) -> Mesh:
        from pxr import UsdGeom

        m = self.mesh
        points = self._numbers("points", m.GetPointsAttr(), np.float32, 3)
        counts = self._numbers("faceVertexCounts", m.GetFaceVertexCountsAttr(), np.int64)
        indices = self._numbers("faceVertexIndices", m.GetFaceVertexIndicesAttr(), np.int64)
        holes = self._numbers("holeIndices", m.GetHoleIndicesAttr(), np.int64)
        n_points, n_faces, n_corners = len(points), len(counts), len(indices)

        starts = np.zeros(n_faces, dtype=np.int64)
        if n_faces:  # a negative count takes no corners (nor moves the next face back)
            np.cumsum(np.maximum(counts[:-1], 0), out=starts[1:])
        keep = counts >= 3
        if (counts < 3).any():
            self.issue("L005", f"{int((counts < 3).sum())} faces with fewer than 3 corners dropped")
        overrun = starts + np.maximum(counts, 0) > n_corners
        if overrun.any():
            self.issue(
                "L005",
                f"faceVertexCounts asks for {int(counts.clip(0).sum())} corners but "
                f"faceVertexIndices has {n_corners}; {int(overrun.sum())} faces dropped",
            )
            keep &= ~overrun
        hole_faces = holes[(holes >= 0) & (holes < n_faces)]
        is_hole = np.zeros(n_faces, dtype=bool)
        is_hole[hole_faces] = True
        polygon_count = int(n_faces - is_hole.sum())
        keep &= ~is_hole

        # fan triangulation in corner space: face f gives (s, s+k, s+k+1), k = 1..c-2
        kept_faces = np.nonzero(keep)[0]
        fan = counts[kept_faces] - 2
        tri_face = np.repeat(kept_faces, fan)
        first_tri = np.cumsum(fan) - fan
        k = np.arange(len(tri_face), dtype=np.int64) - np.repeat(first_tri, fan) + 1
        base = starts[tri_face]
        tri_corners = np.stack([base, base + k, base + k + 1], axis=1)
        if self.mesh.GetOrientationAttr().Get() == UsdGeom.Tokens.leftHanded:
            tri_corners = tri_corners[:, [0, 2, 1]]

        # corners past faceVertexIndices are not repeated (a count of 2**31 is not memory)
        within = np.clip(n_corners - starts, 0, None)
        corner_face = np.repeat(np.arange(n_faces), np.minimum(np.maximum(counts, 0), within))
        if len(corner_face) < n_corners:  # indices beyond the last face belong to no face
            corner_face = np.concatenate(
                [corner_face, np.full(n_corners - len(corner_face), -1, dtype=np.int64)]
            )
        self.shape = (n_points, n_faces, n_corners, corner_face)

        attrs: dict[str, _Attr] = {}
        normals = self._normals()
        if normals is not None:
            attrs["normals"] = normals
        uv_names = []
        for name, primvar in self._uv_primvars():
            attr = self._attr(primvar, name, 2)
            if attr is not None:
                attrs[f"uv:{name}"] = attr
                uv_names.append(name)
        for name, width in (("displayColor", 3), ("displayOpacity", 1)):
            primvar = UsdGeom.PrimvarsAPI(self.prim).GetPrimvar(name)
            if primvar and primvar.HasAuthoredValue():
                attr = self._attr(primvar, name, width)
                if attr is not None:
                    attrs[name] = attr

        used_corners = np.zeros(n_corners, dtype=bool)
        used_corners[tri_corners.ravel()] = True
        positions, triangles, data = _build_vertices(
            points, indices, tri_corners, used_corners, attrs
        )
        mesh = Mesh(
            name=self.name,
            positions=positions,
            triangles=triangles,
            polygon_count=polygon_count,
        )
        if "normals" in data:
            mesh.normals = data["normals"].astype(np.float32)
        for name in uv_names:
            uv = data[f"uv:{name}"].astype(np.float32)
            uv[:, 1] = 1.0 - uv[:, 1]
            mesh.uvs.append(uv)
            mesh.uv_names.append(name)
        if "displayColor" in data or "displayOpacity" in data:
            count = len(positions)
            rgb = data.get("displayColor", np.ones((count, 3), dtype=np.float32))
            alpha = data.get("displayOpacity", np.ones((count, 1), dtype=np.float32))
            mesh.colors = np.hstack([rgb, alpha]).astype(np.float32)
        self._skinning(mesh)
        mesh.cache["usd_triangle_faces"] = tri_face
        mesh.cache["usd_face_count"] = n_faces
        return mesh

    def _uv_primvars(self) -> list[tuple[str, Any]]:
        """texCoord2f primvars (and float2 ones with a usual UV name), st first."""
        from pxr import Sdf, UsdGeom

        found = []
        for primvar in UsdGeom.PrimvarsAPI(self.prim).GetPrimvarsWithAuthoredValues():
            type_name = primvar.GetTypeName()
            name = primvar.GetPrimvarName()
            if type_name.role == Sdf.ValueRoleNames.TextureCoordinate or (
                type_name.scalarType in (Sdf.ValueTypeNames.Float2, Sdf.ValueTypeNames.Double2)
                and type_name.isArray
                and str(name).lower() in _UV_NAMES
            ):
                found.append((str(name), primvar))
        found.sort(key=lambda item: (item[0] != "st", item[0]))
        return found

    def _normals(self) -> _Attr | None:
        """primvars:normals wins over the normals attribute, as in USD."""
        from pxr import UsdGeom

        primvar = UsdGeom.PrimvarsAPI(self.prim).GetPrimvar("normals")
        if primvar and primvar.HasAuthoredValue():
            return self._attr(primvar, "normals", 3)
        attr = self.mesh.GetNormalsAttr()
        if not attr.HasAuthoredValue():
            return None
        values = attr.Get(self.time)
        return self._layout("normals", values, None, str(self.mesh.GetNormalsInterpolation()), 3, 1)

    def _attr(self, primvar: Any, name: str, width: int) -> _Attr | None:
        indices = primvar.GetIndices(self.time) if primvar.IsIndexed() else None
        return self._layout(
            name,
            primvar.Get(self.time),
            indices,
            str(primvar.GetInterpolation()),
            width,
            primvar.GetElementSize(),
        )

    def _layout(
        self, name: str, raw: Any, raw_indices: Any, interpolation: str, width: int, size: int
    ) -> _Attr | None:
        """Check a primvar's counts against its interpolation and express it per point,
        per corner (value ids) or as one constant."""
        n_points, n_faces, n_corners, corner_face = self.shape
        if raw is None:
            return None
        if size != 1:
            self.issue("L004", f"primvar {name} has elementSize {size}; not read")
            return None
        try:
            values = _array(raw, np.float32, width)
            indices = None if raw_indices is None else _array(raw_indices, np.int64)
        except (TypeError, ValueError):
            self.issue("L005", f"primvar {name} does not hold numbers; not read")
            return None
        if indices is not None and ((indices < 0) | (indices >= len(values))).any():
            self.issue("L005", f"primvar {name} has indices outside its {len(values)} values")
            return None
        count = len(indices) if indices is not None else len(values)
        expected = {
            "constant": 1,
            "uniform": n_faces,
            "vertex": n_points,
            "varying": n_points,
            "faceVarying": n_corners,
        }.get(interpolation)
        if expected is None:
            self.issue("L004", f"primvar {name} has unknown interpolation {interpolation!r}")
            return None
        if count < expected or (interpolation == "constant" and count == 0):
            self.issue(
                "L005",
                f"primvar {name} has {count} values, {expected} needed for {interpolation} "
                "interpolation; not read",
            )
            return None
        rows = values[indices] if indices is not None else values
        if interpolation == "constant":
            return _Attr("const", rows[:1])
        if interpolation in ("vertex", "varying"):
            return _Attr("point", rows[:n_points])
        table, value_ids = _unique_rows(rows[:expected])
        if interpolation == "uniform":
            ids = np.where(corner_face >= 0, value_ids[np.maximum(corner_face, 0)], 0)
        else:
            ids = value_ids
        return _Attr("corner", table, ids)

    def _skinning(self, mesh: Mesh) -> None:
        from pxr import UsdSkel

        binding = UsdSkel.BindingAPI(self.prim)
        joint_indices = binding.GetJointIndicesPrimvar()
        if not joint_indices or not joint_indices.HasAuthoredValue():
            return
        mesh.max_influences = int(joint_indices.GetElementSize())
        joints = binding.GetJointsAttr().Get() if binding.GetJointsAttr() else None
        if not joints:
            skeleton = binding.GetInheritedSkeleton()
            joints = skeleton.GetJointsAttr().Get() if skeleton else None
        mesh.bone_count = len(joints) if joints else 0


def _array(value: Any, dtype: Any, width: int | None = None) -> np.ndarray:
    """A Vt array (or None) as a numpy array, without a Python loop."""
    if value is None:
        shape = (0, width) if width else (0,)
        return np.zeros(shape, dtype=dtype)
    array = np.asarray(value, dtype=dtype)
    if width:
        if array.ndim == 1 and width == 1:
            array = array.reshape(-1, 1)
        array = array.reshape(-1, width) if array.size % width == 0 else array[:0].reshape(0, width)
    return array


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, id of each row): equal values share one id. Rows are compared by
    their float32 bits, two columns per int64 sort key (sorting void rows is 10x slower)."""
    rows = np.ascontiguousarray(rows, dtype=np.float32) + np.float32(0.0)  # -0.0 -> 0.0
    if not len(rows):
        return rows, np.zeros(0, dtype=np.int64)
    bits = rows.view(np.uint32).astype(np.uint64)
    key = bits[:, 0] << np.uint64(32) | bits[:, 1] if rows.shape[1] > 1 else bits[:, 0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    for column in range(2, rows.shape[1]):
        key = inverse.ravel().astype(np.uint64) << np.uint64(32) | bits[:, column]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return rows[first], inverse.ravel().astype(np.int64)


def _build_vertices(
    points: np.ndarray,
    corner_points: np.ndarray,
    tri_corners: np.ndarray,
    used_corners: np.ndarray,
    attrs: dict[str, _Attr],
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Vertices and triangles: one vertex per point when every primvar is per point or
    constant; otherwise one per distinct (point, value ids...) corner, as exporters split
    at UV and normal seams. Point indices out of range stay invalid (-1 once split)."""
    n_points = len(points)
    corner_attrs = {k: a for k, a in attrs.items() if a.kind == "corner"}
    data: dict[str, np.ndarray] = {}
    if not corner_attrs:
        for key, attr in attrs.items():
            if attr.kind == "const":
                data[key] = np.repeat(attr.values, n_points, axis=0)
            else:
                data[key] = attr.values
        return points, corner_points[tri_corners] if len(tri_corners) else tri_corners, data

    valid = used_corners & (corner_points >= 0) & (corner_points < n_points)
    corners = np.nonzero(valid)[0]
    columns = [corner_points[corners]] + [a.ids[corners] for a in corner_attrs.values()]
    key = _combined_key(columns)
    _, first, inverse = np.unique(
        key, axis=0 if key.ndim == 2 else None, return_index=True, return_inverse=True
    )
    vertex_of_corner = np.full(len(corner_points), -1, dtype=np.int64)
    vertex_of_corner[corners] = inverse.ravel()
    source = corners[first]  # a corner standing for each vertex
    source_points = corner_points[source]
    for key_name, attr in attrs.items():
        if attr.kind == "const":
            data[key_name] = np.repeat(attr.values, len(source), axis=0)
        elif attr.kind == "point":
            data[key_name] = attr.values[source_points]
        else:
            data[key_name] = attr.values[attr.ids[source]]
    return points[source_points], vertex_of_corner[tri_corners], data


def _combined_key(columns: list[np.ndarray]) -> np.ndarray:
    """One int64 per corner when the mixed-radix key fits, else a (n, k) array."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    capacity = 1
    for column in columns:
        radix = int(column.max()) + 1 if len(column) else 1
        capacity *= radix
        if capacity >= 2**62:
            return np.stack(columns, axis=1)
        key = key * radix + column
    return key
