import numpy as np
import pytest

from pinnrwf.solvers import diffusion_reaction as dr
from pinnrwf.solvers.random_fields import squared_exponential_1d

D, K = 0.01, 0.01


def _exact(t, x):
    """Manufactured solution with zero initial and boundary values."""
    return np.sin(np.pi * x) * np.exp(x) * np.sin(2.0 * t)


def _source(t, x):
    # s = u_t − D u_xx − k u² for u = sin(πx) eˣ sin(2t)
    s, c, e = np.sin(np.pi * x), np.cos(np.pi * x), np.exp(x)
    u = s * e * np.sin(2 * t)
    u_t = s * e * 2 * np.cos(2 * t)
    u_xx = e * ((1 - np.pi**2) * s + 2 * np.pi * c) * np.sin(2 * t)
    return (u_t - D * u_xx - K * u * u)[None, :]


def _error(nx, nt, **kw):
    x, t, u = dr.integrate(_source, nx=nx, nt=nt, diffusivity=D, reaction=K, **kw)
    return np.max(np.abs(u[0] - _exact(t[:, None], x[None, :])))


def test_second_order_in_space():
    # time error made negligible by many substeps; refine h only
    errs = np.array([_error(nx, 6, substeps=40) for nx in (11, 21, 41)])
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all(np.abs(orders - 2.0) < 0.15), orders


def test_second_order_in_time():
    # fixed spatial grid; compare with a much finer time step on the same grid
    x, t, ref = dr.integrate(_source, nx=21, nt=5, substeps=256, diffusivity=D, reaction=K)
    errs = []
    for sub in (2, 4, 8):
        _, _, u = dr.integrate(_source, nx=21, nt=5, substeps=sub, diffusivity=D, reaction=K)
        errs.append(np.max(np.abs(u - ref)))
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(np.abs(orders - 2.0) < 0.15), orders


@pytest.mark.slow
def test_paper_grid_batched_and_matches_diffrax_method_of_lines():
    x = np.linspace(0, 1, dr.PAPER_NX)
    a = squared_exponential_1d(x, length_scale=0.2, n_samples=3, seed=0)
    u = dr.solve(a)
    assert u.shape == (3, 100, 100) and u.dtype == np.float64
    np.testing.assert_array_equal(u[:, 0], 0.0)
    np.testing.assert_array_equal(u[:, :, [0, -1]], 0.0)
    np.testing.assert_allclose(dr.solve(a[1]), u[1], atol=1e-14)
    # Independent time integration (diffrax, adaptive Tsit5) of the same semi-discrete system:
    # the difference is Crank–Nicolson's O(dt²) time error and shrinks 4× per halving of dt.
    mol = dr.solve_method_of_lines(a)
    # (the zero initial value is incompatible with a(0), a(1) ≠ 0, so the first halving is
    # pre-asymptotic; the order is checked from 2 to 4 substeps)
    rel = lambda v: np.max(np.abs(v - mol)) / np.max(np.abs(mol))
    e1, e2, e4 = rel(u), rel(dr.solve(a, substeps=2)), rel(dr.solve(a, substeps=4))
    assert e1 < 1e-3 and 3.6 < e2 / e4 < 4.4, (e1, e2, e4)
