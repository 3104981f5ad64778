"""The CNN branch (rwf_paper App. L.2): shapes, the convolution itself, and every parameterization
reaching every dense layer (and the convolutions when asked)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    CNN,
    RWF,
    Activation,
    AdaptiveActivation,
    AdaptiveSlope,
    Conv2d,
    DeepONet,
    DenseWeight,
    FactorizedWeight,
    Linear,
    Plain,
    parameterization_classes,
)

# every parameterization class of the registry at its defaults (a new class is tested without editing this file)
CLASSES = {cls.__name__: cls for cls in parameterization_classes()}
SMALL = dict(channels=(3, 5), hidden=(7,))


def _weight_type(param):
    return type(Linear(2, 2, param, key=jax.random.PRNGKey(0)).weight)


def test_shapes_flattened_and_shaped_input(key):
    net = CNN((2, 17, 12), 6, channels=(4, 8, 8), kernel_size=3, stride=2, hidden=(16, 9), key=key)
    assert (net.in_size, net.out_size) == (2 * 17 * 12, 6)
    assert [c.output_shape(h, w) for c, (h, w) in zip(net.convs, [(17, 12), (9, 6), (5, 3)])] == [
        (9, 6),
        (5, 3),
        (3, 2),
    ]
    assert net.layers[0].in_size == 8 * 3 * 2 and [l.out_size for l in net.layers] == [16, 9, 6]
    x = jax.random.normal(key, (2, 17, 12))
    np.testing.assert_array_equal(net(x), net(x.reshape(-1)))
    assert net(x).shape == (6,)
    assert jax.vmap(net)(jnp.stack([x.reshape(-1)] * 3)).shape == (3, 6)
    with pytest.raises(ValueError, match=r"CNN expects one example of shape \(408,\) or \(2, 17, 12\)"):
        net(x[:, :-1])


def test_default_branch_is_the_documented_one(key):
    net = CNN((1, 64, 64), 128, key=key)
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.stride) for c in net.convs] == [
        (1, 16, (3, 3), (2, 2)),
        (16, 32, (3, 3), (2, 2)),
        (32, 64, (3, 3), (2, 2)),
        (64, 128, (3, 3), (2, 2)),
    ]
    assert [(l.in_size, l.out_size) for l in net.layers] == [(2048, 128), (128, 128)]


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, (2, 1), 2])
def test_conv2d_matches_equinox_conv2d(padding, stride, key):
    conv = Conv2d(3, 4, (3, 5), stride=stride, padding=padding, key=key)
    conv = eqx.tree_at(lambda c: c.bias, conv, jnp.arange(4.0))
    ref = eqx.nn.Conv2d(3, 4, (3, 5), stride=stride, padding=padding, key=key)
    ref = eqx.tree_at(lambda c: (c.weight, c.bias), ref, (conv.effective_kernel(), jnp.arange(4.0)[:, None, None]))
    x = jax.random.normal(jax.random.PRNGKey(1), (3, 11, 8))  # eqx: channels first; ours: channels last
    out = conv(jnp.moveaxis(x, 0, -1))
    np.testing.assert_allclose(jnp.moveaxis(out, -1, 0), ref(x), rtol=1e-5, atol=1e-5)
    assert out.shape[:2] == conv.output_shape(11, 8) == ref(x).shape[1:]


def test_conv2d_init_and_input_checks(key):
    big = Conv2d(64, 64, 3, key=key)  # Glorot normal with the convolution's fans: sqrt(2 / ((64 + 64) * 9))
    assert float(jnp.std(big.effective_kernel())) == pytest.approx(np.sqrt(2 / (128 * 9)), rel=0.05)
    with pytest.raises(ValueError, match=r"channels-last example of shape \(H, W, 64\), got \(64, 5, 5\)"):
        Conv2d(64, 2, 3, key=key)(jnp.zeros((64, 5, 5)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        Conv2d(1, 2, 5, padding="VALID", key=key)(jnp.zeros((3, 3, 1)))


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("convolutions", [False, True])
def test_parameterization_reaches_every_dense_layer_and_the_convolutions_when_asked(name, convolutions, key):
    param = CLASSES[name]()
    conv_param = param if convolutions else Plain()
    net = CNN((1, 9, 9), 4, parameterization=param, conv_parameterization=conv_param, key=key, **SMALL)
    assert all(type(l.weight) is _weight_type(param) for l in net.layers)
    assert all(type(c.weight) is _weight_type(conv_param) for c in net.convs)
    hidden_act = type(param.make_activation(jnp.tanh, 3))
    assert all(type(a) is hidden_act for a in net.activations)
    assert all(type(a) is type(conv_param.make_activation(jnp.tanh, 3)) for a in net.conv_activations)
    # exact parameterizations start as the plain network drawn from the same key
    plain = CNN((1, 9, 9), 4, key=key, **SMALL)
    x = jax.random.normal(jax.random.PRNGKey(2), (81,))
    if param.exact_at_init and conv_param.exact_at_init:
        np.testing.assert_allclose(net(x), plain(x), rtol=1e-4, atol=1e-6)
    # every trainable leaf gets a finite gradient
    grads = eqx.filter_grad(lambda m: jnp.sum(m(x) ** 2))(net)
    leaves = jax.tree.leaves(eqx.filter(grads, eqx.is_array))
    assert leaves and all(bool(jnp.all(jnp.isfinite(g))) for g in leaves)


def test_rwf_scale_and_adaptive_slope_are_per_output_channel(key):
    net = CNN((1, 9, 9), 4, conv_parameterization=RWF(), key=key, **SMALL)
    assert [type(c.weight) for c in net.convs] == [FactorizedWeight] * 2
    assert [c.weight.s.shape for c in net.convs] == [(3,), (5,)]
    assert all(type(l.weight) is DenseWeight for l in net.layers)  # dense layers: the (plain) default
    aa = CNN((1, 9, 9), 4, conv_parameterization=AdaptiveActivation(), key=key, **SMALL)
    assert [type(a) for a in aa.conv_activations] == [AdaptiveSlope] * 2
    assert [a.a.shape for a in aa.conv_activations] == [(3,), (5,)]
    assert [type(a) for a in aa.activations] == [Activation]
    # a zero slope on channel 0 of the first convolution switches that channel off (gelu(0) = 0)
    off = eqx.tree_at(lambda m: m.conv_activations[0].a, aa, jnp.array([0.0, 1.0, 1.0]))
    out = off.conv_activations[0](off.convs[0](jax.random.normal(jax.random.PRNGKey(3), (9, 9, 1))))
    assert float(jnp.max(jnp.abs(out[..., 0]))) == 0.0 and float(jnp.max(jnp.abs(out[..., 1]))) > 0.0


def test_cnn_as_deeponet_branch(key):
    branch = CNN((1, 9, 9), 8, key=key, **SMALL)
    net = DeepONet(81, 2, 8, 16, 2, activation="gelu", branch=branch, key=key)
    assert net(jnp.ones(81), jnp.array([0.5, 0.5])).shape == (1,)
    with pytest.raises(ValueError, match=r"branch must map \(81,\) sensor values to \(6,\)"):
        DeepONet(81, 2, 6, 16, 2, branch=branch, key=key)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(in_shape=(9, 9)), r"in_shape must be \(channels, height, width\)"),
        (dict(in_shape=(1, 0, 9)), r"in_shape\[1\] must be ≥ 1"),
        (dict(channels=(4, 0)), r"channels\[1\] must be ≥ 1"),
        (dict(hidden=(-1,)), r"hidden\[0\] must be ≥ 1"),
        (dict(kernel_size=(3, 3, 3)), "kernel_size must be a positive integer or a pair"),
        (dict(activation="nope"), "activation must be a callable or one of"),
        (dict(parameterization="rwf"), "parameterization must be a pinnrwf.nn parameterization"),
        (dict(conv_parameterization=[Plain()]), r"one entry per dense layer \(2\), got 1"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, match, key):
    args = dict(in_shape=(1, 9, 9), channels=(3, 5), hidden=(7,)) | kwargs
    with pytest.raises(ValueError, match=match):
        CNN(args.pop("in_shape"), 4, key=key, **args)
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        Conv2d(1, 2, 3, padding="FULL", key=key)
