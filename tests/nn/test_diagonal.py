"""Diagonal linear networks x = u ⊙ u − v ⊙ v with every pluggable factor parameterization."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    FACTOR_LAYOUTS,
    RWF,
    DiagonalFactor,
    DiagonalNetwork,
    LogNormal,
    NormalizedWeight,
    Plain,
    WeightNorm,
    parameterization_classes,
    parse_parameterizations,
)

# Every registered parameterization that declares itself exact at initialization (command-line
# names and classes), plus variants of RWF; and those that do not (weight conditioning).
EXACT = {
    **{name: p for name, p in parse_parameterizations("all").items() if p.exact_at_init},
    **{cls.__name__: cls() for cls in parameterization_classes() if cls.exact_at_init and not cls.cli_names},
    "rwf-mu2": RWF(mean=2.0, std=0.5),
    "rwf-lognormal": RWF(distribution=LogNormal(0.0, 0.3)),
    "rwf-noexp": RWF(exponential=False),
}
NOT_EXACT = {name: p for name, p in parse_parameterizations("all").items() if not p.exact_at_init}
CASES = [(name, layout) for name in EXACT for layout in FACTOR_LAYOUTS]


@pytest.mark.parametrize("name, layout", CASES)
@pytest.mark.parametrize("alpha", [1e-3, 10.0])
def test_factors_are_exact_at_initialization(name, layout, alpha, key):
    net = DiagonalNetwork(9, alpha, EXACT[name], layout=layout, key=key)
    np.testing.assert_allclose(net.u(), alpha, rtol=1e-5)
    np.testing.assert_allclose(net.v(), alpha, rtol=1e-5)
    np.testing.assert_allclose(net.effective_vector(), 0.0, atol=1e-5 * alpha**2)


@pytest.mark.parametrize("name", NOT_EXACT)
def test_parameterizations_declared_inexact_do_not_reproduce_the_factor(name, key):
    net = DiagonalNetwork(9, 0.5, NOT_EXACT[name], layout="coordinate", key=key)
    assert not np.allclose(net.u(), 0.5)


def _random_point(net, key):
    """Move every trainable array off its (symmetric) initial value."""
    params, static = eqx.partition(net, eqx.is_array)
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(key, len(leaves))
    leaves = [x * (1.0 + 0.3 * jax.random.normal(k, x.shape, x.dtype)) for x, k in zip(leaves, keys)]
    return eqx.combine(jax.tree.unflatten(treedef, leaves), static)


@pytest.mark.parametrize("name, layout", CASES)
def test_gradients_match_finite_differences(name, layout, key):
    with jax.enable_x64(True):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        n, m = 7, 4
        net = _random_point(DiagonalNetwork(n, 0.8, EXACT[name], layout=layout, key=k1), k2)
        a = jax.random.normal(k3, (m, n), dtype=jnp.float64)
        y = jax.random.normal(k4, (m,), dtype=jnp.float64)
        params, static = eqx.partition(net, eqx.is_array)
        assert all(x.dtype == jnp.float64 for x in jax.tree.leaves(params))

        def loss(p):
            model = eqx.combine(p, static)
            return 0.5 * jnp.sum((jax.vmap(model)(a) - y) ** 2)

        grad = jax.grad(loss)(params)
        for _i, dkey in enumerate(jax.random.split(key, 3)):
            leaves, treedef = jax.tree.flatten(params)
            dirs = jax.tree.unflatten(
                treedef,
                [jax.random.normal(k, x.shape, x.dtype) for x, k in zip(leaves, jax.random.split(dkey, len(leaves)))],
            )
            eps = 1e-6
            plus = jax.tree.map(lambda p, d: p + eps * d, params, dirs)
            minus = jax.tree.map(lambda p, d: p - eps * d, params, dirs)
            fd = (loss(plus) - loss(minus)) / (2 * eps)
            analytic = sum(jnp.sum(g * d) for g, d in zip(jax.tree.leaves(grad), jax.tree.leaves(dirs)))
            np.testing.assert_allclose(analytic, fd, rtol=1e-7, atol=1e-9)


def test_network_is_the_inner_product_with_the_effective_vector(key):
    net = _random_point(DiagonalNetwork(5, 0.5, RWF(), key=key), key)
    a = jnp.arange(5.0)
    u, v = net.u(), net.v()
    np.testing.assert_allclose(net(a), jnp.dot(u * u - v * v, a), rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        net(jnp.ones(4))


def test_per_coordinate_weight_norm_is_plain_gradient_descent(key):
    """g_i·w_i/|w_i| = g_i·sign(w_i): w gets no gradient (up to round-off) and g moves like plain u."""
    k1, k2, k3 = jax.random.split(key, 3)
    wn = _random_point(DiagonalNetwork(6, 0.4, WeightNorm(), layout="coordinate", key=k1), k2)
    a = jax.random.normal(k3, (3, 6))
    y = jnp.array([0.3, -1.0, 0.5])

    def loss(net):
        return 0.5 * jnp.sum((jax.vmap(net)(a) - y) ** 2)

    g = jax.grad(loss)(wn)
    scale = float(jnp.max(jnp.abs(g.u.weight.g)))
    assert scale > 0
    np.testing.assert_allclose(g.u.weight.v, 0.0, atol=1e-6 * scale)  # zero up to round-off
    np.testing.assert_allclose(g.v.weight.v, 0.0, atol=1e-6 * scale)
    plain = DiagonalNetwork(6, 0.4, Plain(), key=k1)
    plain = eqx.tree_at(lambda n: (n.u.weight.w, n.v.weight.w), plain, (wn.u()[:, None], wn.v()[:, None]))
    gp = jax.grad(loss)(plain)
    np.testing.assert_allclose(g.u.weight.g * jnp.sign(wn.u.weight.v[:, 0]), gp.u.weight.w[:, 0], rtol=1e-5)


def test_whole_vector_weight_norm_is_one_neuron_with_plain_first_step(key):
    """Layout "vector": u = g·w/‖w‖ with one scalar g; at initialization (g = ‖w‖) the factor's
    tangent kernel J Jᵀ is the identity, so the first GD step moves u exactly like plain's."""
    net = DiagonalNetwork(8, 0.3, WeightNorm(), layout="vector", key=key)
    assert isinstance(net.u.weight, NormalizedWeight) and net.u.weight.g.shape == (1,)
    assert net.u.weight.v.shape == (1, 8)
    np.testing.assert_allclose(net.factor_kernel_norm(), 1.0, rtol=1e-5)


@pytest.mark.parametrize("alpha", [1e-2, 3.0])
def test_factor_kernel_norm_of_rwf(alpha, key):
    """Per coordinate: J Jᵀ = diag(exp(2 s_i) + u_i²) (rwf_paper Theorem 2's per-neuron rate);
    per vector: exp(2 s)·I + u uᵀ, largest eigenvalue exp(2 s) + ‖u‖²."""
    coord = DiagonalNetwork(6, alpha, RWF(mean=1.0, std=0.3), layout="coordinate", key=key)
    s = jnp.concatenate([coord.u.weight.s, coord.v.weight.s])
    np.testing.assert_allclose(coord.factor_kernel_norm(), jnp.max(jnp.exp(2 * s) + alpha**2), rtol=1e-4)
    vec = DiagonalNetwork(6, alpha, RWF(mean=1.0, std=0.3), layout="vector", key=key)
    s = jnp.concatenate([vec.u.weight.s, vec.v.weight.s])
    np.testing.assert_allclose(vec.factor_kernel_norm(), jnp.max(jnp.exp(2 * s) + 6 * alpha**2), rtol=1e-4)
    np.testing.assert_allclose(DiagonalNetwork(6, alpha, Plain(), key=key).factor_kernel_norm(), 1.0, rtol=1e-6)


def test_grid_of_networks_under_vmap_with_traced_scales(key):
    alphas = jnp.array([1e-3, 0.1, 10.0])
    nets = eqx.filter_vmap(lambda a, k: DiagonalNetwork(4, a, RWF(), key=k))(alphas, jax.random.split(key, 3))
    u = eqx.filter_vmap(lambda n: n.u())(nets)
    np.testing.assert_allclose(u, jnp.broadcast_to(alphas[:, None], (3, 4)), rtol=1e-5)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda k: DiagonalNetwork(0, 1.0, key=k), "size"),
        (lambda k: DiagonalNetwork(4, -1.0, key=k), "alpha"),
        (lambda k: DiagonalNetwork(4, 1.0, layout="row", key=k), "layout"),
        (lambda k: DiagonalNetwork(4, 1.0, "rwf", key=k), "parameterization"),
        (lambda k: DiagonalFactor(jnp.ones((2, 2)), key=k), "shape"),
    ],
)
def test_invalid_arguments_raise(make, match, key):
    with pytest.raises(ValueError, match=match):
        make(key)
