"""Adaptive loss-term weights in the optax shape: ``init(names) -> state``, ``update(norms, state) -> state``."""

from __future__ import annotations

import abc

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array


class AbstractLossWeighting(eqx.Module):
    """Multipliers m_i applied on top of each term's fixed λ_i: loss = Σ m_i · (λ_i L_i)."""

    update_every: eqx.AbstractVar[int]

    @abc.abstractmethod
    def init(self, names: tuple[str, ...]) -> dict[str, Array]: ...

    @abc.abstractmethod
    def update(self, grad_norms: dict[str, Array], state: dict[str, Array]) -> dict[str, Array]: ...


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
