"""Geometry computations shared by rules: pure functions over a :class:`~assetlint.model.Mesh`
(and its per-mesh cache), vectorized with numpy/scipy, no knowledge of findings."""
