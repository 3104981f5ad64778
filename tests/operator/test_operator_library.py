"""pinnrwf.operator: properties of the generic operator-learning parts, on tiny in-memory splits."""

import dataclasses

import numpy as np
import pytest

from pinnrwf.datasets.generate import CONFIGS, command_options, generate_command
from pinnrwf.operator import (
    OperatorData,
    OperatorPredictionsReport,
    Split,
    branch_once,
    grid_operator_data,
    grid_points,
    make_batches,
)


def _split(n=6, nx=5, nt=4, seed=0, source="memory"):
    rng = np.random.default_rng(seed)
    arrays = {"a": rng.normal(size=(n, nx)).astype(np.float32),
              "tensor": rng.normal(size=(n, nt, nx)).astype(np.float32)}
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
    data = grid_operator_data(train, test, inputs="a", input_axes=("x",), axes=("t", "x"), n_train=6, n_test=3,
                              points_per_function=7, sample_points=True, points_seed=2)
    assert data.train_points.shape == (6, 7, 2) and data.train_values.shape == (6, 7)
    grid = list(map(tuple, data.grid))
    for f in range(6):
        assert len(set(map(tuple, data.train_points[f]))) == 7  # distinct points
        for y, u in zip(data.train_points[f], data.train_values[f]):
            assert arrays["tensor"][f].ravel()[grid.index(tuple(y))] == u
    np.testing.assert_array_equal(data.test_values, test_arrays["tensor"].reshape(3, -1))
    np.testing.assert_array_equal(data.train_inputs, arrays["a"])


def test_normalization_is_undone_by_shift_and_scale():
    (train, arrays), (test, test_arrays) = _split(), _split(n=3, seed=1)
    data = grid_operator_data(train, test, inputs="a", input_axes=("x",), axes=("t", "x"), n_train=6, n_test=3,
                              points_per_function=4, sample_points=False, normalize=True)
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
    data = OperatorData(test_inputs=np.zeros((1, 2)), grid=np.zeros((3, 2)), test_values=np.zeros((1, 3)),
                        grid_shape=(1, 3), axes=("t", "x"), input_shape=(2,), input_coordinates=(np.zeros(2),),
                        train_inputs=np.zeros((4, 2)), train_points=np.zeros((3, 2)), train_values=np.zeros((4, 3)))
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


def test_report_spread_shows_the_lowest_median_and_highest_error():
    report = OperatorPredictionsReport("p", "title", "a", "u", show="spread")
    assert report._indices(np.array([0.3, 0.1, 0.5, 0.2, 0.4]), 4) == [1, 0, 2]
    random = dataclasses.replace(report, show="random")._indices(np.zeros(10), 4)
    assert len(random) == 4 and random == sorted(set(random))
    with pytest.raises(ValueError, match="show must be one of"):
        OperatorPredictionsReport("p", "t", "a", "u", show="best")
