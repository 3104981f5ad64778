"""Generic reports (pinnrwf.reports) and reference helpers (pde.grid_points, pde.add_noise)."""

import types

import numpy as np

from pinnrwf import pde
from pinnrwf.reports import Curves, FieldComparison, ParameterTrajectory, run_reports


def _result(seeds=2):
    history = {"metric_step": [0, 10], "metrics": {"rel_l2": np.array([[1.0, 0.9], [0.5, 0.4]])[:, :seeds]},
               "step": [10], "diagnostics": {"param_k": np.array([[0.2, 0.3]])[:, :seeds]}}
    return types.SimpleNamespace(model=lambda i: (lambda z: z[:1] * 2.0), history=history, config=types.SimpleNamespace(seed=0),
                                 final_metrics={"k": np.array([0.2, 0.3])[:seeds]})


def test_grid_points_is_the_ij_meshgrid_and_reshapes_back():
    x, t = np.linspace(0, 1, 3), np.linspace(0, 2, 4)
    points, shape = pde.grid_points(x, t)
    assert shape == (3, 4) and points.shape == (12, 2)
    np.testing.assert_array_equal(points[:, 0].reshape(shape)[:, 0], x)
    np.testing.assert_array_equal(points[:, 1].reshape(shape)[0], t)


def test_add_noise_scales_with_the_spread_and_zero_noise_is_identity():
    values = np.linspace(-1, 1, 1000)
    assert np.array_equal(pde.add_noise(values, 0.0, np.random.default_rng(0)), values)
    noisy = pde.add_noise(values, 0.1, np.random.default_rng(0))
    assert 0.08 < np.std(noisy - values) / np.std(values) < 0.12


def test_reports_write_their_figures_and_merge_extras(tmp_path):
    config = types.SimpleNamespace(k0=0.5, k_true=0.25, noise=0.01)
    grid = lambda c: (*pde.grid_points(np.linspace(0, 1, 4), np.linspace(0, 1, 3)), )  # noqa: E731
    field = FieldComparison(lambda c: (grid(c)[0], grid(c)[0][:, 0] * 2.0, grid(c)[1]), (0, 1, 0, 1),
                            ("x", "t", "u"), "field.png")
    trajectory = ParameterTrajectory("k", "κ", "k0", lambda c: c.k_true, "k.png", record=("noise",))
    results = {"plain": _result(), "rwf": _result()}
    extras = run_reports((trajectory, field, Curves(("rel_l2",), "curves.png")), config, results, tmp_path)
    assert extras["figures"] == [str(tmp_path / f) for f in ("k.png", "field.png", "curves.png")]
    assert all((tmp_path / f).exists() for f in ("k.png", "field.png", "curves.png"))
    assert extras["k"]["true"] == 0.25 and extras["k"]["plain"]["per_seed"] == [0.2, 0.3]
    assert extras["noise"] == 0.01
