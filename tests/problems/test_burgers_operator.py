"""The physics-informed Burgers DeepONet (rwf_paper App. L.3): exact solutions have zero loss,
the test set is the generator's, the gate option is the authors' code's gate, bad input is refused."""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.cli import main
from pinnrwf.datasets.generate import generate
from pinnrwf.nn import RWF, ModifiedDeepONet, Plain
from pinnrwf.operator import PhysicsInformedOperatorObjective, grid_points
from pinnrwf.problems import burgers_operator as bo
from pinnrwf.problems.equations import burgers
from pinnrwf.solvers.burgers import cole_hopf_solution

SMOKE = bo.BurgersOperator.presets["smoke"].config
NU = 0.01
AMPLITUDES, PHASES = (0.4, 0.2), (0.3, 1.1)


def cole_hopf(y, nu=NU):
    """Exact periodic Burgers solution u = −2ν φ_x / φ at one point y = (x, t), in JAX."""
    x, t = y
    m = jnp.arange(1, len(AMPLITUDES) + 1)
    w = 2 * jnp.pi * m
    decay = jnp.asarray(AMPLITUDES) * jnp.exp(-nu * w**2 * t)
    phi = 1.0 + jnp.sum(decay * jnp.cos(w * x + jnp.asarray(PHASES)))
    phi_x = -jnp.sum(decay * w * jnp.sin(w * x + jnp.asarray(PHASES)))
    return -2 * nu * phi_x / phi


def cole_hopf_objective(n_sensors=64, n_test_t=11, **kwargs):
    """An objective whose one training and one test function is the Cole–Hopf solution."""
    x = np.arange(n_sensors) / n_sensors
    t = np.linspace(0.0, 1.0, n_test_t)
    a = cole_hopf_solution(x, [0.0], nu=NU, amplitudes=AMPLITUDES, phases=PHASES)  # (1, m)
    u = cole_hopf_solution(x, t, nu=NU, amplitudes=AMPLITUDES, phases=PHASES)  # (nt, m)
    return PhysicsInformedOperatorObjective(
        burgers(NU),
        a,
        a,
        u[None],
        grid_points({"x": x, "t": t}, ("t", "x")),
        **{"n_functions": 4, "n_initial": n_sensors, "n_residual": 256, **kwargs},
    )


def test_losses_vanish_on_an_exact_operator_solution():
    # a "DeepONet" whose trunk closure is the Cole–Hopf solution (a trivial branch ignores a)
    objective = cole_hopf_objective()
    batch = objective.sample(jax.random.PRNGKey(0))
    exact = lambda a, y: cole_hopf(y)[None]  # noqa: E731
    terms, _ = objective.loss_terms(exact, batch, jnp.int32(0))
    assert set(terms) == {"ic", "r"}
    assert float(terms["ic"]) < 1e-10 and float(terms["r"]) < 1e-9
    assert float(objective.metrics(exact)["rel_l2"]) < 1e-5
    # not vacuous: the same field run backwards in time violates the PDE by O(u_t²) ≈ 1e-3
    backwards = lambda a, y: cole_hopf(jnp.array([y[0], 1.0 - y[1]]))[None]  # noqa: E731
    assert float(objective.loss_terms(backwards, batch, jnp.int32(0))[0]["r"]) > 1e-5


def test_constant_initial_condition_is_a_steady_solution():
    objective = cole_hopf_objective()
    batch = objective.sample(jax.random.PRNGKey(1))
    batch = {**batch, "a": jnp.full_like(batch["a"], 0.3)}
    terms, _ = objective.loss_terms(lambda a, y: jnp.full((1,), 0.3), batch, jnp.int32(0))
    assert float(terms["ic"]) == 0.0 and float(terms["r"]) == 0.0


def test_residual_is_taken_along_the_trunk_coordinates_of_the_network():
    # with a real network: the objective's residual equals u_t + u u_x − ν u_xx by jax.hessian
    config = dataclasses.replace(SMOKE, nu=NU)
    model = bo.BurgersOperator().init_model(config, RWF())(jax.random.PRNGKey(2))
    objective = cole_hopf_objective(n_sensors=config.n_sensors, n_residual=16)
    a = objective.test_inputs[0]
    y = jax.random.uniform(jax.random.PRNGKey(3), (16, 2))
    _, r_dsl = objective.function_losses(model, a, jnp.arange(4), y)

    def residual(point):
        u = lambda z: model(a, z)[0]  # noqa: E731
        grad, hess = jax.grad(u)(point), jax.hessian(u)(point)
        return grad[1] + u(point) * grad[0] - NU * hess[0, 0]

    np.testing.assert_allclose(r_dsl, jnp.mean(jax.vmap(residual)(y) ** 2), rtol=1e-4)


def test_trunk_embedding_makes_the_operator_exactly_periodic():
    model = bo.BurgersOperator().init_model(SMOKE, Plain())(jax.random.PRNGKey(0))
    a = jnp.linspace(-1, 1, SMOKE.n_sensors)
    for x, t in [(0.1, 0.3), (0.77, 0.9)]:
        np.testing.assert_allclose(model(a, jnp.array([x, t])), model(a, jnp.array([x + 1.0, t])), atol=1e-6)


def test_reference_gate_swaps_the_encoders_as_in_the_authors_code():
    key = jax.random.PRNGKey(4)
    paper = ModifiedDeepONet(5, 2, 6, 3, RWF(), key=key)
    code = ModifiedDeepONet(5, 2, 6, 3, RWF(), reference_gate=True, key=key)
    a, y = jnp.linspace(-0.5, 0.5, 5), jnp.array([0.3, 0.6])
    s = np.tanh
    dense = lambda layer: (np.asarray(layer.weight()), np.asarray(layer.bias))  # noqa: E731
    wa, ba = dense(code.encoder_a)
    wy, by = dense(code.encoder_y)
    U, V = s(wa @ a + ba), s(wy @ y + by)

    def tower(h, layers):
        for layer in layers[:-1]:
            w, b = dense(layer)
            Z = s(w @ h + b)
            h = Z * U + (1 - Z) * V  # the code's gate; the paper's eq. L.17 is (1 − Z) U + Z V
        w, b = dense(layers[-1])
        return s(w @ h + b)

    expected = tower(np.asarray(a), code.branch_layers) @ tower(np.asarray(y), code.trunk_layers)
    np.testing.assert_allclose(code(a, y)[0], expected, rtol=2e-5, atol=2e-6)
    assert abs(float(paper(a, y)[0] - code(a, y)[0])) > 1e-4  # the two gates differ
    with pytest.raises(ValueError, match="reference_gate must be True or False"):
        ModifiedDeepONet(5, 2, 6, 3, reference_gate="reference", key=key)


def test_test_set_file_and_in_memory_solve_agree(tmp_path):
    config = dataclasses.replace(SMOKE, test_data=tmp_path / "test.h5")
    with pytest.raises(
        ValueError,
        match="it does not exist; make it with `pinnrwf generate burgers-operator "
        "--n-samples 3 --seed 1 --nx 32 --nt 11 --dt 0.001 --n-internal 256 --out",
    ):
        bo.test_set(config)
    generate(
        config.dataset_config(), tmp_path / "test.h5", n_samples=config.n_test, seed=config.test_seed, progress=False
    )
    file, memory = bo.test_set(config), bo.test_set(dataclasses.replace(SMOKE, test_data=None))  # smoke: in memory
    np.testing.assert_array_equal(file.test_inputs, memory.test_inputs)
    np.testing.assert_allclose(file.test_values, memory.test_values, rtol=0, atol=1e-7)
    assert file.test_values.shape == (3, 11 * 32) and file.grid.shape == (11 * 32, 2)
    with pytest.raises(ValueError, match=r"n_samples = 3 \(want 5\)"):
        bo.test_set(dataclasses.replace(config, n_test=5))


def test_training_inputs_are_the_generators_initial_conditions():
    u0 = np.asarray(bo.make_objective(SMOKE).inputs.arrays["a"])
    expected = SMOKE.dataset_config().sample_inputs(SMOKE.n_train, SMOKE.train_seed)["u0"]
    np.testing.assert_array_equal(u0, expected.astype(np.float32))
    assert u0.shape == (SMOKE.n_train, SMOKE.n_sensors)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"gate": "code"}, "gate must be one of"),
        ({"nu": -0.001}, "nu"),
        ({"width": 0}, "width"),
        ({"n_functions": 0}, "n_functions"),
        ({"n_initial": 33}, "n_initial must be ≤ n_sensors = 32"),
        ({"n_sensors": 2}, "n_sensors"),
        ({"solver_n_internal": 16}, "solver_n_internal"),
        ({"weight_ic": -1.0}, "weight_ic"),
        ({"test_seed": -1}, "test_seed"),
    ],
)
def test_bad_config_values_are_refused_naming_the_field(changes, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(SMOKE, **changes)


def test_bad_objective_inputs_are_refused_naming_the_argument():
    points = grid_points({"x": np.arange(32) / 32, "t": np.linspace(0, 1, 11)}, ("t", "x"))
    good = dict(
        train_inputs=np.zeros((4, 32)),
        test_inputs=np.zeros((2, 32)),
        test_solutions=np.zeros((2, 11, 32)),
        test_points=points,
    )
    for name, value, match in [
        ("train_inputs", np.zeros(32), "train_inputs must be"),
        ("test_inputs", np.zeros((2, 31)), "test_inputs must be"),
        ("test_solutions", np.zeros((2, 10, 32)), "test_solutions must hold"),
        ("test_points", points[:, :1], "test_points must be"),
    ]:
        with pytest.raises(ValueError, match=match):
            PhysicsInformedOperatorObjective(
                burgers(), **{**good, name: value}, n_functions=2, n_initial=8, n_residual=8
            )
    with pytest.raises(ValueError, match="n_initial must be ≤ the 32 sensors"):
        PhysicsInformedOperatorObjective(burgers(), **good, n_functions=2, n_initial=33, n_residual=8)


def test_missing_test_file_is_a_one_line_cli_error(tmp_path, capsys):
    argv = [
        "run",
        "burgers-operator",
        "--preset",
        "paper",
        "--test-data",
        str(tmp_path / "none.h5"),
        "--out",
        str(tmp_path / "out"),
        "--no-progress",
    ]
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2
    message = capsys.readouterr().err
    assert "pinnrwf generate burgers-operator --n-samples 100 --seed 1 --out" in message and "Traceback" not in message
    with pytest.raises(SystemExit):
        main(["run", "burgers-operator", "--gate", "sideways"])


def test_smoke_run_trains_reports_and_lowers_the_initial_misfit(tmp_path):
    argv = [
        "run",
        "burgers-operator",
        "--preset",
        "smoke",
        "--param",
        "rwf",
        "--gate",
        "reference",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(argv) == 0
    res = json.loads((tmp_path / "results.json").read_text())
    run = res["runs"]["rwf"]
    assert res["problem_config"]["gate"] == "reference"
    ic = np.asarray(run["history"]["terms"]["ic"])[:, 0]
    assert ic[-1] < ic[0]
    errors = np.asarray(res["report"]["test_errors_per_function"]["rwf"])
    assert errors.shape == (1, SMOKE.n_test) and np.all(np.isfinite(errors))
    np.testing.assert_allclose(errors.mean(), run["final_metrics"]["rel_l2"][0], rtol=1e-4)
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "burgers_operator_predictions.png",
        "burgers_operator_training.png",
    }


def test_table14_pools_test_set_statistics_over_seeds():
    from pinnrwf.benchmarks.tables.table14 import pooled

    mean, std = pooled([0.1, 0.3], [0.0, 0.0])  # two seeds, each with a constant error over its test set
    assert mean == pytest.approx(0.2) and std == pytest.approx(0.1)
    errors = np.random.default_rng(0).uniform(size=(3, 50))  # (seeds, test functions)
    np.testing.assert_allclose(pooled(errors.mean(1), errors.std(1)), (errors.mean(), errors.std()))


def test_table14_benchmark_runs_registered_problems_and_skips_missing_ones(tmp_path, monkeypatch, capsys):
    from pinnrwf.benchmarks._common import result_dir
    from pinnrwf.benchmarks.tables import table14
    from pinnrwf.problems import get

    monkeypatch.setattr(table14, "registry", lambda: {"burgers-operator": get("burgers-operator")})
    argv = [
        "bench",
        "table14",
        "--preset",
        "smoke",
        "--problems",
        "dr,burgers-operator",
        "--param",
        "plain,wc-row",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    assert "table14: skipping 'dr': not a registered problem" in capsys.readouterr().out
    folder = result_dir(tmp_path, "table14", "smoke")  # <out>/<benchmark>/<device>/<preset>
    res = json.loads((folder / "table14_smoke_cpu.json").read_text())
    assert res["skipped"] == {"dr": "not a registered problem (no module in problems/ defines it yet)"}
    assert [(c["problem"], c["parameterization"]) for c in res["cells"]] == [
        ("burgers-operator", "plain"),
        ("burgers-operator", "wc-row"),
    ]
    assert res["cells"][0]["paper_mean_percent"] == 5.11 and res["cells"][1]["paper_mean_percent"] is None
    md = (folder / "table14_smoke_cpu.md").read_text()
    assert "| case | plain | wc-row |" in md and "| Burgers (paper) | 5.11 ± 3.79 % | — |" in md
    with pytest.raises(SystemExit):
        main(["bench", "table14", "--problems", "nosuch", "--out", str(tmp_path)])
