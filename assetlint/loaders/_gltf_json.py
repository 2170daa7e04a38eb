"""What glTF's reader and its structural checks share: the binary layout constants, the
accessor as read, and the exception that skips one unreadable element."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942

DTYPES = {
    5120: np.dtype("<i1"),
    5121: np.dtype("<u1"),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
NORMALIZED_DIVISOR = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0, 5125: 4294967295.0}
COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}


class Skip(Exception):
    """One element (primitive, attribute, image...) cannot be read; the rest still can.

    ``buffer`` is set when the cause is a buffer that could not be opened, so that one
    issue per buffer names everything it took down."""

    def __init__(self, code: str, message: str, buffer: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.buffer = buffer


def to_float(values: np.ndarray, component_type: int, normalized: bool) -> np.ndarray:
    """Accessor values as float32; normalized integers mapped to 0..1 or -1..1."""
    if component_type == 5126:
        return values.astype(np.float32, copy=False)
    out = values.astype(np.float32)
    if normalized:
        out /= NORMALIZED_DIVISOR[component_type]
        if component_type in (5120, 5122):
            np.maximum(out, -1.0, out=out)
    return out


@dataclass
class Accessor:
    """An accessor's values as stored, before any conversion to float."""

    values: np.ndarray  # (count, components), in the component type
    component_type: int
    normalized: bool

    def floats(self) -> np.ndarray:
        return to_float(self.values, self.component_type, self.normalized)
