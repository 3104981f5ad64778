"""Generic reports (pinnrwf.reports) and reference helpers (pde.grid_points, pde.add_noise)."""

import types
from pathlib import Path

import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.reports import Curves, FieldComparison, ParameterTrajectory, run_reports


def _result(seeds=2):
    history = {
        "metric_step": [0, 10],
        "metrics": {"rel_l2": np.array([[1.0, 0.9], [0.5, 0.4]])[:, :seeds]},
        "step": [10],
        "diagnostics": {"param_k": np.array([[0.2, 0.3]])[:, :seeds]},
    }
    return types.SimpleNamespace(
        model=lambda i: lambda z: z[:1] * 2.0,
        history=history,
        config=types.SimpleNamespace(seed=0),
        final_metrics={"k": np.array([0.2, 0.3])[:seeds]},
    )


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
    grid = lambda c: (*pde.grid_points(np.linspace(0, 1, 4), np.linspace(0, 1, 3)),)  # noqa: E731
    field = FieldComparison(
        lambda c: (grid(c)[0], grid(c)[0][:, 0] * 2.0, grid(c)[1]), (0, 1, 0, 1), ("x", "t", "u"), "field.png"
    )
    trajectory = ParameterTrajectory("k", "κ", "k0", lambda c: c.k_true, "k.png", record=("noise",))
    results = {"plain": _result(), "rwf": _result()}
    extras = run_reports((trajectory, field, Curves(("rel_l2",), "curves.png")), config, results, tmp_path)
    assert extras["figures"] == [str(tmp_path / f) for f in ("k.png", "field.png", "curves.png")]
    assert all((tmp_path / f).exists() for f in ("k.png", "field.png", "curves.png"))
    assert extras["k"]["true"] == 0.25 and extras["k"]["plain"]["per_seed"] == [0.2, 0.3]
    assert extras["noise"] == 0.01


@pytest.fixture
def drawn(monkeypatch):
    """The figures saved during a test, kept instead of drawn (drawing is what takes the time)."""
    import matplotlib.figure

    figures = []

    def record(fig, path, **kwargs):
        figures.append(fig)
        Path(path).write_bytes(b"")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", record)
    return figures


def empty_axes(fig) -> list:
    return [ax.get_title() or repr(ax) for ax in fig.axes if not (ax.has_data() or ax.images)]


@pytest.mark.parametrize("seeds", [1, 2])
def test_figures_have_no_empty_panel_and_say_how_many_seeds(seeds, drawn, tmp_path):
    from pinnrwf.operator import plot_training
    from pinnrwf.problems.regression1d import Regression1DConfig, make_objective, plot

    config = types.SimpleNamespace(k0=0.5, k_true=0.25)
    grid = lambda c: (*pde.grid_points(np.linspace(0, 1, 4), np.linspace(0, 1, 3)),)  # noqa: E731
    field = FieldComparison(
        lambda c: (grid(c)[0], grid(c)[0][:, 0] * 2.0, grid(c)[1]), (0, 1, 0, 1), ("x", "t", "u"), "field.png"
    )
    results = {"plain": _result(seeds), "rwf": _result(seeds)}
    run_reports(
        (field, ParameterTrajectory("k", "κ", "k0", lambda c: c.k_true, "k.png"), Curves(("rel_l2",), "curves.png")),
        config,
        results,
        tmp_path,
    )
    for r in results.values():
        r.history.update(loss=r.history["metrics"]["rel_l2"], step=r.history["metric_step"])
    plot_training(results, {"plain": np.ones((seeds, 3)), "rwf": np.ones((seeds, 3))}, tmp_path / "t.png", "t")
    objective = make_objective(Regression1DConfig(n_points=8))
    for r in results.values():
        r.final_metrics["mse"] = np.array([0.1, 0.2])[:seeds]
        r.history["metrics"]["mse"] = r.history["metrics"]["weight_change"] = r.history["metrics"]["rel_l2"]
        r.model = lambda i: lambda x: x * 0.0
    plot(results, objective, {"plain": [1.0, 1e-3, -1e-14]}, tmp_path / "r.png")
    assert len(drawn) == 5
    for fig in drawn:
        assert not empty_axes(fig)
        titles = " ".join(ax.get_title() for ax in fig.axes)
        assert "seed" in titles, titles
    legends = [t.get_text() for fig in drawn for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert f"plain ({'1 seed' if seeds == 1 else '2 seeds'})" in legends
