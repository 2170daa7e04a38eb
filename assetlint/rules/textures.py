"""Texture and UV rules (T): whether the images and the coordinates that map them will
survive the trip to the destination.

Texture facts (size, format) come from the image headers the loaders read; pixels are never
decoded here. UVs follow glTF's convention (origin top-left), which does not change what
these rules measure: ranges, non-finite values and overlaps.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import numpy as np

from assetlint.arrays import column_bounds, finite_rows, in_range_rows, rows
from assetlint.findings import Finding
from assetlint.model import Asset, Mesh, Texture
from assetlint.plugins import hookimpl
from assetlint.rules import AT_LEAST_ZERO, SHARE, Range, RuleContext, RuleGroup, iter_meshes
from assetlint.rules.materials import material_slots

group = RuleGroup(family="textures", stage="materials and textures")


@hookimpl
def assetlint_rules():
    return group.rules


def used_textures(asset: Asset) -> dict[int, list[tuple[str, str]]]:
    """Texture index -> [(material name, role)] for every texture a material references."""
    used: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for index, mat in enumerate(asset.materials):
        for role, slot in mat.textures.items():
            if 0 <= slot.texture < len(asset.textures):
                used[slot.texture].append((mat.name or f"material #{index}", role))
    return dict(used)


def _label(tex: Texture, index: int) -> str:
    return tex.name or tex.uri or f"texture #{index}"


def _users(uses: list[tuple[str, str]]) -> str:
    return ", ".join(f"{role} of {name!r}" for name, role in uses)


@group.rule(
    "T001",
    "missing-texture",
    severity="error",
    summary="a texture a material uses is missing or cannot be decoded",
    fix="Ship the image beside the asset (or embed it: GLB, USDZ) in a format the target "
    "reads, and re-link it in the material.",
)
def missing_texture(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A material whose texture is missing renders with a flat colour or an engine's
    placeholder, and a storefront rejects the asset. The load issue (L002/L006) reports
    the reference; this rule reports which material and which map lose it, and also
    images that are present but not decodable."""
    for index, uses in sorted(used_textures(asset).items()):
        tex = asset.textures[index]
        if tex.missing or tex.error:
            reason = tex.error or "missing"
            yield ctx.finding(
                f"texture {_label(tex, index)!r} ({_users(uses)}) is unusable: {reason}",
                subject=_label(tex, index),
                subject_type="texture",
            )


_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|//)")


def path_problem(uri: str) -> str | None:
    """Why a texture reference will break when the asset moves, or None: an absolute
    path, a network or file URL, or a relative path that leaves the asset's folder."""
    if uri.startswith("data:"):
        return None
    if _WINDOWS_ABSOLUTE.match(uri):
        return "an absolute path"
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) > 1:
        return "a file URL" if scheme == "file" else f"a {scheme} URL"
    path = unquote(uri).replace("\\", "/")
    if path.startswith("/"):
        return "an absolute path"
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return "a path outside the asset's folder"
    return None


@group.rule(
    "T002",
    "unportable-texture-path",
    severity="error",
    summary="a texture referenced by absolute path, URL, or a path outside the asset folder",
    fix="Copy the image next to the asset and reference it by a relative path inside the "
    "asset's folder, or embed it.",
)
def unportable_texture_path(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A reference like C:\\Users\\me\\textures\\wood.png or ../../shared/wood.png works on
    the author's machine and nowhere else: uploads, engines' asset databases and other
    people's checkouts see a missing texture. assetlint does not open such references
    (L006); this rule names them whether or not the file happens to exist."""
    for index, tex in enumerate(asset.textures):
        problem = path_problem(tex.uri) if tex.uri else None
        if problem:
            yield ctx.finding(
                f"texture {_label(tex, index)!r} is referenced by {problem}: {tex.uri}",
                subject=_label(tex, index),
                subject_type="texture",
            )


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@group.rule(
    "T003",
    "non-power-of-two-texture",
    severity="warning",
    summary="a texture whose width or height is not a power of two",
    fix="Resize the image to power-of-two dimensions (512, 1024, 2048...; width and height "
    "may differ).",
    targets=("game", "web"),
)
def non_power_of_two_texture(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Mipmapping, block compression and texture streaming assume power-of-two sizes:
    Unreal does not stream or mip other sizes, Unity pads or rescales them, and some mobile
    GPUs cannot repeat them. Generators often emit 1000x1000 or 1536x1536 maps."""
    for index, tex in enumerate(asset.textures):
        if (
            tex.width
            and tex.height
            and not (_is_power_of_two(tex.width) and _is_power_of_two(tex.height))
        ):
            yield ctx.finding(
                f"texture {_label(tex, index)!r} is {tex.width}x{tex.height}, not a power of two",
                subject=_label(tex, index),
                subject_type="texture",
            )


@group.rule(
    "T004",
    "texture-too-large",
    severity="warning",
    summary="a texture larger than the target's maximum size",
    fix="Downscale the image to the target's maximum (or less: the object's size on screen "
    "rarely needs more than 2048).",
    targets=("game", "web"),
    params={"max_size": 8192},
    ranges={"max_size": AT_LEAST_ZERO},
)
def texture_too_large(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Engines and GPUs have a largest texture they accept; above it the texture is
    downscaled on import (silently changing the asset) or fails to load, leaving the
    material untextured. The limit applies to the larger of width and height."""
    limit = int(ctx.params["max_size"])
    for index, tex in enumerate(asset.textures):
        side = max(tex.width or 0, tex.height or 0)
        if side > limit:
            yield ctx.finding(
                f"texture {_label(tex, index)!r} is {tex.width}x{tex.height} (limit {limit})",
                subject=_label(tex, index),
                subject_type="texture",
                value=side,
                limit=limit,
            )


# MIME types (as Pillow names them) -> the short format names packs use.
FORMAT_NAMES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/webp": "webp",
    "image/x-tga": "tga",
    "image/bmp": "bmp",
    "image/tiff": "tiff",
    "image/gif": "gif",
    "image/vnd-ms.dds": "dds",
    "image/vnd.ms-dds": "dds",
    "image/ktx2": "ktx2",
    "image/x-exr": "exr",
    "image/vnd.radiance": "hdr",
    "image/x-portable-anymap": "pnm",
    "image/vnd.adobe.photoshop": "psd",
}


@group.rule(
    "T005",
    "unsupported-texture-format",
    severity="warning",
    summary="a texture in an image format the target does not take",
    fix="Convert the image to a format the target lists (PNG or JPEG everywhere; JPEG for "
    "colour maps without alpha keeps files small).",
    targets=("game", "web"),
    params={"allowed": ["png", "jpeg"]},
)
def unsupported_texture_format(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A texture the target cannot decode is dropped on import: glTF viewers read PNG and
    JPEG (WebP and KTX2 only through extensions), Roblox and storefronts publish short
    lists. Images whose format could not be determined are reported by T001 instead."""
    allowed = set(ctx.params["allowed"])
    for index, tex in enumerate(asset.textures):
        if not tex.mime_type:
            continue
        name = FORMAT_NAMES.get(tex.mime_type, tex.mime_type)
        if name not in allowed:
            yield ctx.finding(
                f"texture {_label(tex, index)!r} is {name}; the target takes "
                + ", ".join(sorted(allowed)),
                subject=_label(tex, index),
                subject_type="texture",
            )


def texture_uses(asset: Asset, mesh: Mesh) -> dict[int, tuple[np.ndarray, list[str]]]:
    """UV set -> (mask of the mesh's faces whose material samples a texture with it, and
    who samples it: "base_color of 'leather'")."""
    uses: dict[int, tuple[list[int], list[str]]] = {}
    for m in material_slots(mesh):
        if not 0 <= m < len(asset.materials):
            continue
        mat = asset.materials[m]
        for role, slot in mat.textures.items():
            materials, users = uses.setdefault(slot.uv_set, ([], []))
            materials.append(int(m))
            users.append(f"{role} of {mat.name or f'material #{m}'!r}")
    return {
        uv_set: (np.isin(mesh.material_indices, materials), users)
        for uv_set, (materials, users) in uses.items()
    }


def _valid_faces(mesh: Mesh) -> np.ndarray:
    """Mask of the triangles whose three indices exist."""
    return in_range_rows(mesh.triangles, mesh.vertex_count)


@group.rule(
    "T006",
    "textured-without-uvs",
    severity="error",
    summary="a mesh uses a textured material but has no UV set for it",
    fix="UV-unwrap the mesh (or export its UVs: some exporters drop them unless asked).",
)
def textured_without_uvs(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Without texture coordinates every point of the surface samples the same texel, so
    the texture shows as a flat colour. A texture slot names its UV set; a mesh with fewer
    UV sets than its materials ask for cannot be textured as authored. (Parts of a mesh
    that lack UVs while others have them are reported by T007.)"""
    for _, mesh, label in iter_meshes(asset):
        if not mesh.triangle_count:
            continue
        for uv_set, (_, users) in sorted(texture_uses(asset, mesh).items()):
            if uv_set >= len(mesh.uvs):
                have = f"{len(mesh.uvs)} UV set(s)" if mesh.uvs else "no UVs"
                yield ctx.finding(
                    f"UV set {uv_set} is needed by {', '.join(users)} but the mesh has {have}",
                    subject=label,
                    subject_type="mesh",
                )


@group.rule(
    "T007",
    "non-finite-uv",
    severity="error",
    summary="textured faces whose UVs are missing, NaN or infinite",
    fix="Unwrap the faces that lack UVs (or re-export: the file gives part of the mesh no "
    "texture coordinates, or corrupt ones).",
)
def non_finite_uv(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A textured face needs a finite texture coordinate at each corner: a NaN samples
    garbage or nothing (GPUs differ), and tangent generation for normal maps fails on the
    face. Loaders store UVs a part of the mesh does not have (a glTF primitive or OBJ faces
    written without them) as NaN, so those count here too, but only on faces whose
    material actually samples a texture with that UV set."""
    for _, mesh, label in iter_meshes(asset):
        valid = _valid_faces(mesh)
        for uv_set, (textured, users) in sorted(texture_uses(asset, mesh).items()):
            if uv_set >= len(mesh.uvs):
                continue  # T006
            finite = finite_rows(mesh.uvs[uv_set])
            faces = np.flatnonzero(textured & valid)
            bad = (
                faces[:0]
                if finite.all()
                else faces[~rows(np.logical_and, finite[mesh.triangles[faces]])]
            )
            if len(bad):
                yield ctx.none_allowed(
                    f"{len(bad):,} of {len(faces):,} faces textured through UV set {uv_set} "
                    f"({', '.join(users)}) have corners without finite UVs",
                    subject=label,
                    bad=bad,
                    sample={"faces": bad},
                )


@group.rule(
    "T008",
    "uv-out-of-range",
    severity="warning",
    summary="textured faces with UVs far outside the 0-1 square",
    fix="Pack the UV islands into 0-1 (tiling can be done in the material instead).",
    targets=("game", "web"),
    params={"max_outside": 10.0},
    ranges={"max_outside": AT_LEAST_ZERO},
)
def uv_out_of_range(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """UVs outside 0-1 tile the texture, which is deliberate for repeating materials but a
    mistake in an atlased asset, and UVs far out lose precision when engines store them as
    16-bit floats. Corners of textured faces more than ``max_outside`` beyond the 0-1
    square count (0 means any coordinate outside 0-1 counts)."""
    margin = float(ctx.params["max_outside"])
    for _, mesh, label in iter_meshes(asset):
        valid = _valid_faces(mesh)
        for uv_set, (textured, _) in sorted(texture_uses(asset, mesh).items()):
            if uv_set >= len(mesh.uvs):
                continue
            uv = mesh.uvs[uv_set]
            used = np.zeros(mesh.vertex_count, dtype=bool)
            used[mesh.triangles[textured & valid].ravel()] = True
            finite = used & finite_rows(uv)
            bad = np.flatnonzero(finite & rows(np.logical_or, (uv < -margin) | (uv > 1.0 + margin)))
            if len(bad):
                lo, hi = column_bounds(uv[finite])
                yield ctx.none_allowed(
                    f"{len(bad):,} vertices of textured faces have UVs outside "
                    f"[{0.0 - margin:g}, {1 + margin:g}] in UV set {uv_set} (range u "
                    f"{lo[0]:.3g}..{hi[0]:.3g}, v {lo[1]:.3g}..{hi[1]:.3g})",
                    subject=label,
                    bad=bad,
                    sample={"vertices": bad},
                )


# Most UV cells tested per chunk when rasterizing (bounds memory on huge meshes).
_CHUNK_CELLS = 4_000_000


def uv_overlap(
    uv: np.ndarray, triangles: np.ndarray, resolution: int
) -> tuple[int, int, np.ndarray]:
    """Rasterize UV triangles onto a resolution x resolution grid of the 0-1 square by cell
    centres: (cells covered, cells covered by two or more triangles, faces touching an
    overlapped cell). A centre exactly on an edge counts for neither triangle, so two
    triangles sharing an edge never overlap. Degenerate and non-finite UV triangles are
    skipped; parts outside 0-1 are not rasterized."""
    n = resolution
    uv = uv.astype(np.float64)
    finite = finite_rows(uv)
    faces = np.flatnonzero(in_range_rows(triangles, len(uv)))
    if not finite.all():
        faces = faces[rows(np.logical_and, finite[triangles[faces]])]
    corners = triangles[faces]
    a, b, c = uv[corners[:, 0]], uv[corners[:, 1]], uv[corners[:, 2]]
    area2 = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    keep = np.abs(area2) > 1e-14
    faces, a, b, c, area2 = faces[keep], a[keep], b[keep], c[keep], area2[keep]
    p = np.stack([a, b, c], axis=1)  # (m, 3, 2)
    lo = np.clip(np.ceil(np.minimum(np.minimum(a, b), c) * n - 0.5), 0, n).astype(np.int64)
    hi = np.clip(np.floor(np.maximum(np.maximum(a, b), c) * n - 0.5), -1, n - 1).astype(np.int64)
    span = np.maximum(hi - lo + 1, 0)
    cells_per_face = span[:, 0] * span[:, 1]
    coverage = np.zeros(n * n, dtype=np.int32)
    hits_face: list[np.ndarray] = []
    hits_cell: list[np.ndarray] = []
    ends = np.cumsum(cells_per_face)
    start = 0
    while start < len(faces):
        base = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, base + _CHUNK_CELLS, side="right")), start + 1)
        sel = np.arange(start, stop)
        counts = cells_per_face[sel]
        owner = np.repeat(sel, counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        width = span[owner, 0]
        ix = lo[owner, 0] + offset % np.maximum(width, 1)
        iy = lo[owner, 1] + offset // np.maximum(width, 1)
        px = (ix + 0.5) / n
        py = (iy + 0.5) / n
        sign = np.sign(area2[owner])
        inside = np.ones(len(owner), dtype=bool)
        for k in range(3):
            s = p[owner, k]
            e = p[owner, (k + 1) % 3]
            edge = (e[:, 0] - s[:, 0]) * (py - s[:, 1]) - (e[:, 1] - s[:, 1]) * (px - s[:, 0])
            inside &= edge * sign > 0
        cells = iy[inside] * n + ix[inside]
        np.add.at(coverage, cells, 1)
        hits_face.append(faces[owner[inside]])
        hits_cell.append(cells)
        start = stop
    covered = int(np.count_nonzero(coverage))
    overlapped = int(np.count_nonzero(coverage >= 2))
    if overlapped and hits_cell:
        cell = np.concatenate(hits_cell)
        face = np.concatenate(hits_face)
        bad_faces = np.unique(face[coverage[cell] >= 2])
    else:
        bad_faces = np.zeros(0, dtype=np.int64)
    return covered, overlapped, bad_faces


@group.rule(
    "T009",
    "lightmap-uvs",
    severity="warning",
    summary="no second UV set for baked lighting, or one that overlaps or leaves 0-1",
    fix="Add a second UV set unwrapped without overlaps inside 0-1 (Blender: Lightmap "
    "Pack), or let the engine generate one on import (Unity: Generate Lightmap UVs; "
    "Unreal: Generate Lightmap UVs).",
    targets=("game",),
    params={"uv_set": 1, "resolution": 512, "max_overlap_share": 0.0},
    ranges={"uv_set": AT_LEAST_ZERO, "resolution": Range(1.0, 8192.0), "max_overlap_share": SHARE},
)
def lightmap_uvs(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Engines that bake lighting store it in a texture mapped by a dedicated UV set
    (Unity: Mesh.uv2; Unreal: the lightmap coordinate index, UV channel 1), in which no
    two faces may share texels and everything lies in 0-1; otherwise light and shadow
    from one face bleed onto another. Overlap is measured by rasterizing the UV set on a
    ``resolution``-square grid: the share of covered cells that two or more faces cover
    must not exceed ``max_overlap_share``."""
    uv_set = int(ctx.params["uv_set"])
    res = int(ctx.params["resolution"])
    limit = float(ctx.params["max_overlap_share"])
    for _, mesh, label in iter_meshes(asset):
        if not mesh.triangle_count:
            continue
        if uv_set >= len(mesh.uvs):
            yield ctx.finding(
                f"no UV set {uv_set} for lightmaps (the mesh has {len(mesh.uvs)} UV set(s))",
                subject=label,
                subject_type="mesh",
            )
            continue
        uv = mesh.uvs[uv_set]
        used = np.zeros(mesh.vertex_count, dtype=bool)
        used[mesh.triangles[_valid_faces(mesh)].ravel()] = True
        outside = np.flatnonzero(used & ~rows(np.logical_and, (uv >= 0.0) & (uv <= 1.0)))
        if len(outside):
            yield ctx.finding(
                f"{len(outside):,} vertices of lightmap UV set {uv_set} lie outside 0-1 "
                "(or have no finite UVs)",
                subject=label,
                subject_type="mesh",
                count=len(outside),
                sample={"vertices": outside},
            )
        covered, overlapped, faces = uv_overlap(uv, mesh.triangles, res)
        share = overlapped / covered if covered else 0.0
        if overlapped and share > limit:
            yield ctx.finding(
                f"lightmap UV set {uv_set} overlaps: {share:.1%} of covered texels "
                f"({overlapped:,} of {covered:,} at {res}x{res}) are shared by faces, "
                f"{len(faces):,} faces involved (limit {limit:.1%})",
                subject=label,
                subject_type="mesh",
                count=len(faces),
                value=share,
                limit=limit,
                sample={"faces": faces},
            )
