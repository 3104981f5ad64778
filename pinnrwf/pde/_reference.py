"""Reference data of PINN problems: evaluation grids (where a PINN is compared with a reference
solution) and noisy observations (the data of inverse problems)."""

from __future__ import annotations

import numpy as np


def grid_points(*axes: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """The points (n_1·…·n_d, d) of the grid ``axes[0] × … × axes[d-1]``, the first axis varying
    slowest (``np.meshgrid(..., indexing="ij")``), and the grid shape (n_1, …, n_d): values
    computed at the points reshape to the grid with ``.reshape(shape)``."""
    mesh = np.meshgrid(*(np.asarray(a) for a in axes), indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1), mesh[0].shape


def add_noise(values: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``values`` plus Gaussian noise of standard deviation ``noise`` · std(values) (the relative
    noise level of Raissi et al. 2019, §4.1.1: 0.01 is "1 % noise"); draws from ``rng``."""
    return values + noise * np.std(values) * rng.standard_normal(values.shape)
