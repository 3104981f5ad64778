"""Architectures match their equations on tiny hand-checked examples."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    MLP,
    RWF,
    AdaptiveActivation,
    Chain,
    DeepONet,
    FourierFeatures,
    Linear,
    ModifiedDeepONet,
    ModifiedMLP,
    PeriodicEmbedding,
    Plain,
    PositionalEncoding,
    WeightNorm,
    siren,
)


def _dense(layer):
    return np.asarray(layer.effective_weight(), np.float64), np.asarray(layer.bias, np.float64)


def _with_random_biases(model, key):
    """Non-zero biases so the check exercises them."""
    leaves, treedef = jax.tree.flatten(model, is_leaf=lambda x: isinstance(x, Linear))
    keys = jax.random.split(key, len(leaves))
    out = [
        eqx.tree_at(lambda l: l.bias, leaf, 0.3 * jax.random.normal(k, leaf.bias.shape))
        if isinstance(leaf, Linear)
        else leaf
        for leaf, k in zip(leaves, keys)
    ]
    return jax.tree.unflatten(treedef, out)


@pytest.mark.parametrize("param", [Plain(), RWF(), WeightNorm()])
def test_modified_mlp_matches_equations_k23_k27(param, key):
    net = _with_random_biases(ModifiedMLP(2, 2, 5, 3, param, key=key), jax.random.PRNGKey(7))
    x = np.array([0.4, -1.1])
    s = np.tanh
    w1, b1 = _dense(net.encoder_u)
    w2, b2 = _dense(net.encoder_v)
    U, V = s(w1 @ x + b1), s(w2 @ x + b2)  # K.23
    wh, bh = _dense(net.layers[0])
    H = s(wh @ x + bh)  # K.24
    for layer in net.layers[1:-1]:
        w, b = _dense(layer)
        Z = s(w @ H + b)  # K.25
        H = (1 - Z) * U + Z * V  # K.26
    wo, bo = _dense(net.layers[-1])
    expected = wo @ H + bo  # K.27
    np.testing.assert_allclose(net(jnp.asarray(x, jnp.float32)), expected, rtol=2e-5, atol=2e-6)
    assert len(net.layers) == 3 + 1


def test_modified_deeponet_matches_equations_l14_l20(key):
    net = _with_random_biases(ModifiedDeepONet(4, 2, 6, 3, RWF(), key=key), jax.random.PRNGKey(3))
    a, y = np.array([0.1, -0.5, 0.9, 0.2]), np.array([0.3, 0.7])
    s = np.tanh
    wa, ba = _dense(net.encoder_a)
    wy, by = _dense(net.encoder_y)
    U, V = s(wa @ a + ba), s(wy @ y + by)  # L.14

    def tower(h, layers):
        for layer in layers[:-1]:
            w, b = _dense(layer)
            Z = s(w @ h + b)  # L.16
            h = (1 - Z) * U + Z * V  # L.17 / L.18
        w, b = _dense(layers[-1])
        return s(w @ h + b)  # L.19

    expected = tower(a, net.branch_layers) @ tower(y, net.trunk_layers)  # L.20
    out = net(jnp.asarray(a, jnp.float32), jnp.asarray(y, jnp.float32))
    assert out.shape == (1,)
    np.testing.assert_allclose(out[0], expected, rtol=2e-5, atol=2e-6)


def test_deeponet_is_branch_dot_trunk_plus_bias(key):
    net = DeepONet(5, 2, latent_size=8, width=6, depth=2, num_outputs=2, key=key)
    net = eqx.tree_at(lambda n: n.bias, net, jnp.array([0.5, -1.0]))
    a, y = jnp.linspace(0, 1, 5), jnp.array([0.2, 0.3])
    b, t = net.branch(a), net.trunk(y)
    expected = jnp.array([b[:4] @ t[:4], b[4:] @ t[4:]]) + net.bias
    np.testing.assert_allclose(net(a, y), expected, rtol=1e-6)


def test_deeponet_pluggable_branch(key):
    class Mean(eqx.Module):
        out_size: int = eqx.field(static=True, default=4)

        def __call__(self, a):
            return jnp.full((4,), jnp.mean(a))

    net = DeepONet(3, 1, latent_size=4, width=4, depth=1, branch=Mean(), key=key)
    assert net(jnp.ones(3), jnp.ones(1)).shape == (1,)


def test_periodic_embedding_is_exactly_periodic(key):
    emb = PeriodicEmbedding(2, axes=(0,), periods=(2 * math.pi,))
    np.testing.assert_allclose(emb(jnp.array([0.3, 0.7])), [math.cos(0.3), math.sin(0.3), 0.7], rtol=1e-6)
    net = MLP(2, 1, 16, 2, RWF(), embedding=emb, key=key)
    grad_x = jax.grad(lambda x: net(x)[0])
    x0, x1 = jnp.array([0.0, 0.4]), jnp.array([2 * math.pi, 0.4])
    np.testing.assert_allclose(net(x0), net(x1), atol=1e-5)
    np.testing.assert_allclose(grad_x(x0), grad_x(x1), atol=1e-4)


def test_chained_embedding_keeps_periodicity_and_composes(key):
    periodic = PeriodicEmbedding(2, axes=(0,), periods=(2.0,))
    features = FourierFeatures(3, 8, 2.0, key=key)
    chain = Chain(periodic, features)
    assert (chain.in_size, chain.out_size) == (2, 16)
    x = jnp.array([-0.3, 0.5])
    np.testing.assert_array_equal(chain(x), features(periodic(x)))
    np.testing.assert_allclose(chain(x), chain(x + jnp.array([2.0, 0.0])), atol=1e-4)  # float32 round-off
    with pytest.raises(ValueError, match="outer.in_size must equal inner.out_size = 3, got 2"):
        Chain(periodic, FourierFeatures(2, 8, 2.0, key=key))
    with pytest.raises(ValueError, match="outer must be an embedding"):
        Chain(periodic, lambda x: x)


def test_fourier_features_are_fixed_and_positional_encoding_frequencies(key):
    ff = FourierFeatures(2, 16, 10.0, key=key)
    net = MLP(2, 1, 8, 1, embedding=ff, key=key)
    grads = jax.grad(lambda m: m(jnp.array([0.1, 0.2]))[0])(net)
    assert float(jnp.abs(grads.embedding.b).sum()) == 0.0
    assert ff(jnp.zeros(2)).shape == (32,)
    pe = PositionalEncoding(1, 4, 16.0)
    out = pe(jnp.array([0.25]))
    freqs = 16.0 ** (np.arange(4) / 4)
    np.testing.assert_allclose(
        out, np.concatenate([np.cos(2 * np.pi * freqs * 0.25), np.sin(2 * np.pi * freqs * 0.25)]), atol=1e-5
    )


def test_siren_init_and_scaling(key):
    net = siren(2, 1, 64, 3, omega0=30.0, key=key)
    first, hidden, last = net.layers[0], net.layers[1], net.layers[-1]
    assert float(jnp.max(jnp.abs(first.weight.w_hat))) <= 1 / 2
    bound = math.sqrt(6 / 64) / 30
    assert float(jnp.max(jnp.abs(hidden.weight.w_hat))) <= bound
    np.testing.assert_allclose(hidden.effective_weight(), 30 * hidden.weight.w_hat, rtol=1e-6)
    assert float(jnp.max(jnp.abs(last.effective_weight()))) <= bound * (1 + 1e-6)
    assert net(jnp.array([0.1, 0.2])).shape == (1,)


def test_adaptive_activation_in_every_hidden_layer_of_every_architecture(key):
    aa = AdaptiveActivation()
    assert all(hasattr(a, "a") for a in ModifiedMLP(2, 1, 4, 3, aa, key=key).activations)
    assert all(hasattr(a, "a") for a in ModifiedDeepONet(3, 2, 4, 2, aa, key=key).activations)
    assert all(hasattr(a, "a") for a in DeepONet(3, 2, 4, 4, 2, aa, key=key).trunk.activations)
