"""Curricula are schedules step -> value, evaluated inside the jit without recompiling."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.pde import equations


def test_curriculum_switches_at_the_boundaries():
    re = pde.curriculum(values=[100, 500, 1000], boundaries=[20000, 40000])
    steps = jnp.array([0, 19999, 20000, 39999, 40000, 100000], jnp.int32)
    np.testing.assert_array_equal(jax.jit(jax.vmap(re))(steps), [100, 100, 500, 500, 1000, 1000])
    assert pde.final_value(re) == 1000


def test_linear_ramp():
    c = pde.linear_ramp(10.0, 50.0, steps=1000, begin=500)
    np.testing.assert_allclose([c(0), c(500), c(1000), c(1500), c(10**6)], [10, 10, 30, 50, 50])


@pytest.mark.parametrize("args", [([100, 500], [1, 2]), ([100, 500, 1000], [40000, 20000]), ([1.0, 2.0], [0])])
def test_bad_curricula(args):
    with pytest.raises(ValueError, match="curriculum"):
        pde.curriculum(*args)


def _ldc(schedule):
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    return pde.PINNObjective(
        equations.navier_stokes(Re=1000.0), {"r": pde.Residual(domain.interior(8))}, schedules={"Re": schedule}
    )


def test_curriculum_must_end_at_target():
    with pytest.raises(ValueError, match=r"schedules\['Re'\] ends at 500.0.*target value is 1000"):
        _ldc(pde.curriculum([100, 500], [20000]))
    with pytest.raises(ValueError, match="not a parameter"):
        pde.PINNObjective(
            equations.navier_stokes(),
            {"r": pde.Residual(pde.Domain({"x": (0, 1), "y": (0, 1)}).interior(8))},
            schedules={"nu": pde.curriculum([1.0, 2.0], [10])},
        )


def test_parameter_changes_without_recompiling():
    traces = []
    eq = pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"c": 50.0},
        residual=lambda p: (traces.append(1), p.u_t + p.c * p.u_x)[1],
    )
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    obj = pde.PINNObjective(eq, {"r": pde.Residual(domain.interior(32))}, schedules={"c": pde.linear_ramp(10, 50, 100)})
    u = lambda z: jnp.array([z[0] + z[1]])  # R = 1 + c
    batch = obj.sample(jax.random.key(0))
    loss = eqx.filter_jit(obj.loss_terms)
    before = len(traces)
    values = [float(loss(u, batch, jnp.int32(s))[0]["r"]) for s in (0, 50, 100, 200)]
    np.testing.assert_allclose(values, [(1 + 10) ** 2, (1 + 30) ** 2, (1 + 50) ** 2, (1 + 50) ** 2], rtol=1e-6)
    assert len(traces) - before == 1  # traced once, four steps
    assert float(loss(u, batch, jnp.int32(50))[1]["param_c"]) == 30.0
