import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.pde import DerivativePlan, Equation, all_multi_indices

from .conftest import TinyMLP


def _reference_tensors(f, x, order):
    """[f(x), Df(x), D²f(x), ...] with shapes (n,), (n, d), (n, d, d), ..."""
    out, g = [], f
    for _ in range(order + 1):
        out.append(g(x))
        g = jax.jacfwd(g)
    return out


@pytest.mark.parametrize("order", [1, 2, 3])
def test_plan_matches_nested_jacobians(order):
    f = lambda x: jnp.stack([jnp.sin(x[0]) * jnp.exp(0.3 * x[1]) * x[2] ** 2, x[0] * x[1] ** 3 + jnp.cos(x[2])])
    x = jnp.array([0.3, -0.7, 1.1])
    requests = all_multi_indices(3, order)
    plan = DerivativePlan(requests, 3)
    table = jax.jit(lambda y: plan(f, y))(x)
    assert set(table) == set(requests)
    reference = jax.jit(lambda y: _reference_tensors(f, y, order))(x)
    for m in requests:
        expected = reference[len(m)][(slice(None), *m)]
        np.testing.assert_allclose(table[m], expected, rtol=2e-5, atol=2e-5, err_msg=str(m))


def test_plan_covers_lower_orders_within_top_order_passes():
    plan = DerivativePlan([(0,), (1,), (0, 0), (1, 1)], 2)  # Navier–Stokes-like
    assert plan.num_passes == 2 and plan.order == 2
    plan = DerivativePlan([(1,), (0, 0)], 2)  # heat / Burgers: u_t padded into the u_xx pass
    assert plan.num_passes == 2
    assert DerivativePlan([], 2).order == 0


def _count(jaxpr, name):
    n = 0
    for eqn in jaxpr.eqns:
        n += eqn.primitive.name == name
        for p in eqn.params.values():
            inner = getattr(p, "jaxpr", None)
            if inner is not None and hasattr(inner, "eqns"):
                n += _count(inner, name)
            elif hasattr(p, "eqns"):
                n += _count(p, name)
    return n


def test_one_network_evaluation_shared_by_all_fields_and_derivatives():
    """Navier–Stokes needs 12 derivative values of 3 fields: the network's tanh layers must
    appear once each in the traced program (one primal pass; tangents reuse it)."""
    eq = Equation(
        coords=("x", "y"),
        fields=("u", "v", "p"),
        params={"Re": 100.0},
        residual=lambda p: {
            "u": p.u * p.u_x + p.v * p.u_y + p.p_x - (p.u_xx + p.u_yy) / p.Re,
            "v": p.u * p.v_x + p.v * p.v_y + p.p_y - (p.v_xx + p.v_yy) / p.Re,
            "c": p.u_x + p.v_y,
        },
    )
    model = TinyMLP(2, 3, depth=3, key=jax.random.key(0))
    jaxpr = jax.make_jaxpr(lambda x: eq.residuals(model, x))(jnp.array([0.2, 0.4])).jaxpr
    assert _count(jaxpr, "tanh") == 3
