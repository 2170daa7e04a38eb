"""Light and occlusion baked into an albedo, measured by regression on surface samples.

A photo's light is a function of the surface normal (the shading normal a renderer
interpolates, :attr:`~assetlint.analysis.albedo.Samples.shading_normals`: a smooth
surface tessellated into facets is lit smoothly); an albedo is not. So the luminance of
the sampled albedo is fitted against the normal (and, for occlusion, against an ambient
occlusion estimate)::

    L_i / mean_g(L) = c_g + b . n_i (+ k * occlusion_i)

with one intercept ``c_g`` per colour group g. Groups are the material slot crossed with
the chromaticity of the albedo (r, g and b divided by their sum): a light scales
luminance and leaves chromaticity nearly alone, so paint of several colours becomes
several groups and only the luminance variation *inside* a colour can be read as light.
A group is a connected set of well-filled chromaticity bins (:data:`CHROMA_BIN` wide), so
a slightly tinted light, which drags a colour's chromaticity along a short streak, does
not split it, while distinct paints, separated by empty bins, stay apart. Dividing by the
group mean makes the fit multiplicative, as baked light is. The fit is area weighted (the
samples are uniform over the area) and robust (Huber weights by iteratively reweighted
least squares), so painted highlights, decals and seams do not steer it.

The strength is ``|b| / a`` where a is the mean intercept (the albedo's level where the
light grazes the surface); the share of variance explained is that of the luminance
variation within groups.

A key light follows Lambert's law, brightening by max(0, n . d): linear in the normal on
the side facing it, flat on the side turned away (lit by sky and bounce alone), and a
robust fit over both halves takes the flat half for the model. So the fit is redone on
the side facing the light found (from the global fit and from the local slope below, the
one that explains more is kept), leaving out what lies in the shadow another part casts
(a shadow ray per sample, given by the caller): inside a bowl or a tube, under a truck's
cab, surface that faces the light receives none of it. And a white light scales r, g and
b alike, so the fit also measures how the chromaticity changes along the light
(``tint``), on unclipped samples only: hand-painted colour graded from one hue into
another changes it as much as the luminance.

Colour regions of the same chromaticity but different lightness (dark and light grey
parts) are one group, and a few such regions can mimic a light in this global fit. A
light, unlike regions, changes luminance *smoothly* with the normal, so the global fit is
checked by a local one: over pairs of neighbouring samples, the relative luminance
difference against the normal difference, with Tukey's biweight, over pairs of the same
colour group and lightness level (a pair across a paint border differs by the paint; on
flat panels the pairs straddling a crease are the only ones whose normals differ, and
those across a border would outweigh them). :func:`local_slope` gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assetlint.analysis.albedo import Samples

CHROMA_BIN = 0.02  # width of a chromaticity bin (r/(r+g+b), g/(r+g+b))
FILLED = 0.002  # share of a material's samples a chromaticity bin needs to count as filled
MIN_LUMINANCE = 0.002  # linear; darker samples have no usable chromaticity or ratio
MIN_GROUP = 8  # samples a colour group needs to take part in the fit
HUBER = 1.345  # Huber's tuning constant, in robust standard deviations
TUKEY = 4.685  # Tukey's biweight tuning constant, in robust standard deviations
PAIR_SAMPLES = 8192  # samples paired with their neighbours by the local fit
NEIGHBOURS = 8
FOLDED = 4  # samples within the pairing radius, over the expected count: a folded surface
MIN_SCALE = 0.01  # relative luminance: below this, differences are 8-bit quantization
FIT_SCALE = 0.05  # floor of the robust scale of the global fit (relative luminance)
# A lightness level boundary is a step: neighbours across it differ in log luminance by at
# least STEP_MIN and STEP_RATIO times what neighbours on one side do (see _step)
STEP_MIN = 0.04
STEP_RATIO = 3.0
CLIPPED = 0.98  # linear: a channel this bright may have been clipped by the exposure
LIT_SIDE_STEPS = 4  # refits on the side facing the light (see fit_shading)
LIT_SIDE_GAIN = 0.01  # share of variance a refit must explain beyond the previous fit


@dataclass
class ShadingFit:
    """What the luminance regression found."""

    direction: np.ndarray  # unit vector towards the light, world (canonical) frame
    strength: float  # |b| / a
    explained: float  # share of within-group luminance variance the normal explains
    samples: int  # samples that took part
    groups: int  # colour groups with an intercept of their own
    local_strength: float = 0.0  # |b| of the local (pairwise) fit
    local_angle: float = 180.0  # degrees between the local and the global light directions
    occlusion_strength: float = 0.0  # k / a: darkening per unit occlusion (positive = darker)
    occlusion_explained: float = 0.0  # extra share of variance explained by occlusion
    tint: float = 0.0  # chromaticity change along the light over the relative luminance's
    residual: np.ndarray | None = None  # per-sample relative residual (NaN where unused)


def colour_groups(samples: Samples) -> tuple[np.ndarray, np.ndarray]:
    """Group id per sample (material x connected chromaticity region), and the mask of
    samples usable in a fit (bright enough, in a group of at least :data:`MIN_GROUP`)."""
    from scipy import ndimage

    rgb = samples.rgb
    total = rgb.sum(axis=1)
    usable = (samples.luminance > MIN_LUMINANCE) & np.isfinite(total)
    chroma = rgb[:, :2] / np.maximum(total, 1e-12)[:, None]
    side = int(np.ceil(1 / CHROMA_BIN)) + 1
    bins = np.clip(np.floor(chroma / CHROMA_BIN).astype(np.int64), 0, side - 1)
    flat = bins[:, 0] * side + bins[:, 1]
    group = np.full(samples.count, -1, dtype=np.int64)
    next_id = 0
    for mat in np.unique(samples.material):
        rows = np.flatnonzero((samples.material == mat) & usable)
        if not len(rows):
            continue
        counts = np.bincount(flat[rows], minlength=side * side).reshape(side, side)
        filled = counts >= max(3, FILLED * len(rows))
        # bins up to two apart belong together: a tinted light drags chromaticity a little
        near = ndimage.binary_dilation(filled, structure=np.ones((3, 3)))
        labels, found = ndimage.label(near, structure=np.ones((3, 3)))
        labels[~filled] = 0
        lab = labels.ravel()[flat[rows]]
        # samples in sparse bins (blends along region borders) are left out
        group[rows[lab > 0]] = next_id + lab[lab > 0] - 1
        next_id += found + 1
    usable &= group >= 0
    sizes = np.bincount(group[usable], minlength=max(next_id, 1))
    usable &= sizes[np.maximum(group, 0)] >= MIN_GROUP
    return group, usable


@dataclass
class Grouping:
    """How the fits group the samples: colour groups split into lightness levels
    (:func:`split_levels`), the samples that take part, and the local slope that checks a
    light. Computed once per asset and shared by the light and occlusion fits."""

    group: np.ndarray  # int (n,)
    usable: np.ndarray  # bool (n,)
    local: np.ndarray | None  # see local_slope
    pairs: tuple[np.ndarray, np.ndarray]  # neighbouring usable samples (neighbour_pairs)


def group_samples(
    samples: Samples, exclude: np.ndarray | None = None, across_creases: bool = False
) -> Grouping:
    """The :class:`Grouping` of the samples, leaving out those in ``exclude`` (painted
    highlights, say); ``across_creases``: see :func:`split_levels`."""
    group, usable = colour_groups(samples)
    if exclude is not None:
        usable &= ~exclude
    pairs = neighbour_pairs(samples, usable)
    local = local_slope(samples, pairs)
    levels = split_levels(samples, group, usable, local, pairs, across_creases)
    return Grouping(levels, usable, local, pairs)


def _relative_luminance(
    samples: Samples, group: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Dense group ids of samples ``idx`` and their luminance divided by their group's
    mean: the fits are multiplicative, as baked light and occlusion are."""
    g = np.unique(group[idx], return_inverse=True)[1]
    lum = samples.luminance[idx]
    count = g.max() + 1
    level = np.bincount(g, lum, count) / np.bincount(g, minlength=count)
    return g, lum / level[g]


@dataclass
class _Problem:
    """What every fit of one asset's light shares: the samples, their grouping, the
    occlusion regressor (if any) and the shadow test; built once by :func:`fit_shading`
    and handed to each fit, which picks its own samples ``idx``."""

    samples: Samples
    group: np.ndarray
    occlusion: np.ndarray | None
    visible: Callable[[np.ndarray], np.ndarray] | None

    def regression(
        self, idx: np.ndarray, light: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Dense group ids, relative luminance (:func:`_relative_luminance`) and the
        regressors of samples ``idx``: the shading normals, or one ``light`` column if
        given, then the occlusion."""
        g, y = _relative_luminance(self.samples, self.group, idx)
        x = self.samples.shading_normals[idx] if light is None else light[:, None]
        if self.occlusion is not None:
            x = np.column_stack([x, self.occlusion[idx]])
        return g, y, x

    def lit(self, idx: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """bool over ``idx``: the samples a light from ``direction`` reaches (facing it,
        and out of a cast shadow where ``visible`` tells)."""
        facing = self.samples.shading_normals[idx] @ direction > 0
        return facing if self.visible is None else facing & self.visible(direction)[idx]


def fit_shading(
    samples: Samples,
    occlusion: np.ndarray | None = None,
    grouping: Grouping | None = None,
    visible: Callable[[np.ndarray], np.ndarray] | None = None,
) -> ShadingFit | None:
    """Fit luminance against the normal (and ``occlusion`` per sample, if given: an array
    as long as the samples, NaN where unknown), over the samples ``grouping`` keeps
    (:func:`group_samples` of all of them if not given). ``visible``, given a direction,
    says which samples see a light from there (bool per sample; False in a cast shadow,
    True where unknown). None when too few take part."""
    grouping = grouping or group_samples(samples)
    group = grouping.group
    usable = grouping.usable.copy()
    if occlusion is not None:
        usable &= np.isfinite(occlusion)
    # the local slope over pairs of the same colour and lightness level: a pair across a
    # paint border differs by the paint, and on a faceted surface (flat panels) the pairs
    # that straddle a crease are the only ones whose normals differ, so those across a
    # border would outweigh them
    i, j = grouping.pairs
    same = group[i] == group[j]
    local = local_slope(samples, (i[same], j[same]))
    idx = np.flatnonzero(usable)
    if len(idx) < 50:
        return None
    problem = _Problem(samples, group, occlusion, visible)
    linear = _fit(problem, idx)
    # Lambert: a key light brightens a surface by max(0, n . d), so luminance follows
    # the normal linearly on the lit side and not at all on the side turned away (sky
    # and bounce light there), and a robust fit over both would take the flat half for
    # the rule and the lit half for outliers. So the fit is redone on the side that
    # faces the light, from two starts: the fit over all samples, and the local slope
    # (pairs of neighbours: cast shadow edges and paint borders are its outliers), and
    # the refit that explains its side best is the candidate. A refit on half the
    # samples explains its half better with fewer constraints (on a box, three normals
    # fix three slopes exactly), so it is compared with the fit over all samples on the
    # SAME samples, all of them, each as the light it models (linear in n . d, Lambert's
    # max(0, n . d)): the one that leaves the smaller residual is kept.
    fit = linear
    starts = [s for s in (linear.direction, local) if s is not None and np.linalg.norm(s) > 0]
    lits = [_lit_side(problem, idx, start, linear) for start in starts]
    lit = max(lits, key=lambda f: f.explained, default=linear)
    if lit is not linear and _direction_residual(problem, idx, lit.direction) < _direction_residual(
        problem, idx, linear.direction, lambert=False
    ):
        fit = lit
    fit.groups = linear.groups  # the colour groups of the whole surface
    if local is not None:
        fit.local_strength = float(np.linalg.norm(local))
        if fit.local_strength > 0:
            cos = float(local @ fit.direction) / fit.local_strength
            fit.local_angle = float(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return fit


def _lit_side(problem: _Problem, idx: np.ndarray, start: np.ndarray, fit: ShadingFit) -> ShadingFit:
    """Refit on the samples that face ``start`` and see it (out of a cast shadow), then on
    those lit by the light found, until that side stops changing or the normal stops
    explaining more than in ``fit``."""
    facing = problem.lit(idx, start)
    for _ in range(LIT_SIDE_STEPS):
        if facing.sum() < 50:
            break
        lit = _fit(problem, idx[facing])
        if lit.explained < fit.explained + LIT_SIDE_GAIN:
            break
        fit = lit
        now = problem.lit(idx, lit.direction)
        if np.array_equal(now, facing):
            break
        facing = now
    return fit


def _direction_residual(
    problem: _Problem, idx: np.ndarray, direction: np.ndarray, lambert: bool = True
) -> float:
    """Mean absolute residual over the samples ``idx`` of a light along ``direction``
    alone, its slope and the group intercepts refitted on all of ``idx`` (so fits made on
    different samples are judged on the same ones): luminance linear in n . d, as the
    fit over all samples models it, or, for a fit on the lit side (``lambert``),
    Lambert's max(0, n . d), flat on the side turned away and in cast shadows."""
    light = problem.samples.shading_normals[idx] @ direction
    if lambert:
        light = np.where(problem.lit(idx, direction), light, 0.0)
    g, y, x = problem.regression(idx, light)
    resid = _weighted_fit(y, x, g, np.ones(len(y)))[1]
    # the mean, not the median: on a box, half the samples lie on three faces, and a
    # median would score only how well those fit
    return float(np.mean(np.abs(resid)))


def _fit(problem: _Problem, idx: np.ndarray) -> ShadingFit:
    """The grouped robust fit of luminance against the normal (and occlusion) over the
    samples ``idx``."""
    samples = problem.samples
    g, y, x = problem.regression(idx)
    beta, resid, within, weight, intercept = _grouped_huber(y, x, g)
    a = float(np.average(intercept[g], weights=weight))
    norm = float(np.linalg.norm(beta[:3]))
    explained = _explained(resid, within, weight)
    fit = ShadingFit(
        direction=beta[:3] / norm if norm > 0 else np.array([0.0, 1.0, 0.0]),
        strength=norm / a if a > 0 else 0.0,
        explained=explained,
        samples=len(idx),
        groups=int(g.max()) + 1,
    )
    if problem.occlusion is not None:
        # each regressor's share: what the fit loses without it
        fit.occlusion_strength = -float(beta[3]) / a if a > 0 else 0.0
        no_occlusion = _refit_residual(y, x[:, :3], g, weight)
        no_normal = _refit_residual(y, x[:, 3:], g, weight)
        fit.occlusion_explained = explained - _explained(no_occlusion, within, weight)
        fit.explained = explained - _explained(no_normal, within, weight)
    # a white light scales r, g and b alike: the chromaticity's change along the light
    # direction, per unit of normal, over the luminance's (paint graded from one hue to
    # another changes both; see ShadingFit.tint)
    # Both slopes come from the same unclipped samples: a clipped channel says nothing of
    # the hue, and luminance that stops rising at the clip while the hue is still read
    # beside it would inflate the ratio
    rgb = samples.rgb[idx]
    chroma = rgb[:, :2] / np.maximum(rgb.sum(axis=1), 1e-12)[:, None]
    unclipped = rgb.max(axis=1) < CLIPPED
    slopes = _weighted_fit(np.column_stack([y, chroma]), x, g, weight * unclipped)[0][:3]
    along = fit.direction @ slopes  # luminance, then the two chromaticities
    if norm > 0 and unclipped.any():
        fit.tint = float(np.linalg.norm(along[1:])) / max(abs(float(along[0])), 1e-12)
    residual = np.full(samples.count, np.nan)
    residual[idx] = resid
    fit.residual = residual
    return fit


def neighbour_pairs(
    samples: Samples,
    usable: np.ndarray,
    among: int = PAIR_SAMPLES,
    neighbours: float = NEIGHBOURS,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, of neighbouring usable samples among the first ``among``,
    every pair once: those closer than the radius of the disc that holds ``neighbours``
    of the ``among`` on average.

    The samples are spread uniformly over the surface, so that radius is one everywhere,
    and a fixed-radius search is three times faster than asking each sample for its
    nearest. Where the surface folds on itself (layers of triangle soup) a ball holds
    many times that; the nearest ``neighbours`` then bound the pair count instead."""
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(usable[:among])
    none = np.zeros(0, dtype=np.int64)
    if len(idx) < 2:
        return none, none
    points = samples.positions[idx]
    tree = cKDTree(points, balanced_tree=False, compact_nodes=False)  # built 2x faster
    density = min(samples.count, among) / samples.area
    radius = np.sqrt(neighbours / (np.pi * density)) if density > 0 else np.inf
    probe = points[:: max(1, len(points) // 256)]
    if np.isfinite(radius) and radius > 0:
        found = tree.query_ball_point(probe, radius, return_length=True)
        if found.mean() <= FOLDED * (neighbours + 1):
            pairs = tree.query_pairs(radius, output_type="ndarray")
            return idx[pairs[:, 0]], idx[pairs[:, 1]]
    k = min(max(int(round(neighbours)), 1), len(idx) - 1)
    _, nn = tree.query(points, k=k + 1)
    i = np.repeat(np.arange(len(idx)), k)
    j = nn[:, 1:].ravel()
    keep = (i < j) & (j < len(idx))  # len(idx): no neighbour at a finite distance
    return idx[i[keep]], idx[j[keep]]


def local_slope(samples: Samples, pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Relative luminance change per unit of normal between neighbouring samples: the
    robust slope b of ``2 (L_i - L_j) / (L_i + L_j) = b . (n_i - n_j)`` over the pairs
    whose normals differ. None with too few such pairs."""
    i, j = pairs
    dn = samples.shading_normals[i] - samples.shading_normals[j]
    lever = np.linalg.norm(dn, axis=1) > 1e-3  # pairs on one flat face say nothing
    i, j, dn = i[lever], j[lever], dn[lever]
    if len(i) < 30:
        return None
    lum = samples.luminance
    dy = 2 * (lum[i] - lum[j]) / (lum[i] + lum[j])
    w = np.ones(len(dy))
    b = np.zeros(3)
    for step in range(12):
        a = (dn * w[:, None]).T @ dn
        b = np.linalg.lstsq(a + 1e-12 * np.eye(3), (dn * w[:, None]).T @ dy, rcond=None)[0]
        r = np.abs(dy - dn @ b)
        scale = max(1.4826 * float(np.median(r)), MIN_SCALE)
        if step < 4:  # Huber first, so the redescending weights start from a sane fit
            w = np.minimum(1.0, HUBER * scale / np.maximum(r, 1e-300))
        else:
            u = r / (TUKEY * scale)
            w = np.where(u < 1, (1 - u**2) ** 2, 0.0)
        if w.sum() < 3:
            return np.zeros(3)
    return b


def split_levels(
    samples: Samples,
    group: np.ndarray,
    usable: np.ndarray,
    local: np.ndarray | None,
    pairs: tuple[np.ndarray, np.ndarray],
    across_creases: bool = False,
) -> np.ndarray:
    """Split colour groups into lightness levels where paint of one hue comes in several
    values (dark and light grey parts): a level boundary is a valley in the histogram of
    log luminance (after removing the local light estimate), and the neighbouring samples
    on either side of it must lie on smooth surface. Steps of luminance at creases, as
    between the faces of a lit box, are what a directional light does and do not split;
    ``across_creases`` splits there too, for the occlusion fit: occlusion darkens
    continuously into a crevice and makes no empty gap between two levels, so levels
    with a gap between them are paint wherever their border runs (a white body and a
    grey chassis meeting at a crease)."""
    lum = np.maximum(samples.luminance, MIN_LUMINANCE)
    shade = 1.0
    if local is not None:
        shade = 1 + np.clip(samples.shading_normals @ local, -0.8, 0.8)
    value = np.log(lum) - np.log(shade)
    i, j = pairs
    bend = np.linalg.norm(samples.shading_normals[i] - samples.shading_normals[j], axis=1)
    smooth = max(2 * float(np.median(bend)), 0.05) if len(bend) else 0.0
    jump = np.abs(value[i] - value[j])
    out = group.copy()
    next_id = int(group.max()) + 1
    for g in np.unique(group[usable]):
        rows = np.flatnonzero(usable & (group == g))
        both = (group[i] == g) & (group[j] == g)
        accepted = []
        for cut in _valleys(value[rows]):
            cross = both & ((value[i] < cut) != (value[j] < cut))
            if cross.sum() < 5 or not _step(jump[cross], jump[both & ~cross]):
                continue
            if across_creases or np.median(bend[cross]) <= smooth:
                accepted.append(cut)
        if accepted:
            level = np.searchsorted(np.array(accepted), value[rows], side="right")
            out[rows] = np.where(level == 0, g, next_id + level - 1)
            next_id += len(accepted)
    return out


def _step(across: np.ndarray, within: np.ndarray) -> bool:
    """Whether neighbours on either side of a cut differ by a step: paint of two values
    meets at an edge where luminance jumps, while light (a terminator, a broad
    penumbra, a gradient that merely passes through the cut's value) changes it
    continuously, so pairs across the cut differ no more than any other pair does."""
    if not len(within):
        return True
    return float(np.median(across)) >= max(STEP_MIN, STEP_RATIO * float(np.median(within)))


def _valleys(values: np.ndarray, width: float = 0.02, depth: float = 0.15) -> list[float]:
    """Cut points between the modes of a 1-D distribution: bins of its (smoothed)
    histogram that are the lowest within 3 bins and at most ``depth`` of the lower of the
    highest bins on either side, with at least 5% of the values on each side. Low bins
    with less than 5% of the values between them are one valley, cut at its middle."""
    if len(values) < 100:
        return []
    lo, hi = np.percentile(values, [0.5, 99.5])
    if hi - lo < 4 * width:
        return []
    edges = np.arange(lo, hi + width, width)
    hist = np.histogram(values, bins=edges)[0].astype(np.float64)
    hist = np.convolve(hist, np.ones(3) / 3, mode="same")
    below = np.cumsum(hist) / hist.sum()
    left = np.maximum.accumulate(hist)
    right = np.maximum.accumulate(hist[::-1])[::-1]
    runs: list[list[int]] = []  # [first, last] low bin of each valley
    for k in range(1, len(hist) - 1):
        if (
            hist[k] <= depth * min(left[k - 1], right[k + 1])
            and 0.05 <= below[k] <= 0.95
            and hist[k] == hist[max(0, k - 3) : k + 4].min()
        ):
            if runs and below[k] - below[runs[-1][1]] < 0.05:
                runs[-1][1] = k
            else:
                runs.append([k, k])
    return [float(edges[a] + edges[b + 1]) / 2 for a, b in runs]


def _group_mean(values: np.ndarray, g: np.ndarray, w: np.ndarray, count: int) -> np.ndarray:
    sw = np.bincount(g, w, count)
    if values.ndim == 1:
        return np.bincount(g, w * values, count) / np.maximum(sw, 1e-300)
    return np.column_stack(
        [
            np.bincount(g, w * values[:, j], count) / np.maximum(sw, 1e-300)
            for j in range(values.shape[1])
        ]
    )


def _grouped_huber(y: np.ndarray, x: np.ndarray, g: np.ndarray, iterations: int = 8):
    """Robust least squares of y on x with one intercept per group: slopes, residuals,
    within-group centred y, final weights and the intercept of each group."""
    count = g.max() + 1
    w = np.ones(len(y))
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        ym = _group_mean(y, g, w, count)
        xm = _group_mean(x, g, w, count)
        yd = y - ym[g]
        xd = x - xm[g]
        a = (xd * w[:, None]).T @ xd
        rhs = (xd * w[:, None]).T @ yd
        beta = np.linalg.lstsq(a + 1e-12 * np.eye(len(a)), rhs, rcond=None)[0]
        r = yd - xd @ beta
        # a floor on the scale: on an albedo that is mostly one flat colour the median
        # residual is 8-bit rounding, and everything that varies (a light on one part,
        # occlusion in a corner) would look like an outlier
        scale = max(1.4826 * float(np.median(np.abs(r))), FIT_SCALE)
        w = np.minimum(1.0, HUBER * scale / np.maximum(np.abs(r), 1e-300))
    ym = _group_mean(y, g, w, count)
    xm = _group_mean(x, g, w, count)
    within = y - ym[g]
    resid = within - (x - xm[g]) @ beta
    return beta, resid, within, w, ym - xm @ beta


def _weighted_fit(
    y: np.ndarray, x: np.ndarray, g: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and residual of a weighted (non-robust) fit of y (one column or several)
    on x with one intercept per group and fixed weights."""
    count = g.max() + 1
    yd = y - _group_mean(y, g, w, count)[g]
    xd = x - _group_mean(x, g, w, count)[g]
    beta = np.linalg.lstsq((xd * w[:, None]).T @ xd, (xd * w[:, None]).T @ yd, rcond=None)[0]
    return beta, yd - xd @ beta


def _refit_residual(y: np.ndarray, x: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Residual of a weighted (non-robust) fit with fixed weights: the baseline to which
    an extra regressor's gain in explained variance is compared."""
    return _weighted_fit(y, x, g, w)[1]


def _explained(resid: np.ndarray, within: np.ndarray, w: np.ndarray) -> float:
    total = float(np.sum(w * within**2))
    if total <= 1e-12 * max(len(within), 1):
        return 0.0
    return max(0.0, 1.0 - float(np.sum(w * resid**2)) / total)


@dataclass
class OcclusionFit:
    """How the albedo's luminance follows ambient occlusion (see :func:`fit_occlusion`)."""

    strength: float  # -k / a: darkening of a fully occluded point, relative to open surface
    partial: float  # share of the variance the normal leaves that occlusion explains
    darkening: float  # strength x (90th - 10th percentile of occlusion): open vs occluded
    spread: float  # standard deviation of the occlusion estimate
    samples: int
    groups: int
    terms: int  # regressors beside the group levels: the normal, further light terms, occlusion


def fit_occlusion(
    samples: Samples,
    occlusion: np.ndarray,
    grouping: Grouping | None = None,
    light: np.ndarray | None = None,
) -> OcclusionFit | None:
    """Fit the luminance of the first ``len(occlusion)`` samples against the normal and
    the occlusion, one intercept per colour group and lightness level (as
    :func:`fit_shading` groups them, ``grouping`` if given), robustly.

    The evidence is the *partial* share of variance: of the luminance variation within
    groups that the normal (a baked light) leaves unexplained, the share occlusion
    explains. A share of the total variance would let a strong baked light hide baked
    occlusion beside it. ``light``: (n, k) further terms of the light, fitted beside the
    normal. The strength is the occlusion slope over the open surface's level under the
    samples' mean light. None with fewer than 50 usable samples."""
    grouping = grouping or group_samples(samples)
    usable = grouping.usable.copy()
    usable[len(occlusion) :] = False
    idx = np.flatnonzero(usable)
    if len(idx) < 50:
        return None
    g, y = _relative_luminance(samples, grouping.group, idx)
    occ = occlusion[idx]
    terms = samples.shading_normals[idx]
    if light is not None:
        terms = np.column_stack([terms, light[idx]])
    x = np.column_stack([terms, occ])
    beta, resid, _, weight, _ = _grouped_huber(y, x, g)
    # the open surface's level (occlusion 0) under the light the samples receive on
    # average: the fitted value without the occlusion term, averaged. The intercepts
    # alone are the level where every light term is 0, which no normal has once the
    # terms are second order (3z^2 - 1 is -1 at z = 0): it may even be negative
    a = float(np.average(y - resid - beta[-1] * occ, weights=weight))
    strength = -float(beta[-1]) / a if a > 0 else 0.0
    left = float(np.sum(weight * _refit_residual(y, terms, g, weight) ** 2))
    full = float(np.sum(weight * resid**2))
    partial = max(0.0, (left - full) / left) if left > 1e-12 * len(idx) else 0.0
    lo, hi = np.percentile(occ, [10, 90])
    return OcclusionFit(
        strength=strength,
        partial=partial,
        darkening=strength * float(hi - lo),
        spread=float(np.std(occ)),
        samples=len(idx),
        groups=int(g.max()) + 1,
        terms=x.shape[1],
    )
