"""Analysis tools: effective weights, their relative change, and the empirical NTK (rwf_paper §3, Fig. 2)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf.nn import Linear


def linear_layers(model) -> list[Linear]:
    """Every ``Linear`` layer of a model, in tree order."""
    return [
        leaf for leaf in jax.tree.leaves(model, is_leaf=lambda x: isinstance(x, Linear)) if isinstance(leaf, Linear)
    ]


def effective_weights(model) -> list[Float[Array, "out in"]]:
    """The weight matrices actually applied, in the original (unfactorized) space."""
    return [layer.effective_weight() for layer in linear_layers(model)]


def relative_weight_change(model, initial_model) -> dict[str, Array]:
    """‖W − W₀‖_F / ‖W₀‖_F over all effective weight matrices (rwf_paper Fig. 2, bottom middle)."""
    w = effective_weights(model)
    w0 = effective_weights(initial_model)
    num = sum(jnp.sum((a - b) ** 2) for a, b in zip(w, w0))
    den = sum(jnp.sum(b**2) for b in w0)
    return {"weight_change": jnp.sqrt(num / den)}


def empirical_ntk(model, xs: Float[Array, "n d"]) -> Float[Array, "n n"]:
    """K_ij = ⟨∂f/∂θ(x_i), ∂f/∂θ(x_j)⟩ over the trainable parameters θ (scalar-output ``model``).

    θ are the model's own variables (s and V for RWF, g and v for WN, ...), as in rwf_paper §3.
    """
    params, static = eqx.partition(model, eqx.is_inexact_array)

    def f(p, x):
        out = eqx.combine(p, static)(x)
        return out.reshape(()) if out.size == 1 else out[0]

    jac = jax.vmap(jax.grad(f), in_axes=(None, 0))(params, xs)
    flat = jnp.concatenate([j.reshape(xs.shape[0], -1) for j in jax.tree.leaves(jac)], axis=1)
    return flat @ flat.T


def ntk_eigenvalues(model, xs: Float[Array, "n d"]) -> Float[Array, " n"]:
    """Eigenvalues of the empirical NTK in descending order."""
    return jnp.linalg.eigvalsh(empirical_ntk(model, xs))[::-1]
