from pathlib import Path

import numpy as np
import pytest

from assetlint.model import Asset, Mesh, conversion_matrix, single_node_scene
from tests.shapes import asymmetric_object, to_authored


@pytest.mark.parametrize("up", ["+Y", "+Z", "-Z", "+X", "-X", "-Y"])
def test_conversion_maps_up_axis_to_y(up):
    from assetlint.model import axis_vector

    m = conversion_matrix(1.0, up)
    assert np.allclose(m[:3, :3] @ axis_vector(up), [0, 1, 0])
    assert np.isclose(np.linalg.det(m[:3, :3]), 1.0)  # a rotation: handedness kept


def test_z_up_is_the_usual_blender_to_gltf_rotation():
    m = conversion_matrix(0.01, "+Z")
    assert np.allclose(m[:3, :3] @ [1, 2, 3], [0.01, 0.03, -0.02])


def test_asset_convert_to_canonical_round_trips_fixture():
    pos, tris = asymmetric_object()
    authored = to_authored(pos, 0.0254, "+Z")
    asset = Asset(path=None, format="test", file_size=0, meshes=[Mesh("m", authored, tris)])
    single_node_scene(asset)
    asset.convert_to_canonical(conversion_matrix(0.0254, "+Z"))
    assert np.allclose(asset.bounds(), [[0.1, 0.0, -0.05], [0.5, 0.6, 0.15]], atol=1e-6)


def test_instances_count_in_scene_totals():
    pos, tris = asymmetric_object()
    asset = Asset(path=None, format="test", file_size=0, meshes=[Mesh("m", pos, tris)])
    single_node_scene(asset)
    single_node_scene(asset)
    assert asset.scene_triangle_count == 2 * len(tris)
    assert asset.unique_triangle_count == len(tris)


def test_place_skinned_bakes_a_pose_into_a_copy_when_the_mesh_is_shared():
    """A posed skin moves vertices one by one: the mesh the other instance still draws
    as authored is copied, not changed."""
    from assetlint.model import Asset, Mesh, Node, SkinWeights, place_skinned

    mesh = Mesh("m", np.eye(3, dtype=np.float32), np.array([[0, 1, 2]]))
    asset = Asset(path=Path("x.glb"), format="glb", file_size=0, meshes=[mesh])
    asset.nodes = [Node("a", np.eye(4), np.eye(4), mesh=0), Node("b", np.eye(4), np.eye(4), mesh=0)]
    lifted = np.stack([np.eye(4), np.eye(4)])
    lifted[1, 1, 3] = 1.0  # joint 1 one metre up
    weights = SkinWeights(np.array([0, 1, 2, 2]), np.array([0, 1, 0, 1]), np.array([1, 1, 1, 3.0]))
    place_skinned(asset, 0, lifted, weights)
    assert [n.mesh for n in asset.nodes] == [1, 0]
    assert np.allclose(asset.meshes[1].positions, [[1, 0, 0], [0, 2, 0], [0, 0.75, 1]])
    assert np.allclose(asset.meshes[0].positions, np.eye(3))


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_texture_headers_never_touch_pillows_global_pixel_limit(monkeypatch):
    """A header is read whatever size it declares without lifting Pillow's process-wide
    pixel limit (a Dask worker decodes textures in other threads meanwhile): the limit is
    read, never written, and a header past it is marked not to be decoded."""
    import types

    from PIL import Image

    from assetlint.model import Texture

    class Guarded(types.ModuleType):
        def __setattr__(self, name, value):
            if name == "MAX_IMAGE_PIXELS":
                raise AssertionError("Image.MAX_IMAGE_PIXELS written")
            super().__setattr__(name, value)

    monkeypatch.setattr(Image, "__class__", Guarded)
    bomb = Texture.from_bytes("bomb.png", "embedded", _png_header(100_000, 90_000))
    assert (bomb.width, bomb.height, bomb.mime_type) == (100_000, 90_000, "image/png")
    assert bomb.error is not None and "100000 x 90000 pixels" in bomb.error
    small = Texture.from_bytes("small.png", "embedded", _png_header(4, 4))
    assert (small.width, small.height, small.error) == (4, 4, None)
    junk = Texture.from_bytes("junk.png", "embedded", b"not an image at all")
    assert junk.error == "not a readable image: unknown image format"
