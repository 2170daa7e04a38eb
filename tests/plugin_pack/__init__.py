"""Install the demo rule pack for a test the way pip would, into a temporary folder."""

from __future__ import annotations

from pathlib import Path

PACK_DIR = Path(__file__).parent


def install(site: Path) -> list[Path]:
    """Write the pack's .dist-info (with its ``assetlint`` entry point) into ``site``; the
    returned folders go on sys.path (or PYTHONPATH) for the pack to be found and imported."""
    info = site / "assetlint_demo_pack-0.1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: assetlint-demo-pack\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text("[assetlint]\ndemo = assetlint_demo_pack\n")
    return [site, PACK_DIR]
