import numpy as np

from pinnrwf.solvers import advection


def test_callable_solution_is_exact_and_periodic():
    x = np.linspace(0, 2 * np.pi, 65)
    t = np.linspace(0, 1, 11)
    u = advection.solve(np.sin, c=50.0, x=x, t=t)
    np.testing.assert_allclose(u, np.sin(x[None] - 50.0 * t[:, None]), atol=1e-12)
    np.testing.assert_allclose(u[:, 0], u[:, -1], atol=1e-12)  # periodic in x


def test_samples_match_callable_for_band_limited_data():
    g = lambda x: np.sin(x) + 0.5 * np.cos(3 * x + 0.2) + 0.1 * np.sin(7 * x)
    x = advection.grid(32)
    t = np.array([0.0, 0.013, 0.5, 1.0])
    u = advection.solve_samples(g(x), c=50.0, t_eval=t)
    np.testing.assert_allclose(u, advection.solve(g, c=50.0, x=x, t=t), atol=1e-12)


def test_batched_and_mean_conserved():
    rng = np.random.default_rng(0)
    u0 = rng.standard_normal((3, 40))
    t = np.linspace(0, 1, 7)
    u = advection.solve_samples(u0, c=3.7, t_eval=t)
    assert u.shape == (3, 7, 40)
    np.testing.assert_allclose(u.mean(axis=-1), u0.mean(axis=-1)[:, None] * np.ones(7), atol=1e-13)
    np.testing.assert_allclose(u[1], advection.solve_samples(u0[1], c=3.7, t_eval=t), atol=1e-14)
    # a full period of transport returns the data (c t = 2π)
    np.testing.assert_allclose(advection.solve_samples(u0, c=2 * np.pi, t_eval=[1.0])[:, 0], u0, atol=1e-12)
