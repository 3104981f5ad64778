"""NTK-trace loss weighting: the per-point residuals of the PINN terms, the weights against an explicit
Jacobian, the smoothing and update schedule, bad values, and bit-exact resume with it on."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.flatten_util import ravel_pytree

from pinnrwf import pde
from pinnrwf.pde import equations
from pinnrwf.train import Adam, NTKWeighting, TrainConfig, fit
from pinnrwf.train._fit import _Engine

C = 2.0
DOMAIN = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})


class Tiny(eqx.Module):
    """tanh MLP (x, t) ↦ u with 2 hidden layers of 6."""

    layers: list

    def __init__(self, key):
        sizes = [2, 6, 6, 1]
        keys = jax.random.split(key, len(sizes) - 1)
        self.layers = [
            (jax.random.normal(k, (o, i)) / jnp.sqrt(i), 0.1 * jnp.ones(o)) for k, i, o in zip(keys, sizes, sizes[1:])
        ]

    def __call__(self, z):
        for w, b in self.layers[:-1]:
            z = jnp.tanh(w @ z + b)
        w, b = self.layers[-1]
        return w @ z + b


def _objective(n_residual=8, n_initial=4, weight_ic=3.0, causal=None):
    return pde.PINNObjective(
        equations.advection(C),
        {
            "r": pde.Residual(DOMAIN.interior(n_residual), causal=causal),
            "ic": pde.InitialCondition(lambda pt: jnp.sin(pt.x), DOMAIN.initial(n_initial), weight=weight_ic),
        },
    )


def _explicit_mean_ntk(model, batch, weight_ic=3.0):
    """mean_p ‖∂r(x_p)/∂θ‖² per term, from the full Jacobian (points × parameters) of hand-written residuals."""
    flat, unravel = ravel_pytree(eqx.filter(model, eqx.is_inexact_array))
    static = eqx.filter(model, eqx.is_inexact_array, inverse=True)

    def residual(theta):
        m = eqx.combine(unravel(theta), static)
        grads = jax.vmap(lambda z: jax.jacfwd(m)(z)[0])(batch["r"])  # (n, 2): u_x, u_t
        return grads[:, 1] + C * grads[:, 0]

    def initial(theta):
        m = eqx.combine(unravel(theta), static)
        u = jax.vmap(m)(batch["ic"])[:, 0]
        return jnp.sqrt(weight_ic) * (u - jnp.sin(batch["ic"][:, 0]))

    return {
        name: float(jnp.mean(jnp.sum(jax.jacfwd(f)(flat) ** 2, axis=1)))
        for name, f in (("r", residual), ("ic", initial))
    }


@pytest.mark.slow
def test_point_residuals_mean_square_is_the_logged_loss():
    """mean_p Σ_k r_pk² of ``point_residuals`` equals ``loss_terms``, for plain, causal, masked, periodic
    (with derivatives) and data terms."""
    model = Tiny(jax.random.key(0))
    causal = _objective(n_residual=16, causal=pde.Causal(4, 1.0))
    rng = np.random.default_rng(0)
    data = pde.DataFit(rng.uniform(size=(5, 2)), rng.normal(size=5), "u", weight=2.0)
    other = pde.PINNObjective(
        equations.advection(C),
        {
            "per": pde.Periodic(DOMAIN, "x", 4, weight=0.5, derivatives=1),
            "d": data,
            "db": pde.DataFit(rng.uniform(size=(6, 2)), rng.normal(size=6), "u", batch_size=3),
        },
    )
    for objective in (_objective(), causal, other):
        batch = objective.sample(jax.random.key(1))
        terms, _ = objective.loss_terms(model, batch, jnp.int32(0))
        residuals = objective.point_residuals(model, batch, jnp.int32(0))
        assert set(residuals) == set(terms)
        for name, r in residuals.items():
            np.testing.assert_allclose(float(jnp.mean(jnp.sum(r**2, axis=1))), float(terms[name]), rtol=1e-5)
    assert other.point_residuals(model, other.sample(jax.random.key(1)), 0)["per"].shape == (4, 2)
    masked = pde.MaskedPoints(jnp.asarray(rng.uniform(size=(6, 2))), jnp.array([True, False, True, True, False, False]))
    term = pde.Residual(DOMAIN.interior(6))
    equation = equations.advection(C)
    loss = term.losses(equation, model, masked, {"c": C}, {})[0][""]
    w = term.row_weights(equation, model, masked, {"c": C}, {})
    r = term.point_residuals(equation, model, term.rows(masked), {"c": C}, {})[""]
    np.testing.assert_allclose(float(jnp.mean(w[:, None] * r**2)), float(loss), rtol=1e-5)


@pytest.mark.slow
def test_ntk_diagonal_and_weights_equal_a_hand_computation():
    model = Tiny(jax.random.key(2))
    objective = _objective()
    batch = objective.sample(jax.random.key(3))
    explicit = _explicit_mean_ntk(model, batch)
    diagonal = objective.ntk_diagonal(model, batch, jnp.int32(0), block=3)  # blocks that do not divide 8
    assert {k: v.shape for k, v in diagonal.items()} == {"r": (8,), "ic": (4,)}
    for name in ("r", "ic"):
        np.testing.assert_allclose(float(jnp.mean(diagonal[name])), explicit[name], rtol=1e-4)
    total = explicit["r"] + explicit["ic"]
    # through the engine's reweighting path: m̂_i = Σ_j K̄_j / K̄_i (momentum 0: m = m̂)
    weighting = NTKWeighting(update_every=5, momentum=0.0)
    params, static = eqx.partition(model, eqx.is_array)
    engine = _Engine(objective, static, optax.sgd(0.0), weighting, None)
    weights = engine._reweight(params, batch, jnp.int32(0), weighting.init(("r", "ic")))
    np.testing.assert_allclose(float(weights["r"]), total / explicit["r"], rtol=1e-4)
    np.testing.assert_allclose(float(weights["ic"]), total / explicit["ic"], rtol=1e-4)


@pytest.mark.slow
def test_smoothing_and_update_every():
    weighting = NTKWeighting(update_every=10, momentum=0.5)
    state = weighting.init(("a", "b"))
    new = weighting.update({"a": jnp.array(1.0), "b": jnp.array(3.0)}, state)
    # m̂ = (1 + 3) / K̄_i → (4, 4/3); m = 0.5·1 + 0.5·m̂
    np.testing.assert_allclose([new["a"], new["b"]], [2.5, 0.5 + 2 / 3], rtol=1e-6)

    objective = _objective()
    model = Tiny(jax.random.key(4))
    params, static = eqx.partition(model, eqx.is_array)
    engine = _Engine(objective, static, optax.sgd(0.0), weighting, None)
    ones = weighting.init(("r", "ic"))
    key = jax.random.key(5)
    for step, updated in ((0, True), (3, False), (10, True), (15, False)):
        weights = engine.member_step(params, optax.sgd(0.0).init(params), ones, key, jnp.int32(step))[2]
        changed = any(float(weights[n]) != 1.0 for n in ones)
        assert changed == updated, step


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(update_every=0), "update_every"),
        (dict(update_every=2.5), "update_every"),
        (dict(momentum=1.0), "momentum"),
        (dict(momentum=-0.1), "momentum"),
        (dict(block=0), "block"),
    ],
)
def test_bad_values_are_one_line_errors(kw, name):
    with pytest.raises(ValueError, match=name) as info:
        NTKWeighting(**kw)
    assert "\n" not in str(info.value)


def test_objective_without_per_point_residuals_is_refused():
    from pinnrwf.train import AbstractObjective

    class Scalar(AbstractObjective):
        def sample(self, key):
            return jax.random.uniform(key, (4, 2))

        def loss_terms(self, model, batch, step):
            return {"a": jnp.mean(jax.vmap(model)(batch) ** 2)}, {}

    config = TrainConfig(steps=2, chunk_steps=2, progress=False, loss_weighting=NTKWeighting(update_every=1))
    with pytest.raises(ValueError, match="ntk_diagonal") as info:
        fit(Tiny, Scalar(), config)
    assert "\n" not in str(info.value)


@pytest.mark.slow
def test_resume_with_ntk_weighting_is_bit_exact(tmp_path):
    def run(steps, resume=False, **kw):
        config = TrainConfig(
            steps=steps,
            seeds=2,
            chunk_steps=10,
            progress=False,
            loss_weighting=NTKWeighting(update_every=10, momentum=0.5),
            **kw,
        )
        return fit(Tiny, _objective(), config, optimizer=Adam(learning_rate=3e-3), resume=resume)

    full = run(40)
    ckpt = tmp_path / "ckpt"
    run(20, checkpoint_dir=ckpt, checkpoint_every=20)
    resumed = run(40, resume=True, checkpoint_dir=ckpt, checkpoint_every=20)
    for a, b in zip(jax.tree.leaves(resumed.params), jax.tree.leaves(full.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert resumed.history["loss"] == full.history["loss"]
    assert np.isfinite(full.history["loss"]).all()


@pytest.mark.parametrize(
    "extra, code, fragment",
    [
        (["--ntk-every", "0"], 2, "argument --ntk-every: expected a positive integer"),
        (["--ntk-every", "5", "--grad-norm-every", "5"], 2, "--ntk-every and --grad-norm-every"),
    ],
)
def test_command_line_option(extra, code, fragment, tmp_path, capsys):
    from pinnrwf.cli import main

    with pytest.raises(SystemExit) as e:
        main(["run", "advection", "--preset", "smoke", "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert e.value.code == code and fragment in err and "Traceback" not in err
    assert not (tmp_path / "out" / "results.json").exists()
