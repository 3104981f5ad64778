import numpy as np
import pytest

from pinnrwf.solvers import burgers
from pinnrwf.solvers.base import SolverError
from pinnrwf.solvers.random_fields import burgers_initial_conditions


def _grid(n):
    return np.arange(n) / n


@pytest.mark.parametrize("nu, amps, n, tol", [(0.01, [0.6, 0.2], 64, 1e-7), (0.001, [0.999], 2048, 1e-10)])
def test_agrees_with_cole_hopf(nu, amps, n, tol):
    x, t = _grid(n), np.linspace(0.0, 0.2, 5)
    exact = burgers.cole_hopf_solution(x, t, nu=nu, amplitudes=amps, phases=[0.3, 1.0][: len(amps)])
    u = burgers.solve(exact[0], nu=nu, t_eval=t, dt=1e-4, n_internal=n)
    assert np.max(np.abs(exact)) > 0.1  # a non-trivial, steep solution
    np.testing.assert_allclose(u, exact, atol=tol * np.max(np.abs(exact)))


def test_etdrk4_is_fourth_order_in_time():
    x = _grid(128)
    u0 = 0.5 * np.sin(2 * np.pi * x) + 0.2 * np.cos(4 * np.pi * x)
    ref = burgers.solve(u0, nu=0.01, t_eval=[0.2], dt=2.5e-4, n_internal=128)
    errs = [
        np.max(np.abs(burgers.solve(u0, nu=0.01, t_eval=[0.2], dt=dt, n_internal=128) - ref))
        for dt in (0.02, 0.01, 0.005)
    ]
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(orders > 3.7), orders


def test_spectral_accuracy_in_space():
    errs = []
    for n in (16, 32, 48, 64):
        x, t = _grid(n), [0.0, 0.5]
        exact = burgers.cole_hopf_solution(x, t, nu=0.01, amplitudes=[0.6, 0.2], phases=[0.0, 1.0])
        errs.append(np.max(np.abs(burgers.solve(exact[0], nu=0.01, t_eval=t, dt=1e-3, n_internal=n) - exact)))
    errs = np.array(errs)
    assert np.all(errs[1:] < errs[:-1] / 30)  # faster than any fixed algebraic order here
    assert errs[-1] < 1e-7


def test_mean_is_conserved_and_output_on_input_grid():
    u0 = burgers_initial_conditions(100, n_samples=3, seed=0) + 0.3
    t = np.linspace(0, 0.5, 6)
    u = burgers.solve(u0, nu=0.001, t_eval=t, n_internal=512, dt=1e-3)
    assert u.shape == (3, 6, 100) and u.dtype == np.float64
    np.testing.assert_allclose(u.mean(axis=-1), np.repeat(u0.mean(axis=-1)[:, None], 6, axis=1), atol=1e-12)
    np.testing.assert_allclose(u[:, 0], u0, atol=1e-12)  # t = 0 returns the data
    single = burgers.solve(u0[1], nu=0.001, t_eval=t, n_internal=512, dt=1e-3)
    np.testing.assert_allclose(single, u[1], atol=1e-13)


def test_contour_coefficients_match_closed_forms_away_from_zero():
    lam = np.array([-5.0, -40.0, -0.7])
    E, E2, Q, f1, f2, f3 = burgers.etdrk4_coefficients(lam, 1.0)
    z = lam
    np.testing.assert_allclose(Q, (np.exp(z / 2) - 1) / z, rtol=1e-10)
    np.testing.assert_allclose(f1, (-4 - z + np.exp(z) * (4 - 3 * z + z**2)) / z**3, rtol=1e-10)
    np.testing.assert_allclose(f2, (2 + z + np.exp(z) * (-2 + z)) / z**3, rtol=1e-10)
    np.testing.assert_allclose(f3, (-4 - 3 * z - z**2 + np.exp(z) * (4 - z)) / z**3, rtol=1e-10)
    # and the λ → 0 limits (φ-function values 1/2, 1/6, 1/6, 1/6) without cancellation
    _, _, Q0, a0, b0, c0 = burgers.etdrk4_coefficients(np.array([0.0, -1e-12]), 1.0)
    np.testing.assert_allclose(Q0, 0.5, rtol=1e-10)
    np.testing.assert_allclose([a0, b0, c0], 1.0 / 6.0 * np.ones((3, 2)), rtol=1e-9)


def test_resample_periodic_is_point_evaluation():
    g = lambda x: np.sin(2 * np.pi * x) + 0.3 * np.cos(6 * np.pi * x)
    for n_out in (5, 16, 100):
        np.testing.assert_allclose(burgers.resample_periodic(g(_grid(16)), n_out), g(_grid(n_out)), atol=1e-13)


def test_default_resolution_covers_fine_input_grids():
    """n_internal defaults to the larger of 1024 and the input grid (a 2048-point u0 works)."""
    x = _grid(2048)
    exact = burgers.cole_hopf_solution(x, [0.0, 0.01], nu=0.01, amplitudes=[0.5])
    u = burgers.solve(exact[0], nu=0.01, t_eval=[0.0, 0.01], dt=1e-3)
    assert u.shape == (2, 2048)
    np.testing.assert_allclose(u, exact, atol=1e-8)
    coarse = burgers.solve(exact[0][::16], nu=0.01, t_eval=[0.01], dt=1e-3)  # 128 points, 1024 inside
    np.testing.assert_allclose(
        coarse, burgers.solve(exact[0][::16], nu=0.01, t_eval=[0.01], dt=1e-3, n_internal=1024), rtol=0, atol=0
    )


def test_growth_of_max_u_is_a_solver_error():
    """Viscous Burgers never increases max|u|: an unstable step is caught instead of returned."""
    u0 = burgers_initial_conditions(100, n_samples=2, seed=[0, 0])
    with pytest.raises(SolverError, match=r"max\|u\| grew .* dt = 0.5 is unstable"):
        burgers.solve(u0, nu=1e-3, t_eval=[0.0, 1.0], dt=0.5)
    with pytest.raises(SolverError, match="inf/NaN"):
        burgers.solve(100 * np.sin(2 * np.pi * _grid(64)), nu=1e-3, t_eval=[0.0, 1.0], dt=0.05, n_internal=64)
    ok = burgers.solve(u0, nu=1e-3, t_eval=np.linspace(0, 1, 11), dt=1e-3, n_internal=256)
    assert np.max(np.abs(ok)) <= np.max(np.abs(u0)) * (1 + 1e-12)


def test_absurd_step_counts_are_refused_unless_lifted():
    with pytest.raises(ValueError, match=r"1e\+09 time steps, more than the limit of 1e\+07"):
        burgers.solve(np.zeros(16), t_eval=[0.0, 1.0], dt=1e-9)
    assert burgers.count_steps([0.0, 1e-3], 1e-9) == 10**6
    u = burgers.solve(np.zeros(16), t_eval=[0.0, 1e-3], dt=1e-4, n_internal=16, max_steps=None)
    np.testing.assert_array_equal(u, 0.0)


def _full_spectrum_etdrk4(n, nu, dt, u0, steps):
    """The textbook ETDRK4 (Kassam & Trefethen 2005) on all n//2+1 rfft modes with complex
    coefficients and a 2/3 mask: what the solver's truncated, in-place step must reproduce."""
    k = 2.0 * np.pi * np.fft.rfftfreq(n, d=1.0 / n)
    ik = 1j * k
    ik[-1] = 0.0
    mask = (np.arange(k.size) < n / 3.0).astype(float)
    g = -0.5 * ik * mask
    e, e2, q, f1, f2, f3 = burgers.etdrk4_coefficients(-nu * k**2, dt)

    def nonlinear(v):
        return g * np.fft.rfft(np.fft.irfft(v, n=n) ** 2)

    v = np.fft.rfft(u0) * mask
    for _ in range(steps):
        nv = nonlinear(v)
        a = e2 * v + q * nv
        na = nonlinear(a)
        b = e2 * v + q * na
        nb = nonlinear(b)
        c = e2 * a + q * (2.0 * nb - nv)
        nc = nonlinear(c)
        v = e * v + nv * f1 + 2.0 * (na + nb) * f2 + nc * f3
    return np.fft.irfft(v, n=n)


@pytest.mark.parametrize("n", [64, 96])
def test_truncated_step_matches_full_spectrum_etdrk4(n):
    x = _grid(n)
    u0 = np.stack([0.5 * np.sin(2 * np.pi * x) + 0.2, 0.3 * np.cos(4 * np.pi * x + 0.4) - 0.1 * np.sin(6 * np.pi * x)])
    stepper = burgers.BurgersETDRK4(n, 0.01, 1e-3, workers=1)
    v = stepper.init(u0)
    assert v.shape == (2, stepper.n_modes) and stepper.n_modes == int(np.ceil(n / 3))
    for _ in range(50):
        v = stepper.step(v)
    np.testing.assert_allclose(stepper.observe(v), _full_spectrum_etdrk4(n, 0.01, 1e-3, u0, 50), rtol=0, atol=1e-14)


def test_cole_hopf_sine_matches_spectral_solver_on_the_periodic_case():
    # u0 = −sin πx on [−1, 1] is odd and 2-periodic: the Dirichlet problem u(±1) = 0 is the periodic
    # one. Mapped to [0, 1) (v = u/2, ν' = ν/4, v0 = ½ sin 2πx') it is the spectral solver's setting.
    # N = 256, dt = 1e-3 resolve ν = 0.04 to ~2e-11 (max norm); the tolerance leaves room for
    # round-off across platforms, far below the 1e-6 a time-to-accuracy reference needs.
    nu, x = 0.04, np.arange(128) / 128
    t = np.array([0.0, 0.2, 0.5])
    v = burgers.solve(0.5 * np.sin(2 * np.pi * x), nu=nu / 4, t_eval=t, dt=1e-3, n_internal=256)
    u = burgers.cole_hopf_sine(2 * x - 1, t, nu)
    np.testing.assert_allclose(2 * v, u, rtol=0, atol=1e-9)


def test_cole_hopf_sine_is_converged_odd_and_zero_at_the_walls():
    nu, x, t = 0.01 / np.pi, np.linspace(-1, 1, 65), np.array([0.0, 0.3, 0.99])
    u = burgers.cole_hopf_sine(x, t, nu)
    np.testing.assert_allclose(
        u, burgers.cole_hopf_sine(x, t, nu, nodes=3 * burgers.COLE_HOPF_NODES), rtol=0, atol=1e-13
    )
    np.testing.assert_allclose(u, -u[:, ::-1], rtol=0, atol=1e-13)  # odd in x
    np.testing.assert_allclose(u[:, [0, -1]], 0.0, atol=1e-13)
    assert np.all(np.abs(u) <= 1.0 + 1e-12)  # maximum principle
    assert u[-1, 31] > 0.5 and u[-1, 33] < -0.5  # the shock at x = 0 has formed: a jump of > 1 over |x| < 1/32
