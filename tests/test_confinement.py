"""Confinement: every kind of reference an asset can make (glTF buffers and images, OBJ
.mtl files and their maps, USD references, payloads, sublayers and textures, references
from inside a usdz, FBX textures), written five hostile ways (an absolute path, a ``..``
escape, a symlink out of the folder, http:// and file:// URIs), is refused with a finding
that names it, and the file it points at is never opened. And nothing assetlint does
reaches the network."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assetlint.engine import Engine
from assetlint.loaders import is_asset_path, load
from assetlint.model import Asset, LoadError
from tests.fuzz.seeds import USDA, write_seeds
from tests.loaders.make_fbx import write_fbx
from tests.loaders.make_gltf import RED_PNG, GltfBuilder
from tests.loaders.make_usd import as_usdz
from tests.rules.meshes import cube

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Python-level events of the process, while a test watches (audit hooks cannot be removed).
_WATCH: list[list[tuple[str, str]]] = []


def _audit(event: str, args: tuple) -> None:
    if _WATCH and event in ("open", *_NETWORK):
        _WATCH[-1].append((event, str(args[0]) if args else ""))
        if event in _NETWORK:  # recorded, and stopped before it leaves the machine
            raise ConnectionRefusedError("network access in a test")


_NETWORK = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")


sys.addaudithook(_audit)


def watched(run: Callable[[], object]) -> tuple[object, list[tuple[str, str]]]:
    """What ``run`` returns (or raises), and the files and hosts it opened."""
    _WATCH.append([])
    try:
        try:
            result: object = run()
        except (LoadError, OSError) as exc:
            result = exc
    finally:
        events = _WATCH.pop()
    return result, events


# --- one writer per reference kind: an asset in ``folder`` whose reference is ``ref`` ------

PART = (
    '#usda 1.0\ndef Mesh "Secret"\n{\n    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]\n}\n'
)


def gltf_buffer(folder: Path, ref: str) -> Path:
    pos, tris = cube()
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(pos, tris)))])
    doc = json.loads(b.json_bytes(ref))
    (path := folder / "asset.gltf").write_text(json.dumps(doc))
    return path


def gltf_image(folder: Path, ref: str) -> Path:
    pos, tris = cube()
    b = GltfBuilder()
    b.add("images", {"uri": ref})
    b.add("textures", {"source": 0})
    b.add("materials", {"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}})
    uvs = pos[:, :2].copy()
    b.scene([b.node(mesh=b.mesh(b.primitive(pos, tris, material=0, TEXCOORD_0=uvs)))])
    return b.write(folder / "asset.glb")


def obj_text(pos, tris) -> str:
    return "".join(f"v {x} {y} {z}\n" for x, y, z in pos) + "".join(
        f"f {a + 1} {b + 1} {c + 1}\n" for a, b, c in tris
    )


def obj_mtllib(folder: Path, ref: str) -> Path:
    (path := folder / "asset.obj").write_text(f"mtllib {ref}\nusemtl m\n" + obj_text(*cube()))
    return path


def mtl_map(folder: Path, ref: str) -> Path:
    (folder / "asset.mtl").write_text(f"newmtl m\nmap_Kd {ref}\n")
    (path := folder / "asset.obj").write_text("mtllib asset.mtl\nusemtl m\n" + obj_text(*cube()))
    return path


def usd_layer(arc: str) -> Callable[[Path, str], Path]:
    """The fuzz seed's layer (a textured, bound mesh) with one arc, or its texture, set
    to the reference."""

    def write(folder: Path, ref: str) -> Path:
        text = USDA.replace("    subLayers = [@extra.usda@]\n", "").replace(
            '    def "Part" (prepend references = @part.usda@</Part>)\n    {\n    }\n', ""
        )
        if arc == "texture":
            text = text.replace("@red.png@", f"@{ref}@")
        elif arc == "sublayer":
            text = text.replace(
                '    upAxis = "Z"\n', f'    upAxis = "Z"\n    subLayers = [@{ref}@]\n'
            )
        else:
            kind = "references" if arc == "reference" else "payload"
            text += f'def "Arc" (prepend {kind} = @{ref}@)\n{{\n}}\n'
        (path := folder / "asset.usda").write_text(text)
        return path

    return write


def usdz_reference(folder: Path, ref: str) -> Path:
    layer = usd_layer("reference")(folder, ref)
    path = as_usdz(layer, folder / "asset.usdz")
    layer.unlink()
    return path


def fbx_texture(folder: Path, ref: str) -> Path:
    pos, tris = cube()
    texture = {"relative": ref, "absolute": ref, "content": None}
    write_fbx(path := folder / "asset.fbx", pos, tris, materials=["m"], texture=texture)
    return path


KINDS: dict[str, tuple[Callable[[Path, str], Path], str]] = {
    # kind: (writer, the referenced file's extension)
    "gltf-buffer": (gltf_buffer, ".bin"),
    "gltf-image": (gltf_image, ".png"),
    "obj-mtllib": (obj_mtllib, ".mtl"),
    "mtl-map": (mtl_map, ".png"),
    "usd-reference": (usd_layer("reference"), ".usda"),
    "usd-payload": (usd_layer("payload"), ".usda"),
    "usd-sublayer": (usd_layer("sublayer"), ".usda"),
    "usd-texture": (usd_layer("texture"), ".png"),
    "usdz-reference": (usdz_reference, ".usda"),
    "fbx-texture": (fbx_texture, ".png"),
}
WAYS = ("absolute", "dotdot", "symlink", "http", "file")


def hostile(way: str, folder: Path, secret: Path) -> str:
    """The reference, written ``way``, to ``secret`` (a real file outside ``folder``)."""
    if way == "symlink":
        (folder / f"link{secret.suffix}").symlink_to(secret)
        return f"link{secret.suffix}"
    return {
        "absolute": str(secret),
        "dotdot": f"../{secret.parent.name}/{secret.name}",
        "http": f"http://example.invalid/{secret.name}",
        "file": secret.as_uri(),
    }[way]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_reference_out_of_the_folder_is_a_finding_and_never_opened(tmp_path, kind, way):
    writer, suffix = KINDS[kind]
    folder, outside = tmp_path / "asset", tmp_path / "outside"
    folder.mkdir(), outside.mkdir()
    secret = outside / f"secret{suffix}"
    secret.write_bytes(
        {".bin": bytes(4096), ".png": RED_PNG, ".mtl": b"newmtl m\nKd 1 0 0\n"}.get(
            suffix, PART.encode()
        )
    )
    ref = hostile(way, folder, secret)
    path = writer(folder, ref)
    asset, events = watched(lambda: load(path))
    assert isinstance(asset, Asset), asset
    refused = [i for i in asset.issues if i.code == "L006"]
    assert refused, [(i.code, i.message) for i in asset.issues]
    named = ref.replace("\\", "\\\\")
    assert any(named in i.message or i.subject == ref for i in refused), refused
    assert not [e for e in events if "secret" in e[1] or e[0] != "open"], events
    assert "/Secret" not in [m.name for m in asset.meshes]  # a layer's content never composed
    assert all(t.source != "file" for t in asset.textures)


# --- the network --------------------------------------------------------------------------


def test_nothing_reaches_the_network(tmp_path):
    """Every file of the shared corpus (when present) loaded, and every file of the
    sample corpus and every fuzz seed loaded and linted with every rule but the opt-in
    validator (which runs Node): no socket connects, no host name is looked up (seen by
    the audit hook even where a loader swallows the error)."""
    import urllib.request

    _, events = watched(lambda: urllib.request.urlopen("http://example.invalid/", timeout=1))
    assert events[0][0] == "urllib.Request"  # the hook sees an attempt
    engine = Engine.default()
    codes = [c for c in engine.rules if not c.startswith("V")]
    linted = [
        *sorted(p for p in (Path(__file__).parents[1] / "corpus").rglob("*") if is_asset_path(p)),
        *write_seeds(tmp_path / "seeds").values(),
    ]
    loaded = sorted(p for p in SHARED.rglob("*") if is_asset_path(p)) if SHARED.is_dir() else []
    assert len(linted) > 15
    for path in [*linted, *loaded]:
        asset, events = watched(lambda p=path: load(p))
        if isinstance(asset, Asset) and path in linted:
            _, more = watched(lambda a=asset: engine.run(a, select=codes))
            events += more
        assert [e for e in events if e[0] != "open"] == [], path
