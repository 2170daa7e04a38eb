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
from typing import TYPE_CHECKING

import numpy as np

from assetlint.analysis.albedo import LUMA, fill_uncovered, reduce_image, srgb_to_linear

if TYPE_CHECKING:
    from assetlint.geometry.topology import Topology

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


# Vertex colours: the same blobs, measured over the surface instead of a texture. The mesh
# is welded by position (a colour or normal seam splits vertices without cutting the
# surface), its edges are the neighbourhood, and lengths are counted in *texels*: the
# side of a texel of a WORK x WORK map that the surface would fill, so that the limits
# above mean the same on vertex colours and on the texture a bake would make of them.
MAX_HOPS = 48  # the background's reach in edges, at most (its cost is linear in it)


def find_vertex_blobs(topo: Topology, colors: np.ndarray) -> list[tuple[Blob, int]]:
    """Every compact bright blob of per-vertex linear ``colors`` (n, 3 or 4, 0..1) over
    the welded surface of ``topo`` (the mesh's topology: its weld, faces and edges),
    each with the index of its brightest vertex, strongest first; as :func:`find_blobs`
    does for a texture (the background an opening of the luminance by a disc of a quarter
    of the map's side, the whiteness, the soft core and the gradual outline), the caller
    decides which are highlights."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from assetlint.analysis.albedo import linear_to_srgb

    faces = topo.faces
    if len(faces) == 0:
        return []
    rgb = np.clip(np.nan_to_num(np.asarray(colors, dtype=np.float64)[:, :3], nan=1.0), 0, 1)
    # one node per welded point, its colour the mean of its copies
    node, n, point = topo.welded, topo.welded_count, topo.welded_positions
    ok = node >= 0
    copies = np.maximum(np.bincount(node[ok], minlength=n), 1).astype(np.float64)
    colour = np.stack([np.bincount(node[ok], rgb[ok, c], n) for c in range(3)], 1)
    colour /= copies[:, None]
    corner = point[faces]
    cross = np.cross(corner[:, 1] - corner[:, 0], corner[:, 2] - corner[:, 0])
    double = np.linalg.norm(cross, axis=1)
    total = 0.5 * double.sum()
    if not total > 0:
        return []
    texel = np.sqrt(total) / WORK
    vertex_area = np.bincount(faces.ravel(), np.repeat(double / 6.0, 3), n)
    uses = topo.edges.face_count
    edges = node[topo.edge_vertices(np.arange(len(uses)))].astype(np.int64)  # welded ids
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    first = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    has = src[first]

    def spread(values: np.ndarray, reduce: np.ufunc, hops: int) -> np.ndarray:
        out = values.copy()
        for _ in range(hops):
            near = out.copy()
            near[has] = reduce.reduceat(out[dst], first)
            out = reduce(out, near)
        return out

    y = colour @ LUMA
    length = np.linalg.norm(point[edges[:, 0]] - point[edges[:, 1]], axis=1)
    hops = int(np.clip(np.ceil(np.sqrt(total) / 8 / max(np.median(length), 1e-12)), 1, MAX_HOPS))
    bg = spread(spread(y, np.minimum, hops), np.maximum, hops)
    f = np.clip((y - bg) / np.maximum(1.0 - bg, 1e-3), 0.0, 1.0)
    lit = f >= LOW
    inner = lit[src] & lit[dst]
    graph = coo_matrix((np.ones(int(inner.sum())), (src[inner], dst[inner])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labels = np.where(lit, labels + 1, 0)
    count = int(labels.max()) if n else 0
    if count == 0:
        return []
    area = np.bincount(labels, vertex_area, count + 1)
    size = np.bincount(labels, minlength=count + 1)
    # the brightest vertex of each blob: the last of its rows sorted by whiteness
    by = np.lexsort((f, labels))
    last = np.flatnonzero(np.r_[labels[by][1:] != labels[by][:-1], True])
    peak_at = np.zeros(count + 1, dtype=np.int64)
    peak_at[labels[by][last]] = by[last]
    peak = f[peak_at]
    core = np.bincount(labels, vertex_area * (f >= CORE * peak[labels]), count + 1)
    # the ring: edges from a blob to a vertex outside it; open where the surface ends
    out_edge = (labels[src] > 0) & (labels[dst] != labels[src])
    ring = np.bincount(labels[src[out_edge]], minlength=count + 1)
    border = np.zeros(n, dtype=bool)
    border[edges[uses == 1].ravel()] = True
    open_ = np.bincount(labels[border], minlength=count + 1)
    sharp = _vertex_sharpness(point, faces, f, labels, peak, peak_at, src, dst, count) * texel
    srgb = linear_to_srgb(colour)
    hi, lo = srgb.max(1), srgb.min(1)
    sat = np.where(hi > 0, (hi - lo) / np.maximum(hi, 1e-6), 0.0)
    keep = (
        (np.arange(count + 1) > 0)
        & (size >= 3)
        & (area >= MIN_AREA * texel**2)
        & (area <= MAX_SHARE * total)
        & (ring > 0)
        & (open_ <= MAX_OPEN_RING * ring)
    )
    copy = topo.representative  # a vertex of each welded point
    out = []
    for k in np.flatnonzero(keep):
        at = int(peak_at[k])
        blob = Blob(
            label=int(k),
            uv=(float("nan"), float("nan")),
            peak=float(peak[k]),
            saturation=float(sat[at]),
            softness=1.0 - float(core[k]) / float(area[k]),
            share=float(area[k]) / total,
            contrast=float(y[at] / max(bg[at], 1e-3)),
            sharpness=float(sharp[k]) / max(float(peak[k]), 1e-6),
        )
        out.append((blob, int(copy[at])))
    out.sort(key=lambda item: -item[0].peak)
    return out


def _vertex_sharpness(
    point: np.ndarray,
    faces: np.ndarray,
    f: np.ndarray,
    labels: np.ndarray,
    peak: np.ndarray,
    peak_at: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    count: int,
) -> np.ndarray:
    """Per blob label, the median whiteness gradient (per unit length) at the outline of
    the part around its peak where whiteness is at least :data:`EDGE` x the peak: the
    gradient of ``f`` over each triangle (linear there), averaged per vertex by area."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(point)
    a, b, c = (point[faces[:, i]] for i in range(3))
    e1, e2 = b - a, c - a
    normal = np.cross(e1, e2)
    nn = np.einsum("ij,ij->i", normal, normal)
    good = nn > 0
    d1 = (f[faces[:, 1]] - f[faces[:, 0]])[:, None]
    d2 = (f[faces[:, 2]] - f[faces[:, 0]])[:, None]
    # gradient of the linear interpolant: (d1 (e2 x n) + d2 (n x e1)) / |n|^2
    grad = (d1 * np.cross(e2, normal) + d2 * np.cross(normal, e1)) / np.where(good, nn, 1)[:, None]
    mag = np.where(good, np.linalg.norm(grad, axis=1), 0.0)
    weight = np.sqrt(nn)
    num = np.bincount(faces.ravel(), np.repeat(mag * weight, 3), n)
    den = np.bincount(faces.ravel(), np.repeat(weight, 3), n)
    step = num / np.maximum(den, 1e-300)
    part = (labels > 0) & (f >= EDGE * peak[labels])
    inner = part[src] & part[dst] & (labels[src] == labels[dst])
    graph = coo_matrix((np.ones(int(inner.sum())), (src[inner], dst[inner])), shape=(n, n))
    _, piece = connected_components(graph, directed=False)
    mine = part & (piece == piece[peak_at[labels]])
    outside = np.bincount(src[mine[src] & ~mine[dst]], minlength=n) > 0
    outline = np.flatnonzero(mine & outside)
    result = np.zeros(count + 1)
    if len(outline) == 0:
        return result
    lab = labels[outline]
    order = np.lexsort((step[outline], lab))
    lab, val = lab[order], step[outline][order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    ends = np.r_[starts[1:], len(lab)]
    mid_lo = starts + (ends - starts - 1) // 2
    mid_hi = starts + (ends - starts) // 2
    result[lab[starts]] = 0.5 * (val[mid_lo] + val[mid_hi])
    return result


def vertex_palette_share(colors: np.ndarray, palette: int = 16) -> float:
    """Share of the vertices whose 8-bit sRGB colour is one of the ``palette`` most common:
    vertex colours painted by hand take a few flat colours (as a designed texture does,
    see :func:`~assetlint.analysis.albedo.palette_share`), those a generator predicts
    carry noise and hardly repeat."""
    from assetlint.analysis.albedo import linear_to_srgb

    rgb = np.clip(np.nan_to_num(np.asarray(colors, dtype=np.float64)[:, :3], nan=1.0), 0, 1)
    if len(rgb) == 0:
        return float("nan")
    level = np.rint(linear_to_srgb(rgb) * 255).astype(np.int64)
    codes = (level[:, 0] << 16) | (level[:, 1] << 8) | level[:, 2]
    _, counts = np.unique(codes, return_counts=True)
    return float(np.sort(counts)[::-1][:palette].sum()) / len(rgb)
