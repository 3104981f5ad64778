"""Inverse problems: trainable equation parameters (pde.Trainable, pde.InverseModel).

ν of viscous Burgers is recovered from the exact Cole–Hopf solution; the parameter's gradient
matches finite differences; bad declarations fail when the problem is defined.
"""

import json
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.train import Adam, TrainConfig, fit

from .conftest import TinyMLP

BOX = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
NU_TRUE = 0.05


def burgers(initial=0.2, positive=True):
    return pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"nu": pde.Trainable(initial, positive=positive)},
        residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.u_xx,
    )


class ColeHopf(eqx.Module):
    """Exact periodic Burgers solution u = −2ν φ_x / φ, φ = 1 + ½ e^{−4π²νt} cos 2πx (Cole–Hopf;
    the same formula as ``pinnrwf.solvers.burgers.cole_hopf_solution``). No trainable arrays."""

    nu: float = eqx.field(static=True)

    def __call__(self, z):
        x, t = z[0], z[1]
        w = 2 * jnp.pi
        d = 0.5 * jnp.exp(-self.nu * w**2 * t)
        return jnp.reshape(2 * self.nu * d * w * jnp.sin(w * x) / (1 + d * jnp.cos(w * x)), (1,))


def test_cole_hopf_module_matches_the_solver_formula():
    from pinnrwf.solvers.burgers import cole_hopf_solution

    x, t = np.linspace(0, 1, 7), np.linspace(0, 1, 5)
    want = cole_hopf_solution(x, t, nu=NU_TRUE, amplitudes=[0.5])
    xx, tt = np.meshgrid(x, t)
    got = jax.vmap(ColeHopf(NU_TRUE))(jnp.stack([xx.ravel(), tt.ravel()], 1))[:, 0].reshape(xx.shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------------------ the model
def test_inverse_model_holds_the_raw_value_and_maps_it():
    net = TinyMLP(2, 1, key=jax.random.PRNGKey(0))
    model = pde.InverseModel(net, burgers(0.2, positive=True))
    np.testing.assert_allclose(model.raw["nu"], math.log(0.2), rtol=1e-6)
    np.testing.assert_allclose(model.parameters()["nu"], 0.2, rtol=1e-6)
    z = jnp.array([0.3, 0.4])
    np.testing.assert_array_equal(model(z), net(z))
    plain = pde.InverseModel(net, burgers(-0.3, positive=False))
    assert float(plain.raw["nu"]) == pytest.approx(-0.3) and float(plain.parameters()["nu"]) == pytest.approx(-0.3)
    # the raw value is an array leaf: the optimizer trains it with the network
    assert any(leaf is model.raw["nu"] for leaf in jax.tree.leaves(eqx.filter(model, eqx.is_array)))


def test_residuals_of_an_inverse_model_use_its_current_value():
    eq = burgers(0.2)
    model = pde.InverseModel(ColeHopf(NU_TRUE), eq)
    z = jnp.array([0.3, 0.4])
    assert abs(float(eq.residuals(model, z)["residual"])) > 1e-3  # ν = 0.2 (initial): not a solution
    model = eqx.tree_at(lambda m: m.raw["nu"], model, jnp.log(jnp.float32(NU_TRUE)))
    assert abs(float(eq.residuals(model, z)["residual"])) < 1e-5  # ν = ν*: exact
    # an explicit value wins over the model's
    assert abs(float(eq.residuals(model, z, params={"nu": 0.2})["residual"])) > 1e-3


def test_objective_logs_and_reports_the_parameter():
    eq = burgers(0.2)
    ref = pde.Reference(np.array([[0.1, 0.2]]), np.array([0.5]), "u", parameters={"nu": NU_TRUE})
    obj = pde.PINNObjective(eq, {"r": pde.Residual(BOX.interior(32))}, reference=ref)
    model = pde.InverseModel(ColeHopf(NU_TRUE), eq)
    _, diag = obj.loss_terms(model, obj.sample(jax.random.PRNGKey(0)), jnp.int32(0))
    assert float(diag["param_nu"]) == pytest.approx(0.2, rel=1e-6)
    metrics = obj.metrics(model)
    assert float(metrics["nu"]) == pytest.approx(0.2, rel=1e-6)
    assert float(metrics["nu_rel_error"]) == pytest.approx(3.0, rel=1e-5)
    assert set(metrics) == {"rel_l2", "nu", "nu_rel_error"}
    # without a reference the value is still reported
    bare = pde.PINNObjective(eq, {"r": pde.Residual(BOX.interior(32))})
    assert set(bare.metrics(model)) == {"nu"}


# ------------------------------------------------------------------------ gradient vs FD
@pytest.mark.parametrize("positive", [True, False])
def test_parameter_gradient_matches_finite_differences(positive):
    """d(total loss)/dθ_ν by autodiff equals a central difference (float64)."""
    with jax.enable_x64(True):
        eq = burgers(0.2, positive=positive)
        x = np.random.default_rng(0).uniform(size=(40, 2))
        data = pde.DataFit(x, np.sin(2 * np.pi * x[:, 0]) * np.exp(-x[:, 1]), "u", weight=3.0)
        obj = pde.PINNObjective(eq, {"r": pde.Residual(BOX.interior(64), weight=2.0), "d": data})
        batch = obj.sample(jax.random.PRNGKey(0))
        model = pde.InverseModel(TinyMLP(2, 1, key=jax.random.PRNGKey(1)), eq)
        assert model.raw["nu"].dtype == jnp.float64

        @jax.jit
        def loss(raw):
            m = eqx.tree_at(lambda m: m.raw["nu"], model, raw)
            return sum(obj.loss_terms(m, batch, jnp.int32(0))[0].values())

        raw = model.raw["nu"]
        grad = float(jax.grad(loss)(raw))
        h = 1e-5
        fd = (float(loss(raw + h)) - float(loss(raw - h))) / (2 * h)
        assert abs(grad) > 1e-3
        assert grad == pytest.approx(fd, rel=1e-6)
        # and through the whole model pytree, as the optimizer sees it
        full = eqx.filter_jit(eqx.filter_grad(lambda m: sum(obj.loss_terms(m, batch, jnp.int32(0))[0].values())))(model)
        assert float(full.raw["nu"]) == pytest.approx(grad, rel=1e-10)


# ------------------------------------------------------------------------------ recovery
def test_nu_is_recovered_from_the_exact_solution_by_fit():
    """The exact Cole–Hopf field (frozen) and ν trained by the engine from ν₀ = 4ν*: ν → ν* within
    0.5 % for every ensemble member; its trajectory is logged every chunk."""
    eq = burgers(0.2)
    ref = pde.Reference(
        np.array([[0.1, 0.2]]), np.asarray(ColeHopf(NU_TRUE)(jnp.array([0.1, 0.2]))), "u", parameters={"nu": NU_TRUE}
    )
    obj = pde.PINNObjective(eq, {"r": pde.Residual(BOX.interior(128))}, reference=ref)
    result = fit(
        lambda key: pde.InverseModel(ColeHopf(NU_TRUE), eq),
        obj,
        TrainConfig(steps=600, seeds=2, chunk_steps=100, progress=False),
        optimizer=Adam(learning_rate=2e-2, decay_steps=None),
    )
    nu = np.asarray(result.final_metrics["nu"])
    assert nu.shape == (2,)
    np.testing.assert_allclose(nu, NU_TRUE, rtol=5e-3)
    assert max(result.final_metrics["nu_rel_error"]) < 5e-3
    trajectory = np.asarray(result.history["diagnostics"]["param_nu"])  # (chunks, seeds)
    assert trajectory.shape == (6, 2)
    assert trajectory[0, 0] < 0.2 and abs(trajectory[-1, 0] - NU_TRUE) < abs(trajectory[0, 0] - NU_TRUE)


@pytest.mark.slow
def test_nu_and_the_field_are_learned_jointly_from_exact_data():
    """A small network and ν trained together from 400 noise-free Cole–Hopf observations plus the
    residual, from ν₀ = 2ν*: ν within 5 % of ν* after 5000 steps for both seeds (measured: 1.9 %
    and 3.4 %; ~30 s on a 2-core CPU)."""
    from pinnrwf.nn import MLP, PeriodicEmbedding
    from pinnrwf.solvers.burgers import cole_hopf_solution

    eq = burgers(2 * NU_TRUE)
    rng = np.random.default_rng(0)
    x, t = rng.uniform(size=400), rng.uniform(size=400)
    u = np.array([cole_hopf_solution([a], [b], nu=NU_TRUE, amplitudes=[0.5])[0, 0] for a, b in zip(x, t)])
    points = np.stack([x, t], 1)
    obj = pde.PINNObjective(
        eq,
        {"r": pde.Residual(BOX.interior(256)), "d": pde.DataFit(points, u, "u", weight=100.0)},
        reference=pde.Reference(points, u, "u", parameters={"nu": NU_TRUE}),
    )
    embedding = PeriodicEmbedding(2, axes=(0,), periods=(1.0,))
    result = fit(
        lambda key: pde.InverseModel(MLP(2, 1, 32, 2, embedding=embedding, key=key), eq),
        obj,
        TrainConfig(steps=5000, seeds=2, chunk_steps=1000, progress=False),
        optimizer=Adam(learning_rate=3e-3, decay_steps=1000),
    )
    assert max(result.final_metrics["nu_rel_error"]) < 0.05
    assert max(result.final_metrics["rel_l2"]) < 0.05


# ------------------------------------------------------------------------- clear errors
@pytest.mark.parametrize("initial", [float("nan"), float("inf"), -float("inf"), "0.1", None])
def test_non_finite_initial_value(initial):
    with pytest.raises(ValueError, match="Trainable: initial must be a finite number"):
        pde.Trainable(initial)


def test_positive_needs_a_positive_initial_value_and_a_bool():
    with pytest.raises(ValueError, match="initial must be > 0 with positive=True, got 0.0"):
        pde.Trainable(0.0, positive=True)
    with pytest.raises(ValueError, match="positive must be True or False"):
        pde.Trainable(0.1, positive="yes")


def test_a_trainable_parameter_the_residual_never_uses():
    with pytest.raises(ValueError, match="trainable parameter 'kappa' is never used by the residual"):
        pde.Equation(
            coords=("x", "t"),
            fields=("u",),
            params={"nu": pde.Trainable(0.1), "kappa": pde.Trainable(1.0)},
            residual=lambda p: p.u_t - p.nu * p.u_xx,
        )
    # a fixed parameter may go unused, as before
    pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"nu": pde.Trainable(0.1), "c": 2.0},
        residual=lambda p: p.u_t - p.nu * p.u_xx,
    )


def test_a_curriculum_on_a_trainable_parameter():
    with pytest.raises(ValueError, match="schedules: 'nu' is a trainable parameter"):
        pde.PINNObjective(
            burgers(0.1), {"r": pde.Residual(BOX.interior(8))}, schedules={"nu": pde.linear_ramp(0.5, 0.1, 100)}
        )


def test_the_model_must_hold_the_trainable_parameters():
    eq = burgers(0.1)
    obj = pde.PINNObjective(eq, {"r": pde.Residual(BOX.interior(8))})
    batch = obj.sample(jax.random.PRNGKey(0))
    with pytest.raises(ValueError, match=r"trainable parameters \('nu',\): the model must be pinnrwf.pde.InverseModel"):
        obj.loss_terms(TinyMLP(2, 1, key=jax.random.PRNGKey(0)), batch, jnp.int32(0))
    other = pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"kappa": pde.Trainable(1.0)},
        residual=lambda p: p.u_t - p.kappa * p.u_xx,
    )
    with pytest.raises(ValueError, match=r"model's trainable parameters \('kappa',\) differ from the equation's"):
        obj.loss_terms(pde.InverseModel(TinyMLP(2, 1, key=jax.random.PRNGKey(0)), other), batch, jnp.int32(0))
    with pytest.raises(ValueError, match="declares no trainable parameter"):
        pde.InverseModel(
            TinyMLP(2, 1, key=jax.random.PRNGKey(0)),
            pde.Equation(coords=("x",), fields=("u",), residual=lambda p: p.u_xx),
        )


def test_reference_parameters_must_be_trainable_and_nonzero():
    eq = burgers(0.1)
    pts, vals = np.zeros((1, 2)), np.zeros(1)
    with pytest.raises(ValueError, match="reference: parameters names 'kappa', which is not a trainable parameter"):
        pde.PINNObjective(
            eq, {"r": pde.Residual(BOX.interior(8))}, reference=pde.Reference(pts, vals, "u", parameters={"kappa": 1.0})
        )
    with pytest.raises(ValueError, match=r"parameters\['nu'\] is 0"):
        pde.Reference(pts, vals, "u", parameters={"nu": 0.0})
    with pytest.raises(ValueError, match=r"parameters\['nu'\] must be a finite number"):
        pde.Reference(pts, vals, "u", parameters={"nu": float("nan")})


def test_a_trained_inverse_model_survives_serialisation(tmp_path):
    """The raw value is an ordinary leaf: equinox serialisation round-trips it."""
    eq = burgers(0.2)
    model = pde.InverseModel(TinyMLP(2, 1, key=jax.random.PRNGKey(0)), eq)
    model = eqx.tree_at(lambda m: m.raw["nu"], model, jnp.asarray(-3.5, model.raw["nu"].dtype))
    eqx.tree_serialise_leaves(tmp_path / "m.eqx", model)
    skeleton = pde.InverseModel(TinyMLP(2, 1, key=jax.random.PRNGKey(5)), eq)
    loaded = eqx.tree_deserialise_leaves(tmp_path / "m.eqx", skeleton)
    assert float(loaded.parameters()["nu"]) == pytest.approx(math.exp(-3.5), rel=1e-6)
    assert json.dumps({"nu": float(loaded.parameters()["nu"])})
