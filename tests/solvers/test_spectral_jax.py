"""The ETDRK4 rollouts compiled with JAX reproduce the NumPy steppers (same scheme, float64)."""

import numpy as np
import pytest

from pinnrwf.solvers import allen_cahn, burgers
from pinnrwf.solvers.base import SolverError

X = np.arange(64) / 64
U0 = np.stack([0.4 * np.sin(2 * np.pi * X) + 0.1, 0.3 * np.cos(4 * np.pi * X), 0.2 * np.sin(2 * np.pi * X) ** 3])


def test_burgers_batch_matches_the_numpy_stepper():
    # output times that are not multiples of dt: the last step of each interval is shortened
    kwargs = dict(nu=0.01, t_eval=[0.0, 0.0537, 0.1, 0.2], dt=1e-3, n_internal=128)
    a, b = burgers.solve(U0, **kwargs), burgers.solve(U0, backend="jax", **kwargs)
    assert a.shape == b.shape == (3, 4, 64)
    assert np.abs(a - b).max() <= 1e-12 * np.abs(a).max()


def test_allen_cahn_matches_the_numpy_stepper():
    kwargs = dict(nx=32, t_eval=np.linspace(0.0, 0.1, 6), epsilon=1e-2, dt=1e-3, n_internal=128)
    a, b = allen_cahn.solve(**kwargs), allen_cahn.solve(backend="jax", **kwargs)
    assert np.abs(a - b).max() <= 1e-12 * np.abs(a).max()


def test_the_guards_hold_on_the_compiled_path():
    with pytest.raises(SolverError, match="maximum principle"):
        allen_cahn.solve(nx=32, t_eval=[0.0, 1.0], epsilon=1e-2, dt=0.5, n_internal=64, backend="jax")
    with pytest.raises(ValueError, match="backend must be one of"):
        burgers.solve(U0, nu=0.01, t_eval=[0.0, 0.1], backend="torch")


def test_auto_picks_jax_only_for_large_runs():
    from pinnrwf.solvers.spectral_jax import AUTO_JAX_MIN_POINT_STEPS, resolve_backend

    assert resolve_backend("auto", AUTO_JAX_MIN_POINT_STEPS - 1) == "numpy"
    assert resolve_backend("auto", AUTO_JAX_MIN_POINT_STEPS) == "jax"
    assert resolve_backend("numpy", 10**12) == "numpy" and resolve_backend("jax", 1) == "jax"
    # small runs (tests, smoke presets) keep the NumPy path's values bit for bit
    kwargs = dict(nu=0.01, t_eval=[0.0, 0.1], dt=1e-3, n_internal=64)
    assert np.array_equal(burgers.solve(U0, **kwargs), burgers.solve(U0, backend="numpy", **kwargs))
