"""The WN / RWF sparse-implicit-bias study: references, decoupling, and a smoke run."""

import dataclasses
import itertools
import json
import types
import warnings

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pinnrwf import runner
from pinnrwf.nn import RWF, Plain, WeightConditioning, WeightNorm
from pinnrwf.problems import get
from pinnrwf.problems.wn_sparsity import (
    SparsityConfig,
    make_grid,
    make_instances,
    make_objective,
    min_l1_interpolant,
    min_l2_interpolant,
    steps_to_tolerance,
)

TINY = SparsityConfig(size=12, measurements=6, sparsity=2, instances=2, alphas=(0.1, 1.0, 4.0))


def _tiny_system(seed, m=3, n=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n)), rng.standard_normal(m)


@pytest.mark.parametrize("seed", range(5))
def test_min_l2_interpolant_lies_in_the_row_space(seed):
    a, y = _tiny_system(seed)
    x = min_l2_interpolant(a, y)
    np.testing.assert_allclose(a @ x, y, atol=1e-12)
    coef = np.linalg.lstsq(a.T, x, rcond=None)[0]
    np.testing.assert_allclose(a.T @ coef, x, atol=1e-12)  # x = Aᵀλ: orthogonal to null(A)
    null = np.linalg.svd(a)[2][a.shape[0] :]  # rows span null(A)
    for z in null:
        assert np.linalg.norm(x + 0.1 * z) > np.linalg.norm(x)


@pytest.mark.parametrize("seed", range(8))
def test_min_l1_interpolant_matches_brute_force_and_its_dual_certificate(seed):
    """The LP optimum is a vertex: a solution supported on m linearly independent columns. We
    enumerate all of them; the dual λ certifies optimality (‖Aᵀλ‖_∞ ≤ 1, Aᵀλ = sign x on the
    support, yᵀλ = ‖x‖₁)."""
    a, y = _tiny_system(seed)
    m, n = a.shape
    x, dual = min_l1_interpolant(a, y)
    np.testing.assert_allclose(a @ x, y, atol=1e-9)
    best = min(np.abs(np.linalg.solve(a[:, s], y)).sum() for s in map(list, itertools.combinations(range(n), m)))
    np.testing.assert_allclose(np.abs(x).sum(), best, rtol=1e-9)
    corr = a.T @ dual
    assert np.max(np.abs(corr)) <= 1 + 1e-9
    support = np.abs(x) > 1e-9
    np.testing.assert_allclose(corr[support], np.sign(x[support]), atol=1e-9)
    np.testing.assert_allclose(y @ dual, np.abs(x).sum(), rtol=1e-9)


def test_instances_are_reproducible_and_basis_pursuit_recovers_the_sparse_truth():
    config = SparsityConfig(instances=2, data_seed=3)
    inst = make_instances(config)
    again = make_instances(config)
    np.testing.assert_array_equal(inst.a, again.a)
    assert inst.a.shape == (2, 40, 100) and inst.x_true.shape == (2, 100)
    assert np.all(np.count_nonzero(inst.x_true, axis=1) == 5)
    np.testing.assert_allclose(np.einsum("kmn,kn->km", inst.a, inst.x_true), inst.y, atol=1e-12)
    # n = 100, m = 40, k = 5 lies well inside the ℓ1 recovery region; ℓ2 does not recover
    np.testing.assert_allclose(inst.x_l1, inst.x_true, atol=1e-8)
    assert np.all(np.linalg.norm(inst.x_l2 - inst.x_true, axis=1) > 0.3 * np.linalg.norm(inst.x_true, axis=1))


@pytest.mark.parametrize("parameterization", [Plain(), WeightNorm(), RWF(mean=1.0, std=0.1)])
def test_gradient_descent_on_the_summed_loss_is_independent_descent_per_block(parameterization, key):
    """GD with step η on Σ c_kj L_kj equals, block by block, GD with step η·c_kj on L_kj alone."""
    with jax.enable_x64(True):
        _check_decoupled_descent(parameterization, key)


def _check_decoupled_descent(parameterization, key):
    objective = make_objective(TINY)
    assert objective.a.dtype == jnp.float64
    grid = make_grid(TINY, parameterization, key)
    params, static = eqx.partition(grid, eqx.is_array)
    eta, steps = 0.5, 20
    opt = optax.sgd(eta)

    @jax.jit
    def step_together(p, state):
        def total(p):
            terms, _ = objective.loss_terms(eqx.combine(p, static), (), jnp.int32(0))
            return sum(terms.values())

        updates, state = opt.update(jax.grad(total)(p), state)
        return optax.apply_updates(p, updates), state

    state = opt.init(params)
    for _ in range(steps):
        params, state = step_together(params, state)
    together = eqx.combine(params, static).vectors()

    @eqx.filter_jit
    def step_alone(net, a, y, rate):
        grad = jax.grad(lambda n: 0.5 * jnp.sum((jax.vmap(n)(a) - y) ** 2))(net)
        return jax.tree.map(lambda p, g: p - rate * g, net, grad)

    c = 1.0 / (grid.kappa * objective.curvature)
    for k, j in itertools.product(range(TINY.instances), range(len(TINY.alphas))):
        net = jax.tree.map(lambda x: x[k, j], grid.networks)
        for _ in range(steps):
            net = step_alone(net, objective.a[k], objective.y[k], eta * c[k, j])
        np.testing.assert_allclose(together[k, j], net.effective_vector(), rtol=1e-10, atol=1e-13)
    # κ is read through stop_gradient: not trained
    np.testing.assert_array_equal(params.kappa, grid.kappa)


def test_equal_initial_step_divides_by_the_factor_kernel_norm(key):
    rwf = make_grid(TINY, RWF(), key)
    np.testing.assert_allclose(make_grid(TINY, Plain(), key).kappa, 1.0, rtol=1e-6)
    # κ ≈ max exp(2 s) + α² for per-coordinate RWF: above e^1.4 + α² with s ~ N(1, 0.1)
    assert np.all(np.asarray(rwf.kappa) > np.exp(2 * 0.7) + np.asarray(TINY.alphas) ** 2)
    # the loss weight of block (k, j) is 1/(κ L) by default and 1/L with a shared step
    for equal in (True, False):
        objective = make_objective(dataclasses.replace(TINY, equal_initial_step=equal))
        half_sq = 0.5 * np.sum(np.asarray(objective.residuals(rwf.vectors()), dtype=float) ** 2, axis=-1)
        weight = 1.0 / np.asarray(objective.curvature) / (np.asarray(rwf.kappa) if equal else 1.0)
        total = objective.loss_terms(rwf, (), jnp.int32(0))[0]["least_squares"]
        np.testing.assert_allclose(total, np.sum(weight * half_sq), rtol=1e-5)


def test_layouts_follow_the_config(key):
    grid = make_grid(TINY, WeightNorm(), key)
    assert grid.networks.u.weight.g.shape == (TINY.instances, len(TINY.alphas), 1)  # one g per factor
    grid = make_grid(TINY, RWF(), key)
    assert grid.networks.u.weight.s.shape == (TINY.instances, len(TINY.alphas), TINY.size)  # one s per coordinate


def test_parameterizations_that_are_not_exact_at_init_are_rejected():
    problem = get("wn-sparsity")
    with pytest.raises(ValueError, match="exact_at_init"):
        problem.init_model(TINY, WeightConditioning("row"))


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"measurements": 12}, "measurements"),
        ({"sparsity": 7}, "sparsity"),
        ({"alphas": (0.1, 0.1)}, "twice"),
        ({"alphas": (0.1, -1.0)}, "alphas"),
        ({"alphas": ()}, "alphas"),
        ({"tolerance": 0.0}, "tolerance"),
        ({"whole_vector": ("weightnorm",)}, "whole_vector"),
    ],
)
def test_config_rejects_invalid_values(changes, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(TINY, **changes)


def test_steps_to_tolerance_is_the_first_logged_hit():
    flags = np.zeros((4, 1, 1, 3))
    flags[1:, 0, 0, 0] = 1  # reached at the second chunk and stays
    flags[3, 0, 0, 1] = 1  # reached at the last chunk
    flags[1, 0, 0, 2] = 1  # reached once, then left again: still the first hit
    result = types.SimpleNamespace(history={"step": [50, 100, 150, 200], "diagnostics": {"converged": flags}})
    np.testing.assert_array_equal(steps_to_tolerance(result)[0, 0], [100, 200, 100])
    flags[:] = 0
    assert np.isnan(steps_to_tolerance(result)).all()


@pytest.mark.slow
def test_smoke_run_through_the_runner_writes_figure_table_and_results(tmp_path):
    problem = get("wn-sparsity")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the runner trains it in float64: no float32 warning
        results = runner.run(problem, preset="smoke", out_dir=tmp_path, log=lambda _: None)
    config = problem.presets["smoke"].config
    train = problem.presets["smoke"].train
    assert set(results) == {"plain", "wn", "rwf"}
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["problem"] == "wn-sparsity" and set(res["runs"]) == {"plain", "wn", "rwf"}
    assert res["dtype"] == "float64"
    shape = [train.seeds, config.instances, len(config.alphas)]
    for run in res["runs"].values():
        assert list(np.shape(run["final_metrics"]["rel_error"])) == shape
        assert list(np.shape(run["history"]["diagnostics"]["converged"])) == [train.steps // train.chunk_steps, *shape]
    report = res["report"]
    assert set(report["by_alpha"]) == {"plain", "wn", "rwf"} and len(report["findings"]) == 3
    assert set(report["by_alpha"]["rwf"]["rel_error"]) == {f"{a:g}" for a in config.alphas}
    assert (tmp_path / "wn_sparsity.png").stat().st_size > 20_000
    assert "| 1 | plain |" in (tmp_path / "wn_sparsity.md").read_text()
    # at α = 1 plain GD is already close to the minimum-ℓ2 interpolant after 200 steps
    assert report["by_alpha"]["plain"]["dist_l2"]["1"]["median"] < 0.05
