"""Base initialisations of a dense weight matrix, shape ``(out, in)``.

A parameterization (``pinnrwf.nn.RWF``, ...) receives the matrix drawn here and re-expresses it
in its own trainable variables so that its *effective* weight starts equal to it.
"""

from __future__ import annotations

import abc
import math

import equinox as eqx
import jax
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import instance, positive_number


class AbstractInitializer(eqx.Module):
    """Draws an ``(out, in)`` weight matrix."""

    @abc.abstractmethod
    def __call__(self, key: PRNGKeyArray, out_size: int, in_size: int) -> Float[Array, "out in"]: ...


class GlorotNormal(AbstractInitializer):
    """Glorot & Bengio (2010) normal: W_ij ~ N(0, 2 / (in + out)), the baseline of rwf_paper §3."""

    def __call__(self, key, out_size, in_size):
        std = math.sqrt(2.0 / (in_size + out_size))
        return std * jax.random.normal(key, (out_size, in_size))


class SirenUniform(AbstractInitializer):
    """SIREN init (Sitzmann et al. 2020) of the *effective* weight ω0·Ŵ.

    First layer: Ŵ ~ U(-1/in, 1/in); later layers: Ŵ ~ U(-√(6/in)/ω0, √(6/in)/ω0).
    The returned matrix is the effective weight ω0·Ŵ, so that ``SirenScale(omega0)`` recovers Ŵ.
    """

    omega0: float = eqx.field(static=True, default=30.0)
    first_layer: bool = eqx.field(static=True, default=False)

    def __check_init__(self):
        positive_number("omega0", self.omega0)
        instance("first_layer", self.first_layer, bool, "True or False")

    def __call__(self, key, out_size, in_size):
        bound = 1.0 / in_size if self.first_layer else math.sqrt(6.0 / in_size) / self.omega0
        w_hat = jax.random.uniform(key, (out_size, in_size), minval=-bound, maxval=bound)
        return self.omega0 * w_hat
