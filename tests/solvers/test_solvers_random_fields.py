import numpy as np
import pytest

from pinnrwf.solvers import random_fields as rf


def test_squared_exponential_is_seeded_and_shaped():
    x = np.linspace(0, 1, 50)
    a = rf.squared_exponential_1d(x, length_scale=0.2, n_samples=4, seed=3)
    b = rf.squared_exponential_1d(x, length_scale=0.2, n_samples=4, seed=3)
    c = rf.squared_exponential_1d(x, length_scale=0.2, n_samples=4, seed=4)
    assert a.shape == (4, 50) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def _theoretical_variance_1d(n, tau, kappa, alpha, length, zero_mean=False):
    k = np.fft.rfftfreq(n, d=length / n) * 2 * np.pi
    s2 = tau**2 * (k**2 + kappa**2) ** (-alpha)
    var = (0.0 if zero_mean else s2[0] / length) + 2.0 / length * s2[1:].sum()
    return var  # (the even-n Nyquist mode contributes 2/L σ² at the nodes as well)


@pytest.mark.parametrize("length", [1.0, 2 * np.pi])
def test_spectral_grf_1d_pointwise_variance(length):
    n, kw = 64, dict(tau=2.0, kappa=1.5, alpha=1.0)
    u = rf.spectral_grf_1d(n, **kw, length=length, n_samples=40000, seed=0)
    assert u.shape == (40000, n)
    np.testing.assert_allclose(u.var(), _theoretical_variance_1d(n, **kw, length=length), rtol=0.03)


def test_spectral_grf_1d_zero_mean_and_seed():
    u = rf.spectral_grf_1d(32, tau=1, kappa=1, alpha=2, n_samples=5, seed=1, zero_mean=True)
    np.testing.assert_allclose(u.mean(axis=-1), 0.0, atol=1e-14)
    np.testing.assert_array_equal(
        u, rf.spectral_grf_1d(32, tau=1, kappa=1, alpha=2, n_samples=5, seed=1, zero_mean=True)
    )


def test_spectral_grf_2d_variance_and_covariance_decay():
    n, L = 32, 2 * np.pi
    g = rf.spectral_grf_2d(n, tau=1.0, kappa=1.0, alpha=2.0, length=L, n_samples=4000, seed=0)
    k = np.fft.fftfreq(n, d=L / n) * 2 * np.pi
    k2 = k[:, None] ** 2 + k[None, :] ** 2
    np.testing.assert_allclose(g.var(), np.sum((k2 + 1.0) ** -2.0) / L**2, rtol=0.05)
    # smoother (larger α) fields have more correlated neighbours
    rough = rf.spectral_grf_2d(n, tau=1.0, kappa=1.0, alpha=1.2, length=L, n_samples=500, seed=1)
    corr = lambda f: np.mean(f[:, 1:, :] * f[:, :-1, :]) / np.mean(f * f)
    assert corr(g) > corr(rough)


def test_burgers_initial_conditions_amplitude():
    u0 = rf.burgers_initial_conditions(128, n_samples=500, seed=0)
    assert u0.shape == (500, 128)
    np.testing.assert_allclose(u0.mean(axis=-1), 0.0, atol=1e-13)
    assert 0.1 < u0.std() < 0.4  # σ = 25² on the standard deviation (see the docstring)


@pytest.mark.parametrize("kind", rf.DARCY_COEFFICIENT_KINDS)
def test_darcy_coefficients_positive(kind):
    a = rf.darcy_coefficients(33, n_samples=3, seed=2, kind=kind)
    assert a.shape == (3, 33, 33) and np.all(a > 0)
    if kind == "threshold":
        assert set(np.unique(a)) <= {3.0, 12.0} and len(np.unique(a)) == 2
