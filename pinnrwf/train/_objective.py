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
    def loss_terms(self, model: PyTree, batch: PyTree, step: Array) -> tuple[dict[str, Array], dict[str, Array]]: ...

    def metrics(self, model: PyTree) -> dict[str, Array]:
        return {}


class AbstractBatchStream(eqx.Module):
    """Training batches produced on the host, for data that does not fit on the device.

    ``chunk(start_step, num_steps, seeds)`` returns a pytree of arrays with leading axes
    ``(num_steps, len(seeds), ...)``: row ``[i, m]`` is the batch of step ``start_step + i`` for
    the ensemble member seeded ``seeds[m]``. It must be a pure function of its arguments (so a
    resumed run sees the same batches), and its batches replace ``objective.sample`` in ``fit``;
    the objective's ``loss_terms`` is the same code for both.
    """

    @abc.abstractmethod
    def chunk(self, start_step: int, num_steps: int, seeds: list[int]) -> PyTree: ...
