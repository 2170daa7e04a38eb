"""Specular highlights painted into a colour map: compact, soft, near-white blobs.

A highlight in a photo is the light source's reflection added on top of the diffuse
colour: the pixel moves towards white, ``rgb' = rgb + f (1 - rgb)`` with f peaking at 1 in
the blob's centre and falling off smoothly. So, on the texture reduced to at most
:data:`WORK` texels on a side:

* texels outside every UV island (atlas padding, unused islands: the ``covered`` mask)
  are replaced by the nearest covered texel before anything is measured, so black padding
  beside a cream island does not make the island look a thousand times brighter than its
  surroundings, and no blob may lie outside the islands (whiteness is zero there, so an
  island's own edge counts as a hard edge), and a blob must lie inside an island: at most
  :data:`MAX_OPEN_RING` of the texels around it outside (a blob cut by a seam has no
  fall-off to judge, and a whole bright island is a lit or a white part, not a reflection);
* the background is a grey-scale opening of the luminance (erosion then dilation by a
  square a quarter of the image wide), which removes every bright feature smaller than the
  square and keeps broad ones (the lit side of an object, a white part);
* each texel's *whiteness* is how far it moved from the background towards white,
  ``f = (Y - Y_bg) / (1 - Y_bg)``;
* a candidate is a connected region with f >= :data:`LOW`, whose peak f reaches the
  rule's limit with low saturation, and which is *soft*: the core (f >= 75% of the peak)
  is a small part of the region, as for any smooth fall-off, where a painted white decal
  or a sticker has a hard edge and a core almost as large as itself;
* and whose edge is *gradual*: where the blob falls to :data:`EDGE` of its peak (the
  outline of the part around the peak), whiteness changes by at most
  :data:`SHARPNESS` x the peak per texel (median over the outline). A reflection's
  fall-off spreads over several texels; a white decal, a bright material's patch or a
  lit face next to a shaded one changes in one step, even when a broader bright region
  around it makes the core look small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetlint.analysis.albedo import LUMA, fill_uncovered, reduce_image, srgb_to_linear

WORK = 512  # texels on the longer side of the analysed image
LOW = 0.12  # whiteness at which a blob's extent is measured
MIN_AREA = 8  # texels (at WORK size) below which a blob is too small to judge
MAX_SHARE = 0.05  # blobs larger than this share of the image are not compact
CORE = 0.75  # a blob's core: whiteness >= CORE x its peak
EDGE = 0.3  # a blob's outline: where whiteness falls to EDGE x its peak
# share of the texels around a blob that may lie outside the UV islands: a blob cut by an
# island's edge has no fall-off to judge (a lit part, a white strip along a seam)
MAX_OPEN_RING = 0.25


# What makes a blob a highlight (the defaults of rule H003).
WHITENESS = 0.6  # peak at least 60% of the way from the surrounding colour to white: a
# reflection of the light source clips towards white in a photo (the generated-real
# highlights peak at 0.64-1.0); half-way is within the range of a label or a sheen (the
# white label of the scanned bottle meshes/fuze.obj peaks at 0.53)
SATURATION = 0.3  # at most this HSV saturation at the peak
SOFTNESS = 0.5  # core at most half of the blob
CONTRAST = 1.5  # peak luminance at least this multiple of the background's
SHARPNESS = 0.3  # at most this change of whiteness per texel, x the peak, at the outline


@dataclass
class Blob:
    """One highlight-like blob in a texture."""

    label: int  # its id in :attr:`BlobMap.labels`
    uv: tuple[float, float]  # centre of its brightest texel, glTF UV convention
    peak: float  # whiteness f at the peak, 0..1
    saturation: float  # HSV saturation of the sRGB colour at the peak
    softness: float  # 1 - core area / region area
    share: float  # region area / image area
    contrast: float  # peak luminance / background luminance
    sharpness: float = 0.0  # median whiteness step per texel at the outline / peak

    def is_highlight(
        self,
        *,
        whiteness: float = WHITENESS,
        saturation: float = SATURATION,
        softness: float = SOFTNESS,
        contrast: float = CONTRAST,
        sharpness: float = SHARPNESS,
    ) -> bool:
        return (
            self.peak >= whiteness
            and self.saturation <= saturation
            and self.softness >= softness
            and self.contrast >= contrast
            and self.sharpness <= sharpness
        )


@dataclass
class BlobMap:
    """The blobs of one texture and where they are."""

    blobs: list[Blob]  # compact ones, strongest first
    labels: np.ndarray  # int (rows, cols) at the analysed size, 0 outside any blob

    def mask(self, blobs: list[Blob]) -> np.ndarray:
        """Boolean image of the texels that belong to ``blobs``."""
        keep = np.zeros(self.labels.max() + 1, dtype=bool)
        keep[[b.label for b in blobs]] = True
        keep[0] = False
        return keep[self.labels]


def analysed_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, cols) at which :func:`find_blobs` analyses an image of ``shape``."""
    factor = max(1, -(-max(shape[:2]) // WORK))
    return shape[0] // factor, shape[1] // factor


def find_blobs(pixels: np.ndarray, covered: np.ndarray | None = None) -> BlobMap | None:
    """Every compact bright blob of a decoded texture (rows, cols, 4 sRGB in 0..1) inside
    the texels the surface uses (``covered``, bool at :func:`analysed_shape`; all when
    None); the caller decides which are highlights. None for images too small to judge."""
    from scipy import ndimage  # textures only: 35 ms of start-up otherwise

    img = reduce_image(pixels[..., :3], WORK)
    h, w = img.shape[:2]
    if h < 16 or w < 16:
        return None
    if covered is None or covered.shape != (h, w):
        covered = np.ones((h, w), dtype=bool)
    img = fill_uncovered(img, covered)
    y = (srgb_to_linear(img) @ LUMA).astype(np.float32)
    bg = _background(y, max(h, w) // 4)
    f = np.clip((y - bg) / np.maximum(1.0 - bg, 1e-3), 0.0, 1.0)
    f[~covered] = 0.0
    labels, count = ndimage.label(f >= LOW)
    if count == 0:
        return BlobMap([], labels)
    index = np.arange(1, count + 1)
    area = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    peak = ndimage.maximum(f, labels, index)
    where = ndimage.maximum_position(f, labels, index)
    lab = labels.ravel()
    inside = np.flatnonzero(lab)
    in_core = inside[f.ravel()[inside] >= CORE * peak[lab[inside] - 1]]
    core = np.bincount(lab[in_core], minlength=count + 1)[1:]
    gy, gx = np.gradient(f)
    step = np.hypot(gx, gy)
    boxes = ndimage.find_objects(labels)
    hi = img.max(axis=2)
    sat = np.where(hi > 0, (hi - img.min(axis=2)) / np.maximum(hi, 1e-6), 0.0)
    out = []
    # the ring of texels around each blob, and how much of it is outside the islands
    grown = ndimage.grey_dilation(labels, size=(3, 3), mode="wrap")
    ring = (labels == 0) & (grown > 0)
    ring_size = np.bincount(grown[ring], minlength=count + 1)[1:]
    ring_open = np.bincount(grown[ring & ~covered], minlength=count + 1)[1:]
    enclosed = ring_open <= MAX_OPEN_RING * np.maximum(ring_size, 1)
    for k in np.flatnonzero((area >= MIN_AREA) & (area <= MAX_SHARE * h * w) & enclosed):
        r, c = where[k]
        out.append(
            Blob(
                label=int(k + 1),
                uv=((c + 0.5) / w, (r + 0.5) / h),
                peak=float(peak[k]),
                saturation=float(sat[r, c]),
                softness=1.0 - float(core[k]) / float(area[k]),
                share=float(area[k]) / (h * w),
                contrast=float(y[r, c] / max(bg[r, c], 1e-3)),
                sharpness=_sharpness(f, step, labels, boxes[k], k + 1, (r, c), float(peak[k])),
            )
        )
    out.sort(key=lambda b: -b.peak)
    return BlobMap(out, labels)


def _sharpness(
    f: np.ndarray,
    step: np.ndarray,
    labels: np.ndarray,
    box: tuple[slice, slice],
    label: int,
    at: tuple[int, int],
    peak: float,
) -> float:
    """Median whiteness step per texel (``step``, the gradient magnitude of ``f``) along
    the outline of the part of blob ``label`` around its peak ``at`` where whiteness is at
    least :data:`EDGE` x ``peak``, divided by the peak."""
    from scipy import ndimage  # textures only: 35 ms of start-up otherwise

    if peak <= 0:
        return 0.0
    part = (labels[box] == label) & (f[box] >= EDGE * peak)
    pieces, _ = ndimage.label(part)
    mine = pieces == pieces[at[0] - box[0].start, at[1] - box[1].start]
    outline = mine & ~ndimage.binary_erosion(mine)
    if not outline.any():
        return 0.0
    return float(np.median(step[box][outline])) / peak


def _background(y: np.ndarray, window: int) -> np.ndarray:
    """Grey opening of ``y`` by a ``window`` square, computed on a 4x smaller image (block
    minima) and expanded back: what remains once small bright features are removed."""
    from scipy import ndimage  # textures only: 35 ms of start-up otherwise

    h, w = y.shape
    f = 4
    hh, ww = -(-h // f) * f, -(-w // f) * f
    padded = np.pad(y, ((0, hh - h), (0, ww - w)), mode="edge")
    small = padded.reshape(hh // f, f, ww // f, f).min(axis=(1, 3))
    size = max(3, window // f) | 1
    opened = ndimage.grey_opening(small, size=(size, size), mode="wrap")
    return np.repeat(np.repeat(opened, f, axis=0), f, axis=1)[:h, :w]
