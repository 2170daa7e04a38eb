"""Load rules (L): problems met while reading a file. Their findings come from the loaders
(``asset.issues`` and fatal LoadErrors), not from a check, except L008 (a file that reads
but holds no geometry); they are rules so that they can be listed, explained, selected
and ignored like any other. The severity declared here is
the usual one; a loader reports an occurrence that loses geometry as an error."""

from __future__ import annotations

from collections.abc import Iterator

from assetlint.findings import Finding
from assetlint.loaders import gltf_spec
from assetlint.model import LOAD_CODES, Asset
from assetlint.plugins import hookimpl
from assetlint.rules import Rule, RuleContext, plural

_DETAILS: dict[str, tuple[str, str, str, str]] = {
    # code: (name, default severity, rationale, fix)
    "L001": (
        "unreadable-file",
        "error",
        "The file gave no asset at all: it is not the format its extension says, it is "
        "truncated or corrupt, or its structure is invalid. No destination can use it.",
        "Re-export the asset from its source tool; check that the file was fully "
        "downloaded and that its extension matches its content.",
    ),
    "L002": (
        "missing-reference",
        "warning",
        "A file the asset references (a .bin buffer, an .mtl, a texture, a USD layer) is "
        "missing or unreadable, so part of the asset is lost when it is moved or published.",
        "Ship the referenced file beside the asset, or embed it (GLB, USDZ).",
    ),
    "L003": (
        "undecoded-content",
        "warning",
        "Geometry or an image uses a compression or encoding that could not be decoded, so "
        "it was not checked and some consumers will fail to read it as well.",
        "Export without the compression, or with a codec the destination supports.",
    ),
    "L004": (
        "ignored-content",
        "info",
        "Part of the file (a primitive type, an extension, a feature) is not read by "
        "assetlint; the findings do not cover it.",
        "Nothing to fix if the destination does not need that content.",
    ),
    "L005": (
        "malformed-data",
        "warning",
        "The file holds values its reader could not use (an index past the end, a bad "
        "count, a malformed data URI), so only part of it was read and consumers may "
        "differ in what they make of it. For glTF, the rule of the specification that the "
        "value breaks is reported separately as L007.",
        "Re-export the asset; a validator for the format names the exact field.",
    ),
    "L007": (
        "gltf-spec",
        "error",
        "The glTF document breaks the glTF 2.0 specification: its published JSON schemas "
        "(required properties, types, enums, ranges) or its data rules (accessor bounds, "
        "index ranges, strides and alignment, sparse accessors, data URIs and image types, "
        "animations, skins, cameras, morph targets, extension use). Each finding carries "
        "the Khronos glTF-Validator's issue code as its subject (e.g. ACCESSOR_INDEX_OOB) "
        "and that code's default severity, so a file the reference validator calls invalid "
        "fails the gate here too. Severity is error except for the codes the validator "
        f"rates lower. Warnings: {', '.join(gltf_spec.codes('warning'))}. "
        f"Infos (and hints): {', '.join(gltf_spec.codes('info'))}.",
        "Fix the value at the JSON path the message starts with; the Khronos code names "
        "the rule (see the validator's ISSUES.md), or re-export from the source tool.",
    ),
    "L006": (
        "unsafe-reference",
        "warning",
        "The asset references a file outside its folder, an absolute path or a network "
        "URL. Such references break when the asset is moved and can leak or fetch data, "
        "so assetlint does not open them.",
        "Copy the referenced file next to the asset and reference it by a relative path.",
    ),
}


# Formats whose only content is a mesh: an empty one is a failed export. Scene formats
# (glTF, USD, FBX) may legitimately hold no triangle (a material library, a composition
# layer, a point cloud, an animation), so there it is information, not a failure.
MESH_ONLY_FORMATS = frozenset({"stl", "obj", "ply", "off"})


def _no_geometry(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    if asset.unique_triangle_count == 0:
        meshes = plural(len(asset.meshes), "mesh", "meshes")
        yield ctx.finding(
            f"no geometry: {meshes} and not one triangle, so nothing to check or to show",
            subject_type="scene",
            count=0,
            severity=None if asset.format in MESH_ONLY_FORMATS else "info",
        )


NO_GEOMETRY = Rule(
    code="L008",
    name="no-geometry",
    family="load",
    stage="export",
    severity="error",
    summary=LOAD_CODES["L008"],
    rationale=(
        "The file reads, but holds not one triangle (an STL of 0 facets, a glTF without "
        "meshes, a USD layer of materials only): every geometry check passes vacuously and "
        "a destination gets an invisible asset. In a mesh-only format (STL, OBJ) it is an "
        "export that dropped its meshes: an error. A scene format may hold no triangle on "
        "purpose (a material library, a layer composed into a stage, a point cloud, an "
        "animation), so there it is reported as information only."
    ),
    fix=(
        "Re-export with the meshes selected; lint the stage that composes a layer, not the "
        "layer alone."
    ),
    check=_no_geometry,
)


@hookimpl
def assetlint_rules() -> list[Rule]:
    return [
        Rule(
            code=code,
            name=name,
            family="load",
            stage="export",
            severity=severity,
            summary=LOAD_CODES[code],
            rationale=rationale
            + (
                " The loader reports an occurrence that loses geometry as an error."
                if severity == "warning"
                else ""
            ),
            fix=fix,
        )
        for code, (name, severity, rationale, fix) in _DETAILS.items()
    ] + [NO_GEOMETRY]
