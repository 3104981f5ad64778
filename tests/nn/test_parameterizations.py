"""Properties that every weight parameterization must satisfy (rwf_paper §2–3, App. B–D; WC §4–5)."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.nn import (
    MLP,
    PARAMETERIZATION_NAMES,
    RWF,
    AdaptiveActivation,
    FactorizedWeight,
    GlorotNormal,
    Linear,
    LogNormal,
    LogUniform,
    Plain,
    Uniform,
    WeightConditioning,
    WeightNorm,
    parameterization_classes,
    parse_parameterizations,
    row_equilibrate,
)

# Every parameterization class of the registry, at its defaults (a new class is tested here without
# editing this file), plus variants of the hyper-parameters.
CLASSES = {cls.__name__: cls for cls in parameterization_classes()}
EXACT_AT_INIT = {name: cls() for name, cls in CLASSES.items() if cls.exact_at_init} | {
    "aa-scale10": AdaptiveActivation(scale=10.0),
    "rwf-mu2": RWF(mean=2.0, std=0.5),
    "rwf-lognormal": RWF(distribution=LogNormal(0.0, 0.1)),
    "rwf-uniform": RWF(distribution=Uniform(0.8, 1.2)),
    "rwf-loguniform": RWF(distribution=LogUniform(0.8, 1.2)),
    "rwf-noexp": RWF(exponential=False),
}


def test_registry_holds_every_class_and_cli_name():
    assert {"Plain", "AdaptiveActivation", "WeightNorm", "RWF", "WeightConditioning", "SirenScale"} <= set(CLASSES)
    declared = [n for cls in CLASSES.values() for n in cls.cli_names]
    assert PARAMETERIZATION_NAMES == tuple(declared) and len(set(declared)) == len(declared)
    parsed = parse_parameterizations("all")
    assert tuple(parsed) == PARAMETERIZATION_NAMES
    for cls in CLASSES.values():
        for name, kwargs in cls.cli_names.items():
            assert type(parsed[name]) is cls and parsed[name] == cls(**kwargs)
    rwf = RWF(mean=0.5, std=0.1)
    assert parse_parameterizations("rwf", rwf=rwf)["rwf"] is rwf


@pytest.mark.parametrize("name", CLASSES)
def test_every_parameterization_trains_a_network(name, key):
    """Built at its defaults, every parameterization gives a network with finite values and
    finite, non-zero gradients, usable under jit."""
    net = MLP(2, 2, 8, 2, CLASSES[name](), key=key)
    loss = eqx.filter_jit(lambda m: jnp.sum(jax.vmap(m)(jnp.array([[0.3, -0.7], [1.0, 0.2]])) ** 2))
    value, grads = eqx.filter_value_and_grad(loss)(net)
    leaves = jax.tree.leaves(grads)
    assert np.isfinite(float(value)) and all(np.all(np.isfinite(g)) for g in leaves)
    assert sum(float(jnp.sum(jnp.abs(g))) for g in leaves) > 0


@pytest.mark.parametrize("name", EXACT_AT_INIT)
def test_effective_weight_equals_glorot_at_init(name, key):
    layer = Linear(7, 5, EXACT_AT_INIT[name], key=key)
    wkey, _ = jax.random.split(key)
    glorot = GlorotNormal()(wkey, 5, 7)
    np.testing.assert_allclose(layer.effective_weight(), glorot, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(layer.bias, np.zeros(5))


@pytest.mark.parametrize("name", EXACT_AT_INIT)
def test_networks_equal_plain_network_at_init(name, key):
    x = jnp.array([0.3, -0.7])
    plain = MLP(2, 3, 16, 3, Plain(), key=key)(x)
    other = MLP(2, 3, 16, 3, EXACT_AT_INIT[name], key=key)(x)
    np.testing.assert_allclose(other, plain, rtol=1e-5, atol=1e-6)


def test_glorot_variance(key):
    w = GlorotNormal()(key, 300, 500)
    assert abs(float(jnp.var(w)) / (2 / 800) - 1) < 0.02


@pytest.mark.parametrize(
    "param, check",
    [
        (RWF(mean=1.0, std=0.1), lambda s: abs(s.mean() - 1.0) < 0.005 and abs(s.std() - 0.1) < 0.005),
        (RWF(mean=-0.5, std=0.3), lambda s: abs(s.mean() + 0.5) < 0.015 and abs(s.std() - 0.3) < 0.01),
        (
            RWF(distribution=LogNormal(0.0, 0.2)),
            lambda s: s.min() > 0 and abs(np.log(s).mean()) < 0.01 and abs(np.log(s).std() - 0.2) < 0.01,
        ),
        (
            RWF(distribution=Uniform(0.8, 1.2)),
            lambda s: (
                s.min() >= 0.8
                and s.max() <= 1.2
                and abs(s.mean() - 1.0) < 0.005
                and abs(s.std() - 0.4 / math.sqrt(12)) < 0.005
            ),
        ),
        (
            RWF(distribution=LogUniform(0.5, 2.0)),
            lambda s: s.min() >= 0.5 and s.max() <= 2.0 and abs(np.log(s).mean()) < 0.02,
        ),
    ],
)
def test_rwf_scales_follow_requested_distribution(param, check, key):
    layer = Linear(3, 20_000, param, key=key)
    s = np.asarray(layer.weight.s)
    assert check(s)


def test_rwf_factorization_form(key):
    layer = Linear(4, 6, RWF(), key=key)
    w = layer.weight
    assert isinstance(w, FactorizedWeight)
    np.testing.assert_allclose(layer.effective_weight(), jnp.exp(w.s)[:, None] * w.v, rtol=1e-6)
    noexp = Linear(4, 6, RWF(exponential=False), key=key).weight
    np.testing.assert_allclose(noexp(), noexp.s[:, None] * noexp.v, rtol=1e-6)


def _loss_of_w(w, x, y):
    return jnp.sum((jnp.tanh(w @ x) - y) ** 2)


def test_rwf_gradients_follow_chain_rule(key):
    k1, k2, k3 = jax.random.split(key, 3)
    layer = Linear(5, 4, RWF(mean=0.5, std=0.3), key=k1)
    x, y = jax.random.normal(k2, (5,)), jax.random.normal(k3, (4,))
    w = layer.weight
    dl_dw = jax.grad(_loss_of_w)(w(), x, y)
    g = jax.grad(lambda wt: _loss_of_w(wt(), x, y))(w)
    scale = jnp.exp(w.s)
    # W = diag(e^s) V:  ∂L/∂V = diag(e^s) ∂L/∂W,  ∂L/∂s_k = e^{s_k} ⟨∂L/∂w_k, v_k⟩
    np.testing.assert_allclose(g.v, scale[:, None] * dl_dw, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g.s, scale * jnp.sum(dl_dw * w.v, axis=1), rtol=1e-5, atol=1e-7)


def test_weight_norm_gradients_follow_chain_rule(key):
    k1, k2, k3 = jax.random.split(key, 3)
    w = Linear(5, 4, WeightNorm(), key=k1).weight
    x, y = jax.random.normal(k2, (5,)), jax.random.normal(k3, (4,))
    dl_dw = jax.grad(_loss_of_w)(w(), x, y)
    g = jax.grad(lambda wt: _loss_of_w(wt(), x, y))(w)
    norm = jnp.linalg.norm(w.v, axis=1)
    u = w.v / norm[:, None]
    # Salimans & Kingma eq. 3: ∂L/∂g = ⟨∂L/∂w, v⟩/‖v‖,  ∂L/∂v = g/‖v‖ (I − uuᵀ) ∂L/∂w
    np.testing.assert_allclose(g.g, jnp.sum(dl_dw * u, axis=1), rtol=1e-5, atol=1e-7)
    proj = dl_dw - jnp.sum(dl_dw * u, axis=1, keepdims=True) * u
    np.testing.assert_allclose(g.v, (w.g / norm)[:, None] * proj, rtol=1e-4, atol=1e-6)


def _gd_step_remainders(w, x, y, rate, etas):
    """max |Δw + η·rate| after one gradient-descent step on the factorized variables, per η."""
    g = jax.grad(lambda wt: _loss_of_w(wt(), x, y))(w)
    out = []
    for eta in etas:
        stepped = jax.tree.map(lambda p, d: p - eta * d, w, g)
        out.append(float(jnp.max(jnp.abs(stepped() - w() + eta * rate))))
    return out


@pytest.mark.parametrize("in_size", [1, 6])
def test_theorem2_self_adaptive_update(in_size, key):
    """rwf_paper Theorem 2 (form without exp, w = s·v). One GD step on (s, v) gives exactly
    Δw = −η (s² I + v vᵀ) ∂L/∂w + O(η²) (A.10–A.11 multiplied out). The paper's eq. 2.8 writes
    the factor as (s² + ‖v‖²), which equals it along v and hence exactly for a scalar weight
    (in_size = 1, the setting of §2.1); we check both statements to O(η²)."""
    k1, k2, k3 = jax.random.split(key, 3)
    w = Linear(in_size, 3, RWF(exponential=False, mean=1.3, std=0.4), key=k1).weight
    x, y = jax.random.normal(k2, (in_size,)), jax.random.normal(k3, (3,))
    dl_dw = jax.grad(_loss_of_w)(w(), x, y)
    general = w.s[:, None] ** 2 * dl_dw + jnp.sum(w.v * dl_dw, axis=1, keepdims=True) * w.v
    paper = (w.s**2 + jnp.sum(w.v**2, axis=1))[:, None] * dl_dw
    etas = (4e-3, 2e-3, 1e-3)
    for rate in [general, paper] if in_size == 1 else [general]:
        err = _gd_step_remainders(w, x, y, rate, etas)
        assert err[-1] < 0.01 * float(jnp.max(jnp.abs(etas[-1] * rate)))  # first order dominates
        assert 3.0 < err[0] / err[1] < 5.0 and 3.0 < err[1] / err[2] < 5.0  # remainder is O(η²)
    if in_size > 1:  # the scalar factor of eq. 2.8 is off at first order away from v
        err = _gd_step_remainders(w, x, y, paper, etas)
        assert 1.5 < err[0] / err[1] < 2.5


def _kappa(a):
    s = np.linalg.svd(np.asarray(a, dtype=np.float64), compute_uv=False)
    return s[0] / s[-1]


@pytest.mark.slow
def test_van_der_sluis_bound_for_row_equilibration():
    """κ(EA) ≤ √m · κ(DA) for every diagonal D (Van der Sluis), A ∈ R^{m×n} of full row rank."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        m, n = rng.integers(2, 12), rng.integers(12, 20)
        a = rng.standard_normal((m, n)) * np.exp(rng.uniform(-3, 3, (m, 1)))
        ea = np.asarray(row_equilibrate(jnp.asarray(a, jnp.float32)), np.float64)
        np.testing.assert_allclose(np.linalg.norm(ea, axis=1), 1.0, rtol=1e-5)
        for _ in range(5):
            d = np.exp(rng.uniform(-4, 4, (m, 1)))
            assert _kappa(ea) <= math.sqrt(m) * _kappa(d * a) * (1 + 1e-4)
        assert _kappa(ea) <= math.sqrt(m) * _kappa(a) * (1 + 1e-4)


def test_row_equilibration_reduces_condition_number_of_badly_scaled_matrices():
    """Proposition 1 of the WC paper, κ(EW) ≤ κ(W), on random weights with rows of unequal scale
    (for matrices whose rows already have near-equal norms the guaranteed bound is the √m one)."""
    rng = np.random.default_rng(1)
    for _ in range(100):
        m, n = 16, 32
        w = rng.standard_normal((m, n)) * np.exp(rng.uniform(-2, 2, (m, 1)))
        ew = np.asarray(row_equilibrate(jnp.asarray(w, jnp.float32)), np.float64)
        assert _kappa(ew) <= _kappa(w)


@pytest.mark.parametrize("mode", ["row", "col", "both"])
def test_weight_conditioning_effective_weight(mode, key):
    layer = Linear(6, 4, WeightConditioning(mode), key=key)
    w_paper = np.asarray(layer.weight.w, np.float64).T  # (in, out), the paper's orientation
    if mode in ("row", "both"):
        w_paper = w_paper / np.linalg.norm(w_paper, axis=1, keepdims=True)
    if mode in ("col", "both"):
        w_paper = w_paper / np.linalg.norm(w_paper, axis=0, keepdims=True)
    np.testing.assert_allclose(layer.effective_weight(), w_paper.T, rtol=1e-5)
    # the equilibrator is recomputed from the stored matrix: rescaling it changes nothing
    rescaled = type(layer.weight)(3.0 * layer.weight.w, mode)
    np.testing.assert_allclose(rescaled(), layer.effective_weight(), rtol=1e-5)
    # and gradients flow through it: they are orthogonal to the stored matrix (scale invariance)
    g = jax.grad(lambda wt: jnp.sum(jnp.sin(wt() @ jnp.arange(6.0))))(layer.weight)
    assert abs(float(jnp.sum(g.w * layer.weight.w))) < 1e-4 * float(
        jnp.linalg.norm(g.w) * jnp.linalg.norm(layer.weight.w)
    )
    assert float(jnp.linalg.norm(g.w)) > 0


def test_adaptive_activation_slopes(key):
    net = MLP(1, 1, 8, 2, AdaptiveActivation(scale=5.0), key=key)
    for act in net.activations:
        np.testing.assert_allclose(act.a, 0.2)
        assert act.scale == 5.0
    grads = jax.grad(lambda m: m(jnp.array([0.3]))[0])(net)
    assert float(jnp.abs(grads.activations[0].a).sum()) > 0


def test_rwf_scale_range_follows_the_default_float():
    """exp(s) must stay representable: |s| ≤ ½·log(largest float) (44.4 in float32, 354.9 in float64)."""
    with pytest.raises(ValueError, match=r"mean and std .* ≤ 44\.4"):
        RWF(mean=100.0)
    with pytest.raises(ValueError, match="float32"):
        RWF(mean=-40.0, std=1.0)
    with pytest.raises(ValueError, match="distribution"):
        RWF(distribution=LogNormal(mean=4.0, std=0.1))  # s = exp(z) ≈ 55: exp(s) overflows
    with jax.enable_x64(True):
        layer = Linear(3, 4, RWF(mean=100.0), key=jax.random.key(0))
        assert layer.weight.s.dtype == jnp.float64 and np.all(np.isfinite(layer.effective_weight()))


def test_ablation_scale_must_stay_away_from_zero():
    with pytest.raises(ValueError, match="divides by zero"):
        RWF(mean=0.0, std=0.0, exponential=False)
    with pytest.raises(ValueError, match="exponential=False"):
        RWF(mean=1e-30, std=0.0, exponential=False)
    RWF(mean=1.3, std=0.4, exponential=False)  # s may cross 0; exactly 0 has probability 0
