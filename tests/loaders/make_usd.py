"""USD files built in code for the loader tests (and for cross-format tests): the
writer goes through usd-core, so what it writes is what USD itself would write."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np


def write_usd(
    path: Path,
    positions: np.ndarray,
    triangles: np.ndarray,
    *,
    meters_per_unit: float,
    up_axis: str,
    fmt: str = "usda",
) -> Path:
    """One triangle mesh at /World/Mesh, positions as authored (in ``meters_per_unit``
    units with ``up_axis`` "Y"/"+Y" or "Z"/"+Z" up), written as usda, usdc or usdz."""
    from pxr import Sdf, Usd, UsdGeom, UsdUtils, Vt

    if fmt not in ("usda", "usdc", "usdz"):
        raise ValueError(f"unknown USD flavour {fmt!r}")
    axis = up_axis.lstrip("+").upper()
    if axis not in ("Y", "Z"):
        raise ValueError(f"USD up axis must be Y or Z, not {up_axis!r}")
    layer = Sdf.Layer.CreateAnonymous(".usda")
    stage = Usd.Stage.Open(layer)
    UsdGeom.SetStageMetersPerUnit(stage, meters_per_unit)
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y if axis == "Y" else UsdGeom.Tokens.z)
    world = UsdGeom.Xform.Define(stage, "/World")
    stage.SetDefaultPrim(world.GetPrim())
    mesh = UsdGeom.Mesh.Define(stage, "/World/Mesh")
    triangles = np.asarray(triangles, dtype=np.int32).reshape(-1, 3)
    mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(np.asarray(positions, dtype=np.float32)))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(len(triangles), 3, np.int32)))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(triangles.ravel()))
    mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
    path = Path(path)
    if fmt == "usdz":
        with tempfile.TemporaryDirectory() as folder:
            inner = Path(folder) / (path.stem + ".usdc")
            layer.Export(str(inner))
            if not UsdUtils.CreateNewUsdzPackage(str(inner), str(path)):
                raise RuntimeError(f"usd-core could not write {path}")
    else:
        layer.Export(str(path), args={"format": fmt})
    return path


def write_text(path: Path, text: str) -> Path:
    """A usda layer (or any companion file) from text; parent folders are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def as_usdc(source: Path, target: Path) -> Path:
    """The same layer re-encoded in the binary crate format."""
    from pxr import Sdf

    Sdf.Layer.FindOrOpen(str(source)).Export(str(target), args={"format": "usdc"})
    return target


def as_usdz(source: Path, target: Path, files: list[str] = ()) -> Path:
    """A usdz package: the layer first, then ``files`` (paths relative to the layer's
    folder, kept as they are, so the layer's asset paths stay valid inside it)."""
    from pxr import Sdf

    writer = Sdf.ZipFileWriter.CreateNew(str(target))
    writer.AddFile(str(source), Path(source).name)
    for name in files:
        writer.AddFile(str(Path(source).parent / name), name)
    writer.Save()
    return target


def grid(quads_per_side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, faceVertexCounts, faceVertexIndices) of a flat quad grid in the XZ plane,
    1 unit across: a large mesh without a Python loop."""
    n = quads_per_side
    lin = np.linspace(0.0, 1.0, n + 1, dtype=np.float32)
    xs, zs = np.meshgrid(lin, lin, indexing="ij")
    points = np.column_stack([xs.ravel(), np.zeros(xs.size, np.float32), zs.ravel()])
    ids = np.arange((n + 1) * (n + 1), dtype=np.int32).reshape(n + 1, n + 1)
    quads = np.stack([ids[:-1, :-1], ids[:-1, 1:], ids[1:, 1:], ids[1:, :-1]], axis=-1)
    return points, np.full(n * n, 4, dtype=np.int32), quads.reshape(-1)


def write_grid(path: Path, quads_per_side: int, fmt: str = "usdc") -> Path:
    """A big quad grid mesh (2 * n * n triangles) with face-varying st, for timing."""
    from pxr import Sdf, Usd, UsdGeom, Vt

    points, counts, indices = grid(quads_per_side)
    layer = Sdf.Layer.CreateAnonymous(".usda")
    stage = Usd.Stage.Open(layer)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    mesh = UsdGeom.Mesh.Define(stage, "/Grid")
    mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(points))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(counts))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(indices))
    st = UsdGeom.PrimvarsAPI(mesh).CreatePrimvar(
        "st", Sdf.ValueTypeNames.TexCoord2fArray, UsdGeom.Tokens.faceVarying
    )
    st.Set(Vt.Vec2fArray.FromNumpy(points[indices][:, [0, 2]].copy()))
    layer.Export(str(path), args={"format": fmt})
    return path
