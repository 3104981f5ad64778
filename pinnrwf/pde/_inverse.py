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

from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import function

from ._equation import Equation
from ._trainable import AbstractTrainableParameters, Trainable


class InverseModel(AbstractTrainableParameters):
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
