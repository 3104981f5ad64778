"""PirateNet (Wang, Li, Chen, Perdikaris 2024, arXiv 2402.00326): residual adaptive networks.

    Φ = γ(x)                                          (an embedding, e.g. Fourier features)
    U = σ(W_u Φ + b_u),  V = σ(W_v Φ + b_v)            (the modified MLP's gates, shared)
    x⁽⁰⁾ = Φ;  for each block l = 1..L:
        f = σ(W₁ x⁽ˡ⁾ + b₁),   z₁ = f ⊙ U + (1 − f) ⊙ V
        g = σ(W₂ z₁ + b₂),     z₂ = g ⊙ U + (1 − g) ⊙ V
        h = σ(W₃ z₂ + b₃),     x⁽ˡ⁺¹⁾ = α⁽ˡ⁾ h + (1 − α⁽ˡ⁾) x⁽ˡ⁾
    u(x) = W_out x⁽ᴸ⁾ + b_out

The gates α⁽ˡ⁾ (one trainable scalar per block) start at 0, so at initialisation every block is
the identity and the network is the linear readout W_out Φ + b_out of its embedding; training
opens the gates and lets depth in gradually. :func:`least_squares_readout` fits that readout to
given data (the paper's physics-informed initialisation, e.g. on the initial condition).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

from pinnrwf._validation import instance, positive_int

from ._activations import AbstractActivation, activation_function
from ._embeddings import AbstractEmbedding
from ._linear import Linear
from ._mlp import Parameterizations, _check_input, _check_network, per_layer
from ._parameterizations import AbstractParameterization, Plain


class PirateBlock(eqx.Module):
    """One adaptive residual block: x ↦ α h(x, U, V) + (1 − α) x (module docstring).

    ``__call__(x, u, v)``: x, U, V ``(width,)`` → ``(width,)``. ``alpha`` is a 0-d array.
    """

    layers: tuple[Linear, Linear, Linear]
    activations: tuple[AbstractActivation, AbstractActivation, AbstractActivation]
    alpha: Float[Array, ""]

    def __init__(
        self,
        width: int,
        parameterizations: Sequence[AbstractParameterization],
        activation: Callable,
        *,
        alpha: float = 0.0,
        key: PRNGKeyArray,
    ):
        keys = jax.random.split(key, 3)
        self.layers = tuple(Linear(width, width, p, key=k) for p, k in zip(parameterizations, keys))
        self.activations = tuple(p.make_activation(activation, width) for p in parameterizations)
        # a strong dtype: a weakly typed gate turns strong after the first update and retraces the step
        self.alpha = jnp.asarray(alpha, dtype=jnp.result_type(float))

    def __call__(self, x: Float[Array, " w"], u: Float[Array, " w"], v: Float[Array, " w"]) -> Float[Array, " w"]:
        (dense_f, dense_g, dense_h), (act_f, act_g, act_h) = self.layers, self.activations
        f = act_f(dense_f(x))
        z1 = f * u + (1 - f) * v
        g = act_g(dense_g(z1))
        z2 = g * u + (1 - g) * v
        h = act_h(dense_h(z2))
        return self.alpha * h + (1 - self.alpha) * x


class PirateNet(eqx.Module):
    """PirateNet (arXiv 2402.00326; module docstring): ``depth`` residual blocks of ``width``.

    The blocks start from the embedding, so ``width`` must equal ``embedding.out_size``
    (e.g. ``FourierFeatures(in_size, width // 2, scale, key=...)``; without an embedding, the
    identity and ``width = in_size``). ``parameterization`` applies to every dense layer, or is a
    sequence with one entry per dense layer (3·depth + 3), in the order U, V, then W₁, W₂, W₃ of
    each block, then the output layer. ``__call__``: x ``(in_size,)`` → ``(out_size,)``.
    """

    embedding: AbstractEmbedding
    encoder_u: Linear
    encoder_v: Linear
    gate_activations: tuple[AbstractActivation, AbstractActivation]  # after U and V
    blocks: tuple[PirateBlock, ...]
    output: Linear
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)
    readout_parameterization: AbstractParameterization = eqx.field(static=True)

    def __init__(
        self,
        in_size: int,
        out_size: int,
        width: int,
        depth: int,
        parameterization: Parameterizations = Plain(),
        *,
        activation: str | Callable = jnp.tanh,
        embedding: AbstractEmbedding | None = None,
        key: PRNGKeyArray,
    ):
        self.in_size, self.out_size = positive_int("in_size", in_size), positive_int("out_size", out_size)
        self.embedding = _check_network(width, depth, embedding, in_size)
        if self.embedding.out_size != width:
            raise ValueError(
                f"width ({width}) must equal embedding.out_size ({self.embedding.out_size}): a PirateNet's blocks "
                "start as the identity on the embedding (e.g. FourierFeatures(in_size, width // 2, scale, key=...))"
            )
        activation = activation_function(activation)
        params = per_layer(parameterization, 3 * depth + 3)
        keys = jax.random.split(key, depth + 3)
        self.encoder_u = Linear(width, width, params[0], key=keys[0])
        self.encoder_v = Linear(width, width, params[1], key=keys[1])
        self.gate_activations = (
            params[0].make_activation(activation, width),
            params[1].make_activation(activation, width),
        )
        self.blocks = tuple(
            PirateBlock(width, params[2 + 3 * b : 5 + 3 * b], activation, key=keys[2 + b]) for b in range(depth)
        )
        self.output = Linear(width, out_size, params[-1], key=keys[-1])
        self.readout_parameterization = params[-1]

    def features(self, x: Float[Array, " in"]) -> Float[Array, " width"]:
        """x⁽ᴸ⁾, the input of the output layer (the embedding Φ(x) while the gates are 0)."""
        _check_input(x, self.in_size, "PirateNet")
        phi = self.embedding(x)
        act_u, act_v = self.gate_activations
        u, v = act_u(self.encoder_u(phi)), act_v(self.encoder_v(phi))
        h = phi
        for block in self.blocks:
            h = block(h, u, v)
        return h

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.output(self.features(x))


def least_squares_readout(
    model: PirateNet,
    points: Float[ArrayLike, "n in"],
    values: Float[ArrayLike, "n out"] | Float[ArrayLike, " n"],
    *,
    key: PRNGKeyArray | None = None,
) -> PirateNet:
    """The physics-informed initialisation of PirateNet: the output weight W_out that fits
    ``values`` at ``points`` in the least-squares sense (minimum-norm solution of
    F W_outᵀ = values − b_out, F the ``(n, width)`` features x⁽ᴸ⁾ at the points; the bias is kept).

    At initialisation (gates 0) F is the embedding Φ at the points, so with n ≤ width generic
    points the fit is exact to round-off. The weight is re-expressed in the output layer's
    parameterization (its ``make_weight``; ``key`` for those that draw variables, e.g. RWF's new
    scales s; default ``PRNGKey(0)``); a parameterization that cannot hold an arbitrary weight
    (``exact_at_init = False``, e.g. weight conditioning) is refused. ``points``: ``(n, in_size)``;
    ``values``: ``(n, out_size)``, or ``(n,)`` when ``out_size`` is 1. Works under ``jax.vmap``.
    """
    instance("model", model, PirateNet, "a pinnrwf.nn.PirateNet")
    readout = model.readout_parameterization
    if not readout.exact_at_init:
        raise ValueError(
            f"model: the output layer's parameterization {readout!r} cannot hold an arbitrary weight; give the "
            "PirateNet a parameterization sequence whose last entry is e.g. Plain(), RWF() or WeightNorm()"
        )
    points, values = jnp.asarray(points), jnp.asarray(values)
    if points.ndim != 2 or points.shape[1] != model.in_size or points.shape[0] < 1:
        raise ValueError(f"points must have shape (n, {model.in_size}) with n ≥ 1, got {points.shape}")
    n = points.shape[0]
    if values.shape == (n,) and model.out_size == 1:
        values = values[:, None]
    if values.shape != (n, model.out_size):
        raise ValueError(f"values must have shape ({n}, {model.out_size}) (one row per point), got {values.shape}")
    features = jax.vmap(model.features)(points)
    coefficients = jnp.linalg.lstsq(features, values - model.output.bias)[0]  # (width, out)
    key = jax.random.PRNGKey(0) if key is None else key
    weight = readout.make_weight(coefficients.T.astype(features.dtype), key=key)
    return eqx.tree_at(lambda m: m.output.weight, model, weight)
