"""An independent labelled set for H001 and H002: real light baked by Blender's Cycles.

Run with a Python that has Blender's ``bpy`` module (the optional ``bench-cycles``
extra, e.g. in a venv of its own: it is 370 MB and pins its own numpy)::

    python -m benchmarks.heuristics_cycles --out /tmp/cycles-set     # a few minutes

It shares no code with assetlint (it imports nothing of it) and no formula with the
detectors: the light is whatever Cycles renders (path tracing with shadows, global
illumination and the occlusion of the sky), baked as the DIFFUSE pass with direct,
indirect and colour contributions, that is the albedo times the irradiance each texel
receives. Each case is a Blender mesh (UV sphere, Suzanne, torus, a bevelled box, a
cone; smart-projected UVs) with a 256x256 albedo of colour regions and a photo's
per-texel noise, lit by one setup: a sun, an area light or a point light from a random
direction over a sky of some strength (strong and weak), or a soft studio (two area
lights and a bright sky). The glTF written carries the baked texture as its base colour;
the same mesh with its true albedo is written as a clean case.

Labels (``labels.json``), from the bake itself: the lit/unlit contrast is the ratio of
the 90th to the 10th percentile of the baked irradiance over the texels the surface
uses; H001 is True for a key light whose contrast is at least 1.1 (weak: 1.1 to 1.4),
False on clean cases and None for the soft studio (light from everywhere: no one
direction to find). H002 is True on the concave meshes (Suzanne, the torus) under a sky
at least as strong as the key, False on clean cases and on the convex meshes, None
otherwise. The direction recorded points from the object towards the key light, in
glTF's frame (+Y up).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

SIZE = 256  # texture side
SAMPLES = 16  # Cycles samples per texel: a bake, not a beauty render
MESHES = ("sphere", "suzanne", "torus", "box", "cone")
CONCAVE = {"suzanne", "torus"}
SETUPS = ("sun", "sun-weak", "area", "point", "sun-sky", "studio")
PHOTO_NOISE = 2 / 255


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


def _reset(bpy) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = SAMPLES
    scene.cycles.use_denoising = False
    scene.render.bake.margin = 4


def _mesh(bpy, kind: str):
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
    else:
        ops.primitive_cone_add(radius1=0.45, depth=0.9, vertices=48)
    obj = bpy.context.object
    for mod in list(obj.modifiers):
        bpy.ops.object.modifier_apply(modifier=mod.name)
    bpy.ops.object.shade_smooth()
    bpy.ops.object.mode_set(mode="EDIT")
    bpy.ops.mesh.select_all(action="SELECT")
    bpy.ops.uv.smart_project(island_margin=0.03)
    bpy.ops.object.mode_set(mode="OBJECT")
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
    sky = {"sun": 0.15, "sun-weak": 1.0, "area": 0.2, "point": 0.2, "sun-sky": 0.8}.get(setup, 0.7)
    background.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
    background.inputs["Strength"].default_value = sky
    data = None
    if setup in ("sun", "sun-weak", "sun-sky"):
        data = bpy.data.lights.new("key", "SUN")
        data.energy = {"sun": 3.0, "sun-weak": 0.35, "sun-sky": 2.0}[setup]
        data.angle = np.radians(rng.uniform(1, 15))
    elif setup == "area":
        data = bpy.data.lights.new("key", "AREA")
        data.energy = 150.0
        data.size = rng.uniform(0.5, 2.0)
    elif setup == "point":
        data = bpy.data.lights.new("key", "POINT")
        data.energy = 120.0
        data.shadow_soft_size = rng.uniform(0.05, 0.3)
    if data is not None:
        key = bpy.data.objects.new("key", data)
        bpy.context.scene.collection.objects.link(key)
        _aim(key, towards, 3.0)
        return towards, sky
    for k in range(2):  # studio: two large soft boxes either side of the camera
        data = bpy.data.lights.new(f"soft{k}", "AREA")
        data.energy = 100.0
        data.size = 3.0
        soft = bpy.data.objects.new(f"soft{k}", data)
        bpy.context.scene.collection.objects.link(soft)
        side = np.array([(-1) ** k * 0.8, -1.0, 0.6])
        _aim(soft, side / np.linalg.norm(side), 3.0)
    return None, sky


def bake_case(bpy, kind: str, setup: str, seed: int, out: Path) -> dict:
    rng = np.random.default_rng([seed, MESHES.index(kind), SETUPS.index(setup)])
    _reset(bpy)
    obj = _mesh(bpy, kind)
    albedo_srgb = albedo_image(rng)
    albedo = _image(bpy, "albedo", albedo_srgb)
    mat = _material(bpy, obj, albedo)
    towards, sky = _lights(bpy, setup, rng)
    target = _image(bpy, "baked", None)
    node = mat.node_tree.nodes.new("ShaderNodeTexImage")
    node.image = target
    mat.node_tree.nodes.active = node
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    bpy.ops.object.bake(type="DIFFUSE", pass_filter={"DIRECT", "INDIRECT", "COLOR"})
    baked = srgb_to_linear(_pixels(target))
    base = srgb_to_linear(albedo_srgb)
    # irradiance per texel: baked over albedo, on the texels the bake wrote
    written = baked.sum(axis=2) > 0
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
    key = towards is not None
    concave_sky = kind in CONCAVE and (not key or sky >= 0.5)
    return {
        files["lit"]: {
            "H001": (contrast >= 1.1) if key else None,
            "H002": True if concave_sky else (None if kind in CONCAVE else False),
            "direction": direction,
            "contrast": round(contrast, 3),
            "mesh": kind,
            "setup": setup,
        },
        files["clean"]: {"H001": False, "H002": False, "direction": None, "mesh": kind},
    }


def main(argv: list[str] | None = None) -> None:
    import bpy  # the optional bench-cycles extra

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--meshes", default=",".join(MESHES))
    parser.add_argument("--setups", default=",".join(SETUPS))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    labels = {}
    for kind in args.meshes.split(","):
        for setup in args.setups.split(","):
            labels.update(bake_case(bpy, kind, setup, args.seed, args.out))
            print(kind, setup, flush=True)
    (args.out / "labels.json").write_text(json.dumps(labels, indent=1))


if __name__ == "__main__":
    main()
