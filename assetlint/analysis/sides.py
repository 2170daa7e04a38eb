"""Front against back: how much detail each half has, and whether the back mirrors the front.

A generator sees the front of the object in its photo and invents the back. The invented
half is often smoother ("melted") or a mirror copy of the front. Both are judged on the
surface samples, split by the direction their normal faces along the front axis.

Detail, per sample, in units of the object's size so that the floors do not depend on
scale:

* geometric: how fast the normal turns between neighbouring samples, |n_i - n_j| over
  |p_i - p_j| (a discrete curvature, high on bumps and creases, 1/radius on a smooth ball),
  at the scale of the spacing of the first :data:`PAIR_SAMPLES` samples, about 1% of the
  object's size (pairs taken among the first :data:`GEOMETRY_SAMPLES`, closer than that);
* texture: the gradient of the *high-passed log* luminance of the base colour map, per
  metre of surface. The log makes a baked light (a factor) drop out, and the high-pass
  (minus a Gaussian blur of 1/256 of the image) keeps detail and drops smooth shading.
  It is compared only between halves of about the same texel density (within
  :data:`TEXEL_RATIO`), on open surface (occlusion below :data:`OPEN`, with rays as long as
  :data:`OPEN_RADIUS` of the object's size: a painted occlusion reaches further than the
  crevices, and its grain, the noise of a baker's rays, is fine detail that only the
  occluded side has) and, when a baked light was found, between points equally lit
  (bins of n . light), since light on bumps and contact shadows make image detail of
  their own;
* triangle density: triangles per square metre over all triangles facing each way.

Medians are compared, so a few decals or highlights on one side do not decide.

Mirror: each back sample is reflected through the plane perpendicular to the front axis at
the samples' centroid, and paired with the nearest front sample; the pair counts as
geometrically symmetric when the reflected point lies on the surface (within two sample
spacings) with a matching normal. The reflected point is projected onto the partner's
triangle for its UV, and the UVs are compared (the same texels reused: mirrored UVs, an
artist's way of saving texture space) and, over the pairs that have texels of their own,
the band-passed texture (correlation: paint copied from one side to the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetlint.analysis import memo
from assetlint.analysis.albedo import (
    LUMA,
    Samples,
    bilinear,
    image_to_linear,
    mesh_prep,
    normal_matrix,
    rasterise_uv,
    reduce_image,
    texture_pixels,
    world_areas,
    world_corners,
)
from assetlint.analysis.shading import NEIGHBOURS, PAIR_SAMPLES, neighbour_pairs
from assetlint.model import Asset

FACING = 0.3  # |n . front| from which a sample faces the front or the back
OPEN = 0.05  # occlusion (within OPEN_RADIUS) below which a sample is on open surface
OPEN_RADIUS = 0.5  # x the object's size: what counts as near enough to shade a point
DETAIL_SIZE = 512  # texture side at which detail is measured
LIGHT_BIN = 0.25  # width of the bins of n . light in which front and back are compared
PLANAR = 1e-3  # |n_i - n_j| below which a pair lies on one plane (no curvature)
PAINTED = 0.5  # share of a half's samples that must read a texture gradient at all
TEXEL_RATIO = 1.5  # texel densities (median texels per metre) of halves compared as alike
GEOMETRY_SAMPLES = 4096  # samples whose neighbour pairs give the median curvature: about
# 8,000 pairs, in half the time all PAIR_SAMPLES take; the median moves by 1% (3% at the
# 90th percentile, on benchmarks.heuristics_corpus)


def detail_images(asset: Asset, texture: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(high-passed log luminance, its gradient magnitude per texel, band-passed log
    luminance) of a texture, once per asset; None when it cannot be decoded. The band
    (features of about 4 to 16 texels at 512) is what mirrored points compare: coarse
    enough that pairs a sample spacing apart still see the same feature, fine enough
    that a baked light's smooth gradient drops out. None also for images under 2 texels a
    side."""

    def compute():
        from scipy import ndimage  # textures only: 35 ms of start-up otherwise

        pixels = texture_pixels(asset, texture)
        if pixels is None:
            return None
        log_y = np.log(reduce_image(image_to_linear(pixels[..., :3]) @ LUMA, DETAIL_SIZE) + 0.01)
        if min(log_y.shape) < 2:  # a 1-texel-wide image has no detail (and no gradient)
            return None
        sigma = max(1.0, max(log_y.shape) / 256)
        high = log_y - ndimage.gaussian_filter(log_y, sigma, mode="wrap", truncate=3.0)
        gy, gx = np.gradient(high)
        fine = ndimage.gaussian_filter(log_y, 2 * sigma, mode="wrap", truncate=3.0)
        band = fine - ndimage.gaussian_filter(fine, 4 * sigma, mode="wrap", truncate=3.0)
        return high, np.hypot(gx, gy), band

    return memo(asset, f"sides.detail.{texture}", compute)


def texture_values(asset: Asset, textures: np.ndarray, uv: np.ndarray, which: int) -> np.ndarray:
    """Bilinear lookup of detail image ``which`` (0 high-pass, 1 gradient, 2 band) of texture
    ``textures[i]`` at ``uv[i]``; NaN where the texture index is -1."""
    out = np.full(len(textures), np.nan)
    for tex in np.unique(textures[textures >= 0]):
        images = detail_images(asset, int(tex))
        sel = np.flatnonzero((textures == tex) & np.isfinite(uv).all(axis=1))
        if images is not None and len(sel):
            out[sel] = bilinear(images[which][..., None], uv[sel])[:, 0]
    return out


@dataclass
class SideDetail:
    geometry: tuple[float, float]  # median curvature x size over curved pairs, front and
    # back (NaN: too few curved pairs)
    texture: tuple[float, float]  # median texture gradient x size, front and back (NaN: none,
    # or a half mostly unpainted)
    density: tuple[float, float]  # triangles per m^2, front and back
    share: tuple[float, float]  # share of the sampled surface facing front and back


def side_detail(
    asset: Asset,
    samples: Samples,
    front: np.ndarray,
    occlusion: np.ndarray | None = None,
    light: np.ndarray | None = None,
) -> SideDetail | None:
    """Detail of the half facing ``front`` and of the half facing away. ``occlusion``
    (for the first samples) and ``light`` (a direction) restrict the texture comparison
    as the module docstring says."""
    facing = samples.normals @ front
    halves = [facing >= FACING, facing <= -FACING]
    if min(h.sum() for h in halves) < 200:
        return None
    size = samples.diagonal
    i, j = neighbour_pairs(
        samples,
        np.ones(samples.count, dtype=bool),
        GEOMETRY_SAMPLES,
        NEIGHBOURS * GEOMETRY_SAMPLES / PAIR_SAMPLES,  # the radius of PAIR_SAMPLES's spacing
    )
    dn = samples.normals[i] - samples.normals[j]
    dp = samples.positions[i] - samples.positions[j]
    bend = np.sqrt(np.einsum("ij,ij->i", dn, dn) / np.maximum(np.einsum("ij,ij->i", dp, dp), 1e-24))
    # like with like: planar pairs (a CAD part's flat base, a facet's inside) have no
    # curvature to lose, so each half's median is over its curved pairs; a half with too
    # few of them has no geometric detail to compare (NaN)
    curved = np.sqrt(np.einsum("ij,ij->i", dn, dn)) > PLANAR
    geometry = tuple(
        float(np.median(bend[h[i] & h[j] & curved])) * size
        if (h[i] & h[j] & curved).sum() >= 50
        else float("nan")
        for h in halves
    )
    gradient = texture_values(asset, samples.texture, samples.uv, 1) * samples.texels_per_metre
    usable = np.isfinite(gradient)
    if occlusion is not None:
        open_surface = np.zeros(samples.count, dtype=bool)
        open_surface[: len(occlusion)] = occlusion <= OPEN
        usable &= open_surface
    level = np.zeros(samples.count, dtype=np.int64)
    if light is not None:
        level = np.floor((samples.shading_normals @ light + 1) / LIGHT_BIN).astype(np.int64)
    weights, front_sum, back_sum = 0.0, 0.0, 0.0
    for lv in np.unique(level[usable]):
        f = gradient[halves[0] & usable & (level == lv)]
        b = gradient[halves[1] & usable & (level == lv)]
        if len(f) >= 30 and len(b) >= 30:
            w = min(len(f), len(b))
            weights += w
            front_sum += w * float(np.median(f))
            back_sum += w * float(np.median(b))
    texture = (float("nan"), float("nan"))
    # a half whose texels are mostly one flat colour (no gradient at all: a flat fill, a
    # single texel) is unpainted, not less detailed: nothing to compare
    painted = min(
        float((gradient[h & usable] > 0).mean()) if (h & usable).any() else 0.0 for h in halves
    )
    # a half painted with more texels per metre shows more of any fine detail, a photo's
    # noise included: halves whose texel densities differ are not compared (generators
    # unwrap at one density; hand-laid atlases often do not)
    density = [
        float(np.median(samples.texels_per_metre[h & usable])) if (h & usable).any() else 0.0
        for h in halves
    ]
    even = bool(np.isfinite(density).all()) and max(density) <= TEXEL_RATIO * min(density)
    if weights >= 100 and painted >= PAINTED and even:
        texture = (front_sum / weights * size, back_sum / weights * size)
    return SideDetail(
        geometry=geometry,  # type: ignore[arg-type]
        texture=texture,
        density=_density(asset, samples, front),
        share=(float(halves[0].mean()), float(halves[1].mean())),
    )


def _density(asset: Asset, samples: Samples, front: np.ndarray) -> tuple[float, float]:
    """Triangles per square metre over all triangles facing the front and the back."""
    counts = np.zeros(2)
    areas = np.zeros(2)
    for mesh_index, world in samples.instances:
        prep = mesh_prep(asset.meshes[mesh_index])
        area = world_areas(prep, world)
        nm = normal_matrix(world)
        # the world normal is nm @ cross, of length 2 x world area / |det|
        det = abs(float(np.linalg.det(world[:3, :3])))
        facing = (prep.cross @ (nm.T @ front)) * det / np.maximum(2 * area, 1e-300)
        for side, mask in enumerate((facing >= FACING, facing <= -FACING)):
            counts[side] += mask.sum()
            areas[side] += area[mask].sum()
    front_density, back_density = (
        float(c / a) if a > 0 else float("nan") for c, a in zip(counts, areas, strict=True)
    )
    return front_density, back_density


@dataclass
class Mirror:
    plane: float  # offset of the mirror plane along the front axis, m
    pairs: int  # back samples examined
    geometric: float  # share of them whose reflection lies on the surface, normal matching
    correlation: float  # of band-passed texture between matched pairs with texels of their
    # own (NaN: no texture, or too few such pairs)
    duplicated: float  # share of textured matched pairs whose UVs coincide (same texels)
    texture_spread: float  # standard deviation of the band-passed texture on the back, over
    # the pairs the correlation uses


def _reflect(samples: Samples, axis: np.ndarray):
    """The samples behind the plane perpendicular to ``axis`` through their centroid,
    reflected through it and paired with the nearest sample ahead: (plane, margin, back
    rows, reflected points, partner rows, matched mask), or None with too few samples on
    either side. A pair matches when the reflected point lies on the surface (within two
    sample spacings) with a matching normal."""
    from scipy.spatial import cKDTree  # here: scipy would double the CLI's start-up

    z = samples.positions @ axis
    plane = float(z.mean())
    margin = 0.02 * samples.diagonal
    back = np.flatnonzero(z < plane - margin)
    ahead = np.flatnonzero(z > plane - margin)
    if len(back) < 200 or len(ahead) < 200:
        return None
    reflected = samples.positions[back] - 2 * (z[back] - plane)[:, None] * axis
    normals = samples.normals[back] - 2 * (samples.normals[back] @ axis)[:, None] * axis
    tree = cKDTree(samples.positions[ahead])
    spacing = np.sqrt(samples.area / samples.count)
    dist, nearest = tree.query(reflected)
    partner = ahead[nearest]
    matched = (dist < 2 * spacing) & ((normals * samples.normals[partner]).sum(1) > 0.8)
    return plane, margin, back, reflected, partner, matched


def plane_symmetry(samples: Samples, axis: np.ndarray) -> float:
    """Share of the samples behind the plane perpendicular to ``axis`` (through the
    centroid) whose reflection lies on the surface ahead of it; 0 when too few."""
    found = _reflect(samples, axis)
    return 0.0 if found is None else float(found[5].mean())


def mirror_symmetry(asset: Asset, samples: Samples, front: np.ndarray) -> Mirror | None:
    """How well the back half repeats the front half reflected through the plane
    perpendicular to ``front``."""
    found = _reflect(samples, front)
    if found is None:
        return None
    plane, margin, back, reflected, partner, matched = found
    result = Mirror(plane, len(back), float(matched.mean()), float("nan"), 0.0, 0.0)
    own = texture_values(asset, samples.texture, samples.uv, 2)
    pairs = np.flatnonzero(matched & np.isfinite(own[back]))
    if len(pairs) < 100:
        return result
    partner_uv = _project_uv(asset, samples, partner[pairs], reflected[pairs])
    a = own[back[pairs]]
    b = texture_values(asset, samples.texture[partner[pairs]], partner_uv, 2)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 100:
        return result
    rows = back[pairs][ok]
    texels = np.array(_texture_shape(asset, samples, rows), dtype=np.float64)
    duv = np.abs(samples.uv[rows] - partner_uv[ok])
    duv = np.minimum(duv, 1 - np.mod(duv, 1.0))  # repeat wrapping
    # the same texels as the partner, or texels that some triangle ahead of the plane
    # also shows (UV islands overlapping: one texture on every face of a box)
    same = (duv * texels).max(axis=1) < 2.0
    same |= _shown_ahead(asset, samples, front, plane - margin, rows)
    result.duplicated = float(same.mean())
    # points that read texels the front shows too repeat it by construction: only pairs
    # with texels of their own say whether the paint was copied
    a, b = a[ok][~same], b[ok][~same]
    if len(a) < 100:
        return result
    result.texture_spread = float(a.std())
    if a.std() > 0 and b.std() > 0:
        result.correlation = float(np.corrcoef(a, b)[0, 1])
    return result


def _shown_ahead(
    asset: Asset, samples: Samples, front: np.ndarray, limit: float, rows: np.ndarray
) -> np.ndarray:
    """Whether each sample of ``rows`` reads a texel that a triangle lying ahead of
    ``limit`` along ``front`` (its centroid) shows in the same base colour texture."""
    out = np.zeros(len(rows), dtype=bool)
    for tex in np.unique(samples.texture[rows][samples.texture[rows] >= 0]):
        pixels = texture_pixels(asset, int(tex))
        if pixels is None:
            continue
        shape = (min(pixels.shape[0], DETAIL_SIZE), min(pixels.shape[1], DETAIL_SIZE))
        corners = [np.zeros((0, 3, 2))]
        for mesh_index, world in samples.instances:
            mesh = asset.meshes[mesh_index]
            prep = mesh_prep(mesh)
            centre = world_corners(mesh.positions, prep.triangles, world).mean(axis=1) @ front
            mats = mesh.material_indices[prep.index]
            for mat in np.unique(mats):
                known = 0 <= mat < len(asset.materials)
                slot = asset.materials[mat].textures.get("base_color") if known else None
                if slot is None or slot.texture != tex or not 0 <= slot.uv_set < len(mesh.uvs):
                    continue
                uvs = np.asarray(mesh.uvs[slot.uv_set], dtype=np.float64)
                if len(uvs) != mesh.vertex_count:
                    continue
                pick = (mats == mat) & (centre > limit)
                corners.append(uvs[prep.triangles[pick]])
        flat = np.concatenate(corners)
        mask = rasterise_uv(flat[np.isfinite(flat).all(axis=(1, 2))], shape)
        sel = np.flatnonzero(samples.texture[rows] == tex)
        uv = samples.uv[rows[sel]]
        col = (np.mod(uv[:, 0], 1.0) * shape[1]).astype(np.int64).clip(0, shape[1] - 1)
        row = (np.mod(uv[:, 1], 1.0) * shape[0]).astype(np.int64).clip(0, shape[0] - 1)
        out[sel] = mask[row, col]
    return out


def _texture_shape(asset: Asset, samples: Samples, rows: np.ndarray) -> tuple[float, float]:
    """(width, height) of the decoded texture most of ``rows`` use."""
    tex = int(np.bincount(samples.texture[rows][samples.texture[rows] >= 0]).argmax())
    shape = texture_pixels(asset, tex).shape
    return float(shape[1]), float(shape[0])


def _project_uv(asset: Asset, samples: Samples, rows: np.ndarray, points: np.ndarray) -> np.ndarray:
    """UV of each point projected on the plane of sample ``rows``' triangle (barycentric
    coordinates extrapolated beyond the triangle when needed)."""
    out = samples.uv[rows].copy()
    # the base colour UV set of each material, 0 for none; row 0 stands for material -1
    base_uv_sets = np.array(
        [0]
        + [
            m.textures["base_color"].uv_set if "base_color" in m.textures else 0
            for m in asset.materials
        ],
        dtype=np.int64,
    )
    for inst in np.unique(samples.instance[rows]):
        sel = np.flatnonzero(samples.instance[rows] == inst)
        mesh_index, world = samples.instances[inst]
        mesh = asset.meshes[mesh_index]
        uv_set = int(np.bincount(base_uv_sets[samples.material[rows[sel]] + 1]).argmax())
        if not 0 <= uv_set < len(mesh.uvs):
            continue
        tri = mesh.triangles[samples.triangle[rows[sel]]]
        corners = world_corners(mesh.positions, tri, world)
        e1 = corners[:, 1] - corners[:, 0]
        e2 = corners[:, 2] - corners[:, 0]
        d = points[sel] - corners[:, 0]
        d11 = (e1 * e1).sum(1)
        d12 = (e1 * e2).sum(1)
        d22 = (e2 * e2).sum(1)
        d1 = (d * e1).sum(1)
        d2 = (d * e2).sum(1)
        det = d11 * d22 - d12 * d12
        ok = det > 0
        v = np.where(ok, (d22 * d1 - d12 * d2) / np.where(ok, det, 1), 0)
        w = np.where(ok, (d11 * d2 - d12 * d1) / np.where(ok, det, 1), 0)
        bary = np.column_stack([1 - v - w, v, w])
        uvc = mesh.uvs[uv_set][tri].astype(np.float64)
        out[sel] = np.einsum("nk,nkj->nj", bary, uvc)
    return out
