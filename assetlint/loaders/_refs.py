"""Resolving what an asset references (buffers, images, .mtl, layers) without leaving
its folder and without touching the network. Every loader goes through here."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from urllib.parse import unquote, urlparse


class RefusedReference(Exception):
    """A reference that is not opened; ``code`` is the load-issue code to report."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def decode_data_uri(uri: str) -> tuple[str | None, bytes]:
    """(mime type, bytes) of a ``data:`` URI (base64 or percent-encoded)."""
    header, sep, payload = uri.partition(",")
    if not sep:
        raise RefusedReference("L005", "malformed data URI (no comma)")
    meta = header[5:]
    parts = meta.split(";")
    mime = parts[0] or None
    if "base64" in parts[1:]:
        try:
            return mime, base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise RefusedReference("L005", f"malformed base64 data URI: {exc}") from None
    return mime, unquote(payload).encode("latin-1", "replace")


def resolve_reference(base_dir: Path, uri: str, root: Path | None = None) -> Path:
    """The file a relative reference names, confined to ``root`` (default: ``base_dir``).

    URIs with a scheme (http, file...), absolute paths, and paths that leave the root by
    ``..`` or through a symlink are refused with code L006. A file that is not there is
    refused with L002."""
    root = (root or base_dir).resolve()
    parsed = urlparse(uri)
    if parsed.scheme and len(parsed.scheme) > 1:  # "C:" is a drive letter, not a scheme
        raise RefusedReference(
            "L006", f"{uri!r} is a {parsed.scheme}: URI; only relative paths are opened"
        )
    rel = unquote(uri).replace("\\", "/")
    if "\0" in rel:
        raise RefusedReference("L005", f"{uri!r} holds a NUL character; not a path, not opened")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        raise RefusedReference(
            "L006", f"{uri!r} is an absolute path; only paths inside the asset folder are opened"
        )
    candidate = (base_dir / rel).resolve()
    if candidate != root and root not in candidate.parents:
        raise RefusedReference("L006", f"{uri!r} points outside the asset folder")
    if not candidate.is_file():
        raise RefusedReference("L002", f"{uri!r} not found")
    return candidate


def read_reference(
    base_dir: Path, uri: str, root: Path | None = None, limit: int | None = None
) -> bytes:
    """Bytes of a confined reference (see :func:`resolve_reference`)."""
    path = resolve_reference(base_dir, uri, root)
    size = os.path.getsize(path)
    if limit is not None and size > limit:
        raise RefusedReference("L005", f"{uri!r} is {size} bytes, more than the {limit} allowed")
    return path.read_bytes()
