"""Trainable equation parameters: their declaration, and the interface of a model that holds them.

:class:`Trainable` declares a parameter of an :class:`~pinnrwf.pde.Equation` as learned;
:class:`AbstractTrainableParameters` is what the equation asks of a model that carries learned
values (:class:`~pinnrwf.pde.InverseModel` is its member).
"""

from __future__ import annotations

import abc
import dataclasses
import math
from collections.abc import Mapping

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from pinnrwf._validation import finite_number


@dataclasses.dataclass(frozen=True)
class Trainable:
    """A trainable equation parameter: its ``initial`` value and an optional positivity transform.

    With ``positive=True`` the optimizer trains θ = log(value) and the value is exp(θ) (always
    > 0; Adam's steps on θ are then relative changes of the value, which suits a coefficient such
    as a viscosity that may be off by a factor of several); otherwise θ is the value itself.
    """

    initial: float
    positive: bool = False

    def __post_init__(self):
        object.__setattr__(self, "initial", finite_number("Trainable: initial", self.initial))
        if not isinstance(self.positive, bool):
            raise ValueError(f"Trainable: positive must be True or False, got {self.positive!r}")
        if self.positive and self.initial <= 0:
            raise ValueError(f"Trainable: initial must be > 0 with positive=True, got {self.initial!r}")

    def raw_initial(self) -> float:
        """θ at initialization (the unconstrained value the optimizer trains)."""
        return math.log(self.initial) if self.positive else self.initial

    def value(self, raw: Array) -> Array:
        """The parameter's value for the unconstrained θ = ``raw``."""
        return jnp.exp(raw) if self.positive else raw


class AbstractTrainableParameters(eqx.Module):
    """A model that carries the current values of trainable equation parameters."""

    @abc.abstractmethod
    def parameters(self) -> dict[str, Array]:
        """name → current value of every trainable parameter (scalar arrays)."""


def check_trainables_read(trainable: Mapping[str, Trainable], read: set[str]) -> None:
    """Raise ``ValueError`` if a trainable parameter is never read by the residual."""
    unused = [k for k in trainable if k not in read]
    if unused:
        raise ValueError(
            f"trainable parameter {unused[0]!r} is never used by the residual (the residual reads "
            f"{sorted(read) or 'no parameter'}): data alone cannot identify it; use it in the residual "
            f"or declare it as a plain value"
        )
