"""Inverse problems: equation parameters learned jointly with the network from data.

Declare a parameter trainable in the equation and train the network together with it::

    burgers = Equation(coords=("x", "t"), fields=("u",),
                       params={"nu": Trainable(0.05, positive=True)},
                       residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.u_xx)
    init_model = lambda key: InverseModel(MLP(2, 1, 64, 4, key=key), burgers)

:class:`InverseModel` is the trained pytree: the network and one unconstrained scalar θ per
trainable parameter, so the engine's optimizers, ensembles, checkpoints and saved runs treat θ
like any network weight. :class:`~pinnrwf.pde.PINNObjective` reads the current values from the
model when it builds the residual's :class:`~pinnrwf.pde.Point`, logs them (diagnostics
``param_<name>`` every chunk) and reports them as metrics (``<name>``, and ``<name>_rel_error``
when the :class:`~pinnrwf.pde.Reference` knows the true value), one value per ensemble member.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import finite_number, function


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


class InverseModel(eqx.Module):
    """A network and its equation's trainable parameters, trained together.

    ``__call__`` is the network's (``model(x)``, or ``model(a, y)`` for an operator network);
    :meth:`parameters` gives the current parameter values. ``raw[name]`` is θ (a scalar array in
    JAX's default float), see :class:`Trainable`.

    Args:
        network: the solution network (any callable pytree, e.g. an ``MLP``).
        equation: the :class:`~pinnrwf.pde.Equation` declaring at least one :class:`Trainable`.
    """

    network: Callable
    raw: dict[str, Float[Array, ""]]
    trainable: dict[str, Trainable] = eqx.field(static=True)

    def __init__(self, network: Callable, equation):
        from ._equation import Equation  # _equation imports Trainable from this module

        if not isinstance(equation, Equation):
            raise ValueError(f"InverseModel: equation must be a pinnrwf.pde.Equation, got {type(equation).__name__}")
        if not equation.trainable:
            raise ValueError(
                "InverseModel: the equation declares no trainable parameter (params={'name': "
                "pde.Trainable(initial)}); without one, use the network itself as the model"
            )
        self.network = function("InverseModel: network", network)
        self.trainable = dict(equation.trainable)
        self.raw = {k: jnp.asarray(spec.raw_initial(), dtype=float) for k, spec in self.trainable.items()}

    def __call__(self, *args):
        return self.network(*args)

    def parameters(self) -> dict[str, Array]:
        """name → current value of every trainable parameter (scalar arrays)."""
        return {k: spec.value(self.raw[k]) for k, spec in self.trainable.items()}


def trainable_values(equation, model) -> dict[str, Array]:
    """The current values of ``equation``'s trainable parameters held by ``model`` ({} if none).

    Raises ``ValueError`` (when the objective is first traced) if the equation has trainable
    parameters and ``model`` is not an :class:`InverseModel` holding exactly those.
    """
    if not equation.trainable:
        return {}
    names = tuple(equation.trainable)
    if not isinstance(model, InverseModel):
        raise ValueError(
            f"the equation has trainable parameters {names}: the model must be "
            f"pinnrwf.pde.InverseModel(network, equation), got {type(model).__name__}"
        )
    if set(model.trainable) != set(names):
        raise ValueError(
            f"the model's trainable parameters {tuple(model.trainable)} differ from the equation's {names}; "
            f"build it as InverseModel(network, equation) with this equation"
        )
    return model.parameters()


def check_trainables_read(trainable: Mapping[str, Trainable], read: set[str]) -> None:
    """Raise ``ValueError`` if a trainable parameter is never read by the residual."""
    unused = [k for k in trainable if k not in read]
    if unused:
        raise ValueError(
            f"trainable parameter {unused[0]!r} is never used by the residual (the residual reads "
            f"{sorted(read) or 'no parameter'}): data alone cannot identify it; use it in the residual "
            f"or declare it as a plain value"
        )
