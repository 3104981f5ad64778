"""The directional derivative plan: residuals affine in the first derivatives of one field with
coefficients depending only on the parameters (advection u_t + c u_x = D_a u, a = (c, 1)) are
evaluated with ONE jvp along a; everything else keeps the reverse/forward plan.

The directional residual (and its gradient) must equal the reverse- and forward-mode ones to
float32 round-off on random networks at random points.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.pde import DerivativePlan, Equation

from .conftest import TinyMLP

RTOL, ATOL = 1e-5, 1e-5


def _points(d, n=32, seed=1):
    return jax.random.uniform(jax.random.PRNGKey(seed), (n, d), minval=-1.0, maxval=1.0)


def _net(d_in, d_out=1, seed=0):
    return TinyMLP(d_in, d_out, width=24, depth=3, key=jax.random.PRNGKey(seed))


def _equations(**kwargs):
    """The same equation with every derivative mode that applies to it."""
    modes = ("directional", "reverse", "forward")
    return {m: Equation(**kwargs, derivative_mode=m) for m in modes}


def _residuals(eq, model, x, params=None, inputs=None):
    return jax.jit(jax.vmap(lambda y: eq.residuals(model, y, params, inputs)))(x)


def _assert_modes_agree(equations, model, x, params=None, inputs=None):
    ref = _residuals(equations["reverse"], model, x, params, inputs)
    for mode in ("directional", "forward"):
        got = _residuals(equations[mode], model, x, params, inputs)
        assert set(got) == set(ref)
        for k in ref:
            np.testing.assert_allclose(got[k], ref[k], rtol=RTOL, atol=ATOL, err_msg=f"{mode}: {k}")
    assert max(float(jnp.max(jnp.abs(v))) for v in ref.values()) > 1e-2  # not trivially zero


ADVECTION = dict(coords=("x", "t"), fields=("u",), params={"c": 50.0}, residual=lambda p: p.u_t + p.c * p.u_x)


# ------------------------------------------------------------------ detected and equal
def test_advection_is_directional_when_asked_and_shows_it():
    assert Equation(**ADVECTION).plan_mode == "reverse"  # auto: the directional plan is opt-in
    eq = Equation(**ADVECTION, plan=pde.DirectionalPlan())
    assert eq.plan_mode == "directional"
    assert "mode='directional'" in repr(eq.plan) and "mode='directional'" in repr(eq)
    assert Equation(**ADVECTION, plan=pde.ReversePlan()).plan_mode == "reverse"
    assert "mode='forward'" in repr(Equation(**ADVECTION, plan=pde.NestedPlan()).plan)


def test_advection_constant_c_matches_reverse_and_forward():
    _assert_modes_agree(_equations(**ADVECTION), _net(2), _points(2))


def test_advection_c_as_a_traced_parameter():
    """c arrives as a traced scalar (a curriculum): the direction (c, 1) is formed at run time."""
    eqs, model, x = _equations(**ADVECTION), _net(2), _points(2)
    run = {
        m: jax.jit(jax.vmap(lambda y, c, e=e: e.residuals(model, y, {"c": c})["residual"], (0, None)))
        for m, e in eqs.items()
    }
    for c in (10.0, -3.5, 50.0):
        ref = run["reverse"](x, jnp.float32(c))
        np.testing.assert_allclose(run["directional"](x, jnp.float32(c)), ref, rtol=RTOL, atol=ATOL * abs(c))


def test_advection_curriculum_losses_through_the_objective():
    """The engine's path: PINNObjective with c ramping 10 -> 50, loss at several traced steps."""
    domain = pde.Domain({"x": (0.0, 6.0), "t": (0.0, 1.0)})
    model = _net(2)

    def objective(mode):
        return pde.PINNObjective(
            Equation(**ADVECTION, derivative_mode=mode),
            {"r": pde.Residual(domain.interior(64))},
            schedules={"c": pde.linear_ramp(10.0, 50.0, steps=100)},
        )

    directional, reverse = objective("directional"), objective("reverse")
    batch = reverse.sample(jax.random.PRNGKey(3))
    loss_d, loss_r = (
        jax.jit(lambda step, o=o: o.loss_terms(model, batch, step)[0]["r"]) for o in (directional, reverse)
    )
    for step in (0, 37, 100, 500):
        np.testing.assert_allclose(loss_d(jnp.int32(step)), loss_r(jnp.int32(step)), rtol=1e-4)


def test_trainable_c_residual_and_gradients_match():
    eqs = {
        m: Equation(
            coords=("x", "t"),
            fields=("u",),
            params={"c": pde.Trainable(2.0, positive=True)},
            residual=lambda p: p.u_t + p.c * p.u_x,
            derivative_mode=m,
        )
        for m in ("directional", "reverse")
    }
    assert eqs["directional"].plan_mode == "directional"
    model = pde.InverseModel(_net(2), eqs["directional"])
    x = _points(2)

    def loss(m, eq):
        return jnp.mean(jax.vmap(lambda y: eq.residuals(m, y)["residual"])(x) ** 2)

    grads = {k: eqx.filter_jit(eqx.filter_value_and_grad(lambda m, e=e: loss(m, e)))(model) for k, e in eqs.items()}
    np.testing.assert_allclose(grads["directional"][0], grads["reverse"][0], rtol=RTOL)
    np.testing.assert_allclose(grads["directional"][1].raw["c"], grads["reverse"][1].raw["c"], rtol=1e-4)
    assert abs(float(grads["reverse"][1].raw["c"])) > 1e-3


def test_three_coordinates():
    kw = dict(
        coords=("x", "y", "t"),
        fields=("u",),
        params={"a": 1.5, "b": -0.7},
        residual=lambda p: p.u_t + p.a * p.u_x + p.b * p.u_y,
    )
    eqs = _equations(**kw)
    assert Equation(**kw, plan=pde.DirectionalPlan()).plan_mode == "directional"
    _assert_modes_agree(eqs, _net(3), _points(3))


def test_zero_order_terms_and_nonlinear_parameter_coefficients():
    """u_t + c u_x − u, and coefficients that are nonlinear in the parameters (sin c)."""
    for residual in (
        lambda p: p.u_t + p.c * p.u_x - p.u,
        lambda p: p.u_t + jnp.sin(p.c) * p.u_x + jnp.tanh(p.u) + p.x * p.t - 2.0,
        lambda p: (p.u_t + p.c * p.u_x) / p.c + p.u**3,
    ):
        kw = dict(coords=("x", "t"), fields=("u",), params={"c": 3.0}, residual=residual)
        assert Equation(**kw, plan=pde.DirectionalPlan()).plan_mode == "directional"
        _assert_modes_agree(_equations(**kw), _net(2), _points(2))


def test_several_fields_and_components_one_carrying_the_derivatives():
    kw = dict(
        coords=("x", "t"),
        fields=("u", "v"),
        params={"c": 2.0},
        residual=lambda p: {"adv": p.u_t + p.c * p.u_x + p.v, "alg": p.v - p.u**2 + jnp.sin(p.x)},
    )
    eq = Equation(**kw, plan=pde.DirectionalPlan())
    assert eq.plan_mode == "directional" and eq.directional.component == 0
    _assert_modes_agree(_equations(**kw), _net(2, 2), _points(2))


def test_value_inputs_and_undifferentiated_callable_inputs():
    kw = dict(
        coords=("x", "t"), fields=("u",), params={"c": 2.0}, inputs=("f",), residual=lambda p: p.u_t + p.c * p.u_x - p.f
    )
    eqs = _equations(**kw)
    assert Equation(**kw, plan=pde.DirectionalPlan()).plan_mode == "directional"
    model, x = _net(2), _points(2)
    source = lambda pt: jnp.sin(pt.x) * pt.t  # noqa: E731
    _assert_modes_agree(eqs, model, x, inputs={"f": source})
    _assert_modes_agree(eqs, model, x[:1], inputs={"f": 0.25})


def test_network_parameter_gradients_agree():
    eqs = _equations(
        coords=("x", "t"), fields=("u",), params={"c": 5.0}, residual=lambda p: p.u_t + p.c * p.u_x - 0.5 * p.u
    )
    model, x = _net(2), _points(2)

    def grad(eq):
        loss = lambda m: jnp.mean(jax.vmap(lambda y: eq.residuals(m, y)["residual"])(x) ** 2)  # noqa: E731
        return jax.tree_util.tree_leaves(eqx.filter_jit(eqx.filter_grad(loss))(model))

    ref = grad(eqs["reverse"])
    for got, want in zip(grad(eqs["directional"]), ref):
        scale = float(jnp.max(jnp.abs(want)))  # float32 round-off relative to the gradient's size
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5 * scale)


def test_single_first_derivative_auto_keeps_the_plan_but_forcing_works():
    """With one first derivative, the existing plan is already a single jvp: auto does not switch."""
    kw = dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t - p.u)
    assert Equation(**kw).plan_mode == "forward"
    _assert_modes_agree(_equations(**kw), _net(2), _points(2))


# ------------------------------------------------------------------ not detected
NOT_DIRECTIONAL = {
    "burgers u u_x": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t + p.u * p.u_x),
    "x u_x": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t + p.x * p.u_x),
    "u_x squared": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t + p.u_x**2),
    "u_t u_x": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t * p.u_x),
    "u_x + u_xx": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_x + p.u_xx),
    "two fields": dict(
        coords=("x", "t"), fields=("u", "v"), params={"c": 2.0}, residual=lambda p: p.u_t + p.c * p.u_x + p.v_x
    ),
    "two components": dict(
        coords=("x", "t"),
        fields=("u", "v"),
        params={"c": 2.0},
        residual=lambda p: {"u": p.u_t + p.c * p.u_x, "v": p.v_t - p.c * p.v_x},
    ),
    "same field, two components": dict(
        coords=("x", "t"), fields=("u",), params={"c": 2.0}, residual=lambda p: {"a": p.u_t + p.c * p.u_x, "b": p.u_x}
    ),
    "derivative input": dict(
        coords=("x", "t"), fields=("u",), inputs=("a",), residual=lambda p: p.u_t + p.a * p.u_x + p.a_x
    ),
    "input coefficient": dict(coords=("x", "t"), fields=("u",), inputs=("a",), residual=lambda p: p.u_t + p.a * p.u_x),
    "piecewise": dict(
        coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t + jnp.where(p.u_x > 0, 1.0, 2.0) * p.u_x
    ),
    "no derivatives": dict(coords=("x", "t"), fields=("u",), residual=lambda p: p.u - jnp.sin(p.x)),
}


@pytest.mark.parametrize("name", sorted(NOT_DIRECTIONAL))
def test_other_residuals_fall_back_and_cannot_be_forced(name):
    kw = NOT_DIRECTIONAL[name]
    eq = Equation(**kw)
    assert eq.plan_mode in ("reverse", "forward", "laplacian") and eq.directional is None
    with pytest.raises(ValueError, match=r"DirectionalPlan\(\) is not possible"):
        Equation(**kw, plan=pde.DirectionalPlan())


def test_fallback_residuals_are_unchanged():
    """A fallen-back residual (Burgers) still evaluates like the forced reverse/forward plans."""
    kw = NOT_DIRECTIONAL["burgers u u_x"]
    eqs = {m: Equation(**kw, derivative_mode=m) for m in ("auto", "reverse", "forward")}
    model, x = _net(2), _points(2)
    ref = _residuals(eqs["forward"], model, x)["residual"]
    for m in ("auto", "reverse"):
        np.testing.assert_allclose(_residuals(eqs[m], model, x)["residual"], ref, rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ modes and the plan itself
def test_bad_modes():
    with pytest.raises(ValueError, match="derivative_mode must be one of"):
        Equation(**ADVECTION, derivative_mode="sideways")
    with pytest.raises(ValueError, match="mode='reverse' needs first derivatives only"):
        Equation(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t - p.u_xx, derivative_mode="reverse")
    with pytest.raises(ValueError, match="mode must be one of"):
        DerivativePlan([(0,)], 2, mode="up")
    with pytest.raises(ValueError, match="give the derivative plan once"):
        Equation(**ADVECTION, derivative_mode="forward", plan=pde.NestedPlan())
    with pytest.raises(ValueError, match="plan must be a derivative plan"):
        Equation(**ADVECTION, plan="forward")


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "directional"])
def test_a_mode_string_is_its_plan_object(mode):
    """The string edge (CLI, benchmarks) maps once to the plan object: the same executable plan."""
    plan = pde.plan_from_mode(mode)
    assert isinstance(plan, pde.AbstractPlan) and plan.mode == mode
    by_name, by_object = Equation(**ADVECTION, derivative_mode=mode), Equation(**ADVECTION, plan=plan)
    assert repr(by_name.plan) == repr(by_object.plan) and by_name.plan_mode == by_object.plan_mode


def test_auto_mode_resolves_when_the_output_size_is_known():
    assert DerivativePlan([(0,), (1,)], 2, num_outputs=1).mode == "reverse"
    assert DerivativePlan([(0,), (1,)], 2, num_outputs=3).mode == "forward"
    assert DerivativePlan([(0,), (1,)], 2).mode == "auto"  # decided at each call
    assert DerivativePlan([(0, 0)], 2, num_outputs=1).mode == "forward"
    heat = Equation(coords=("x", "t"), fields=("u",), params={"k": 0.1}, residual=lambda p: p.u_t - p.k * p.u_xx)
    assert heat.plan_mode == "laplacian"  # u_xx alone is the Laplacian over x
    wave = Equation(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_tt - p.u_xx)
    assert wave.plan_mode == "forward"


def test_plan_along_is_one_jvp():
    f = lambda x: jnp.stack([jnp.sin(x[0]) * x[1], x[0] ** 2 + jnp.exp(x[1])])  # noqa: E731
    x, a = jnp.array([0.3, -0.4]), jnp.array([2.0, 0.5])
    plan = DerivativePlan([(0,), (1,)], 2, mode="directional")
    y, dy = plan.along(f, x, a)
    np.testing.assert_allclose(y, f(x), rtol=1e-6)
    np.testing.assert_allclose(dy, jax.jacfwd(f)(x) @ a, rtol=1e-6)
    with pytest.raises(ValueError, match="call plan.along"):
        plan(f, x)
    with pytest.raises(ValueError, match="direction must have shape"):
        plan.along(f, x, jnp.ones(3))
    jaxpr = jax.make_jaxpr(lambda z: plan.along(f, z, a))(x)
    assert sum(e.primitive.name == "sin" for e in jaxpr.jaxpr.eqns) == 1  # one primal pass, no batching
