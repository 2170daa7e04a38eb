"""Renders: coverage and depth of the rasterizer, texture orientation, defects in pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from assetlint.engine import Engine
from assetlint.geometry.raster import VIEWS, build_scene, cameras, rasterize
from assetlint.render import add_render_command, best_views, contact_sheet, render_views
from assetlint.render.marks import COLORS
from assetlint.render.views import _nice, scale_bar, scale_bar_label
from tests.loaders.make_gltf import write_gltf
from tests.render.shapes import asset_of, grid_box, textured_quad
from tests.shapes import asymmetric_object

HOLE = np.array(COLORS["hole"], dtype=np.uint8)


def _view(views, name):
    return next(v for v in views if v.name == name)


def _is(image: Image.Image, colour) -> np.ndarray:
    return (np.asarray(image) == np.asarray(colour, dtype=np.uint8)).all(axis=2)


def test_seven_views_in_order():
    views = render_views(asset_of(*grid_box(2)), size=64)
    assert [v.name for v in views] == list(VIEWS)
    assert [v.name for v in views] == [
        "front",
        "back",
        "left",
        "right",
        "top",
        "bottom",
        "three-quarter",
    ]
    assert all(v.image.size == (64, 64) for v in views)


def test_hole_is_marked_in_the_view_facing_it():
    # quad (1, 2) of the front face is missing: x in [0.25, 0.5], y in [0.5, 0.75], z = 1
    asset = asset_of(*grid_box(4, ("front", 1, 2)))
    findings = Engine.default().run(asset, ["G003"])
    assert [f.code for f in findings] == ["G003"]
    views = render_views(asset, findings, size=256)
    front = _view(views, "front")
    cam = front.raster.camera
    x, y, _ = cam.project(np.array([[0.25, 0.5, 1.0], [0.5, 0.75, 1.0], [0.375, 0.625, 1.0]]))
    red = _is(front.image, HOLE)
    # the outline of the hole is red all round, and only there
    rows, cols = np.nonzero(red)
    assert red.sum() > 4 * 0.25 * cam.scale * 2
    assert x[0] - 2 <= cols.min() and cols.max() <= x[1] + 2
    assert y[1] - 2 <= rows.min() and rows.max() <= y[0] + 2
    # through the hole: the inside of the back wall, drawn as a back side (not the front)
    cx, cy = int(x[2]), int(y[2])
    # depth is measured from the box centre along the view: the z = 0 wall, not z = 1
    assert front.raster.depth[cy, cx] == pytest.approx(0.5, abs=0.01)
    pixel = np.asarray(front.image)[cy, cx].astype(int)
    assert pixel[2] > pixel[1] + 40  # purple back-side tint
    # seen from behind, the hole is hidden: drawn faint, never in the full colour
    assert not _is(_view(views, "back").image, HOLE).any()
    assert best_views(views) == {0: "front"}


def test_back_view_differs_from_front_and_mirrors_its_silhouette():
    asset = asset_of(*asymmetric_object())
    views = render_views(asset, size=128)
    front, back = _view(views, "front"), _view(views, "back")
    f_mask = front.raster.triangle >= 0
    b_mask = back.raster.triangle >= 0
    assert f_mask.sum() > 1000
    # orthographic views from opposite sides: one silhouette is the other mirrored
    assert (f_mask != np.fliplr(b_mask)).sum() <= 0.01 * f_mask.sum()
    diff = np.abs(np.asarray(front.image, float) - np.asarray(back.image, float)).mean()
    assert diff > 5


def test_fine_mesh_covers_like_two_triangles():
    """Sub-pixel triangles leave no pinholes: a 1 m square cut into 80,000 triangles covers
    exactly the pixels the same square of two triangles covers."""
    n = 200
    s = np.linspace(0, 1, n + 1)
    xx, yy = np.meshgrid(s, s, indexing="ij")
    fine_pos = np.column_stack([xx.ravel(), yy.ravel(), np.zeros(xx.size)]).astype(np.float32)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    a = (i * (n + 1) + j).ravel()
    fine_tris = np.concatenate(
        [np.column_stack([a, a + n + 1, a + n + 2]), np.column_stack([a, a + n + 2, a + 1])]
    )
    coarse_pos = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float32)
    coarse_tris = np.array([[0, 1, 2], [0, 2, 3]])
    masks = []
    for pos, tris in ((fine_pos, fine_tris), (coarse_pos, coarse_tris)):
        scene = build_scene(asset_of(pos, tris))
        front = cameras(scene.bounds, 97)[0]
        masks.append(rasterize(scene, front).triangle >= 0)
    side = 0.45 * 97 / np.sqrt(0.5)  # pixels per metre when the square's diagonal fits
    assert masks[1].sum() == pytest.approx(side * side, rel=0.05)
    assert (masks[0] != masks[1]).sum() <= 0.005 * masks[1].sum()
    assert masks[0].sum() > 0.99 * masks[1].sum()


def test_nearest_triangle_wins():
    # two unit squares, the second 0.5 m nearer the front camera and half as wide
    far = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float32)
    near = far * [0.5, 1, 1] + [0, 0, 0.5]
    pos = np.vstack([far, near]).astype(np.float32)
    tris = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])
    scene = build_scene(asset_of(pos, tris))
    cam = cameras(scene.bounds, 64)[0]
    raster = rasterize(scene, cam)
    x, y, z = cam.project(np.array([[0.25, 0.5, 0.5], [0.75, 0.5, 0.0]]))
    assert raster.triangle[int(y[0]), int(x[0])] in (2, 3)
    assert raster.triangle[int(y[1]), int(x[1])] in (0, 1)
    assert raster.depth[int(y[0]), int(x[0])] == pytest.approx(z[0], abs=1e-3)


def test_albedo_texture_is_sampled_with_gltf_uv_orientation():
    views = render_views(textured_quad(), size=128)
    front = _view(views, "front")
    cam = front.raster.camera
    x, y, _ = cam.project(np.array([[0.25, 0.75, 0], [0.75, 0.75, 0], [0.25, 0.25, 0]]))
    img = np.asarray(front.image).astype(int)
    top_left, top_right, bottom_left = (img[int(b), int(a)] for a, b in zip(x, y, strict=True))
    assert top_left[0] > 150 and top_left[1] < 60 and top_left[2] < 60  # red
    assert top_right[1] > 150 and top_right[0] < 60  # green
    assert bottom_left[2] > 150 and bottom_left[0] < 60  # blue


def test_flipped_faces_are_painted():
    pos, tris = grid_box(4)
    tris = tris.copy()
    front_faces = np.arange(32)  # the 16 quads of the front face come first
    tris[front_faces[:2]] = tris[front_faces[:2]][:, ::-1]
    asset = asset_of(pos, tris)
    findings = Engine.default().run(asset, ["G004"])
    assert [f.code for f in findings] == ["G004"]
    views = render_views(asset, findings, size=128)
    front = _view(views, "front")
    painted = np.isin(front.raster.triangle, [0, 1])
    img = np.asarray(front.image).astype(int)
    cyan = img[painted]
    assert painted.sum() > 20
    assert (cyan[:, 2] > cyan[:, 0] + 60).all()  # cyan-tinted, not the grey surface
    assert best_views(views) == {0: "front"}


def test_scale_bar_lengths():
    assert [_nice(v) for v in (0.37, 1.0, 7.5, 19, 0.0042)] == [0.2, 1.0, 5.0, 10.0, 0.002]


def test_scale_bar_speaks_the_assumed_unit():
    # 512 px at 100 px per unit: 1.5 units wide in 30% of the view. Read as metres that is
    # a 1 m bar of 100 px; an STL read in millimetres (S007's value 0.001) gets a 1 mm bar
    # of the same 100 px, not a "1 m" bar beside findings in millimetres.
    assert scale_bar(512, 100.0) == (1.0, 100.0)
    assert scale_bar(512, 100.0, 0.001) == pytest.approx((0.001, 100.0))
    assert scale_bar(512, 100.0, 0.01) == pytest.approx((0.01, 100.0))
    assert [scale_bar_label(0.02), scale_bar_label(0.02, 0.001), scale_bar_label(0.005)] == [
        "0.02 m",
        "20 mm",
        "5 mm",
    ]


def test_render_command_writes_a_sheet(tmp_path):
    import argparse

    path = write_gltf(tmp_path / "box.glb", *grid_box(3, ("back", 0, 0)))
    parser = argparse.ArgumentParser()
    add_render_command(parser.add_subparsers(dest="command"))
    out = tmp_path / "views.png"
    ns = parser.parse_args(["render", str(path), "--output", str(out), "--size", "96"])
    assert ns.func(ns) == 0
    with Image.open(out) as sheet:
        assert sheet.size == (4 * 96, 2 * 96)
        back = np.asarray(sheet.convert("RGB"))[:96, 96:192]
    assert _is(Image.fromarray(back), HOLE).sum() > 10
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"glTF\x02\x00\x00\x00")
    ns = parser.parse_args(["render", str(bad), "--output", str(tmp_path / "x.png")])
    assert ns.func(ns) == 2
    assert not (tmp_path / "x.png").exists()


def test_contact_sheet_layout():
    views = render_views(asset_of(*grid_box(1)), size=32)
    sheet = contact_sheet(views)
    assert sheet.size == (128, 64)
    assert np.array_equal(np.asarray(sheet)[32:, 64:96], np.asarray(views[6].image))


def test_light_arrow_drawn_across_the_view_not_end_on():
    from assetlint.findings import Finding

    asset = asset_of(*grid_box(2))
    light = Finding(
        "H001",
        "warning",
        "light baked into the albedo from the upper (direction +0.00 +1.00 +0.00), strength 0.5",
        "box.glb",
        subject_type="scene",
        direction=[0.0, 1.0, 0.0],
    )
    views = render_views(asset, [light], size=128)
    gold = {v.name: int(_is(v.image, COLORS["light"]).sum()) for v in views}
    assert gold["front"] > 50 and gold["left"] > 50
    assert gold["top"] == 0 and gold["bottom"] == 0  # the light points at the camera
    assert best_views(views)[0] in ("front", "back", "left", "right")


def test_floater_is_painted_and_ringed():
    from tests.rules.meshes import cube, merge

    big = grid_box(4)
    speck = cube(0.01, offset=(1.3, 0.5, 0.5))
    asset = asset_of(*merge(big, speck))
    findings = Engine.default().run(asset, ["G012"])
    assert [f.code for f in findings] == ["G012"]
    views = render_views(asset, findings, size=256)
    front = _view(views, "front")
    cam = front.raster.camera
    x, y, _ = cam.project(np.array([[1.305, 0.505, 0.51]]))
    ring = _is(front.image, COLORS["floater"])
    rows, cols = np.nonzero(ring)
    assert len(rows) > 20
    # the ring surrounds the speck, a few pixels out
    assert abs(cols.mean() - x[0]) < 3 and abs(rows.mean() - y[0]) < 3
    speck_faces = np.arange(len(big[1]), len(big[1]) + 12)
    painted = np.isin(front.raster.triangle, speck_faces)
    assert painted.any()


def test_self_intersections_are_painted():
    from tests.rules.meshes import cube, merge

    # a 0.6 m cube pushed through the +X side of a 1 m cube: 10 crossing faces
    asset = asset_of(*merge(cube(1.0), cube(0.6, offset=(0.7, 0.2, 0.2))))
    findings = Engine.default().run(asset, ["P001"])
    assert [(f.code, f.count) for f in findings] == [("P001", 10)]
    views = render_views(asset, findings, size=128)
    right = _view(views, "right")
    crossing = np.isin(right.raster.triangle, findings[0].sample["faces"])
    assert crossing.sum() > 200
    img = np.asarray(right.image).astype(int)[crossing]
    assert (img[:, 2] > img[:, 0] + 60).all()  # blue-painted
    counts = {
        v.name: int(np.isin(v.raster.triangle, findings[0].sample["faces"]).sum()) for v in views
    }
    assert counts[best_views(views)[0]] == max(counts.values())


def test_bad_indices_and_nan_corners_are_skipped():
    pos, tris = grid_box(2)
    pos = np.vstack([pos, [[np.nan, 0, 0]]]).astype(np.float32)
    nan_vertex = len(pos) - 1
    tris = np.vstack([tris, [[0, 1, nan_vertex], [0, 1, 999], [-1, 0, 1]]]).astype(np.int32)
    scene = build_scene(asset_of(pos, tris))
    assert len(scene.triangles) == len(tris) - 3
    assert np.allclose(scene.bounds, [[0, 0, 0], [1, 1, 1]])
    views = render_views(asset_of(pos, tris), size=64)
    assert len(views) == 7 and (views[0].raster.triangle >= 0).sum() > 500


def test_nothing_to_draw():
    empty = asset_of(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.int32))
    assert render_views(empty) == []


def test_instances_are_drawn_where_their_nodes_put_them():
    from assetlint.model import Node

    asset = asset_of(*grid_box(1))
    moved = np.eye(4)
    moved[:3, :3] = [[0, 0, 1], [0, 1, 0], [-1, 0, 0]]  # a quarter turn about Y
    moved[:3, 3] = [3.0, 0.5, 0.0]
    asset.nodes.append(Node("copy", local=moved, world=moved, mesh=0))
    scene = build_scene(asset)
    assert len(scene.triangles) == 24
    assert np.allclose(scene.bounds, [[0, 0, -1], [4, 1.5, 1]])


def test_vertex_colours_tint_the_surface():
    from assetlint.model import Mesh

    pos, tris = grid_box(2)
    colours = np.tile([[1.0, 0.0, 0.0, 1.0]], (len(pos), 1)).astype(np.float32)
    asset = asset_of(pos, tris)
    asset.meshes[0] = Mesh("box", pos, tris, colors=colours)
    front = _view(render_views(asset, size=128), "front")
    inner = np.zeros((128, 128), bool)
    inner[40:88, 40:88] = True  # the box face, clear of the scale bar and the label
    assert (front.raster.triangle[inner] >= 0).all()
    img = np.asarray(front.image).astype(int)[inner]
    assert (img[:, 0] > 100).all() and (img[:, 1] == 0).all() and (img[:, 2] == 0).all()


def test_many_named_vertices_are_each_dotted_not_circled():
    from assetlint.findings import Finding

    asset = asset_of(*grid_box(4))
    mesh = asset.meshes[0]
    front = np.flatnonzero(np.isclose(mesh.positions[:, 2], 1.0))  # 25 vertices, past 20
    bowties = Finding(
        "G002",
        "warning",
        f"{len(front)} vertices where faces meet only at a point",
        "box.glb",
        subject=mesh.name or "mesh #0",
        subject_type="mesh",
        sample={"vertices": front[:20].tolist()},
        elements={"vertices": front},
    )
    view = _view(render_views(asset, [bowties], size=128), "front")
    x, y, _ = view.raster.camera.project(mesh.positions[front].astype(np.float64))
    orange = _is(view.image, COLORS["non-manifold"])
    rows, cols = np.clip(np.round(y).astype(int), 0, 127), np.clip(np.round(x).astype(int), 0, 127)
    assert orange[rows, cols].all()  # every one of the 25, not the sample's 20
    assert orange.sum() <= 9 * len(front)  # 3 x 3 dots, no rings
    assert not _is(view.image, (0, 0, 0)).any()  # nor their black outlines
