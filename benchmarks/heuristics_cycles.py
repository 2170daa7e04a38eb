"""An independent labelled set for H001 and H002: real light baked by Blender's Cycles.

Run with a Python that has Blender's ``bpy`` module (the optional ``bench-cycles``
extra, e.g. in a venv of its own: it is 370 MB and pins its own numpy)::

    nice python -m benchmarks.heuristics_cycles --out /tmp/cycles-set
    nice python -m benchmarks.heuristics_cycles --out /tmp/cycles-set7 --splits holdout

(tuning and scoring: 224 files; 2.5 min of CPU, 33 min of wall time on a 2-core machine
shared by eight jobs. holdout: 112 files, 81 s of CPU, 5.5 min of wall time among six;
tuning2, 126 files with the warm sun. bpy 4.2 may crash on exit after labels.json is
written: the set is complete.)

Four splits of different meshes (:data:`SPLITS`): thresholds are chosen on ``tuning``
and ``tuning2`` (hard-surface meshes of flat panels and a warm sun, which ``tuning``
lacks) and the rules scored on ``scoring`` and ``holdout``; each split mixes generated
shapes and real UV-mapped meshes of ../shared (their own UVs, scaled into a unit ball),
and no two share a mesh or a seed. The scoring split has been read case by case while
choosing detectors; the held-out split is for scoring only, never for reading its cases
(the report prints its totals alone). A bake writes one value per texel, so a texel two
faces share (mirrored halves, a tube's inner and outer walls on one strip, wheels on one
patch) holds the light of whichever face was baked last and follows neither: a mesh
whose own UVs overlap (:func:`uv_overlap`, more than UV_OVERLAP_TOLERANCE of its texels;
the Duck, the tube, the milk truck, the Damaged Helmet) is smart-projected afresh before
baking, and one that still overlaps is refused.

It shares no code with assetlint (it imports nothing of it) and no formula with the
detectors: the light is whatever Cycles renders (path tracing with shadows, global
illumination and the occlusion of the sky), baked as the DIFFUSE pass with direct,
indirect and colour contributions, that is the albedo times the irradiance each texel
receives. Each case is a mesh (generated in Blender: UV sphere, Suzanne, torus, a
bevelled box, a cone, a staircase, a gear, a capsule, a chamfered crate, a wedge, an
L-bracket, a chair of boxes, with smart-projected UVs, and a trefoil knot's tube with
UVs of its own; or a real one) with a 256x256 albedo of colour regions and a photo's
per-texel noise, lit by one setup (:data:`SETUPS`): a hard sun (small disc, dim sky:
sharp cast shadows), a sun over a bright sky (global illumination), a warm (orange) sun
over a white sky, a weak sun or area light over a bright sky (lit/unlit contrast 1.1 to
1.4), an area light, a point light, a soft studio (two area lights and a bright sky) or
the sky alone (ambient occlusion and nothing else). The glTF written carries the baked
texture as its base colour; the same mesh with its true albedo is written as a clean
case.

Labels (``labels.json``), from the bake itself: the contrast is the ratio of the 90th to
the 10th percentile of the baked irradiance over the texels the surface uses (light and
occlusion together); the key light's own lit/unlit contrast is that of the bake over a
second bake with the key hidden (sky, bounce and occlusion alone), both summed over 5x5
texels against the path tracer's noise. H001 is True for a key light whose own contrast
is at least 1.1 (weak: 1.1 to 1.4),
False on clean cases and None for the soft studio and the sky (light from everywhere:
no one direction to find). The direction recorded points from the object towards the
key light, in glTF's frame (+Y up).

H002 (ambient occlusion baked into the albedo) is labelled from an ambient-only bake:
the same DIFFUSE bake with every lamp hidden, the sky alone (its rays unbounded, as the
sky's light is, with its bounces). Irradiance is a bake over the albedo, summed over 9x9
texels. The *occluded* texels are the tenth the sky reaches least, the *open* ones the
half it reaches most; two contrasts define the label (:func:`occlusion_label`):

- the ambient contrast, open over occluded in the ambient-only bake (ratio of medians):
  how much the mesh's own shape shades its crevices from the sky (1.0 on a convex
  object, whatever the light);
- the visible contrast: how much brighter the occluded texels of the lit bake (the
  file's albedo) would be were the sky not occluded there, the key light's own part
  held as it is: a key much stronger than the sky drowns the occlusion (the same
  occluded texels, lit by the key, barely darker than open ones), a key that leaves
  them in shadow leaves it whole.

H002 is True when both are at least :data:`OCCLUSION_TRUE` (crevices a quarter darker
than the open surface: plainly visible), False when either is below
:data:`OCCLUSION_FALSE` (within the bake's noise and the eye's threshold) and on every
clean case, None between. The planes (lit, ambient, albedo, covered) of every lit case
are kept beside it (``NAME-lit.npz``) so that ``--relabel`` recomputes the labels without
Blender.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

SIZE = 256  # texture side
SAMPLES = 16  # Cycles samples per texel: a bake, not a beauty render
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
# Real UV-mapped meshes (their own UVs) beside generated shapes; no mesh in both splits
REAL = {
    "duck": "gltf-samples/Duck/Duck.glb",
    "fuze": "meshes/fuze.obj",
    "monkey": "meshes/monkey.glb",
    "tube": "meshes/tube.obj",
    "fox": "gltf-samples/Fox/Fox.glb",
    "truck": "gltf-samples/CesiumMilkTruck/CesiumMilkTruck.glb",
    "helmet": "gltf-samples/DamagedHelmet/DamagedHelmet.gltf",
    "teapot": "usd/usdwg/full_assets/Teapot/geo/UtahTeapot.usd",
    "man": "usd/usdwg/test_assets/USDZ/CesiumMan/CesiumMan.usdz",
    # hard surface: flat panels, each of which sees one light level
    "boxtex": "gltf-samples/BoxTextured/BoxTextured.glb",
    "plate": "meshes/testplate.glb",
    "blocks": "usd/usdwg/full_assets/McUsd/McUsd.usda",
}
SPLITS = {
    "tuning": (("sphere", "suzanne", "torus", "cone", "duck", "fuze", "monkey"), 0),
    "scoring": (("box", "cylinder", "blob", "bowl", "tube", "fox", "truck"), 1),
    # held out: scored, never looked at case by case while choosing a detector
    "holdout": (("steps", "gear", "capsule", "knot", "helmet", "teapot", "man"), 2),
    # a second tuning split of what the first lacks: hard-surface meshes of flat panels
    # (a crate, a wedge, an L-bracket, a chair of boxes, a textured cube, a plate, a
    # block scene) and the warm sun (all splits may bake it; sets 5 to 7 predate it)
    "tuning2": (("crate", "wedge", "bracket", "chair", "boxtex", "plate", "blocks"), 3),
}
SETUPS = (
    "sun",
    "sun-weak",
    "area-weak",
    "area",
    "point",
    "sun-sky",
    "studio",
    "sky",
    "sun-warm",  # last: the seeds of the setups before it stay as they were
)
KEY_SHARE = {  # how strong the sky is beside the key
    "sun": 0.15,
    "sun-weak": 1.0,
    "area-weak": 1.0,
    "area": 0.2,
    "point": 0.2,
    "sun-sky": 0.8,
    "sun-warm": 0.8,
}
PHOTO_NOISE = 2 / 255
SMOOTH_ANGLE = 40  # degrees: the generated shapes' steps are below (torus 30)
OCCLUSION_BOX = 9  # texels: H002's contrasts are summed over 9x9 against the noise
OCCLUSION_TRUE = 1.25  # open over occluded: H002 True at or above (both contrasts)
OCCLUSION_FALSE = 1.1  # H002 False below (either contrast)
# share of the covered texels two faces claim at which a mesh's own UVs count as
# overlapping (mirrored halves, a tube's two walls on one strip): Blender bakes the last
# face into a shared texel, so its bake follows neither face and labels nothing. 1%: a
# few texel centres on a seam that two faces' edges graze are not an overlap
UV_OVERLAP_TOLERANCE = 0.01


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 decoding."""
    return np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 encoding, clipped to 0..1."""
    v = np.clip(v, 0.0, 1.0)
    return np.where(v > 0.0031308, 1.055 * np.power(v, 1 / 2.4) - 0.055, 12.92 * v)


def albedo_image(rng: np.random.Generator) -> np.ndarray:
    """(SIZE, SIZE, 3) sRGB values: a few soft-edged colour regions with fine noise."""
    colours = rng.uniform(0.25, 0.8, (4, 3))
    seeds = rng.uniform(0, SIZE, (4, 2))
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    d = np.hypot(xx[..., None] - seeds[:, 0], yy[..., None] - seeds[:, 1])
    img = colours[d.argmin(axis=2)]
    img += rng.uniform(-PHOTO_NOISE, PHOTO_NOISE, img.shape)
    return np.clip(img, 0, 1)


def uv_overlap(triangles: np.ndarray, size: int = SIZE) -> float:
    """Share of the texels of a ``size`` square texture whose centre lies inside more than
    one of ``triangles`` ((T, 3, 2) UVs), over the texels any covers; UVs wrap as the
    texture repeats. Each triangle is rasterised at the bake's resolution over its
    bounding box (texel centres strictly inside: a centre on an edge two neighbours
    share counts for neither), so faces that only touch never overlap."""
    uv = np.asarray(triangles, dtype=np.float64) * size - 0.5  # texel-centre units
    a, b, c = uv[:, 0], uv[:, 1], uv[:, 2]
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    keep = np.abs(area) > 1e-12
    uv, area = uv[keep], area[keep]
    lo = np.ceil(uv.min(axis=1)).astype(np.int64)
    hi = np.floor(uv.max(axis=1)).astype(np.int64)
    span = np.maximum(hi - lo + 1, 0)
    counts = span[:, 0] * span[:, 1]
    face = np.repeat(np.arange(len(uv)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    x = lo[face, 0] + k % np.maximum(span[face, 0], 1)
    y = lo[face, 1] + k // np.maximum(span[face, 0], 1)
    p = np.stack([x, y], axis=1).astype(np.float64)
    t = uv[face]
    # the three edge functions, signed by the triangle's winding: all > 0 inside
    inside = np.ones(len(face), dtype=bool)
    for i in range(3):
        e0, e1 = t[:, i], t[:, (i + 1) % 3]
        cross = (e1[:, 0] - e0[:, 0]) * (p[:, 1] - e0[:, 1]) - (e1[:, 1] - e0[:, 1]) * (
            p[:, 0] - e0[:, 0]
        )
        inside &= cross * np.sign(area[face]) > 1e-9
    texel = (y[inside] % size) * size + x[inside] % size
    faces = np.bincount(texel, minlength=size * size)
    covered = np.count_nonzero(faces)
    return float(np.count_nonzero(faces > 1) / covered) if covered else 0.0


def _uv_triangles(obj) -> np.ndarray:
    """(T, 3, 2) UVs of ``obj``'s triangles in its active UV layer."""
    mesh = obj.data
    mesh.calc_loop_triangles()
    loops = np.empty(len(mesh.loop_triangles) * 3, dtype=np.int64)
    mesh.loop_triangles.foreach_get("loops", loops)
    uv = np.empty(len(mesh.loops) * 2)
    mesh.uv_layers.active.data.foreach_get("uv", uv)
    return uv.reshape(-1, 2)[loops].reshape(-1, 3, 2)


def _unwrap(bpy) -> None:
    """Smart-project the active object's UVs: islands packed apart, none overlapping."""
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.select_all(action="SELECT")
    bpy.ops.uv.smart_project(island_margin=0.03)
    bpy.ops.object.mode_set(mode="OBJECT")


def _reset(bpy) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = SAMPLES
    scene.cycles.use_denoising = False
    scene.render.bake.margin = 4


def _generated(bpy, kind: str, rng: np.random.Generator):
    ops = bpy.ops.mesh
    if kind == "sphere":
        ops.primitive_uv_sphere_add(segments=48, ring_count=24, radius=0.5)
    elif kind == "suzanne":
        ops.primitive_monkey_add(size=1.0)
        bpy.ops.object.modifier_add(type="SUBSURF")
        bpy.context.object.modifiers[-1].levels = 1
    elif kind == "torus":
        ops.primitive_torus_add(major_radius=0.4, minor_radius=0.15)
    elif kind == "box":
        ops.primitive_cube_add(size=0.8)
        bpy.ops.object.modifier_add(type="BEVEL")
        bpy.context.object.modifiers[-1].width = 0.08
        bpy.context.object.modifiers[-1].segments = 3
    elif kind == "cylinder":
        ops.primitive_cylinder_add(vertices=48, radius=0.35, depth=0.9)
        bpy.ops.object.modifier_add(type="BEVEL")
        bpy.context.object.modifiers[-1].width = 0.04
        bpy.context.object.modifiers[-1].segments = 2
    elif kind == "blob":  # a lumpy stone: an icosphere pushed in and out by random waves
        ops.primitive_ico_sphere_add(subdivisions=4, radius=0.5)
        mesh = bpy.context.object.data
        co = np.empty(len(mesh.vertices) * 3)
        mesh.vertices.foreach_get("co", co)
        co = co.reshape(-1, 3)
        waves = rng.normal(size=(6, 3)) * 3
        bump = np.sin(co @ waves.T + rng.uniform(0, 6.3, 6)).sum(axis=1)
        co *= (1 + 0.12 * bump)[:, None]
        mesh.vertices.foreach_set("co", co.ravel())
    elif kind == "bowl":  # a thick open bowl: a deep concavity
        ops.primitive_uv_sphere_add(segments=48, ring_count=24, radius=0.5)
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.select_all(action="DESELECT")
        bpy.ops.object.mode_set(mode="OBJECT")
        mesh = bpy.context.object.data
        for v in mesh.vertices:
            v.select = v.co.z > 0.2
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.delete(type="VERT")
        bpy.ops.object.mode_set(mode="OBJECT")
        bpy.ops.object.modifier_add(type="SOLIDIFY")
        bpy.context.object.modifiers[-1].thickness = 0.06
    elif kind == "steps":  # a staircase: concave inner corners along every step
        run = np.linspace(-0.45, 0.45, 5)
        rise = np.linspace(-0.35, 0.35, 5)
        top = [
            (x, z) for i in range(4) for x, z in ((run[i], rise[i + 1]), (run[i + 1], rise[i + 1]))
        ]
        _prism(bpy, [(run[0], rise[0]), (run[-1], rise[0]), *top[::-1]], 0.6, "y")
    elif kind == "gear":  # a toothed wheel with a hub: narrow gaps between the teeth
        t = np.linspace(0, 2 * np.pi, 96, endpoint=False)
        radius = np.where((np.arange(96) // 4) % 2 == 0, 0.45, 0.32)
        _prism(bpy, np.column_stack([radius * np.cos(t), radius * np.sin(t)]), 0.22, "z")
    elif kind == "capsule":  # convex: a sphere's halves pulled apart by a cylinder
        ops.primitive_uv_sphere_add(segments=48, ring_count=25, radius=0.28)
        mesh = bpy.context.object.data
        co = np.empty(len(mesh.vertices) * 3)
        mesh.vertices.foreach_get("co", co)
        co = co.reshape(-1, 3)
        co[:, 2] += 0.2 * np.sign(co[:, 2])
        mesh.vertices.foreach_set("co", co.ravel())
    elif kind == "crate":  # a long box, its edges chamfered: flat panels
        ops.primitive_cube_add(size=1.0)
        bpy.context.object.scale = (0.9, 0.55, 0.5)
        bpy.ops.object.transform_apply(scale=True)
        bpy.ops.object.modifier_add(type="BEVEL")
        bpy.context.object.modifiers[-1].width = 0.03
        bpy.context.object.modifiers[-1].segments = 1
    elif kind == "wedge":  # a ramp: three flat faces at three slopes
        _prism(bpy, [(-0.45, -0.25), (0.45, -0.25), (0.45, 0.25)], 0.6, "y")
    elif kind == "bracket":  # an L: a concave inner corner between two flat plates
        _prism(
            bpy,
            [(-0.4, -0.4), (0.4, -0.4), (0.4, -0.25), (-0.25, -0.25), (-0.25, 0.4), (-0.4, 0.4)],
            0.5,
            "y",
        )
    elif kind == "chair":  # an assembly of boxes: seat, four legs, back
        parts = [((0.0, 0.0, 0.0), (0.6, 0.6, 0.06))]
        parts += [((x, y, -0.25), (0.06, 0.06, 0.44)) for x in (-0.26, 0.26) for y in (-0.26, 0.26)]
        parts.append(((0.0, 0.27, 0.28), (0.6, 0.06, 0.5)))
        for centre, size in parts:
            ops.primitive_cube_add(size=1.0, location=centre)
            bpy.context.object.scale = size
        bpy.ops.object.select_all(action="SELECT")
        bpy.ops.object.join()
        bpy.ops.object.transform_apply(location=True, scale=True)
    elif kind == "knot":  # a trefoil tube: strands shading each other at every crossing
        t = np.linspace(0, 2 * np.pi, 240, endpoint=False)
        path = 0.13 * np.stack(
            [np.sin(t) + 2 * np.sin(2 * t), np.cos(t) - 2 * np.cos(2 * t), -np.sin(3 * t)], axis=1
        )
        _tube(bpy, path, 0.06, 16)
    else:
        ops.primitive_cone_add(radius1=0.45, depth=0.9, vertices=48)
    obj = bpy.context.object
    for mod in list(obj.modifiers):
        bpy.ops.object.modifier_apply(modifier=mod.name)
    # smooth but for edges sharper than SMOOTH_ANGLE (the cone's rim, the bowl's lip):
    # normals averaged across a hard edge bend below the faces, and the path tracer then
    # shades them by the surface itself, a darkening that no real shape has
    bpy.ops.object.shade_smooth_by_angle(angle=np.radians(SMOOTH_ANGLE))
    if kind != "knot":  # the knot's tube has UVs of its own
        _unwrap(bpy)
    return obj


def _add(bpy, name: str, vertices: np.ndarray, faces: list) -> None:
    """Link a new mesh object of ``vertices`` and ``faces`` and make it the active one."""
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([tuple(v) for v in vertices], [], faces)
    mesh.update()
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    bpy.ops.object.select_all(action="DESELECT")
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj


def _prism(bpy, outline, depth: float, axis: str) -> None:
    """A closed prism: the counter-clockwise polygon ``outline`` (2D points) swept
    ``depth`` along ``axis`` ("y": the outline lies in x-z; "z": in x-y)."""
    ring = np.asarray(outline, dtype=np.float64)
    n = len(ring)
    sides = []
    for h in (-depth / 2, depth / 2):
        if axis == "z":
            sides.append(np.column_stack([ring, np.full(n, h)]))
        else:
            sides.append(np.column_stack([ring[:, 0], np.full(n, -h), ring[:, 1]]))
    i = np.arange(n)
    j = (i + 1) % n
    faces = [tuple(f) for f in np.stack([i, j, j + n, i + n], axis=1).tolist()]
    faces += [tuple(range(n - 1, -1, -1)), tuple(range(n, 2 * n))]
    _add(bpy, "prism", np.concatenate(sides), faces)


def _tube(bpy, path: np.ndarray, radius: float, sides: int) -> None:
    """A closed tube of ``radius`` around the closed polyline ``path`` ((N, 3))."""
    tangent = np.roll(path, -1, axis=0) - np.roll(path, 1, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.cross(tangent, [0.0, 0.0, 1.0])
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    binormal = np.cross(tangent, normal)
    a = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    ring = np.cos(a)[None, :, None] * normal[:, None] + np.sin(a)[None, :, None] * binormal[:, None]
    vertices = (path[:, None] + radius * ring).reshape(-1, 3)
    n = len(path)
    i, k = np.meshgrid(np.arange(n), np.arange(sides), indexing="ij")
    quad = np.stack(
        [
            i * sides + k,
            i * sides + (k + 1) % sides,
            ((i + 1) % n) * sides + (k + 1) % sides,
            ((i + 1) % n) * sides + k,
        ],
        axis=-1,
    )
    _add(bpy, "tube", vertices, [tuple(q) for q in quad.reshape(-1, 4).tolist()])
    # UVs of its own, 10 square patches along the path (a smart projection folds each
    # strip of a twisted tube onto itself): corner (ring, side) of each face, unwrapped
    patch = n // 10
    ring = np.stack([i, i, i + 1, i + 1], axis=-1)
    side = np.stack([k, k + 1, k + 1, k], axis=-1)
    p = i[..., None] // patch
    u = (p % 4) * 0.25 + 0.01 + (ring - p * patch) / patch * 0.23
    v = (p // 4) * 0.33 + 0.01 + side / sides * 0.23
    mesh = bpy.context.object.data
    mesh.uv_layers.new(name="UVMap")
    mesh.uv_layers.active.data.foreach_set("uv", np.stack([u, v], axis=-1).ravel())


def _real(bpy, kind: str):
    """A real mesh of ../shared with its own UVs: its UV-mapped parts joined into one
    object (parts without UVs, armatures and modifiers dropped), centred and scaled into
    a ball of radius 0.5."""
    path = CORPUS / REAL[kind]
    if path.suffix == ".obj":
        bpy.ops.wm.obj_import(filepath=str(path))
    elif path.suffix.startswith(".usd"):  # .usd, .usda, .usdz
        bpy.ops.wm.usd_import(filepath=str(path))
    else:
        bpy.ops.import_scene.gltf(filepath=str(path))
    meshes = []
    for obj in list(bpy.context.scene.objects):
        if obj.type == "MESH" and len(obj.data.uv_layers):
            meshes.append(obj)
        else:
            bpy.data.objects.remove(obj, do_unlink=True)
    for obj in meshes:
        obj.modifiers.clear()
        world = obj.matrix_world.copy()
        obj.parent = None
        obj.matrix_world = world
        obj.data.materials.clear()
    bpy.ops.object.select_all(action="DESELECT")
    for obj in meshes:
        obj.select_set(True)
    bpy.context.view_layer.objects.active = meshes[0]
    if len(meshes) > 1:
        bpy.ops.object.join()
    obj = bpy.context.object
    bpy.ops.object.transform_apply(location=True, rotation=True, scale=True)
    co = np.empty(len(obj.data.vertices) * 3)
    obj.data.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    co -= (co.min(axis=0) + co.max(axis=0)) / 2
    co *= 0.5 / np.linalg.norm(co, axis=1).max()
    obj.data.vertices.foreach_set("co", co.ravel())
    obj.data.update()
    return obj


def _mesh(bpy, kind: str, rng: np.random.Generator):
    """The case's object, its UVs free of overlap: a real mesh whose own UVs overlap
    (:func:`uv_overlap` above UV_OVERLAP_TOLERANCE) is smart-projected afresh, and a mesh
    that still overlaps is refused rather than labelled."""
    if kind not in REAL:
        obj = _generated(bpy, kind, rng)
    else:
        obj = _real(bpy, kind)
        if uv_overlap(_uv_triangles(obj)) > UV_OVERLAP_TOLERANCE:
            _unwrap(bpy)
    overlap = uv_overlap(_uv_triangles(obj))
    if overlap > UV_OVERLAP_TOLERANCE:
        raise RuntimeError(f"{kind}: {overlap:.1%} of its texels are shared by two faces")
    return obj


def _image(bpy, name: str, srgb: np.ndarray | None):
    img = bpy.data.images.new(name, SIZE, SIZE, alpha=False)
    img.colorspace_settings.name = "sRGB"
    if srgb is not None:
        rgba = np.concatenate([srgb, np.ones((SIZE, SIZE, 1))], axis=2)
        img.pixels.foreach_set(rgba[::-1].astype(np.float32).ravel())  # rows bottom-up
    return img


def _pixels(img) -> np.ndarray:
    out = np.empty(SIZE * SIZE * 4, dtype=np.float32)
    img.pixels.foreach_get(out)
    return out.reshape(SIZE, SIZE, 4)[::-1, :, :3].astype(np.float64)


def _material(bpy, obj, albedo):
    mat = bpy.data.materials.new("albedo")
    mat.use_nodes = True
    nodes = mat.node_tree.nodes
    bsdf = nodes["Principled BSDF"]
    bsdf.inputs["Roughness"].default_value = 1.0
    tex = nodes.new("ShaderNodeTexImage")
    tex.image = albedo
    mat.node_tree.links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    obj.data.materials.clear()
    obj.data.materials.append(mat)
    return mat


def _towards(rng: np.random.Generator) -> np.ndarray:
    """A random direction towards the light, Blender frame (+Z up), above the horizon
    more often than not."""
    d = rng.normal(size=3)
    d[2] = abs(d[2]) * (1 if rng.random() < 0.8 else -1)
    return d / np.linalg.norm(d)


def _aim(obj, towards: np.ndarray, distance: float) -> None:
    """Place ``obj`` at ``distance`` along ``towards``, its -Z axis at the origin."""
    from mathutils import Vector

    obj.location = Vector(towards * distance)
    obj.rotation_euler = Vector(-towards).to_track_quat("-Z", "Y").to_euler()


def _lights(bpy, setup: str, rng: np.random.Generator) -> tuple[np.ndarray | None, float]:
    """Add the setup's lights and sky; (direction towards the key light, sky strength)."""
    world = bpy.data.worlds.new("sky")
    bpy.context.scene.world = world
    world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    towards = _towards(rng)
    sky = KEY_SHARE.get(setup, 0.7 if setup == "studio" else 1.0)
    background.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
    background.inputs["Strength"].default_value = sky
    data = None
    if setup in ("sun", "sun-weak", "sun-sky", "sun-warm"):
        data = bpy.data.lights.new("key", "SUN")
        energy = {"sun": 3.0, "sun-weak": rng.uniform(0.3, 1.0), "sun-sky": 2.0, "sun-warm": 2.0}
        data.energy = energy[setup]
        if setup == "sun-warm":  # a low evening sun: orange against the white sky
            data.color = (1.0, rng.uniform(0.55, 0.8), rng.uniform(0.25, 0.5))
        data.angle = np.radians(rng.uniform(0.5, 3) if setup == "sun" else rng.uniform(1, 15))
    elif setup in ("area", "area-weak"):
        data = bpy.data.lights.new("key", "AREA")
        data.energy = 150.0 if setup == "area" else rng.uniform(15, 60)
        data.size = rng.uniform(0.5, 2.0)
    elif setup == "point":
        data = bpy.data.lights.new("key", "POINT")
        data.energy = 120.0
        data.shadow_soft_size = rng.uniform(0.02, 0.3)
    if data is not None:
        key = bpy.data.objects.new("key", data)
        bpy.context.scene.collection.objects.link(key)
        _aim(key, towards, 3.0)
        return towards, sky
    if setup == "sky":
        return None, sky
    for k in range(2):  # studio: two large soft boxes either side of the camera
        data = bpy.data.lights.new(f"soft{k}", "AREA")
        data.energy = 100.0
        data.size = 3.0
        soft = bpy.data.objects.new(f"soft{k}", data)
        bpy.context.scene.collection.objects.link(soft)
        side = np.array([(-1) ** k * 0.8, -1.0, 0.6])
        _aim(soft, side / np.linalg.norm(side), 3.0)
    return None, sky


def _box(image: np.ndarray, k: int = 5) -> np.ndarray:
    """Sum over k x k texels (zeros outside), by cumulative sums."""
    pad = np.pad(image, ((k // 2 + 1, k // 2), (k // 2 + 1, k // 2)))
    c = pad.cumsum(axis=0).cumsum(axis=1)
    return c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]


def _bake(bpy, obj, mat, kind: str, **options) -> np.ndarray:
    """Bake one pass of ``obj`` into a new float image; linear RGB (SIZE, SIZE, 3), 0
    outside the islands. Float: an 8-bit image would clip the lit side at 1 and round
    the darkest crevices to 0, which is also the value of texels no island covers."""
    target = bpy.data.images.new("baked", SIZE, SIZE, alpha=False, float_buffer=True)
    node = mat.node_tree.nodes.new("ShaderNodeTexImage")
    node.image = target
    mat.node_tree.nodes.active = node
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    bpy.ops.object.bake(type=kind, **options)
    pixels = _pixels(target)
    mat.node_tree.nodes.remove(node)
    bpy.data.images.remove(target)
    return pixels


def occlusion_contrasts(
    lit: np.ndarray, ambient: np.ndarray, albedo: np.ndarray, covered: np.ndarray
) -> tuple[float, float]:
    """(ambient, visible) occlusion contrasts from (SIZE, SIZE) planes of linear light
    summed over RGB: the lit bake, the ambient-only bake and the albedo, over the texels
    the UV islands cover (``covered``, bool; a texel the sky never reached is 0 and
    still counts). Irradiance per
    texel is a bake over the albedo, both summed over OCCLUSION_BOX squared written texels
    (over 5x5 the 16 samples' noise alone gives a sphere 1.1); occluded texels are the
    tenth with the least ambient irradiance, open ones the half with the most. Ambient:
    open over occluded, ratio of medians. Visible: over the occluded texels, the median
    of (lit - ambient + open) / lit, with ``open`` the open texels' median ambient: how
    much brighter each would be in this light were the sky not occluded there, the key's
    own light (or shadow) held as it is. NaN both when fewer than 100 windows lie whole
    inside the islands (a mesh smart-projected into many small islands, the Damaged
    Helmet): nothing to read, and :func:`occlusion_label` leaves the case unlabelled."""
    written = covered.astype(np.float64)
    k = OCCLUSION_BOX
    base = _box(albedo * written, k)
    used = _box(written, k) >= k * k  # the whole window written: no island edge
    if np.count_nonzero(used) < 100:  # islands too small to read (unlabelled, not False)
        return float("nan"), float("nan")
    e_amb = (_box(ambient * written, k) / np.maximum(base, 1e-9))[used]
    e_lit = (_box(lit * written, k) / np.maximum(base, 1e-9))[used]
    lo, mid = np.percentile(e_amb, [10, 50])
    occluded = e_amb <= lo
    open_level = np.median(e_amb[e_amb >= mid])
    ambient_c = open_level / max(np.median(e_amb[occluded]), 1e-9)
    unoccluded = e_lit[occluded] - e_amb[occluded] + open_level
    visible_c = np.median(unoccluded / np.maximum(e_lit[occluded], 1e-9))
    return float(ambient_c), float(visible_c)


def occlusion_label(ambient_contrast: float, visible_contrast: float) -> bool | None:
    """H002's label from :func:`occlusion_contrasts` (see the module's docstring)."""
    if min(ambient_contrast, visible_contrast) >= OCCLUSION_TRUE:
        return True
    if min(ambient_contrast, visible_contrast) < OCCLUSION_FALSE:
        return False
    return None


def bake_case(bpy, kind: str, setup: str, seed: int, out: Path) -> dict:
    rng = np.random.default_rng([seed, sum(map(ord, kind)), SETUPS.index(setup)])
    _reset(bpy)
    obj = _mesh(bpy, kind, rng)
    albedo_srgb = albedo_image(rng)
    albedo = _image(bpy, "albedo", albedo_srgb)
    mat = _material(bpy, obj, albedo)
    towards, sky = _lights(bpy, setup, rng)
    passes = {"DIRECT", "INDIRECT", "COLOR"}
    baked = _bake(bpy, obj, mat, "DIFFUSE", pass_filter=passes)
    # the texels the islands cover: the albedo pass alone, nowhere 0 on them
    covered = _bake(bpy, obj, mat, "DIFFUSE", pass_filter={"COLOR"}).sum(axis=2) > 0
    key_contrast = None
    if towards is not None:
        # the key light's own lit/unlit contrast: the bake over the same bake without the
        # key (sky, bounce and occlusion alone), both smoothed over 5x5 texels against
        # the path tracer's noise, 90th percentile over 10th
        bpy.data.objects["key"].hide_render = True
        ambient = _bake(bpy, obj, mat, "DIFFUSE", pass_filter=passes)
        bpy.data.objects["key"].hide_render = False
        lit_sum, ambient_sum = _box(baked.sum(axis=2)), _box(ambient.sum(axis=2))
        both = (baked.sum(axis=2) > 0) & (ambient_sum > 0)
        ratio = lit_sum[both] / ambient_sum[both]
        lo, hi = np.percentile(ratio, [10, 90])
        key_contrast = float(hi / max(lo, 1e-6))
        sky_only = ambient  # the key is the only lamp
    else:  # the sky alone, every lamp hidden (the studio's soft boxes): H002's label
        lamps = [o for o in bpy.data.objects if o.type == "LIGHT"]
        for lamp in lamps:
            lamp.hide_render = True
        sky_only = baked
        if lamps:
            sky_only = _bake(bpy, obj, mat, "DIFFUSE", pass_filter=passes)
    base = srgb_to_linear(albedo_srgb)
    planes = [
        *(p.sum(axis=2).astype(np.float32) for p in (baked, sky_only, base)),
        covered,
    ]
    ambient_c, visible_c = occlusion_contrasts(*planes)
    # irradiance per texel: baked over albedo, on the texels the bake wrote
    written = covered
    irradiance = (baked.sum(axis=2) / np.maximum(base.sum(axis=2), 1e-6))[written]
    scale = float(np.median(irradiance))
    lo, hi = np.percentile(irradiance, [10, 90])
    contrast = float(hi / max(lo, 1e-6))
    lit = np.where(written[..., None], baked / max(scale, 1e-6), base)
    name = f"{kind}-{setup}-{seed}"
    files = {}
    for variant, image in (("lit", linear_to_srgb(lit)), ("clean", albedo_srgb)):
        albedo.pixels.foreach_set(
            np.concatenate([image, np.ones((SIZE, SIZE, 1))], axis=2)[::-1]
            .astype(np.float32)
            .ravel()
        )
        path = out / f"{name}-{variant}.glb"
        bpy.ops.export_scene.gltf(
            filepath=str(path), export_format="GLB", use_selection=True, export_image_format="AUTO"
        )
        files[variant] = path.name
    # glTF frame: Blender (x, y, z) -> (x, z, -y)
    direction = None if towards is None else [towards[0], towards[2], -towards[1]]
    np.savez_compressed(out / f"{name}-lit.npz", *planes)
    return {
        files["lit"]: {
            "H001": (key_contrast >= 1.1) if key_contrast is not None else None,
            "key_contrast": None if key_contrast is None else round(key_contrast, 3),
            "H002": occlusion_label(ambient_c, visible_c),
            "direction": direction,
            "contrast": round(contrast, 3),
            "ambient_contrast": round(ambient_c, 3),
            "visible_contrast": round(visible_c, 3),
            "mesh": kind,
            "setup": setup,
        },
        files["clean"]: {"H001": False, "H002": False, "direction": None, "mesh": kind},
    }


def relabel(folder: Path) -> dict:
    """labels.json of ``folder`` with H002 and its contrasts recomputed from the kept
    irradiance planes (no Blender needed)."""
    labels = json.loads((folder / "labels.json").read_text())
    for name, label in labels.items():
        planes = folder / name.replace(".glb", ".npz")
        if name.endswith("-lit.glb") and planes.is_file():
            with np.load(planes) as data:
                ambient_c, visible_c = occlusion_contrasts(*(data[k] for k in data.files))
            label["H002"] = occlusion_label(ambient_c, visible_c)
            label["ambient_contrast"] = round(ambient_c, 3)
            label["visible_contrast"] = round(visible_c, 3)
    return labels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--splits", default=",".join(SPLITS))
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument(
        "--relabel", action="store_true", help="recompute H002 labels of --out, no baking"
    )
    args = parser.parse_args(argv)
    if args.relabel:
        labels = relabel(args.out)
        (args.out / "labels.json").write_text(json.dumps(labels, indent=1))
        return
    import bpy  # the optional bench-cycles extra

    args.out.mkdir(parents=True, exist_ok=True)
    labels = {}
    for split in args.splits.split(","):
        meshes, seed = SPLITS[split]
        for kind in meshes:
            for setup in args.setups.split(","):
                for name, label in bake_case(bpy, kind, setup, seed, args.out).items():
                    labels[name] = {**label, "split": split}
                print(split, kind, setup, flush=True)
                # written as it grows: bpy may crash on exit
                (args.out / "labels.json").write_text(json.dumps(labels, indent=1))


if __name__ == "__main__":
    main()
