"""Material rules (M): slots, names and shading models as the destination will see them.

Materials are asset-wide (``Asset.materials``); a face names its material by index in
``Mesh.material_indices`` (-1 for none). Slot-count budgets live with the other budgets
(B004).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import numpy as np

from assetlint.findings import Finding
from assetlint.model import Asset, Material, Mesh
from assetlint.plugins import hookimpl
from assetlint.rules import RuleContext, RuleGroup, iter_meshes

group = RuleGroup(family="materials", stage="materials and textures")


@hookimpl
def assetlint_rules():
    return group.rules


def material_slots(mesh: Mesh) -> np.ndarray:
    """The distinct material indices a mesh's faces use (-1 = none), cached on the mesh:
    budgets, materials and textures rules all ask for them."""
    if "material_slots" not in mesh.cache:
        mesh.cache["material_slots"] = np.unique(mesh.material_indices)
    return mesh.cache["material_slots"]


def authored_materials(asset: Asset) -> Iterator[tuple[int, Material]]:
    """(index, material) of the materials the file defines: a loader's placeholder (for an
    OBJ whose .mtl is missing) stands for nothing authored, and no rule judges it (L002
    reports the missing file)."""
    for index, mat in enumerate(asset.materials):
        if not mat.placeholder:
            yield index, mat


def used_materials(asset: Asset) -> set[int]:
    """Indices of the materials some face uses."""
    used: set[int] = set()
    for mesh in asset.meshes:
        if mesh.triangle_count:
            used.update(int(i) for i in material_slots(mesh) if 0 <= i < len(asset.materials))
    return used


@group.rule(
    "M001",
    "unused-material",
    severity="info",
    summary="materials that no face uses",
    fix="Delete unused material slots before export (Blender: Material > Remove Unused "
    "Slots; File > Clean Up > Purge Unused Data).",
)
def unused_material(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """An unused material still ships with the file, with its textures, and engines
    import it as an asset of its own: clutter for whoever uses the asset and bytes for
    every download."""
    used = used_materials(asset)
    for index, mat in authored_materials(asset):
        if index not in used:
            yield ctx.finding(
                f"material {mat.name or f'#{index}'!r} is used by no face",
                subject=mat.name or f"material #{index}",
                subject_type="material",
            )


@group.rule(
    "M002",
    "faces-without-material",
    severity="warning",
    summary="faces with no material (or a material index that does not exist)",
    fix="Assign a material to every face before export.",
    targets=("game", "web"),
)
def faces_without_material(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Faces without a material are drawn with each engine's own default (grey in Unity,
    a checker in Unreal, white in three.js), so the asset looks different everywhere and
    never like what was authored. An index past the material list is the same, plus a
    corrupt file."""
    count = len(asset.materials)
    for _, mesh, label in iter_meshes(asset):
        mi = mesh.material_indices
        bad = np.flatnonzero((mi < 0) | (mi >= count))
        if len(bad):
            dangling = int(np.count_nonzero(mi[bad] >= 0))
            detail = f", {dangling:,} with an index past the {count} materials" if dangling else ""
            yield ctx.none_allowed(
                f"{len(bad):,} of {mesh.triangle_count:,} triangles have no material{detail}",
                subject=label,
                bad=bad,
                sample={"faces": bad},
            )


# Names DCC tools and exporters give materials nobody named: Blender, Maya, 3ds Max,
# Cinema 4D, assimp/trimesh defaults.
GENERIC_NAME = re.compile(
    r"^(?:material|mat|default|defaultmaterial|default[ _]material|lambert\d*|phong\d*|"
    r"blinn\d*|standardsurface\d*|aistandardsurface\d*|initialshadinggroup|none|untitled|"
    r"no[ _]?name|material ?#\d+|\d+ - default|surface|shader)(?:[._ -]?\d+)?$",
    re.IGNORECASE,
)


def is_generic_name(name: str) -> bool:
    return not name.strip() or bool(GENERIC_NAME.match(name.strip()))


@group.rule(
    "M003",
    "generic-material-name",
    severity="info",
    summary='materials with empty or default names ("Material.001", "lambert1", "default")',
    fix="Name materials after what they are (leather, brushed_steel); engines and "
    "storefronts show the names.",
)
def generic_material_name(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Engines import each material as an asset named after it, and names like
    "Material.001" or "lambert1" from two assets collide in a project and tell the next
    person nothing. A generic name is also a sign the material was never set up."""
    for index, mat in authored_materials(asset):
        if is_generic_name(mat.name):
            yield ctx.finding(
                f"material #{index} has a generic name {mat.name!r}",
                subject=mat.name or f"material #{index}",
                subject_type="material",
            )


def _definition(mat: Material) -> tuple:
    """Everything that makes two materials render the same, names aside."""
    return (
        tuple(np.round(np.asarray(mat.base_color_factor, dtype=float), 6)),
        round(float(mat.metallic_factor), 6),
        round(float(mat.roughness_factor), 6),
        tuple(np.round(np.asarray(mat.emissive_factor, dtype=float), 6)),
        tuple(sorted((role, s.texture, s.uv_set) for role, s in mat.textures.items())),
        mat.alpha_mode,
        round(float(mat.alpha_cutoff), 6),
        mat.unlit,
        mat.double_sided,
        mat.workflow,
    )


@group.rule(
    "M004",
    "duplicate-material",
    severity="warning",
    summary="materials that share a name, or that are identical under different names",
    fix="Merge the duplicates into one material and reassign the faces.",
    targets=("game", "web"),
)
def duplicate_material(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Two materials with the same name overwrite each other on import in most engines,
    so faces end up with the wrong one; two identical materials under different names
    cost an extra draw call and shader set for nothing. Generators and format converters
    often emit one copy of a material per mesh part."""
    by_name: dict[str, list[int]] = defaultdict(list)
    by_definition: dict[tuple, list[int]] = defaultdict(list)
    for index, mat in authored_materials(asset):
        if mat.name:
            by_name[mat.name].append(index)
        by_definition[_definition(mat)].append(index)
    for name, indices in by_name.items():
        if len(indices) > 1:
            yield ctx.finding(
                f"{len(indices)} materials are named {name!r} (#"
                + ", #".join(map(str, indices))
                + ")",
                subject=name,
                subject_type="material",
                count=len(indices),
            )
    for indices in by_definition.values():
        names = {asset.materials[i].name for i in indices}
        if len(indices) > 1 and len(names) > 1:
            listed = ", ".join(repr(asset.materials[i].name) for i in indices)
            yield ctx.finding(
                f"{len(indices)} materials are identical under different names: {listed}",
                subject=asset.materials[indices[0]].name,
                subject_type="material",
                count=len(indices),
            )


@group.rule(
    "M005",
    "unsupported-material-model",
    severity="warning",
    summary="a shading model the target does not import (spec-gloss, phong, unlit...)",
    fix="Convert the material to PBR metallic-roughness (base color, metallic, roughness, "
    "normal) before export.",
    targets=("game", "web"),
    params={"allowed": ["metal-rough"]},
)
def unsupported_material_model(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Real-time engines and web viewers render PBR metallic-roughness; a spec-gloss,
    Phong or Lambert material is converted on import with guessed values (or dropped to a
    default), so the asset does not look as authored. Unlit materials are a deliberate
    choice for some targets and wrong for others, so they count only where the pack
    allows them. Materials whose model is unknown are not judged."""
    allowed = set(ctx.params["allowed"])
    used = used_materials(asset)
    for index, mat in authored_materials(asset):
        model = "unlit" if mat.unlit else mat.workflow
        if model == "unknown" or model in allowed or index not in used:
            continue
        yield ctx.finding(
            f"material {mat.name or f'#{index}'!r} is {model}; the target takes "
            + " or ".join(sorted(allowed)),
            subject=mat.name or f"material #{index}",
            subject_type="material",
        )


@group.rule(
    "M006",
    "missing-normal-map",
    severity="info",
    summary="a textured material without a normal map where the target expects one",
    fix="Bake a tangent-space normal map (OpenGL convention, green up) from the "
    "high-resolution source and assign it.",
    targets=("game", "web"),
)
def missing_normal_map(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Low-polygon real-time assets carry their fine surface detail in a normal map;
    storefront checklists (Shopify, Khronos 3D Commerce) ask for one with every textured
    material. An untextured material (a plain colour) is not expected to have one."""
    used = used_materials(asset)
    for index, mat in authored_materials(asset):
        if index in used and "base_color" in mat.textures and "normal" not in mat.textures:
            yield ctx.finding(
                f"material {mat.name or f'#{index}'!r} has a base color texture but no normal map",
                subject=mat.name or f"material #{index}",
                subject_type="material",
            )


def vertex_colour_only(mesh: Mesh, asset: Asset) -> int:
    """How many distinct colours (to 8 bits) a mesh carries in its vertex colours when
    none of its faces has a base-colour texture: the colour lives in the vertices only.
    0 when the mesh has no vertex colours, one colour for all, or a colour texture."""
    colors = mesh.colors
    if colors is None or not mesh.triangle_count or len(colors) != mesh.vertex_count:
        return 0
    for slot in material_slots(mesh):
        if 0 <= slot < len(asset.materials) and "base_color" in asset.materials[slot].textures:
            return 0
    used = np.unique(mesh.triangles[(mesh.triangles >= 0).all(axis=1)].ravel())
    used = used[used < mesh.vertex_count]
    rgb = np.round(np.clip(np.nan_to_num(colors[used, :3]), 0, 1) * 255).astype(np.int64)
    distinct = len(np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]))
    return distinct if distinct > 1 else 0


@group.rule(
    "M007",
    "vertex-colour-only",
    severity="info",
    summary="colour carried only in vertex colours, with whether the target shows them",
    fix="Bake the vertex colours into a base-colour texture on a UV unwrap (`assetlint fix` "
    "does it with xatlas for targets that ignore them; Blender: Bake > Diffuse > Color "
    "from the Color Attribute).",
    params={"bake": False, "note": ""},
)
def vertex_colour_only_rule(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Image-to-3D generators that output marching-cubes meshes (TripoSR, InstantMesh,
    Shap-E, Point-E) colour them per vertex, with no UVs and no texture. Whether that
    colour survives depends on the destination: glTF viewers multiply the base colour by
    COLOR_0, Unity's standard materials ignore it, Roblox multiplies it by the part's
    colour, an STL print drops it. The pack says which (``note``) and whether a fix must
    bake the colour into a texture for it (``bake``); the message counts the colours at
    stake so that a fix that loses them cannot pass unnoticed."""
    note = str(ctx.params.get("note") or "")
    for _, mesh, label in iter_meshes(asset):
        distinct = vertex_colour_only(mesh, asset)
        if distinct:
            yield ctx.finding(
                f"colour only in vertex colours: {distinct:,} distinct colours on "
                f"{mesh.triangle_count:,} triangles, no base-colour texture"
                + (f"; {note}" if note else ""),
                subject=label,
                subject_type="mesh",
                count=distinct,
                value=distinct,
            )
