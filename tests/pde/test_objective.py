"""PINNObjective: fixed-shape sampling, λ-weighted named terms, boundary/periodic/data terms, metrics."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from pinnrwf import pde
from pinnrwf.pde import equations
from pinnrwf.train import AbstractObjective

from .conftest import TinyMLP

BOX = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})


def _ldc():
    lid = lambda pt: {"u": jnp.where(pt.y == 1.0, 1.0, 0.0), "v": 0.0}
    return pde.PINNObjective(
        equations.navier_stokes(Re=1000.0),
        {"r": pde.Residual(BOX.interior(1024)), "b": pde.Dirichlet(lid, BOX.boundary(256), weight=100.0)},
        schedules={"Re": pde.curriculum([100, 500, 1000], [20000, 40000])},
    )


def test_ldc_objective_shapes_names_and_weights():
    obj = _ldc()
    assert isinstance(obj, AbstractObjective)
    batch = obj.sample(jax.random.key(0))
    assert batch["r"].shape == (1024, 2) and batch["b"].shape == (256, 2)
    b = np.asarray(batch["b"])
    on_face = np.isclose(b, 0.0) | np.isclose(b, 1.0)
    assert on_face.any(axis=1).all()
    for col, val in [(0, 0.0), (0, 1.0), (1, 0.0), (1, 1.0)]:  # 64 points per face
        assert np.sum(b[:, col] == val) >= 64
    # fresh points for every key, inside the box
    other = obj.sample(jax.random.key(1))["r"]
    assert not np.allclose(batch["r"], other) and np.all((other >= 0) & (other <= 1))

    # u = (1, 0), p = 0 satisfies the residuals; only the no-slip walls are violated
    u = lambda z: jnp.array([1.0, 0.0, 0.0])
    terms, diag = eqx.filter_jit(obj.loss_terms)(u, batch, jnp.int32(25000))
    assert set(terms) == {"r_u", "r_v", "r_c", "b_u", "b_v"}
    for k in ("r_u", "r_v", "r_c", "b_v"):
        assert float(terms[k]) == 0.0
    not_lid = np.mean(b[:, 1] != 1.0)
    np.testing.assert_allclose(float(terms["b_u"]), 100.0 * not_lid, rtol=1e-5)
    assert float(diag["param_Re"]) == 500.0


def test_ldc_residual_drives_training():
    """A few Adam steps on a tiny network reduce the total loss (gradients flow through the DSL)."""
    obj = _ldc()
    model = TinyMLP(2, 3, key=jax.random.key(0))
    opt = optax.adam(1e-2)
    state = opt.init(eqx.filter(model, eqx.is_array))

    @eqx.filter_jit
    def step(model, state, key, i):
        def loss(m):
            return sum(obj.loss_terms(m, obj.sample(key), i)[0].values())

        value, grads = eqx.filter_value_and_grad(loss)(model)
        updates, state = opt.update(grads, state)
        return eqx.apply_updates(model, updates), state, value

    losses = []
    for i, key in enumerate(jax.random.split(jax.random.key(1), 30)):
        model, state, value = step(model, state, key, jnp.int32(i))
        losses.append(float(value))
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])


def test_advection_objective_with_curriculum_and_causal():
    eq = equations.advection(c=50.0)
    domain = pde.Domain({"x": (0.0, 2 * jnp.pi), "t": (0.0, 1.0)})
    grid = domain.grid(x=64, t=11).points
    obj = pde.PINNObjective(
        eq,
        {
            "ic": pde.InitialCondition(lambda pt: jnp.sin(pt.x), domain.initial(128), weight=100.0),
            "r": pde.Residual(domain.interior(1024), weight=1.0, causal=pde.Causal(chunks=16, epsilon=0.1)),
        },
        schedules={"c": pde.linear_ramp(10.0, 50.0, steps=10000)},
        reference=pde.Reference(grid, jnp.sin(grid[:, 0] - 50.0 * grid[:, 1]), fields="u"),
    )
    batch = obj.sample(jax.random.key(0))
    assert batch["ic"].shape == (128, 2) and np.all(np.asarray(batch["ic"][:, 1]) == 0.0)
    exact = lambda z: jnp.array([jnp.sin(z[0] - 50.0 * z[1])])
    terms, diag = eqx.filter_jit(obj.loss_terms)(exact, batch, jnp.int32(10000))
    assert float(terms["ic"]) < 1e-10 and float(terms["r"]) < 1e-6
    assert float(diag["causal_min_weight"]) > 0.999 and float(diag["param_c"]) == 50.0
    terms, diag = eqx.filter_jit(obj.loss_terms)(exact, batch, jnp.int32(0))  # c = 10: exact for 50 is wrong
    assert float(terms["r"]) > 1.0 and float(diag["causal_min_weight"]) < 0.5
    assert float(obj.metrics(exact)["rel_l2"]) < 1e-5


def test_reference_metrics():
    eq = equations.advection()
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    pts = domain.grid(x=8, t=4).points
    assert pts.shape == (32, 2)
    ref = pde.Reference(pts, jnp.sin(pts[:, 0]) + 1.0, fields=("u",))
    obj = pde.PINNObjective(eq, {"r": pde.Residual(domain.interior(8))}, reference=ref)
    good = lambda z: jnp.array([jnp.sin(z[0]) + 1.0])
    bad = lambda z: jnp.array([1.1 * (jnp.sin(z[0]) + 1.0)])
    assert float(obj.metrics(good)["rel_l2"]) < 1e-6
    np.testing.assert_allclose(float(obj.metrics(bad)["rel_l2"]), 0.1, rtol=1e-4)


def test_neumann_periodic_and_data_terms():
    eq = pde.Equation(coords=("x", "t"), fields=("u",), residual=lambda p: p.u_t - p.u_xx)
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    u = lambda z: jnp.array([jnp.exp(-4 * jnp.pi**2 * z[1]) * jnp.cos(2 * jnp.pi * z[0])])
    pts = jax.random.uniform(jax.random.key(3), (50, 2))
    obj = pde.PINNObjective(
        eq,
        {
            "r": pde.Residual(domain.interior(64)),
            "n": pde.Neumann(lambda pt: 0.0, domain.face("x", "upper", 32), coord="x", weight=3.0),
            "per": pde.Periodic(domain, "x", 32, derivatives=1),
            "d": pde.DataFit(pts, jax.vmap(u)(pts), fields="u", batch_size=20),
        },
    )
    batch = obj.sample(jax.random.key(0))
    assert batch["d"].shape == (20,) and len(set(np.asarray(batch["d"]).tolist())) == 20
    loss = eqx.filter_jit(lambda sol: obj.loss_terms(sol, batch, jnp.int32(0))[0])
    terms = loss(u)
    assert max(float(v) for v in terms.values()) < 1e-8
    shifted = lambda z: jnp.array([jnp.exp(-4 * jnp.pi**2 * z[1]) * jnp.cos(2 * jnp.pi * z[0] + 0.3)])
    terms = loss(shifted)
    assert float(terms["n"]) > 1e-3 and float(terms["d"]) > 1e-5 and float(terms["r"]) < 1e-8
    not_periodic = lambda z: jnp.array([z[0]])
    assert float(loss(not_periodic)["per"]) > 0.9


def test_objective_is_a_pytree_usable_inside_jit():
    obj = _ldc()
    model = TinyMLP(2, 3, key=jax.random.key(0))

    @eqx.filter_jit
    def run(objective, model, key, step):
        return objective.loss_terms(model, objective.sample(key), step)

    terms, diag = run(obj, model, jax.random.key(0), jnp.int32(0))
    assert all(np.isfinite(float(v)) for v in terms.values())
