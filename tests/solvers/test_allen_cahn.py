"""The Allen–Cahn reference solver (Fourier pseudo-spectral + ETDRK4): its time order is checked by the
stepper family's test (tests/solvers/test_solvers_steppers.py); here: the spatial convergence, the
maximum-principle guard, the dataset and bad input."""

import numpy as np
import pytest

from pinnrwf.datasets import generate
from pinnrwf.solvers import allen_cahn as ac
from pinnrwf.solvers.base import SolverError

T = np.linspace(0.0, 0.1, 6)


def solve(n_internal, initial=ac.initial_condition, nx=16):
    return ac.solve(initial, nx=nx, t_eval=T, epsilon=1e-2, dt=1e-3, n_internal=n_internal)


def test_smooth_data_converge_spectrally_in_space():
    smooth = lambda x: 0.5 * np.sin(np.pi * x) + 0.2 * np.cos(2 * np.pi * x)  # noqa: E731
    ref = solve(256, smooth)
    errors = [np.abs(solve(n, smooth) - ref).max() for n in (16, 32, 64)]
    # each doubling gains more digits than the last (geometric, not algebraic, convergence)
    assert errors[0] / errors[1] > 100 and errors[1] / errors[2] > 1e5 and errors[2] < 1e-12, errors


def test_the_kinked_initial_condition_converges_at_second_order():
    """x² cos(πx) has u'(±1) = ∓2: a kink at the periodic boundary, so the error is algebraic."""
    ref = solve(2048, nx=32)
    errors = [np.linalg.norm(solve(n, nx=32) - ref) for n in (64, 128, 256)]
    orders = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all((orders > 1.7) & (orders < 2.4)), orders


def test_the_solution_stays_within_the_stable_states_and_starts_from_the_data():
    u = solve(128, nx=32)
    assert np.allclose(u[0], ac.initial_condition(ac.grid(32)), atol=1e-15)
    assert np.abs(u).max() <= 1.0


def test_an_unstable_step_is_a_solver_error():
    with pytest.raises(SolverError, match="max|u| = .* maximum principle: dt = 0.5"):
        ac.solve(nx=32, t_eval=[0.0, 1.0], epsilon=1e-2, dt=0.5, n_internal=64)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_internal": 100}, "n_internal must be a multiple of nx = 16"),
        ({"epsilon": -1.0}, "epsilon must be > 0"),
        ({"dt": 0.0}, "dt must be > 0"),
        ({"t_eval": [0.1, 0.0]}, "t_eval must be non-negative and strictly increasing"),
        ({"initial": lambda x: x[:3]}, "initial must return 64 finite values"),
        ({"initial": 3.0}, "initial must be"),
        ({"t_eval": [0.0, 1.0], "dt": 1e-9}, "needs 1e\\+09 time steps"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, message):
    args = {"nx": 16, "t_eval": T, "epsilon": 1e-2, "dt": 1e-3, "n_internal": 64} | kwargs
    initial = args.pop("initial", ac.initial_condition)
    with pytest.raises(ValueError, match=message):
        ac.solve(initial, **args)


def test_the_dataset_file_holds_the_solve(tmp_path):
    config = generate.AllenCahnConfig.from_options(generate.AllenCahnConfig.smoke)
    path = tmp_path / "ac.h5"
    generate.generate(config, path, progress=False)
    xt, read = generate.solved_samples("allen-cahn", config, path, ("tensor",), solve_missing=False)
    for i, epsilon in enumerate(config.epsilon):
        direct = ac.solve(nx=config.nx, t_eval=xt["t"], epsilon=epsilon, dt=config.dt, n_internal=config.n_internal)
        np.testing.assert_array_equal(read["tensor"][i], direct)
    assert np.allclose(xt["x"], ac.grid(config.nx))
    with pytest.raises(ValueError, match="n_internal must be a multiple of nx = 32"):
        generate.AllenCahnConfig(nx=32, n_internal=100)
