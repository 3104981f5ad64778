"""scipy.fft thread count of the Burgers solver: chosen by batch size, overridable, never changes the result."""

import numpy as np
import pytest

from pinnrwf.solvers import burgers
from pinnrwf.solvers.random_fields import burgers_initial_conditions

T_EVAL = np.linspace(0.0, 0.02, 3)


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch):
    monkeypatch.delenv(burgers.WORKERS_ENV, raising=False)


def _u0(batch=5, n=64):
    return burgers_initial_conditions(n, n_samples=batch, seed=3)


def _solve(u0, **kw):
    return burgers.solve(u0, nu=0.01, t_eval=T_EVAL, dt=1e-3, n_internal=128, **kw)


def test_solution_is_bitwise_identical_for_every_thread_count():
    u0 = _u0()
    one = _solve(u0, workers=1)
    np.testing.assert_array_equal(_solve(u0, workers=2), one)
    np.testing.assert_array_equal(_solve(u0, workers=-1), one)
    np.testing.assert_array_equal(_solve(u0), one)  # automatic choice
    assert np.all(np.isfinite(one)) and np.max(np.abs(one[:, -1])) > 0.1  # a real, non-trivial run


def test_bitwise_identical_when_the_rule_picks_all_cores(monkeypatch):
    """Force the automatic rule to its parallel branch on a small batch."""
    u0 = _u0()
    monkeypatch.setattr(burgers, "PARALLEL_MIN_POINTS", 1)
    assert burgers.fft_workers(5, 128) == burgers.usable_cores()
    np.testing.assert_array_equal(_solve(u0), _solve(u0, workers=1))


def test_stepper_steps_are_bitwise_identical():
    u0 = burgers.resample_periodic(_u0(batch=7), 256)
    steppers = [burgers.BurgersETDRK4(256, 1e-3, 1e-4, workers=w) for w in (1, 2, None)]
    states = [s.init(u0) for s in steppers]
    for _ in range(5):
        states = [s.step(v) for s, v in zip(steppers, states)]
    for s, v in zip(steppers[1:], states[1:]):
        np.testing.assert_array_equal(s.observe(v), steppers[0].observe(states[0]))


def test_rule_uses_one_thread_below_the_crossover_and_all_cores_above():
    m = burgers.PARALLEL_MIN_POINTS
    n = 1024
    assert burgers.fft_workers(1, 4) == 1
    assert burgers.fft_workers(max(1, (m - 1) // n), n) == 1
    assert burgers.fft_workers(-(-m // n), n) == burgers.usable_cores()  # ceil(m / n) rows reach it
    assert burgers.fft_workers(1, 4, workers=3) == 3  # an explicit argument wins


def test_environment_variable_overrides_the_rule(monkeypatch):
    monkeypatch.setenv(burgers.WORKERS_ENV, "2")
    assert burgers.fft_workers(1, 4) == 2
    assert burgers.fft_workers(1, 4, workers=1) == 1  # the argument wins over the variable
    monkeypatch.setenv(burgers.WORKERS_ENV, "-1")
    assert burgers.fft_workers(1, 4) == burgers.usable_cores()  # -1: all cores the process may use
    monkeypatch.setenv(burgers.WORKERS_ENV, " auto ")
    assert burgers.fft_workers(1, 4) == 1
    np.testing.assert_array_equal(_solve(_u0()), _solve(_u0(), workers=1))


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_bad_workers_argument_is_refused(bad):
    with pytest.raises(ValueError, match="workers must be a positive integer or -1"):
        _solve(_u0(), workers=bad)
    with pytest.raises(ValueError, match="workers must be a positive integer or -1"):
        burgers.BurgersETDRK4(16, 0.01, 1e-3, workers=bad)


@pytest.mark.parametrize("bad", ["0", "two", "1.5", "-3"])
def test_bad_environment_variable_is_refused_before_any_work(monkeypatch, bad):
    monkeypatch.setenv(burgers.WORKERS_ENV, bad)
    with pytest.raises(ValueError, match=burgers.WORKERS_ENV):
        _solve(_u0())
