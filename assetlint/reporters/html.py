"""One self-contained HTML page for a whole run: per asset a header, the findings grouped
by the stage where they would bite, seven renders with the defects drawn on, and the
textures as thumbnails.

Everything is inline (CSS, base64 PNGs, no script, no web font), so the file can be
mailed, attached to a CI run or opened offline and looks the same everywhere.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from assetlint.findings import Finding
from assetlint.model import Asset
from assetlint.render import best_views, render_views
from assetlint.render.marks import COLORS, LEGEND, installed_rules
from assetlint.reporters.encoding import xml_text
from assetlint.rules import STAGES, Rule

if TYPE_CHECKING:
    from assetlint.reporters import Report

# (asset path, the loaded Asset or None when it could not be read, its findings)
Result = tuple[str | Path, Asset | None, Sequence[Finding]]

THUMB = 256
VIEW_SIZE = 384
# sRGB albedo outside this range is too dark (charcoal) or too bright (fresh snow) for PBR.
ALBEDO_RANGE = (30 / 255, 240 / 255)
HIGHLIGHT_RING = (255, 200, 0)  # rings around painted highlights on the thumbnails

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:16px 24px;
color:#1d2330;background:#f6f7f9}
h1{font-size:22px;margin:0 0 12px}h2{font-size:18px;margin:0}h3{font-size:15px;margin:16px 0 6px}
section.asset{background:#fff;border:1px solid #d7dbe2;border-radius:6px;padding:14px 18px;
margin:16px 0}
.head{display:flex;gap:14px;align-items:baseline;flex-wrap:wrap}
.meta{color:#566074}
.verdict{font-weight:700;padding:2px 10px;border-radius:10px;color:#fff}
.PASS{background:#2f8f46}.WARN{background:#c98a00}.FAIL{background:#c62828}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e6e8ec;vertical-align:top}
th{background:#eef0f4;font-weight:600}
.sev-error{color:#c62828;font-weight:600}.sev-warning{color:#a86b00;font-weight:600}
.sev-info{color:#566074}
.views{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px}
figure{margin:0}figure img{width:100%;height:auto;border:1px solid #d7dbe2;display:block}
figcaption{font-size:12px;color:#566074}
figure:target img{outline:3px solid #3b6fd8}
.legend span{display:inline-block;margin:2px 12px 2px 0;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;
border:1px solid #333}
.textures{display:flex;gap:10px;flex-wrap:wrap}.textures figure{width:200px}
.textures img{image-rendering:pixelated}
"""


def _png(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def verdict(findings: Sequence[Finding]) -> str:
    """FAIL on any error, WARN on any warning, PASS otherwise."""
    severities = {f.severity for f in findings}
    return "FAIL" if "error" in severities else "WARN" if "warning" in severities else "PASS"


def stage(code: str, rules: Mapping[str, Rule] | None = None) -> str:
    """Where a finding of ``code`` bites: its rule's declared stage (``Rule.stage``)."""
    rule = (installed_rules() if rules is None else rules).get(code)
    return rule.stage if rule is not None else "other"


def _texture_thumb(
    asset: Asset, index: int, albedo: bool, rings: Sequence[Sequence[float]] = ()
) -> Image.Image | None:
    """A thumbnail; on albedo maps, out-of-range texels tinted (blue too dark, red too
    bright) and a ring around each painted highlight at ``rings`` (UVs, glTF's top-left
    origin). None when the image cannot be decoded (the T rules say why)."""
    texture = asset.textures[index]
    if texture.missing or texture.error is not None:
        return None
    try:
        image = texture.image().convert("RGB")
    except Exception:  # noqa: BLE001 - any decoder failure: no thumbnail, T001 reports it
        return None
    image.thumbnail((THUMB, THUMB))
    if not albedo:
        return image
    rgb = np.asarray(image, dtype=np.float32) / 255
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    dark, bright = luma < ALBEDO_RANGE[0], luma > ALBEDO_RANGE[1]
    rgb[dark] = 0.4 * rgb[dark] + 0.6 * np.array([0.1, 0.3, 1.0], dtype=np.float32)
    rgb[bright] = 0.4 * rgb[bright] + 0.6 * np.array([1.0, 0.15, 0.1], dtype=np.float32)
    out = Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(out)
    w, h = out.size
    r = max(3.0, 0.05 * max(w, h))
    for u, v in rings:  # UVs repeat: the ring goes where the texel is
        x, y = (u % 1.0) * w, (v % 1.0) * h
        draw.ellipse((x - r, y - r, x + r, y + r), outline=HIGHLIGHT_RING, width=2)
    return out


def _textures(
    asset: Asset,
    anchor: str,
    findings: Sequence[Finding] = (),
    rules: Mapping[str, Rule] | None = None,
) -> str:
    albedo = {
        slot.texture
        for m in asset.materials
        for role, slot in m.textures.items()
        if role == "base_color"
    }
    # a "highlight" rule names its texture as the thumbnails do and samples the UVs
    declared = installed_rules() if rules is None else rules
    ringed = {c for c, r in declared.items() if r.mark == "highlight"}
    rings: dict[str, list] = {}
    for f in findings:
        if f.code in ringed and f.subject:
            rings.setdefault(f.subject, []).extend(f.sample.get("uv", []))
    cells = []
    for index, tex in enumerate(asset.textures):
        label = tex.name or f"texture #{index}"
        thumb = _texture_thumb(asset, index, index in albedo, rings.get(label, ()))
        size = f"{tex.width}×{tex.height}" if tex.width else "size unknown"
        caption = html.escape(f"{label} · {size} · {tex.source}")
        if thumb is None:
            reason = html.escape(tex.error or "not decoded")
            cells.append(
                f'<figure id="{anchor}-texture-{index}"><figcaption>{caption}<br>{reason}'
                "</figcaption></figure>"
            )
        else:
            cells.append(
                f'<figure id="{anchor}-texture-{index}"><img src="{_png(thumb)}" alt="{caption}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
    if not cells:
        return ""
    note = (
        "Albedo maps: blue = darker than sRGB 30, red = brighter than sRGB 240 (outside the "
        "PBR albedo range); yellow rings = highlights painted into the albedo."
    )
    return (
        f'<h3>Textures</h3><p class="meta">{note}</p><div class="textures">{"".join(cells)}</div>'
    )


def _legend() -> str:
    spans = "".join(
        f'<span><i style="background:rgb{COLORS[k]}"></i>{html.escape(v)}</span>'
        for k, v in LEGEND.items()
    )
    return f'<div class="legend">{spans}</div>'


def _asset_section(
    number: int,
    path: str,
    asset: Asset | None,
    findings,
    target,
    read: bool = False,
    rules: Mapping[str, Rule] | None = None,
) -> str:
    anchor = f"asset-{number}"
    findings = list(findings)
    rules = installed_rules() if rules is None else rules
    views = render_views(asset, findings, size=VIEW_SIZE, rules=rules) if asset is not None else []
    best = best_views(views)
    # texture label (as the T rules name it) -> index, for findings about a texture
    textures: dict[str, int] = {}
    for index, tex in enumerate(asset.textures if asset is not None else []):
        textures.setdefault(tex.name or tex.uri or f"texture #{index}", index)
    meta = []
    if asset is not None:
        meta.append(f"format {asset.format}")
        meta.append(f"generator {asset.authored.generator or 'not stated'}")
        meta.append(f"{asset.scene_triangle_count:,} triangles")
    elif read:
        meta.append("not drawn: the run that linted it did not keep the asset")
    else:
        meta.append("could not be read")
    if target:
        meta.append(f"target {target}")
    v = verdict(findings)
    out = [
        f'<section class="asset" id="{anchor}"><div class="head">'
        f"<h2>{html.escape(path)}</h2>"
        f'<span class="verdict {v}">{v}</span>'
        f'<span class="meta">{html.escape(" · ".join(meta))}</span></div>'
    ]
    stages = [stage(f.code, rules) for f in findings]
    current = None
    for i in sorted(range(len(findings)), key=lambda i: STAGES.index(stages[i])):
        f = findings[i]
        if stages[i] != current:
            if current is not None:
                out.append("</table>")
            current = stages[i]
            out.append(
                f"<h3>{current.capitalize()}</h3><table><tr><th>Code</th><th>Severity</th>"
                "<th>Subject</th><th>Finding</th><th>Shown in</th></tr>"
            )
        view = best.get(i)
        link = f'<a href="#{anchor}-{view}">{view}</a>' if view else ""
        if not view and f.subject_type == "texture" and f.subject in textures:
            link = f'<a href="#{anchor}-texture-{textures[f.subject]}">texture</a>'
        out.append(
            f"<tr><td>{html.escape(f.code)}</td>"
            f'<td class="sev-{html.escape(f.severity)}">{html.escape(f.severity)}</td>'
            f"<td>{html.escape(f.subject or '')}</td><td>{html.escape(f.message)}</td>"
            f"<td>{link}</td></tr>"
        )
    if current is not None:
        out.append("</table>")
    else:
        out.append('<p class="meta">No findings.</p>')
    if views:
        out.append("<h3>Views</h3>" + _legend() + '<div class="views">')
        for view in views:
            out.append(
                f'<figure id="{anchor}-{view.name}"><img src="{_png(view.image)}" '
                f'alt="{view.name} view of {html.escape(path)}"></figure>'  # named in the image
            )
        out.append("</div>")
    if asset is not None:
        out.append(_textures(asset, anchor, findings, rules))
    out.append("</section>")
    return "\n".join(out)


def render_html(
    results: Sequence[Result],
    target: str | None = None,
    read: Sequence[bool] = (),
    rules: Mapping[str, Rule] | None = None,
) -> str:
    """The report page as a string, with nothing a browser or an XML tool would choke on
    (lone surrogates and control characters from a hostile file's names are escaped).
    ``read``: per result, whether the file was read (an asset given as None is then one
    the run did not keep, not one that could not be read). ``rules``: the run's rules,
    whose declarations group and draw the findings (default: every installed rule)."""
    rows = []
    sections = []
    for number, (path, asset, findings) in enumerate(results, start=1):
        v = verdict(findings)
        problems = sum(f.severity != "info" for f in findings)
        rows.append(
            f'<tr><td><a href="#asset-{number}">{html.escape(str(path))}</a></td>'
            f'<td><span class="verdict {v}">{v}</span></td><td>{problems}</td>'
            f"<td>{len(findings) - problems}</td></tr>"
        )
        was_read = read[number - 1] if number <= len(read) else False
        sections.append(_asset_section(number, str(path), asset, findings, target, was_read, rules))
    return xml_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>assetlint report</title>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{CSS}</style></head><body><h1>assetlint report</h1>"
        "<table><tr><th>Asset</th><th>Verdict</th><th>Problems</th><th>Info</th></tr>"
        + "".join(rows)
        + "</table>\n"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def write_html(results: Sequence[Result], path: str | Path, target: str | None = None) -> None:
    """Write the report for ``results`` (asset path, Asset or None, findings) to ``path``."""
    Path(path).write_text(render_html(results, target), encoding="utf-8")


def render(report: Report) -> str:
    """The reporter registry's entry point. It draws the Asset each result was linted from
    (``FileResult.asset``: `check --format html` and ``assetlint.lint(...,
    keep_assets=True)`` keep it), never reading a file again; a result without one (not
    read, or from a run that kept none) is shown without renders."""
    results = [(r.path, r.asset, r.findings) for r in report.results]
    rules = report.rules or None
    return render_html(results, read=[r.loaded for r in report.results], rules=rules)
