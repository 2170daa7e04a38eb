"""The glTF 2.0 specification as data: the Khronos glTF-Validator's issue codes with their
default severities, and the published JSON Schemas that every document is validated
against.

Why the validator's codes: it is the reference implementation CI owners already gate on,
so a file it calls invalid must fail assetlint's gate the same way, under a name they can
look up. The severities come from its registry, ``lib/src/errors.dart`` at
KhronosGroup/glTF-Validator commit 443fe3e9260c1c846e9fe76593a180d21343afa5 (every class:
DataError, IoError, SchemaError, SemanticError, LinkError, GlbError; ``Severity.Error``
unless stated), and, where the validator's own reports in ../shared/corpus/gltf-validator
(validator 2.0.0-dev.3.0, the npm release) show another severity or a code from an
extension's file (``lib/src/ext/*``), from those reports.

Why the schemas: they are the specification's own statement of the JSON's shape (required
properties, types, enums, ranges, ``not`` rules such as matrix-with-TRS), so the checks here
generalize to any document rather than to a list of test cases. They are vendored unchanged
in ``gltf_schema/``; in memory each is brought to draft 2020-12 (the draft-04 extension
schemas' boolean ``exclusiveMinimum``), closed (``additionalProperties: false`` over the
properties an object and its bases define) so that a property the schema does not define
is reported as the validator does, and inlined, so that validating follows no reference.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).with_name("gltf_schema")

_WARNINGS = (
    "ACCESSOR_JOINTS_USED_ZERO_WEIGHT",
    "ANIMATION_CHANNEL_TARGET_NODE_SKIN",
    "BUFFER_GLB_CHUNK_TOO_BIG",
    "CAMERA_XMAG_YMAG_NEGATIVE",
    "CAMERA_YFOV_GEQUAL_PI",
    "DATA_URI_GLB",
    "GLB_EXTRA_DATA",
    "GLB_UNKNOWN_CHUNK_TYPE",
    "IMAGE_FEATURES_UNSUPPORTED",
    "IMAGE_UNRECOGNIZED_FORMAT",
    "INVALID_EXTENSION_NAME_FORMAT",
    "KHR_MATERIALS_ANISOTROPY_ANISOTROPY_TEXTURE_TEXCOORD",
    "KHR_MATERIALS_CLEARCOAT_CLEARCOAT_NORMAL_TEXTURE_TEXCOORD",
    "KHR_MATERIALS_DISPERSION_NO_VOLUME",
    "KHR_MATERIALS_EMISSIVE_STRENGTH_ZERO_FACTOR",
    "KHR_MATERIALS_VOLUME_DOUBLE_SIDED",
    "KHR_MATERIALS_VOLUME_NO_TRANSMISSION",
    "MATERIAL_ALPHA_CUTOFF_INVALID_MODE",
    "MESH_PRIMITIVES_UNEQUAL_JOINTS_COUNT",
    "MESH_PRIMITIVE_GENERATED_TANGENT_SPACE",
    "MESH_PRIMITIVE_INCOMPATIBLE_MODE",
    "MESH_PRIMITIVE_NO_POSITION",
    "MESH_PRIMITIVE_TANGENT_POINTS",
    "MESH_PRIMITIVE_TANGENT_WITHOUT_NORMAL",
    "MULTIPLE_EXTENSIONS",
    "NODE_SKINNED_MESH_LOCAL_TRANSFORMS",
    "NODE_SKINNED_MESH_PARENT_TRANSFORMS",
    "NODE_SKINNED_MESH_WITHOUT_SKIN",
    "NON_RELATIVE_URI",
    "UNEXPECTED_PROPERTY",
    "UNKNOWN_ASSET_MINOR_VERSION",
    "UNRESERVED_EXTENSION_PREFIX",
    "VALUE_NOT_IN_LIST",
)
_INFOS = (
    "ACCESSOR_INDEX_TRIANGLE_DEGENERATE",
    "EXTRA_PROPERTY",
    "GLB_EMPTY_BIN_CHUNK",
    "IMAGE_NPOT_DIMENSIONS",
    "INCOMPLETE_EXTENSION_SUPPORT",
    "KHR_MATERIALS_IRIDESCENCE_THICKNESS_RANGE_WITHOUT_TEXTURE",
    "KHR_MATERIALS_IRIDESCENCE_THICKNESS_TEXTURE_UNUSED",
    "MESH_PRIMITIVE_UNUSED_TEXCOORD",
    "NODE_EMPTY",
    "NODE_MATRIX_DEFAULT",
    "NODE_SKINNED_MESH_NON_ROOT",
    "NON_OBJECT_EXTRAS",
    "UNSUPPORTED_EXTENSION",
    "UNUSED_MESH_TANGENT",
    "UNUSED_MESH_WEIGHTS",
    "UNUSED_OBJECT",
    "URI_GLB",
    # a hint in the validator; assetlint has no lower level than info
    "BUFFER_VIEW_TARGET_MISSING",
)
# Every other code the validator defines is an error by default.
SEVERITIES: dict[str, str] = {
    **{code: "warning" for code in _WARNINGS},
    **{code: "info" for code in _INFOS},
}


def severity(code: str) -> str:
    """The Khronos validator's default severity of issue ``code``."""
    return SEVERITIES.get(code, "error")


def codes(level: str) -> list[str]:
    """The codes of severity ``level`` ("warning" or "info"; every other code is an error)."""
    return sorted(code for code, sev in SEVERITIES.items() if sev == level)


@dataclass(frozen=True)
class SchemaIssue:
    """One way a document breaks a schema: the Khronos code, the JSON path of the value
    (``accessors[2].count``) and what is wrong with it."""

    code: str
    path: str
    message: str


# Where an extension's schema applies, by the prefix of its file name.
# The glTF object each file-name prefix names ("material.KHR_materials_sheen"); a prefix
# not listed ("graph.KHR_interactivity", "light") names an object of the extension's own.
_PLACE_PREFIXES = {
    "glTF": "root",
    "mesh.primitive": "primitive",
    "animation.channel.target": "target",
    **{
        kind: kind
        for kind in (
            "accessor",
            "animation",
            "buffer",
            "bufferView",
            "camera",
            "image",
            "material",
            "mesh",
            "node",
            "sampler",
            "scene",
            "skin",
            "texture",
            "textureInfo",
        )
    },
}


def _upgrade(schema: Any) -> Any:
    """A draft-04 schema as draft 2020-12: a boolean exclusiveMinimum/Maximum becomes the
    numeric bound it qualifies (in place)."""
    if isinstance(schema, dict):
        for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(schema.get(flag), bool):
                if schema.pop(flag) and bound in schema:
                    schema[flag] = schema.pop(bound)
        for value in schema.values():
            _upgrade(value)
    elif isinstance(schema, list):
        for value in schema:
            _upgrade(value)
    return schema


def _names(name: str, raw: dict[str, Any]) -> set[str]:
    """The properties an object of schema file ``name`` may hold: its own and its bases'."""
    schema = raw[name]
    out = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        ref = part.get("$ref") if isinstance(part, dict) else None
        if ref in raw:
            out |= _names(ref, raw)
    return out


def _closed(schema: Any, raw: dict[str, Any], bases: set[str]) -> Any:
    """``schema`` with every object schema that no other extends closed to the properties
    it and its bases define (``additionalProperties: false`` over their union; a base such
    as glTFProperty stays open, or it would reject its children's properties), and open
    enums closed (in place)."""
    if isinstance(schema, dict):
        for value in schema.values():
            _closed(value, raw, bases)
        refs = [p.get("$ref") for p in schema.get("allOf", []) if isinstance(p, dict)]
        names = set(schema.get("properties", {}))
        for ref in refs:
            names |= _names(ref, raw) if ref in raw else set()
        if (
            names
            and schema.get("$id") not in bases
            and schema.get("type", "object") == "object"
            and "additionalProperties" not in schema
        ):
            schema["properties"] = {**{n: {} for n in names}, **schema.get("properties", {})}
            schema["additionalProperties"] = False
        branches = schema.get("anyOf")
        if isinstance(branches, list) and any("const" in b or "enum" in b for b in branches):
            # an open enum ("one of these, or any string" for extensions to add to): the
            # validator warns on a value outside the list, so the catch-all goes
            branches = [b for b in branches if set(b) - {"type", "description"}]
            schema["anyOf"] = branches
            types = {b.get("type") for b in branches}
            if all(set(b) <= {"const", "enum", "type", "description"} for b in branches):
                # the same rule as one enum (and its type), which jsonschema checks without
                # building an error per branch that a valid value does not match
                del schema["anyOf"]
                schema["enum"] = [v for b in branches for v in b.get("enum", [b.get("const")])]
                if len(types) == 1 and None not in types:
                    schema.setdefault("type", types.pop())
    elif isinstance(schema, list):
        for value in schema:
            _closed(value, raw, bases)
    return schema


def _inlined(schema: Any, schemas: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``schema`` with each reference to another file replaced by that file's schema, so
    that validating follows no reference (jsonschema resolves one per object otherwise:
    most of its time on a file of thousands of nodes). A reference inside a file ("#/...")
    or one that would loop stays for the registry."""
    if isinstance(schema, list):
        return [_inlined(v, schemas, seen) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _inlined(v, schemas, seen) for k, v in schema.items() if k != "$ref"}
    ref = schema.get("$ref")
    if not isinstance(ref, str) or ref not in schemas or ref in seen:
        if ref is not None:
            out["$ref"] = ref
        return out
    target = _inlined(schemas[ref], schemas, (*seen, ref))
    if not out:
        return target
    out["allOf"] = [*out.get("allOf", []), target]
    return out


# Keywords that only document (jsonschema looks each up on every object it validates)
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "gltf_detailedDescription",
        "gltf_sectionDescription",
        "gltf_webgl",
        "gltf_uriType",
    }
)
# What a base schema (glTFProperty, textureInfo...) may hold to be merged into its user
_MERGEABLE = frozenset({"$id", "type", "properties", "required", "allOf"})


def _lean(schema: Any, bases: set[str]) -> Any:
    """The same rules in fewer steps: documentation keywords dropped, and each base an
    object schema extends (``allOf: [glTFChildOfRootProperty]``) merged into it, as
    jsonschema descends once per keyword and per allOf branch on every object."""
    if isinstance(schema, list):
        return [_lean(v, bases) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _lean(v, bases) for k, v in schema.items() if k not in _ANNOTATIONS}
    if isinstance(out.get("dependencies"), dict):  # draft-07's name for dependentRequired
        out["dependentRequired"] = out.pop("dependencies")
    kept = []
    for part in out.pop("allOf", []):
        if isinstance(part, dict) and part.get("$id") in bases and set(part) <= _MERGEABLE:
            props = dict(out.get("properties", {}))
            for key, rule in part.get("properties", {}).items():  # both rules hold
                mine = props.get(key, {})
                props[key] = rule if not mine else mine if not rule else {"allOf": [rule, mine]}
            out["properties"] = props
            needed = [*out.get("required", []), *part.get("required", [])]
            if needed:
                out["required"] = list(dict.fromkeys(needed))
            out.setdefault("type", part.get("type", "object"))
            kept.extend(part.get("allOf", []))  # already lean: its own bases merged
        else:
            kept.append(part)
    if kept:
        out["allOf"] = kept
    return out


@functools.cache
def _schemas() -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], str | None]]:
    """Every vendored schema by file name (upgraded, closed and inlined), and the schema
    file of each (extension, place)."""
    files = sorted(SCHEMA_DIR.glob("**/*.schema.json"))
    raw = {f.name: _upgrade(json.loads(f.read_text(encoding="utf-8"))) for f in files}
    bases = {
        ref
        for schema in raw.values()
        for part in schema.get("allOf", [])
        if isinstance(part, dict) and isinstance(ref := part.get("$ref"), str)
    }
    closed = {}
    for name, schema in raw.items():
        schema = _closed(copy.deepcopy(schema), raw, bases)
        schema["$id"] = name
        schema.pop("$schema", None)  # dialect: 2020-12 for all, so our keywords apply
        closed[name] = schema
    schemas = {
        name: _lean(_inlined(schema, closed, (name,)), bases) for name, schema in closed.items()
    }
    places: dict[tuple[str, str], str | None] = {}
    for f in files:
        if f.parent.parent.name != "extensions":
            continue
        stem = f.name.removesuffix(".schema.json")
        prefix = stem.removesuffix("." + f.parent.name)
        if prefix in _PLACE_PREFIXES and prefix != stem:
            places[(f.parent.name, _PLACE_PREFIXES[prefix])] = f.name
        else:  # a schema of the extension's own objects (a light, a graph) or of what any
            # object may hold (KHR_xmp_json_ld): its file names do not say where it goes
            places.setdefault((f.parent.name, ""), None)
    return schemas, places


# The root arrays whose elements are objects of their own schema: validated one element at
# a time, and only the elements the fast validator flags
_OBJECT_ARRAYS = (
    "accessors",
    "animations",
    "buffers",
    "bufferViews",
    "cameras",
    "images",
    "materials",
    "meshes",
    "nodes",
    "samplers",
    "scenes",
    "skins",
    "textures",
)


@functools.cache
def _core_parts() -> dict[str, Any]:
    """The core schema cut in two: the root without its arrays' items ("" here), and the
    schema of each root array's elements (by the array's name)."""
    root = copy.copy(_schemas()[0]["glTF.schema.json"])
    root["properties"] = dict(root["properties"])
    parts: dict[str, Any] = {"": root}
    for key in _OBJECT_ARRAYS:
        array = dict(root["properties"][key])
        parts[key] = array.pop("items")
        root["properties"][key] = array
    return parts


@functools.cache
def _validator(name: str) -> Any:
    """The compiled validator of schema file ``name`` (or of a part of the core schema,
    "core:KEY"), resolving any $ref left to a vendored file (never the network). Built
    once per process, on first use."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas, _ = _schemas()
    registry = Registry().with_resources(
        (uri, Resource.from_contents(s, default_specification=DRAFT202012))
        for uri, s in schemas.items()
    )
    formats = FormatChecker(formats=())
    formats.checks("json-pointer")(lambda value: not isinstance(value, str) or _is_pointer(value))
    schema = _core_parts()[name[5:]] if name.startswith("core:") else schemas[name]
    return Draft202012Validator(schema, registry=registry, format_checker=formats)


@functools.cache
def _fast(name: str = "glTF.schema.json") -> Any:
    """jsonschema-rs's validator of schema file ``name``, or None where it is not
    installed: it says in milliseconds whether a document of 20,000 nodes is valid, where
    jsonschema takes seconds; jsonschema then names each fault of what it flags."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the slow path is the same rules
        return None
    return jsonschema_rs.Draft202012Validator(_schemas()[0][name], validate_formats=True)


# A JSON pointer (RFC 6901), as KHR_animation_pointer's "json-pointer" format requires.
_POINTER = re.compile(r"(?:/(?:[^/~]|~0|~1)*)*")


def _is_pointer(value: str) -> bool:
    return _POINTER.fullmatch(value) is not None


def extension_places() -> dict[str, set[str] | None]:
    """Each KHR extension with a schema -> the kinds of object it may extend, as its schema
    files name them; None when its files do not say (it has objects of its own)."""
    out: dict[str, set[str] | None] = {}
    for (name, place), file in _schemas()[1].items():
        if file is None:
            out[name] = None
        elif out.get(name, set()) is not None:
            out.setdefault(name, set()).add(place)  # type: ignore[union-attr]
    return out


def validate(doc: Any) -> list[SchemaIssue]:
    """Where ``doc`` breaks the core glTF 2.0 schema (extension objects are checked by
    :func:`validate_extension`, at their place)."""
    fast = _fast()
    try:
        if fast is not None and fast.is_valid(doc):
            return []
        flagged = {tuple(e.instance_path[:2]) for e in fast.iter_errors(doc)} if fast else None
    except (ValueError, OverflowError, TypeError):  # a value jsonschema-rs cannot hold
        flagged = None
    if flagged is None or not isinstance(doc, dict):
        return _issues(_validator("glTF.schema.json"), doc, ())
    out = _issues(_validator("core:"), doc, ())
    for key, index, *_ in (f for f in flagged if len(f) == 2):
        if key in _OBJECT_ARRAYS and isinstance(index, int):
            out += _issues(_validator(f"core:{key}"), doc[key][index], (key, index))
    return sorted(set(out), key=lambda i: (i.path, i.code, i.message))


def validate_extension(name: str, place: str, value: Any, path: str) -> list[SchemaIssue]:
    """Where extension object ``value`` (``name`` on an object of kind ``place``, at JSON
    path ``path``) breaks its schema; nothing when the extension publishes none."""
    schema = _schemas()[1].get((name, place))
    if schema is None:  # none published, or none for that place
        return []
    fast = _fast(schema)
    try:
        if fast is not None and fast.is_valid(value):
            return []
    except (ValueError, OverflowError, TypeError):  # a value jsonschema-rs cannot hold
        pass
    return _issues(_validator(schema), value, (path,))


def _issues(validator: Any, instance: Any, prefix: tuple[Any, ...]) -> list[SchemaIssue]:
    out = set()
    for error in validator.iter_errors(instance):
        out.update(_mapped(validator, error, prefix))
    # a value of the wrong type breaks every other rule about it: say only that
    mistyped = {i.path for i in out if i.code in ("TYPE_MISMATCH", "ARRAY_TYPE_MISMATCH")}
    kept = [i for i in out if i.path not in mistyped or i.code.endswith("TYPE_MISMATCH")]
    return sorted(kept, key=lambda i: (i.path, i.code, i.message))


def json_path(parts: Any) -> str:
    """``accessors[2].count`` from the parts ("accessors", 2, "count")."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 40 else text[:37] + "..."


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")
# "not" rules of the schemas, by schema: the validator's code for each
_NOT_RULES = {
    "node.schema.json": ("NODE_MATRIX_TRS", "has both a matrix and translation/rotation/scale"),
    "camera.schema.json": ("ONE_OF_MISMATCH", "has both perspective and orthographic"),
}
_BOUNDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
# dependencies the validator reports under a code of their own
_DEPENDENCY_CODES = {("alphaCutoff", "alphaMode"): "MATERIAL_ALPHA_CUTOFF_INVALID_MODE"}


def _mapped(validator: Any, error: Any, prefix: tuple[Any, ...]) -> Iterator[SchemaIssue]:
    """The Khronos issue(s) one jsonschema error stands for."""
    parts = (*prefix, *error.absolute_path)
    path = json_path(parts) or "(root)"
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and value is False:
        found = _UNEXPECTED.search(error.message)
        names = re.findall(r"'((?:[^'\\]|\\.)*)'", found.group(1)) if found else []
        for key in names or ["?"]:
            yield SchemaIssue(
                "UNEXPECTED_PROPERTY", json_path((*parts, key)), "unexpected property"
            )
        return
    if kind == "required":
        for key in value:
            if isinstance(instance, dict) and key not in instance:
                yield SchemaIssue(
                    "UNDEFINED_PROPERTY", path, f"required property {key!r} must be defined"
                )
        return
    if kind == "dependentRequired":
        for prop, needed in (error.schema.get("dependentRequired") or {}).items():
            if prop in instance and any(n not in instance for n in needed):
                missing = [n for n in needed if n not in instance]
                code = _DEPENDENCY_CODES.get((prop, missing[0]), "UNSATISFIED_DEPENDENCY")
                yield SchemaIssue(
                    code, json_path((*parts, prop)), f"needs {', '.join(map(repr, missing))}"
                )
        return
    yield SchemaIssue(*_code(validator, error, path, len(parts)))


def _code(validator: Any, error: Any, path: str, depth: int) -> tuple[str, str, str]:
    """(code, path, message) of one error at JSON path ``path``, ``depth`` keys deep."""
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        if depth > 2 and path.endswith("]"):  # an element of a root array: TYPE_MISMATCH
            array = path[: path.rindex("[")]
            return "ARRAY_TYPE_MISMATCH", array, f"element {_short(instance)} is not a {value}"
        return "TYPE_MISMATCH", path, f"{_short(instance)} is not of type {value}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if error.schema.get("$id") == "glTFid.schema.json":
            return "INVALID_INDEX", path, f"{_short(instance)} is not a valid index"
        return "VALUE_NOT_IN_RANGE", path, f"{_short(instance)} is out of range ({kind} {value})"
    if kind in ("minItems", "maxItems", "minProperties"):
        if not instance:
            return "EMPTY_ENTITY", path, "must not be empty"
        return "ARRAY_LENGTH_NOT_IN_LIST", path, f"{len(instance)} elements ({kind} {value})"
    if kind in ("const", "enum"):
        return "VALUE_NOT_IN_LIST", path, f"{_short(instance)} is not an allowed value"
    if kind == "anyOf":
        return _any_of(validator, error, path, depth)
    if kind == "oneOf":
        branches = [b for b in value if isinstance(b, dict)]
        if any(set(b) & _BOUNDS for b in branches):  # a union of ranges (an ior of 0 or >= 1)
            return "VALUE_NOT_IN_RANGE", path, f"{_short(instance)} is out of range"
        names = [k for b in branches for k in b.get("required", [])]
        what = f"exactly one of {', '.join(names)}" if names else "exactly one alternative"
        return "ONE_OF_MISMATCH", path, f"must define {what}"
    if kind == "not":
        code, message = _NOT_RULES.get(error.schema.get("$id"), ("ONE_OF_MISMATCH", ""))
        return code, path, message or f"must not match {_short(value)}"
    if kind == "format":  # the validator reports a malformed JSON pointer so
        return "PATTERN_MISMATCH", path, f"{_short(instance)} is not a {value}"
    if kind == "pattern":
        return "PATTERN_MISMATCH", path, f"{_short(instance)} does not match {value}"
    if kind == "uniqueItems":
        return "DUPLICATE_ELEMENTS", path, "holds an element twice"
    if kind == "multipleOf":
        return "VALUE_MULTIPLE_OF", path, f"{_short(instance)} is not a multiple of {value}"
    return "TYPE_MISMATCH", path, f"{_short(instance)} breaks the schema ({kind})"


def _any_of(validator: Any, error: Any, path: str, depth: int) -> tuple[str, str, str]:
    """An anyOf of constants (an enum that may be open, "or any string") is a value not in
    the list, or a type mismatch when the value has none of the branches' types; any
    other anyOf is reported by its closest branch."""
    branches = [b for b in error.validator_value if isinstance(b, dict)]
    if branches and all(set(b) <= {"const", "enum", "type", "description"} for b in branches):
        types = {b["type"] for b in branches if "type" in b}
        if types and not any(validator.is_type(error.instance, t) for t in types):
            return "TYPE_MISMATCH", path, f"{_short(error.instance)} is not of type {sorted(types)}"
        return "VALUE_NOT_IN_LIST", path, f"{_short(error.instance)} is not an allowed value"
    from jsonschema.exceptions import best_match

    closest = best_match(error.context)
    if closest is None:
        return "TYPE_MISMATCH", path, f"{_short(error.instance)} matches no alternative"
    inner = json_path(closest.relative_path)
    where = (
        path if not inner else (f"{path}{inner}" if inner.startswith("[") else f"{path}.{inner}")
    )
    return _code(validator, closest, where, depth + len(closest.relative_path))
