"""Adaptive collocation: training points that live in the training state, redrawn from the model.

The engine knows only this interface; the residual-based samplers themselves (RAD, RAR-D) are PINN
specific and live in :mod:`pinnrwf.pde`.
"""

from __future__ import annotations

import abc

import equinox as eqx
from jaxtyping import Array, PRNGKeyArray, PyTree

from ._objective import AbstractObjective


class AbstractCollocation(eqx.Module):
    """Points kept per ensemble member in ``TrainState.collocation`` and checkpointed with it.

    Every ``every`` steps (at steps N, 2N, …, never at step 0) ``update`` redraws them inside the
    compiled chunk (``lax.cond`` on ``step % every``), from the model of that step; each step's
    batch is the objective's own draw with these points in place (``batch``).

    - ``for_run(objective, steps) -> collocation``: this collocation with its sizes settled for
      the objective and a run of ``steps`` steps; raises ``ValueError`` (eagerly, before any
      training) if they do not suit it.
    - ``init(objective, key) -> state``: one member's initial points (a pytree of arrays).
    - ``update(objective, model, state, key, step) -> state``: the points redrawn.
    - ``batch(objective, state, batch) -> batch``: this step's batch with the points in place.
    """

    every: eqx.AbstractVar[int]

    @abc.abstractmethod
    def for_run(self, objective: AbstractObjective, steps: int) -> "AbstractCollocation": ...

    @abc.abstractmethod
    def init(self, objective: AbstractObjective, key: PRNGKeyArray) -> PyTree: ...

    @abc.abstractmethod
    def update(
        self, objective: AbstractObjective, model: PyTree, state: PyTree, key: PRNGKeyArray, step: Array
    ) -> PyTree: ...

    @abc.abstractmethod
    def batch(self, objective: AbstractObjective, state: PyTree, batch: PyTree) -> PyTree: ...
