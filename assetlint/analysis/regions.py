"""Several materials fused into one material slot, found by clustering its albedo.

An image-to-3D generator paints the metal, the rubber and the fabric of an object into one
texture under one material. The samples of a slot are clustered (k-means, k = 2..4) on
CIELAB colour, plus metallic and roughness when the slot has a metallic-roughness map. A
split is accepted only if it is clear:

* every cluster covers at least :data:`MIN_SHARE` of the slot's surface;
* every pair of clusters is separated by a gap: along the line joining their centres the
  clusters are :data:`MIN_SEPARATION` pooled standard deviations apart, and the histogram
  of the samples projected on that line has a valley between them no higher than
  :data:`MAX_VALLEY` of the lower peak (a baked light gradient or occlusion spreads
  colours continuously and has no valley);
* clusters are patches on the surface, not speckle: on average :data:`MIN_COHERENCE` of
  each sample's nearest neighbours in 3D belong to its cluster.

Colour alone separates paints as well as materials, and paint of several colours is one
material: a white, a black and a red region of one slot are as likely three paints of one
plastic as metal, rubber and paint (the Khronos BoxTextured, Fox and CesiumMilkTruck, the
Duck's eye). What a material is made of shows in what the albedo cannot fake: its
metalness and roughness (where a map holds them, they decide, and a slot whose map
varies has its materials told apart already: the rules leave it alone), and its
fine-scale texture ("grain": leather, fabric or wood against smooth paint or plastic).
So two clusters count as different materials only when their metallic or roughness differ
(from a map) or their grain differs by :data:`GRAIN_RATIO` or more where both have some
(a flat region, hand-painted or clipped to white, has no grain to compare, which is not a
different grain); clusters that do not differ so are merged, and each material is named
by the kind it looks like, "metal" only where the metallic value (factor times map) says
so.

"Some grain" means more than an 8-bit colour's rounding leaves (:func:`grain_floor`).
Grain is measured in log luminance, as a material's texture multiplies its albedo, but
rounding and the generator's noise add to the coded value, and one sRGB code is a larger
step in log luminance in the dark: at sRGB 55 one code is 0.027, at sRGB 220 0.011. A
smooth dark paint therefore shows twice the "grain" of a smooth light one from rounding
alone; the floor follows the colour's level.

Vertex colours have their grain measured as a texture would hold them
(:func:`vertex_grain`): the colour is one value per vertex, and a bake interpolates it
over each triangle, so the differences between single neighbouring vertices (the colour
field's sampling, at the mesh's resolution) are not a grain; the pattern over a few
rings of vertices is. A slot judged on its vertex colours and the same colours baked
into a texture (``assetlint fix`` for a target that drops vertex colours) get the same
verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assetlint.analysis.albedo import Samples
from assetlint.geometry.topology import Topology

if TYPE_CHECKING:  # scipy is imported where used: it would double the CLI's start-up
    from scipy.spatial import cKDTree

VERTEX_RINGS = 4  # smoothing steps of the background vertex grain is measured against
HIGH_PASS_TEXELS = 2.0  # the texture path's high-pass width (analysis.sides.detail_images)
MIN_SAMPLES = 300
MAX_SAMPLES = 4000  # a slot's samples clustered (the samples are i.i.d.: a prefix is fair)
MIN_SHARE = 0.08
MIN_SEPARATION = 4.0
MAX_VALLEY = 0.25
MIN_COHERENCE = 0.8
NEIGHBOURS = 8
SEED = 11
GRAIN_RATIO = 4.0
# below :func:`grain_floor` a texture is flat and its grain is 8-bit rounding and
# compression noise, whose ratios mean nothing: a grain is at least this many sRGB codes
# (in log luminance at the colour's level); plain 8-bit rounding of a smooth colour
# measures 0.48-0.51 codes at every level (built spheres of light, dark and red paint)
ROUNDING_CODES = 0.75
# the offset of the log luminance grain is measured in (see analysis.sides.detail_images)
LOG_OFFSET = 0.01
METALLIC_STEP = 0.5
ROUGHNESS_STEP = 0.25


@dataclass
class Part:
    """One of the materials a slot looks like."""

    kind: str  # what it looks like: "metal", "dark rubber", "painted"...
    share: float  # of the slot's sampled surface
    srgb: tuple[int, int, int]  # mean albedo, 8-bit sRGB
    metallic: float | None  # mean, when the slot has a metallic-roughness map (the only
    roughness: float | None  # case where they tell its clusters apart)
    grain: float | None = None  # median fine-scale texture contrast
    broad: str = ""  # broad albedo class (see :func:`_classes`)


def material_parts(
    samples: Samples,
    rows: np.ndarray,
    rgb: np.ndarray | None = None,
    grain: np.ndarray | None = None,
) -> list[Part]:
    """The distinct materials the samples ``rows`` (one material slot) look like: one
    part when nothing clearly separates them. ``rgb`` replaces the samples' albedo (one
    row per sample, e.g. with baked light divided out) and ``grain`` gives each sample's
    fine-scale texture contrast (NaN where unknown)."""
    if len(rows) < MIN_SAMPLES:
        return []
    rows = rows[:MAX_SAMPLES]
    colours = (samples.rgb if rgb is None else rgb)[rows]
    features, has_mr = _features(samples, rows, colours)
    labels = _best_split(features, samples.positions[rows])
    parts = _describe(samples, rows, colours, labels, has_mr, grain)
    return _merge(parts)


def _merge(parts: list[Part]) -> list[Part]:
    """Merge clusters that are not different materials (see the module docstring)."""
    owner = list(range(len(parts)))

    def root(i: int) -> int:
        while owner[i] != i:
            i = owner[i]
        return i

    differ = [[_different(a, b) for b in parts] for a in parts]
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            ri, rj = root(i), root(j)
            if ri == rj or differ[i][j]:
                continue
            # no merging through a third part: a flat region (no grain to compare) beside
            # a smooth and a grained one must not join the two
            group_i = [k for k in range(len(parts)) if root(k) == ri]
            group_j = [k for k in range(len(parts)) if root(k) == rj]
            if not any(differ[a][b] for a in group_i for b in group_j):
                owner[rj] = ri
    merged: dict[int, list[Part]] = {}
    for i, part in enumerate(parts):
        merged.setdefault(root(i), []).append(part)
    out = []
    for same in merged.values():
        main = max(same, key=lambda p: p.share)
        share = sum(p.share for p in same)
        out.append(
            Part(main.kind, share, main.srgb, main.metallic, main.roughness, main.grain, main.broad)
        )
    return sorted(out, key=lambda p: -p.share)


def _different(a: Part, b: Part) -> bool:
    if a.metallic is not None and b.metallic is not None:
        if abs(a.metallic - b.metallic) >= METALLIC_STEP:
            return True
        if abs((a.roughness or 0) - (b.roughness or 0)) >= ROUGHNESS_STEP:
            return True
    if (
        a.grain
        and b.grain
        and a.grain >= grain_floor(a.srgb)
        and b.grain >= grain_floor(b.srgb)
        and max(a.grain, b.grain) >= GRAIN_RATIO * min(a.grain, b.grain)
    ):
        return True
    return False


def grain_floor(srgb: tuple[int, int, int]) -> float:
    """The least grain (median fine-scale contrast of log luminance) that is more than
    8-bit rounding at a colour of 8-bit sRGB ``srgb``: :data:`ROUNDING_CODES` times the
    step one sRGB code makes in log luminance at that level."""
    from assetlint.analysis.albedo import LUMA, srgb_to_linear

    level = np.clip(np.asarray(srgb, dtype=np.float64), 1.0, 255.0)
    low, high = (srgb_to_linear((level + d) / 255.0) @ LUMA + LOG_OFFSET for d in (-1.0, 0.0))
    return ROUNDING_CODES * float(np.log(high) - np.log(low))


def vertex_grain(topo: Topology, colors: np.ndarray) -> np.ndarray:
    """Per vertex of the mesh (NaN where unused), the fine-scale contrast of per-vertex
    linear ``colors`` as a texture baked from them would hold it: the log luminance over
    the welded surface, averaged once with its neighbours (a bake interpolates between
    vertices: one vertex against the next is the field's sampling), less its average
    over a few more rings. The texture path measures grain at a fixed scale
    (:data:`~assetlint.analysis.sides.DETAIL_SIZE` texels over the surface, a high-pass
    of 2 texels); where vertices lie further apart than that, a bake holds their colour
    as planes across each triangle, which the high-pass sees only near the edges: the
    contrast is scaled by (2 texels / vertex spacing) squared, the share of it a
    linear interpolant leaves to a high-pass that narrow."""
    from scipy.sparse import coo_matrix

    from assetlint.analysis.albedo import LUMA
    from assetlint.analysis.sides import DETAIL_SIZE

    node, n = topo.welded, topo.welded_count
    out = np.full(len(node), np.nan)
    if not n or not len(topo.faces):
        return out
    ok = node >= 0
    rgb = np.clip(np.nan_to_num(np.asarray(colors, dtype=np.float64)[:, :3], nan=1.0), 0, 1)
    copies = np.maximum(np.bincount(node[ok], minlength=n), 1)
    luminance = np.bincount(node[ok], rgb[ok] @ LUMA, n) / copies
    edges = node[topo.edge_vertices(np.arange(len(topo.edges.face_count)))].astype(np.int64)
    ring = coo_matrix(
        (np.ones(2 * len(edges)), (edges.T.ravel(), edges[:, ::-1].T.ravel())), shape=(n, n)
    ).tocsr()
    degree = np.maximum(np.asarray(ring.sum(axis=1)).ravel(), 1.0)

    def smooth(x: np.ndarray) -> np.ndarray:  # half itself, half its neighbours' mean
        return 0.5 * x + 0.5 * (ring @ x) / degree

    fine = smooth(np.log(luminance + LOG_OFFSET))
    coarse = fine
    for _ in range(VERTEX_RINGS):
        coarse = smooth(coarse)
    point = topo.welded_positions.astype(np.float64)
    corner = point[topo.faces]
    area = (
        0.5
        * np.linalg.norm(
            np.cross(corner[:, 1] - corner[:, 0], corner[:, 2] - corner[:, 0]), axis=1
        ).sum()
    )
    spacing = float(np.median(np.linalg.norm(point[edges[:, 0]] - point[edges[:, 1]], axis=1)))
    width = HIGH_PASS_TEXELS * np.sqrt(area) / DETAIL_SIZE  # the texture path's high-pass
    scale = min(1.0, width / spacing) if spacing > 0 else 1.0
    out[ok] = scale * np.abs(fine - coarse)[node[ok]]
    return out


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB colours."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = rgb_linear @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.column_stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])]
    )


def _features(samples: Samples, rows: np.ndarray, colours: np.ndarray) -> tuple[np.ndarray, bool]:
    feats = [lab(colours)]
    has_mr = bool(samples.has_mr_map[rows].mean() > 0.5)
    if has_mr:
        # a metal/dielectric difference weighs like a large colour difference; roughness
        # differences of 0.3 like a clearly visible one
        feats.append(samples.metallic[rows, None] * 100)
        feats.append(samples.roughness[rows, None] * 60)
    return np.column_stack(feats), has_mr


def _best_split(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Labels of the largest clear split (k = 4, 3, 2), or all zeros."""
    from scipy.cluster.vq import ClusterError, kmeans2  # 14 ms of start-up otherwise
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(SEED)
    tree = None
    distinct = len(np.unique(x, axis=0))  # k-means++ cannot seed more centres than this
    for k in (4, 3, 2):
        for _attempt in range(3 if distinct >= k else 0):
            try:  # a cluster left empty is no split into k: try another seeding
                _, labels = kmeans2(x, k, iter=30, minit="++", missing="raise", rng=rng)
            except ClusterError:
                continue
            if not _separated(x, labels, k):
                continue
            if tree is None:
                tree = cKDTree(positions)
            if _coherent(tree, labels):
                return labels
    return np.zeros(len(x), dtype=np.int64)


def _separated(x: np.ndarray, labels: np.ndarray, k: int) -> bool:
    counts = np.bincount(labels, minlength=k)
    if counts.min() < MIN_SHARE * len(x):
        return False
    for i in range(k):
        for j in range(i + 1, k):
            a, b = x[labels == i], x[labels == j]
            axis = b.mean(0) - a.mean(0)
            dist = np.linalg.norm(axis)
            if dist == 0:
                return False
            axis /= dist
            pa, pb = a @ axis, b @ axis
            pooled = np.sqrt((pa.var() + pb.var()) / 2)
            if dist < MIN_SEPARATION * max(pooled, 1e-6):
                return False
            if not _valley(pa, pb):
                return False
    return True


def _valley(pa: np.ndarray, pb: np.ndarray) -> bool:
    """Whether the projected values of two clusters have a low valley between them."""
    lo_c, hi_c = np.median(pa), np.median(pb)
    both = np.concatenate([pa, pb])
    edges = np.linspace(lo_c, hi_c, 21)
    hist, _ = np.histogram(both, bins=edges)
    hist = np.convolve(hist, np.ones(3) / 3, mode="same")
    peak = min(hist[:3].max(), hist[-3:].max())
    return bool(hist[3:-3].min() <= MAX_VALLEY * peak) if peak > 0 else False


def _coherent(tree: cKDTree, labels: np.ndarray) -> bool:
    k = min(NEIGHBOURS + 1, len(labels))
    _, nn = tree.query(tree.data, k=k)
    same = (labels[nn[:, 1:]] == labels[:, None]).mean()
    return bool(same >= MIN_COHERENCE)


def _describe(
    samples: Samples,
    rows: np.ndarray,
    colours: np.ndarray,
    labels: np.ndarray,
    has_mr: bool,
    grain: np.ndarray | None,
) -> list[Part]:
    from assetlint.analysis.albedo import linear_to_srgb

    parts = []
    for j in np.unique(labels):
        mine = labels == j
        sel = rows[mine]
        rgb = colours[mine].mean(0)
        metallic = float(samples.metallic[sel].mean())  # factor x map: always known
        roughness = float(samples.roughness[sel].mean())
        g = None
        if grain is not None:
            values = grain[sel][np.isfinite(grain[sel])]
            g = float(np.median(values)) if len(values) >= 20 else None
        # a cluster may hold paints of several hues whose mean is grey: its class is the
        # one most of its samples have, named from their mean
        metal = samples.metallic[sel] >= 0.5
        each = _broad_classes(colours[mine], metal)
        major = np.bincount(each, minlength=len(BROAD)).argmax()
        rgb = colours[mine][each == major].mean(0)
        _, kind = _classes(rgb, metallic, roughness)
        broad = BROAD[major]
        srgb = tuple(int(v) for v in np.round(linear_to_srgb(rgb) * 255))
        parts.append(
            Part(
                kind,
                len(sel) / len(rows),
                srgb,
                metallic if has_mr else None,
                roughness if has_mr else None,
                g,
                broad,
            )
        )
    return parts


BROAD = ("metal", "dark neutral", "bright neutral", "grey", "coloured")


def _broad_classes(rgb: np.ndarray, metal: np.ndarray) -> np.ndarray:
    """Index into :data:`BROAD` of each linear colour (the classes of :func:`_classes`)."""
    lum, a, b = lab(rgb).T
    chroma = np.hypot(a, b)
    out = np.full(len(rgb), BROAD.index("coloured"))
    out[chroma < 10] = BROAD.index("grey")
    out[(chroma < 10) & (lum >= 72)] = BROAD.index("bright neutral")
    out[(chroma < 15) & (lum < 35)] = BROAD.index("dark neutral")
    out[metal] = BROAD.index("metal")
    return out


def _classes(rgb: np.ndarray, metallic: float | None, roughness: float | None) -> tuple[str, str]:
    """(broad class, descriptive name) of a mean colour, with metallic and roughness
    where known. Broad classes: metal, bright neutral, dark neutral, grey, coloured."""
    lum, a, b = lab(rgb[None])[0]
    chroma = float(np.hypot(a, b))
    hue = float(np.degrees(np.arctan2(b, a)) % 360)
    if metallic is not None and metallic >= 0.5:
        broad, kind = "metal", "metal"
    elif chroma < 15 and lum < 35:
        broad, kind = "dark neutral", "dark rubber"
    elif chroma < 10 and lum >= 72:  # white paint as much as bright metal: metallic decides
        broad, kind = "bright neutral", "white"
    elif chroma < 10:
        broad, kind = "grey", "grey"
    elif 20 <= hue <= 90 and lum < 50 and chroma < 40:
        broad, kind = "coloured", "leather or wood"
    else:
        broad, kind = "coloured", "painted"
    if roughness is not None and broad != "metal":
        kind += " (glossy)" if roughness < 0.45 else " (rough)" if roughness >= 0.75 else ""
    return broad, kind
