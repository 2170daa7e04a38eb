"""External validators as rule families: their coverage without re-implementing them.

**U — USD validation** (on by default, USD files only). usd-core 26 replaced
``UsdUtils.ComplianceChecker`` (what ``usdchecker`` ran) with the ``UsdValidation``
framework; its validators carry the same checks (stage metadata, missing references,
USDZ packaging, shader conformance, encapsulation, material and skeleton bindings).
Each validator maps to one U code by topic (see ``_USD_TOPICS``); a validator that
usd-core adds later lands in U010. The stage is composed from the layers the USD loader
vets, so the validators never open a file outside the asset's folder.

**V — Khronos glTF-Validator** (off by default: ``--select V001``). Runs the npm
package ``gltf-validator`` with Node on glTF/GLB files and maps each message of its
report (code, severity, JSON pointer) into a V001 finding. Nothing is fetched: Node and
the package must already be installed (found through the ``module_dir`` parameter or
``NODE_PATH``). External resources are only read from inside the asset's folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assetlint.findings import Finding
from assetlint.model import Asset, LoadError
from assetlint.plugins import hookimpl
from assetlint.rules import ABOVE_ZERO, AT_LEAST_ZERO, Rule, RuleContext, RuleGroup

usd_group = RuleGroup(family="usd-validation", stage="export")
gltf_group = RuleGroup(family="gltf-validator", stage="export")

USD_FORMATS = {"usd", "usda", "usdc", "usdz"}
GLTF_FORMATS = {"gltf", "glb"}

# UsdValidation validator name (without its plugin prefix) -> U code.
_USD_TOPICS: dict[str, str] = {
    "StageMetadataChecker": "U001",
    "MissingReferenceValidator": "U002",
    "CompositionErrorTest": "U002",
    "RootPackageValidator": "U003",
    "UsdzPackageValidator": "U003",
    "FileExtensionValidator": "U003",
    "PackageEncapsulationValidator": "U003",
    "ShaderSdrCompliance": "U004",
    "NormalMapTextureValidator": "U004",
    "AttributeTypeMismatch": "U004",
    "EncapsulationChecker": "U005",
    "EncapsulationRulesValidator": "U005",
    "EncapsulationMaterialValidator": "U005",
    "MaterialBindingApiAppliedValidator": "U006",
    "MaterialBindingCollectionValidator": "U006",
    "MaterialBindingRelationships": "U006",
    "SubsetMaterialBindFamilyName": "U006",
    "SubsetsMaterialBindFamily": "U006",
    "SkelBindingApiValidator": "U007",
    "SkelBindingApiAppliedValidator": "U007",
    "SubsetFamilies": "U008",
    "SubsetParentIsImageable": "U008",
}
_USD_OTHER = "U010"


def _usd_errors(asset: Asset) -> list[tuple[str, str, str, str, str | None]]:
    """(U code, validator, error name, severity word, prim path) per validation error,
    computed once per asset (all U rules share it, through the asset's cache), in a child
    process as the loader reads the stage: usd-core can abort on a corrupt file."""
    return asset.cache.memo("validators.usd", lambda: _validate_isolated(Path(asset.path)))


def _validate_isolated(path: Path) -> list[tuple[str, str, str, str, str | None]]:
    """:func:`_validate` in a child process; a failure of it is one U010 error."""
    from assetlint.loaders import usd as usd_loader

    try:
        return usd_loader.isolated(_validate, (path,), "the validators")
    except LoadError as exc:
        return [(_USD_OTHER, "UsdValidation", "Error", str(exc), None)]


def _validate(path: Path) -> list[tuple[str, str, str, str, str | None]]:
    """Run every UsdValidation validator on the stage (see :func:`_usd_errors`), composed
    from the layers the USD loader vets, so that they never open a file outside the
    folder."""
    from pxr import UsdValidation

    from assetlint.loaders import usd as usd_loader

    errors, seen = [], set()
    try:
        with usd_loader.vetted_stage(path) as stage:
            validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
            found = UsdValidation.ValidationContext(validators).Validate(stage)
            read = []
            for err in found:
                full = err.GetValidator().GetMetadata().name
                sites = [s.GetPrim().GetPath().pathString for s in err.GetSites() if s.IsPrim()]
                message = " ".join(err.GetMessage().split())  # the engine cuts the folder out
                read.append((full, message, sites[0] if sites else "", err.GetType().displayName))
            # validators run concurrently, and one validator's errors come in any order:
            # sorted by validator, message and prim, so that the report's order, and the
            # one of two validators repeating a problem that is reported, are always the same
            for full, message, prim, kind in sorted(read):  # kind: "Error", "Warn", "Info"
                name = full.split(":")[-1]
                code = _USD_TOPICS.get(name, _USD_OTHER)
                key = (code, message)  # the root-package and all-packages checks repeat
                if key not in seen:
                    seen.add(key)
                    errors.append((code, name, kind, message, prim or None))
    except LoadError as exc:  # a corrupt layer USD composed but cannot validate
        message = f"UsdValidation could not run: {exc}"
        return [(_USD_OTHER, "UsdValidation", "Error", message, None)]
    return errors


def _usd_findings(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    if asset.format not in USD_FORMATS:
        return
    for code, name, kind, message, prim in _usd_errors(asset):
        if code != ctx.rule.code:
            continue
        severity = ctx.severity
        if kind != "Error":  # Warn: a warning at most; Info: info
            severity = "info" if kind != "Warn" or ctx.severity == "info" else "warning"
        yield ctx.finding(
            f"{name}: {message}",
            subject=prim,
            subject_type="prim" if prim else None,
            severity=severity,
        )


_USD_RULES = (
    # code, name, summary, fix, rationale
    (
        "U001",
        "usd-stage-metadata",
        "stage lacks upAxis, metersPerUnit or a valid defaultPrim (UsdValidation)",
        "Author upAxis, metersPerUnit and defaultPrim on the root layer.",
        "Without upAxis and metersPerUnit every consumer guesses the frame and scale; "
        "without a defaultPrim the stage cannot be referenced as an asset.",
    ),
    (
        "U002",
        "usd-unresolved-dependency",
        "a layer, reference or asset path does not resolve, or composition failed",
        "Ship the referenced files inside the asset folder or package.",
        "An unresolvable dependency drops part of the asset wherever it is opened: a "
        "missing layer, texture or payload is silently absent from the composed stage.",
    ),
    (
        "U003",
        "usdz-packaging",
        "a USDZ package member is compressed, misaligned, of an unsupported type, "
        "or referenced from outside the package",
        "Repackage with usdzip (stored, 64-byte aligned) and only .usd*/.png/.jpg/.exr files.",
        "USDZ viewers memory-map package members: compression, misalignment or unknown "
        "file types make the package unreadable, and files outside it are lost when shared.",
    ),
    (
        "U004",
        "usd-shader-conformance",
        "shader inputs disagree with the shader's registry definition, or a normal map "
        "is set up wrongly",
        "Use the input types of UsdPreviewSurface/UsdUVTexture; give normal maps "
        "scale (2,2,2,1), bias (-1,-1,-1,0) and a raw colour space.",
        "Renderers read a mistyped input as its default, so the material looks different "
        "from what was authored.",
    ),
    (
        "U005",
        "usd-prim-encapsulation",
        "gprims nested under gprims, or shaders outside a material/node graph",
        "Move nested geometry under an Xform and shaders under their Material.",
        "Hydra and most importers do not draw or bind prims nested against the schema rules.",
    ),
    (
        "U006",
        "usd-material-binding",
        "material bindings without MaterialBindingAPI, or malformed binding subsets",
        "Apply MaterialBindingAPI on bound prims and use the materialBind subset family.",
        "Since USD 23.11 a binding without the applied API is ignored: the mesh renders "
        "without its material.",
    ),
    (
        "U007",
        "usd-skel-binding",
        "skeleton binding without SkelBindingAPI or outside a SkelRoot",
        "Apply SkelBindingAPI and put the skinned mesh under a SkelRoot.",
        "A skinned mesh bound against the schema rules is drawn in its bind pose only: "
        "engines and viewers ignore a binding that UsdSkel does not recognise.",
    ),
    (
        "U008",
        "usd-geom-subsets",
        "GeomSubset families that are malformed or not under an imageable prim",
        "Make each subset family partition the faces and parent it to its mesh.",
        "Per-face materials and selections read from malformed subsets are wrong: faces "
        "end up with no material or two, depending on the importer.",
    ),
    (
        "U010",
        "usd-other-validation",
        "another UsdValidation validator failed (physics, media, a validator added later)",
        "Read the validator's message; it names the prim and the fix.",
        "usd-core ships more validators than the ones assetlint maps to topics; their "
        "failures are still failures.",
    ),
)


def _declare_usd_rules() -> None:
    for code, name, summary, fix, rationale in _USD_RULES:
        usd_group.rule(
            code, name, severity="warning", summary=summary, fix=fix, rationale=rationale
        )(_usd_findings)


_declare_usd_rules()

# --- the Khronos glTF-Validator through Node ---------------------------------------------

# Reads each file named on stdin (one a line), hands the validator only resources inside
# that file's folder, prints one JSON line per file: {"file", "report"} or {"file", "error"}.
# One Node process for many files: its start costs more than validating a small file.
# argv: maxIssues.
_NODE_SCRIPT = r"""
const fs = require('fs'), path = require('path');
const validator = require('gltf-validator');
const files = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
(async () => {
  for (const file of files) {
    const dir = path.dirname(path.resolve(file));
    const readInside = (uri) => new Promise((resolve, reject) => {
      const full = path.resolve(dir, decodeURIComponent(uri));
      const scheme = /^[a-z][a-z0-9+.-]+:/i.test(uri);
      if (scheme || path.isAbsolute(uri) || !full.startsWith(dir + path.sep)) {
        reject('not opened (outside the folder): ' + uri);
        return;
      }
      fs.readFile(full, (err, data) => err ? reject(err.message) : resolve(new Uint8Array(data)));
    });
    let line;
    try {
      const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(file)), {
        uri: path.basename(file), maxIssues: Number(process.argv[1]),
        externalResourceFunction: readInside,
      });
      line = {file, report};
    } catch (e) {
      line = {file, error: String(e)};
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
})();
"""

_SEVERITIES = {0: "error", 1: "warning", 2: "info", 3: "info"}


def node_validator(module_dir: str = "") -> tuple[str | None, dict[str, str], str]:
    """(node executable, environment, reason if unavailable) for running gltf-validator."""
    node = shutil.which("node")
    if node is None:
        return None, {}, "node is not installed"
    env = dict(os.environ)
    # absolute: the validator runs in the asset's folder, where a relative path means nothing
    paths = [
        os.path.abspath(p) for p in (module_dir, *env.get("NODE_PATH", "").split(os.pathsep)) if p
    ]
    env["NODE_PATH"] = os.pathsep.join(paths)
    probe = subprocess.run(
        [node, "-e", "require.resolve('gltf-validator')"],
        env=env,
        capture_output=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return None, {}, "the npm package gltf-validator is not installed (see module_dir)"
    return node, env, ""


def run_gltf_validator(
    path: Path, module_dir: str = "", max_issues: int = 200, timeout: float = 120
) -> dict[str, Any]:
    """The validator's report for ``path`` as a dict; RuntimeError (one line) if it
    cannot run or refuses the file."""
    (result,) = run_gltf_validator_many([Path(path)], module_dir, max_issues, timeout)
    if "error" in result:
        raise RuntimeError(f"gltf-validator refused the file: {result['error']}")
    return result["report"]


def run_gltf_validator_many(
    paths: list[Path], module_dir: str = "", max_issues: int = 200, timeout: float = 120
) -> list[dict[str, Any]]:
    """For each of ``paths``, in order: ``{"file", "report"}``, or ``{"file", "error"}``
    when the validator refuses the file (not glTF at all). One Node process validates them
    all; RuntimeError (one line) if it cannot run."""
    node, env, reason = node_validator(module_dir)
    if node is None:
        raise RuntimeError(reason)
    names = "".join(f"{Path(p).resolve()}\n" for p in paths)
    try:
        done = subprocess.run(
            [node, "-e", _NODE_SCRIPT, str(max_issues)],
            env=env,
            input=names.encode(),
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"gltf-validator did not finish in {timeout:g} s") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"gltf-validator failed: {detail[-1] if detail else done.returncode}")
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


@gltf_group.rule(
    "V001",
    "khronos-gltf-validator",
    severity="error",
    targets=(),
    summary="the Khronos glTF-Validator reports a problem (opt-in; needs node, gltf-validator)",
    fix="Fix the field the JSON pointer names; the validator's code is in the message.",
    params={"module_dir": "", "max_issues": 200, "timeout": 120.0},
    ranges={"max_issues": AT_LEAST_ZERO, "timeout": ABOVE_ZERO},
)
def khronos_gltf_validator(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """The reference validator checks the whole glTF specification (schema, references,
    accessor data, extensions); running it gives its full coverage without assetlint
    re-implementing it. Off by default because it needs Node and the npm package
    gltf-validator installed beforehand (nothing is downloaded); select it with
    --select V001. Validator errors take this rule's severity, warnings stay warnings,
    infos and hints are info."""
    if asset.format not in GLTF_FORMATS:
        return
    p = ctx.params
    try:
        report = run_gltf_validator(
            Path(asset.path), str(p["module_dir"]), int(p["max_issues"]), float(p["timeout"])
        )
    except RuntimeError as exc:
        yield ctx.finding(f"Khronos glTF-Validator not run: {exc}", severity="info")
        return
    for msg in report.get("issues", {}).get("messages", []):
        level = _SEVERITIES.get(msg.get("severity"), "info")
        severity = ctx.severity if level == "error" else level
        yield ctx.finding(
            f"{msg.get('code')}: {msg.get('message')}",
            subject=msg.get("pointer"),
            subject_type="json-pointer" if msg.get("pointer") else None,
            severity=severity,
        )


@hookimpl
def assetlint_rules() -> list[Rule]:
    return usd_group.rules + gltf_group.rules
