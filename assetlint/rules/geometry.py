"""Geometry and topology rules (G).

Topology is judged per mesh, in mesh-local canonical metres, on positions welded within
``weld_tolerance`` (a fraction of the mesh's bounding-box diagonal): generators split
vertices at every UV seam, and an unwelded seam is not a hole.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from assetlint.arrays import finite_rows, rows
from assetlint.findings import SAMPLE_LIMIT, Finding
from assetlint.geometry.shells import NESTED_SHARE, floating, nesting, nesting_across_meshes
from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, Topology, topology, totals
from assetlint.model import Asset
from assetlint.plugins import hookimpl
from assetlint.rules import AT_LEAST_ZERO, SHARE, RuleContext, RuleGroup, iter_meshes, plural
from assetlint.rules.scale import AssumedUnit, assumed_unit

group = RuleGroup(family="geometry", stage="mesh inspection")


@hookimpl
def assetlint_rules():
    return group.rules


@group.rule(
    "G009",
    "non-finite-coordinate",
    severity="error",
    summary="vertex positions that are NaN or infinite",
    fix="Delete or re-create the affected vertices in the source tool and re-export.",
)
def non_finite_coordinate(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A NaN or infinite coordinate has no place in space: bounds, normals, physics and
    slicing all break on it, and most engines either reject the mesh or draw garbage
    triangles across the screen. It usually comes from a division by zero in an exporter
    or a corrupt file."""
    for _, mesh, label in iter_meshes(asset):
        bad = np.flatnonzero(~finite_rows(mesh.positions))
        if len(bad):
            yield ctx.none_allowed(
                f"{len(bad):,} of {plural(mesh.vertex_count, 'vertex', 'vertices')} with NaN "
                "or infinite coordinates (limit 0)",
                subject=label,
                bad=bad,
                sample={"vertices": bad},
            )


@group.rule(
    "G010",
    "index-out-of-range",
    severity="error",
    summary="triangles that reference vertices that do not exist",
    fix="Re-export the mesh; the file's index data is corrupt.",
)
def index_out_of_range(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A triangle index that is negative or past the last vertex makes readers crash,
    reject the file, or read memory that is not the mesh. Loaders keep such triangles so
    that they can be reported here; every other rule ignores them."""
    for _, mesh, label in iter_meshes(asset):
        tris = mesh.triangles
        bad = np.flatnonzero(rows(np.logical_or, (tris < 0) | (tris >= mesh.vertex_count)))
        if len(bad):
            yield ctx.none_allowed(
                f"{len(bad):,} of {plural(mesh.triangle_count, 'triangle')} reference a vertex "
                f"index outside 0..{mesh.vertex_count - 1} (limit 0)",
                subject=label,
                bad=bad,
                sample={"faces": bad},
            )


WELD = {"weld_tolerance": DEFAULT_WELD_TOLERANCE}
WELD_RANGE = {"weld_tolerance": AT_LEAST_ZERO}


def _meshes(asset: Asset, ctx: RuleContext) -> Iterator[tuple[int, str, Topology]]:
    """(index, label, topology) of every mesh with triangles, at the rule's tolerance."""
    for index, mesh, label in iter_meshes(asset):
        if mesh.triangle_count:
            yield index, label, topology(mesh, ctx.params["weld_tolerance"])


def _scale(asset: Asset, mesh_index: int) -> float | None:
    """The uniform scale every instance of a mesh is drawn with, if they agree; lengths
    measured in mesh space are multiplied by it to be metres in the scene."""
    scales = set()
    for index, node in asset.placed_instances():
        if index == mesh_index:
            linear = node.world[:3, :3]
            scale = float(np.cbrt(abs(np.linalg.det(linear))))
            if not np.allclose(linear.T @ linear, np.eye(3) * scale**2, rtol=1e-5, atol=1e-9):
                return None
            scales.add(round(scale, 6))
    return scales.pop() if len(scales) == 1 else None


def _metres(
    asset: Asset, mesh_index: int, length: float, assumed: AssumedUnit | None = None
) -> str:
    """A mesh-space length in scene metres when the instances agree on a scale; in the
    unit S007 states (``assumed``) for a file that states none."""
    scale = _scale(asset, mesh_index)
    where = " (mesh-local)" if scale is None else ""
    length *= 1.0 if scale is None else scale
    if assumed is not None:
        return assumed.length(length) + where
    return f"{length:.4g} m{where}"


@group.rule(
    "G001",
    "non-manifold-edge",
    severity="error",
    mark="non-manifold",
    summary="edges shared by more than two faces",
    fix="Separate or delete the extra faces (Blender: Select > Select All by Trait > "
    "Non Manifold, then dissolve or split); re-mesh generator output if there are many.",
    params=WELD,
    ranges=WELD_RANGE,
)
def non_manifold_edge(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """An edge shared by three or more faces has no inside and outside: the surface
    branches there. Slicers cannot decide what is solid, normals and tangents are
    ill-defined, and remeshing, UV unwrapping, decimation and boolean tools fail or
    produce garbage on it. Edges are compared after welding, so seams split for UVs do not
    hide or fake the problem."""
    for _, label, topo in _meshes(asset, ctx):
        bad = topo.nonmanifold_edges
        if len(bad):
            worst = int(topo.edges.face_count[bad].max())
            yield ctx.none_allowed(
                f"{plural(len(bad), 'edge')} shared by more than two faces (up to {worst} faces "
                "on one edge; limit 0)",
                subject=label,
                bad=bad,
                sample={
                    "edges": topo.edge_vertices(bad[:SAMPLE_LIMIT]),
                    "faces": topo.edge_faces(bad[:SAMPLE_LIMIT]),
                },
                elements={"edges": topo.edge_vertices(bad), "faces": topo.edge_faces(bad)},
            )


@group.rule(
    "G002",
    "non-manifold-vertex",
    severity="warning",
    mark="non-manifold",
    summary="vertices where faces meet only at a point (bow-ties)",
    fix="Split the vertex so each fan of faces gets its own, or fill the gap between the "
    "fans (Blender: select the vertex and Rip / V, or Merge after bridging).",
    params=WELD,
    ranges=WELD_RANGE,
)
def non_manifold_vertex(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """At a bow-tie vertex the faces around it form two or more fans that touch only at
    that point, like two cones tip to tip. The surface is pinched to zero thickness there:
    a print breaks or fuses at that spot, and vertex normals, smoothing and decimation
    treat unrelated surfaces as neighbours. Vertices on non-manifold edges are reported by
    G001 instead."""
    for _, label, topo in _meshes(asset, ctx):
        bad = topo.nonmanifold_vertices
        if len(bad):
            verts = topo.representative[bad]
            yield ctx.none_allowed(
                f"{plural(len(bad), 'vertex', 'vertices')} where faces meet only at a point "
                f"(bow-ties, up to {int(topo.fans[bad].max())} separate fans; limit 0)",
                subject=label,
                bad=bad,
                sample={"vertices": verts},
                location=topo.welded_positions[bad[0]],
                elements={"vertices": verts},
            )


# A hole is visible in a game or viewer when the back faces seen through it (culled, so
# see-through) make one patch of at least this share of the object's silhouette in one of
# the six axis views: about a tenth of the object's width across. Measured at 256 px on
# real assets: open edges tucked under other plates (DamagedHelmet, 83 holes) or a few
# pinholes (TripoSR, Hunyuan3D) show patches of 0.02-0.18%; a wall with a hole (trimesh's
# wallhole.obj), the Utah teapot's open spout and lid, or triangle soup show 5-85%.
VISIBLE_HOLE = 0.01
HOLE_VIEW_PIXELS = 256


def see_through(asset: Asset) -> dict[int, tuple[float, str]]:
    """Per mesh index: (largest share of the silhouette, view) that one connected patch of
    its back faces covers in the six axis views: what a holed single-sided surface shows
    through its holes. Faces of double-sided materials are drawn from behind too, so they
    show no see-through patch."""
    from scipy import ndimage

    from assetlint.geometry.raster import build_scene, cameras, rasterize

    scene = build_scene(asset)
    if scene.bounds is None:
        return {}
    owner = np.concatenate(
        [np.full(len(kept), mesh, dtype=np.int64) for mesh, _, kept in scene.instances]
    )
    two_sided = np.array([m.double_sided for m in asset.materials] + [False], dtype=bool)
    normals = scene.face_normals(np.arange(len(scene.triangles)))
    known = (scene.material >= 0) & (scene.material < len(asset.materials))
    single = ~two_sided[np.where(known, scene.material, -1)]
    best: dict[int, tuple[float, str]] = {}
    for cam in cameras(scene.bounds, HOLE_VIEW_PIXELS)[:6]:  # the six axis views
        raster = rasterize(scene, cam)
        tri = raster.triangle
        hit = tri >= 0
        drawn = max(int(np.count_nonzero(hit)), 1)
        back = np.zeros(tri.shape, dtype=bool)
        back[hit] = (normals[tri[hit]] @ cam.forward > 0) & single[tri[hit]]
        for mesh in np.unique(owner[tri[back]]):
            labels, count = ndimage.label(back & (owner[np.maximum(tri, 0)] == mesh))
            share = float(np.bincount(labels.ravel())[1:].max()) / drawn if count else 0.0
            if share > best.get(int(mesh), (-1.0, ""))[0]:
                best[int(mesh)] = (share, cam.name)
    return best


@group.rule(
    "G003",
    "open-boundary",
    severity="warning",
    mark="hole",
    summary="holes: loops of edges used by one face only, with their lengths",
    fix="Fill the holes (Blender: select the boundary loop and press F or Grid Fill; "
    "MeshLab: Close Holes) or make the surface closed in the source.",
    params={**WELD, "unitless_unit": "m", "visible_share": VISIBLE_HOLE},
    ranges={**WELD_RANGE, "visible_share": SHARE},
)
def open_boundary(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A boundary edge belongs to one face only; a loop of them is a hole. A mesh meant to
    be solid cannot be printed, voxelised or used for volume and collision with holes,
    and holes show as see-through gaps in a game or viewer. Positions are welded first,
    so the splits a generator or exporter makes along UV seams are not counted as holes.
    Lengths are in scene metres when every instance of the mesh has the same scale,
    mesh-local otherwise; a file that states no units (STL, OBJ) is read in the unit S007
    states (``unitless_unit`` first: millimetres for printing). For a game or web target, and
    with no target (the default pack states what holds for every destination), a hole
    matters only where it shows: the mesh is rendered from the six axis views and the
    holes count as visible when the back faces seen through them form one patch of at least
    ``visible_share`` of the silhouette; open edges tucked under other parts, inside the
    object or too small to see are reported as information. A print needs every hole closed
    whatever it looks like. An open mesh can be intended (a plane, a leaf card): then make
    its material double-sided or ignore this rule for that asset."""
    assumed = assumed_unit(asset, ctx.params["unitless_unit"])
    visible = None
    for index, label, topo in _meshes(asset, ctx):
        loop, edges_per_loop, lengths = topo.boundary_loops
        if not len(edges_per_loop):
            continue
        largest = int(np.argmax(lengths))
        ids = topo.boundary_edges
        in_largest = ids[loop == largest]
        first = topo.edge_vertices(in_largest[:1])[0]
        severity, shows = None, ""
        if ctx.target != "print":  # a game, a viewer, or no destination named
            if visible is None:
                visible = see_through(asset)
            share, view = visible.get(index, (0.0, ""))
            limit = float(ctx.params["visible_share"])
            if share >= limit:
                shows = (
                    f"; visible: see-through patch {share:.1%} of the {view} view's "
                    f"silhouette (limit {limit:.0%})"
                )
            else:
                severity = "info"
                shows = (
                    f"; not visible from outside: largest see-through patch {share:.2%} of "
                    f"the silhouette (visible from {limit:.0%})"
                )
        yield ctx.finding(
            f"{plural(len(edges_per_loop), 'hole')} bounded by {plural(len(ids), 'open edge')}, "
            f"{_metres(asset, index, float(lengths.sum()), assumed)} of open boundary in all; "
            f"the largest is {_metres(asset, index, float(lengths[largest]), assumed)} around "
            f"({plural(int(edges_per_loop[largest]), 'edge')}; limit 0 holes){shows}",
            subject=label,
            subject_type="mesh",
            count=len(edges_per_loop),
            value=len(edges_per_loop),
            limit=0,
            sample={"edges": topo.edge_vertices(in_largest[:SAMPLE_LIMIT])},
            location=asset.meshes[index].positions[first[0]],
            severity=severity,
            elements={"edges": topo.edge_vertices(ids)},  # every hole, for the renders
        )


@group.rule(
    "G004",
    "inconsistent-winding",
    severity="error",
    mark="flipped",
    summary="neighbouring faces that disagree on which side is the front",
    fix="Recalculate normals outside (Blender: Mesh > Normals > Recalculate Outside; "
    "MeshLab: Re-Orient all faces coherently).",
    params=WELD,
    ranges=WELD_RANGE,
)
def inconsistent_winding(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Two faces sharing an edge should traverse it in opposite directions; when they
    traverse it the same way, one of them faces backwards. With back-face culling (the
    default in game engines and on the web) that face disappears, lighting flips across
    the edge, and for printing the inside and outside of the solid become ambiguous."""
    for _, label, topo in _meshes(asset, ctx):
        bad = topo.inconsistent_edges
        if len(bad):
            yield ctx.none_allowed(
                f"{plural(len(bad), 'edge')} traversed twice in the same direction by the two "
                "faces sharing them (limit 0)",
                subject=label,
                bad=bad,
                sample={
                    "edges": topo.edge_vertices(bad[:SAMPLE_LIMIT]),
                    "faces": topo.edge_faces(bad[:SAMPLE_LIMIT]),
                },
                elements={"edges": topo.edge_vertices(bad), "faces": topo.edge_faces(bad)},
            )


@group.rule(
    "G005",
    "inside-out-shell",
    severity="error",
    mark="flipped",
    summary="closed shells whose faces all point inward (negative signed volume)",
    fix="Flip the normals of the shell (Blender: Mesh > Normals > Flip, or Recalculate Outside).",
    params=WELD,
    ranges=WELD_RANGE,
)
def inside_out_shell(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A closed, consistently wound shell has a signed volume whose sign says which way its
    faces point. A negative volume means every face points inward: the object renders
    inside out with back-face culling, is lit from the wrong side, and a slicer treats it
    as a cavity. Only closed shells inside no other closed shell are judged, of their
    own mesh or, in the scene, of another mesh: an inward shell inside an outward one is
    a cavity, the hollow of a solid (see G017), whether its lining is modelled in the
    same mesh or as a mesh of its own, and open or badly wound shells have no defined
    inside (see G003 and G004)."""
    for index, label, topo in _meshes(asset, ctx):
        volumes = topo.part_volumes
        # "outer" is a closed shell whose volume is above rounding noise (closed_shells)
        outer = (nesting(topo).kind == "outer") & (_across(asset, ctx, index) == "")
        bad = np.flatnonzero(outer & (volumes < 0))
        if not len(bad):
            continue
        _, part = topo.parts
        faces = topo.face_index[np.isin(part, bad[:1])]
        closed = int(np.count_nonzero(outer))
        total = float(volumes[bad].sum())
        s = _scale(asset, index)
        vol = f"{total * s**3:.4g} m³" if s is not None else f"{total:.4g} m³ (mesh-local)"
        yield ctx.finding(
            f"{len(bad):,} of {plural(closed, 'outer closed shell')} inside out (signed volume "
            f"{vol}; limit: positive)",
            subject=label,
            subject_type="mesh",
            count=len(bad),
            value=total,
            limit=0,
            sample={"faces": faces},
            elements={"faces": topo.face_index[np.isin(part, bad)]},
        )


def _across(asset: Asset, ctx: RuleContext, index: int) -> np.ndarray:
    """Per part of mesh ``index`` at the rule's tolerance: its nesting kind in the
    closed shells of the scene's other meshes ("" where none holds it)."""
    kinds = nesting_across_meshes(asset, ctx.params["weld_tolerance"])
    count = topology(asset.meshes[index], ctx.params["weld_tolerance"]).parts[0]
    return kinds.get(index, np.full(count, "", dtype=object))


def _nested(asset: Asset, ctx: RuleContext, kind: str) -> Iterator[tuple[int, str, dict]]:
    """(mesh index, label, facts) of each mesh with parts of this nesting ``kind``, in a
    shell of their own mesh or, when in none of those, of another mesh: how many, their
    triangles, the least share of their samples inside (of those within their own
    mesh), their faces."""
    for index, label, topo in _meshes(asset, ctx):
        nest = nesting(topo)
        across = (nest.container < 0) & (_across(asset, ctx, index) == kind)
        parts = np.flatnonzero((nest.kind == kind) | across)
        if not len(parts):
            continue
        _, part = topo.parts
        mask = np.isin(part, parts)
        own = nest.share[parts][nest.container[parts] >= 0]
        yield (
            index,
            label,
            {
                "parts": len(parts),
                "triangles": int(np.count_nonzero(mask)),
                "share": float(own.min()) if len(own) else NESTED_SHARE,
                "faces": topo.face_index[mask],
                "volume": float(np.abs(topo.part_volumes[parts]).sum()),
                "closed": int(np.count_nonzero(topo.part_closed[parts])),
            },
        )


@group.rule(
    "G016",
    "hidden-shell",
    severity="warning",
    summary="parts lying inside a closed shell that faces the same way: never seen",
    fix="Delete the hidden parts, or join them to the outer surface if they should show "
    "(Blender: select the part with L, then delete or Boolean Union).",
    targets=("game", "web"),
    params=WELD,
    ranges=WELD_RANGE,
)
def hidden_shell(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A part wholly inside a closed shell, facing the same way as that shell (a solid
    inside a solid), or open inside it, can never be seen from outside: its triangles
    are drawn, skinned and downloaded for nothing, and where it pokes through the outer
    surface it z-fights with it. Generators leave such inner surfaces behind, and
    character models keep eyeballs or teeth inside a closed head. A part counts as inside
    when most of its sampled faces are (ray parity against the closed shells)."""
    for _, label, facts in _nested(asset, ctx, "hidden"):
        yield ctx.finding(
            f"{plural(facts['parts'], 'part')} ({plural(facts['triangles'], 'triangle')}) "
            f"hidden inside another closed shell facing the same way, at least "
            f"{facts['share']:.0%} inside (limit 0)",
            subject=label,
            subject_type="mesh",
            count=facts["parts"],
            value=facts["triangles"],
            limit=0,
            sample={"faces": facts["faces"]},
        )


@group.rule(
    "G017",
    "interior-cavity",
    severity="info",
    summary="closed shells facing inward inside an outward shell: hollows (cavities)",
    fix="Nothing to fix for a print (a hollow saves material; a resin print needs a drain "
    "hole). In a real-time asset the cavity is never seen: delete it to save triangles.",
    params=WELD,
    ranges=WELD_RANGE,
)
def interior_cavity(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A closed shell facing inward inside an outward one is the hollow of a solid: its
    negative volume is right, not inside out, and a slicer prints the object hollow. In
    a game or viewer the cavity's triangles are interior geometry no camera sees."""
    for index, label, facts in _nested(asset, ctx, "cavity"):
        s = _scale(asset, index)
        vol = (
            f"{facts['volume'] * s**3:.4g} m³"
            if s is not None
            else f"{facts['volume']:.4g} m³ (mesh-local)"
        )
        yield ctx.finding(
            f"{plural(facts['parts'], 'cavity', 'cavities')} inside a closed shell: "
            f"{plural(facts['triangles'], 'triangle')} of hidden interior geometry enclosing "
            f"{vol}",
            subject=label,
            subject_type="mesh",
            count=facts["parts"],
            value=facts["triangles"],
            sample={"faces": facts["faces"]},
        )


@group.rule(
    "G006",
    "degenerate-triangle",
    severity="warning",
    summary="triangles with a repeated vertex or (next to) zero area",
    fix="Remove degenerate faces (Blender: Mesh > Clean Up > Degenerate Dissolve; "
    "MeshLab: Remove Zero Area Faces).",
    params=WELD,
    ranges=WELD_RANGE,
)
def degenerate_triangle(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A triangle that names the same vertex twice, has two corners closer than the weld
    tolerance, or is flatter than it (height below the tolerance) covers no area. It has
    no normal, breaks tangent generation and some physics cookers, and is wasted work for
    the GPU. Such triangles are left out of the topology rules."""
    for _, label, topo in _meshes(asset, ctx):
        repeated = topo.repeated_index
        collapsed = np.setdiff1d(topo.collapsed, repeated)
        flat = topo.flat_faces
        count = len(repeated) + len(collapsed) + len(flat)
        if count:
            yield ctx.finding(
                f"{count:,} of {plural(topo.mesh.triangle_count, 'triangle')} degenerate: "
                f"{len(repeated):,} repeat a vertex index, {len(collapsed):,} have two corners "
                f"within {topo.tolerance:.3g} m, {len(flat):,} are flatter than that "
                "(limit 0)",
                subject=label,
                subject_type="mesh",
                count=count,
                value=count,
                limit=0,
                sample={"faces": np.concatenate([repeated, collapsed, flat])},
            )


@group.rule(
    "G007",
    "duplicate-triangle",
    severity="warning",
    summary="triangles over the same three vertices as another triangle",
    fix="Remove duplicate faces (Blender: Merge by Distance then Select > Select All by "
    "Trait > Interior Faces; MeshLab: Remove Duplicate Faces).",
    params=WELD,
    ranges=WELD_RANGE,
)
def duplicate_triangle(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Two triangles over the same three (welded) vertices draw the same surface twice:
    they z-fight when their windings differ, double the cost, and make every edge around
    them non-manifold. They usually come from merging two copies of a part."""
    for _, label, topo in _meshes(asset, ctx):
        dup = topo.duplicate_faces
        if len(dup):
            yield ctx.finding(
                f"{plural(len(dup), 'triangle')} over the vertices of another triangle (limit 0)",
                subject=label,
                subject_type="mesh",
                count=len(dup),
                value=len(dup),
                limit=0,
                sample={"faces": dup},
            )


@group.rule(
    "G008",
    "unreferenced-vertex",
    severity="warning",
    summary="vertices no triangle uses",
    fix="Delete loose vertices (Blender: Mesh > Clean Up > Delete Loose; MeshLab: Remove "
    "Unreferenced Vertices).",
)
def unreferenced_vertex(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A vertex no triangle uses is invisible but still uploaded, skinned and stored. It
    also inflates the bounding box the engine, the pivot and the scale rules compute, so a
    stray far-away vertex makes a small object look huge."""
    for _, mesh, label in iter_meshes(asset):
        bad = topology(mesh).unreferenced_vertices
        if len(bad) and mesh.triangle_count:
            yield ctx.none_allowed(
                f"{len(bad):,} of {plural(mesh.vertex_count, 'vertex', 'vertices')} used by no "
                "triangle (limit 0)",
                subject=label,
                bad=bad,
                sample={"vertices": bad},
            )


@group.rule(
    "G011",
    "triangle-soup",
    severity="warning",
    mark="none",
    summary="triangles that each carry their own copies of shared vertices",
    fix="Merge vertices by distance (Blender: Mesh > Clean Up > Merge by Distance; "
    "MeshLab: Merge Close Vertices), keeping seams where UVs differ.",
    params={**WELD, "max_share": 0.5},
    ranges={**WELD_RANGE, "max_share": SHARE},
)
def triangle_soup(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """In a triangle soup every triangle has its own three vertices, even where it touches
    its neighbours: the mesh has no connectivity, so it cannot be smoothed, simplified or
    unwrapped, and it costs up to six times the vertices. Copies that differ (vertices split
    along UV seams or hard edges, a flat-shaded mesh's per-face normals) do not count:
    only copies identical in position, normal and UVs. STL files are soups by design (the
    format cannot share vertices), so this rule skips them."""
    if asset.format == "stl":
        return
    limit = float(ctx.params["max_share"])
    for _, label, topo in _meshes(asset, ctx):
        used = int(np.count_nonzero(topo.references))
        soup = topo.soup_vertices
        share = len(soup) / used if used else 0.0
        if share > limit:
            yield ctx.finding(
                f"{share:.0%} of the {used:,} used vertices duplicate another vertex (same "
                f"position, normal and UVs) without being shared by any other triangle "
                f"(limit {limit:.0%})",
                subject=label,
                subject_type="mesh",
                count=len(soup),
                value=share,
                limit=limit,
                sample={"vertices": soup},
            )


@group.rule(
    "G012",
    "floating-part",
    severity="warning",
    mark="floater",
    summary="small disconnected pieces (floaters) beside the main part",
    fix="Delete the floaters (Blender: select the main part with L, invert, delete; "
    "MeshLab: Remove Isolated Pieces (wrt Diameter or Face Num)).",
    params={**WELD, "area_ratio": 0.001, "size_ratio": 0.02},
    ranges={**WELD_RANGE, "area_ratio": SHARE, "size_ratio": SHARE},
)
def floating_part(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Image-to-3D generators often leave small islands of surface floating around the
    object: specks of reconstructed background or noise. A part whose area or size is a
    tiny fraction of the largest part's is debris when it is made as debris is made.
    Designed small parts are made otherwise: they are copied (a mirrored pair of
    brackets, a row of bolts), where no two specks cut by noise come out alike; or they
    are held all round their open rim by the surfaces they meet (a CAD exporter meshes
    each face of a model on its own, its edges meeting the neighbours' in T-junctions),
    where debris is separated from the object by a gap. Floaters spoil the bounding box,
    shadows and collisions, and print as debris. A part inside a closed shell does not
    float: it is a cavity or hidden geometry (G017, G016), never deleted as debris,
    whether the shell is of its own mesh or, in the scene's world space, of another mesh
    (eyes modelled in the head mesh's socket, a lining in a shell of its own)."""
    area_ratio = float(ctx.params["area_ratio"])
    size_ratio = float(ctx.params["size_ratio"])
    for index, label, topo in _meshes(asset, ctx):
        count, part = topo.parts
        if count < 2:
            continue
        sizes = np.linalg.norm(topo.part_extents, axis=1)
        small = floating(topo, area_ratio, size_ratio, _across(asset, ctx, index) != "")
        bad = np.flatnonzero(small)
        if not len(bad):
            continue
        on = np.isin(part, bad)
        faces = topo.face_index[on]
        biggest = bad[np.argmax(sizes[bad])]
        yield ctx.none_allowed(
            f"{plural(len(bad), 'floating part')} ({plural(len(faces), 'face')}) smaller than "
            f"{area_ratio:.2%} of the main part's area or {size_ratio:.0%} of its size, "
            f"none a copy of another part nor held all round its rim by other parts; "
            f"the largest is {_metres(asset, index, float(sizes[biggest]))} across "
            f"(limit 0)",
            subject=label,
            bad=bad,
            sample={"faces": faces},
            location=topo.welded_positions[topo.faces[part == biggest][0, 0]],
            elements={"faces": faces, "parts": part[on]},
        )


@group.rule(
    "G013",
    "disconnected-parts",
    severity="info",
    mark="none",
    summary="how many separate parts a mesh is made of",
    fix="Nothing to fix if the parts are intended; join or separate them in the source otherwise.",
    params=WELD,
    ranges=WELD_RANGE,
)
def disconnected_parts(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A mesh made of several parts that share no edge is common and often fine (a chair
    and its cushions), but a generator's output is usually one connected surface, and a
    printer needs to know each separate body. Parts are counted after welding, so pieces
    split only along UV seams are one part."""
    for _, label, topo in _meshes(asset, ctx):
        count, part = topo.parts
        if count > 1:
            sizes = np.bincount(part, minlength=count)
            yield ctx.finding(
                f"mesh is {count:,} separate parts (largest {int(sizes.max()):,} of "
                f"{len(part):,} faces)",
                subject=label,
                subject_type="mesh",
                count=count,
                value=count,
            )


@group.rule(
    "G014",
    "uv-seam-split",
    severity="info",
    mark="none",
    summary="edges split in the index buffer (UV or normal seams) that welding closes",
    fix="Nothing to fix: seams are how UVs and hard edges are stored. Tools that judge "
    "topology on the raw index buffer report these as holes.",
    params=WELD,
    ranges=WELD_RANGE,
)
def uv_seam_split(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Vertices are split wherever their UV coordinates or normals differ on the two sides
    of an edge, so the faces on each side name different vertices at the same place. That
    is normal, not a hole; it is reported for information because tools that do not weld
    (and a slicer fed the raw buffer) see these edges as open."""
    for _, label, topo in _meshes(asset, ctx):
        seams = topo.seam_edge_count
        if seams:
            yield ctx.finding(
                f"{plural(seams, 'edge')} split along seams in the index buffer and closed once "
                f"positions are welded within {topo.tolerance:.3g} m",
                subject=label,
                subject_type="mesh",
                count=seams,
                value=seams,
            )


@group.rule(
    "G015",
    "geometry-totals",
    severity="info",
    mark="none",
    summary="triangle and vertex totals per mesh and for the scene",
    fix="Nothing to fix; budget rules (B) compare these totals with a target's limits.",
)
def geometry_totals(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Triangle and vertex counts decide whether an asset fits a real-time budget.
    Triangles are counted as drawn (a mesh instanced three times counts three times) and
    vertices as the GPU stores them (split at seams)."""
    t = totals(asset)
    scene = t["scene"]
    largest = max(t["meshes"], key=lambda m: m["triangles"], default=None)
    detail = (
        f"; largest mesh {largest['name'] or '#' + str(largest['mesh'])!r} has "
        f"{largest['triangles']:,} triangles"
        if largest is not None and len(t["meshes"]) > 1
        else ""
    )
    yield ctx.finding(
        f"{plural(scene['triangles'], 'triangle')} and "
        f"{plural(scene['vertices'], 'vertex', 'vertices')} drawn "
        f"({scene['unique_triangles']:,} and {scene['unique_vertices']:,} in "
        f"{plural(len(t['meshes']), 'mesh', 'meshes')}, "
        f"{plural(scene['instances'], 'instance')}){detail}",
        subject_type="scene",
        count=scene["triangles"],
        value=scene["triangles"],
    )
