"""Causal weights (eq. K.7–K.8) on hand-computed examples."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.pde import equations


def test_causal_weights_hand_example():
    losses = jnp.array([1.0, 2.0, 0.5, 4.0])
    w = pde.causal_weights(losses, 0.1)
    # w1 = 1, w2 = e^{-0.1·1}, w3 = e^{-0.1·3}, w4 = e^{-0.1·3.5}
    np.testing.assert_allclose(w, [1.0, math.exp(-0.1), math.exp(-0.3), math.exp(-0.35)], rtol=1e-6)


def test_causal_weights_are_not_differentiated():
    g = jax.grad(lambda l: jnp.sum(pde.causal_weights(l, 1.0) * l))(jnp.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, pde.causal_weights(jnp.array([1.0, 2.0, 3.0]), 1.0))


def _advection_objective(causal):
    eq = equations.advection(c=50.0)
    domain = pde.Domain({"x": (0.0, 2 * jnp.pi), "t": (0.0, 1.0)})
    return pde.PINNObjective(eq, {"r": pde.Residual(domain.interior(64), causal=causal)})


def test_causal_residual_samples_one_block_per_time_chunk():
    obj = _advection_objective(pde.Causal(chunks=4, epsilon=0.1))
    t = np.asarray(obj.sample(jax.random.key(0))["r"][:, 1]).reshape(4, 16)
    for i in range(4):
        assert np.all((t[i] >= i / 4) & (t[i] < (i + 1) / 4))


def test_causal_residual_loss_matches_formula():
    """u = t·sin x has R = sin x + 50 t cos x; compute the chunk losses by hand from the batch."""
    m, eps = 4, 0.01
    obj = _advection_objective(pde.Causal(chunks=m, epsilon=eps))
    u = lambda z: jnp.array([z[1] * jnp.sin(z[0])])
    batch = obj.sample(jax.random.key(1))
    terms, diag = eqx.filter_jit(obj.loss_terms)(u, batch, jnp.int32(0))
    x, t = np.asarray(batch["r"], np.float64).T
    r2 = (np.sin(x) + 50 * t * np.cos(x)) ** 2
    chunk = r2.reshape(m, -1).mean(axis=1)
    w = np.exp(-eps * np.concatenate([[0.0], np.cumsum(chunk)[:-1]]))
    np.testing.assert_allclose(float(terms["r"]), np.mean(w * chunk), rtol=1e-4)
    np.testing.assert_allclose(float(diag["causal_min_weight"]), w.min(), rtol=1e-4)
    assert w.min() < 0.9  # the example actually down-weights later chunks


def test_causal_with_one_chunk_and_zero_epsilon_is_the_plain_loss():
    u = lambda z: jnp.array([z[1] * jnp.sin(z[0])])
    plain = _advection_objective(None)
    causal = _advection_objective(pde.Causal(chunks=1, epsilon=0.0))
    batch = plain.sample(jax.random.key(2))
    loss = eqx.filter_jit(lambda obj: obj.loss_terms(u, batch, jnp.int32(0))[0]["r"])
    np.testing.assert_allclose(loss(plain), loss(causal), rtol=1e-6)


def test_causal_on_problem_without_time_is_rejected():
    eq = equations.navier_stokes()
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    with pytest.raises(ValueError, match="no time coordinate"):
        pde.Residual(domain.interior(64), causal=pde.Causal(4, 0.1))
    # a domain that calls y "time" but an equation without time: caught when the objective is built
    tdomain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)}, time="y")
    with pytest.raises(ValueError, match="time"):
        pde.PINNObjective(eq, {"r": pde.Residual(tdomain.interior(64), causal=pde.Causal(4, 0.1))})


@pytest.mark.parametrize(
    "kwargs", [dict(chunks=0, epsilon=0.1), dict(chunks=4, epsilon=-1.0), dict(chunks=2.5, epsilon=0.1)]
)
def test_bad_causal_settings(kwargs):
    with pytest.raises(ValueError, match="Causal"):
        pde.Causal(**kwargs)


def test_chunks_must_divide_points():
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    with pytest.raises(ValueError, match="multiple of chunks"):
        pde.Residual(domain.interior(100), causal=pde.Causal(16, 0.1))
