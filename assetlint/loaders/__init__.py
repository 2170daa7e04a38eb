"""Loaders: one module per format, each turning a file into an :class:`~assetlint.model.Asset`.

Format code lives here and nowhere else. :func:`load` picks the loader from the file's
*content* (its magic bytes or first text), checks it agrees with the extension, and
turns every failure into a one-line :class:`~assetlint.model.LoadError`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from assetlint.findings import group_issues
from assetlint.loaders._isolated import ReaderFailure, exit_reason, run_forked
from assetlint.loaders._refs import NotRegularFile, open_regular, recording, within
from assetlint.model import Asset, LoadError

# What the batch runner needs of the loaders' isolation and reference handling, public here.
__all__ = [
    "NotRegularFile",
    "ReaderFailure",
    "exit_reason",
    "open_regular",
    "recording",
    "run_forked",
    "within",
    "EXTENSIONS",
    "REFERENCED_EXTENSIONS",
    "detect_format",
    "is_asset_path",
    "load",
    "sniff",
]

# extension -> format family; the family names the loader module.
EXTENSIONS: dict[str, str] = {
    ".glb": "gltf",
    ".gltf": "gltf",
    ".obj": "obj",
    ".stl": "stl",
    ".usd": "usd",
    ".usda": "usd",
    ".usdc": "usd",
    ".usdz": "usd",
    ".fbx": "fbx",
}

_FAMILY_NAMES = {
    "gltf": "glTF",
    "obj": "OBJ",
    "stl": "STL",
    "usd": "USD",
    "fbx": "FBX",
}


def is_asset_path(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


# Files an asset may reference (buffers, materials, textures, USD layers): a change to one
# may change an asset beside it (watch re-lints the models of its folder).
REFERENCED_EXTENSIONS = frozenset(
    ".bin .mtl .png .jpg .jpeg .webp .ktx2 .dds .tga .bmp .gif .tif .tiff .exr .hdr "
    ".usd .usda .usdc .usdz".split()
)


def sniff(head: bytes) -> str | None:
    """The format family the first bytes of a file announce, if any says so clearly."""
    stripped = head.lstrip()
    if head.startswith(b"glTF"):
        return "gltf"
    if head.startswith(b"Kaydara FBX Binary"):
        return "fbx"
    if head.startswith(b"PXR-USDC") or head.startswith(b"#usda"):
        return "usd"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    low = stripped[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"):
        return "image"
    if stripped.startswith(b"{"):
        return "json"
    if b"fbxheaderextension" in low or low.startswith(b"; fbx"):
        return "fbx"
    return None


_COMPATIBLE = {
    # what content each family accepts; None = content that names no format (plain text,
    # binary STL)
    "gltf": {"gltf", "json"},
    "obj": {None},
    "stl": {None},
    "usd": {"usd", "zip"},
    "fbx": {"fbx"},
}

_SNIFF_NAMES = {
    "gltf": "a GLB (glTF binary)",
    "fbx": "an FBX file",
    "usd": "a USD layer",
    "zip": "a zip archive",
    "html": "an HTML page",
    "image": "an image",
    "json": "JSON",
}


def detect_format(path: Path) -> str:
    """The loader family for a file, or LoadError when the extension is unknown or the
    content contradicts it (an HTML page saved as .glb is not guessed at)."""
    ext = path.suffix.lower()
    family = EXTENSIONS.get(ext)
    if family is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise LoadError(f"unknown extension {ext or '(none)'!r}; assetlint reads {known}")
    try:
        with open_regular(path) as fh:  # a FIFO or a device is refused, never opened
            head = fh.read(1024)
    except NotRegularFile as exc:
        raise LoadError(f"{exc.strerror}; not opened") from None
    except OSError as exc:
        raise LoadError(f"cannot open: {exc.strerror or exc}") from None
    if not head:
        raise LoadError("file is empty")
    seen = sniff(head)
    if seen not in _COMPATIBLE[family]:
        what = _SNIFF_NAMES.get(seen or "", "something else")
        raise LoadError(
            f"content is {what}, not {_FAMILY_NAMES[family]} as the extension {ext!r} says"
        )
    if ext == ".glb" and seen != "gltf":
        raise LoadError("not a GLB file: the 'glTF' magic is missing")
    if ext == ".gltf" and seen != "json":
        raise LoadError("not a .gltf file: expected JSON")
    if ext == ".usdz" and seen != "zip":
        raise LoadError("not a USDZ file: expected a zip archive")
    if ext == ".usdc" and seen != "usd":
        raise LoadError("not a usdc file: the 'PXR-USDC' magic is missing")
    return family


class OutOfMemory(LoadError):
    """Reading the file ran out of memory (or out of the worker's memory limit)."""


def load(path: str | Path) -> Asset:
    """Read any supported file into an Asset. Raises LoadError (never anything else) with a
    one-line reason when the file cannot be read. ``Asset.dependencies`` lists the files
    the loader resolved besides ``path``."""
    path = Path(path)
    family = detect_format(path)
    module = importlib.import_module(f"assetlint.loaders.{family}")
    try:
        # a value past float32's range becomes inf, a NaN stays NaN: data the rules
        # judge (G009, O009...), not numpy warnings on the user's terminal
        with np.errstate(all="ignore"), recording() as seen:
            asset: Asset = module.load(path)
        # inside the folder only: what a loader reads for itself (usd-core's warm-up
        # stage) is not the asset's
        folder, own = path.parent.resolve(), path.resolve()
        asset.dependencies = sorted(p for p in seen if folder in p.parents and p != own)
        asset.issues = group_issues(asset.issues)
    except LoadError:
        raise
    except MemoryError:
        raise OutOfMemory("out of memory while reading (counts in the file too large?)") from None
    except RecursionError:
        raise LoadError("structure nested too deeply (cycle in the hierarchy?)") from None
    except Exception as exc:  # a loader bug or a library choking on bad input
        raise ReaderFailure(
            f"{_FAMILY_NAMES[family]} reader failed: {type(exc).__name__}: {exc}"
        ) from None
    return asset
