"""Image-to-3D heuristics (H): what a generator that turns a photo into a mesh leaves behind.

The photo's light painted into the colour map, occlusion and highlights with it, albedo
outside the physically plausible range, materials that glow instead of reflecting, several
materials fused into one, and a back side invented smoother than the front or mirrored
from it. These are heuristics: each finding states what was measured and the threshold it
crossed, and each threshold is a parameter.

The evidence comes from :mod:`assetlint.analysis`: the albedo sampled uniformly over the
surface (:mod:`~assetlint.analysis.albedo`), a regression of its luminance on the normal
and on ambient occlusion (:mod:`~assetlint.analysis.shading`,
:mod:`~assetlint.analysis.occlusion`), blob detection in UV space
(:mod:`~assetlint.analysis.highlights`), clustering (:mod:`~assetlint.analysis.regions`)
and front/back comparisons (:mod:`~assetlint.analysis.sides`). All of it is computed once
per asset and shared by the rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import numpy as np

from assetlint.analysis import memo
from assetlint.analysis.albedo import (
    DESIGNED,
    LUMA,
    Samples,
    decode_texture,
    designed_samples,
    linear_to_srgb,
    palette_share,
    surface_samples,
    texture_coverage,
    texture_pixels,
)
from assetlint.analysis.highlights import (
    CONTRAST,
    SATURATION,
    SHARPNESS,
    SOFTNESS,
    WHITENESS,
    Blob,
    BlobMap,
    analysed_shape,
    find_blobs,
    find_vertex_blobs,
    vertex_palette_share,
)
from assetlint.analysis.occlusion import irradiance_terms, occluder, shared_occlusion
from assetlint.analysis.regions import material_parts, vertex_grain
from assetlint.analysis.shading import (
    Grouping,
    OcclusionFit,
    ShadingFit,
    fit_occlusion,
    fit_shading,
    group_samples,
)
from assetlint.analysis.sides import (
    OPEN_RADIUS,
    mirror_symmetry,
    plane_symmetry,
    side_detail,
    texture_values,
)
from assetlint.findings import Finding
from assetlint.geometry.topology import topology
from assetlint.model import Asset, axis_vector
from assetlint.plugins import hookimpl
from assetlint.rules import (
    ABOVE_ZERO,
    AT_LEAST_ZERO,
    SHARE,
    Range,
    RuleContext,
    RuleGroup,
    iter_meshes,
)

group = RuleGroup(family="heuristics", stage="mesh inspection")
BYTE = Range(0.0, 255.0)  # an sRGB level

OCCLUSION_SAMPLES = 4096  # samples that get occlusion rays (a prefix of the i.i.d. samples)
OCCLUSION_RADIUS = 0.2  # rays count as blocked within this fraction of the object's size
OCCLUSION_RAYS = 16
OCCLUSION_FIT_RAYS = 64  # H002's own estimate: subtle occlusion needs more rays
# H002's fit takes this many samples (its own cast): the occlusion slope's standard error
# falls as 1/sqrt(n), so a real darkening stands further from the gate the more samples
# (the TRELLIS ornament: 4.0 to 7.3 standard errors over 8 draws of 4096, 7.7 to 10.6 of
# 16384), where a share of variance explained stays where it is and flips with the draw
OCCLUSION_FIT_SAMPLES = 16384
# H002 judges the darkening at the occlusion of the most occluded share of the surface:
# a crevice on 1% of it, plainly darker, is what a viewer sees (a scan's folds, a stem)
OCCLUSION_TAIL = 0.01
# A baked light must also show between neighbouring samples (see analysis.shading): a local
# slope of at least LOCAL_MIN, within LOCAL_ANGLE degrees of the global direction.
LOCAL_MIN = 0.03  # chosen on the Cycles tuning split (clean albedos: 0.012 at most)
LOCAL_ANGLE = 45.0
# A white light scales r, g and b alike; paint graded from one hue into another along the
# light direction (a stylised slime, pink below and teal above) changes chromaticity as
# it changes luminance. TINT_MAX bounds the chromaticity change per relative luminance
# change (ShadingFit.tint) a light may bring: a warm key over a cool sky tints a little.
TINT_MAX = 0.8  # above every lit case of the Cycles tuning split (0.74: clipped highlights)
UNSHADE_MIN = 0.1  # light or occlusion strength from which H006 divides it out


@hookimpl
def assetlint_rules():
    return group.rules


def _samples(asset: Asset) -> Samples | None:
    return surface_samples(asset)


def blob_map(asset: Asset, texture: int) -> BlobMap | None:
    """:func:`~assetlint.analysis.highlights.find_blobs` of a texture, once per asset."""

    def compute():
        pixels = texture_pixels(asset, texture)
        if pixels is None:
            return None
        return find_blobs(pixels, texture_coverage(asset, texture, analysed_shape(pixels.shape)))

    return memo(asset, f"heuristics.blobs.{texture}", compute)


def sample_occlusion(asset: Asset, samples: Samples, radius: float, rays: int) -> np.ndarray | None:
    """Occlusion at the first OCCLUSION_SAMPLES samples (a uniform sample themselves),
    ``rays`` rays reaching ``radius`` times the object's size."""
    n = min(OCCLUSION_SAMPLES, samples.count)
    reach = radius * samples.diagonal
    return shared_occlusion(asset, samples, n, reach, rays)


def highlight_mask(asset: Asset, samples: Samples) -> np.ndarray:
    """Samples inside a painted highlight (by the default H003 criteria): a highlight
    says nothing about how a diffuse light shades, so the fits leave them out, nor what
    material a surface is (H006); once per asset."""

    def compute() -> np.ndarray:
        mask = np.zeros(samples.count, dtype=bool)
        for tex in np.unique(samples.texture[samples.texture >= 0]):
            found = blob_map(asset, int(tex))
            if found is None:
                continue
            image = found.mask([b for b in found.blobs if b.is_highlight()])
            if not image.any():
                continue
            rows = np.flatnonzero(samples.texture == tex)
            h, w = image.shape
            col = (np.mod(samples.uv[rows, 0], 1.0) * w).astype(np.int64).clip(0, w - 1)
            row = (np.mod(samples.uv[rows, 1], 1.0) * h).astype(np.int64).clip(0, h - 1)
            mask[rows] = image[row, col]
        return mask

    return memo(asset, "heuristics.highlights", compute)


def grouping(asset: Asset, samples: Samples) -> Grouping:
    """The samples' grouping for the light fit, painted highlights and designed albedo
    (:func:`excluded`) left out; once per asset."""
    return memo(
        asset, "heuristics.grouping", lambda: group_samples(samples, excluded(asset, samples))
    )


def excluded(asset: Asset, samples: Samples) -> np.ndarray:
    """Samples the light and occlusion fits leave out: those in a painted highlight
    (:func:`highlight_mask`) and those whose albedo is designed
    (:func:`~assetlint.analysis.albedo.designed_samples`): flat fills of a few exact
    colours, hand-painted art whose light and shade are painted on purpose (a stylised
    truck's shaded chassis), not a photo's; once per asset."""
    return memo(
        asset,
        "heuristics.excluded",
        lambda: highlight_mask(asset, samples) | designed_samples(asset, samples),
    )


def shading(asset: Asset) -> tuple[ShadingFit, np.ndarray | None] | None:
    """The luminance fit against the normal and, on the first OCCLUSION_SAMPLES samples,
    ambient occlusion (the occlusion values come with it; None when no rays could be
    cast), highlights left out; once per asset."""

    def compute():
        samples = _samples(asset)
        if samples is None or samples.uniform:
            return None
        occ = sample_occlusion(asset, samples, OCCLUSION_RADIUS, OCCLUSION_RAYS)
        full = None
        if occ is not None and np.std(occ) > 0:
            full = np.full(samples.count, np.nan)
            full[: len(occ)] = occ
        fit = fit_shading(
            samples,
            occlusion=full,
            grouping=grouping(asset, samples),
            visible=light_visibility(asset, samples),
        )
        return None if fit is None else (fit, occ)

    return memo(asset, "heuristics.shading", compute)


def light_visibility(asset: Asset, samples: Samples) -> Callable[[np.ndarray], np.ndarray]:
    """For a light direction: which samples see it (one shadow ray each, cast for the
    first OCCLUSION_SAMPLES, those the light fit uses; True where not cast): a key light
    leaves parts of the surface that face it in the shadow of others (inside a bowl or
    a tube, under a truck's cab), and there Lambert's law holds only with that
    visibility."""
    n = min(OCCLUSION_SAMPLES, samples.count)
    occ = occluder(asset)

    def visible(direction: np.ndarray) -> np.ndarray:
        out = np.ones(samples.count, dtype=bool)
        if occ is None or not n:
            return out
        offset = max(occ.cell, 1e-4 * occ.scale)
        origins = (samples.positions[:n] + samples.normals[:n] * offset - occ.centre) / occ.scale
        dirs = np.broadcast_to(np.asarray(direction, dtype=np.float32), (n, 3))
        hit = np.asarray(
            occ.scene.run(  # type: ignore[attr-defined]
                origins.astype(np.float32),
                np.ascontiguousarray(dirs),
                dists=np.full(n, 4.0, dtype=np.float32),  # the scene spans 1 here
                query="OCCLUDED",
            )
        )
        out[:n] = hit == -1
        return out

    return visible


def light_fit(asset: Asset) -> ShadingFit | None:
    """The fit H001 judges."""
    result = shading(asset)
    return None if result is None else result[0]


def light_confirmed(fit: ShadingFit, strength: float) -> bool:
    """Whether the fit shows a light of at least ``strength`` that also shows locally."""
    return (
        fit.strength >= strength
        and fit.local_strength >= LOCAL_MIN
        and fit.local_angle <= LOCAL_ANGLE
        and fit.tint <= TINT_MAX
    )


def occlusion_mapped(asset: Asset, samples: Samples) -> np.ndarray:
    """bool (n,): samples whose material has an occlusion map (glTF occlusionTexture):
    their author separated occlusion from colour, so darkening in such an albedo where
    the surface is occluded is not taken for baked occlusion (see H002)."""
    mapped = [False] + ["occlusion" in m.textures for m in asset.materials]
    return np.array(mapped, dtype=bool)[samples.material + 1]


def unshaded_albedo(asset: Asset, samples: Samples) -> tuple[np.ndarray, np.ndarray]:
    """The sampled albedo with the baked light and occlusion that the fit found divided
    out (only what is clearly there), and the mask of samples it is known for (the
    occlusion is only known on the first OCCLUSION_SAMPLES)."""
    known = np.ones(samples.count, dtype=bool)
    result = shading(asset)
    if result is None:
        return samples.rgb, known
    fit, occ = result
    factor = np.ones(samples.count)
    if light_confirmed(fit, UNSHADE_MIN):
        factor += fit.strength * (samples.shading_normals @ fit.direction)
    if (
        occ is not None
        and fit.occlusion_strength >= UNSHADE_MIN
        and fit.occlusion_explained >= 0.02
    ):
        known[len(occ) :] = False
        own = ~occlusion_mapped(asset, samples)[: len(occ)]
        factor[: len(occ)] -= np.where(own, fit.occlusion_strength * occ, 0.0)
    return samples.rgb / np.clip(factor, 0.25, 4.0)[:, None], known


def describe_direction(direction: np.ndarray) -> str:
    """'upper left front' for a direction in the canonical frame (+Y up, +Z front, +X to
    the right of a viewer facing the front)."""
    x, y, z = direction
    words = []
    for value, pos, neg in ((y, "upper", "lower"), (x, "right", "left"), (z, "front", "back")):
        if abs(value) >= 0.38:
            words.append(pos if value > 0 else neg)
    return " ".join(words)


def _vector(v: np.ndarray) -> str:
    return " ".join(f"{c:+.2f}" for c in v)


@group.rule(
    "H001",
    "baked-light",
    severity="warning",
    mark="light",
    summary="directional light painted into the albedo: brightness follows the surface normal",
    fix="Re-generate or de-light the texture (a de-lighting tool, or repaint the shaded "
    "side); the engine will light the asset itself.",
    params={"strength": 0.1, "explained": 0.2},
    ranges={"strength": AT_LEAST_ZERO, "explained": SHARE},
)
def baked_light(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """An albedo is the colour of the material, without light. Image-to-3D generators
    project the reference photo onto the mesh, so the photo's key light ends up in the
    colour map: the side that faced the lamp is brighter, and under the engine's own
    lights the asset looks lit twice, from a direction that is wrong as soon as it
    moves. The rule fits the luminance of the albedo sampled over the surface against
    the surface normal (one intercept per material and colour, robust, area weighted):
    strength is the relative brightness change per unit of normal, and the share of
    variance explained tells a real light from a coincidence of colour regions. A key
    light brightens only the side that faces it (Lambert's max(0, n . d)), so the fit is
    redone on that side, where luminance follows the normal linearly; the side turned
    away, lit by the sky and bounce light alone, and the cast shadows a shadow ray finds
    (the inside of a bowl, the far wall of a tube) would otherwise pass for the rule.
    The same light must also show locally, between neighbouring points of one colour (a
    light shades smoothly; regions of dark and light paint change in steps), in about
    the same direction, and it must leave the hue alone (a white light scales r, g and b
    alike; hand-painted art graded from one hue into another does not)."""
    fit = light_fit(asset)
    if fit is None:
        return
    limit, min_explained = ctx.params["strength"], ctx.params["explained"]
    if light_confirmed(fit, limit) and fit.explained >= min_explained:
        where = describe_direction(fit.direction)
        finding = ctx.finding(
            f"light baked into the albedo from the {where} (direction {_vector(fit.direction)}"
            f"), strength {fit.strength:.2f} (limit {limit:.2f}), explains "
            f"{fit.explained:.0%} of the luminance variance within colours (limit "
            f"{min_explained:.0%})",
            subject_type="scene",
            value=fit.strength,
            limit=limit,
        )
        finding.direction = [float(c) for c in fit.direction]
        yield finding


@group.rule(
    "H002",
    "baked-occlusion",
    severity="warning",
    summary="ambient occlusion or contact shadows painted into the albedo",
    fix="Remove the occlusion from the colour map (keep it in an occlusion map, glTF's "
    "occlusionTexture, if wanted).",
    params={"darkening": 0.06, "significance": 3.0, "spread": 0.01},
    ranges={"darkening": AT_LEAST_ZERO, "significance": AT_LEAST_ZERO, "spread": AT_LEAST_ZERO},
)
def baked_occlusion(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Occlusion belongs in an occlusion map that the renderer applies to ambient light
    only; painted into the albedo it darkens crevices twice and under every light. The
    rule estimates ambient occlusion at surface samples by casting rays (Embree, more
    rays per sample than the shared fit, as occlusion in the small crevices of a scan is
    subtle and a few rays drown it) within a radius that is a fraction of the object's
    size, and fits the albedo luminance against it together with the light: the normal
    and its second-order spherical harmonics, which describe the irradiance of any
    distant light to within a few percent whatever its model (Lambert's clamp, a fill
    from the other side, an area light's soft fall-off, the sky), so a light that no
    linear term in the normal describes is not mistaken for occlusion. It needs the
    surface to have occluded areas at all (the spread of the occlusion estimate) and
    the occlusion slope to stand several standard errors from none (the darkening is
    there), then judges the darkening that shows (it is large enough to see): how much
    darker than open surface the fit makes the albedo at the occlusion that only the
    most occluded 1% of the surface reaches. The slope alone (how much
    darker a fully occluded point would be) is no evidence: on a nearly convex mesh whose
    samples are barely occluded it is extrapolated from noise. The threshold was chosen
    on two tuning sets: meshes baked with Blender's Cycles, labelled by the sky's own
    occlusion in a bake lit by the sky alone (negatives at most 0.034, positives at
    least 0.085), and the code-generated corpus (seed 0: negatives at most 0.051; the
    positives below it are helmets whose painted occlusion is itself 4-6% darker).

    Paint of one hue in several values (a white body and a grey chassis) is split into
    levels wherever an empty gap separates them, creases included: occlusion darkens
    continuously into a crevice and leaves no such gap. And a material that ships its
    occlusion in an occlusion map (glTF occlusionTexture) is left out: its author
    separated occlusion from colour, as the renderer needs, and darkening left in such
    an albedo is grime painted where grime gathers (the Damaged Helmet), which the map
    does not double; generators do not write occlusion maps.

    The presence gate is the slope against its standard error, not the share of the
    variance occlusion explains: that share is diluted by any variation unrelated to
    occlusion (a photo's detail, paint), so a clear darkening on a busy texture sat at
    any fixed share and crossed it from one draw of the samples to the next (the TRELLIS
    ornament: 0.5% to 1.4% around a 1% limit), while the slope's distance from none in
    standard errors grows with the samples. On the Cycles tuning split every positive
    stands at least 15 standard errors out (16384 samples, 4 draws of them) and no
    negative reaches the darkening limit, so the gate is set by statistics, not by a
    case: 3 standard errors. (The nominal error is optimistic, as the residuals of
    neighbouring samples are not independent: on Meshy's character the reading moved
    between 3.3 and 8.1 over 8 draws, where the nominal spread is 1.)"""
    fit = occlusion_fit(asset)
    if fit is None or fit.spread < ctx.params["spread"]:
        return
    limit, gate = ctx.params["darkening"], ctx.params["significance"]
    darkening = occlusion_darkening(asset)
    significance = occlusion_significance(fit)
    if darkening is not None and darkening >= limit and significance >= gate:
        yield ctx.finding(
            f"albedo darkens where the surface is occluded: {darkening:.0%} darker than "
            f"open surface on the most occluded {OCCLUSION_TAIL:.0%} of it (limit "
            f"{limit:.0%}); the occlusion slope is {significance:.1f} standard errors "
            f"from none (limit {gate:.1f}; it explains {fit.partial:.1%} of the luminance "
            "variance the light leaves)",
            subject_type="scene",
            value=darkening,
            limit=limit,
        )


def occlusion_fit(asset: Asset) -> OcclusionFit | None:
    """H002's evidence: :data:`OCCLUSION_FIT_RAYS` rays at each of the first
    :data:`OCCLUSION_FIT_SAMPLES` samples, and the luminance fitted against it, over the
    samples whose material has no occlusion map, in colour groups split into lightness levels
    wherever there is a gap between them (creases included), the light fitted as the
    normal and its second-order terms
    (:func:`~assetlint.analysis.occlusion.irradiance_terms`); once per asset."""

    def compute():
        samples = _samples(asset)
        if samples is None or samples.uniform:
            return None
        mapped = occlusion_mapped(asset, samples)
        if mapped.all():
            return None
        levels = group_samples(samples, excluded(asset, samples) | mapped, across_creases=True)
        # no rays where the fit would have too few samples anyway (a designed albedo)
        if np.count_nonzero(levels.usable[:OCCLUSION_FIT_SAMPLES]) < 50:
            return None
        occ = fit_occlusion_rays(asset, samples)
        if occ is None or np.std(occ) == 0:
            return None
        light = irradiance_terms(samples.shading_normals)
        return fit_occlusion(samples, occ, grouping=levels, light=light)

    return memo(asset, "heuristics.occlusion_fit", compute)


def occlusion_darkening(asset: Asset) -> float | None:
    """H002's evidence: the relative darkening :func:`occlusion_fit` finds per unit of
    occlusion times the occlusion that only the most occluded :data:`OCCLUSION_TAIL` of
    the fitted surface reaches (its samples without an occlusion map); None without a
    fit."""

    def compute():
        fit = occlusion_fit(asset)
        samples = _samples(asset)
        if fit is None or samples is None:
            return None
        occ = fit_occlusion_rays(asset, samples)
        if occ is None:
            return None
        own = ~occlusion_mapped(asset, samples)[: len(occ)]
        return fit.strength * float(np.quantile(occ[own], 1 - OCCLUSION_TAIL))

    return memo(asset, "heuristics.occlusion_darkening", compute)


def fit_occlusion_rays(asset: Asset, samples: Samples) -> np.ndarray | None:
    """H002's occlusion: :data:`OCCLUSION_FIT_RAYS` rays within OCCLUSION_RADIUS of the
    object's size at the first :data:`OCCLUSION_FIT_SAMPLES` samples (a cast of its own)."""
    n = min(OCCLUSION_FIT_SAMPLES, samples.count)
    reach = OCCLUSION_RADIUS * samples.diagonal
    return shared_occlusion(asset, samples, n, reach, OCCLUSION_FIT_RAYS)


def occlusion_significance(fit: OcclusionFit) -> float:
    """H002's evidence: how many standard errors the occlusion slope stands from 0, from
    the partial share of variance it explains: a (weighted) least-squares fit's t
    statistic squared is partial / (1 - partial) times the residual degrees of freedom
    (the F test of one added regressor)."""
    free = max(fit.samples - fit.groups - fit.terms, 1)
    return float(np.sqrt(fit.partial / max(1.0 - fit.partial, 1e-12) * free))


@group.rule(
    "H003",
    "painted-highlight",
    severity="warning",
    mark="highlight",
    summary="specular highlights painted into the albedo: soft, near-white, compact blobs",
    fix="Paint the highlights out of the colour map; give the material a lower roughness "
    "instead if it is meant to be shiny.",
    params={
        "whiteness": WHITENESS,
        "saturation": SATURATION,
        "softness": SOFTNESS,
        "contrast": CONTRAST,
        "sharpness": SHARPNESS,
    },
    ranges={
        "whiteness": SHARE,
        "saturation": SHARE,
        "softness": SHARE,
        "contrast": AT_LEAST_ZERO,
        "sharpness": SHARE,
    },
)
def painted_highlight(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A specular highlight in the photo is the light source reflected by a shiny
    surface; painted into the albedo it stays put when the object or the camera moves and
    looks like a white stain. The rule looks in each base colour texture (at 512 texels)
    for blobs that move the colour towards white (whiteness: how far from the surrounding
    colour to white), with low saturation, brighter than their surroundings and with the
    soft fall-off of a reflection rather than the hard edge of a decal (a gradual
    outline: sharpness, the whiteness step per texel where the blob falls to 30% of its
    peak, relative to the peak), so that a white decal, a bright material's patch or a
    face lit by a baked light is not taken for one. Colour carried in vertex colours
    (TripoSR, Hunyuan3D-1, InstantMesh) is judged the same way over the surface: the
    neighbourhood is the mesh's edges and a texel is the side of a 512-texel map the
    surface would fill, so a highlight is found whether or not it was baked."""
    p = ctx.params
    yield from _vertex_highlights(asset, ctx)
    samples = _samples(asset)
    if samples is None:
        return
    for tex in np.unique(samples.texture[samples.texture >= 0]):
        if palette_share(asset, int(tex)) >= DESIGNED:
            continue  # designed art: its highlights are painted on purpose
        pixels = texture_pixels(asset, int(tex))
        blob_found = blob_map(asset, int(tex))
        if pixels is None or blob_found is None:
            continue
        rows = np.flatnonzero(samples.texture == tex)
        found = [
            b
            for b in blob_found.blobs
            if b.is_highlight(**_highlight_limits(p))
            and _near_surface(samples, rows, b.uv, pixels.shape)
        ]
        if not found:
            continue
        best = found[0]
        at = _nearest_sample(samples, rows, best.uv)
        name = asset.textures[int(tex)].name or f"texture #{int(tex)}"
        yield ctx.finding(
            _highlight_message(
                len(found),
                best,
                f"'{name}'",
                p["whiteness"],
                f"{best.share:.1%} of the texture, at uv ({best.uv[0]:.2f}, {best.uv[1]:.2f})",
            ),
            subject=name,
            subject_type="texture",
            count=len(found),
            value=best.peak,
            limit=p["whiteness"],
            sample={"uv": [list(b.uv) for b in found]},  # the HTML report rings them
            location=_local_position(asset, samples, at),
        )


def _highlight_limits(params: dict) -> dict[str, float]:
    """H003's limits from its parameters, as :meth:`Blob.is_highlight` takes them: the same
    for texture and vertex-colour blobs."""
    return {k: params[k] for k in ("whiteness", "saturation", "softness", "contrast", "sharpness")}


def _highlight_message(count: int, best: Blob, into: str, whiteness: float, where: str) -> str:
    """H003's message, the same for a texture and for vertex colours but for where."""
    return (
        f"{count} highlight-like blob{'s' if count > 1 else ''} painted into {into}: the "
        f"strongest is {best.peak:.0%} of the way to white (limit {whiteness:.0%}), "
        f"saturation {best.saturation:.2f}, {best.contrast:.1f}x its surroundings, "
        f"soft-edged ({best.softness:.2f}), {where}"
    )


def _vertex_highlights(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """H003 on each mesh's vertex colours: the blobs of
    :func:`~assetlint.analysis.highlights.find_vertex_blobs`, judged by the rule's limits,
    located at the brightest vertex (mesh frame, as on a texture)."""
    p = ctx.params
    for index, mesh, label in iter_meshes(asset):
        if mesh.colors is None or len(mesh.colors) != mesh.vertex_count:
            continue
        if vertex_palette_share(mesh.colors) >= DESIGNED:
            continue  # designed art: flat colours, its highlights painted on purpose

        def compute(mesh=mesh):
            return find_vertex_blobs(topology(mesh), mesh.colors)

        found = [
            (b, at)
            for b, at in memo(asset, f"heuristics.vertex_blobs.{index}", compute)
            if b.is_highlight(**_highlight_limits(p))
        ]
        if not found:
            continue
        best, at = found[0]
        where = [float(v) for v in mesh.positions[at]]
        yield ctx.finding(
            _highlight_message(
                len(found),
                best,
                "its vertex colours",
                p["whiteness"],
                f"{best.share:.2%} of the surface, at ({where[0]:.3g}, {where[1]:.3g}, "
                f"{where[2]:.3g})",
            ),
            subject=label,
            subject_type="mesh",
            count=len(found),
            value=best.peak,
            limit=p["whiteness"],
            location=where,
        )


def _nearest_sample(samples: Samples, rows: np.ndarray, uv: tuple[float, float]) -> int:
    d = np.abs(samples.uv[rows] - np.asarray(uv))
    d = np.minimum(d, 1 - np.mod(d, 1.0))
    return int(rows[np.nanargmin((d**2).sum(1))])


def _near_surface(samples: Samples, rows: np.ndarray, uv: tuple, shape: tuple) -> bool:
    """Whether a texture position is used by the surface (a sample within a few texels),
    so atlas padding and unused islands are ignored."""
    d = np.abs(samples.uv[rows] - np.asarray(uv))
    d = np.minimum(d, 1 - np.mod(d, 1.0)) * np.array([shape[1], shape[0]])
    reach = 4 * max(1.0, np.sqrt(shape[0] * shape[1] / max(len(rows), 1)))
    return bool(np.nanmin(np.hypot(d[:, 0], d[:, 1])) <= reach)


def _local_position(asset: Asset, samples: Samples, row: int) -> list[float]:
    mesh = asset.meshes[samples.mesh[row]]
    corners = mesh.positions[mesh.triangles[samples.triangle[row]]].astype(np.float64)
    return [float(v) for v in samples.bary[row] @ corners]


# Allegorithmic (Adobe Substance) "The PBR Guide", part 2: a dielectric albedo should
# stay between about sRGB 30-50 (charcoal, the darkest natural material) and sRGB 240
# (fresh snow); a metal's base colour is its specular reflectance, 70-100% (sRGB 180-255).
TAIL = 15  # sRGB levels either side of a limit over which a tail must run continuously


def _continuous(level: np.ndarray, limit: float, below: bool) -> bool:
    """Whether the values beyond ``limit`` (below it, or above) run on continuously into
    the range: at least half as many within :data:`TAIL` levels inside as within TAIL
    levels outside. A paint of its own beyond the limit (a black rubber, a white decal)
    leaves a gap; a paint pushed out by light, shadow or clipping does not."""
    if below:
        outside = ((level >= limit - TAIL) & (level < limit)).sum()
        inside = ((level >= limit) & (level < limit + TAIL)).sum()
    else:
        outside = ((level > limit) & (level <= limit + TAIL)).sum()
        inside = ((level <= limit) & (level > limit - TAIL)).sum()
    return bool(inside >= 0.5 * outside)


@group.rule(
    "H004",
    "albedo-out-of-range",
    severity="warning",
    targets=("game", "web"),
    summary="albedo darker or brighter than physically based materials can be",
    fix="Bring the colour map into range (non-metals sRGB 30-240, metals 180-255): lift "
    "blacks that hold baked shadow, lower blown-out whites; set metallic to 0 for a "
    "photographed non-metal.",
    params={"dark": 30, "bright": 240, "metal_dark": 180, "share": 0.05},
    ranges={"dark": BYTE, "bright": BYTE, "metal_dark": BYTE, "share": SHARE},
)
def albedo_out_of_range(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Physically based shading assumes the albedo is a reflectance: nothing in nature
    is darker than charcoal (about sRGB 30-50) or brighter than fresh snow (about sRGB
    240) for non-metals, and metals reflect 70-100% (sRGB 180-255). A photo's exposure
    does not respect that: its shadow side sinks to black and its lit side clips to
    white, and a generator projects the photo into the albedo. The rule measures, per
    material, the share of the surface whose albedo luminance (sRGB-encoded) is out of
    range *where the light or occlusion found baked in (H001, H002) pushes it that way*
    and that runs on continuously into the range (the tail of a colour pushed out by the
    photo's light, not a colour of its own).

    What it leaves alone is deliberate: a colour of its own beyond a limit, with a gap
    before the range (a black tyre, a white decal, the black coat of a clear-coat
    sample); designed albedo (a constant factor, or flat fills of a few exact colours:
    see :func:`~assetlint.analysis.albedo.designed_samples`), where pure white and black
    are an artist's choice; dark or bright colour with no light or occlusion found
    painted over it (a scan's dark ground, a helmet's black rubber); and metal judged by
    a metallic-roughness map, which an author paints texel by texel (a worn helmet's
    darker metal). Metal is judged where metallic comes from the factor alone: a
    photographed object at metallic 1 (glTF's default, left in place) renders its whole
    albedo as dark metal."""
    samples = _samples(asset)
    if samples is None:
        return
    p = ctx.params
    level = linear_to_srgb(samples.luminance) * 255
    photo = ~designed_samples(asset, samples)
    # the baked light and occlusion found (H001, H002): >1 where they brighten, <1 where
    # they darken, 1 where none was found
    unshaded, known = unshaded_albedo(asset, samples)
    with np.errstate(invalid="ignore", divide="ignore"):
        shade = np.nan_to_num(samples.luminance / (unshaded @ LUMA), nan=1.0, posinf=1.0)
    for mat in np.unique(samples.material[(samples.material >= 0) & photo]):
        rows = photo & (samples.material == mat)
        total = rows.sum()
        metal = rows & (samples.metallic >= 0.5)
        plain = rows & ~metal
        dark = plain & known & (level < p["dark"]) & (shade < 1)
        bright = plain & known & (level > p["bright"]) & (shade > 1)
        if not _continuous(level[plain], p["dark"], below=True):
            dark[:] = False
        if not _continuous(level[plain], p["bright"], below=False):
            bright[:] = False
        dull = metal & ~samples.has_mr_map & (level < p["metal_dark"])
        seen = max(int((rows & known).sum()), 1)  # where the shading is known
        share = (dark.sum() + bright.sum()) / seen + dull.sum() / total
        if share <= p["share"]:
            continue
        name = asset.materials[int(mat)].name or f"material #{int(mat)}"
        parts = []
        if plain.any():
            parts.append(
                f"{dark.sum() / seen:.0%} darker than sRGB {p['dark']} where shaded, "
                f"{bright.sum() / seen:.0%} brighter than {p['bright']} where lit (non-metal)"
            )
        if dull.any():
            parts.append(
                f"{dull.sum() / total:.0%} metal (metallic factor "
                f"{asset.materials[int(mat)].metallic_factor:.2f}, no map) darker than "
                f"sRGB {p['metal_dark']}"
            )
        yield ctx.finding(
            f"{share:.0%} of the surface of '{name}' has albedo pushed outside the PBR "
            f"range: {'; '.join(parts)} (limit {p['share']:.0%})",
            subject=name,
            subject_type="material",
            value=share,
            limit=p["share"],
        )


@group.rule(
    "H005",
    "unlit-albedo",
    severity="warning",
    targets=("game", "web"),
    summary="unlit material, or an emissive map that is the base colour map",
    fix="Use a lit (metallic-roughness) material with the colour map as base colour only; "
    "keep emission for parts that really glow.",
    params={"difference": 0.03},
    ranges={"difference": AT_LEAST_ZERO},
)
def unlit_albedo(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A generator that cannot separate light from colour sometimes ships its texture as
    an unlit material (KHR_materials_unlit) or plugs the colour map into the emissive
    slot as well, so the object shows the photo's lighting whatever the scene does and
    glows in the dark. The rule reports unlit materials, and emissive maps that are the
    base colour map: the same texture, the same bytes, or the same pixels (mean
    difference below the limit on thumbnails) while the emissive factor is not zero."""
    limit = ctx.params["difference"]
    for index, mat in enumerate(asset.materials):
        name = mat.name or f"material #{index}"
        if mat.unlit:  # loaders set it for every unlit shading model they read
            yield ctx.finding(
                f"material '{name}' is unlit: it shows its colours "
                "as they are, with the light baked in, and ignores the scene's lights",
                subject=name,
                subject_type="material",
            )
            continue
        base = mat.textures.get("base_color")
        emissive = mat.textures.get("emissive")
        factor = float(np.max(np.asarray(mat.emissive_factor, dtype=np.float64), initial=0.0))
        if base is None or emissive is None or factor <= 0:
            continue
        how, diff = _same_image(asset, base.texture, emissive.texture)
        if diff is not None and diff <= limit:
            yield ctx.finding(
                f"material '{name}' uses its base colour map as emissive map ({how}, mean "
                f"difference {diff:.3f}, limit {limit:.3f}), emissive factor {factor:.2f}: "
                "the albedo glows and ignores the scene's lights",
                subject=name,
                subject_type="material",
                value=diff,
                limit=limit,
            )


def _same_image(asset: Asset, a: int, b: int) -> tuple[str, float | None]:
    """How two textures compare: ('same texture' | 'same bytes' | 'same pixels', mean
    absolute RGB difference of 64x64 thumbnails) or (.., None) when unreadable."""
    if a == b:
        return "same texture", 0.0
    texs = asset.textures
    if not (0 <= a < len(texs) and 0 <= b < len(texs)):
        return "", None
    try:
        if hashlib.sha1(texs[a].data()).digest() == hashlib.sha1(texs[b].data()).digest():
            return "same bytes", 0.0
    except Exception:  # noqa: BLE001 - unreadable texture: the T rules report it
        return "", None
    thumbs = [
        memo(asset, f"heuristics.thumb.{i}", lambda i=i: decode_texture(texs[i], 64))
        for i in (a, b)
    ]
    if thumbs[0] is None or thumbs[1] is None:
        return "", None
    x, y = (_thumbnail(t) for t in thumbs)
    return "same pixels", float(np.abs(x - y).mean())


def _thumbnail(pixels: np.ndarray, size: int = 32) -> np.ndarray:
    """Resample to size x size RGB by nearest texel, so differently sized copies compare."""
    h, w = pixels.shape[:2]
    rows = (np.arange(size) + 0.5) * h / size
    cols = (np.arange(size) + 0.5) * w / size
    return pixels[rows.astype(int)][:, cols.astype(int), :3]


@group.rule(
    "H006",
    "fused-materials",
    severity="warning",
    targets=("game", "web"),
    summary="one material slot whose albedo holds several distinct materials",
    fix="Split the mesh by material (metal, rubber, fabric...) and give each part its own "
    "material with the right metallic and roughness.",
    params={"materials": 1},
    ranges={"materials": AT_LEAST_ZERO},
)
def fused_materials(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A generator bakes everything it sees into one texture under one material, so the
    metal buckle, the leather strap and the glass lens share one metallic and one
    roughness value and none of them looks right. The rule clusters the albedo of each
    material slot over its surface, keeps only clear clusters (separated by a gap,
    covering patches of the surface, each at least 8% of it), and counts two clusters as
    different materials only on evidence the albedo's colour cannot give: a different
    fine-scale grain (fabric, leather or wood against smooth paint or plastic). Colour
    alone is paint: white, black and coloured regions of one slot are what hand-painted
    and stylised assets are made of (the Khronos Fox, Duck and CesiumMilkTruck), and
    "metal" is named only where metallicFactor times the metallic-roughness map says so,
    never from a bright grey. A slot whose metallic-roughness map varies (the Damaged
    Helmet, a printed aluminium can) has its materials told apart by that map, as PBR
    intends, and is left alone. Light and occlusion found baked into the albedo (H001,
    H002) are divided out first, so that the lit and the shaded side of one material are
    not taken for two, and painted highlights (H003) are left out. Colour carried in
    vertex colours (TripoSR, InstantMesh) is judged the same way: a mesh with vertex
    colours and no material is one slot, and its grain is measured as a texture baked
    from those colours would hold it, so the verdict is the same before and after
    ``assetlint fix`` bakes them."""
    samples = _samples(asset)
    if samples is None:
        return
    limit = int(ctx.params["materials"])
    rgb, known = unshaded_albedo(asset, samples)
    known &= ~highlight_mask(asset, samples)  # a painted highlight is not a material
    grain = sample_grain(asset, samples)
    # the slots: each material, and each mesh with vertex colours but no material
    slots = [
        (samples.material == mat, asset.materials[int(mat)].name or f"material #{int(mat)}")
        for mat in np.unique(samples.material[samples.material >= 0])
    ]
    materials = len(slots)
    for index, mesh, label in iter_meshes(asset):
        if mesh.colors is not None and len(mesh.colors) == mesh.vertex_count:
            slots.append(((samples.mesh == index) & (samples.material < 0), label))
    unbound = _no_metal_evidence(samples) if len(slots) > materials else samples
    for k, (in_slot, name) in enumerate(slots):
        rows = np.flatnonzero(in_slot & known)
        if _map_varies(samples, rows):
            continue  # the slot's metallic-roughness map already tells its materials apart
        parts = material_parts(samples if k < materials else unbound, rows, rgb, grain)
        if len(parts) <= limit:
            continue
        listing = ", ".join(f"{p.kind} {p.share:.0%}" for p in parts)
        where = f"material '{name}'" if k < materials else f"mesh '{name}' (no material)"
        yield ctx.finding(
            f"1 slot, looks like {len(parts)} materials (≈ {listing}) in {where} (limit {limit})",
            subject=name,
            subject_type="material" if k < materials else "mesh",
            count=len(parts),
            value=len(parts),
            limit=limit,
        )


def sample_grain(asset: Asset, samples: Samples) -> np.ndarray:
    """Each sample's fine-scale contrast: its base colour texture's where it reads one,
    else its mesh's vertex colours' as a bake of them would hold it
    (:func:`~assetlint.analysis.regions.vertex_grain`); NaN where neither."""
    grain = np.abs(texture_values(asset, samples.texture, samples.uv, 0))
    for index in np.unique(samples.mesh[samples.texture < 0]):
        mesh = asset.meshes[int(index)]
        if mesh.colors is None or len(mesh.colors) != mesh.vertex_count:
            continue
        rows = np.flatnonzero((samples.mesh == index) & (samples.texture < 0))
        per_vertex = memo(
            asset,
            f"heuristics.vertex_grain.{int(index)}",
            lambda mesh=mesh: vertex_grain(topology(mesh), mesh.colors),
        )
        corners = per_vertex[mesh.triangles[samples.triangle[rows]]]
        grain[rows] = np.einsum("nk,nk->n", samples.bary[rows], corners)
    return grain


MAP_VARIES = 0.05  # standard deviation of metallic or roughness over a slot: a map at work


def _map_varies(samples: Samples, rows: np.ndarray) -> bool:
    """Whether the samples ``rows`` read a metallic-roughness map whose values vary."""
    if not len(rows) or samples.has_mr_map[rows].mean() <= 0.5:
        return False
    return bool(
        max(float(samples.metallic[rows].std()), float(samples.roughness[rows].std())) >= MAP_VARIES
    )


def _no_metal_evidence(samples: Samples) -> Samples:
    """The samples with metallic 0 and roughness unknown (NaN) where no material is bound.
    glTF draws a primitive without a material with its default material, metallic 1 and
    roughness 1, but that default is no statement: a mesh coloured per vertex with no
    material says nothing of metal or gloss, so its parts are named by their colour
    (white, dark rubber, painted), never "metal" nor "(rough)"."""
    from dataclasses import replace

    unbound = samples.material < 0
    return replace(
        samples,
        metallic=np.where(unbound, 0.0, samples.metallic),
        roughness=np.where(unbound, np.nan, samples.roughness),
    )


@group.rule(
    "H007",
    "invented-back",
    severity="warning",
    summary="the half facing away from the front has much less detail than the front",
    fix="Re-generate from more views, or sculpt and paint the back to match the front.",
    params={"front": "+Z", "ratio": 2.0, "geometry": 8.0, "texture": 1.0},
    ranges={"ratio": ABOVE_ZERO, "geometry": ABOVE_ZERO, "texture": ABOVE_ZERO},
)
def invented_back(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A single photo shows the front; the generator invents the back from priors, and
    the invention is often smoother, "melted", with blurrier paint. The rule compares the
    half of the surface facing the front axis with the half facing away: texture detail
    (gradient of the high-passed log albedo per metre), geometric detail (discrete
    curvature) and triangle density, each as a front/back ratio.

    It reports when the back's *paint* has lost detail (texture ratio at the limit); the
    geometry ratio is stated beside it but never decides alone. Shape alone cannot tell
    an invented back from a designed one: real objects are plain behind as often as not
    (the back of a sculpted bust, a cabinet's back panel, a bottle's base, a printed
    part's flat side), and the generator invents the paint with the shape. So an
    untextured mesh, or one whose back is a flat fill (most of its texels without any
    gradient: unpainted, not less detailed), gets no finding.

    Like is compared with like: curvature over curved surface only (exactly planar
    pairs, a CAD face or a cut, have none to lose), texture on open surface (no occluder
    within half the object's size) and between points equally lit by any light found
    baked in, so that shading of bumps on the lit side, contact shadows and the grain of
    a baked occlusion do not pass for painted detail. A side needs some detail to lose
    (the floors, in units of the object's size), and a back with less than a tenth of the
    floor counts as that tenth, so a ratio is bounded by the front's detail over it."""
    samples = _samples(asset)
    if samples is None or samples.uniform:  # no paint: shape alone does not decide
        return
    p = ctx.params
    front = axis_vector(p["front"])

    def compute():
        result = shading(asset)
        light = None
        if result is not None and light_confirmed(result[0], UNSHADE_MIN):
            light = result[0].direction
        occ = sample_occlusion(asset, samples, OPEN_RADIUS, OCCLUSION_RAYS)
        return side_detail(asset, samples, front, occlusion=occ, light=light)

    detail = memo(asset, f"heuristics.sides.{p['front']}", compute)
    if detail is None:
        return
    (gf, gb), (tf, tb), (df, db) = detail.geometry, detail.texture, detail.density
    if not (np.isfinite(tf) and np.isfinite(tb) and tf >= p["texture"]):
        return
    texture = tf / max(tb, 0.1 * p["texture"])
    if texture < p["ratio"]:
        return
    shape = "geometry not comparable"
    if np.isfinite(gf) and np.isfinite(gb) and gf >= p["geometry"]:
        shape = f"geometry {gf / max(gb, 0.1 * p['geometry']):.1f}x"
    density = df / db if db > 0 else float("nan")
    yield ctx.finding(
        f"back has {texture:.1f}x less painted detail than front (limit {p['ratio']:.1f}x; "
        f"{shape}, triangle density {density:.1f}x), front {p['front']}",
        subject_type="scene",
        value=texture,
        limit=p["ratio"],
    )


@group.rule(
    "H008",
    "mirrored-back",
    severity="warning",
    summary="the back is a mirror copy of the front: geometry and texture repeat across a plane",
    fix="Re-generate from views of the back, or repaint the back so it is not a copy.",
    params={
        "front": "+Z",
        "geometry": 0.8,
        "correlation": 0.8,
        "texture": 0.005,
    },
    ranges={"geometry": SHARE, "correlation": Range(-1.0, 1.0), "texture": AT_LEAST_ZERO},
)
def mirrored_back(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """With one photo, a generator often fills in the back by mirroring the front through
    the plane perpendicular to the view: the result is symmetric where the real object
    is not, and its texture (a logo, a pattern, wear) appears twice. Symmetric geometry
    alone is normal (a ball, a vase); the rule reports a mirror plane perpendicular to
    the front axis across which the geometry matches and the painted texture repeats too
    (correlation of the band-passed texture between mirrored points).

    Only points with texels of their own count. Mirrored UVs, where both halves read the
    same texels, are how artists save texture space on a left/right symmetric object
    (the Duck, a truck's two sides, a box with one texture on every face); generators
    unwrap automatically into unique charts (xatlas and the like) and never share texels,
    so the generator's copy is a repetition of *content* in distinct texels (texels that
    a triangle of the front half shows too, overlapping islands, are left out as well).

    Content can also be repeated by hand in distinct texels: an artist paints the two
    sides of a truck as mirrored copies. What tells a generator's front/back copy from
    that left/right one is the subject's own symmetry: what generators are given (people,
    animals, furniture, vehicles, seen from the front) is left/right symmetric, so a copy
    of its front onto its back leaves it symmetric across both vertical planes; an
    object symmetric across the front/back plane alone is a left/right symmetric object
    whose front is not the front axis (the Cesium milk truck faces +X). So the geometry
    must also match across the left/right plane (perpendicular to the front and to +Y)."""
    samples = _samples(asset)
    if samples is None or samples.uniform:  # no texture to repeat the front
        return
    p = ctx.params
    front = axis_vector(p["front"])
    m = memo(
        asset, f"heuristics.mirror.{p['front']}", lambda: mirror_symmetry(asset, samples, front)
    )
    if m is None or m.geometric < p["geometry"] or m.texture_spread < p["texture"]:
        return
    if not (np.isfinite(m.correlation) and m.correlation >= p["correlation"]):
        return
    # the subject's own left/right plane: perpendicular to the front and to up (+Y)
    side = np.cross(np.array([0.0, 1.0, 0.0]), front)
    if np.linalg.norm(side) < 0.5:  # a front along the up axis: no left/right plane
        return
    sideways = memo(
        asset, f"heuristics.mirror_side.{p['front']}", lambda: plane_symmetry(samples, side)
    )
    if sideways < p["geometry"]:
        return
    axis = p["front"][-1].lower()
    yield ctx.finding(
        f"the back mirrors the front across the plane {axis} = {m.plane:.3f}: "
        f"{m.geometric:.0%} of the back lies on the reflected front (limit "
        f"{p['geometry']:.0%}; {sideways:.0%} across the left/right plane) and its "
        "painted texture repeats it in texels of its own "
        f"(correlation {m.correlation:.2f}, limit {p['correlation']:.2f}; "
        f"{m.duplicated:.0%} of mirrored points share texels and are left out)",
        subject_type="scene",
        value=m.geometric,
        limit=p["geometry"],
    )
