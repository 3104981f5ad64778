"""Activation modules. Adaptive activation (Jagtap et al. 2020) is a learnt per-neuron module."""

from __future__ import annotations

import abc
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


class AbstractActivation(eqx.Module):
    """An element-wise activation of one layer's pre-activations ``z: (n,) -> (n,)``, fixed or learnt."""

    @abc.abstractmethod
    def __call__(self, z: Float[Array, " n"]) -> Float[Array, " n"]: ...


class Activation(AbstractActivation):
    """A fixed element-wise nonlinearity σ(z)."""

    fn: Callable = eqx.field(static=True)

    def __call__(self, z):
        return self.fn(z)


class AdaptiveSlope(AbstractActivation):
    """Neuron-wise adaptive activation, rwf_paper eq. 2.11: σ(n · a ⊙ z), a trainable, shape ``(n,)``."""

    a: Float[Array, " n"]
    fn: Callable = eqx.field(static=True)
    scale: float = eqx.field(static=True, default=1.0)

    def __call__(self, z):
        return self.fn(self.scale * self.a * z)


#: The fixed activations by name: ``Activation(ACTIVATIONS[name])``.
ACTIVATIONS: dict[str, Callable] = {
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "sin": jnp.sin,
    "sigmoid": jax.nn.sigmoid,
    "softplus": jax.nn.softplus,
    "silu": jax.nn.silu,
    "swish": jax.nn.silu,
}


def activation_function(value: str | Callable, name: str = "activation") -> Callable:
    """An element-wise function, given as one (``jnp.tanh``) or by its name in :data:`ACTIVATIONS`."""
    if isinstance(value, str):
        if value not in ACTIVATIONS:
            raise ValueError(f"{name} must be a callable or one of {', '.join(map(repr, ACTIVATIONS))}; got {value!r}")
        return ACTIVATIONS[value]
    if not callable(value):
        raise ValueError(f"{name} must be a callable (e.g. jnp.tanh) or the name of one, got {value!r}")
    return value
