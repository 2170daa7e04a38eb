"""The shared topology machinery: packed grouping and welding without missed pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetlint.geometry import topology as tp
from assetlint.geometry.topology import group_rows, weld


def reference_groups(columns):
    rows = np.column_stack(columns)
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    return inverse.ravel()


def same_partition(a, b) -> bool:
    """Two labelings describe the same grouping."""
    pairs = np.unique(np.column_stack([a, b]), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


@given(
    st.integers(1, 300),
    st.sampled_from([(4, 4), (7, 3, 9), (1 << 30, 1 << 30, 1 << 30)]),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_group_rows_matches_unique(n, bounds, seed):
    rng = np.random.default_rng(seed)
    # few distinct values so that groups have several members
    columns = [rng.integers(0, min(b, 5), n) * (b // min(b, 5)) for b in bounds]
    g = group_rows(columns, bounds)
    assert same_partition(g.inverse, reference_groups(columns))
    assert g.sizes.sum() == n and g.count == len(g.starts)
    # order lists each group's rows in ascending order, the lowest first
    for start, size in zip(g.starts, g.sizes, strict=True):
        members = g.order[start : start + size]
        assert (np.diff(members) > 0).all()


def test_group_rows_survives_a_hash_collision(monkeypatch):
    monkeypatch.setattr(tp, "_MIX", (0,))  # every row hashes to 0: all collide
    columns = [np.array([5, 1, 5, 2]), np.array([1, 1, 1, 1]), np.array([0, 0, 0, 1 << 40])]
    g = group_rows(columns, [1 << 40] * 3)
    assert same_partition(g.inverse, [0, 1, 0, 2])


@given(st.integers(0, 2**32 - 1), st.floats(0.05, 0.99))
@settings(max_examples=40, deadline=None)
def test_copies_closer_than_the_tolerance_always_weld(seed, fraction):
    """Originals on a lattice 20 tolerances apart; each copy is moved by up to
    ``fraction`` of the tolerance along every axis, wherever the grid borders fall."""
    rng = np.random.default_rng(seed)
    t = 1e-3
    lattice = np.stack(np.meshgrid(*[np.arange(6)] * 3, indexing="ij"), -1).reshape(-1, 3)
    originals = lattice * 20 * t + rng.uniform(0, 20 * t, 3)
    copies = originals + rng.uniform(-fraction * t, fraction * t, originals.shape)
    count, labels = weld(np.vstack([originals, copies]), t)
    n = len(originals)
    assert count == n
    assert (labels[:n] == labels[n:]).all()


def test_pairs_straddling_coarse_and_fine_cell_borders_weld():
    t = 1e-3
    coarse = 128 * t  # the coarse cells of weld()
    base = np.zeros(3)
    # straddle a coarse border on one, two and three axes, and fine (4t) borders
    centres = [
        base + [5 * coarse, 0.5, 0.5],
        base + [7 * coarse, 7 * coarse, 0.5],
        base + [9 * coarse, 9 * coarse, 9 * coarse],
        base + [0.3 + 4 * t, 0.3 + 8 * t, 0.3 + 12 * t],
    ]
    pts = [[0, 0, 0], [1, 1, 1]]
    for c in centres:
        pts += [c - 0.45 * t, c + 0.45 * t]
    count, labels = weld(np.array(pts), t)
    assert count == 2 + len(centres)
    pairs = labels[2:].reshape(-1, 2)
    assert (pairs[:, 0] == pairs[:, 1]).all()


def test_points_further_than_four_tolerances_stay_apart():
    t = 1e-3
    pts = np.array([[0, 0, 0], [4.01 * t, 0, 0], [0, 0, 8.5 * t], [1, 1, 1]])
    count, labels = weld(pts, t)
    assert count == 4


def test_weld_handles_non_finite_and_single_points():
    count, labels = weld(np.array([[np.nan, 0, 0], [1, 2, 3], [1, 2, 3]]), 1e-3)
    assert (count, labels.tolist()) == (1, [-1, 0, 0])
    assert weld(np.zeros((0, 3)), 1e-3)[0] == 0
    with pytest.raises(ValueError):
        weld(np.array([[0, 0, 0], [1, 0, 0]]), 0.0)
