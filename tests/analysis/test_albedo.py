"""Surface sampling of the albedo: colour conversions, texture lookup and decoding, and
samples that are uniform over the area and carry texture x vertex colour x factor."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetlint.analysis.albedo import (
    SAMPLE_COUNT,
    bilinear,
    decode_texture,
    image_to_linear,
    linear_to_srgb,
    reduce_image,
    srgb_to_linear,
    surface_samples,
)
from assetlint.model import Asset, Material, Mesh, Node, Texture, TextureSlot
from tests.analysis.builders import (
    Shape,
    box_patches,
    colour,
    encode,
    lit,
    sphere_patch,
    textured_asset,
    uniform,
)

RED = colour((170, 60, 50))


def test_srgb_transfer_functions():
    assert srgb_to_linear(np.array([0.0, 0.04045, 0.5, 1.0])) == pytest.approx(
        [0.0, 0.04045 / 12.92, 0.2140411, 1.0], abs=1e-6
    )
    v = np.linspace(0, 1, 11)
    assert linear_to_srgb(srgb_to_linear(v)) == pytest.approx(v, abs=1e-9)
    assert image_to_linear(np.array([[0.5]], dtype=np.float32))[0, 0] == pytest.approx(
        srgb_to_linear(np.array(128 / 255)), abs=1e-6
    )


def test_bilinear_hits_texel_centres_blends_between_and_repeats():
    image = np.array([[[0.0], [1.0]], [[2.0], [3.0]]])  # 2x2, one channel
    centres = np.array([[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]])
    assert bilinear(image, centres)[:, 0] == pytest.approx([0, 1, 2, 3])
    # between the four centres: their mean; a whole tile away: the same
    assert bilinear(image, np.array([[0.5, 0.5], [1.5, -0.5]]))[:, 0] == pytest.approx([1.5, 1.5])


def test_reduce_image_block_averages():
    image = np.arange(16, dtype=np.float64).reshape(4, 4)
    assert reduce_image(image, 2).tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert reduce_image(image, 4) is image


def _png(size: tuple[int, int], fmt: str = "PNG") -> Texture:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(buf, fmt)
    return Texture.from_bytes("t", "embedded", buf.getvalue())


def test_decode_texture_reduces_large_images_and_refuses_garbage():
    pixels = decode_texture(_png((2048, 1024)), 512)
    assert pixels.shape == (256, 512, 4)
    assert pixels[0, 0].tolist() == pytest.approx([200 / 255, 100 / 255, 50 / 255, 1.0])
    assert decode_texture(_png((2048, 2048), "JPEG"), 1024).shape == (1024, 1024, 4)
    assert decode_texture(Texture.from_bytes("bad", "embedded", b"not an image")) is None


def test_samples_cover_a_sphere_uniformly_with_its_colour():
    asset = textured_asset(Shape().add(sphere_patch(), res=(96, 48), flip=True), uniform(RED))
    s = surface_samples(asset)
    assert s.count == SAMPLE_COUNT
    assert s.area == pytest.approx(np.pi, rel=0.002)  # the tessellated sphere of radius 0.5
    assert np.abs(np.linalg.norm(s.positions, axis=1) - 0.5).max() < 0.001
    assert np.einsum("ij,ij->i", s.normals, s.positions).min() > 0  # outward
    assert np.abs(s.rgb - RED).max() < 1e-6
    # uniform over the area: each octant holds an eighth of the samples
    octant = (s.positions > 0) @ np.array([1, 2, 4])
    assert np.bincount(octant, minlength=8) / s.count == pytest.approx(np.full(8, 1 / 8), abs=0.01)
    assert surface_samples(asset) is s  # once per asset


def test_samples_multiply_texture_vertex_colour_and_factor():
    shape = Shape()
    for fn, flip in box_patches((0.5, 0.5, 0.5)):
        shape.add(fn, res=(2, 2), flip=flip)
    asset = textured_asset(shape, uniform(colour((128, 128, 128))))
    asset.materials[0].base_color_factor = np.array([1.0, 0.5, 0.25, 1.0], dtype=np.float32)
    mesh = asset.meshes[0]
    mesh.colors = np.tile(np.array([0.5, 1.0, 1.0, 1.0], dtype=np.float32), (mesh.vertex_count, 1))
    s = surface_samples(asset)
    grey = srgb_to_linear(np.array(128 / 255))
    assert s.rgb.mean(axis=0) == pytest.approx(grey * np.array([0.5, 0.5, 0.25]), rel=1e-5)
    assert s.metallic.max() == 0.0 and s.roughness.max() == 0.5


def test_uniform_means_one_albedo_per_material():
    """A one-colour texture, or one colour per material, leaves nothing to fit; one
    texture that varies does not."""
    sphere = Shape().add(sphere_patch(), res=(24, 12), flip=True)
    assert surface_samples(textured_asset(sphere, uniform(RED))).uniform
    two = textured_asset(sphere, uniform(RED))
    two.materials.append(Material("blue", base_color_factor=np.array([0, 0, 1, 1.0])))
    two.meshes[0].material_indices[::2] = 1
    assert surface_samples(two).uniform
    lit_red = textured_asset(sphere, lit(uniform(RED), (0, 1, 0), 0.5))
    assert not surface_samples(lit_red).uniform


def test_no_surface_gives_no_samples():
    flat = Mesh("flat", np.zeros((3, 3)), np.array([[0, 1, 2]]))
    asset = Asset(
        path=None,  # type: ignore[arg-type]
        format="glb",
        file_size=0,
        meshes=[flat],
        materials=[Material("m")],
        nodes=[Node("n", local=np.eye(4), world=np.eye(4), mesh=0)],
    )
    assert surface_samples(asset) is None


def test_samples_on_a_stretched_rotated_square_have_its_normal_area_and_texel_density():
    """A 1 m square mapped onto a whole 256-texel texture, placed by a node that rotates
    it and stretches it 2 x 3: samples lie on the placed square with its normal, and a
    metre of it holds 256 / sqrt(6) texels."""
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float64)
    mesh = Mesh(
        "square",
        square,
        np.array([[0, 1, 2], [0, 2, 3]]),
        uvs=[square[:, :2]],
        material_indices=np.zeros(2, dtype=np.int32),
    )
    c, s_ = np.cos(0.3), np.sin(0.3)
    rotation = np.array([[c, 0, s_], [0, 1, 0], [-s_, 0, c]])
    world = np.eye(4)
    world[:3, :3] = rotation @ np.diag([2.0, 3.0, 1.0])
    world[:3, 3] = [5.0, -1.0, 2.0]
    material = Material("m")
    material.textures["base_color"] = TextureSlot(0)
    texture = Texture.from_bytes("t", "embedded", encode(np.full((256, 256, 3), 0.5)))
    asset = Asset(
        path=Path("square.glb"),
        format="glb",
        file_size=0,
        meshes=[mesh],
        materials=[material],
        textures=[texture],
        nodes=[Node("n", local=world, world=world, mesh=0)],
    )
    s = surface_samples(asset)
    normal = rotation @ [0, 0, 1.0]
    assert np.abs(s.normals @ normal) == pytest.approx(1.0, abs=1e-9)
    local = (s.positions - world[:3, 3]) @ np.linalg.inv(world[:3, :3]).T
    assert local.min(axis=0) == pytest.approx([0, 0, 0], abs=0.01)
    assert local.max(axis=0) == pytest.approx([1, 1, 0], abs=0.01)
    assert s.area == pytest.approx(6.0)
    assert s.tri_area == pytest.approx(np.full(s.count, 3.0))
    assert s.texels_per_metre == pytest.approx(np.full(s.count, 256 / np.sqrt(6)))


def test_rasterised_uv_triangle_covers_its_texels_and_wraps():
    from assetlint.analysis.albedo import rasterise_uv

    tri = np.array([[[0.1, 0.1], [0.9, 0.1], [0.1, 0.9]]])
    mask = rasterise_uv(tri, (64, 64))
    # half of a 51.2-texel square (1311), grown by about a texel beyond each edge that
    # crosses a texel (bilinear reads neighbours): at most twice the perimeter (175) more
    assert 0.5 * 51.2**2 < mask.sum() < 0.5 * 51.2**2 + 2 * 175
    assert mask[10, 10] and not mask[60, 60]
    across = rasterise_uv(np.array([[[0.95, 0.5], [1.05, 0.5], [1.0, 0.6]]]), (64, 64))
    assert across[33, 0] and across[33, 63]  # repeat wrapping: both edges


def test_palette_share_tells_flat_fills_from_photo_noise():
    from assetlint.analysis.albedo import DESIGNED, designed_samples, palette_share

    ball = Shape().add(sphere_patch(), res=(48, 24), flip=True)
    flat = textured_asset(ball, uniform(RED))
    noisy = textured_asset(ball, uniform(RED), grain=2)
    assert palette_share(flat, 0) == 1.0
    assert palette_share(noisy, 0) < 0.2  # 5^3 equally likely noisy colours
    assert designed_samples(flat, surface_samples(flat)).all()
    assert not designed_samples(noisy, surface_samples(noisy)).any()
    assert DESIGNED == 0.5


def test_a_texture_past_the_pixel_limit_is_not_decoded():
    """Texture.error says "not decoded": Pillow is not asked to (between 1x and 2x its
    limit it would decode 90M pixels, with a DecompressionBombWarning on stderr)."""
    import struct
    import warnings
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 10_000, 9_000, 8, 2, 0, 0, 0)  # 90M pixels
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    texture = Texture.from_bytes("big.png", "embedded", png)
    assert texture.error is not None and "10000 x 9000 pixels" in texture.error
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode_texture(texture) is None
