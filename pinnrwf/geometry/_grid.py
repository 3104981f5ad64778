"""Fixed evaluation points inside a 2D shape (a tensor grid of its bounding box, kept inside)."""

from __future__ import annotations

import jax
import numpy as np

from pinnrwf._validation import positive_int

from ._base import AbstractGeometry


def grid_inside(geometry: AbstractGeometry, counts: tuple[int, ...]) -> np.ndarray:
    """The nodes of a ``counts[0] × counts[1] × …`` tensor grid of ``geometry``'s bounding box
    (endpoints included, the last coordinate varying fastest) that lie in the closed shape, (m, d)
    in float64: a fixed evaluation set for any shape (e.g. the L-shape's grid without its notch)."""
    counts = tuple(counts)
    if len(counts) != geometry.dim:
        raise ValueError(f"counts must give {geometry.dim} numbers (one per coordinate), got {counts!r}")
    counts = tuple(positive_int(f"counts[{i}]", c, minimum=2) for i, c in enumerate(counts))
    lower, upper = geometry.bounds
    axes = [np.linspace(lo, hi, c) for lo, hi, c in zip(lower, upper, counts)]
    nodes = np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)
    inside = np.asarray(jax.vmap(geometry.contains)(nodes))
    return nodes[inside]
