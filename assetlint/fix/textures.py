"""Texture fix: downscale images above the target's maximum size."""

from __future__ import annotations

import io

from assetlint.fix import FixContext, fix
from assetlint.model import Asset, Texture


def power_of_two_at_most(limit: int) -> int:
    """The largest power of two not above ``limit`` (at least 1)."""
    return 1 << max(int(limit).bit_length() - 1, 0)


def downscaled(texture: Texture, max_size: int) -> Texture | None:
    """A copy of ``texture`` whose larger side is the largest power of two not above
    ``max_size`` (aspect ratio kept, each side a power of two), encoded as it was (PNG
    stays PNG, JPEG stays JPEG); None when it already fits or cannot be decoded."""
    from PIL import Image

    if texture.width is None or texture.height is None or texture.missing:
        return None
    if max(texture.width, texture.height) <= max_size:
        return None
    side = power_of_two_at_most(max_size)
    scale = side / max(texture.width, texture.height)
    size = tuple(
        power_of_two_at_most(max(round(n * scale), 1))
        if n != max(texture.width, texture.height)
        else side
        for n in (texture.width, texture.height)
    )
    try:
        image = texture.image()
    except Exception:  # noqa: BLE001 - an undecodable image is T001's finding, not a fix
        return None
    fmt = "JPEG" if texture.mime_type == "image/jpeg" else "PNG"
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(out, format=fmt, quality=95)
    return Texture.from_bytes(texture.name, "embedded", out.getvalue())


@fix("textures", ("T004",), "downscale textures above the target's maximum to a power of two")
def fix_textures(asset: Asset, ctx: FixContext) -> list[str]:
    """Replace each texture larger than T004's ``max_size`` by a downscaled copy."""
    if not ctx.found("T004"):
        return []
    max_size = int(ctx.param("T004", "max_size"))
    changes = []
    for index, texture in enumerate(asset.textures):
        smaller = downscaled(texture, max_size)
        if smaller is None:
            continue
        asset.textures[index] = smaller
        changes.append(
            f"texture {texture.name!r}: {texture.width}x{texture.height} -> "
            f"{smaller.width}x{smaller.height}"
        )
    return changes
