"""The coefficients of ETDRK4 (Cox & Matthews 2002) for a diagonal linear operator, shared by the
spectral solvers (:mod:`~pinnrwf.solvers.burgers`, :mod:`~pinnrwf.solvers.allen_cahn`) and their
compiled rollout (:mod:`~pinnrwf.solvers.spectral_jax`)."""

from __future__ import annotations

import numpy as np


def etdrk4_coefficients(lin: np.ndarray, dt: float, n_contour: int = 64):
    """ETDRK4 coefficients for a diagonal linear operator ``lin`` (Kassam & Trefethen 2005, eq. 2.5).

    Returns (E, E2, Q, f1, f2, f3), each with the shape of ``lin``; the φ-functions are evaluated
    as means over ``n_contour`` points of a unit circle around each h·λ, which avoids the
    cancellation of the explicit formulas near λ = 0.
    """
    hl = dt * np.asarray(lin, dtype=np.complex128)
    r = np.exp(1j * np.pi * (np.arange(1, n_contour + 1) - 0.5) / n_contour)
    lr = hl[..., None] + r
    e_lr = np.exp(lr)
    q = dt * np.mean((np.exp(lr / 2) - 1) / lr, axis=-1)
    f1 = dt * np.mean((-4 - lr + e_lr * (4 - 3 * lr + lr**2)) / lr**3, axis=-1)
    f2 = dt * np.mean((2 + lr + e_lr * (-2 + lr)) / lr**3, axis=-1)
    f3 = dt * np.mean((-4 - 3 * lr - lr**2 + e_lr * (4 - lr)) / lr**3, axis=-1)
    if np.all(np.isreal(lin)):
        q, f1, f2, f3 = q.real, f1.real, f2.real, f3.real
    return np.exp(hl), np.exp(hl / 2), q, f1, f2, f3
