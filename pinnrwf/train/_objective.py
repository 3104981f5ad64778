"""What the training engine needs from a problem: an objective with three pure methods."""

from __future__ import annotations

import abc

import equinox as eqx
from jaxtyping import Array, PRNGKeyArray, PyTree


class AbstractObjective(eqx.Module):
    """A training objective. All methods are pure and jit-able; batches have fixed shapes.

    - ``sample(key) -> batch``: fresh training points (sampled on device, every step).
    - ``loss_terms(model, batch, step) -> (terms, diagnostics)``: per-term losses *already
      multiplied by their λ* (the engine sums them, times optional adaptive weights), and extra
      logged scalars. ``step`` is a traced int32 so schedules (curricula) never recompile.
    - ``metrics(model) -> dict``: evaluation metrics on fixed data (e.g. relative L² error).
    """

    @abc.abstractmethod
    def sample(self, key: PRNGKeyArray) -> PyTree: ...

    @abc.abstractmethod
    def loss_terms(
        self, model: PyTree, batch: PyTree, step: Array
    ) -> tuple[dict[str, Array], dict[str, Array]]: ...

    def metrics(self, model: PyTree) -> dict[str, Array]:
        return {}
