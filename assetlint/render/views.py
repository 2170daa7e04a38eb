"""Shaded, textured views of an asset with its defects drawn on, and the contact sheet.

Views are orthographic and share one scale, so the scale bar is true in every view and
a part looks the same size from every side. Shading is Lambert plus ambient from a light
over the viewer's left shoulder; both sides of every face are drawn (a hole shows the
inside, tinted as a back side, instead of vanishing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assetlint.findings import Finding
from assetlint.geometry.raster import Camera, Raster, Scene, build_scene, cameras, rasterize
from assetlint.model import Asset
from assetlint.render.marks import COLORS, FACE_KINDS, LEGEND, Defects, collect
from assetlint.rules import Rule

if TYPE_CHECKING:  # Pillow is imported where used: the CLI imports this module at start-up
    from PIL import Image, ImageDraw

BACKGROUND = np.array([236, 238, 242], dtype=np.float32)
GRID = np.array([170, 176, 188], dtype=np.float32)
BASE = np.array([200, 200, 196], dtype=np.float32)  # untextured surface colour
AMBIENT = 0.4
MAX_TEXTURE = 2048  # texels on a side kept for sampling
THREADS = 2
# Points of one mark circled one by one up to this many; past it, drawn as dots.
CIRCLED_POINTS = 20


@dataclass
class View:
    name: str
    image: Image.Image
    raster: Raster
    # finding index -> how much of it this view shows (visible marked pixels)
    scores: dict[int, float]


def _nice(length: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``length``."""
    if length <= 0 or not math.isfinite(length):
        return 1.0
    p = 10.0 ** math.floor(math.log10(length))
    return max(m * p for m in (1, 2, 5) if m * p <= length)


def _albedo_maps(asset: Asset) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per material: sRGB base colour factor (0..255) and its decoded texture, if any."""
    out = []
    for mat in asset.materials:
        factor = np.clip(np.asarray(mat.base_color_factor[:3], dtype=np.float32), 0, 1)
        factor = 255 * factor ** (1 / 2.2)
        tex = None
        slot = mat.textures.get("base_color")
        if slot is not None and 0 <= slot.texture < len(asset.textures):
            texture = asset.textures[slot.texture]
            if not texture.missing and texture.error is None:
                try:
                    img = texture.image().convert("RGB")
                    img.thumbnail((MAX_TEXTURE, MAX_TEXTURE))
                    tex = np.asarray(img, dtype=np.uint8)
                except Exception:  # noqa: BLE001 - an undecodable image renders untextured
                    tex = None
        out.append((factor, tex))
    return out


def _shade(
    scene: Scene, raster: Raster, maps: list, face_kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(h, w, 3) float colours and the hit mask."""
    cam = raster.camera
    tri = raster.triangle.ravel()
    where = np.flatnonzero(tri >= 0)
    t = tri[where]
    bary = raster.bary.reshape(-1, 3)[where]
    rgb = np.empty((tri.size, 3), dtype=np.float32)
    rgb[:] = BACKGROUND
    if not len(where):
        return rgb.reshape(cam.height, cam.width, 3), np.zeros(tri.size, bool)
    corners = [c[t] for c in scene.corners]
    albedo = np.empty((len(t), 3), dtype=np.float32)
    albedo[:] = BASE
    mat = scene.material[t]
    uv = sum(bary[:, k, None] * scene.uvs[corners[k]] for k in range(3))
    for m in np.unique(mat):
        if m < 0 or m >= len(maps):
            continue
        sel = mat == m
        factor, tex = maps[m]
        colour = np.broadcast_to(factor, (int(sel.sum()), 3)).copy()
        if tex is not None:
            st = uv[sel]
            ok = np.isfinite(st).all(axis=1)
            th, tw = tex.shape[:2]
            u = np.floor(np.mod(st[ok, 0], 1.0) * tw).astype(np.int64).clip(0, tw - 1)
            v = np.floor(np.mod(st[ok, 1], 1.0) * th).astype(np.int64).clip(0, th - 1)
            colour[ok] *= tex[v, u] / np.float32(255)
        albedo[sel] = colour
    if scene.colors is not None:
        albedo *= sum(bary[:, k, None] * scene.colors[corners[k]] for k in range(3))
    normal = scene.face_normals(t)
    facing = normal @ cam.forward
    back = facing > 0
    normal[back] *= -1
    light = -cam.forward + 0.55 * cam.up - 0.35 * cam.right
    light /= np.linalg.norm(light)
    lambert = np.clip(normal @ light, 0, 1).astype(np.float32)
    albedo[back] = 0.45 * albedo[back] + 0.55 * np.float32(COLORS["back side"])
    shaded = albedo * (AMBIENT + (1 - AMBIENT) * lambert)[:, None]
    kinds = face_kinds[t]
    for k, name in enumerate(FACE_KINDS, start=1):
        sel = kinds == k
        if sel.any():
            tone = (0.6 + 0.4 * lambert[sel])[:, None]
            shaded[sel] = 0.25 * shaded[sel] + 0.75 * np.float32(COLORS[name]) * tone
    rgb[where] = shaded
    hit = np.zeros(tri.size, bool)
    hit[where] = True
    return rgb.reshape(cam.height, cam.width, 3), hit


def _ground(rgb: np.ndarray, raster: Raster, floor: float, radius: float) -> None:
    """Metre grid on the ground plane (the asset's lowest point), where it is in front of
    the asset or behind it in the background; edge-on, a horizon line."""
    cam = raster.camera
    h, w = cam.height, cam.width
    step = _nice(radius / 2.5)
    if abs(cam.forward[1]) < 1e-6:
        row = int(round(h / 2 - (floor - cam.center[1]) * cam.scale))
        if 0 <= row < h:
            line = ~np.isfinite(raster.depth[row])
            rgb[row, line] = GRID
        return
    if cam.forward[1] > 0:  # looking up from below: the ground would hide the asset
        return
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    a = (xs + 0.5 - w / 2) / cam.scale
    b = (h / 2 - ys - 0.5) / cam.scale
    c = cam.center
    d = (floor - c[1] - a * cam.right[1] - b * cam.up[1]) / cam.forward[1]
    gx = c[0] + a * cam.right[0] + b * cam.up[0] + d * cam.forward[0]
    gz = c[2] + a * cam.right[2] + b * cam.up[2] + d * cam.forward[2]
    near = np.maximum(np.abs(gx - c[0]), np.abs(gz - c[2])) <= 1.6 * radius
    width = 0.7 / cam.scale / max(abs(cam.forward[1]), 0.3)
    fx = np.abs(gx / step - np.round(gx / step)) * step
    fz = np.abs(gz / step - np.round(gz / step)) * step
    on = near & ((fx < width) | (fz < width)) & (d < raster.depth)
    rgb[on] = 0.35 * rgb[on] + 0.65 * GRID


def _segments(rgb: np.ndarray, raster: Raster, segments: np.ndarray, colour) -> int:
    """Draw world segments 3 px wide where visible, 1 px faint where hidden; returns the
    count of visible samples (how well this view shows them)."""
    if not len(segments):
        return 0
    cam = raster.camera
    h, w = cam.height, cam.width
    x, y, z = cam.project(segments.reshape(-1, 3))
    x, y, z = x.reshape(-1, 2), y.reshape(-1, 2), z.reshape(-1, 2)
    length = np.hypot(x[:, 1] - x[:, 0], y[:, 1] - y[:, 0])
    n = np.minimum(np.ceil(length * 2).astype(np.int64) + 1, 4 * w)
    seg = np.repeat(np.arange(len(n)), n)
    start = np.cumsum(n) - n
    s = (np.arange(n.sum()) - start[seg]) / np.maximum(n[seg] - 1, 1)
    sx = x[seg, 0] + s * (x[seg, 1] - x[seg, 0])
    sy = y[seg, 0] + s * (y[seg, 1] - y[seg, 0])
    sz = z[seg, 0] + s * (z[seg, 1] - z[seg, 0])
    ix, iy = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    ix, iy, sz = ix[inside], iy[inside], sz[inside]
    visible = sz <= raster.depth[iy, ix] + 3.0 / cam.scale
    colour = np.asarray(colour, dtype=np.float32)
    hidden = ~visible
    rgb[iy[hidden], ix[hidden]] = 0.5 * rgb[iy[hidden], ix[hidden]] + 0.5 * colour
    vx, vy = ix[visible], iy[visible]
    for ox in (-1, 0, 1):
        for oy in (-1, 0, 1):
            rgb[np.clip(vy + oy, 0, h - 1), np.clip(vx + ox, 0, w - 1)] = colour
    return int(visible.sum())


def _dots(rgb: np.ndarray, cam: Camera, points: np.ndarray, colour) -> None:
    """Each point as a 3 x 3 pixel dot: a finding naming hundreds of vertices (bow-ties)
    shows every one of them without circles covering the model."""
    x, y, _ = cam.project(points)
    h, w = rgb.shape[:2]
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            ix, iy = np.round(x).astype(np.int64) + dx, np.round(y).astype(np.int64) + dy
            inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
            rgb[iy[inside], ix[inside]] = colour


def _ring(draw: ImageDraw.ImageDraw, cam: Camera, points: np.ndarray, colour, pad: int = 6):
    x, y, _ = cam.project(points)
    box = [x.min() - pad, y.min() - pad, x.max() + pad, y.max() + pad]
    draw.ellipse(box, outline=(0, 0, 0), width=4)
    draw.ellipse(box, outline=colour, width=2)


def _arrow(draw: ImageDraw.ImageDraw, cam: Camera, direction: np.ndarray, radius: float) -> None:
    """The baked light as an arrow from the light towards the asset, when the view shows
    enough of the direction (not end-on)."""
    tail = cam.center + direction * radius * 1.2
    head = cam.center + direction * radius * 0.55
    x, y, _ = cam.project(np.stack([tail, head]))
    if math.hypot(x[1] - x[0], y[1] - y[0]) < 0.2 * radius * cam.scale:
        return
    colour = COLORS["light"]
    draw.line([(x[0], y[0]), (x[1], y[1])], fill=(0, 0, 0), width=7)
    draw.line([(x[0], y[0]), (x[1], y[1])], fill=colour, width=4)
    ang = math.atan2(y[1] - y[0], x[1] - x[0])
    tip = [(x[1], y[1])] + [
        (x[1] - 16 * math.cos(ang + s), y[1] - 16 * math.sin(ang + s)) for s in (0.45, -0.45)
    ]
    draw.polygon(tip, fill=colour, outline=(0, 0, 0))
    _label(draw, cam, "light", (x[0], y[0]), (x[1], y[1]))


def _label(draw: ImageDraw.ImageDraw, cam: Camera, text: str, tail, head) -> None:
    """``text`` by an arrow's tail, at the first place inside the view that keeps clear of
    the shaft: beyond the tail, else beside it, else beside the shaft further along (the
    tail may lie outside the view); nothing when no place fits."""
    left, top, right, bottom = draw.textbbox((0, 0), text)
    w, h = right - left, bottom - top
    length = max(math.hypot(tail[0] - head[0], tail[1] - head[1]), 1e-9)
    ux, uy = (tail[0] - head[0]) / length, (tail[1] - head[1]) / length
    t = np.linspace(0.0, 1.0, 24)
    shaft_x, shaft_y = tail[0] + t * (head[0] - tail[0]), tail[1] + t * (head[1] - tail[1])
    reach = 6 + math.hypot(w, h) / 2  # from the anchor to the label's centre
    sides = ((ux, uy), (-uy, ux), (uy, -ux), (ux - uy, uy + ux), (ux + uy, uy - ux))
    for along, (dx, dy) in [(0.0, d) for d in sides] + [
        (f, d) for f in (0.25, 0.5) for d in sides[1:3]
    ]:
        norm = math.hypot(dx, dy)
        ax, ay = tail[0] + along * (head[0] - tail[0]), tail[1] + along * (head[1] - tail[1])
        cx, cy = ax + dx / norm * reach, ay + dy / norm * reach
        box = (cx - w / 2 - 3, cy - h / 2 - 3, cx + w / 2 + 3, cy + h / 2 + 3)
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= cam.width and box[3] <= cam.height
        hits = (shaft_x >= box[0]) & (shaft_x <= box[2]) & (shaft_y >= box[1]) & (shaft_y <= box[3])
        if inside and not hits.any():
            draw.text((cx - w / 2 - left, cy - h / 2 - top), text, fill=(0, 0, 0))
            return


def scale_bar(width: int, scale: float, unit: float = 1.0) -> tuple[float, float]:
    """The scale bar of a view ``width`` pixels wide at ``scale`` pixels per scene unit:
    (a round length in metres, its length in pixels), about 30% of the width. ``unit`` is
    metres per scene unit (S007's assumed unit for a file that states none: 0.001 for an
    STL read in millimetres), so the bar speaks the lengths the findings speak."""
    metres = _nice(0.3 * width / scale * unit)
    return metres, metres / unit * scale


def _scale_bar(draw: ImageDraw.ImageDraw, cam: Camera, unit: float = 1.0) -> None:
    metres, px = scale_bar(cam.width, cam.scale, unit)
    x0, y0 = 12, cam.height - 18
    draw.rectangle([x0, y0, x0 + px, y0 + 5], fill=(30, 30, 30))
    draw.rectangle([x0 + px / 2, y0 + 1, x0 + px, y0 + 4], fill=(250, 250, 250))
    draw.text((x0, y0 - 13), scale_bar_label(metres, unit), fill=(20, 20, 20))


def scale_bar_label(metres: float, unit: float = 1.0) -> str:
    """'2 m', '5 mm'; in millimetres for a file read in millimetres ('20 mm', not
    '0.02 m'), as its findings speak."""
    if metres < 0.01 or unit == 0.001:
        return f"{metres * 1000:g} mm"
    return f"{metres:g} m"


def render_views(
    asset: Asset,
    findings: list[Finding] | None = None,
    size: int = 512,
    rules: Mapping[str, Rule] | None = None,
) -> list[View]:
    """The seven views of an asset (front, back, left, right, top, bottom, three-quarter)
    with the findings' defects drawn on as their rules declare (``rules``: the run's,
    by default every installed rule); empty when the asset draws no triangle."""
    from PIL import Image, ImageDraw

    findings = findings or []
    # the unit S007 read a unitless file in (metres per file unit), for the scale bar
    unit = next((float(f.value) for f in findings if f.code == "S007" and f.value), 1.0)
    scene = build_scene(asset)
    bounds = scene.bounds
    if bounds is None:
        return []
    defects: Defects = collect(asset, scene, findings, rules)
    face_kinds = defects.face_kinds(len(scene.triangles))
    maps = _albedo_maps(asset)
    radius = max(float(np.linalg.norm(bounds[1] - bounds[0])) / 2, 1e-9)
    views = []
    scene.corner_positions  # noqa: B018 - computed once before the threads share it
    cams = cameras(bounds, size)
    # numpy releases the GIL in its loops: two views rasterize at once on two cores.
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        rasters = list(pool.map(lambda cam: rasterize(scene, cam), cams))
    for cam, raster in zip(cams, rasters, strict=True):
        rgb, _ = _shade(scene, raster, maps, face_kinds)
        _ground(rgb, raster, float(bounds[0][1]), radius)
        scores: dict[int, float] = {}
        visible_tri = raster.triangle[raster.triangle >= 0]
        for index, mark in defects.marks.items():
            score = 0.0
            if len(mark.faces):
                marked = np.zeros(len(scene.triangles), bool)
                marked[mark.faces] = True
                score += float(marked[visible_tri].sum())
            if len(mark.segments):
                score += _segments(rgb, raster, mark.segments, COLORS[mark.kind])
            if len(mark.points):
                x, y, z = cam.project(mark.points)
                ix = np.clip(x.astype(int), 0, size - 1)
                iy = np.clip(y.astype(int), 0, size - 1)
                score += 50.0 * float((z <= raster.depth[iy, ix] + 3.0 / cam.scale).sum())
            scores[index] = score
        for mark in defects.marks.values():
            if len(mark.points) > CIRCLED_POINTS:
                _dots(rgb, cam, mark.points, COLORS[mark.kind])
        image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        for mark in defects.marks.values():
            for pts in mark.rings:
                _ring(draw, cam, pts, COLORS[mark.kind])
            if len(mark.points) > CIRCLED_POINTS:
                continue
            for x, y in zip(*cam.project(mark.points)[:2], strict=True):
                draw.ellipse([x - 6, y - 6, x + 6, y + 6], outline=(0, 0, 0), width=3)
                draw.ellipse([x - 5, y - 5, x + 5, y + 5], outline=COLORS[mark.kind], width=2)
        if defects.light is not None:
            _arrow(draw, cam, defects.light, radius)
            light_index = next(i for i, m in defects.marks.items() if m.kind == "light")
            scores[light_index] = float(np.linalg.norm(np.cross(defects.light, cam.forward)))
        _scale_bar(draw, cam, unit)
        draw.text((8, 6), cam.name, fill=(20, 20, 20))
        views.append(View(cam.name, image, raster, scores))
    return views


def best_views(views: list[View]) -> dict[int, str]:
    """For each marked finding, the name of the view that shows most of it."""
    best: dict[int, str] = {}
    top: dict[int, float] = {}
    for view in views:
        for index, score in view.scores.items():
            if score > top.get(index, 0.0):
                best[index], top[index] = view.name, score
    return best


def contact_sheet(views: list[View], columns: int = 4) -> Image.Image:
    """The views side by side on one image (two rows of four with seven views), with the
    legend of the marks in the free cell when there is one wide enough to read."""
    from PIL import Image, ImageDraw

    w, h = views[0].image.size
    rows = -(-len(views) // columns)
    sheet = Image.new("RGB", (columns * w, rows * h), tuple(int(c) for c in BACKGROUND))
    for i, view in enumerate(views):
        sheet.paste(view.image, ((i % columns) * w, (i // columns) * h))
    if len(views) < rows * columns and w >= LEGEND_MIN_WIDTH:
        n = len(views)
        _legend(ImageDraw.Draw(sheet), (n % columns) * w, (n // columns) * h, w, h)
    return sheet


LEGEND_MIN_WIDTH = 160  # pixels: narrower cells cannot hold a readable legend


def _legend(draw: ImageDraw.ImageDraw, x0: int, y0: int, width: int, height: int) -> None:
    """What each mark colour means, as a swatch and wrapped text per kind."""
    y = y0 + 8
    line = draw.textbbox((0, 0), "Ag")[3] + 2
    for kind, text in LEGEND.items():
        words, lines, current = text.split(), [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if current and draw.textlength(trial) > width - 34:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
        if y + line * len(lines) > y0 + height - 4:
            return
        draw.rectangle([x0 + 8, y + 1, x0 + 18, y + 11], fill=COLORS[kind], outline=(0, 0, 0))
        for text_line in lines:
            draw.text((x0 + 26, y), text_line, fill=(20, 20, 20))
            y += line
        y += 3
