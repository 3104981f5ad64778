"""The dense layer. Its weight strategy is a pluggable module (``AbstractWeight``)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._init import AbstractInitializer, GlorotNormal
from ._parameterizations import AbstractParameterization, Plain
from ._weights import AbstractWeight


def check_size(name: str, value: int) -> int:
    """Raise a clear error unless ``value`` is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def check_parameterization(value) -> AbstractParameterization:
    if not isinstance(value, AbstractParameterization):
        raise ValueError(
            "parameterization must be a pinnrwf.nn parameterization (Plain(), RWF(), WeightNorm(), "
            f"AdaptiveActivation(), WeightConditioning(), SirenScale()), got {value!r}"
        )
    return value


class Linear(eqx.Module):
    """y = W x + b with W the effective matrix of a pluggable weight module.

    ``__call__``: x ``(in_size,)`` → y ``(out_size,)``. The bias starts at zero.
    """

    weight: AbstractWeight
    bias: Float[Array, " out"]
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(
        self,
        in_size: int,
        out_size: int,
        parameterization: AbstractParameterization = Plain(),
        *,
        initializer: AbstractInitializer = GlorotNormal(),
        key: PRNGKeyArray,
    ):
        self.in_size = check_size("in_size", in_size)
        self.out_size = check_size("out_size", out_size)
        parameterization = check_parameterization(parameterization)
        wkey, pkey = jax.random.split(key)
        w0 = initializer(wkey, out_size, in_size)
        self.weight = parameterization.make_weight(w0, key=pkey)
        self.bias = jnp.zeros((out_size,))

    def effective_weight(self) -> Float[Array, "out in"]:
        """The weight matrix W actually applied, in the original (unfactorized) space."""
        return self.weight()

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        if x.shape != (self.in_size,):
            raise ValueError(f"Linear expects input of shape ({self.in_size},), got {x.shape}")
        return self.weight() @ x + self.bias
