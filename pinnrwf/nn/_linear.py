"""The dense layer. Its weight strategy is a pluggable module (``AbstractWeight``)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import instance, positive_int

from ._init import AbstractInitializer, GlorotNormal
from ._parameterizations import AbstractParameterization, Plain
from ._weights import AbstractWeight


def check_size(name: str, value) -> int:
    """A positive integer size (``pinnrwf._validation.positive_int``; kept for the modules importing it)."""
    return positive_int(name, value)


def check_parameterization(value, name: str = "parameterization") -> AbstractParameterization:
    return instance(
        name,
        value,
        AbstractParameterization,
        "a pinnrwf.nn parameterization (Plain(), RWF(), WeightNorm(), AdaptiveActivation(), "
        "WeightConditioning(), SirenScale(), ...)",
    )


def check_initializer(value, name: str = "initializer") -> AbstractInitializer:
    return instance(name, value, AbstractInitializer, "a pinnrwf.nn initializer (GlorotNormal(), SirenUniform(), ...)")


def _check_finite_weight(w: Array, parameterization, in_size: int, out_size: int) -> None:
    """Refuse non-finite initial weights, when they are concrete (not while traced, e.g. under
    ``filter_vmap``; the parameterizations check their hyper-parameters for that case)."""
    if isinstance(w, jax.core.Tracer) or bool(jnp.all(jnp.isfinite(w))):
        return
    raise ValueError(
        f"parameterization {parameterization!r} gives non-finite initial weights for a layer of "
        f"in_size {in_size}, out_size {out_size} in {w.dtype}; choose hyper-parameters in the float range"
    )


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
        self.in_size = positive_int("in_size", in_size)
        self.out_size = positive_int("out_size", out_size)
        parameterization = check_parameterization(parameterization)
        initializer = check_initializer(initializer)
        wkey, pkey = jax.random.split(key)
        w0 = initializer(wkey, out_size, in_size)
        self.weight = parameterization.make_weight(w0, key=pkey)
        _check_finite_weight(self.weight(), parameterization, in_size, out_size)
        self.bias = jnp.zeros((out_size,))

    def effective_weight(self) -> Float[Array, "out in"]:
        """The weight matrix W actually applied, in the original (unfactorized) space."""
        return self.weight()

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        if x.shape != (self.in_size,):
            raise ValueError(f"Linear expects input of shape ({self.in_size},), got {x.shape}")
        return self.weight() @ x + self.bias
