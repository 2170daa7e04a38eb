"""Load rules (L): problems met while reading a file. Their findings come from the loaders
(``asset.issues`` and fatal LoadErrors), not from a check; they are rules so that they can
be listed, explained, selected and ignored like any other. The severity declared here is
the usual one; a loader reports an occurrence that loses geometry as an error."""

from __future__ import annotations

from assetlint.loaders import gltf_spec
from assetlint.model import LOAD_CODES
from assetlint.plugins import hookimpl
from assetlint.rules import Rule

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


@hookimpl
def assetlint_rules() -> list[Rule]:
    return [
        Rule(
            code=code,
            name=name,
            family="load",
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
    ]
