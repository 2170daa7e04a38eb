"""Colour kept through every repair: vertex colours carried across decimation, and baked
into a base-colour texture for targets that do not draw them.

Baking needs UVs, and generator meshes coloured per vertex have none: they are unwrapped
with xatlas (the UV atlas generator Blender, Godot and three.js tooling use), then every
texel is coloured by rasterizing the triangles in UV space with the renderer's own z-buffer
rasterizer (:mod:`assetlint.geometry.raster`) and interpolating the vertex colours with the
texel's barycentric coordinates. Texels outside every chart take the colour of the
nearest chart texel, so bilinear filtering and mipmaps do not bleed background in, and
no artificial black gutter sits next to the colours (the texture rules judge contrast).

The bake runs after decimation (on the budgeted mesh, so the unwrap is a few seconds and
its chart seams do not pin the decimation), and decimation itself carries the colours over
from the full-resolution mesh: nothing is lost between the two.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np

from assetlint.fix import FixContext, fix
from assetlint.model import Asset, Material, Mesh, Texture, TextureSlot
from assetlint.rules import mesh_label

TEXELS_PER_TRIANGLE = 32  # a generator's triangle is ~2 texels across: its colour ramp shows
MIN_SIZE, MAX_SIZE = 256, 2048  # texture side; the target's T004 limit caps it further


def transfer_colours(source: Mesh, target: Mesh) -> None:
    """Give ``target`` (a decimated ``source``) the colour of ``source``'s nearest vertex
    at each of its vertices: decimation moves vertices but keeps them on the surface."""
    from scipy.spatial import cKDTree

    if source.colors is None or not target.vertex_count or not source.vertex_count:
        return
    finite = np.isfinite(source.positions).all(axis=1)
    tree = cKDTree(source.positions[finite])
    _, nearest = tree.query(target.positions, k=1)
    target.colors = source.colors[np.flatnonzero(finite)[nearest]].astype(np.float32)


def texture_size(triangles: int, limit: int | None) -> int:
    """Power-of-two side giving about TEXELS_PER_TRIANGLE texels to each triangle."""
    side = 2 ** int(np.ceil(np.log2(max(np.sqrt(triangles * TEXELS_PER_TRIANGLE), 1))))
    side = int(np.clip(side, MIN_SIZE, MAX_SIZE))
    return min(side, int(limit)) if limit else side


def padding(size: int) -> int:
    """Texels between charts in a ``size`` texture: one texel of the 256-texel mip, so no
    chart bleeds into another down to that level. It keeps the charts apart for the
    texture rules as well, which read the colour map reduced to 512 texels and tell a
    chart's own bright patch from a bright chart beside a dark one only by the empty
    texels between them; with xatlas' usual 2 texels, a 2048 bake of a TripoSR mesh's
    2,400 small charts showed its white charts (eyes, collar) packed among dark ones as
    19 painted highlights (H003) that the vertex colours do not have."""
    return max(2, size // 256)


def unwrap(mesh: Mesh, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vertex map, triangles, uvs) of an xatlas unwrap packed for a ``size`` texture:
    new vertex i copies old vertex ``vmap[i]``; uvs in 0..1."""
    import xatlas

    wanted = padding(size)
    spacing = wanted
    for _ in range(2):
        atlas = xatlas.Atlas()
        atlas.add_mesh(
            np.ascontiguousarray(mesh.positions, dtype=np.float32),
            np.ascontiguousarray(mesh.triangles, dtype=np.uint32),
        )
        pack = xatlas.PackOptions()
        pack.resolution = size
        pack.padding = spacing
        pack.bilinear = True
        atlas.generate(xatlas.ChartOptions(), pack)
        # xatlas sizes its atlas for the charts without their padding and grows it to fit:
        # the UVs are then scaled down into the texture, and the padding with them
        side = max(atlas.width, atlas.height, 1)
        if spacing * size / side >= wanted - 0.5:
            break
        spacing = int(np.ceil(wanted * side / size))
    vmap, triangles, uvs = atlas[0]
    return vmap.astype(np.int64), triangles.astype(np.int32), uvs.astype(np.float32)


def bake_texture(
    uvs: np.ndarray, triangles: np.ndarray, colors: np.ndarray, size: int
) -> np.ndarray:
    """(size, size, 3) sRGB-encoded 0..1 image of per-vertex linear ``colors`` painted
    over the triangles' UV footprint (rows follow v downwards, as the model's UVs do)."""
    from scipy import ndimage

    from assetlint.analysis.albedo import linear_to_srgb
    from assetlint.geometry.raster import Camera, Scene, rasterize

    flat = np.column_stack([uvs[:, 0], -uvs[:, 1], np.zeros(len(uvs))]).astype(np.float64)
    scene = Scene(
        positions=flat,
        triangles=triangles,
        uvs=uvs,
        colors=None,
        material=np.full(len(triangles), -1, dtype=np.int32),
    )
    cam = Camera(
        "uv",
        forward=np.array([0.0, 0.0, -1.0]),
        right=np.array([1.0, 0.0, 0.0]),
        up=np.array([0.0, 1.0, 0.0]),
        center=np.array([0.5, -0.5, 0.0]),
        scale=float(size),
        width=size,
        height=size,
    )
    raster = rasterize(scene, cam)
    tri = raster.triangle
    hit = tri >= 0
    image = np.zeros((size, size, 3))
    corners = triangles[tri[hit]]  # (k, 3)
    bary = raster.bary[hit].astype(np.float64)
    rgb = np.einsum("kc,kcj->kj", bary, colors[corners][:, :, :3].astype(np.float64))
    image[hit] = rgb
    if hit.any() and not hit.all():  # every empty texel takes its nearest chart texel's
        _, (iy, ix) = ndimage.distance_transform_edt(~hit, return_indices=True)
        image = image[iy, ix]
    return linear_to_srgb(np.clip(image, 0, 1))


def bake_mesh(asset: Asset, index: int, limit: int | None) -> str:
    """Replace mesh ``index``'s vertex colours by a baked base-colour texture on a new
    xatlas unwrap; each material slot the mesh uses gets a textured copy (faces with none
    get a plain non-metal). Returns the change line."""
    from PIL import Image

    mesh = asset.meshes[index]
    size = texture_size(mesh.triangle_count, limit)
    vmap, triangles, uvs = unwrap(mesh, size)
    colors = np.clip(np.nan_to_num(mesh.colors[vmap].astype(np.float64)), 0, 1)
    pixels = bake_texture(uvs, triangles, colors, size)
    buffer = io.BytesIO()
    Image.fromarray(np.round(pixels * 255).astype(np.uint8), "RGB").save(buffer, format="PNG")
    label = mesh_label(asset, index)
    asset.textures.append(
        Texture.from_bytes(f"{label}_vertex_colours.png", "embedded", buffer.getvalue())
    )
    slot = TextureSlot(texture=len(asset.textures) - 1, uv_set=0)
    # triangles of the unwrap are the mesh's in order: materials follow face by face
    slots = mesh.material_indices.copy()
    for used in np.unique(slots):
        if 0 <= used < len(asset.materials):
            base = asset.materials[int(used)]
            new = dataclasses.replace(
                base, name=f"{base.name or 'material'}_baked", textures=dict(base.textures)
            )
        else:
            new = Material(name=f"{label}_vertex_colours", metallic_factor=0.0)
        new.textures["base_color"] = slot
        new.placeholder = False
        asset.materials.append(new)
        slots[mesh.material_indices == used] = len(asset.materials) - 1
    mesh.positions = mesh.positions[vmap]
    if mesh.normals is not None:
        mesh.normals = mesh.normals[vmap]
    mesh.uvs = [uvs, *(uv[vmap] for uv in mesh.uvs)]
    mesh.uv_names = ["baked", *mesh.uv_names]
    mesh.colors = None
    mesh.triangles = triangles
    mesh.material_indices = slots.astype(np.int32)
    mesh.cache.clear()
    return (
        f"{label}: baked the vertex colours into a {size}x{size} base-colour texture on an "
        f"xatlas unwrap ({mesh.vertex_count:,} vertices)"
    )


@fix("bake", ("M007",), "bake vertex colours into a texture where the target ignores them")
def fix_bake(asset: Asset, ctx: FixContext) -> list[str]:
    """Bake the meshes M007 reported when the target's pack says its importer does not
    draw vertex colours as they are (``bake``)."""
    if not ctx.param("M007", "bake"):
        return []
    limit = ctx.param("T004", "max_size")
    return [
        bake_mesh(asset, index, limit)
        for index in ctx.reported(asset, "M007")
        if asset.meshes[index].colors is not None
    ]
