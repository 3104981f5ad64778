"""The training engine: ensembles, resume, sharding, divergence, schedules, weighting."""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pinnrwf.nn import MLP, RWF
from pinnrwf.train import (
    SGD,
    AbstractObjective,
    Adam,
    DivergenceError,
    GradNormWeighting,
    TrainConfig,
    fit,
    learning_rate_schedule,
)


class Fit1D(AbstractObjective):
    """Fit sin(3x) on 16 random points per step plus a fixed data term (two loss terms)."""

    def sample(self, key):
        return jax.random.uniform(key, (16, 1), minval=-1.0, maxval=1.0)

    def loss_terms(self, model, batch, step):
        pred = jax.vmap(model)(batch)[:, 0]
        anchor = model(jnp.zeros(1))[0]
        return {"fit": jnp.mean((pred - jnp.sin(3 * batch[:, 0])) ** 2), "anchor": 10.0 * anchor**2}, {
            "step_seen": step.astype(jnp.float32)
        }

    def metrics(self, model):
        x = jnp.linspace(-1, 1, 33)[:, None]
        return {"err": jnp.sqrt(jnp.mean((jax.vmap(model)(x)[:, 0] - jnp.sin(3 * x[:, 0])) ** 2))}


def init(key):
    return MLP(1, 1, 16, 2, RWF(), key=key)


OPT = Adam(learning_rate=3e-3, decay_steps=20)


def cfg(**kw):
    base = dict(steps=40, chunk_steps=10, progress=False)
    base.update(kw)
    return TrainConfig(**base)


def train(objective, config, **kw):
    """``fit`` of the small test network with the test's Adam (unless ``optimizer=`` is given)."""
    kw.setdefault("optimizer", OPT)
    return fit(init, objective, config, **kw)


def leaves(tree):
    return [np.asarray(x) for x in jax.tree.leaves(tree)]


def test_training_lowers_the_loss_and_logs_terms():
    r = train(Fit1D(), cfg(steps=300, chunk_steps=100))
    err = np.asarray(r.history["metrics"]["err"])
    assert err.shape == (3, 1) and err[-1, 0] < 0.5 * err[0, 0]
    assert set(r.history["terms"]) == {"fit", "anchor"}
    assert r.history["diagnostics"]["step_seen"][-1] == [299.0]  # step is traced, per step
    assert r.history["step"] == [100, 200, 300]


def test_ensemble_member_starts_and_samples_as_the_separate_run():
    """What the README promises: member i has exactly the initialisation and training points of
    the single run with seed + i; the trajectories agree to float32 round-off for the first steps
    (the vmapped and unbatched programs round differently; training amplifies that later)."""

    class Recorder(Fit1D):
        def loss_terms(self, model, batch, step):
            terms, diag = super().loss_terms(model, batch, step)
            return terms, {**diag, "x0": batch[0, 0], "x15": batch[15, 0]}

    ens = train(Recorder(), cfg(seeds=3, seed=5, steps=10))
    for i in range(3):
        single = train(Recorder(), cfg(seeds=1, seed=5 + i, steps=10))
        for a, b in zip(
            leaves(jax.tree.map(lambda x: x[i], ens.initial_params)),
            leaves(jax.tree.map(lambda x: x[0], single.initial_params)),
        ):
            np.testing.assert_array_equal(a, b)
        for name in ("x0", "x15"):
            assert ens.history["diagnostics"][name][-1][i] == single.history["diagnostics"][name][-1][0]


def test_ensemble_equals_separate_runs_early_in_training():
    ens = train(Fit1D(), cfg(seeds=3, seed=5))
    for i in range(3):
        single = train(Fit1D(), cfg(seeds=1, seed=5 + i))
        for a, b in zip(
            leaves(jax.tree.map(lambda x: x[i], ens.params)), leaves(jax.tree.map(lambda x: x[0], single.params))
        ):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(ens.final_metrics["err"][i], single.final_metrics["err"][0], rtol=1e-4)


def test_resume_equals_uninterrupted(tmp_path):
    full = train(Fit1D(), cfg(seeds=2))
    ckpt = tmp_path / "ckpt"
    first = train(Fit1D(), cfg(seeds=2, steps=20, checkpoint_dir=ckpt, checkpoint_every=20))
    assert first.history["step"] == [10, 20]
    meta = json.loads((ckpt / "checkpoint.json").read_text())
    assert meta["step"] == 20 and (ckpt / meta["file"]).exists()
    resumed = train(Fit1D(), cfg(seeds=2, checkpoint_dir=ckpt, checkpoint_every=20), resume=True)
    for a, b in zip(leaves(resumed.params), leaves(full.params)):
        np.testing.assert_array_equal(a, b)
    assert resumed.history["loss"] == full.history["loss"]
    assert sorted(p.name for p in ckpt.iterdir()) == ["checkpoint-40.eqx", "checkpoint.json"]


def test_resume_refuses_another_configuration(tmp_path):
    train(Fit1D(), cfg(steps=10, checkpoint_dir=tmp_path, checkpoint_every=10))
    with pytest.raises(ValueError, match="different run configuration"):
        train(
            Fit1D(),
            cfg(steps=20, checkpoint_dir=tmp_path, checkpoint_every=10),
            resume=True,
            optimizer=Adam(learning_rate=1e-2, decay_steps=20),
        )


class Diverging(Fit1D):
    def loss_terms(self, model, batch, step):
        terms, diag = super().loss_terms(model, batch, step)
        terms["fit"] = jnp.where(step >= 25, jnp.nan, terms["fit"])
        return terms, diag


def test_divergence_names_step_and_term_and_keeps_last_good_checkpoint(tmp_path):
    with pytest.raises(DivergenceError, match=r"at step 25 \(ensemble member 0\) in term 'fit'"):
        train(Diverging(), cfg(checkpoint_dir=tmp_path, checkpoint_every=10))
    meta = json.loads((tmp_path / "checkpoint.json").read_text())
    assert meta["step"] == 20


SHARD_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    sys.path.insert(0, {tests!r})
    from train.test_engine import Fit1D, cfg, train
    assert len(jax.devices()) == 8
    out = {{}}
    for seeds in (8, 2):
        a = train(Fit1D(), cfg(seeds=seeds, shard=True))
        b = train(Fit1D(), cfg(seeds=seeds, shard=False))
        out[seeds] = max(float(np.max(np.abs(np.asarray(x) - np.asarray(y))))
                         for x, y in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params)))
        out[f"spec{{seeds}}"] = sorted({{str(tuple(x.sharding.spec)) for x in jax.tree.leaves(a.params)}})
        out[f"devices{{seeds}}"] = len(jax.tree.leaves(a.params)[0].sharding.device_set)
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_sharded_equals_unsharded_on_8_simulated_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    script = SHARD_SCRIPT.format(tests=os.path.dirname(os.path.dirname(__file__)))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["8"] < 1e-5 and out["2"] < 1e-5
    assert out["spec8"] == ["('seeds',)"] and out["spec2"] == ["('seeds',)"]
    assert out["devices8"] == 8 and out["devices2"] == 8  # 2 seeds x 4-way point split


def test_learning_rate_schedule_decay_and_warmup():
    s = learning_rate_schedule(1e-3, decay_rate=0.9, decay_steps=5000)
    np.testing.assert_allclose([s(0), s(5000), s(10000)], [1e-3, 9e-4, 8.1e-4], rtol=1e-5)
    w = learning_rate_schedule(1e-3, decay_rate=0.9, decay_steps=1000, warmup_steps=100)
    np.testing.assert_allclose([w(0), w(50), w(100), w(1100)], [0.0, 5e-4, 1e-3, 9e-4], rtol=1e-5)
    c = learning_rate_schedule(1e-3, decay_steps=None)
    assert float(c(10**6)) == pytest.approx(1e-3)


def test_grad_norm_weighting_formula():
    gw = GradNormWeighting(update_every=10, momentum=0.5)
    state = gw.init(("a", "b"))
    new = gw.update({"a": jnp.array(1.0), "b": jnp.array(3.0)}, state)
    # m̂ = (1 + 3) / ‖∇L_i‖ → (4, 4/3); m = 0.5·1 + 0.5·m̂
    np.testing.assert_allclose([new["a"], new["b"]], [2.5, 0.5 + 2 / 3], rtol=1e-6)


def test_grad_norm_weighting_in_training():
    r = train(Fit1D(), cfg(loss_weighting=GradNormWeighting(update_every=10, momentum=0.0)))
    assert np.isfinite(r.history["loss"][-1]).all()


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(steps=0), "steps"),
        (dict(seeds=0), "seeds"),
        (dict(precision="fp8"), "precision"),
        (dict(eval_every=15), "eval_every"),
        (dict(checkpoint_every=10), "checkpoint_dir"),
    ],
)
def test_train_config_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        cfg(**kw)


def test_objective_type_is_checked():
    with pytest.raises(ValueError, match="AbstractObjective"):
        train(object(), cfg())


def test_sgd_with_momentum_trains_and_resumes_bit_exactly(tmp_path):
    sgd = SGD(learning_rate=0.05, momentum=0.9)
    full = train(Fit1D(), cfg(seeds=2, steps=200, chunk_steps=20), optimizer=sgd)
    loss = np.asarray(full.history["loss"])
    assert np.all(loss[-1] < 0.25 * loss[0])
    ckpt = tmp_path / "sgd"
    train(Fit1D(), cfg(seeds=2, steps=100, chunk_steps=20, checkpoint_dir=ckpt, checkpoint_every=20), optimizer=sgd)
    resumed = train(
        Fit1D(),
        cfg(seeds=2, steps=200, chunk_steps=20, checkpoint_dir=ckpt, checkpoint_every=20),
        optimizer=sgd,
        resume=True,
    )
    for a, b in zip(leaves(resumed.params), leaves(full.params)):
        np.testing.assert_array_equal(a, b)
    # a raw optax transformation is accepted too, and its state is checkpointed the same way
    raw = train(Fit1D(), cfg(steps=20), optimizer=optax.sgd(0.05, momentum=0.9))
    np.testing.assert_array_equal(
        leaves(raw.params)[0][0], leaves(train(Fit1D(), cfg(steps=20), optimizer=sgd).params)[0][0]
    )


def test_resume_refuses_another_optimizer(tmp_path):
    train(Fit1D(), cfg(steps=10, checkpoint_dir=tmp_path, checkpoint_every=10))
    with pytest.raises(ValueError, match="different run configuration"):
        train(Fit1D(), cfg(steps=20, checkpoint_dir=tmp_path, checkpoint_every=10), resume=True, optimizer=SGD(0.1))


def test_optimizer_is_checked():
    with pytest.raises(ValueError, match="optimizer must be"):
        train(Fit1D(), cfg(), optimizer="adam")
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(learning_rate=-1.0)
    with pytest.raises(ValueError, match="decay_rate"):
        Adam(decay_rate=1.5)
