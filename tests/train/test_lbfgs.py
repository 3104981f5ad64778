"""The L-BFGS stage of ``fit``: convergence, the tiny-PINN gain, bit-exact resume, divergence, inputs."""

import json
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde, runner
from pinnrwf.cli import main
from pinnrwf.nn import MLP, RWF
from pinnrwf.train import (
    FIXED_SET_STREAM,
    LBFGS,
    TARGET_STEP,
    AbstractBatchStream,
    AbstractObjective,
    Adam,
    DivergenceError,
    TrainConfig,
    fit,
    member_keys,
)
from pinnrwf.train._lbfgs import fixed_sets


def leaves(tree):
    return [np.asarray(x) for x in jax.tree.leaves(tree)]


# ----------------------------------------------------------------------------- convex quadratic
A = jnp.diag(jnp.array([1.0, 3.0, 10.0, 30.0, 100.0]))  # condition number 100
B = jnp.array([1.0, -2.0, 3.0, -4.0, 5.0])


class Point(eqx.Module):
    x: jax.Array


class Quadratic(AbstractObjective):
    """f(x) = ½ xᵀAx − bᵀx, minimum f* = −½ bᵀA⁻¹b at x* = A⁻¹b; no data (``sample`` → ())."""

    def sample(self, key):
        return ()

    def loss_terms(self, model, batch, step):
        return {"f": 0.5 * model.x @ A @ model.x - B @ model.x}, {}


@pytest.mark.parametrize("vectorize", [False, True])
def test_lbfgs_minimises_a_convex_quadratic_in_few_steps(vectorize):
    r = fit(
        lambda key: Point(jax.random.normal(key, (5,))),
        Quadratic(),
        TrainConfig(steps=1, seeds=2, chunk_steps=20, progress=False),
        optimizer=Adam(learning_rate=1e-3),
        lbfgs=LBFGS(steps=20, vectorize=vectorize),
    )
    x_star = np.asarray(B / jnp.diag(A))
    np.testing.assert_allclose(np.asarray(r.params.x), np.stack([x_star, x_star]), rtol=0, atol=1e-6)
    f_star = -0.5 * float(B @ (B / jnp.diag(A)))
    assert np.allclose(r.history["loss"][-1], f_star, rtol=1e-6)  # the loss before the last step
    assert r.history["step"] == [1, 21] and r.history["stages"] == {"adam": [0, 1], "lbfgs": [1, 21]}
    assert set(r.stages) == {"adam", "lbfgs"} and r.stages["lbfgs"]["steps"] == 20
    assert r.stages["lbfgs"]["wall_seconds"] > 0 and r.lbfgs == LBFGS(steps=20, vectorize=vectorize)


# --------------------------------------------------------------------------------- a tiny PINN
def poisson_objective(n=32):
    """u'' = −π² sin(πx) on (−1, 1), u(±1) = 0: exact u = sin(πx)."""
    eq = pde.Equation(coords=("x",), fields=("u",), residual=lambda p: p.u_xx + jnp.pi**2 * jnp.sin(jnp.pi * p.x))
    domain = pde.Domain({"x": (-1.0, 1.0)})
    x = np.linspace(-1, 1, 65)[:, None]
    return pde.PINNObjective(
        eq,
        {
            "r": pde.Residual(domain.interior(n)),
            "bc": pde.Dirichlet(lambda pt: 0.0, domain.boundary(2), weight=10.0),
        },
        reference=pde.Reference(x, np.sin(np.pi * x[:, 0]), "u"),
    )


def tiny_mlp(key):
    return MLP(1, 1, 12, 2, RWF(), activation=jnp.tanh, key=key)


@pytest.mark.slow  # ≈ 18 CPU s, mostly compiling the line search over a PINN residual
def test_adam_then_lbfgs_beats_adam_alone_on_a_tiny_pinn():
    """The run's first stage is Adam alone (150 steps); 100 L-BFGS steps then cut the loss and
    the error of every seed."""
    r = fit(
        tiny_mlp,
        poisson_objective(),
        TrainConfig(steps=150, seeds=2, chunk_steps=50, progress=False),
        optimizer=Adam(learning_rate=3e-3, decay_steps=None),
        lbfgs=LBFGS(steps=100),
    )
    assert r.history["step"] == [50, 100, 150, 200, 250] and r.history["metric_step"] == [50, 100, 150, 200, 250]
    loss, err = np.asarray(r.history["loss"]), np.asarray(r.history["metrics"]["rel_l2"])
    after_adam, after_lbfgs = 2, 4  # steps 150 and 250
    assert np.all(loss[after_lbfgs] < 0.1 * loss[after_adam])  # the L-BFGS loss is on its fixed set
    assert np.all(err[after_lbfgs] < 0.5 * err[after_adam])


# ------------------------------------------------------------------------- resume, bit for bit
class Fit1D(AbstractObjective):
    """Fit sin(3x) on 16 random points plus an anchor term (two loss terms)."""

    def sample(self, key):
        return jax.random.uniform(key, (16, 1), minval=-1.0, maxval=1.0)

    def loss_terms(self, model, batch, step):
        pred = jax.vmap(model)(batch)[:, 0]
        return {
            "fit": jnp.mean((pred - jnp.sin(3 * batch[:, 0])) ** 2),
            "anchor": 10.0 * model(jnp.zeros(1))[0] ** 2,
        }, {}

    def metrics(self, model):
        x = jnp.linspace(-1, 1, 33)[:, None]
        return {"err": jnp.sqrt(jnp.mean((jax.vmap(model)(x)[:, 0] - jnp.sin(3 * x[:, 0])) ** 2))}


def small_mlp(key):
    return MLP(1, 1, 8, 1, RWF(), activation=jnp.tanh, key=key)


def cfg(**kw):
    return TrainConfig(**{"steps": 20, "seeds": 2, "chunk_steps": 10, "progress": False, **kw})


OPT = Adam(learning_rate=3e-3, decay_steps=20)


class Stop(Exception):
    pass


def stop_at(step):
    def on_chunk(s, record):
        if s == step:
            raise Stop

    return on_chunk


@pytest.mark.slow  # ≈ 16 CPU s: three runs
def test_run_interrupted_in_the_lbfgs_stage_resumes_bit_exactly(tmp_path):
    stage = LBFGS(steps=30, batches=2)
    full = fit(small_mlp, Fit1D(), cfg(), optimizer=OPT, lbfgs=stage)
    ckpt = tmp_path / "ckpt"
    with pytest.raises(Stop):  # a crash after step 40: the last checkpoint is step 30, in the L-BFGS stage
        fit(
            small_mlp,
            Fit1D(),
            cfg(checkpoint_dir=ckpt, checkpoint_every=10),
            optimizer=OPT,
            lbfgs=stage,
            on_chunk=stop_at(40),
        )
    meta = json.loads((ckpt / "checkpoint.json").read_text())
    assert meta["step"] == 30 and meta["stage"] == "lbfgs"
    resumed = fit(
        small_mlp, Fit1D(), cfg(checkpoint_dir=ckpt, checkpoint_every=10), optimizer=OPT, lbfgs=stage, resume=True
    )
    for a, b in zip(leaves(resumed.params), leaves(full.params)):
        np.testing.assert_array_equal(a, b)
    assert resumed.history == full.history and resumed.final_metrics == full.final_metrics
    assert resumed.stages["lbfgs"]["steps"] == 20 and "adam" not in resumed.stages

    # a different L-BFGS stage, or none, refuses the checkpoint
    with pytest.raises(ValueError, match="L-BFGS stage of a different configuration"):
        fit(
            small_mlp,
            Fit1D(),
            cfg(checkpoint_dir=ckpt, checkpoint_every=10),
            optimizer=OPT,
            lbfgs=LBFGS(steps=30, batches=2, memory_size=5),
            resume=True,
        )
    with pytest.raises(ValueError, match="in an L-BFGS stage"):
        fit(small_mlp, Fit1D(), cfg(checkpoint_dir=ckpt, checkpoint_every=10), optimizer=OPT, resume=True)


def test_a_finished_adam_run_resumes_into_an_added_lbfgs_stage_bit_exactly(tmp_path):
    full = fit(small_mlp, Fit1D(), cfg(), optimizer=OPT, lbfgs=LBFGS(steps=10))
    ckpt = tmp_path / "ckpt"
    fit(small_mlp, Fit1D(), cfg(checkpoint_dir=ckpt, checkpoint_every=10), optimizer=OPT)
    resumed = fit(
        small_mlp,
        Fit1D(),
        cfg(checkpoint_dir=ckpt, checkpoint_every=10),
        optimizer=OPT,
        lbfgs=LBFGS(steps=10),
        resume=True,
    )
    for a, b in zip(leaves(resumed.params), leaves(full.params)):
        np.testing.assert_array_equal(a, b)
    assert resumed.history == full.history


# --------------------------------------------------------------------------------- divergence
class NaNInTheTarget(Fit1D):
    """Finite while Adam trains; NaN at the step the L-BFGS stage evaluates (the schedules' end)."""

    def loss_terms(self, model, batch, step):
        terms, diagnostics = super().loss_terms(model, batch, step)
        return {**terms, "fit": jnp.where(step == TARGET_STEP, jnp.nan, terms["fit"])}, diagnostics


def test_a_nan_in_the_lbfgs_stage_names_the_stage_and_step_and_keeps_the_last_checkpoint(tmp_path):
    ckpt = tmp_path / "ckpt"
    with pytest.raises(
        DivergenceError,
        match=r"at step 20 \(ensemble member 0\) in term 'fit', "
        r"in the L-BFGS stage \(its step 1 of 10\)",
    ):
        fit(
            small_mlp,
            NaNInTheTarget(),
            cfg(checkpoint_dir=ckpt, checkpoint_every=10),
            optimizer=OPT,
            lbfgs=LBFGS(steps=10),
        )
    meta = json.loads((ckpt / "checkpoint.json").read_text())
    assert meta["step"] == 20 and "stage" not in meta  # the Adam stage's last checkpoint


def test_the_stage_evaluates_the_schedules_at_their_end():
    assert TARGET_STEP == pde.FINAL_STEP


# ------------------------------------------------------------------------------ the fixed set
def test_each_member_draws_the_fixed_set_of_its_own_seed():
    objective = Fit1D()
    ensemble = fixed_sets(objective, member_keys(cfg(seeds=3, seed=5)), 2)
    assert ensemble.shape == (3, 2, 16, 1)
    for i in range(3):
        alone = fixed_sets(objective, member_keys(cfg(seeds=1, seed=5 + i)), 2)
        np.testing.assert_array_equal(np.asarray(ensemble[i]), np.asarray(alone[0]))
    key = jax.random.fold_in(jax.random.PRNGKey(5), FIXED_SET_STREAM)
    np.testing.assert_array_equal(np.asarray(ensemble[0, 1]), np.asarray(objective.sample(jax.random.split(key, 2)[1])))


def test_lbfgs_points_are_counted_in_residual_points_of_a_pinn_objective():
    objective = poisson_objective(n=32)
    assert runner.lbfgs_with_points(objective, LBFGS(steps=5), 128).batches == 4
    assert runner.lbfgs_with_points(objective, LBFGS(steps=5), None) == LBFGS(steps=5)
    with pytest.raises(ValueError, match="multiple of the 32 interior residual points"):
        runner.lbfgs_with_points(objective, LBFGS(steps=5), 48)
    with pytest.raises(ValueError, match="only PINN objectives"):
        runner.lbfgs_with_points(Fit1D(), LBFGS(steps=5), 32)


# ------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize(
    "kw, match",
    [
        ({"steps": -1}, "LBFGS: steps must be ≥ 0"),
        ({"steps": 1.5}, "LBFGS: steps must be an integer"),
        ({"steps": 5, "batches": 0}, "LBFGS: batches must be ≥ 1"),
        ({"memory_size": 0}, "LBFGS: memory_size"),
        ({"linesearch_steps": 0}, "LBFGS: linesearch_steps"),
        ({"vectorize": "yes"}, "LBFGS: vectorize"),
    ],
)
def test_bad_stage_settings_are_clear_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        LBFGS(**kw)


def test_bad_uses_of_the_stage_are_clear_errors():
    with pytest.raises(ValueError, match="LBFGS is a second stage"):
        fit(small_mlp, Fit1D(), cfg(), optimizer=LBFGS(steps=5))
    with pytest.raises(ValueError, match="lbfgs must be None or a pinnrwf.train.LBFGS"):
        fit(small_mlp, Fit1D(), cfg(), optimizer=OPT, lbfgs=10)

    class Stream(AbstractBatchStream):
        def chunk(self, start_step, num_steps, seeds):
            return jnp.zeros((num_steps, len(seeds), 16, 1))

    with pytest.raises(ValueError, match="host-streamed batches"):
        fit(small_mlp, Fit1D(), cfg(), optimizer=OPT, batches=Stream(), lbfgs=LBFGS(steps=5))
    for points, match in [(0, "lbfgs_points .* must be ≥ 1"), (-3, "must be ≥ 1"), (2.5, "must be an integer")]:
        with pytest.raises(ValueError, match=match):
            runner.check_lbfgs_arguments(LBFGS(steps=5), points)
    with pytest.raises(ValueError, match="needs L-BFGS steps"):
        runner.check_lbfgs_arguments(None, 64)


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--lbfgs-steps", "-1"], "--lbfgs-steps: expected an integer ≥ 0"),
        (["--lbfgs-steps", "5", "--lbfgs-points", "0"], "--lbfgs-points: expected a positive integer"),
        (["--lbfgs-points", "64"], "needs L-BFGS steps"),
        (["--lbfgs-steps", "5", "--lbfgs-points", "50"], "multiple of the 64 interior residual points"),
    ],
)
def test_bad_lbfgs_options_are_one_line_errors(argv, match, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "helmholtz", "--preset", "smoke", "--out", str(tmp_path / "out"), "--no-progress", *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err
    assert not (tmp_path / "out" / "results.json").exists()


# ------------------------------------------------------------------------- no stage: unchanged
def test_zero_lbfgs_steps_leave_the_run_unchanged():
    plain = fit(small_mlp, Fit1D(), cfg(), optimizer=OPT)
    zero = fit(small_mlp, Fit1D(), cfg(), optimizer=OPT, lbfgs=LBFGS(steps=0))
    for a, b in zip(leaves(zero.params), leaves(plain.params)):
        np.testing.assert_array_equal(a, b)
    assert zero.history == plain.history and "stages" not in zero.history and zero.lbfgs is None


def test_cli_lbfgs_steps_0_leaves_results_unchanged(tmp_path):
    base = ["run", "regression1d", "--preset", "smoke", "--param", "plain", "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    assert main([*base, "--out", str(tmp_path / "b"), "--lbfgs-steps", "0"]) == 0
    a, b = (json.loads((tmp_path / d / "results.json").read_text()) for d in "ab")
    assert a["runs"]["plain"]["final_metrics"] == b["runs"]["plain"]["final_metrics"]
    assert a["runs"]["plain"]["history"] == b["runs"]["plain"]["history"]
    assert "lbfgs" not in b and "stages" not in b["runs"]["plain"]["history"]


@pytest.mark.slow  # ≈ 19 CPU s
def test_cli_runs_the_stage_and_records_it(tmp_path):
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "helmholtz",
                "--preset",
                "smoke",
                "--param",
                "plain",
                "--out",
                str(out),
                "--no-progress",
                "--lbfgs-steps",
                "10",
                "--lbfgs-points",
                "128",
            ]
        )
        == 0
    )
    res = json.loads((out / "results.json").read_text())
    assert res["lbfgs"]["steps"] == 10 and res["lbfgs"]["batches"] == 2
    run = res["runs"]["plain"]
    assert run["history"]["stages"] == {"adam": [0, 20], "lbfgs": [20, 30]} and run["history"]["step"][-1] == 30
    assert run["stages"]["lbfgs"]["steps"] == 10 and run["stages"]["lbfgs"]["wall_seconds"] > 0
    assert math.isfinite(run["final_metrics"]["rel_l2"][0])
