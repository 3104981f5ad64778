"""The supervised DeepONet problems (rwf_paper App. L.1–L.2): data pipelines against the solvers,
per-function test errors, and clear errors for bad inputs. Tiny grids, data generated in tmp."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import runner
from pinnrwf.datasets.generate import DarcyConfig, DiffusionReactionConfig, generate
from pinnrwf.nn import CNN, RWF, DeepONet, DenseWeight, FactorizedWeight, Plain
from pinnrwf.operator import branch_once, predict
from pinnrwf.problems import darcy_operator, dr_operator, get
from pinnrwf.solvers import darcy, diffusion_reaction
from pinnrwf.train import TrainConfig

NX, NT, N_TRAIN, N_TEST = 21, 11, 8, 3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Small dataset files as `pinnrwf generate` writes them (train seed 0, test seed 1)."""
    d = tmp_path_factory.mktemp("operators")
    out = {}
    for name, cfg, n_train, n_test in [
        ("dr", DiffusionReactionConfig(nx=NX, nt=NT), N_TRAIN, N_TEST),
        ("darcy", DarcyConfig(n=17), 6, 2),
    ]:
        out[name] = (
            generate(cfg, d / f"{name}_train.h5", n_samples=n_train, seed=0, progress=False),
            generate(cfg, d / f"{name}_test.h5", n_samples=n_test, seed=1, progress=False),
        )
    return out


def dr_config(files, **changes):
    train, test = files["dr"]
    base = dr_operator.DROperatorConfig(
        train_data=train,
        test_data=test,
        n_train=N_TRAIN,
        n_test=N_TEST,
        sensors=NX,
        nt=NT,
        points_per_function=15,
        batch_size=64,
        width=8,
        depth=2,
        latent_size=8,
    )
    return dataclasses.replace(base, **changes)


def darcy_config(files, **changes):
    train, test = files["darcy"]
    base = darcy_operator.DarcyOperatorConfig(
        train_data=train,
        test_data=test,
        resolution=17,
        n_train=6,
        n_test=2,
        functions_per_batch=3,
        points_per_function=5,
        channels=(2, 4),
        branch_hidden=(8,),
        latent_size=8,
        width=8,
        depth=2,
    )
    return dataclasses.replace(base, **changes)


def _grid_index(coords, value):
    k = int(np.argmin(np.abs(coords - value)))
    assert abs(coords[k] - value) < 1e-6
    return k


def test_dr_triples_match_the_solver(files):
    data = dr_operator.load_data(dr_config(files))
    assert data.train_inputs.shape == (N_TRAIN, NX) and data.train_points.shape == (N_TRAIN, 15, 2)
    assert data.train_values.shape == (N_TRAIN, 15) and data.test_values.shape == (N_TEST, NX * NT)
    # the sources are the generator's seed-0 samples; the values are the solver's, at the stored (x, t)
    np.testing.assert_allclose(
        data.train_inputs, DiffusionReactionConfig(nx=NX, nt=NT).sample_inputs(N_TRAIN, 0)["source"], rtol=1e-6
    )
    x, t = np.linspace(0, 1, NX), np.linspace(0, 1, NT)
    for f in (0, 5):
        u = diffusion_reaction.solve(data.train_inputs[f].astype(np.float64), nt=NT)  # (nt, nx)
        expected = [u[_grid_index(t, tv), _grid_index(x, xv)] for xv, tv in data.train_points[f]]
        np.testing.assert_allclose(data.train_values[f], expected, rtol=1e-5, atol=1e-7)
    # the test set: every function on its full grid, y = (x, t), in the tensor's (t, x) order
    u = diffusion_reaction.solve(data.test_inputs[1].astype(np.float64), nt=NT)
    np.testing.assert_allclose(data.test_values[1], u.ravel(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(data.grid[NX + 2], [x[2], t[1]])


@pytest.mark.parametrize("functions_per_batch", [0, 4])
def test_dr_batches_are_rows_of_the_training_table(files, functions_per_batch):
    cfg = dr_config(files, functions_per_batch=functions_per_batch, branch_evaluation="per-row")
    data, batch = dr_operator.load_data(cfg), dr_operator.make_objective(cfg).sample(jax.random.PRNGKey(3))
    a, y, u = (np.asarray(batch[k]) for k in ("a", "y", "u"))
    if functions_per_batch:  # 4 functions x 16 of their points
        assert a.shape == (4, NX) and y.shape == (4, 16, 2) and u.shape == (4, 16)
        a, y, u = np.repeat(a, 16, axis=0), y.reshape(-1, 2), u.reshape(-1)
    assert a.shape == (64, NX) and y.shape == (64, 2) and u.shape == (64,)
    for row in range(64):
        (i,) = np.flatnonzero((data.train_inputs == a[row]).all(axis=1))
        (j,) = np.flatnonzero((data.train_points[i] == y[row]).all(axis=1))
        assert data.train_values[i, j] == u[row]


def test_dr_points_are_drawn_once_seeded_and_distinct(files):
    grid_points = NX * NT
    data = dr_operator.load_data(dr_config(files, points_per_function=grid_points))
    for f in range(N_TRAIN):  # P = the whole grid: every point exactly once
        assert len({tuple(p) for p in data.train_points[f]}) == grid_points
    a = dr_operator.load_data(dr_config(files, points_seed=4)).train_points
    b = dr_operator.load_data(dr_config(files, points_seed=4, n_figure=2)).train_points  # another config, same seed
    c = dr_operator.load_data(dr_config(files, points_seed=5)).train_points
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rep = dr_operator.load_data(dr_config(files, points_per_function=grid_points, points_with_replacement=True))
    assert min(len({tuple(p) for p in rep.train_points[f]}) for f in range(N_TRAIN)) < grid_points


def test_test_errors_are_per_function(files):
    cfg = dr_config(files)
    objective, data = dr_operator.make_objective(cfg), dr_operator.load_data(cfg)
    model = DeepONet(NX, 2, 8, 8, 2, RWF(), key=jax.random.PRNGKey(0))
    errors = np.asarray(objective.test_errors(model))
    assert errors.shape == (N_TEST,)
    for k in range(N_TEST):  # one function at a time, through DeepONet.__call__
        pred = np.asarray(jax.vmap(model, in_axes=(None, 0))(data.test_inputs[k], data.grid)[:, 0])
        expected = np.linalg.norm(pred - data.test_values[k]) / np.linalg.norm(data.test_values[k])
        assert errors[k] == pytest.approx(expected, rel=1e-4)
    metrics = objective.metrics(model)
    assert float(metrics["rel_l2"]) == pytest.approx(errors.mean(), rel=1e-5)
    assert float(metrics["rel_l2_std"]) == pytest.approx(errors.std(), rel=1e-4)
    np.testing.assert_allclose(objective.test_errors(lambda a, y: jnp.zeros(1)), 1.0, rtol=1e-6)


def test_pairs_and_groups_predict_alike(files):
    model = DeepONet(NX, 2, 8, 8, 2, Plain(), key=jax.random.PRNGKey(1))
    a = jax.random.normal(jax.random.PRNGKey(2), (3, NX))
    y = jax.random.uniform(jax.random.PRNGKey(3), (3, 4, 2))
    grouped = predict(model, a, y)
    pairs = predict(model, jnp.repeat(a, 4, axis=0), y.reshape(-1, 2))
    np.testing.assert_allclose(grouped.reshape(-1), pairs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("parameterization", [Plain(), RWF()])
def test_branch_once_per_function_gives_the_same_batches_loss_and_gradient(files, parameterization):
    """The per-function branch path draws the same rows as the per-row path and its loss and
    gradient agree to rounding (it only evaluates the branch on every function and gathers)."""
    per_row = dr_operator.make_objective(dr_config(files, branch_evaluation="per-row"))
    per_fn = dr_operator.make_objective(dr_config(files, branch_evaluation="per-function"))
    assert per_fn.train_inputs is not None and per_row.train_inputs is None
    key = jax.random.PRNGKey(7)
    rows, idx = per_row.sample(key), per_fn.sample(key)
    np.testing.assert_array_equal(np.asarray(per_fn.train_inputs)[np.asarray(idx["index"])], rows["a"])
    np.testing.assert_array_equal(idx["y"], rows["y"])
    model = DeepONet(NX, 2, 8, 8, 2, parameterization, key=jax.random.PRNGKey(1))

    def loss(objective, batch):
        return jax.value_and_grad(lambda m: objective.loss_terms(m, batch, 0)[0]["mse"])(model)

    (l_row, g_row), (l_fn, g_fn) = loss(per_row, rows), loss(per_fn, idx)
    np.testing.assert_allclose(l_fn, l_row, rtol=1e-5)
    for a, b in zip(jax.tree_util.tree_leaves(g_fn), jax.tree_util.tree_leaves(g_row)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_branch_evaluation_auto_is_per_function_only_for_batches_larger_than_the_training_set():
    def once(evaluation="auto", batch_size=10_000, functions_per_batch=0, n_train=5000):
        return branch_once(evaluation, batch_size=batch_size, functions_per_batch=functions_per_batch, n_train=n_train)

    assert once() and not once(batch_size=1000)
    assert not once(functions_per_batch=100) and not once("per-row")
    with pytest.raises(ValueError, match="branch_evaluation must be one of 'auto', 'per-function', 'per-row'"):
        dr_operator.DROperatorConfig(branch_evaluation="once")
    with pytest.raises(ValueError, match="'per-function' applies to independent pairs"):
        dr_operator.DROperatorConfig(branch_evaluation="per-function", functions_per_batch=100)


def test_report_keeps_every_per_function_error_and_the_table_is_their_mean(files, tmp_path):
    cfg = dr_config(files)
    results = runner.run(
        get("dr"),
        out_dir=tmp_path,
        preset="smoke",
        config=cfg,
        parameterizations="plain,rwf",
        train=TrainConfig(steps=10, seeds=2, chunk_steps=5, progress=False),
        log=lambda _: None,
    )
    res = json.loads((tmp_path / "results.json").read_text())
    for name, r in results.items():
        per_function = np.asarray(res["report"]["test_errors_per_function"][name])
        assert per_function.shape == (2, N_TEST)  # seeds x test functions
        np.testing.assert_allclose(per_function.mean(axis=1), r.final_metrics["rel_l2"], rtol=1e-4)
        np.testing.assert_allclose(per_function.std(axis=1), r.final_metrics["rel_l2_std"], rtol=1e-3, atol=1e-7)
    assert {p.name for p in tmp_path.glob("*.png")} == {"dr_predictions.png", "dr_training.png"}


def test_darcy_pairs_match_the_solver_and_batches_group_functions(files):
    cfg = darcy_config(files)
    data = darcy_operator.load_data(cfg)
    assert data.train_inputs.shape == (6, 17 * 17) and data.train_points.shape == (17 * 17, 2)
    assert abs(data.train_inputs.mean()) < 1e-5 and data.train_inputs.std() == pytest.approx(1.0, rel=1e-4)
    a = data.test_inputs[0] * data.input_scale + data.input_shift  # raw coefficient
    assert set(np.round(a, 4)) <= {3.0, 12.0}
    u = darcy.solve(a.reshape(17, 17).astype(np.float64))
    np.testing.assert_allclose(data.test_values[0] * data.output_scale, u.ravel(), rtol=1e-4, atol=1e-8)
    grid = darcy.grid(17)
    np.testing.assert_allclose(data.grid[17 * 3 + 5], [grid[3], grid[5]])  # (x_i, y_j) at index i·n + j
    batch = darcy_operator.make_objective(cfg).sample(jax.random.PRNGKey(0))
    assert batch["a"].shape == (3, 289) and batch["y"].shape == (3, 5, 2) and batch["u"].shape == (3, 5)
    for f in range(3):
        (i,) = np.flatnonzero((data.train_inputs == np.asarray(batch["a"][f])).all(axis=1))
        for q in range(5):
            (j,) = np.flatnonzero((data.grid == np.asarray(batch["y"][f, q])).all(axis=1))
            assert data.train_values[i, j] == batch["u"][f, q]


@pytest.mark.parametrize("convolutions", [False, True])
def test_darcy_model_has_a_cnn_branch_with_the_parameterization(files, convolutions):
    cfg = darcy_config(files, parameterize_convolutions=convolutions)
    model = get("darcy").init_model(cfg, RWF())(jax.random.PRNGKey(0))
    assert isinstance(model.branch, CNN) and model.branch.in_shape == (1, 17, 17)
    assert all(type(layer.weight) is FactorizedWeight for layer in model.branch.layers + model.trunk.layers)
    conv_weight = FactorizedWeight if convolutions else DenseWeight
    assert all(type(conv.weight) is conv_weight for conv in model.branch.convs)
    objective = darcy_operator.make_objective(cfg)
    assert objective.test_errors(model).shape == (2,)


@pytest.mark.parametrize(
    "changes, match",
    [
        (dict(sensors=20), r"sensors \(20\) must equal the number of x-grid points of .*dr_train.h5 \(21\)"),
        (dict(points_per_function=1000), r"points_per_function \(1000\) exceeds the 11 × 21 = 231 points"),
        (dict(n_train=50), r"n_train = 50 exceeds the 8 samples of .*dr_train.h5"),
        (
            dict(train_data="darcy"),
            r"train_data: .*darcy_train.h5 holds a 'darcy' dataset, expected a "
            r"'diffusion-reaction' dataset",
        ),
        (
            dict(test_data="missing"),
            r"test_data: the dataset .*nope.h5 does not exist; make it with `pinnrwf generate "
            r"dr --n-samples 100 --seed 1 --nx 21 --nt 11 --out",
        ),
    ],
)
def test_dr_bad_inputs_raise_naming_the_parameter(files, tmp_path, changes, match):
    if changes.get("train_data") == "darcy":
        changes["train_data"] = files["darcy"][0]
    if changes.get("test_data") == "missing":
        changes["test_data"] = tmp_path / "nope.h5"
    with pytest.raises(ValueError, match=match):
        dr_operator.load_data(dr_config(files, **changes))


@pytest.mark.parametrize(
    "changes, match",
    [
        (dict(batch_size=100, functions_per_batch=7), r"batch_size \(100\) must be a multiple of functions_per_batch"),
        (dict(sensors=2), "sensors must be ≥ 3"),
        (dict(functions_per_batch=-1), "functions_per_batch must be ≥ 0"),
        (dict(points_seed=-1), "points_seed must be ≥ 0"),
    ],
)
def test_dr_config_checks(changes, match):
    with pytest.raises(ValueError, match=match):
        dr_operator.DROperatorConfig(**changes)


def test_darcy_bad_inputs_raise_naming_the_parameter(files):
    with pytest.raises(
        ValueError,
        match=r"resolution \(16\) must equal the number of x-grid points of "
        r".*darcy_train.h5 \(17\)",
    ):
        darcy_operator.load_data(darcy_config(files, resolution=16))
    with pytest.raises(ValueError, match=r"test_data: .* holds a 'diffusion-reaction' dataset, expected a 'darcy'"):
        darcy_operator.load_data(darcy_config(files, test_data=files["dr"][1]))
    with pytest.raises(ValueError, match=r"points_per_function \(300\) exceeds the 17 × 17 = 289 points"):
        darcy_operator.load_data(darcy_config(files, points_per_function=300))
    with pytest.raises(ValueError, match=r"channels\[1\] must be ≥ 1"):
        darcy_operator.DarcyOperatorConfig(channels=(4, 0))
