"""Blob detection in colour maps: a soft spot towards white is a highlight, a hard-edged
white decal, a coloured spot or a broad bright half is not."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.analysis.albedo import linear_to_srgb
from assetlint.analysis.highlights import find_blobs, find_vertex_blobs, vertex_palette_share
from assetlint.geometry.topology import topology
from assetlint.model import Mesh
from tests.analysis.builders import colour

RED = colour((170, 60, 50))
SIZE = 256


def image(linear: np.ndarray) -> np.ndarray:
    """RGBA sRGB pixels in 0..1, 8-bit quantized, as decode_texture returns."""
    srgb = np.round(linear_to_srgb(linear) * 255) / 255
    return np.dstack([srgb, np.ones(linear.shape[:2])]).astype(np.float32)


def distance_from(row: float, col: float) -> np.ndarray:
    r, c = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    return np.hypot(r - row, c - col)


def test_soft_white_spot_is_one_highlight_at_its_centre():
    f = 0.9 * np.exp(-(distance_from(64, 192) ** 2) / (2 * 6.0**2))
    pixels = image(RED + f[..., None] * (1 - RED))
    found = find_blobs(pixels)
    (blob,) = found.blobs
    assert blob.uv == pytest.approx((0.75, 0.25), abs=1 / SIZE)
    assert blob.peak == pytest.approx(0.9, abs=0.02)
    assert blob.saturation < 0.1
    assert blob.softness > 0.6
    assert blob.contrast > 5
    assert blob.is_highlight()
    mask = found.mask(found.blobs)
    assert mask[64, 192] and not mask[200, 50]


def test_hard_edged_white_disc_is_not_soft():
    disc = distance_from(128, 128) < 10
    pixels = image(np.where(disc[..., None], colour((240, 240, 240)), RED))
    (blob,) = find_blobs(pixels).blobs
    assert blob.softness < 0.2
    assert not blob.is_highlight()


def test_saturated_spot_and_broad_bright_half_are_not_highlights():
    f = np.exp(-(distance_from(128, 128) ** 2) / (2 * 6.0**2))
    yellow = colour((250, 220, 40))
    spot = find_blobs(image(RED + f[..., None] * (yellow - RED)))
    assert spot.blobs and not any(b.is_highlight() for b in spot.blobs)
    half = np.zeros((SIZE, SIZE, 3)) + RED
    half[:, : SIZE // 2] = colour((245, 245, 245))
    assert find_blobs(image(half)).blobs == []  # not compact: part of the background


def test_tiny_images_are_not_judged():
    assert find_blobs(np.ones((8, 8, 4), dtype=np.float32)) is None


def test_white_decal_on_a_bright_face_has_a_sharp_edge():
    # a lit face (a quarter of the way to white, hard-edged) with a white decal inside: the
    # region is the face and the core the decal, so the core looks small (soft), but the
    # decal's outline is a step, where a reflection's fall-off spreads over texels
    face = np.zeros((SIZE, SIZE), dtype=bool)
    face[100:148, 100:148] = True
    f = np.where(face, 0.25, 0.0)
    f = np.where(distance_from(124, 124) < 6, 1.0, f)
    (blob,) = find_blobs(image(RED + f[..., None] * (1 - RED))).blobs
    assert blob.softness > 0.9  # the old criterion alone took it for a highlight
    assert blob.sharpness > 0.3  # one step of 0.75: 0.375 per texel (central difference)
    assert not blob.is_highlight()


def test_soft_spot_has_a_gradual_edge():
    f = 0.9 * np.exp(-(distance_from(64, 192) ** 2) / (2 * 6.0**2))
    (blob,) = find_blobs(image(RED + f[..., None] * (1 - RED))).blobs
    assert blob.sharpness == pytest.approx(0.078, abs=0.01)  # Gaussian: 0.466 / sigma


def globe(rows: int = 90, cols: int = 180) -> tuple[np.ndarray, np.ndarray]:
    """A unit-radius latitude-longitude sphere, welded at its seam and poles by position
    only (the seam's vertices are repeated, as a UV seam would split them)."""
    theta = np.linspace(0, np.pi, rows + 1)
    phi = np.linspace(0, 2 * np.pi, cols + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    pos = np.stack([np.sin(t) * np.cos(p), np.cos(t), np.sin(t) * np.sin(p)], -1).reshape(-1, 3)
    pos[np.abs(pos) < 1e-12] = 0.0
    i = np.arange(rows)[:, None] * (cols + 1) + np.arange(cols)[None, :]
    quads = np.stack([i, i + cols + 1, i + cols + 2, i + 1], -1).reshape(-1, 4)
    tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    return pos, tris


def vertex_blobs(pos: np.ndarray, tris: np.ndarray, colors: np.ndarray) -> list:
    return find_vertex_blobs(topology(Mesh("globe", pos.astype(np.float32), tris)), colors)


CENTRE = np.array([0.3, 0.5, 0.8]) / np.linalg.norm([0.3, 0.5, 0.8])


def test_soft_white_spot_in_vertex_colours_is_found_where_it_is():
    pos, tris = globe()
    d = np.linalg.norm(pos - CENTRE, axis=1)
    f = np.exp(-((d / 0.08) ** 2))
    colors = RED + f[:, None] * (1 - RED)
    (found,) = [(b, v) for b, v in vertex_blobs(pos, tris, colors) if b.is_highlight()]
    blob, at = found
    assert blob.peak > 0.9
    assert np.linalg.norm(pos[at] - CENTRE) < 0.03


def test_hard_edged_white_disc_in_vertex_colours_is_not_a_highlight():
    pos, tris = globe()
    inside = np.linalg.norm(pos - CENTRE, axis=1) < 0.15
    colors = np.where(inside[:, None], colour((235, 235, 235)), RED)
    assert [b for b, _ in vertex_blobs(pos, tris, colors) if b.is_highlight()] == []


def test_plain_vertex_colours_have_no_blob():
    pos, tris = globe()
    assert vertex_blobs(pos, tris, np.tile(RED, (len(pos), 1))) == []


def test_flat_painted_vertex_colours_are_a_palette():
    pos, _ = globe()
    colors = np.where((pos[:, 1] > 0)[:, None], RED, colour((40, 90, 200)))
    assert vertex_palette_share(colors) == 1.0
    noisy = RED + np.random.default_rng(0).normal(0, 0.02, (len(pos), 3))
    assert vertex_palette_share(noisy) < 0.2
