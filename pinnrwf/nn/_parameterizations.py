"""User-facing weight parameterizations.

A parameterization is a small, frozen configuration object. Given the base initial weight
W₀ (Glorot by default) it builds the layer's weight module so that the effective weight at
initialisation equals W₀ exactly (except ``WeightConditioning``, whose effective weight is the
equilibrated W₀), and it decides which activation module follows the layer.

    Linear(in_size, out_size, parameterization=RWF(mean=1.0, std=0.1), key=key)
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._activations import AbstractActivation, Activation, AdaptiveSlope
from ._weights import (
    AbstractWeight,
    DenseWeight,
    EquilibratedWeight,
    FactorizedWeight,
    NormalizedWeight,
    ScaledWeight,
)


def _check_finite(name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    _check_finite(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


# ----------------------------------------------------------------------------- distributions
class AbstractScaleDistribution(eqx.Module):
    """Distribution of the RWF scale variable s (rwf_paper App. D, Table 2)."""

    @abc.abstractmethod
    def sample(self, key: PRNGKeyArray, shape: tuple[int, ...]) -> Array: ...


class Normal(AbstractScaleDistribution):
    """s ~ N(mean, std²) (the paper's default, mean = 1, std = 0.1)."""

    mean: float = eqx.field(static=True, default=1.0)
    std: float = eqx.field(static=True, default=0.1)

    def __check_init__(self):
        _check_finite("mean", self.mean)
        _check_positive("std", self.std, allow_zero=True)

    def sample(self, key, shape):
        return self.mean + self.std * jax.random.normal(key, shape)


class LogNormal(AbstractScaleDistribution):
    """s = exp(z), z ~ N(mean, std²)."""

    mean: float = eqx.field(static=True, default=0.0)
    std: float = eqx.field(static=True, default=0.1)

    def __check_init__(self):
        _check_finite("mean", self.mean)
        _check_positive("std", self.std, allow_zero=True)

    def sample(self, key, shape):
        return jnp.exp(self.mean + self.std * jax.random.normal(key, shape))


class Uniform(AbstractScaleDistribution):
    """s ~ U(low, high)."""

    low: float = eqx.field(static=True, default=0.8)
    high: float = eqx.field(static=True, default=1.2)

    def __check_init__(self):
        _check_finite("low", self.low)
        _check_finite("high", self.high)
        if not self.high > self.low:
            raise ValueError(f"high must be > low, got low={self.low!r}, high={self.high!r}")

    def sample(self, key, shape):
        return jax.random.uniform(key, shape, minval=self.low, maxval=self.high)


class LogUniform(AbstractScaleDistribution):
    """log s ~ U(log low, log high), 0 < low < high."""

    low: float = eqx.field(static=True, default=0.8)
    high: float = eqx.field(static=True, default=1.2)

    def __check_init__(self):
        _check_positive("low", self.low)
        _check_positive("high", self.high)
        if not self.high > self.low:
            raise ValueError(f"high must be > low, got low={self.low!r}, high={self.high!r}")

    def sample(self, key, shape):
        u = jax.random.uniform(key, shape, minval=math.log(self.low), maxval=math.log(self.high))
        return jnp.exp(u)


# ---------------------------------------------------------------------------- parameterizations
class AbstractParameterization(eqx.Module):
    """How one dense layer's weight is parameterized (and which activation follows it)."""

    name: ClassVar[str] = ""

    @abc.abstractmethod
    def make_weight(self, w0: Float[Array, "out in"], *, key: PRNGKeyArray) -> AbstractWeight:
        """Re-express the initial weight ``w0`` in this parameterization's variables."""

    def make_activation(self, fn: Callable, size: int) -> AbstractActivation:
        """The activation module applied after a hidden layer of width ``size``."""
        return Activation(fn)


class Plain(AbstractParameterization):
    """W trainable directly; Glorot-normal W, zero bias (the paper's baseline)."""

    name: ClassVar[str] = "plain"

    def make_weight(self, w0, *, key):
        return DenseWeight(w0)


class AdaptiveActivation(AbstractParameterization):
    """Neuron-wise adaptive activation (Jagtap et al. 2020; rwf_paper eq. 2.11): σ(n · a ⊙ z).

    The weights are plain; every activation following a layer gets a trainable slope vector a,
    initialised to ``init`` (default 1/n so that n·a = 1 and the network equals the plain one at
    initialisation; with the default n = 1, a = 1).
    """

    name: ClassVar[str] = "aa"
    scale: float = eqx.field(static=True, default=1.0)
    init: float | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        _check_positive("scale", self.scale)
        if self.init is not None:
            _check_finite("init", self.init)

    def make_weight(self, w0, *, key):
        return DenseWeight(w0)

    def make_activation(self, fn, size):
        a0 = 1.0 / self.scale if self.init is None else self.init
        return AdaptiveSlope(jnp.full((size,), a0), fn, self.scale)


class WeightNorm(AbstractParameterization):
    """Weight normalization (rwf_paper eq. 2.9), initialised so that g·v/‖v‖ = W₀: v = W₀, g = ‖W₀ row‖."""

    name: ClassVar[str] = "wn"

    def make_weight(self, w0, *, key):
        return NormalizedWeight(g=jnp.sqrt(jnp.sum(w0**2, axis=1)), v=w0)


class RWF(AbstractParameterization):
    """Random weight factorization (rwf_paper eq. 2.3–2.4, Algorithm 1, App. C Listing 2).

    s ~ ``distribution`` per output neuron (default N(mean, std²) with mean = 1, std = 0.1),
    V = W₀ / exp(s) so that diag(exp(s))·V = W₀ exactly at initialisation.
    ``exponential=False`` gives the ablation W = diag(s)·V, V = W₀ / s.
    """

    name: ClassVar[str] = "rwf"
    mean: float = eqx.field(static=True, default=1.0)
    std: float = eqx.field(static=True, default=0.1)
    distribution: AbstractScaleDistribution | None = eqx.field(static=True, default=None)
    exponential: bool = eqx.field(static=True, default=True)

    def __check_init__(self):
        _check_finite("mean", self.mean)
        _check_positive("std", self.std, allow_zero=True)
        if self.distribution is not None and not isinstance(
            self.distribution, AbstractScaleDistribution
        ):
            raise ValueError(
                "distribution must be a pinnrwf.nn scale distribution (Normal, LogNormal, Uniform, "
                f"LogUniform) or None, got {self.distribution!r}"
            )

    @property
    def scale_distribution(self) -> AbstractScaleDistribution:
        return Normal(self.mean, self.std) if self.distribution is None else self.distribution

    def make_weight(self, w0, *, key):
        s = self.scale_distribution.sample(key, (w0.shape[0],))
        scale = jnp.exp(s) if self.exponential else s
        return FactorizedWeight(s=s, v=w0 / scale[:, None], exponential=self.exponential)


class WeightConditioning(AbstractParameterization):
    """Equilibrated weight conditioning (weight_conditioning_paper §4–5); see ``EquilibratedWeight``.

    ``mode`` is ``"row"`` (the paper's recommended row equilibration), ``"col"`` or ``"both"``.
    The stored variable starts at W₀; the effective weight is its equilibration.
    """

    name: ClassVar[str] = "wc"
    mode: str = eqx.field(static=True, default="row")

    def __check_init__(self):
        if self.mode not in ("row", "col", "both"):
            raise ValueError(f"mode must be 'row', 'col' or 'both', got {self.mode!r}")

    def make_weight(self, w0, *, key):
        return EquilibratedWeight(w0, self.mode)


class SirenScale(AbstractParameterization):
    """SIREN's weight scaling (rwf_paper eq. 2.10, App. G): W = ω0·Ŵ, ω0 fixed, Ŵ = W₀/ω0 trainable."""

    name: ClassVar[str] = "siren"
    omega0: float = eqx.field(static=True, default=30.0)

    def __check_init__(self):
        _check_positive("omega0", self.omega0)

    def make_weight(self, w0, *, key):
        return ScaledWeight(w0 / self.omega0, self.omega0)
