"""USD loader (usda, usdc, usdz) on top of usd-core (``pxr``).

Confinement comes first: before a stage is composed, every layer the root layer pulls
in (sublayers, references, payloads, value clips) is vetted through :mod:`._refs` and
opened here, one by one. Arcs that are refused (absolute paths, URIs, paths leaving the
asset folder) or that name a missing/unreadable layer are removed from the in-memory
copies of the vetted layers (never saved), so USD composes only what was vetted and
never opens the rest itself.

Units: a stage that does not author ``metersPerUnit`` gets USD's fallback, 0.01
(centimetres), as every USD consumer would; ``Authored.meters_per_unit`` then stays None
so that rules can tell "not authored" from "authored 0.01". The same goes for
``upAxis`` (fallback Y). An upAxis other than Y or Z is reported and geometry is kept
Y-up.

Isolation: usd-core aborts or hangs on some corrupt files (its crate reader, and
composition of what it read), so the whole read runs in a forked child
(:func:`isolated`) that sends the Asset back; a crash or a hang there is a LoadError
here. On a loaded 2-core machine that costs ~25 ms per file (0.2 s -> 0.3 s for a
1M-triangle usdc, the Asset pickled back), small next to starting a process (0.5 s), so
every flavour is isolated: a usda is text, but its layers may pull in usdc ones, and the
abort seen came from composition, not from parsing.

The package reads in this order, one module a step: :mod:`.package` (the flavour, the
usdz package), :mod:`.layers` (confinement), :mod:`.metadata` (units, up axis, tool),
:mod:`.scene` (nodes and materials), :mod:`.mesh` (one mesh), with :mod:`.diagnostics`
capturing usd-core's messages throughout; this module runs them in the child.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assetlint.loaders._isolated import run_forked
from assetlint.loaders.usd.diagnostics import (
    Captured,
    captured_diagnostics,
    report_diagnostics,
    tf_message,
)
from assetlint.loaders.usd.layers import vet_layers, vetted_stage
from assetlint.loaders.usd.metadata import FALLBACK_METERS_PER_UNIT, read_metadata
from assetlint.loaders.usd.package import sniff_format, vet_package
from assetlint.loaders.usd.scene import SceneReader
from assetlint.model import Asset, LoadError, conversion_matrix

__all__ = [
    "FALLBACK_METERS_PER_UNIT",
    "TIMEOUT_S",
    "isolated",
    "load",
    "vet_layers",
    "vetted_stage",
]

# Seconds the reader child may take on one file before it is killed.
TIMEOUT_S = 60.0

T = TypeVar("T")


def load(path: Path) -> Asset:
    """Read a USD stage into an Asset (see the module docstring for the rules) in a
    child process, since usd-core aborts on some corrupt files."""
    return isolated(_read, (Path(path),), "USD reader")


def isolated(target: Callable[..., T], args: tuple[Any, ...], what: str) -> T:
    """``target(*args)`` in a forked child (:func:`~._isolated.run_forked`), usd-core
    imported and warmed up here first so that the child starts in milliseconds."""
    _warm_up()
    return run_forked(_in_child, (target, args), what, TIMEOUT_S)


def _in_child(target: Callable[..., T], args: tuple[Any, ...]) -> T:
    """The target with all of usd-core's threads, which this process keeps to one."""
    from pxr import Work

    Work.SetMaximumConcurrencyLimit()
    return target(*args)


@functools.cache
def _warm_up() -> None:
    """Read a small stage of our own here, once, so that usd-core's plugins and
    registries and the loader's imports are loaded before any child forks: a cold child
    spends ~0.1 s on them (~0.3 s more if usd-core is not yet imported).

    From then on usd-core runs single-threaded in this process: a fork copies only the
    forking thread, so a worker thread busy at that moment (destroying a stage in the
    background, as usd-core does) could leave a lock held in the child, which then
    hung until the time limit (seen once in ~15 test runs)."""
    from pxr import Work

    Work.SetConcurrencyLimit(1)
    with tempfile.TemporaryDirectory(prefix="assetlint-usd-") as folder:
        path = Path(folder) / "warm.usda"
        path.write_text(_WARM_UP_STAGE)
        _read(path)


# What _warm_up reads: a mesh with UVs and normals, bound to a textured preview material.
_WARM_UP_STAGE = """#usda 1.0
(
    metersPerUnit = 1
    upAxis = "Y"
)
def Mesh "M" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
    normal3f[] normals = [(0, 0, 1), (0, 0, 1), (0, 0, 1)] (interpolation = "faceVarying")
    texCoord2f[] primvars:st = [(0, 0), (1, 0), (0, 1)] (interpolation = "faceVarying")
    rel material:binding = </Mat>
}
def Material "Mat"
{
    token outputs:surface.connect = </Mat/S.outputs:surface>
    def Shader "S"
    {
        uniform token info:id = "UsdPreviewSurface"
        color3f inputs:diffuseColor.connect = </Mat/T.outputs:rgb>
        token outputs:surface
    }
    def Shader "T"
    {
        uniform token info:id = "UsdUVTexture"
        asset inputs:file = @missing.png@
        float3 outputs:rgb
    }
}
"""


def _read(path: Path) -> Asset:
    """The reading proper, in the child."""
    from pxr import Tf

    with captured_diagnostics() as captured:
        try:
            asset = _load(path, captured)
        except Tf.ErrorException as exc:
            raise LoadError(f"USD could not read the file: {tf_message(exc)}") from None
    report_diagnostics(captured, asset)
    return asset


def _load(path: Path, captured: Captured) -> Asset:
    from pxr import Usd

    fmt, version = sniff_format(path)
    asset = Asset(path=path, format=fmt, file_size=path.stat().st_size)
    asset.authored.format_version = version
    asset.authored.handedness = "right"
    if fmt == "usdz":
        vet_package(path, asset)
    layers = vet_layers(path, asset)
    root_layer = layers[0]
    stage = Usd.Stage.Open(root_layer, Usd.Stage.LoadAll)
    if stage is None:
        raise LoadError("USD could not compose a stage from the file")
    read_metadata(stage, root_layer, layers, asset)
    SceneReader(stage, asset).read()
    captured.messages.extend(" ".join(str(e).split()) for e in stage.GetCompositionErrors())
    meters_per_unit = asset.authored.meters_per_unit or FALLBACK_METERS_PER_UNIT
    asset.convert_to_canonical(conversion_matrix(meters_per_unit, _up(asset)))
    return asset


def _up(asset: Asset) -> str:
    return asset.authored.up_axis or "+Y"
