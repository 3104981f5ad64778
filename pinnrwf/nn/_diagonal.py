"""Diagonal linear networks with pluggable factor parameterizations.

The model of the implicit-regularization literature (Woodworth et al. 2020, "Kernel and rich
regimes"; Chou, Rauhut & Ward 2023, "Robust implicit regularization via weight normalization"):
a vector x ∈ Rⁿ written as the depth-2 diagonal network

    x = u ⊙ u − v ⊙ v,     f(a) = ⟨x, a⟩,

trained by gradient descent on the factors from u₀ = v₀ = α·1 (so x₀ = 0). For least squares
with more unknowns than equations, small α biases gradient descent towards the minimum-ℓ1
interpolant and large α towards the minimum-ℓ2 one.

Each factor is held by the same ``AbstractWeight`` modules that dense layers use, built by a
parameterization's own ``make_weight`` from the initial factor written as a weight matrix, so the
effective factor at initialisation is exactly α·1 (as for a dense layer). A parameterization acts
per *neuron* (per row of the matrix), so the ``layout`` of the factor decides what it means:

- ``"coordinate"``: u₀ as an ``(n, 1)`` column — the diagonal layer diag(u) seen as n neurons with
  one weight each. ``RWF``: u_i = exp(s_i)·v_i, one scale per coordinate. ``WeightNorm``
  degenerates: u_i = g_i·w_i/|w_i| = g_i·sign(w_i) and w receives no gradient (plain GD on g).
- ``"vector"``: u₀ as a ``(1, n)`` row — one neuron holding the whole vector. ``WeightNorm``:
  u = g·w/‖w‖ with one g per factor (the polar form r·θ, ‖θ‖ = 1); ``RWF``: u = exp(s)·v with
  one scalar s per factor.
"""

from __future__ import annotations

import numbers

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree
from jaxtyping import Array, Float, PRNGKeyArray, Scalar

from pinnrwf import _validation as check

from ._linear import check_parameterization, check_size
from ._parameterizations import AbstractParameterization, Plain
from ._weights import AbstractWeight

#: The ``layout`` choices of a :class:`DiagonalFactor` (see the module docstring).
FACTOR_LAYOUTS = ("coordinate", "vector")


class DiagonalFactor(eqx.Module):
    """One factor u ∈ Rⁿ of a diagonal network, held by a pluggable weight module.

    ``__call__() -> (n,)``: the effective factor (the weight module's matrix, flattened).
    """

    weight: AbstractWeight
    layout: str = eqx.field(static=True)

    def __init__(
        self,
        u0: Float[Array, " n"],
        parameterization: AbstractParameterization = Plain(),
        *,
        layout: str = "coordinate",
        key: PRNGKeyArray,
    ):
        check.one_of("layout", layout, FACTOR_LAYOUTS)
        if jnp.ndim(u0) != 1:
            raise ValueError(f"DiagonalFactor expects an initial factor of shape (n,), got {jnp.shape(u0)}")
        w0 = u0[:, None] if layout == "coordinate" else u0[None, :]
        self.weight = check_parameterization(parameterization).make_weight(w0, key=key)
        self.layout = layout

    def __call__(self) -> Float[Array, " n"]:
        return self.weight().reshape(-1)


class DiagonalNetwork(eqx.Module):
    """Depth-2 diagonal linear network x = u ⊙ u − v ⊙ v, from u₀ = v₀ = α·1 (x₀ = 0).

    ``__call__``: one example a ``(n,)`` → the scalar ⟨x, a⟩ (vmap over the rows of a matrix).
    ``alpha`` may be a traced scalar (e.g. when a grid of networks is built under ``jax.vmap``).
    """

    u: DiagonalFactor
    v: DiagonalFactor
    size: int = eqx.field(static=True)

    def __init__(
        self,
        size: int,
        alpha: float | Scalar,
        parameterization: AbstractParameterization = Plain(),
        *,
        layout: str = "coordinate",
        key: PRNGKeyArray,
    ):
        self.size = check_size("size", size)
        if isinstance(alpha, numbers.Real):
            check.positive_number("alpha", alpha)
        ukey, vkey = jax.random.split(key)
        u0 = alpha * jnp.ones((size,))
        self.u = DiagonalFactor(u0, parameterization, layout=layout, key=ukey)
        self.v = DiagonalFactor(u0, parameterization, layout=layout, key=vkey)

    def effective_vector(self) -> Float[Array, " n"]:
        """x = u ⊙ u − v ⊙ v."""
        u, v = self.u(), self.v()
        return u * u - v * v

    def __call__(self, a: Float[Array, " n"]) -> Scalar:
        if a.shape != (self.size,):
            raise ValueError(f"DiagonalNetwork expects one example of shape ({self.size},), got {a.shape}")
        return jnp.dot(self.effective_vector(), a)

    def factor_kernel_norm(self) -> Scalar:
        """κ = λ_max(J Jᵀ), J = ∂(u, v)/∂θ over the trainable arrays θ (the factors' tangent kernel).

        A gradient step of size η on θ moves (u, v) by −η J Jᵀ ∇_(u,v) L + O(η²); κ is how much
        larger that move is, in its stiffest direction, than a step of size η on (u, v) directly.
        κ = 1 for ``Plain`` and, at initialisation, for ``WeightNorm`` (g = ‖w‖); κ = max_i
        (exp(2 s_i) + u_i²) for per-coordinate ``RWF`` (rwf_paper Theorem 2's self-adaptive rate).
        """
        params, static = eqx.partition(self, eqx.is_array)
        flat, unravel = ravel_pytree(params)

        def factors(p):
            net = eqx.combine(unravel(p), static)
            return jnp.concatenate([net.u(), net.v()])

        jac = jax.jacfwd(factors)(flat)
        return jnp.linalg.svd(jac, compute_uv=False)[0] ** 2  # λ_max(J Jᵀ) = σ_max(J)²
