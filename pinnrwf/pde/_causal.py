"""Causal weights for time-dependent residuals (Wang, Sankaran & Perdikaris 2022; rwf_paper eq. K.7–K.8)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def causal_weights(chunk_losses: Float[Array, " M"], epsilon: float | Array) -> Float[Array, " M"]:
    """w₁ = 1, w_i = exp(−ε Σ_{k<i} L_r^k) (eq. K.8), under ``stop_gradient``.

    Args:
        chunk_losses: (M,) residual losses L_r^1..L_r^M of the temporal chunks, in time order.
        epsilon: the causality parameter ε ≥ 0.
    Returns:
        (M,) weights in (0, 1], non-increasing.
    """
    losses = jax.lax.stop_gradient(chunk_losses)
    preceding = jnp.concatenate([jnp.zeros_like(losses[:1]), jnp.cumsum(losses)[:-1]])  # Σ_{k<i} L^k
    return jax.lax.stop_gradient(jnp.exp(-epsilon * preceding))
