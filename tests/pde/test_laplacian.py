"""Forward Laplacian (pde.forward_laplacian) and the DSL's Laplacian plan: same numbers as the
nested forward-mode derivatives, on networks and on arbitrary traceable functions."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.nn import MLP, RWF, AdaptiveActivation, ModifiedMLP, Plain
from pinnrwf.pde.equations import navier_stokes


def nested(f, x, coords=None):
    """f(x), the Jacobian rows ∂_i f and Σ_{i ∈ coords} ∂²f/∂x_i² by nested jvps."""
    eye = jnp.eye(x.shape[0])
    coords = range(x.shape[0]) if coords is None else coords
    grad = jax.vmap(lambda e: jax.jvp(f, (x,), (e,))[1])(eye)
    second = [jax.jvp(lambda y: jax.jvp(f, (y,), (eye[i],))[1], (x,), (eye[i],))[1] for i in coords]
    return f(x), grad, sum(second)


FUNCTIONS = {
    "mlp-plain": MLP(3, 2, 16, 3, Plain(), key=jax.random.PRNGKey(0)),
    "mlp-rwf": MLP(3, 2, 16, 3, RWF(), key=jax.random.PRNGKey(1)),
    "mlp-aa": MLP(3, 2, 16, 2, AdaptiveActivation(), key=jax.random.PRNGKey(2)),
    "modified-mlp": ModifiedMLP(3, 4, 16, 3, RWF(), key=jax.random.PRNGKey(3)),
    "closed-form": lambda y: jnp.stack(
        [
            jnp.sin(y[0] * y[1]) / (2 + jnp.cos(y[2])),
            jnp.exp(y @ y) * y[0] ** 3,
            jnp.sum(jnp.tanh(y) ** 2),
            1.0 + 0 * y[0],
        ]
    ),
    "jit-inside": lambda y: jax.jit(lambda z: jnp.stack([jnp.log1p(z[0] ** 2), jax.nn.softplus(z[1]) * z[2]]))(y),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("coords", [None, (0, 2), (1,)])
def test_forward_laplacian_equals_nested_jvps(name, coords):
    f = FUNCTIONS[name]
    for x in jax.random.normal(jax.random.PRNGKey(7), (3, 3)) * 0.7:
        got, want = pde.forward_laplacian(f, x, coords), nested(f, x, coords)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5 * (1 + float(jnp.max(jnp.abs(w)))))


def test_forward_laplacian_under_jit_vmap_and_grad():
    model = FUNCTIONS["mlp-rwf"]
    xs = jax.random.normal(jax.random.PRNGKey(3), (5, 3))

    def loss(how):
        return lambda m: jnp.sum(jax.vmap(lambda y: how(m, y)[2])(xs) ** 2)

    g1 = eqx.filter_jit(eqx.filter_grad(loss(pde.forward_laplacian)))(model)
    g2 = eqx.filter_grad(loss(nested))(model)
    for a, b in zip(jax.tree.leaves(g1), jax.tree.leaves(g2)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * float(jnp.max(jnp.abs(b))))


def test_forward_laplacian_of_a_constant_and_bad_input():
    v, g, lap = pde.forward_laplacian(lambda y: jnp.ones(2), jnp.zeros(3))
    assert g.shape == (3, 2) and not np.any(g) and not np.any(lap)
    with pytest.raises(ValueError, match="one point of shape"):
        pde.forward_laplacian(jnp.sin, jnp.zeros((2, 3)))
    with pytest.raises(ValueError, match="coords must be distinct coordinate indices"):
        pde.forward_laplacian(jnp.sin, jnp.zeros(3), (0, 3))


def _heat_like(residual, mode="auto"):
    return pde.Equation(
        coords=("x", "y", "t"), fields=("u", "w"), params={"k": 0.3}, residual=residual, derivative_mode=mode
    )


def test_equation_laplacian_plan_matches_the_nested_plan():
    residual = lambda p: {
        "a": p.u_t - p.k * p.laplacian("u") + p.u * p.w_x,  # noqa: E731
        "b": p.w_y - p.laplacian("w") * p.u,
    }
    fast, slow = _heat_like(residual), _heat_like(residual, "forward")
    assert fast.plan_mode == "laplacian" and repr(fast.plan) == "LaplacianPlan(mode='laplacian', coords=(0, 1))"
    assert slow.plan_mode == "forward"
    model = MLP(3, 2, 16, 2, RWF(), key=jax.random.PRNGKey(4))
    for x in jax.random.normal(jax.random.PRNGKey(5), (4, 3)):
        a, b = fast.residuals(model, x), slow.residuals(model, x)
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    "residual",
    [
        lambda p: p.u_t - p.k * p.u_xx,  # heat: the Laplacian over x alone
        lambda p: {"a": p.u_t + p.u * p.u_x - p.k * p.u_xx, "b": p.w_xx * p.u_y + p.w_t},  # two fields
        lambda p: p.u_xx + p.laplacian("w", "x") + p.u_y,  # the same coordinate written both ways
    ],
)
def test_a_single_pure_second_derivative_runs_the_laplacian_plan(residual):
    fast, slow = _heat_like(residual), _heat_like(residual, "forward")
    assert repr(fast.plan) == "LaplacianPlan(mode='laplacian', coords=(0,))" and slow.plan_mode == "forward"
    assert _heat_like(residual, "laplacian").plan_mode == "laplacian"
    model = MLP(3, 2, 16, 2, RWF(), key=jax.random.PRNGKey(10))
    xs = jax.random.normal(jax.random.PRNGKey(11), (8, 3))

    def loss(eq):
        return lambda m: sum(jnp.sum(v**2) for v in jax.vmap(lambda x: eq.residuals(m, x))(xs).values())

    np.testing.assert_allclose(loss(fast)(model), loss(slow)(model), rtol=2e-5)
    for a, b in zip(
        jax.tree.leaves(eqx.filter_grad(loss(fast))(model)), jax.tree.leaves(eqx.filter_grad(loss(slow))(model))
    ):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6 * (1 + float(jnp.max(jnp.abs(b)))))


@pytest.mark.parametrize(
    "residual",
    [
        lambda p: p.u_xx + p.u_tt,  # two coordinates, not written as a Laplacian
        lambda p: p.u_xx + p.u_xt,  # a mixed derivative
        lambda p: p.u_xx + p.laplacian("u"),  # u_xx beside a Laplacian over (x, y)
    ],
)
def test_other_second_derivatives_beside_u_xx_keep_the_nested_plan(residual):
    assert _heat_like(residual).plan_mode == "forward"


def test_equation_falls_back_to_nested_when_other_second_derivatives_are_needed():
    eq = _heat_like(lambda p: p.laplacian("u") + p.u_xy + p.w)
    assert eq.plan_mode == "forward"
    model = MLP(3, 2, 16, 2, Plain(), key=jax.random.PRNGKey(6))
    x = jnp.array([0.2, -0.4, 0.3])
    _, _, lap = nested(lambda y: model(y)[0], x, (0, 1))
    uxy = jax.jvp(lambda y: jax.jvp(lambda z: model(z)[0], (y,), (jnp.eye(3)[0],))[1], (x,), (jnp.eye(3)[1],))[1]
    np.testing.assert_allclose(eq.residuals(model, x)["residual"], lap + uxy + model(x)[1], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    "residual, match",
    [
        (lambda p: p.u_xx + p.u_yy, "requests no p.laplacian and no single pure second derivative"),
        (lambda p: p.laplacian("u") + p.laplacian("w", "x"), "Laplacians over different coordinates"),
        (lambda p: p.laplacian("u") + p.u_xy, "second derivatives outside its Laplacian"),
    ],
)
def test_forced_laplacian_mode_explains_why_not(residual, match):
    with pytest.raises(ValueError, match=match):
        _heat_like(residual, "laplacian")


@pytest.mark.parametrize(
    "residual, match",
    [
        (lambda p: p.laplacian("q"), "unknown field or input 'q'"),
        (lambda p: p.laplacian("u", "z"), "over 'z', which is not a coordinate"),
        (lambda p: p.laplacian("u", "x", "x"), "give distinct coordinates"),
    ],
)
def test_laplacian_bad_names(residual, match):
    with pytest.raises(ValueError, match=match):
        _heat_like(residual)


def test_navier_stokes_laplacian_plan_gives_the_nested_residuals_and_gradients():
    fast, slow = navier_stokes(100.0), navier_stokes(100.0, plan=pde.NestedPlan())
    assert fast.plan_mode == "laplacian"
    model = MLP(2, 3, 32, 3, RWF(mean=0.5, std=0.1), key=jax.random.PRNGKey(8))
    xs = jax.random.uniform(jax.random.PRNGKey(9), (16, 2))

    def loss(eq):
        return lambda m: sum(jnp.mean(jax.vmap(lambda x: eq.residuals(m, x)[k])(xs) ** 2) for k in ("u", "v", "c"))

    np.testing.assert_allclose(loss(fast)(model), loss(slow)(model), rtol=1e-5)
    for a, b in zip(
        jax.tree.leaves(eqx.filter_grad(loss(fast))(model)), jax.tree.leaves(eqx.filter_grad(loss(slow))(model))
    ):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6 * (1 + float(jnp.max(jnp.abs(b)))))


@pytest.mark.parametrize(
    "residual, why",
    [
        (lambda p: p.u_t - p.w, "no p.laplacian and no single pure second derivative"),
        (lambda p: p.laplacian("u") + p.laplacian("w", "x"), "Laplacians over different coordinates"),
        (lambda p: p.laplacian("u") + p.u_xy, "second derivatives outside its Laplacian"),
    ],
)
def test_forward_laplacian_plan_refuses_with_the_reason(residual, why):
    with pytest.raises(ValueError, match=rf"ForwardLaplacianPlan\(\) is not possible for this residual: it .*{why}"):
        pde.Equation(coords=("x", "y", "t"), fields=("u", "w"), residual=residual, plan=pde.ForwardLaplacianPlan())
