"""Resolving what an asset references (buffers, images, .mtl, layers) without leaving
its folder and without touching the network. Every loader goes through here.

Every reference resolved inside the folder is recorded (:func:`recording`), found or not:
that list is the asset's dependencies, which the results cache hashes, so that editing,
adding or removing any file a loader looked at relints the asset.

Only regular files are opened (:func:`open_regular`): a FIFO, a device or a socket named
as an asset or a reference would block a reader for ever or stream without end.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

# The recorders open in each thread, innermost last (see :func:`recording`).
_RECORDERS = threading.local()


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


def within(folder: Path, path: str | os.PathLike[str]) -> Path | None:
    """The file ``path`` names (relative to ``folder`` unless absolute), symlinks resolved,
    when it is ``folder`` or lies under it (``folder`` resolved too); None when it leads
    elsewhere, or when ``path`` is empty or holds a NUL (a name read from a cache entry is
    data, not trusted). The one containment test of loaders, the cache and watch."""
    name = os.fspath(path)
    if not name or "\0" in name:
        return None
    root, candidate = folder.resolve(), (folder / name).resolve()
    return candidate if candidate == root or root in candidate.parents else None


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
    if within(root, candidate) is None:
        raise RefusedReference("L006", f"{uri!r} points outside the asset folder")
    record([candidate])  # also when missing: adding the file later changes the result
    try:
        mode = os.stat(candidate).st_mode
    except OSError:
        raise RefusedReference("L002", f"{uri!r} not found") from None
    if not stat.S_ISREG(mode):
        raise RefusedReference("L002", f"{uri!r} is {_kind(mode)}, not a regular file; not opened")
    return candidate


def read_reference(
    base_dir: Path, uri: str, root: Path | None = None, limit: int | None = None
) -> bytes:
    """Bytes of a confined reference (see :func:`resolve_reference`)."""
    path = resolve_reference(base_dir, uri, root)
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if limit is not None and size > limit:
                raise RefusedReference(
                    "L005", f"{uri!r} is {size} bytes, more than the {limit} allowed"
                )
            return fh.read()
    except OSError as exc:
        raise RefusedReference("L002", f"{uri!r} is unreadable: {exc.strerror or exc}") from None


class NotRegularFile(OSError):
    """A path that names a FIFO, a device, a socket or a folder: never opened."""


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str], follow: bool = True) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; NotRegularFile (an OSError)
    for anything else, checked before opening (opening a FIFO blocks until a writer
    comes) and again on the open descriptor (the path may have been swapped between).
    With ``follow`` False a symlink is refused too (O_NOFOLLOW)."""
    st = os.stat(path) if follow else os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(0, f"is {_kind(st.st_mode)}, not a regular file", str(path))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in does not block the open
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise NotRegularFile(0, f"is {_kind(opened.st_mode)}, not a regular file", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _recorders() -> list[set[Path]]:
    """This thread's open recorders: a Dask worker lints several files at once in threads,
    and each file's dependencies are its own."""
    stack = getattr(_RECORDERS, "stack", None)
    if stack is None:
        stack = _RECORDERS.stack = []
    return stack


@contextmanager
def recording() -> Iterator[set[Path]]:
    """The set of files resolved by :func:`resolve_reference` (and :func:`record`) while
    the block runs, in this thread: an asset's dependencies. Recorders nest."""
    seen: set[Path] = set()
    stack = _recorders()
    stack.append(seen)
    try:
        yield seen
    finally:
        # by identity: two recorders holding the same files are equal sets
        del stack[next(i for i, s in enumerate(stack) if s is seen)]


def record(paths: Iterable[Path]) -> None:
    """Add files to every open recorder (a reader in a child process sends back what it
    recorded there)."""
    paths = list(paths)
    for seen in _recorders():
        seen.update(paths)
