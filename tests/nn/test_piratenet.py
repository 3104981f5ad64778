"""PirateNet: the identity blocks at initialisation, the least-squares readout, the gates, vmap, bad inputs."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    FourierFeatures,
    Identity,
    PirateNet,
    Plain,
    WeightConditioning,
    least_squares_readout,
    parse_parameterizations,
)

PARAMETERIZATIONS = parse_parameterizations("all")  # every registered parameterization
IN, OUT, FEATURES, DEPTH = 2, 2, 8, 2  # width = 2·FEATURES = 16, 3·DEPTH + 3 = 9 dense layers


K = jax.random.PRNGKey(0)


def pirate(parameterization, key=jax.random.PRNGKey(1)):
    ekey, nkey = jax.random.split(key)
    return PirateNet(
        IN, OUT, 2 * FEATURES, DEPTH, parameterization, embedding=FourierFeatures(IN, FEATURES, 1.0, key=ekey), key=nkey
    )


def points(n, key=jax.random.PRNGKey(2)):
    return jax.random.uniform(key, (n, IN), minval=-1.0, maxval=1.0)


@eqx.filter_jit
def readout_and_network(net, x):
    """(u(x), W_out Φ(x) + b_out, x⁽ᴸ⁾, Φ(x)) at the points x."""
    return (
        jax.vmap(net)(x),
        jax.vmap(lambda p: net.output(net.embedding(p)))(x),
        jax.vmap(net.features)(x),
        jax.vmap(net.embedding)(x),
    )


@pytest.mark.parametrize("name", ["plain", "rwf", "aa"])
def test_at_initialisation_the_network_is_the_linear_readout_of_its_embedding(name):
    """Gates α = 0: every block is the identity, so u(x) = W_out Φ(x) + b_out exactly."""
    net = pirate(PARAMETERIZATIONS[name])
    assert all(float(b.alpha) == 0.0 for b in net.blocks) and len(net.blocks) == DEPTH
    u, readout, features, phi = readout_and_network(net, points(5))
    np.testing.assert_array_equal(np.asarray(u), np.asarray(readout))
    np.testing.assert_array_equal(np.asarray(features), np.asarray(phi))


@eqx.filter_jit
def fit_readout(net, x, values, key):
    fitted = least_squares_readout(net, x, values, key=key)
    return fitted, jax.vmap(fitted)(x)


@pytest.mark.parametrize("name", ["plain", "rwf"])
def test_the_least_squares_readout_fits_solvable_data_exactly(name):
    """n = 12 ≤ width = 16 generic points: F W_outᵀ = values has an exact (minimum-norm) solution;
    only the output weight changes, in the output layer's parameterization. In float64."""
    net32 = pirate(PARAMETERIZATIONS[name])
    with jax.enable_x64(True):
        net = jax.tree.map(lambda a: a.astype(jnp.float64) if eqx.is_inexact_array(a) else a, net32)
        x = points(12).astype(jnp.float64)
        values = jnp.stack([jnp.sin(3 * x[:, 0]) * x[:, 1], jnp.exp(x[:, 0])], axis=1)
        fitted, predicted = fit_readout(net, x, values, jax.random.PRNGKey(3))
        assert predicted.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(predicted), np.asarray(values), rtol=0, atol=1e-10)
        assert type(fitted.output.weight) is type(net.output.weight)
        assert eqx.tree_equal(eqx.tree_at(lambda m: m.output.weight, fitted, net.output.weight), net)


@eqx.filter_jit
def normal_equations(net, x, values):
    """Fᵀ (F W_outᵀ − values) after the least-squares readout of a scalar network (values (n,))."""
    residual = jax.vmap(least_squares_readout(net, x, values))(x)[:, 0] - values
    return jax.vmap(net.features)(x).T @ residual


def test_a_scalar_readout_takes_a_vector_of_values_and_solves_least_squares_beyond_the_width():
    net = PirateNet(2, 1, 2, 1, key=K)
    x = points(40)  # more points than features: the residual is orthogonal to the features
    values = jnp.cos(2 * x[:, 0])
    assert float(jnp.max(jnp.abs(normal_equations(net, x, values)))) < 1e-5 * float(jnp.linalg.norm(values))


def test_the_gates_receive_gradients_and_open_the_blocks():
    net = pirate(Plain())
    x = points(4)
    loss = eqx.filter_jit(lambda m: jnp.sum(jax.vmap(m)(x) ** 2))
    grads = eqx.filter_grad(loss)(net)
    assert all(float(jnp.abs(b.alpha)) > 0 for b in grads.blocks)
    opened = eqx.tree_at(lambda m: m.blocks[0].alpha, net, jnp.asarray(0.5, net.blocks[0].alpha.dtype))
    assert float(loss(opened)) != float(loss(net))


def tiny_pirate(key):
    """Width = in_size = out_size = 2 without an embedding: every dense weight is 2 × 2 (one random
    draw to compile under vmap)."""
    return PirateNet(2, 2, 2, 1, key=key)


def test_networks_and_readouts_vmap_over_keys():
    keys = jax.random.split(K, 3)
    x = points(2)  # n = width: exactly solvable
    values = jnp.array([[1.0, -2.0], [0.5, 3.0]])
    nets = eqx.filter_vmap(tiny_pirate)(keys)
    fitted = eqx.filter_vmap(lambda m: least_squares_readout(m, x, values))(nets)
    evaluate = eqx.filter_jit(eqx.filter_vmap(lambda m: jax.vmap(m)(x)))
    out = evaluate(fitted)
    assert out.shape == (3, 2, 2)
    np.testing.assert_allclose(np.asarray(out), np.broadcast_to(np.asarray(values), out.shape), atol=1e-5)
    one = tiny_pirate(keys[1])  # member 1 is the network built from key 1
    np.testing.assert_allclose(np.asarray(evaluate(nets)[1]), np.asarray(jax.vmap(one)(x)), rtol=1e-6, atol=1e-6)


EMB = FourierFeatures(IN, FEATURES, 1.0, key=K)
CASES = [
    ("depth 0", lambda: PirateNet(IN, 1, 16, 0, embedding=EMB, key=K), "depth must be ≥ 1"),
    (
        "width not the embedding's",
        lambda: PirateNet(IN, 1, 32, 2, embedding=EMB, key=K),
        "width (32) must equal embedding.out_size (16)",
    ),
    ("no embedding, width not in_size", lambda: PirateNet(IN, 1, 16, 2, key=K), "width (16) must equal embedding"),
    (
        "embedding of another input size",
        lambda: PirateNet(3, 1, 16, 2, embedding=EMB, key=K),
        "embedding.in_size (2) must equal in_size (3)",
    ),
    (
        "parameterization sequence too short",
        lambda: PirateNet(IN, 1, 16, 1, [Plain()] * 5, embedding=EMB, key=K),
        "one entry per dense layer (6)",
    ),
    (
        "readout of another model",
        lambda: least_squares_readout(Identity(2), points(3), jnp.zeros(3)),
        "model must be a pinnrwf.nn.PirateNet",
    ),
    (
        "readout points of the wrong width",
        lambda: least_squares_readout(pirate(Plain()), jnp.zeros((3, 3)), jnp.zeros((3, OUT))),
        "points must have shape",
    ),
    (
        "readout values of the wrong shape",
        lambda: least_squares_readout(pirate(Plain()), points(3), jnp.zeros(3)),
        "values must have shape (3, 2)",
    ),
    (
        "readout into weight conditioning",
        lambda: least_squares_readout(pirate(WeightConditioning()), points(3), jnp.zeros((3, OUT))),
        "cannot hold an arbitrary weight",
    ),
]


@pytest.mark.parametrize("description, call, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_value_error_naming_the_argument(description, call, fragment):
    with pytest.raises(ValueError) as info:
        call()
    assert fragment in str(info.value) and "\n" not in str(info.value)
