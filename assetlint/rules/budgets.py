"""Budget rules (B): what an asset costs the destination to load and draw.

Every number here is a default for a generic real-time target; the target packs in
``rules/*.toml`` set each destination's own limits, with their sources. Counts follow what
engines draw: a mesh used by three nodes counts three times in scene totals, and a mesh
with faces in four materials is four draw calls per instance.
"""

from __future__ import annotations

from collections.abc import Iterator

from assetlint.findings import Finding
from assetlint.model import Asset
from assetlint.plugins import hookimpl
from assetlint.rules import ABOVE_ZERO, AT_LEAST_ZERO, RuleContext, RuleGroup, iter_meshes
from assetlint.rules.materials import material_slots
from assetlint.rules.textures import used_textures

group = RuleGroup(family="budgets", stage="engine import")

MB = 1_000_000  # file and memory budgets are in decimal megabytes, as vendors state them


@hookimpl
def assetlint_rules():
    return group.rules


def draw_calls(asset: Asset) -> int:
    """Mesh instances times the material slots each uses (meshes without faces draw
    nothing)."""
    return sum(
        len(material_slots(asset.meshes[m]))
        for m, _ in asset.instances()
        if asset.meshes[m].triangle_count
    )


@group.rule(
    "B001",
    "mesh-triangle-budget",
    severity="warning",
    summary="a mesh with more triangles than the target allows per mesh",
    fix="Decimate the mesh (Blender: Decimate modifier; or gltf-transform simplify) and bake "
    "the lost detail into a normal map.",
    targets=("game", "web"),
    params={"max_triangles": 100_000},
    ranges={"max_triangles": AT_LEAST_ZERO},
)
def mesh_triangle_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Some destinations cap triangles per mesh (Roblox refuses meshes over its limit and
    simplifies them on import), and every destination pays for triangles in vertex work
    and memory. Image-to-3D generators routinely emit hundreds of thousands of triangles
    for an object that needs a few thousand."""
    limit = int(ctx.params["max_triangles"])
    for _, mesh, label in iter_meshes(asset):
        if mesh.triangle_count > limit:
            yield ctx.finding(
                f"{mesh.triangle_count:,} triangles (limit {limit:,} per mesh)",
                subject=label,
                subject_type="mesh",
                value=mesh.triangle_count,
                limit=limit,
            )


@group.rule(
    "B002",
    "scene-triangle-budget",
    severity="warning",
    summary="more triangles drawn in total than the target's budget (instances counted)",
    fix="Decimate the heaviest meshes, or drop instances and detail the destination cannot show.",
    targets=("game", "web"),
    params={"max_triangles": 300_000},
    ranges={"max_triangles": AT_LEAST_ZERO},
)
def scene_triangle_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A frame has a triangle budget, and the asset is drawn with all its instances: a
    wheel mesh used four times costs four wheels. The total drawn is what slows a phone or
    a web page, not the count of unique triangles in the file."""
    limit = int(ctx.params["max_triangles"])
    total = asset.scene_triangle_count
    if total > limit:
        unique = asset.unique_triangle_count
        detail = f" ({unique:,} unique, instanced)" if unique != total else ""
        yield ctx.finding(
            f"{total:,} triangles drawn{detail} (limit {limit:,})",
            subject_type="scene",
            value=total,
            limit=limit,
        )


@group.rule(
    "B003",
    "vertex-index-limit",
    severity="warning",
    summary="a mesh with more vertices than a 16-bit index buffer can address",
    fix="Split the mesh into parts under the limit, or weld seams and decimate; check the "
    "target accepts 32-bit indices before relying on them.",
    targets=("game", "web"),
    params={"max_vertices": 65_535},
    ranges={"max_vertices": AT_LEAST_ZERO},
)
def vertex_index_limit(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Vertices are addressed by the index buffer: with 16-bit indices a mesh cannot use
    more than 65,535 of them. Engines switch to 32-bit indices or split the mesh, but not
    every GPU supports 32-bit indices (Unity names Mali-400 devices), and mobile Unreal
    limits every mesh to 65,535 vertices. Vertices, not triangles, are what count here:
    every UV seam and hard edge splits vertices."""
    limit = int(ctx.params["max_vertices"])
    for _, mesh, label in iter_meshes(asset):
        if mesh.vertex_count > limit:
            yield ctx.finding(
                f"{mesh.vertex_count:,} vertices (limit {limit:,} per mesh)",
                subject=label,
                subject_type="mesh",
                value=mesh.vertex_count,
                limit=limit,
            )


@group.rule(
    "B004",
    "material-slot-budget",
    severity="warning",
    summary="a mesh whose faces use more material slots than the target allows",
    fix="Merge materials into one texture atlas, or split the mesh where the target wants "
    "one material per mesh.",
    targets=("game", "web"),
    params={"max_materials": 4},
    ranges={"max_materials": AT_LEAST_ZERO},
)
def material_slot_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Each material slot of a mesh is a separate draw call and often a separate shader
    and texture set; some destinations accept a single material per mesh (Roblox, Shopify's
    checklist). Faces without a material count as one slot, the engine's default."""
    limit = int(ctx.params["max_materials"])
    for _, mesh, label in iter_meshes(asset):
        slots = len(material_slots(mesh)) if mesh.triangle_count else 0
        if slots > limit:
            yield ctx.finding(
                f"{slots} material slots (limit {limit} per mesh)",
                subject=label,
                subject_type="mesh",
                value=slots,
                limit=limit,
            )


@group.rule(
    "B005",
    "draw-call-budget",
    severity="warning",
    summary="more draw calls than the target's budget (mesh instances x material slots)",
    fix="Merge meshes that share a material, atlas materials, and instance repeated parts.",
    targets=("game", "web"),
    params={"max_draw_calls": 50},
    ranges={"max_draw_calls": AT_LEAST_ZERO},
)
def draw_call_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A draw call is issued per mesh instance and material slot, and on phones and
    standalone headsets the CPU cost of draw calls limits a frame before triangles do.
    An asset split into hundreds of small parts, as some generators and CAD exports are,
    can cost more than a much heavier single mesh."""
    limit = int(ctx.params["max_draw_calls"])
    calls = draw_calls(asset)
    if calls > limit:
        instances = sum(1 for m, _ in asset.instances() if asset.meshes[m].triangle_count)
        yield ctx.finding(
            f"{calls:,} draw calls from {instances:,} mesh instances (limit {limit:,})",
            subject_type="scene",
            value=calls,
            limit=limit,
        )


@group.rule(
    "B006",
    "bone-budget",
    severity="warning",
    summary="a skinned mesh with more bones than the target supports",
    fix="Remove helper and twist bones that do not deform, or split the character.",
    targets=("game", "web"),
    params={"max_bones": 75},
    ranges={"max_bones": AT_LEAST_ZERO},
)
def bone_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Skinning uploads a matrix per bone for every skinned mesh; targets cap the count
    (Unreal's mobile renderer at 75 bones per skeletal mesh) and meshes above the cap fail
    to import or render unskinned."""
    limit = int(ctx.params["max_bones"])
    for _, mesh, label in iter_meshes(asset):
        if mesh.bone_count > limit:
            yield ctx.finding(
                f"{mesh.bone_count} bones (limit {limit})",
                subject=label,
                subject_type="mesh",
                value=mesh.bone_count,
                limit=limit,
            )


@group.rule(
    "B007",
    "bone-influence-budget",
    severity="warning",
    summary="vertices weighted by more bones than the target keeps",
    fix="Limit influences per vertex in the DCC (Blender: Weights > Limit Total) and "
    "normalize the weights.",
    targets=("game", "web"),
    params={"max_influences": 4},
    ranges={"max_influences": AT_LEAST_ZERO},
)
def bone_influence_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Engines keep a fixed number of bone weights per vertex (four by default in Unity and
    Roblox) and drop the rest on import, which changes how the mesh deforms: the
    animation no longer matches what was authored."""
    limit = int(ctx.params["max_influences"])
    for _, mesh, label in iter_meshes(asset):
        if mesh.max_influences > limit:
            yield ctx.finding(
                f"up to {mesh.max_influences} bone influences per vertex (limit {limit})",
                subject=label,
                subject_type="mesh",
                value=mesh.max_influences,
                limit=limit,
            )


def delivered_bytes(asset: Asset) -> int:
    """The file plus the texture files it references beside it: what is downloaded."""
    return asset.file_size + sum(t.byte_size or 0 for t in asset.textures if t.source == "file")


@group.rule(
    "B008",
    "file-size-budget",
    severity="warning",
    summary="the asset and its texture files weigh more than the target's download budget",
    fix="Resize and recompress textures (JPEG/WebP/KTX2), and compress geometry (Draco or "
    "meshopt) where the destination decodes it.",
    targets=("game", "web"),
    params={"max_mb": 50.0},
    ranges={"max_mb": AT_LEAST_ZERO},
)
def file_size_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Web viewers and storefronts download the whole asset before showing it, and some
    refuse files over a size; on a phone connection every megabyte is a second of waiting.
    The size counted is the file plus the texture files it references (megabytes of
    1,000,000 bytes)."""
    limit = float(ctx.params["max_mb"])
    size = delivered_bytes(asset)
    if size > limit * MB:
        extra = size - asset.file_size
        detail = f" ({extra / MB:.2f} MB of it in texture files)" if extra else ""
        yield ctx.finding(
            f"{size / MB:.2f} MB{detail} (limit {limit:g} MB)",
            subject_type="file",
            value=size / MB,
            limit=limit,
        )


@group.rule(
    "B009",
    "texture-count-budget",
    severity="warning",
    summary="materials use more distinct textures than the target's budget",
    fix="Pack maps into fewer textures (occlusion, roughness and metalness in one ORM map) "
    "and atlas materials.",
    targets=("game", "web"),
    params={"max_textures": 16},
    ranges={"max_textures": AT_LEAST_ZERO},
)
def texture_count_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Each texture is a separate download, decode and GPU allocation, and a sampler slot
    in the shader; storefront checklists ask for one texture per map role."""
    limit = int(ctx.params["max_textures"])
    count = len(used_textures(asset))
    if count > limit:
        yield ctx.finding(
            f"{count} textures used by materials (limit {limit})",
            subject_type="scene",
            value=count,
            limit=limit,
        )


def texture_memory(width: int, height: int, bytes_per_pixel: float, mipmaps: bool) -> float:
    """Bytes a texture takes on the GPU, uncompressed; a full mip chain adds a third."""
    return width * height * bytes_per_pixel * (4.0 / 3.0 if mipmaps else 1.0)


@group.rule(
    "B010",
    "texture-memory-budget",
    severity="warning",
    summary="textures would take more GPU memory than the target's budget",
    fix="Downscale textures the object's screen size does not need, and use GPU-compressed "
    "formats (KTX2/Basis, ASTC, BC) where the target supports them.",
    targets=("game", "web"),
    params={"max_mb": 256.0, "bytes_per_pixel": 4.0, "mipmaps": True},
    ranges={"max_mb": AT_LEAST_ZERO, "bytes_per_pixel": ABOVE_ZERO},
)
def texture_memory_budget(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A PNG or JPEG is small on disk but is decoded to its full size on the GPU: a
    4096x4096 map takes 64 MB as RGBA8, 85 MB with mipmaps. The estimate counts every
    texture materials use at ``bytes_per_pixel`` (4 for RGBA8; set 1 for BC7/ASTC-class
    compression), with a full mip chain when ``mipmaps`` is on. Textures whose size is
    unknown are not counted, and the message says how many."""
    limit = float(ctx.params["max_mb"])
    bpp = float(ctx.params["bytes_per_pixel"])
    mips = bool(ctx.params["mipmaps"])
    total = 0.0
    unknown = 0
    for index in used_textures(asset):
        tex = asset.textures[index]
        if tex.width and tex.height:
            total += texture_memory(tex.width, tex.height, bpp, mips)
        else:
            unknown += 1
    if total > limit * MB:
        note = f"; {unknown} texture(s) of unknown size not counted" if unknown else ""
        yield ctx.finding(
            f"about {total / MB:.1f} MB of texture memory at {bpp:g} bytes per pixel"
            f"{' with mipmaps' if mips else ''} (limit {limit:g} MB{note})",
            subject_type="scene",
            value=total / MB,
            limit=limit,
        )
