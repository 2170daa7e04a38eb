"""A texture past the pixel limit is a texture finding with its declared size, read from
the header without decoding; the geometry is still checked and nothing reaches stderr
(issue 22 item 9)."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from assetlint import batch
from tests.hostile.cases import textured_gltf


def png_header(width: int, height: int) -> bytes:
    """A 2 KB PNG that declares ``width`` x ``height`` pixels (its data is short)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 2000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    """A baseline JPEG frame header declaring ``width`` x ``height``, and no scan."""
    components = b"".join(bytes([i, 0x11, 0]) for i in (1, 2, 3))
    sof = struct.pack(">BHHB", 8, height, width, 3) + components
    return b"\xff\xd8\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


@pytest.mark.parametrize(
    ("kind", "size"), [("png", 50_000), ("jpeg", 65_500), ("data-uri", 20_000)]
)
def test_a_texture_past_the_pixel_limit_is_a_t001_and_the_geometry_is_checked(
    tmp_path, capfd, kind, size
):
    """Each was `L001 ... DecompressionBombError` (every geometry finding lost), with
    Pillow's warning on stderr."""
    if kind == "png":
        (tmp_path / "big.png").write_bytes(png_header(size, size))
        uri = "big.png"
    elif kind == "jpeg":
        (tmp_path / "big.jpg").write_bytes(jpeg_header(size, size))
        uri = "big.jpg"
    else:
        uri = "data:image/png;base64," + base64.b64encode(png_header(size, size)).decode()
    path = textured_gltf(tmp_path, "bomb", uri, holes=True)
    plan = batch.Plan(select=("L001", "T001", "T004", "G003"))
    (result,) = batch.run([(str(path), plan)], processes=1)
    found = {f.code: f.message for f in result.findings}
    assert result.loaded and sorted(found) == ["G003", "T001", "T004"]
    assert (
        f"declares {size} x {size} pixels, more than the 89,478,485 decoded at most"
        in (found["T001"])
    )
    assert capfd.readouterr().err == ""
