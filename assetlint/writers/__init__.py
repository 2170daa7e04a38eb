"""Writers: an :class:`~assetlint.model.Asset` (canonical metres, +Y up) to a file.

One module per output format, each exposing ``write(asset, path, **options)``. The format
follows the output file's extension. Writing FBX is out of scope (its SDK is proprietary):
FBX input is written as GLB, the normal path for engines and viewers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from assetlint.model import Asset, Texture

# extension -> writer module name
FORMATS = {
    ".glb": "glb",
    ".usd": "usd",
    ".usda": "usd",
    ".usdc": "usd",
    ".usdz": "usd",
    ".obj": "obj",
    ".stl": "stl",
}


def finite_uvs(uv: np.ndarray) -> np.ndarray:
    """A UV set as written: 0 where a coordinate is not a number. A mesh joined from
    primitives of which only some carry the set holds NaN for the others' vertices
    (loaders/gltf.py); their materials never sample it, but a NaN in an accessor is a glTF
    error (ACCESSOR_INVALID_FLOAT) and breaks OBJ and USD readers."""
    uv = np.asarray(uv, dtype=np.float32)
    finite = np.isfinite(uv)
    return uv if finite.all() else np.where(finite, uv, np.float32(0.0))


class WriteError(Exception):
    """The asset cannot be written to this path; the message says why in one line."""


def writer_for(path: Path) -> str:
    """The writer module for an output path, or a WriteError naming what is possible."""
    suffix = path.suffix.lower()
    if suffix == ".fbx":
        raise WriteError(
            "writing FBX is out of scope (its SDK is proprietary); write .glb instead, "
            "which every engine imports"
        )
    if suffix == ".gltf":
        raise WriteError("write .glb (a single binary glTF file) instead of .gltf")
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise WriteError(f"cannot write {suffix or 'a file without extension'}: use one of {known}")
    return FORMATS[suffix]


def write(asset: Asset, path: Path, **options: Any) -> None:
    """Write ``asset`` to ``path`` in the format its extension names."""
    import importlib

    module = importlib.import_module(f"assetlint.writers.{writer_for(Path(path))}")
    module.write(asset, Path(path), **options)


def texture_bytes(texture: Texture) -> tuple[bytes, str] | None:
    """(encoded bytes, mime type) of a texture as PNG or JPEG, the two images every output
    format takes; other formats are re-encoded as PNG. None when the texture has no
    readable image (it is then left out)."""
    if texture.missing or texture.error:
        return None
    try:
        data = texture.data()
        if texture.mime_type in ("image/png", "image/jpeg"):
            return data, texture.mime_type
        out = io.BytesIO()
        texture.image().save(out, format="PNG")
        return out.getvalue(), "image/png"
    except Exception:  # noqa: BLE001 - an unreadable texture is left out, not fatal
        return None


EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}
