"""The albedo the surface shows, sampled at random points spread evenly over the area.

A heuristic about a colour map must judge what lands on the surface, not the texture as
an image (atlas padding and unused islands say nothing), and it must not cost more than a
few hundred milliseconds on a million-triangle mesh with a 4096x4096 map. So:

* points are drawn uniformly over the world-space area of every instanced mesh (triangle
  chosen with probability proportional to its area, then a uniform barycentric point), so
  an unweighted mean over samples is an area-weighted mean over the surface;
* a texture is decoded once, at most :data:`WORK_SIZE` texels on a side (JPEG at a reduced
  DCT scale through Pillow's ``draft``, other formats decoded then ``reduce``-d by an
  integer factor): detecting light, occlusion or fused materials needs the colour field,
  not every texel;
* the albedo of a point is the glTF base colour: the base colour texture (sRGB decoded to
  linear, bilinear filtering, repeat wrapping) at the point's UV, times the vertex colour
  (linear, as glTF's COLOR_0), times the base colour factor.

Everything is vectorized over samples; per-mesh work over all triangles (areas) is done
once and memoised in ``mesh.cache``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assetlint.analysis import memo
from assetlint.arrays import column_bounds, finite_rows, in_range_rows, row_matrix, rows
from assetlint.model import Asset, LoadError, Mesh, Texture, transform_points

SAMPLE_COUNT = 16384  # points on the surface of the whole asset
WORK_SIZE = 1024  # largest texture side decoded for analysis
SEED = 20240607  # fixed, so the same asset always gives the same findings

# Rec. 709 / sRGB luminance weights, applied to linear RGB.
LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float64)


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 decoding of values in 0..1."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


_LUT = None


def image_to_linear(pixels: np.ndarray) -> np.ndarray:
    """Linear float32 values of an 8-bit-valued sRGB image given in 0..1 (as
    :func:`decode_texture` returns), through a 256-entry table."""
    global _LUT
    if _LUT is None:
        _LUT = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
    return _LUT[np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8)]


def linear_to_srgb(values: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 encoding of linear values in 0..1."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


def decode_texture(texture: Texture, max_size: int = WORK_SIZE) -> np.ndarray | None:
    """RGBA float32 pixels (sRGB-encoded as stored, 0..1) at most ``max_size`` on a side,
    or None when the texture has no readable image (the T rules say why). A texture with
    an ``error`` (past the pixel limit: decoding it is what is avoided) is not decoded."""
    from PIL import Image

    if texture.missing or texture.error:
        return None
    try:
        img = Image.open(io.BytesIO(texture.data()))
        if img.format == "JPEG":
            img.draft(img.mode, (max_size, max_size))  # decodes at 1/2, 1/4 or 1/8 scale
        if img.mode not in ("RGB", "RGBA", "L", "LA"):
            img = img.convert("RGBA")
        factor = -(-max(img.size) // max_size)
        if factor > 1:
            img = img.reduce(factor)
        pixels = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255.0
    except (OSError, ValueError, LoadError, Image.DecompressionBombError):
        return None
    if pixels.ndim != 3 or pixels.shape[0] < 1 or pixels.shape[1] < 1:
        return None
    return pixels


def texture_pixels(asset: Asset, index: int) -> np.ndarray | None:
    """:func:`decode_texture` of ``asset.textures[index]``, decoded once per asset."""
    if not 0 <= index < len(asset.textures):
        return None
    return memo(asset, f"albedo.texture.{index}", lambda: decode_texture(asset.textures[index]))


def reduce_image(image: np.ndarray, size: int) -> np.ndarray:
    """Block-average an (h, w, ...) image so its longer side is at most ``size``."""
    factor = -(-max(image.shape[:2]) // size)
    if factor <= 1:
        return image
    h = image.shape[0] // factor
    w = image.shape[1] // factor
    rest = image.shape[2:]
    channels = int(np.prod(rest, dtype=np.int64))
    # rows of blocks summed first (long contiguous runs), then the columns of each block:
    # six times faster than a mean over axes (1, 3) of the 5-d view
    rows = image[: h * factor, : w * factor].reshape(h, factor, w * factor * channels)
    summed = rows.sum(axis=1).reshape(h, w, factor, channels).sum(axis=2)
    return (summed / (factor * factor)).reshape(h, w, *rest)


def bilinear(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear lookup of an (h, w, c) image at (n, 2) UVs, glTF convention (origin at
    the top-left texel's corner), repeat wrapping; (n, c) float64."""
    h, w = image.shape[:2]
    x = np.mod(uv[:, 0], 1.0) * w - 0.5
    y = np.mod(uv[:, 1], 1.0) * h - 0.5
    x0 = np.floor(x)
    y0 = np.floor(y)
    fx = (x - x0)[:, None]
    fy = (y - y0)[:, None]
    x0 = x0.astype(np.int64) % w
    y0 = y0.astype(np.int64) % h
    x1 = (x0 + 1) % w
    y1 = (y0 + 1) % h
    top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
    bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


@dataclass
class MeshPrep:
    """Per-mesh arrays over all valid triangles, in the mesh's local frame."""

    triangles: np.ndarray  # int (m, 3), only triangles with valid indices and finite area
    index: np.ndarray  # int64 (m,), their index in mesh.triangles
    cross: np.ndarray  # float32 (m, 3), (b - a) x (c - a): twice the area along the normal
    area: np.ndarray  # float64 (m,)
    cumulative: np.ndarray  # float64 (m,), running sum of area


def mesh_prep(mesh: Mesh) -> MeshPrep:
    """Valid triangles and their areas, computed once per mesh."""
    if "analysis.prep" not in mesh.cache:
        tris = mesh.triangles
        ok = in_range_rows(tris, mesh.vertex_count)
        index = np.flatnonzero(ok)
        if len(index) < len(tris):
            tris = tris[index]
        pos = mesh.positions
        with np.errstate(invalid="ignore", over="ignore"):  # non-finite areas are dropped
            a = pos[tris[:, 0]]
            u = pos[tris[:, 1]] - a
            v = pos[tris[:, 2]] - a
            cross = np.empty_like(u)
            cross[:, 0] = u[:, 1] * v[:, 2] - u[:, 2] * v[:, 1]
            cross[:, 1] = u[:, 2] * v[:, 0] - u[:, 0] * v[:, 2]
            cross[:, 2] = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
            area = 0.5 * np.sqrt(np.einsum("ij,ij->i", cross, cross, dtype=np.float64))
        good = np.isfinite(area) & (area > 0)
        if not good.all():
            index, tris, cross, area = index[good], tris[good], cross[good], area[good]
        mesh.cache["analysis.prep"] = MeshPrep(tris, index, cross, area, np.cumsum(area))
    return mesh.cache["analysis.prep"]


def normal_matrix(world: np.ndarray) -> np.ndarray:
    """Inverse transpose of a node's linear part: how its normals transform."""
    linear = np.asarray(world, dtype=np.float64)[:3, :3]
    try:
        return np.linalg.inv(linear).T
    except np.linalg.LinAlgError:
        return linear


def world_areas(prep: MeshPrep, world: np.ndarray) -> np.ndarray:
    """World area of each of a mesh's valid triangles, placed by ``world``. A linear map A
    takes u x v to det(A) A^-T (u x v); under a rotation and uniform scale that is the
    local area times det(A)^(2/3), which saves transforming every cross product (a
    stretch has no such factor: det^(2/3) made a 2 x 3 stretch of 6 m^2 read 3.3)."""
    nm = normal_matrix(world)
    det = abs(float(np.linalg.det(np.asarray(world, dtype=np.float64)[:3, :3])))
    gram = nm.T @ nm
    scale2 = float(np.trace(gram)) / 3
    if np.allclose(gram, scale2 * np.eye(3), rtol=1e-6, atol=1e-12 * max(scale2, 1e-300)):
        return prep.area * det ** (2 / 3)
    cross = prep.cross.astype(np.float64) @ row_matrix(nm)
    return 0.5 * det * np.sqrt(np.einsum("ij,ij->i", cross, cross))


def world_corners(positions: np.ndarray, triangles: np.ndarray, world: np.ndarray) -> np.ndarray:
    """float64 (m, 3, 3): the corners of ``triangles`` placed by ``world``. One (n, 3)
    product, over the vertices when they are fewer than the corners: numpy runs
    ``(m, 3, 3) @ (3, 3)`` as m small products, ten times slower."""
    corners = triangles.ravel()
    if len(positions) < len(corners):
        placed = transform_points(positions, world)
        return placed[corners].reshape(-1, 3, 3)
    flat = transform_points(positions[corners], world)
    return flat.reshape(-1, 3, 3)


def instance_list(asset: Asset) -> list[tuple[int, np.ndarray]]:
    """(mesh index, world matrix) of every instance whose mesh exists and whose transform
    is finite and invertible."""
    out = []
    for mesh_index, node in asset.placed_instances():
        if not 0 <= mesh_index < len(asset.meshes):
            continue
        world = np.asarray(node.world, dtype=np.float64)
        if world.shape == (4, 4):
            if abs(np.linalg.det(world[:3, :3])) > 1e-30:
                out.append((mesh_index, world))
    return out


@dataclass
class Samples:
    """Points spread uniformly over the asset's world-space surface, each with what the
    surface holds there. Rows are i.i.d., so any prefix is itself a uniform sample."""

    positions: np.ndarray  # float64 (n, 3), world (canonical) metres
    normals: np.ndarray  # float64 (n, 3), unit geometric normals, world frame
    shading_normals: np.ndarray  # float64 (n, 3), unit interpolated vertex normals (the
    # geometric ones where the mesh has none): what light and shade follow
    instance: np.ndarray  # int64 (n,), index into :attr:`instances`
    mesh: np.ndarray  # int64 (n,), index into asset.meshes
    triangle: np.ndarray  # int64 (n,), index into that mesh's triangles
    bary: np.ndarray  # float64 (n, 3)
    tri_area: np.ndarray  # float64 (n,), world area of the sample's triangle
    material: np.ndarray  # int64 (n,), index into asset.materials, -1 for none
    texture: np.ndarray  # int64 (n,), base colour texture decoded, -1 for none
    uv: np.ndarray  # float64 (n, 2), UV of the base colour slot (NaN where none)
    texels_per_metre: np.ndarray  # float64 (n,), base colour texels (working size) per m
    rgb: np.ndarray  # float64 (n, 3), linear albedo
    alpha: np.ndarray  # float64 (n,)
    metallic: np.ndarray  # float64 (n,)
    roughness: np.ndarray  # float64 (n,)
    has_mr_map: np.ndarray  # bool (n,), metallic/roughness come from a texture
    instances: list[tuple[int, np.ndarray]]
    area: float  # total world area, m^2
    diagonal: float  # world bounding-box diagonal of the sampled surface, m

    @property
    def count(self) -> int:
        return len(self.positions)

    @property
    def luminance(self) -> np.ndarray:
        """Linear relative luminance of the albedo."""
        return self.rgb @ LUMA

    @cached_property
    def uniform(self) -> bool:
        """Whether every material shows one albedo all over (no texture, no vertex
        colours, or ones that do not vary): nothing can be painted into such an albedo,
        so the fits need not run."""
        first = np.unique(self.material, return_index=True, return_inverse=True)
        return bool(np.array_equal(self.rgb, self.rgb[first[1]][first[2]]))


def surface_samples(asset: Asset) -> Samples | None:
    """:data:`SAMPLE_COUNT` samples of the asset's surface, once per asset; None when the
    asset has no area."""
    return memo(asset, "albedo.samples", lambda: _sample(asset, SAMPLE_COUNT))


def _sample(asset: Asset, count: int) -> Samples | None:
    rng = np.random.default_rng(SEED)
    instances = [(m, w) for m, w in instance_list(asset) if len(mesh_prep(asset.meshes[m]).area)]
    if not instances:
        return None
    weights = np.array([world_areas(mesh_prep(asset.meshes[m]), w).sum() for m, w in instances])
    if not np.isfinite(weights).all() or weights.sum() <= 0:
        return None
    per_instance = rng.multinomial(count, weights / weights.sum())
    parts = [
        _sample_instance(asset, i, mesh_index, world, k, rng)
        for i, ((mesh_index, world), k) in enumerate(zip(instances, per_instance, strict=True))
        if k
    ]
    cols = parts[0]
    if len(parts) > 1:
        cols = {key: np.concatenate([p[key] for p in parts]) for key in cols}
    pos = cols["positions"]
    finite = finite_rows(pos) & finite_rows(cols["normals"]) & finite_rows(cols["shading_normals"])
    if not finite.any():
        return None
    if not finite.all():
        cols = {key: value[finite] for key, value in cols.items()}
    lo, hi = column_bounds(cols["positions"])
    diagonal = float(np.linalg.norm(hi - lo))
    _shade(asset, cols)
    return Samples(**cols, instances=instances, area=float(weights.sum()), diagonal=diagonal or 1.0)


def _sample_instance(
    asset: Asset, inst: int, mesh_index: int, world: np.ndarray, k: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    mesh = asset.meshes[mesh_index]
    prep = mesh_prep(mesh)
    pick = np.searchsorted(prep.cumulative, rng.random(k) * prep.cumulative[-1], side="right")
    pick = np.minimum(pick, len(prep.area) - 1)
    r1 = np.sqrt(rng.random(k))
    r2 = rng.random(k)
    bary = np.column_stack([1 - r1, r1 * (1 - r2), r1 * r2])
    local = np.einsum("nk,nkj->nj", bary, mesh.positions[prep.triangles[pick]].astype(np.float64))
    pos = transform_points(local, world)
    # a linear map A takes u x v to det(A) A^-T (u x v): the world normal and, from its
    # length, the world area, out of the local cross product already computed
    nrm = prep.cross[pick].astype(np.float64) @ row_matrix(normal_matrix(world))
    length = np.sqrt(np.einsum("ij,ij->i", nrm, nrm))
    tri_area = 0.5 * abs(np.linalg.det(world[:3, :3])) * length
    nrm /= np.maximum(length, 1e-300)[:, None]
    return {
        "positions": pos,
        "normals": nrm,
        "shading_normals": _shading_normals(mesh, prep.triangles[pick], bary, world, nrm),
        "instance": np.full(k, inst, dtype=np.int64),
        "mesh": np.full(k, mesh_index, dtype=np.int64),
        "triangle": prep.index[pick],
        "bary": bary,
        "tri_area": tri_area,
        "material": mesh.material_indices[prep.index[pick]].astype(np.int64),
    }


def _shading_normals(
    mesh: Mesh, tris: np.ndarray, bary: np.ndarray, world: np.ndarray, geometric: np.ndarray
) -> np.ndarray:
    """The mesh's vertex normals interpolated at the samples and placed by ``world``:
    the normal a renderer (or the photographed smooth surface) shades with. The
    geometric normal where the mesh has none or they are degenerate."""
    normals = mesh.normals
    if normals is None or len(normals) != mesh.vertex_count:
        return geometric
    corners = np.asarray(normals, dtype=np.float64)[tris]
    n = np.einsum("nk,nkj->nj", bary, corners) @ row_matrix(normal_matrix(world))
    length = np.sqrt(np.einsum("ij,ij->i", n, n))
    good = np.isfinite(length) & (length > 1e-6)
    n = np.where(good[:, None], n / np.where(good, length, 1.0)[:, None], geometric)
    return n


def _shade(asset: Asset, cols: dict[str, np.ndarray]) -> None:
    """Add uv, albedo, metallic and roughness columns to the sampled points."""
    n = len(cols["positions"])
    uv = np.full((n, 2), np.nan)
    tpm = np.full(n, np.nan)
    rgb = np.ones((n, 3))
    alpha = np.ones(n)
    metallic = np.ones(n)
    roughness = np.ones(n)
    has_mr = np.zeros(n, dtype=bool)
    texture = np.full(n, -1, dtype=np.int64)
    material = cols["material"]
    material[(material < 0) | (material >= len(asset.materials))] = -1
    # a loader's placeholder (an OBJ's missing .mtl) is no authored albedo: sampled as none
    invented = np.array([m.placeholder for m in asset.materials] + [False], dtype=bool)
    material[invented[material]] = -1
    for mesh_index in np.unique(cols["mesh"]):
        mesh = asset.meshes[mesh_index]
        in_mesh = cols["mesh"] == mesh_index
        if mesh.colors is not None and len(mesh.colors) == mesh.vertex_count:
            sel = np.flatnonzero(in_mesh)
            vc = _interpolate(mesh, mesh.colors, sel, cols)
            rgb[sel] *= np.clip(vc[:, :3], 0, 1)
            if vc.shape[1] > 3:
                alpha[sel] *= np.clip(vc[:, 3], 0, 1)
        for mat_index in np.unique(material[in_mesh]):
            sel = np.flatnonzero(in_mesh & (material == mat_index))
            if mat_index < 0:
                continue  # no material: glTF's default is white, metallic 1, roughness 1
            mat = asset.materials[mat_index]
            factor = np.asarray(mat.base_color_factor, dtype=np.float64).ravel()
            factor = np.resize(np.concatenate([factor, np.ones(4)])[:4], 4)
            rgb[sel] *= factor[:3]
            alpha[sel] *= factor[3]
            metallic[sel] = mat.metallic_factor
            roughness[sel] = mat.roughness_factor
            slot = mat.textures.get("base_color")
            if slot is not None:
                suv = _slot_uv(mesh, slot.uv_set, sel, cols)
                pixels = texture_pixels(asset, slot.texture)
                if suv is not None:
                    uv[sel] = suv
                if suv is not None and pixels is not None:
                    texel = bilinear(pixels, suv)
                    rgb[sel] *= srgb_to_linear(texel[:, :3])
                    alpha[sel] *= texel[:, 3]
                    texture[sel] = slot.texture
                    tpm[sel] = _texel_density(mesh, slot.uv_set, sel, cols, pixels.shape)
            slot = mat.textures.get("metallic_roughness")
            if slot is not None:
                suv = _slot_uv(mesh, slot.uv_set, sel, cols)
                pixels = texture_pixels(asset, slot.texture)
                if suv is not None and pixels is not None:
                    texel = bilinear(pixels, suv)  # glTF: roughness in G, metallic in B
                    roughness[sel] *= texel[:, 1]
                    metallic[sel] *= texel[:, 2]
                    has_mr[sel] = True
    cols.update(
        uv=uv,
        texels_per_metre=tpm,
        rgb=np.clip(np.nan_to_num(rgb, nan=0.0), 0, None),
        alpha=np.clip(np.nan_to_num(alpha, nan=1.0), 0, 1),
        metallic=np.clip(np.nan_to_num(metallic, nan=0.0), 0, 1),
        roughness=np.clip(np.nan_to_num(roughness, nan=1.0), 0, 1),
        has_mr_map=has_mr,
        texture=texture,
    )


def _interpolate(
    mesh: Mesh, values: np.ndarray, sel: np.ndarray, cols: dict[str, np.ndarray]
) -> np.ndarray:
    corners = np.asarray(values, dtype=np.float64)[mesh.triangles[cols["triangle"][sel]]]
    return np.einsum("nk,nkj->nj", cols["bary"][sel], corners)


def _slot_uv(
    mesh: Mesh, uv_set: int, sel: np.ndarray, cols: dict[str, np.ndarray]
) -> np.ndarray | None:
    if not 0 <= uv_set < len(mesh.uvs) or len(mesh.uvs[uv_set]) != mesh.vertex_count:
        return None
    uv = _interpolate(mesh, mesh.uvs[uv_set], sel, cols)
    return np.where(np.isfinite(uv), uv, 0.0)


def _texel_density(
    mesh: Mesh, uv_set: int, sel: np.ndarray, cols: dict[str, np.ndarray], shape: tuple
) -> np.ndarray:
    """Texels (at the decoded size) per metre of surface around each sample."""
    corners = mesh.uvs[uv_set][mesh.triangles[cols["triangle"][sel]]].astype(np.float64)
    corners = corners * np.array([shape[1], shape[0]], dtype=np.float64)
    e1 = corners[:, 1] - corners[:, 0]
    e2 = corners[:, 2] - corners[:, 0]
    uv_area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(uv_area / cols["tri_area"][sel])


COVERAGE_BUDGET = 4_000_000  # lattice points a coverage mask may cost
RASTER_CHUNK = 1 << 18  # lattice points computed at a time (a few MB of temporaries)


def uv_triangles(asset: Asset, texture: int) -> np.ndarray:
    """float64 (m, 3, 2): the UV corners of every placed triangle whose material reads
    ``texture`` as its base colour (in that slot's UV set), non-finite ones left out."""
    out = []
    for mesh_index in sorted({m for m, _ in instance_list(asset)}):
        mesh = asset.meshes[mesh_index]
        prep = mesh_prep(mesh)
        mats = mesh.material_indices[prep.index]
        for mat_index in _distinct(mats):
            if not 0 <= mat_index < len(asset.materials):
                continue
            slot = asset.materials[mat_index].textures.get("base_color")
            if slot is None or slot.texture != texture:
                continue
            if not 0 <= slot.uv_set < len(mesh.uvs):
                continue
            uvs = mesh.uvs[slot.uv_set]
            if len(uvs) != mesh.vertex_count:
                continue
            mine = mats == mat_index
            tris = prep.triangles if mine.all() else prep.triangles[mine]
            finite = finite_rows(uvs)  # per vertex: a triangle needs all three corners
            if not finite.all():
                tris = tris[rows(np.logical_and, finite[tris])]
            # gathered, then widened: float32 -> float64 is exact, and only the corners
            # are converted, not the whole UV set first
            out.append(uvs[tris].astype(np.float64))
    return out[0] if len(out) == 1 else np.concatenate([np.zeros((0, 3, 2)), *out])


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique of small integers (material indices) by counting: the same sorted values
    without a sort or hash of a million triangles' entries."""
    if not len(values):
        return values[:0]
    lo, hi = int(values.min()), int(values.max())
    if hi - lo >= 1 << 16:
        return np.unique(values)
    return (np.flatnonzero(np.bincount(values - lo)) + lo).astype(values.dtype)


def _lattice_steps(corners: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per triangle, its longest edge in texels (``scale``: texels per UV unit), rounded
    up: the lattice steps along each edge that put lattice points a texel apart at most."""
    longest = np.empty(len(corners))
    step = RASTER_CHUNK // 4
    for start in range(0, len(corners), step):
        chunk = corners[start : start + step]
        squared = 0.0
        for axis in range(2):
            x = chunk[:, :, axis] * scale[axis]
            d = x[:, [1, 2, 0]] - x  # the three edges, corner i to corner i + 1
            squared = squared + d * d
        # the square root of the largest: exactly the largest root (it is monotone)
        part = np.maximum(np.maximum(squared[:, 0], squared[:, 1]), squared[:, 2])
        np.sqrt(part, out=longest[start : start + step])
    return np.ceil(longest)


def _wrapped(x: np.ndarray, size: int) -> np.ndarray:
    """int64 floor(x) mod ``size``: a texel index with repeat wrapping (the floor and the
    modulo skipped when every x is in [0, size) already, where they change nothing)."""
    if x.min() >= 0 and x.max() < size:
        return x.astype(np.int64)
    return np.floor(x).astype(np.int64) % size


def rasterise_uv(corners: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """bool (h, w): the texels the UV triangles ``corners`` cover, repeat wrapping,
    grown by one texel (bilinear filtering reads the neighbours of every covered texel).

    Vectorised as a barycentric lattice per triangle, k steps along each edge with k the
    longest edge in texels, so lattice points are at most a texel apart and every texel
    centre inside lies within a texel of one; triangles are handled a lattice size at a
    time, :data:`RASTER_CHUNK` points at a time (a million triangles would otherwise make
    hundreds of MB of temporaries). Past :data:`COVERAGE_BUDGET` points the lattices are
    coarsened and the mask grown by as many texels as the coarsening."""
    from scipy import ndimage  # textures only: 35 ms of start-up otherwise

    h, w = shape
    mask = np.zeros(h * w, dtype=bool)
    if not len(corners):
        return mask.reshape(h, w)
    scale = np.array([w, h], dtype=np.float64)
    k = np.clip(_lattice_steps(corners, scale), 1, 2 * max(h, w)).astype(np.int64)
    cost = float(((k + 1) * (k + 2) // 2).sum())
    grow = 1
    if cost > COVERAGE_BUDGET:
        factor = np.sqrt(COVERAGE_BUDGET / cost)
        k = np.maximum(np.ceil(k * factor).astype(np.int64), 1)
        grow = int(np.ceil(1 / factor)) + 1
    for steps in np.unique(k):
        i, j = np.triu_indices(steps + 1)  # i <= j: (i, j - i) covers a + b <= steps
        s = i / steps
        t = (j - i) / steps
        chosen = np.flatnonzero(k == steps)
        per = max(1, RASTER_CHUNK // len(s))
        for start in range(0, len(chosen), per):
            tri = corners[chosen[start : start + per]] * scale
            cell = []
            for axis, size in ((0, w), (1, h)):
                a = tri[:, 0, axis, None]
                x = s * (tri[:, 1, axis, None] - a)
                x += a
                x += t * (tri[:, 2, axis, None] - a)
                cell.append(_wrapped(x, size))
            cell[1] *= w
            cell[1] += cell[0]
            mask[cell[1]] = True
    return ndimage.binary_dilation(mask.reshape(h, w), np.ones((3, 3), dtype=bool), iterations=grow)


def texture_coverage(asset: Asset, texture: int, shape: tuple[int, int]) -> np.ndarray:
    """:func:`rasterise_uv` of the triangles that show ``texture``, at ``shape``, once per
    asset: texels outside every UV island (atlas padding, unused islands) say nothing
    about the surface and no analysis may count them."""
    return memo(
        asset,
        f"albedo.coverage.{texture}.{shape[0]}x{shape[1]}",
        lambda: rasterise_uv(uv_triangles(asset, texture), shape),
    )


def fill_uncovered(image: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """``image`` with each uncovered texel replaced by the nearest covered one, so that
    filters across an island's edge see the island continued rather than the padding;
    unchanged when nothing or everything is covered."""
    from scipy import ndimage  # textures only: 35 ms of start-up otherwise

    if covered.all() or not covered.any():
        return image
    rows, cols = ndimage.distance_transform_edt(
        ~covered, return_distances=False, return_indices=True
    )
    return image[rows, cols]


PALETTE = 16  # the most common exact colours whose share tells a designed albedo
DESIGNED = 0.5  # share of the covered texels they take from which an albedo is designed
VERTEX_PALETTE = 0.95  # the same without a texture: nearly every sample in the palette


def palette_share(asset: Asset, texture: int) -> float:
    """Share of the texels the surface shows (see :func:`texture_coverage`) that take one
    of the :data:`PALETTE` most common exact 8-bit colours of ``texture``; NaN when it
    cannot be decoded or nothing is covered; once per asset.

    A hand-painted or designed albedo is made of flat fills: a few exact colours cover
    most of it (the Khronos Fox, Duck, BoxTextured, CesiumMilkTruck and CesiumMan: 0.71
    to 1.0, JPEG included). One projected from a photo or painted by a diffusion model
    carries sensor or sampling noise everywhere, and no colour repeats on more than a
    sliver of it (twelve generated-real textures: 0.00 to 0.20; a photo-based PBR map
    and a photogrammetry scan: 0.16 and 0.25)."""

    def compute() -> float:
        pixels = texture_pixels(asset, texture)
        if pixels is None:
            return float("nan")
        covered = texture_coverage(asset, texture, pixels.shape[:2])
        if not covered.any():
            return float("nan")
        # 24-bit codes built a channel at a time and counted by bincount: a 4096^2 map in
        # 1 s and 0.2 GB, where int64 channels and np.unique took 3.7 s and 0.9 GB
        codes = np.zeros(pixels.shape[:2], dtype=np.uint32)
        for channel in range(3):
            level = np.rint(np.clip(pixels[..., channel], 0, 1) * 255).astype(np.uint32)
            codes |= level << np.uint32(8 * (2 - channel))
        chosen = codes[covered]
        if len(chosen) > 1 << 20:  # bincount's 2^24 bins pay off on large maps only
            counts = np.bincount(chosen)
            counts = counts[counts > 0]
        else:
            counts = np.unique(chosen, return_counts=True)[1]
        top = counts if len(counts) <= PALETTE else np.partition(counts, -PALETTE)[-PALETTE:]
        return float(top.sum()) / int(np.count_nonzero(covered))

    return memo(asset, f"albedo.palette.{texture}", compute)


def designed_samples(asset: Asset, samples: Samples) -> np.ndarray:
    """bool (n,): samples whose albedo is designed, where light and shade are painted on
    purpose (stylised art): from a texture whose palette share (:func:`palette_share`) is
    at least :data:`DESIGNED` or, without a texture, from a material whose sampled albedo
    (a factor, vertex colours) is all but entirely a palette (:data:`VERTEX_PALETTE`): a
    constant colour is one exact value and flat-shaded colour art a few, where vertex
    colours interpolated across triangles ramp (a generator's, or a clamped light's lit
    side: the shadow side alone may be one flat value)."""
    out = np.zeros(samples.count, dtype=bool)
    for tex in np.unique(samples.texture[samples.texture >= 0]):
        if palette_share(asset, int(tex)) >= DESIGNED:
            out[samples.texture == tex] = True
    plain = samples.texture < 0
    q = np.rint(linear_to_srgb(samples.rgb) * 255).astype(np.int64)
    codes = (q[:, 0] << 16) | (q[:, 1] << 8) | q[:, 2]
    for mat in np.unique(samples.material[plain]):
        rows = plain & (samples.material == mat)
        counts = np.unique(codes[rows], return_counts=True)[1]
        if np.sort(counts)[::-1][:PALETTE].sum() >= VERTEX_PALETTE * rows.sum():
            out[rows] = True
    return out
