"""The render PNG explains its colours: the free cell of the contact sheet holds the legend,
and the baked light's label sits beyond its arrow instead of on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from assetlint.cli import main
from assetlint.findings import Finding
from assetlint.render import render_views
from assetlint.render.marks import COLORS, LEGEND
from assetlint.render.views import BACKGROUND
from tests.render.shapes import asset_of, grid_box

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _has(pixels: np.ndarray, colour) -> bool:
    return bool((pixels == np.asarray(colour, dtype=np.uint8)).all(axis=2).any())


def test_render_png_carries_the_legend_in_its_free_cell(tmp_path, capsys):
    out = tmp_path / "views.png"
    assert main(["render", str(CORPUS / "generated" / "statue.glb"), "-o", str(out)]) == 0
    sheet = np.asarray(Image.open(out).convert("RGB"))
    size = sheet.shape[1] // 4
    free = sheet[size:, 3 * size :]  # seven views in two rows of four: the eighth cell
    assert all(_has(free, COLORS[kind]) for kind in LEGEND)
    tiny = tmp_path / "tiny.png"  # too narrow to read: the cell stays empty
    args = ["render", str(CORPUS / "generated" / "statue.glb"), "-o", str(tiny), "--size", "64"]
    assert main(args) == 0
    free = np.asarray(Image.open(tiny).convert("RGB"))[64:, 192:]
    assert (free == BACKGROUND.astype(np.uint8)).all()


def test_light_label_does_not_cover_its_arrow(monkeypatch):
    """The label's box stays clear of the arrow's shaft, whichever way the arrow points."""
    calls: dict[str, list] = {"line": [], "text": []}
    line, text = ImageDraw.ImageDraw.line, ImageDraw.ImageDraw.text

    def record_line(self, xy, *args, **kwargs):
        calls["line"].append(xy)
        return line(self, xy, *args, **kwargs)

    def record_text(self, xy, label, *args, **kwargs):
        if label == "light":
            left, top, right, bottom = self.textbbox(xy, label)
            calls["text"].append((left, top, right, bottom))
        return text(self, xy, label, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "line", record_line)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record_text)
    for direction in ([0.6, 0.8, 0.0], [-0.6, 0.8, 0.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]):
        calls["line"].clear()
        calls["text"].clear()
        light = Finding("H001", "warning", "light", "b.glb", direction=direction)
        render_views(asset_of(*grid_box(2)), [light], 256)
        shafts = [xy for xy in calls["line"] if len(xy) == 2]  # the arrows (grid lines differ)
        assert len(shafts) == 2 * len(calls["text"]) > 0  # black outline, then gold
        for ((x0, y0), (x1, y1)), (left, top, right, bottom) in zip(
            shafts[1::2], calls["text"], strict=True
        ):
            t = np.linspace(0, 1, 50)
            px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            inside = (px >= left - 2) & (px <= right + 2) & (py >= top - 2) & (py <= bottom + 2)
            assert not inside.any(), direction
