"""The normalized summary `assetlint info` prints: what the loader made of a file."""

from __future__ import annotations

from typing import Any

from assetlint.model import UNITLESS_FORMATS, Asset


def summarize(asset: Asset) -> dict[str, Any]:
    bounds = asset.bounds()
    a = asset.authored
    return {
        "path": str(asset.path),
        "format": asset.format,
        "file_size": asset.file_size,
        "generator": a.generator,
        "authored": {
            "meters_per_unit": a.meters_per_unit,
            "up_axis": a.up_axis,
            "front_axis": a.front_axis,
            "handedness": a.handedness,
            "format_version": a.format_version,
        },
        "meshes": len(asset.meshes),
        "nodes": len(asset.nodes),
        "instances": sum(1 for _ in asset.instances()),
        "triangles": {"scene": asset.scene_triangle_count, "unique": asset.unique_triangle_count},
        "polygons": sum(m.polygon_count or 0 for m in asset.meshes),
        "vertices": {
            "scene": asset.scene_vertex_count,
            "unique": sum(m.vertex_count for m in asset.meshes),
        },
        "other_primitives": _other_primitives(asset),
        "materials": [m.name for m in asset.materials],
        "textures": [
            {
                "name": t.name,
                "source": t.source,
                "uri": t.uri,
                "mime_type": t.mime_type,
                "width": t.width,
                "height": t.height,
                **({"error": t.error} if t.error else {}),
            }
            for t in asset.textures
        ],
        "bounds_m": None if bounds is None else bounds.tolist(),
        "size_m": None if bounds is None else (bounds[1] - bounds[0]).tolist(),
        "load_issues": [
            {"code": i.code, "severity": i.severity, "message": i.message} for i in asset.issues
        ],
    }


def _other_primitives(asset: Asset) -> dict[str, int]:
    total: dict[str, int] = {}
    for mesh in asset.meshes:
        for kind, count in mesh.other_primitives.items():
            total[kind] = total.get(kind, 0) + count
    return total


def format_summary(s: dict[str, Any]) -> str:
    """Human-readable rendering of :func:`summarize`."""
    a = s["authored"]
    unitless = s["format"] in UNITLESS_FORMATS
    if a["meters_per_unit"] is not None:
        units = f"{a['meters_per_unit']:g} m/unit"
    elif unitless:
        units = (
            "none (the format has no units; sizes below are in file units, which check reads "
            "in one unit per target and states: S007)"
        )
    else:
        units = "not authored"
    lines = [
        f"{s['path']}",
        f"  format      {s['format']}  ({s['file_size']:,} bytes)"
        + (f"  generator: {s['generator']}" if s["generator"] else ""),
        f"  authored    units {units}, up {a['up_axis'] or 'unspecified'}"
        + (f", front {a['front_axis']}" if a["front_axis"] else ""),
        f"  meshes      {s['meshes']} ({s['instances']} instances in {s['nodes']} nodes)",
        f"  triangles   {s['triangles']['scene']:,} in scene, {s['triangles']['unique']:,} unique"
        f" ({s['polygons']:,} authored polygons)",
        f"  vertices    {s['vertices']['scene']:,} in scene, {s['vertices']['unique']:,} unique",
    ]
    if s["other_primitives"]:
        other = ", ".join(f"{v:,} {k}" for k, v in sorted(s["other_primitives"].items()))
        lines.append(f"  other       {other} (not triangles)")
    lines.append(
        f"  materials   {len(s['materials'])}"
        + (f": {', '.join(s['materials'])}" if s["materials"] else "")
    )
    lines.append(f"  textures    {len(s['textures'])}")
    for t in s["textures"]:
        size = f"{t['width']}x{t['height']}" if t["width"] else "size unknown"
        where = t["uri"] or t["source"]
        extra = f" - {t['error']}" if t.get("error") else ""
        lines.append(
            f"    {t['name']}: {t['source']}, {t['mime_type'] or '?'}, {size} ({where}){extra}"
        )
    if s["bounds_m"] is None:
        lines.append("  bounds      (no geometry)")
    else:
        sx, sy, sz = s["size_m"]
        lo, hi = s["bounds_m"]
        unit = "m" if a["meters_per_unit"] is not None or not unitless else "units"
        lines.append(f"  size        {sx:.4g} x {sy:.4g} x {sz:.4g} {unit} (x, y up, z)")
        lines.append(
            "  bounds      min ({:.4g}, {:.4g}, {:.4g})  max ({:.4g}, {:.4g}, {:.4g}) {}".format(
                *lo, *hi, unit
            )
        )
    for i in s["load_issues"]:
        lines.append(f"  {i['code']} {i['severity']}: {i['message']}")
    return "\n".join(lines)
