"""The HTML report: self-contained, one section per asset, findings linked to views, and
as a person sees it in headless Chromium."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from assetlint.engine import Engine
from assetlint.findings import Finding, load_failure
from assetlint.model import Texture
from assetlint.reporters.html import render_html, stage, verdict, write_html
from tests.render.shapes import asset_of, grid_box, textured_quad
from tests.shapes import asymmetric_object


def _results():
    holed = asset_of(*grid_box(4, ("front", 1, 2)), name="holed")
    findings = Engine.default().run(holed, ["G003", "G015"])
    quad = textured_quad()
    return [
        ("holed.glb", holed, findings),
        ("quad.glb", quad, []),
        ("broken.glb", None, [load_failure("not a glTF file", "broken.glb")]),
    ]


def _images(page: str) -> dict[str, Image.Image]:
    """Embedded view PNGs by figure id."""
    out = {}
    for fid, data in re.findall(
        r'<figure id="([^"]+)"><img src="data:image/png;base64,([^"]+)"', page
    ):
        if "-texture-" not in fid:
            out[fid] = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    return out


def test_report_for_assets_is_self_contained():
    page = render_html(_results(), target="web")
    assert page.count('<section class="asset"') == 3
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "@font-face" not in page and "<link" not in page
    images = _images(page)
    views = ["front", "back", "left", "right", "top", "bottom", "three-quarter"]
    assert sorted(images) == sorted(f"asset-{n}-{v}" for n in (1, 2) for v in views)
    assert all(img.size == (384, 384) for img in images.values())
    # verdicts: a warning, nothing, an unreadable file
    assert re.findall(r'<span class="verdict (\w+)">', page)[:3] == ["WARN", "PASS", "FAIL"]
    assert "target web" in page and "could not be read" in page
    # the texture panel shows the quad's albedo map
    assert "quadrants · 2×2 · embedded" in page


def test_findings_grouped_by_stage_and_linked_to_the_best_view():
    page = render_html(_results())
    section = page.split('<section class="asset" id="asset-1">')[1].split("</section>")[0]
    assert "<h3>Mesh inspection</h3>" in section
    row = re.search(r"<tr><td>G003</td>.*?</tr>", section).group(0)
    assert '<a href="#asset-1-front">front</a>' in row
    broken = page.split('id="asset-3"')[1]
    assert "<h3>Export</h3>" in broken and "not a glTF file" in broken
    assert [stage(c) for c in ("G003", "T002", "L001", "B001", "Z900")] == [
        "mesh inspection",
        "materials and textures",
        "export",
        "engine import",
        "other",
    ]
    assert verdict([]) == "PASS"


def test_hole_pixels_and_back_differs_in_the_embedded_views():
    page = render_html(_results())
    images = _images(page)
    hole = np.array([235, 20, 20])
    front = np.asarray(images["asset-1-front"])
    back = np.asarray(images["asset-1-back"])
    assert (front == hole).all(axis=2).sum() > 100
    assert (back == hole).all(axis=2).sum() == 0
    assert np.abs(front.astype(int) - back.astype(int)).mean() > 1


def test_registry_entry_point_draws_the_assets_the_run_kept(tmp_path):
    import assetlint
    from assetlint.reporters.html import render
    from tests.loaders.make_gltf import write_gltf

    path = write_gltf(tmp_path / "block.glb", *asymmetric_object())
    gone = tmp_path / "gone.glb"
    gone.write_bytes(b"glTF\x02\x00\x00\x00")
    kept = assetlint.lint([path, gone], config=False, keep_assets=True)
    page = render(kept)
    assert len(_images(page)) == 7
    assert page.count('<section class="asset"') == 2 and "could not be read" in page
    # a run that kept no asset: its findings, no renders, and no file read again
    page = render(assetlint.lint([path], config=False))
    assert _images(page) == {}
    assert "not drawn: the run that linted it did not keep the asset" in page


@pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("CI"),
    reason="chromium not installed (apt-get install -y chromium); CI installs it and runs this",
)
def test_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    block = asset_of(*asymmetric_object(), name="block")
    write_html([_results()[0], ("block.glb", block, [])], report)  # no red but the hole
    shot = tmp_path / "shot.png"
    cmd = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1200,2000",
        report.as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert shot.exists(), "chromium wrote no screenshot"
    img = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert img.shape == (2000, 1200, 3)
    # not blank: many colours on the page
    colours = np.unique(img.reshape(-1, 3) // 8, axis=0)
    assert len(colours) > 200
    assert img.std() > 20
    # the first row of views (front, back, left of the holed box): found by the renders'
    # flat background colour, which scaling leaves exact
    bg = (img == [236, 238, 242]).all(axis=2)
    bands = [r for r in _runs(bg.sum(axis=1) > 300) if r[1] - r[0] >= 100]
    assert bands, "no rendered view on screen"
    r0, r1 = bands[0]
    cols = [c for c in _runs(bg[r0:r1].sum(axis=0) > 0.05 * (r1 - r0)) if c[1] - c[0] >= 100]
    assert len(cols) == 3
    front, back = (img[r0:r1, a:b] for a, b in cols[:2])
    assert front.shape == back.shape and front.std() > 10 and back.std() > 10

    def red(part: np.ndarray) -> int:
        return int(((part[..., 0] > 200) & (part[..., 1] < 60) & (part[..., 2] < 60)).sum())

    assert red(front) > 50 and red(back) == 0  # the hole faces the front
    assert np.abs(front - back).mean() > 0.5


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True."""
    d = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def test_texture_findings_link_to_the_thumbnail():
    quad = textured_quad()
    findings = Engine.default().run(quad, ["T003"])  # 2 x 2 is a power of two: none
    assert findings == []
    from assetlint.findings import Finding

    about = Finding("T004", "warning", "too large", "quad.glb", "quadrants", "texture")
    page = render_html([("quad.glb", quad, [about])])
    assert '<a href="#asset-1-texture-0">texture</a>' in page
    assert '<figure id="asset-1-texture-0"><img src="data:image/png;base64,' in page
    thumb = re.search(r'id="asset-1-texture-0"><img src="data:image/png;base64,([^"]+)"', page)
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(thumb.group(1)))).convert("RGB"))
    assert pixels.shape == (2, 2, 3)
    assert pixels.tolist() == [
        [[255, 0, 0], [0, 255, 0]],  # in range: untouched
        [[15, 45, 255], [255, 124, 117]],  # blue too dark (tinted blue), white too bright (red)
    ]


def test_painted_highlights_are_ringed_on_the_albedo_thumbnail():
    quad = textured_quad()
    img = Image.new("RGB", (64, 64), (128, 128, 128))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    quad.textures[0] = Texture.from_bytes("albedo", "embedded", buf.getvalue())
    h003 = Finding(
        "H003",
        "warning",
        "1 highlight",
        "quad.glb",
        "albedo",
        "texture",
        sample={"uv": [[0.25, 0.75]]},
    )
    pixels = _thumbnail(render_html([("quad.glb", quad, [h003])]))
    ring = np.argwhere((pixels == [255, 200, 0]).all(axis=2))
    assert len(ring) > 10
    # around (x 16, y 48): u across, v down from the top-left
    centre = ring.mean(axis=0)
    assert abs(centre[0] - 48) < 1.5 and abs(centre[1] - 16) < 1.5
    assert (np.hypot(ring[:, 0] - 48, ring[:, 1] - 16) <= 5).all()
    assert (pixels[48, 16] == [128, 128, 128]).all()  # a ring, the highlight itself left visible
    assert not (_thumbnail(render_html([("quad.glb", quad, [])])) == [255, 200, 0]).all(2).any()


def _thumbnail(page: str) -> np.ndarray:
    thumb = re.search(r'id="asset-1-texture-0"><img src="data:image/png;base64,([^"]+)"', page)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(thumb.group(1)))).convert("RGB"))
