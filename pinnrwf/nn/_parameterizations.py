"""User-facing weight parameterizations.

A parameterization is a small, frozen configuration object. Given the base initial weight
W₀ (Glorot by default) it builds the layer's weight module so that the effective weight at
initialisation equals W₀ exactly (except ``WeightConditioning``, whose effective weight is the
equilibrated W₀), and it decides which activation module follows the layer.

    Linear(in_size, out_size, parameterization=RWF(mean=1.0, std=0.1), key=key)

Every hyper-parameter is checked when the object is made (``ValueError`` naming it), including
the float range: an RWF whose scales exp(s) would overflow JAX's default float is refused.
The final classes register themselves: ``pinnrwf.nn.parameterization_classes()`` finds them by
subclassing, and each declares its command-line names in ``cli_names``.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import finite_number, instance, one_of, positive_number

from ._activations import AbstractActivation, Activation, AdaptiveSlope
from ._weights import (
    AbstractWeight,
    DenseWeight,
    EquilibratedWeight,
    FactorizedWeight,
    NormalizedWeight,
    ScaledWeight,
)

#: Samples of a normal distribution are taken to lie within mean ± TAIL·std (P ≈ 2·10⁻⁹ outside).
TAIL = 6.0


def _float_range() -> tuple[str, float, float]:
    """JAX's default float: (name, smallest normal, largest finite)."""
    info = jnp.finfo(jnp.result_type(float))
    return info.dtype.name, float(info.tiny), float(info.max)


def _representable(name: str, value: float) -> float:
    """A positive number whose magnitude (and hence reciprocal) is a normal float of the default dtype."""
    dtype, tiny, big = _float_range()
    if not tiny <= value <= big:
        raise ValueError(f"{name} must be a normal {dtype} number (in [{tiny:.3g}, {big:.3g}]), got {value!r}")
    return value


def _exp(x: float) -> float:
    return math.exp(min(x, 700.0))  # saturates instead of raising OverflowError


# ----------------------------------------------------------------------------- distributions
class AbstractScaleDistribution(eqx.Module):
    """Distribution of the RWF scale variable s (rwf_paper App. D, Table 2)."""

    @abc.abstractmethod
    def sample(self, key: PRNGKeyArray, shape: tuple[int, ...]) -> Array: ...

    @abc.abstractmethod
    def support(self) -> tuple[float, float]:
        """An interval holding the samples (mean ± TAIL·std for the normal ones)."""


class Normal(AbstractScaleDistribution):
    """s ~ N(mean, std²) (the paper's default, mean = 1, std = 0.1)."""

    mean: float = eqx.field(static=True, default=1.0)
    std: float = eqx.field(static=True, default=0.1)

    def __check_init__(self):
        finite_number("mean", self.mean)
        positive_number("std", self.std, allow_zero=True)

    def sample(self, key, shape):
        return self.mean + self.std * jax.random.normal(key, shape)

    def support(self):
        return self.mean - TAIL * self.std, self.mean + TAIL * self.std


class LogNormal(AbstractScaleDistribution):
    """s = exp(z), z ~ N(mean, std²)."""

    mean: float = eqx.field(static=True, default=0.0)
    std: float = eqx.field(static=True, default=0.1)

    def __check_init__(self):
        finite_number("mean", self.mean)
        positive_number("std", self.std, allow_zero=True)

    def sample(self, key, shape):
        return jnp.exp(self.mean + self.std * jax.random.normal(key, shape))

    def support(self):
        return _exp(self.mean - TAIL * self.std), _exp(self.mean + TAIL * self.std)


class Uniform(AbstractScaleDistribution):
    """s ~ U(low, high)."""

    low: float = eqx.field(static=True, default=0.8)
    high: float = eqx.field(static=True, default=1.2)

    def __check_init__(self):
        finite_number("low", self.low)
        finite_number("high", self.high)
        if not self.high > self.low:
            raise ValueError(f"high must be > low, got low={self.low!r}, high={self.high!r}")

    def sample(self, key, shape):
        return jax.random.uniform(key, shape, minval=self.low, maxval=self.high)

    def support(self):
        return float(self.low), float(self.high)


class LogUniform(AbstractScaleDistribution):
    """log s ~ U(log low, log high), 0 < low < high."""

    low: float = eqx.field(static=True, default=0.8)
    high: float = eqx.field(static=True, default=1.2)

    def __check_init__(self):
        positive_number("low", self.low)
        positive_number("high", self.high)
        if not self.high > self.low:
            raise ValueError(f"high must be > low, got low={self.low!r}, high={self.high!r}")

    def sample(self, key, shape):
        u = jax.random.uniform(key, shape, minval=math.log(self.low), maxval=math.log(self.high))
        return jnp.exp(u)

    def support(self):
        return float(self.low), float(self.high)


# ---------------------------------------------------------------------------- parameterizations
class AbstractParameterization(eqx.Module):
    """How one dense layer's weight is parameterized (and which activation follows it).

    ``cli_names`` maps each command-line name of a final class to the keyword arguments it
    stands for (``{"wc-row": {"mode": "row"}}``; empty: no command-line name). ``exact_at_init``
    says whether the effective weight at initialisation equals the base W₀ exactly.
    """

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    exact_at_init: ClassVar[bool] = True

    @abc.abstractmethod
    def make_weight(self, w0: Float[Array, "out in"], *, key: PRNGKeyArray) -> AbstractWeight:
        """Re-express the initial weight ``w0`` in this parameterization's variables."""

    def make_activation(self, fn: Callable, size: int) -> AbstractActivation:
        """The activation module applied after a hidden layer of width ``size``."""
        return Activation(fn)


class Plain(AbstractParameterization):
    """W trainable directly; Glorot-normal W, zero bias (the paper's baseline)."""

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {"plain": {}}

    def make_weight(self, w0, *, key):
        return DenseWeight(w0)


class AdaptiveActivation(AbstractParameterization):
    """Neuron-wise adaptive activation (Jagtap et al. 2020; rwf_paper eq. 2.11): σ(n · a ⊙ z).

    The weights are plain; every activation following a layer gets a trainable slope vector a,
    initialised to ``init`` (default 1/n so that n·a = 1 and the network equals the plain one at
    initialisation; with the default n = 1, a = 1).
    """

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {"aa": {}}
    scale: float = eqx.field(static=True, default=1.0)
    init: float | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        _representable("scale", positive_number("scale", self.scale))
        if self.init is not None:
            init = finite_number("init", self.init)
            if init:
                _representable("init (its magnitude)", abs(init))

    def make_weight(self, w0, *, key):
        return DenseWeight(w0)

    def make_activation(self, fn, size):
        a0 = 1.0 / self.scale if self.init is None else self.init
        # a strong dtype: a weakly typed slope turns strong after the first update and retraces the step
        return AdaptiveSlope(jnp.full((size,), a0, dtype=jnp.result_type(float)), fn, self.scale)


class WeightNorm(AbstractParameterization):
    """Weight normalization (rwf_paper eq. 2.9), initialised so that g·v/‖v‖ = W₀: v = W₀, g = ‖W₀ row‖."""

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {"wn": {}}

    def make_weight(self, w0, *, key):
        return NormalizedWeight(g=jnp.sqrt(jnp.sum(w0**2, axis=1)), v=w0)


class RWF(AbstractParameterization):
    """Random weight factorization (rwf_paper eq. 2.3–2.4, Algorithm 1, App. C Listing 2).

    s ~ ``distribution`` per output neuron (default N(mean, std²) with mean = 1, std = 0.1),
    V = W₀ / exp(s) so that diag(exp(s))·V = W₀ exactly at initialisation.
    ``exponential=False`` gives the ablation W = diag(s)·V, V = W₀ / s.

    Refused when made: scales that leave the default float's range, i.e. |s| beyond
    B = ½·log(largest float) (44.4 for float32) anywhere in mean ± 6·std (the distribution's
    ``support()``), where exp(s) or W₀/exp(s) would overflow; for the ablation, |s| beyond exp(B)
    or below exp(−B) (e.g. mean = std = 0, a division by zero).
    """

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {"rwf": {}}
    mean: float = eqx.field(static=True, default=1.0)
    std: float = eqx.field(static=True, default=0.1)
    distribution: AbstractScaleDistribution | None = eqx.field(static=True, default=None)
    exponential: bool = eqx.field(static=True, default=True)

    def __check_init__(self):
        finite_number("mean", self.mean)
        positive_number("std", self.std, allow_zero=True)
        instance("exponential", self.exponential, bool, "True or False")
        if self.distribution is not None:
            instance(
                "distribution",
                self.distribution,
                AbstractScaleDistribution,
                "a pinnrwf.nn scale distribution (Normal, LogNormal, Uniform, LogUniform) or None",
            )
            if (self.mean, self.std) != (1.0, 0.1):
                raise ValueError(
                    f"give either mean/std or distribution, not both: distribution={self.distribution!r} "
                    f"replaces mean={self.mean!r}, std={self.std!r}"
                )
        self._check_range()

    def _check_range(self):
        dtype, _, big = _float_range()
        bound = 0.5 * math.log(big)
        lo, hi = self.scale_distribution.support()
        what = "distribution" if self.distribution is not None else "mean ± 6·std"
        if self.exponential:
            if hi > bound or lo < -bound:
                raise ValueError(
                    f"RWF: the scales s reach [{lo:.4g}, {hi:.4g}] ({what}), beyond ±{bound:.1f} = ±½·log(largest "
                    f"{dtype}), where exp(s) or V = W₀/exp(s) overflows; choose mean and std with |mean| + 6·std "
                    f"≤ {bound:.1f} (the paper: mean = 1, std = 0.1)"
                )
        else:
            top, floor = math.exp(bound), math.exp(-bound)
            near_zero = lo == hi == 0 or (lo >= 0 and lo < floor) or (hi <= 0 and hi > -floor)
            if max(abs(lo), abs(hi)) > top or near_zero:
                raise ValueError(
                    f"RWF(exponential=False): the scales s reach [{lo:.4g}, {hi:.4g}] ({what}); V = W₀/s needs "
                    f"{floor:.3g} ≤ |s| ≤ {top:.3g} in {dtype} (s = 0 divides by zero); choose mean and std "
                    f"accordingly (e.g. mean = 1, std = 0.1)"
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

    cli_names: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "wc-row": {"mode": "row"},
        "wc-col": {"mode": "col"},
        "wc-both": {"mode": "both"},
    }
    exact_at_init: ClassVar[bool] = False  # the effective weight is the equilibrated W₀
    mode: str = eqx.field(static=True, default="row")

    def __check_init__(self):
        one_of("mode", self.mode, ("row", "col", "both"))

    def make_weight(self, w0, *, key):
        return EquilibratedWeight(w0, self.mode)


class SirenScale(AbstractParameterization):
    """SIREN's weight scaling (rwf_paper eq. 2.10, App. G): W = ω0·Ŵ, ω0 fixed, Ŵ = W₀/ω0 trainable."""

    omega0: float = eqx.field(static=True, default=30.0)

    def __check_init__(self):
        _representable("omega0", positive_number("omega0", self.omega0))

    def make_weight(self, w0, *, key):
        return ScaledWeight(w0 / self.omega0, self.omega0)
