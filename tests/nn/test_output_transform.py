"""Hard constraints: OutputTransform makes boundary/initial conditions hold exactly, for every
architecture and parameterization, and the residual DSL differentiates it like any model."""

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from _markdown import python_block_after

from pinnrwf import pde
from pinnrwf.nn import (
    MLP,
    PARAMETERIZATION_NAMES,
    DeepONet,
    ModifiedDeepONet,
    ModifiedMLP,
    OutputTransform,
    parse_parameterizations,
)

PARAMETERIZATIONS = parse_parameterizations("all")


def heat_constraint(z, u):
    """u(x, t) = sin(πx) + t · x(1 − x) · N(x, t): u(x, 0) = sin πx and u(0, t) = u(1, t) = 0."""
    x, t = z[0], z[1]
    return jnp.sin(jnp.pi * x) + t * x * (1 - x) * u


ARCHITECTURES = {
    "mlp": lambda p, key: MLP(2, 1, 16, 2, p, key=key),
    "modified": lambda p, key: ModifiedMLP(2, 1, 16, 2, p, key=key),
}


def _random_points(key, n=64):
    kx, kt = jax.random.split(key)
    return jax.random.uniform(kx, (n,)), jax.random.uniform(kt, (n,))


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
@pytest.mark.parametrize("name", PARAMETERIZATION_NAMES)
def test_conditions_hold_at_random_points(arch, name):
    net = ARCHITECTURES[arch](PARAMETERIZATIONS[name], jax.random.PRNGKey(0))
    wrapped = OutputTransform(net, heat_constraint)
    model = jax.jit(lambda z: jax.vmap(wrapped)(z))
    x, t = _random_points(jax.random.PRNGKey(1))
    zeros, ones = jnp.zeros_like(x), jnp.ones_like(x)
    # the network itself is far from satisfying them
    assert float(jnp.max(jnp.abs(jax.jit(lambda z: jax.vmap(net)(z))(jnp.stack([zeros, t], 1))))) > 1e-3
    # initial condition: exact (t = 0 multiplies the network by zero)
    np.testing.assert_array_equal(model(jnp.stack([x, zeros], 1))[:, 0], jnp.sin(jnp.pi * x))
    # boundaries: u(0, t) = 0 exactly, u(1, t) = sin(π) = O(ε) in float32
    np.testing.assert_array_equal(model(jnp.stack([zeros, t], 1))[:, 0], 0.0)
    np.testing.assert_allclose(model(jnp.stack([ones, t], 1))[:, 0], 0.0, atol=2e-7)


@pytest.mark.parametrize("name", ["plain", "rwf", "aa", "wn"])
def test_dsl_residual_equals_the_hand_composed_function(name):
    """The DSL's derivatives see the wrapper as the composition x ↦ g(x, N(x))."""
    kappa = 0.1
    heat = pde.Equation(
        coords=("x", "t"), fields=("u",), params={"kappa": kappa}, residual=lambda p: p.u_t - p.kappa * p.u_xx
    )
    net = MLP(2, 1, 16, 2, PARAMETERIZATIONS[name], key=jax.random.PRNGKey(2))
    wrapped = OutputTransform(net, heat_constraint)
    x, t = _random_points(jax.random.PRNGKey(3), 16)
    points = jnp.stack([x, t], 1)
    composed = lambda y: heat_constraint(y, net(y))  # noqa: E731
    got = eqx.filter_jit(jax.vmap(lambda z: heat.residuals(wrapped, z)["residual"]))(points)
    want = eqx.filter_jit(jax.vmap(lambda z: heat.residuals(composed, z)["residual"]))(points)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)

    # and the hand-derived residual of u = sin πx + t x(1−x) N for a network N ≡ c (constant):
    # u_t = x(1−x) c, u_xx = −π² sin πx − 2 t c, so R = x(1−x) c + κ π² sin πx + 2 κ t c
    c = 0.7
    const = OutputTransform(lambda z: jnp.array([c]), heat_constraint)
    res = eqx.filter_jit(jax.vmap(lambda z: heat.residuals(const, z)["residual"]))(points)
    exact = x * (1 - x) * c + kappa * jnp.pi**2 * jnp.sin(jnp.pi * x) + 2 * kappa * t * c
    np.testing.assert_allclose(res, exact, rtol=1e-4, atol=1e-5)


def test_a_hard_constrained_objective_has_no_boundary_loss_to_learn():
    """Inside a PINNObjective the IC and BC terms of the heat example vanish from the start."""
    heat = pde.Equation(
        coords=("x", "t"), fields=("u",), params={"kappa": 0.1}, residual=lambda p: p.u_t - p.kappa * p.u_xx
    )
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    objective = pde.PINNObjective(
        heat,
        {
            "r": pde.Residual(domain.interior(64)),
            "ic": pde.InitialCondition(lambda pt: jnp.sin(jnp.pi * pt.x), domain.initial(32)),
            "bc": pde.Dirichlet(lambda pt: 0.0, domain.boundary(32)),
        },
    )
    model = OutputTransform(MLP(2, 1, 16, 2, key=jax.random.PRNGKey(0)), heat_constraint)
    batch = objective.sample(jax.random.PRNGKey(1))
    terms, _ = eqx.filter_jit(objective.loss_terms)(model, batch, jnp.int32(0))
    assert float(terms["ic"]) == 0.0 and float(terms["bc"]) < 1e-13 and float(terms["r"]) > 1e-4
    grads = eqx.filter_jit(eqx.filter_grad(lambda m: objective.loss_terms(m, batch, jnp.int32(0))[0]["r"]))(model)
    assert float(jnp.abs(grads.network.layers[0].weight.w).max()) > 0  # the network still trains


@pytest.mark.parametrize(
    "make",
    [
        lambda key: DeepONet(5, 2, latent_size=8, width=8, depth=2, key=key),
        lambda key: ModifiedDeepONet(5, 2, 8, 2, key=key),
    ],
)
def test_operator_networks_receive_the_query_point(make):
    """For ``network(a, y)`` the transform sees y (the last argument)."""
    model = OutputTransform(make(jax.random.PRNGKey(0)), heat_constraint)
    a = jax.random.normal(jax.random.PRNGKey(1), (5,))
    x, t = _random_points(jax.random.PRNGKey(2), 8)
    u0 = eqx.filter_jit(jax.vmap(lambda xi: model(a, jnp.stack([xi, 0.0]))))(x)
    np.testing.assert_array_equal(u0[:, 0], jnp.sin(jnp.pi * x))
    ub = eqx.filter_jit(jax.vmap(lambda ti: model(a, jnp.stack([0.0, ti]))))(t)
    np.testing.assert_array_equal(ub[:, 0], 0.0)


def test_bad_arguments_are_clear_errors():
    net = MLP(2, 1, 4, 1, key=jax.random.PRNGKey(0))
    with pytest.raises(ValueError, match="OutputTransform: network must be a callable"):
        OutputTransform("mlp", heat_constraint)
    with pytest.raises(ValueError, match="OutputTransform: transform must be a callable"):
        OutputTransform(net, 1.0)
    with pytest.raises(ValueError, match=r"must return the shape of the network's output \(1,\), got \(\)"):
        OutputTransform(net, lambda z, u: u[0])(jnp.zeros(2))


ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "hard-constraints.md"
MARKER = "<!-- hard-constraint-example"


def _docs_snippet() -> str:
    return python_block_after(PAGE, MARKER)


def test_docs_snippet_runs_and_trains_a_few_steps():
    from pinnrwf.train import TrainConfig, fit

    scope = {}
    exec(_docs_snippet(), scope)
    result = fit(scope["init_model"], scope["objective"], TrainConfig(steps=4, chunk_steps=2, progress=False))
    assert np.all(np.isfinite(result.history["loss"]))
    model = result.model(0)
    np.testing.assert_array_equal(model(jnp.array([0.0, 0.5])), 0.0)
