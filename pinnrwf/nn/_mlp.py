"""Coordinate networks: MLP (rwf_paper eq. 2.1–2.2), modified MLP (eq. K.23–K.27), SIREN."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import instance, positive_int

from ._activations import AbstractActivation, activation_function
from ._embeddings import AbstractEmbedding, Identity
from ._init import AbstractInitializer, GlorotNormal, SirenUniform
from ._linear import Linear, check_initializer, check_parameterization
from ._parameterizations import AbstractParameterization, Plain, SirenScale

Parameterizations = AbstractParameterization | Sequence[AbstractParameterization]


def per_layer(parameterization: Parameterizations, num_layers: int) -> tuple[AbstractParameterization, ...]:
    """One parameterization for every dense layer, or an explicit sequence of ``num_layers``."""
    if isinstance(parameterization, AbstractParameterization):
        return (parameterization,) * num_layers
    if isinstance(parameterization, str) or not isinstance(parameterization, Sequence):
        check_parameterization(parameterization)  # raises: neither one parameterization nor a sequence
    params = tuple(parameterization)
    if len(params) != num_layers:
        raise ValueError(
            f"parameterization sequence must have one entry per dense layer ({num_layers}), got {len(params)}"
        )
    return tuple(check_parameterization(p, f"parameterization[{i}]") for i, p in enumerate(params))


def _check_embedding(embedding: AbstractEmbedding | None, in_size: int) -> AbstractEmbedding:
    if embedding is None:
        return Identity(in_size)
    instance("embedding", embedding, AbstractEmbedding, "a pinnrwf.nn embedding or None")
    if embedding.in_size != in_size:
        raise ValueError(f"embedding.in_size ({embedding.in_size}) must equal in_size ({in_size})")
    return embedding


def _check_network(width: int, depth: int, embedding: AbstractEmbedding | None, in_size: int) -> AbstractEmbedding:
    """Validate the sizes shared by every coordinate network; returns the (default) embedding."""
    positive_int("width", width)
    positive_int("depth", depth)
    return _check_embedding(embedding, in_size)


def _check_input(x: Array, in_size: int, name: str) -> None:
    if x.shape != (in_size,):
        raise ValueError(f"{name} expects one example of shape ({in_size},), got {x.shape}; vmap over batches")


class MLP(eqx.Module):
    """x ↦ W_{L+1} g_L + b_{L+1},  g_l = σ(W_l g_{l-1} + b_l),  g_0 = γ(x)  (rwf_paper eq. 2.1–2.2).

    ``depth`` hidden layers of ``width`` neurons (so depth + 1 dense layers). ``parameterization``
    applies to every dense layer, the output layer included (eq. 2.3), or is a sequence with one
    entry per dense layer. ``__call__``: x ``(in_size,)`` → ``(out_size,)``.
    """

    embedding: AbstractEmbedding
    layers: tuple[Linear, ...]
    activations: tuple[AbstractActivation, ...]
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

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
        initializers: Sequence[AbstractInitializer] | None = None,
        key: PRNGKeyArray,
    ):
        self.in_size, self.out_size = positive_int("in_size", in_size), positive_int("out_size", out_size)
        self.embedding = _check_network(width, depth, embedding, in_size)
        activation = activation_function(activation)
        params = per_layer(parameterization, depth + 1)
        inits = tuple(initializers) if initializers is not None else (GlorotNormal(),) * (depth + 1)
        if len(inits) != depth + 1:
            raise ValueError(f"initializers must have {depth + 1} entries (one per dense layer), got {len(inits)}")
        inits = tuple(check_initializer(init, f"initializers[{i}]") for i, init in enumerate(inits))
        sizes = [self.embedding.out_size] + [width] * depth + [out_size]
        keys = jax.random.split(key, depth + 1)
        self.layers = tuple(
            Linear(sizes[i], sizes[i + 1], params[i], initializer=inits[i], key=keys[i]) for i in range(depth + 1)
        )
        self.activations = tuple(params[i].make_activation(activation, width) for i in range(depth))

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        _check_input(x, self.in_size, "MLP")
        h = self.embedding(x)
        for layer, act in zip(self.layers[:-1], self.activations):
            h = act(layer(h))
        return self.layers[-1](h)


class ModifiedMLP(eqx.Module):
    """Modified MLP (Wang et al. 2021; rwf_paper eq. K.23–K.27).

        U = σ(W₁ x + b₁),  V = σ(W₂ x + b₂)                     (K.23)
        H⁽¹⁾ = σ(W⁽¹⁾ x + b⁽¹⁾)                                  (K.24)
        Z⁽ˡ⁾ = σ(W⁽ˡ⁺¹⁾ H⁽ˡ⁾ + b⁽ˡ⁺¹⁾),  l = 1..L−1              (K.25)
        H⁽ˡ⁺¹⁾ = (1 − Z⁽ˡ⁾) ⊙ U + Z⁽ˡ⁾ ⊙ V                        (K.26)
        u(x) = W⁽ᴸ⁺¹⁾ H⁽ᴸ⁾ + b⁽ᴸ⁺¹⁾                               (K.27)

    x is the embedded input γ(x). ``depth`` = L hidden layers. ``parameterization`` applies to all
    L + 3 dense layers (encoders U, V; hidden; output), or is a sequence in that order.
    """

    embedding: AbstractEmbedding
    encoder_u: Linear
    encoder_v: Linear
    layers: tuple[Linear, ...]
    activations: tuple[AbstractActivation, ...]  # U, V, H1, Z1..Z_{L-1}
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

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
        activation = activation_function(activation)
        params = per_layer(parameterization, depth + 3)
        d = self.embedding.out_size
        keys = jax.random.split(key, depth + 3)
        self.encoder_u = Linear(d, width, params[0], key=keys[0])
        self.encoder_v = Linear(d, width, params[1], key=keys[1])
        sizes = [d] + [width] * depth + [out_size]
        self.layers = tuple(Linear(sizes[i], sizes[i + 1], params[2 + i], key=keys[2 + i]) for i in range(depth + 1))
        self.activations = tuple(p.make_activation(activation, width) for p in params[: depth + 2])

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        _check_input(x, self.in_size, "ModifiedMLP")
        x = self.embedding(x)
        act_u, act_v, act_h, *act_z = self.activations
        u = act_u(self.encoder_u(x))
        v = act_v(self.encoder_v(x))
        h = act_h(self.layers[0](x))
        for layer, act in zip(self.layers[1:-1], act_z):
            z = act(layer(h))
            h = (1 - z) * u + z * v
        return self.layers[-1](h)


def siren(
    in_size: int,
    out_size: int,
    width: int,
    depth: int,
    *,
    omega0: float = 30.0,
    first_omega0: float | None = None,
    embedding: AbstractEmbedding | None = None,
    key: PRNGKeyArray,
) -> MLP:
    """A SIREN (Sitzmann et al. 2020): sine activations, SIREN init, W = ω0·Ŵ on the sine layers.

    Hidden layers hold ``SirenScale(omega0)`` weights initialised by ``SirenUniform``; the first
    layer uses ``first_omega0`` (default ``omega0``); the linear output layer is plain with the
    SIREN hidden-layer init. Biases start at zero (the reference code draws them uniformly).
    """
    positive_int("depth", depth)
    first_omega0 = omega0 if first_omega0 is None else first_omega0
    params = [SirenScale(first_omega0)] + [SirenScale(omega0)] * (depth - 1) + [Plain()]
    # The output layer is plain, so its effective weight is the SIREN hidden init Ŵ (not ω0·Ŵ).
    inits = (
        [SirenUniform(first_omega0, first_layer=True)]
        + [SirenUniform(omega0)] * (depth - 1)
        + [_Rescaled(SirenUniform(omega0), 1.0 / omega0)]
    )
    return MLP(
        in_size,
        out_size,
        width,
        depth,
        params,
        activation=jnp.sin,
        embedding=embedding,
        initializers=inits,
        key=key,
    )


class _Rescaled(AbstractInitializer):
    base: AbstractInitializer
    factor: float = eqx.field(static=True)

    def __call__(self, key, out_size, in_size):
        return self.factor * self.base(key, out_size, in_size)
