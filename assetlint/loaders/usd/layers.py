"""Layer confinement: every layer the root pulls in (sublayers, references, payloads,
value clips) is vetted and opened here, one by one; refused arcs are removed from the
in-memory copies (never saved), so USD composes only what was vetted."""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assetlint.loaders._refs import RefusedReference, resolve_reference
from assetlint.loaders.usd.diagnostics import captured_diagnostics, tf_message
from assetlint.loaders.usd.package import compressed
from assetlint.model import Asset, LoadError


def vet_layers(path: Path, asset: Asset) -> list[Any]:
    """Open the root layer and every layer it depends on that stays inside the asset
    folder; strip the other arcs from the in-memory layers. Returns the opened layers
    (root first), which must stay alive while the stage is composed."""
    from pxr import Sdf, Tf

    root_dir = path.parent.resolve()
    try:
        root = Sdf.Layer.FindOrOpen(os.path.abspath(path))
    except Tf.ErrorException as exc:
        raise LoadError(f"USD could not read the file: {tf_message(exc)}") from None
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
                identifier = vet_asset(layer, asset_path, root_dir)
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

    with captured_diagnostics():
        layers = vet_layers(path, Asset(path=path, format="usd", file_size=0))
        try:
            yield Usd.Stage.Open(layers[0], Usd.Stage.LoadAll)
        except Tf.ErrorException as exc:
            raise LoadError(tf_message(exc)) from None


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
        raise RefusedReference("L002", f"{asset_path!r} is unreadable: {tf_message(exc)}") from None
    if layer is None:
        raise RefusedReference("L002", f"{asset_path!r} is not a layer usd-core reads")
    return layer


def vet_asset(layer: Any, asset_path: str, root_dir: Path) -> str:
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
        if not package_member(outer, inner, probe=True):
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
                vet_asset(layer, clip_path, root_dir)
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


def package_member(package_path: str, inner: str, probe: bool = False) -> bytes | bool:
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
    without inflating it (see :func:`vet_package`)."""
    info = package.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED:
        raise RefusedReference("L005", compressed(info))
    return package.read(info)
