"""pinnrwf.operator: properties of the generic operator-learning parts, on tiny in-memory splits."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from pinnrwf.datasets.generate import CONFIGS, BurgersConfig, DiffusionReactionConfig, command_options, generate_command
from pinnrwf.operator import (
    OperatorData,
    OperatorPredictionsReport,
    Split,
    branch_once,
    default_paths,
    grid_operator_data,
    grid_points,
    grid_test_set,
    load_train_test,
    make_batches,
    make_physics_informed_objective,
    solved_grid_test_set,
)
from pinnrwf.pde import equations


def _split(n=6, nx=5, nt=4, seed=0, source="memory"):
    rng = np.random.default_rng(seed)
    arrays = {
        "a": rng.normal(size=(n, nx)).astype(np.float32),
        "tensor": rng.normal(size=(n, nt, nx)).astype(np.float32),
    }
    coords = {"x": np.linspace(0, 1, nx), "t": np.linspace(0, 2, nt)}
    return Split(source, coords, n, lambda field, rows: arrays[field][rows]), arrays


@pytest.mark.parametrize("axes", [("t", "x"), ("x", "t")])
def test_grid_points_are_in_storage_order_with_x_first(axes):
    coords = {"x": np.arange(3.0), "t": 10 + np.arange(4.0)}
    grid = grid_points(coords, axes)
    shape = tuple(coords[a].size for a in axes)
    for flat, index in enumerate(np.ndindex(*shape)):
        at = dict(zip(axes, index))
        np.testing.assert_array_equal(grid[flat], [coords["x"][at["x"]], coords["t"][at["t"]]])


def test_sampled_points_carry_the_stored_values():
    (train, arrays), (test, test_arrays) = _split(), _split(n=3, seed=1)
    data = grid_operator_data(
        train,
        test,
        inputs="a",
        input_axes=("x",),
        axes=("t", "x"),
        n_train=6,
        n_test=3,
        points_per_function=7,
        sample_points=True,
        points_seed=2,
    )
    assert data.train_points.shape == (6, 7, 2) and data.train_values.shape == (6, 7)
    grid = list(map(tuple, data.grid))
    for f in range(6):
        assert len(set(map(tuple, data.train_points[f]))) == 7  # distinct points
        for y, u in zip(data.train_points[f], data.train_values[f]):
            assert arrays["tensor"][f].ravel()[grid.index(tuple(y))] == u
    np.testing.assert_array_equal(data.test_values, test_arrays["tensor"].reshape(3, -1))
    np.testing.assert_array_equal(data.train_inputs, arrays["a"])


def test_normalization_is_undone_by_shift_and_scale():
    (train, _arrays), (test, test_arrays) = _split(), _split(n=3, seed=1)
    data = grid_operator_data(
        train,
        test,
        inputs="a",
        input_axes=("x",),
        axes=("t", "x"),
        n_train=6,
        n_test=3,
        points_per_function=4,
        sample_points=False,
        normalize=True,
    )
    assert abs(data.train_inputs.mean()) < 1e-6 and data.train_inputs.std() == pytest.approx(1, rel=1e-5)
    assert np.sqrt(np.mean(data.train_values.astype(float) ** 2)) == pytest.approx(1, rel=1e-5)
    np.testing.assert_allclose(data.test_inputs * data.input_scale + data.input_shift, test_arrays["a"], atol=1e-5)
    np.testing.assert_allclose(data.test_values * data.output_scale, test_arrays["tensor"].reshape(3, -1), atol=1e-5)


def test_grid_mismatches_and_sizes_are_refused_naming_the_option():
    (train, _), (test, _) = _split(), _split(n=3, nx=6)
    common = dict(inputs="a", input_axes=("x",), axes=("t", "x"), n_train=2, n_test=2, sample_points=False)
    with pytest.raises(ValueError, match="different x grids"):
        grid_operator_data(train, test, points_per_function=1, **common)
    with pytest.raises(ValueError, match=r"sensors \(9\) must equal the number of x-grid points of memory \(5\)"):
        grid_operator_data(train, train, points_per_function=1, sizes={"x": ("sensors", 9)}, **common)
    with pytest.raises(ValueError, match=r"points_per_function \(21\) exceeds the 4 × 5 = 20 points"):
        grid_operator_data(train, train, points_per_function=21, **common)


def test_branch_once_and_batches():
    assert branch_once("auto", batch_size=8, functions_per_batch=0, n_train=8)
    assert not branch_once("auto", batch_size=7, functions_per_batch=0, n_train=8)
    assert branch_once("per-function", batch_size=1, functions_per_batch=0, n_train=8)
    with pytest.raises(ValueError, match="branch_evaluation must be one of"):
        branch_once("never", batch_size=1, functions_per_batch=0, n_train=8)
    data = OperatorData(
        test_inputs=np.zeros((1, 2)),
        grid=np.zeros((3, 2)),
        test_values=np.zeros((1, 3)),
        grid_shape=(1, 3),
        axes=("t", "x"),
        input_shape=(2,),
        input_coordinates=(np.zeros(2),),
        train_inputs=np.zeros((4, 2)),
        train_points=np.zeros((3, 2)),
        train_values=np.zeros((4, 3)),
    )
    with pytest.raises(ValueError, match="branch_once applies to independent"):
        make_batches(data, 4, 2, branch_once=True)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_generate_command_options_rebuild_the_config(name):
    """The options of a generate command line give back the config (every dataset, its smoke options)."""
    config = CONFIGS[name].from_options(CONFIGS[name].smoke)
    options = command_options(config)
    assert CONFIGS[name].from_options(options) == config
    assert set(options) <= set(CONFIGS[name].smoke)
    assert command_options(CONFIGS[name]()) == {}
    line = generate_command("p", config, 3, 1, "f.h5")
    assert line.startswith("pinnrwf generate p --n-samples 3 --seed 1") and line.endswith(" --out f.h5")


def _report(**changes):
    return OperatorPredictionsReport(
        "p", "title", "a", "u", data=lambda config: None, objective=lambda config: None, **changes
    )


def test_report_spread_shows_the_lowest_median_and_highest_error():
    report = _report(show="spread")
    assert report._indices(np.array([0.3, 0.1, 0.5, 0.2, 0.4]), 4) == [1, 0, 2]
    random = dataclasses.replace(report, show="random")._indices(np.zeros(10), 4)
    assert len(random) == 4 and random == sorted(set(random))
    with pytest.raises(ValueError, match="show must be one of"):
        _report(show="best")


@pytest.mark.parametrize("n_figure", [3, "figures"])
def test_report_reads_its_data_objective_and_figure_count_from_the_config(n_figure, tmp_path):
    """As a declared report: ``data(config)``, ``objective(config)`` and ``n_figure`` (a number or a
    config field) are what ``write`` gets."""
    calls = []

    class Config:
        figures = 3

    class Recording(OperatorPredictionsReport):
        def write(self, data, objective, results, out_dir, *, n_figure=4):
            calls.append((data, objective, results, out_dir, n_figure))
            return {"figures": []}

    report = Recording(
        "p", "t", "a", "u", data=lambda c: ("data", c.figures), objective=lambda c: "objective", n_figure=n_figure
    )
    assert report(Config(), {"run": None}, str(tmp_path)) == {"figures": []}
    assert calls == [(("data", 3), "objective", {"run": None}, Path(tmp_path), 3)]


def test_default_paths_fill_only_what_is_missing():
    assert default_paths("dr", None, None) == (Path("data/dr_train.h5"), Path("data/dr_test.h5"))
    assert default_paths("dr", "a.h5", None, "_n9") == (Path("a.h5"), Path("data/dr_test_n9.h5"))


@dataclasses.dataclass(frozen=True)
class _Files:
    train_data: Path | None = None
    test_data: Path | None = None
    generate_data: bool = True
    n_train: int = 3
    n_test: int = 2
    points_per_function: int = 4


def test_load_train_test_is_open_then_grid_with_the_configs_counts(tmp_path):
    dataset = DiffusionReactionConfig(nx=5, nt=4)
    files = _Files(train_data=tmp_path / "train.h5", test_data=tmp_path / "test.h5")
    layout = dict(inputs="source", input_axes=("x",), axes=("t", "x"), sample_points=True, points_seed=1)
    data = load_train_test("dr", dataset, files, stem="unused", file_counts=(3, 2), **layout)
    assert data.train_inputs.shape == (3, 5) and data.train_points.shape == (3, 4, 2)
    assert data.test_values.shape == (2, 20) and data.grid_shape == (4, 5)
    solved = dataset.solve(dataset.sample_inputs(2, 1))  # the test split: seed 1
    np.testing.assert_allclose(data.test_values, solved["tensor"].reshape(2, -1), rtol=1e-6)
    with pytest.raises(
        ValueError,
        match=r"train_data: the dataset data/none_train_n5.h5 does not exist; make it "
        r"with `pinnrwf generate dr --n-samples 50 --seed 0 .*--out data/none_train",
    ):
        load_train_test(
            "dr", dataset, _Files(generate_data=False), stem="none", grid="_n5", file_counts=(50, 100), **layout
        )


def test_grid_test_set_keeps_the_values_on_the_grid_of_the_coordinates():
    coords = {"x": np.arange(4) / 4, "t": np.linspace(0, 1, 3)}
    inputs, values = np.zeros((2, 4)), np.arange(24.0).reshape(2, 3, 4)
    data = grid_test_set(inputs, values, coords, axes=("t", "x"), input_axes=("x",))
    assert data.grid_shape == (3, 4) and data.input_shape == (4,) and data.train_inputs is None
    np.testing.assert_array_equal(data.grid, grid_points(coords, ("t", "x")))
    np.testing.assert_array_equal(data.image(data.test_values[1]), values[1])


@dataclasses.dataclass(frozen=True)
class _PhysicsInformed:
    test_data: Path | None = None
    n_test: int = 2
    test_seed: int = 1
    generate_reference: bool = True
    n_train: int = 3
    train_seed: int = 0
    n_functions: int = 2
    n_initial: int = 4
    n_residual: int = 5
    weight_ic: float = 10.0
    weight_residual: float = 1.0


def test_solved_test_set_and_physics_informed_objective_follow_the_dataset(tmp_path):
    dataset = BurgersConfig(nx=16, nt=3, t_final=0.1, dt=1e-3, n_internal=64)
    config = _PhysicsInformed()
    data = solved_grid_test_set(
        "burgers", dataset, config, default=tmp_path / "none.h5", inputs="u0", axes=("t", "x"), input_axes=("x",)
    )
    solved = dataset.solve(dataset.sample_inputs(2, 1))
    np.testing.assert_array_equal(data.test_inputs, solved["u0"].astype(np.float32))
    np.testing.assert_array_equal(data.test_values, solved["tensor"].astype(np.float32).reshape(2, -1))
    np.testing.assert_array_equal(data.input_coordinates[0], dataset.coordinates()["x"])
    with pytest.raises(ValueError, match="cannot be used: it does not exist"):
        solved_grid_test_set(
            "burgers",
            dataset,
            dataclasses.replace(config, test_data=tmp_path / "none.h5"),
            default=tmp_path / "none.h5",
            inputs="u0",
            axes=("t", "x"),
            input_axes=("x",),
        )
    objective = make_physics_informed_objective(equations.burgers(0.01), dataset, "u0", data, config)
    np.testing.assert_array_equal(objective.inputs.arrays["a"], dataset.sample_inputs(3, 0)["u0"].astype(np.float32))
    assert (objective.n_initial, objective.n_residual, objective.weight_ic) == (4, 5, 10.0)
    np.testing.assert_array_equal(objective.test_points, data.grid)
