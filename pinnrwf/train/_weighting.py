"""Adaptive loss-term weights in the optax shape: ``init(names) -> state``, ``update(stats, state) -> state``.

A weighting names the per-term statistic it is updated from (``statistic``): ``"grad_norm"``, the norm of
the gradient of each λ-weighted term (:class:`GradNormWeighting`), or ``"ntk_trace"``, the mean of the
diagonal of each term's neural tangent kernel (:class:`NTKWeighting`; it needs an objective with
``ntk_diagonal``, e.g. :class:`pinnrwf.pde.PINNObjective`).
"""

from __future__ import annotations

import abc
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array


class AbstractLossWeighting(eqx.Module):
    """Multipliers m_i applied on top of each term's fixed λ_i: loss = Σ m_i · (λ_i L_i)."""

    update_every: eqx.AbstractVar[int]
    # what ``update`` is given per term: "grad_norm" (‖∇(λ_i L_i)‖) or "ntk_trace" (mean_p K_i(p))
    statistic: ClassVar[str] = "grad_norm"

    @abc.abstractmethod
    def init(self, names: tuple[str, ...]) -> dict[str, Array]: ...

    @abc.abstractmethod
    def update(self, grad_norms: dict[str, Array], state: dict[str, Array]) -> dict[str, Array]: ...


def _check_schedule(update_every, momentum) -> None:
    if isinstance(update_every, bool) or not isinstance(update_every, int) or update_every < 1:
        raise ValueError(f"update_every must be an integer ≥ 1, got {update_every!r}")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum < 1:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")


class GradNormWeighting(AbstractLossWeighting):
    """Gradient-norm balancing (Wang, Wang & Perdikaris 2023, "an expert's guide", Alg. 1).

    Every ``update_every`` steps: m̂_i = Σ_j ‖∇L_j‖ / ‖∇L_i‖ and m_i ← α m_i + (1 − α) m̂_i,
    α = ``momentum``. The per-term gradient norms are taken of the λ-weighted terms.
    """

    update_every: int = eqx.field(static=True, default=1000)
    momentum: float = eqx.field(static=True, default=0.9)

    def __check_init__(self):
        if self.update_every < 1:
            raise ValueError(f"update_every must be ≥ 1, got {self.update_every!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")

    def init(self, names):
        return {n: jnp.ones(()) for n in names}

    def update(self, grad_norms, state):
        total = sum(grad_norms.values())
        return {n: self.momentum * state[n] + (1 - self.momentum) * total / (grad_norms[n] + 1e-12) for n in state}


class NTKWeighting(AbstractLossWeighting):
    """NTK-trace balancing (Wang, Wang & Perdikaris 2023, "An expert's guide to training PINNs", its
    loss-balancing section; the ``"ntk"`` weighting scheme of JAX-PI).

    For each loss term i with residuals r_i(x_p; θ) at its points p = 1 … N_i, the diagonal of its
    neural tangent kernel is K_i(p) = ‖∂r_i(x_p)/∂θ‖². Every ``update_every`` steps (from step 0):

        m̂_i = Σ_j K̄_j / K̄_i,   K̄_i = mean_p K_i(p) = tr(K_ii) / N_i,
        m_i ← α m_i + (1 − α) m̂_i,   α = ``momentum``, m_i = 1 at the start.

    Normalisation: the mean over points (the trace divided by N_i), as JAX-PI takes it (``jnp.mean`` of
    each diagonal of its ``compute_diag_ntk``), so that a term does not get a smaller weight for having
    more points; the Guide writes the traces, the same thing for terms with equally many points. JAX-PI
    divides the mean of the K̄_j rather than their sum (a factor common to all terms, the number of
    terms); the sum here is the one of :class:`GradNormWeighting`.

    The residuals are those of the λ-weighted terms, √λ_i r_i (the terms :class:`GradNormWeighting`
    takes the gradients of), so that the product m_i λ_i does not depend on λ_i; a causally weighted
    residual enters with its time-chunk weights (K_i(p) times the weight of the chunk of x_p, held
    constant). θ: every inexact array of the model, as the optimizer trains them. Cost: one gradient per
    point and term at each update, computed ``block`` points at a time (memory: ``block`` × parameters).
    """

    update_every: int = eqx.field(static=True, default=1000)
    momentum: float = eqx.field(static=True, default=0.9)
    block: int = eqx.field(static=True, default=256)
    statistic: ClassVar[str] = "ntk_trace"

    def __check_init__(self):
        _check_schedule(self.update_every, self.momentum)
        if isinstance(self.block, bool) or not isinstance(self.block, int) or self.block < 1:
            raise ValueError(f"block must be an integer ≥ 1, got {self.block!r}")

    def init(self, names):
        return {n: jnp.ones(()) for n in names}

    def update(self, ntk_traces, state):
        total = sum(ntk_traces.values())
        return {n: self.momentum * state[n] + (1 - self.momentum) * total / (ntk_traces[n] + 1e-12) for n in state}
