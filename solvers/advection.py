"""Linear advection u_t + c u_x = 0, periodic on (0, 2π) (rwf_paper eqs. K.1–K.2, c = 50).

The exact solution is u(x, t) = g(x − c t). Two forms:

- :func:`solve` evaluates a callable g (extended 2π-periodically) at x − c t, exactly;
- :func:`solve_samples` transports samples u0 on the periodic grid x_j = 2πj/n exactly for the
  trigonometric interpolant of the samples (a Fourier phase shift û_k e^{−ikct}), batched.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.fft as sfft

from pinnrwf._validation import finite_number, function, positive_int

from .base import as_float64_array, check_times

PAPER_C = 50.0
PERIOD = 2.0 * np.pi


def grid(n: int) -> np.ndarray:
    """The periodic grid x_j = 2πj/n, j = 0..n−1."""
    n = positive_int("n", n)
    return PERIOD * np.arange(n) / n


def solve(g: Callable[[np.ndarray], np.ndarray], *, c: float = PAPER_C, x, t) -> np.ndarray:
    """u(x_i, t_n) = g((x_i − c t_n) mod 2π) for a vectorised callable g; shape ``(len(t), len(x))``."""
    function("g", g)
    c = finite_number("c", c)
    x = as_float64_array("x", x, ndim=(1,))
    t = as_float64_array("t", t, ndim=(1,))
    xi = np.mod(x[None, :] - c * t[:, None], PERIOD)
    u = np.asarray(g(xi), dtype=np.float64)
    if u.shape != xi.shape:
        raise ValueError(f"g must be vectorised (return the shape of its input {xi.shape}), got {u.shape}")
    return u


def solve_samples(u0, *, c: float = PAPER_C, t_eval) -> np.ndarray:
    """Exact transport of periodic samples.

    Args:
        u0: values on x_j = 2πj/n, ``(n,)`` or ``(batch, n)`` (NumPy or JAX).
        c: advection speed.
        t_eval: output times, 1D, finite, >= 0 and strictly increasing.

    Returns:
        ``(len(t_eval), n)`` or ``(batch, len(t_eval), n)`` float64.
    """
    u0 = as_float64_array("u0", u0, ndim=(1, 2))
    c = finite_number("c", c)
    t = check_times(t_eval)
    single = u0.ndim == 1
    u0 = np.atleast_2d(u0)
    n = u0.shape[-1]
    k = np.fft.rfftfreq(n, d=1.0 / n)  # integer wavenumbers on (0, 2π)
    coeff = sfft.rfft(u0, axis=-1)
    shift = np.exp(-1j * k[None, :] * c * t[:, None])  # (nt, nk)
    if n % 2 == 0:
        # The Nyquist mode cos(n x / 2) is transported as cos(n(x − ct)/2); its sine part is
        # invisible on the grid, so keep only the real part of its phase (exact on the grid).
        shift[:, -1] = np.cos(k[-1] * c * t)
    u = sfft.irfft(coeff[:, None, :] * shift[None], n=n, axis=-1)
    return u[0] if single else u
