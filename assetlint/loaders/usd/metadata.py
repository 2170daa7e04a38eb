"""Stage metadata: units (metersPerUnit, USD's 0.01 fallback when not authored), up axis,
the authoring tool, and what the layers say about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assetlint.model import Asset

# UsdGeom.GetStageMetersPerUnit when a stage does not author metersPerUnit (centimetres)
FALLBACK_METERS_PER_UNIT = 0.01


def read_metadata(stage: Any, root_layer: Any, layers: list[Any], asset: Asset) -> None:
    from pxr import UsdGeom

    authored = asset.authored
    if stage.HasAuthoredMetadata("metersPerUnit"):
        value = float(UsdGeom.GetStageMetersPerUnit(stage))
        if np.isfinite(value) and value > 0:
            authored.meters_per_unit = value
        else:  # would make the unit conversion singular
            asset.issue(
                "L005",
                f"metersPerUnit is {value:g}, not a positive number; read as USD's fallback "
                f"of {FALLBACK_METERS_PER_UNIT:g} m per unit (centimetres)",
            )
    else:
        asset.issue(
            "L005",
            "metersPerUnit is not authored; read with USD's fallback of "
            f"{FALLBACK_METERS_PER_UNIT:g} m per unit (centimetres)",
            severity="info",
        )
    if stage.HasAuthoredMetadata("upAxis"):
        up = str(stage.GetMetadata("upAxis"))
        if up in ("Y", "Z"):
            authored.up_axis = f"+{up}"
        else:
            asset.issue(
                "L005",
                f"upAxis {up!r} is not valid in USD (Y or Z); the geometry is kept Y-up",
                severity="error",
            )
    authored.generator = _generator(root_layer)
    stage_mpu = float(UsdGeom.GetStageMetersPerUnit(stage))
    stage_up = str(UsdGeom.GetStageUpAxis(stage))
    for layer in layers[1:]:
        info = layer.pseudoRoot
        name = Path(layer.identifier).name
        if info.HasInfo("metersPerUnit"):
            mpu = float(info.GetInfo("metersPerUnit"))
            if not np.isclose(mpu, stage_mpu):
                asset.issue(
                    "L004",
                    f"layer {name} authors metersPerUnit {mpu:g} but the stage uses "
                    f"{stage_mpu:g}; USD does not rescale it, so its geometry is read in "
                    "the stage's units",
                    subject=name,
                )
        if info.HasInfo("upAxis") and str(info.GetInfo("upAxis")) != stage_up:
            asset.issue(
                "L004",
                f"layer {name} authors upAxis {info.GetInfo('upAxis')} but the stage uses "
                f"{stage_up}; USD does not rotate it",
                subject=name,
            )


def _generator(layer: Any) -> str | None:
    """The tool that wrote the file: customLayerData creator, else doc, else the first
    line of the layer comment (where Mineways and others sign)."""
    creator = layer.customLayerData.get("creator")
    for text in (creator, layer.documentation, layer.comment):
        if text:
            line = next((s.strip(" #\t") for s in str(text).splitlines() if s.strip(" #\t")), "")
            if line:
                return line[:200]
    return None
