"""Samplers, grids, interpolants, schedules, references and the objective follow JAX's default
float: float32 normally, float64 with ``jax_enable_x64`` (nothing in pinnrwf.pde is hard-coded)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde

from .conftest import TinyMLP


def _everything():
    """Every dtype-carrying object of the DSL, built in the current precision."""
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    eq = pde.Equation(
        coords=("x", "t"), fields=("u",), params={"c": 1.0}, inputs=("a",), residual=lambda p: p.u_t + p.c * p.u_x - p.a
    )
    samplers = {
        "interior": domain.interior(8),
        "chunked": domain.interior(8, chunks=2),
        "initial": domain.initial(4),
        "face": domain.face("x", "upper", 4),
        "boundary": domain.boundary(4),
        "grid": domain.grid(x=3, t=2),
    }
    source = pde.LinearInterpolant([0.0, 0.5, 1.0], [0.0, 1.0, 0.0])
    objective = pde.PINNObjective(
        eq,
        {
            "r": pde.Residual(domain.interior(8), causal=pde.Causal(2, 1.0)),
            "ic": pde.InitialCondition(lambda pt: jnp.sin(pt.x), domain.initial(4)),
            "d": pde.DataFit([[0.5, 0.5]], [0.1], "u"),
        },
        schedules={"c": pde.curriculum([0.5, 1.0], [10])},
        inputs={"a": source},
        reference=pde.Reference([[0.5, 0.5]], [0.2], "u"),
    )
    return samplers, objective


@pytest.mark.parametrize("x64, dtype", [(False, jnp.float32), (True, jnp.float64)])
def test_dsl_follows_the_default_float(x64, dtype):
    with jax.enable_x64(x64):
        samplers, objective = _everything()
        for name, sampler in samplers.items():
            assert sampler.sample(jax.random.key(0)).dtype == dtype, name
        pt = pde.Coordinates(("x", "y"), jnp.array([0.3, 0.6]))
        assert objective.inputs["a"](pt).dtype == dtype
        assert pde.BilinearInterpolant(np.ones((3, 3)))(pt).dtype == dtype
        assert objective.reference.values.dtype == objective.terms["d"].points.dtype == dtype
        assert all(v.dtype == dtype for v in objective.parameters(jnp.int32(3)).values())
        model = TinyMLP(2, 1, key=jax.random.key(1))
        batch = objective.sample(jax.random.key(2))
        # traced abstractly: the dtypes of a compiled step, without compiling it
        terms, diagnostics = eqx.filter_eval_shape(objective.loss_terms, model, batch, jnp.int32(3))
        assert all(v.dtype == dtype for v in (*terms.values(), *diagnostics.values()))
        assert all(v.dtype == dtype for v in eqx.filter_eval_shape(objective.metrics, model).values())


def test_float32_numbers_are_those_of_float32_inputs():
    """Without x64 the values are the float32 roundings of the float64 definitions, as before."""
    domain = pde.Domain({"x": (0.0, 2 * np.pi), "t": (0.0, 1.0)})
    grid = np.asarray(domain.grid(x=5, t=3).points)
    axes = np.meshgrid(np.linspace(0, 2 * np.pi, 5), np.linspace(0, 1, 3), indexing="ij")
    np.testing.assert_array_equal(grid, np.stack([a.ravel() for a in axes], -1).astype(np.float32))
    schedule = pde.curriculum([0.1, 1 / 3], [5])
    assert float(schedule(jnp.int32(7))) == float(np.float32(1 / 3))
    pts = np.asarray(domain.interior(16).sample(jax.random.key(0)))
    u = np.asarray(jax.random.uniform(jax.random.key(0), (16, 2)))
    np.testing.assert_array_equal(pts, np.float32([0, 0]) + np.float32([2 * np.pi, 1]) * u)
