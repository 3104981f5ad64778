"""ETDRK4 for periodic problems with a diagonal linear part, compiled with JAX in float64.

u_t = L u + N(u) in Fourier space: the coefficients E, E/2, Q, f1, f2, f3 of Cox & Matthews'
scheme (computed once per step size by Kassam & Trefethen's contour integrals,
:func:`pinnrwf.solvers.burgers.etdrk4_coefficients`) are fixed arrays; the whole rollout is one
compiled program: a ``lax.scan`` over the output times, each a ``lax.fori_loop`` over that
interval's steps, the batch carried along the leading axis (every FFT is batched). Only the
requested time slices leave the device, as physical values on the internal grid.

This is the same arithmetic as the NumPy steppers (:class:`~pinnrwf.solvers.burgers.BurgersETDRK4`,
:class:`~pinnrwf.solvers.allen_cahn.AllenCahnETDRK4`); the two paths differ only by the FFT
library's round-off (``tests/solvers/test_spectral_jax.py``: ≤ 10⁻¹² relative on small cases).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .etdrk4 import etdrk4_coefficients

BACKENDS = ("auto", "numpy", "jax")
#: ``backend="auto"`` compiles with JAX from this many point-steps (batch × internal grid × steps) on:
#: below, compiling (about 1–3 s on a 2-core CPU) costs more than the NumPy steps it would save, and
#: small runs (tests, smoke presets) keep the NumPy results bit for bit. The default datasets
#: (Burgers: 100 × 1024 × 10⁴, Allen–Cahn: 2048 × 10⁴) are above it
#: (``benchmarks/results/spectral-backends/``).
AUTO_JAX_MIN_POINT_STEPS = 2 * 10**7


def resolve_backend(backend: str, point_steps: int) -> str:
    """``"numpy"`` or ``"jax"``: ``backend`` itself, or for ``"auto"`` the one :data:`AUTO_JAX_MIN_POINT_STEPS`
    picks for a run of ``point_steps`` (batch × internal grid points × time steps)."""
    if backend != "auto":
        return backend
    return "jax" if point_steps >= AUTO_JAX_MIN_POINT_STEPS else "numpy"


def _coefficient_table(lin: np.ndarray, steps: Sequence[tuple[int, float]]):
    """The distinct step sizes' coefficients stacked ``(H, 6, K)`` and each output's row in it."""
    sizes, index = [], []
    for _, h in steps:
        key = round(h, 15)
        if key not in sizes:
            sizes.append(key)
        index.append(sizes.index(key))
    # the step h itself (not its rounded key) sets the coefficients, as the NumPy path does
    first = {round(h, 15): h for _, h in reversed(steps)}
    table = np.stack([np.stack([np.real_if_close(c) for c in etdrk4_coefficients(lin, first[k])]) for k in sizes])
    return table, np.asarray(index, dtype=np.int32)


def etdrk4_rollout(
    lin: np.ndarray, nonlinear: Callable, params, v0: np.ndarray, steps: Sequence[tuple[int, float]], *, n: int
) -> np.ndarray:
    """Physical values ``(n_out, batch, n)`` after each output interval.

    Args:
        lin: the diagonal linear operator ``(K,)`` (real).
        nonlinear: ``(v, params, n) -> N(v)`` on JAX arrays ``v`` ``(batch, K)`` complex128, written
            with ``jax.numpy``; a module-level function (the compiled program is cached per function
            and grid size, so batches after the first do not compile again).
        params: the arrays ``nonlinear`` needs (a pytree; e.g. the wave numbers).
        v0: the initial Fourier coefficients ``(batch, K)``.
        steps: per output interval, ``(number of steps, step size)`` (0 steps: the output repeats
            the state, e.g. at t = 0).
        n: the grid size (``irfft`` length).
    """
    import jax
    import jax.numpy as jnp

    table, index = _coefficient_table(np.asarray(lin, dtype=np.float64), steps)
    counts = np.asarray([k for k, _ in steps], dtype=np.int32)
    with jax.enable_x64(True):
        params = jax.tree_util.tree_map(jnp.asarray, params)
        out = _compiled(nonlinear, n)(
            jnp.asarray(v0, dtype=jnp.complex128), params, jnp.asarray(table), jnp.asarray(index), jnp.asarray(counts)
        )
        return np.asarray(out)


@functools.cache
def _compiled(nonlinear: Callable, n: int):
    import jax
    import jax.numpy as jnp

    def step(v, params, coefficients):
        e, e2, q, f1, f2, f3 = coefficients
        nv = nonlinear(v, params, n)
        a = e2 * v + q * nv
        na = nonlinear(a, params, n)
        b = e2 * v + q * na
        nb = nonlinear(b, params, n)
        c = e2 * a + q * (2.0 * nb - nv)
        nc = nonlinear(c, params, n)
        return e * v + f1 * nv + 2.0 * f2 * (na + nb) + f3 * nc

    @jax.jit
    def run(v0, params, table, index, counts):
        def interval(v, j):
            coefficients = table[index[j]]
            v = jax.lax.fori_loop(0, counts[j], lambda _, s: step(s, params, coefficients), v)
            return v, jnp.fft.irfft(v, n=n, axis=-1)

        return jax.lax.scan(interval, v0, jnp.arange(index.shape[0]))[1]

    return run
