"""Weight modules: each holds trainable variables and returns the effective ``(out, in)`` matrix.

One family, one interface (``AbstractWeight.__call__() -> W``); a ``Linear`` layer knows nothing
about which weight module it holds.
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import one_of


class AbstractWeight(eqx.Module):
    """A trainable parameterization of a dense weight matrix."""

    @abc.abstractmethod
    def __call__(self) -> Float[Array, "out in"]:
        """The effective weight matrix W, shape ``(out, in)``."""


class DenseWeight(AbstractWeight):
    """W itself is trainable (plain layer)."""

    w: Float[Array, "out in"]

    def __call__(self):
        return self.w


class FactorizedWeight(AbstractWeight):
    """Random weight factorization, rwf_paper eq. 2.3–2.4 and Algorithm 1.

    ``exponential=True``:  W = diag(exp(s)) · V   (the paper's RWF)
    ``exponential=False``: W = diag(s) · V        (the ablation of App. D; Theorem 2's form)

    s has shape ``(out,)`` (one scale per output neuron), V shape ``(out, in)``.
    """

    s: Float[Array, " out"]
    v: Float[Array, "out in"]
    exponential: bool = eqx.field(static=True, default=True)

    def scale(self) -> Float[Array, " out"]:
        return jnp.exp(self.s) if self.exponential else self.s

    def __call__(self):
        return self.scale()[:, None] * self.v


class NormalizedWeight(AbstractWeight):
    """Weight normalization (Salimans & Kingma 2016), rwf_paper eq. 2.9: w_k = g_k · v_k / ‖v_k‖.

    One g per output neuron (row k of W).
    """

    g: Float[Array, " out"]
    v: Float[Array, "out in"]

    def __call__(self):
        norm = jnp.sqrt(jnp.sum(self.v**2, axis=1))
        return (self.g / norm)[:, None] * self.v


class ScaledWeight(AbstractWeight):
    """SIREN's scaling, rwf_paper eq. 2.10: W = ω0 · Ŵ with a fixed (non-trainable) ω0."""

    w_hat: Float[Array, "out in"]
    omega0: float = eqx.field(static=True, default=30.0)

    def __call__(self):
        return self.omega0 * self.w_hat


def row_equilibrate(a: Float[Array, "m n"]) -> Float[Array, "m n"]:
    """E·A with E = diag(1/‖A_i:‖₂): every row of A scaled to unit 2-norm (weight_conditioning §4)."""
    return a / jnp.sqrt(jnp.sum(a**2, axis=1, keepdims=True))


def column_equilibrate(a: Float[Array, "m n"]) -> Float[Array, "m n"]:
    """A·E with E = diag(1/‖A_:j‖₂): every column of A scaled to unit 2-norm."""
    return a / jnp.sqrt(jnp.sum(a**2, axis=0, keepdims=True))


class EquilibratedWeight(AbstractWeight):
    """Equilibrated weight conditioning (weight_conditioning_paper §4–5, eq. 16).

    The paper writes a layer as φ((P W_p)ᵀ x + b) with W_p ∈ R^{n_in × n_out}, i.e. W_p is the
    *transpose* of our ``(out, in)`` matrix, and its row-equilibrator E ∈ R^{n_in × n_in} scales
    the rows of W_p. We store w = W_pᵀ with shape ``(out, in)`` and return the effective weight
    (E(W_p) W_p)ᵀ, recomputing the equilibrator from the current w in every forward pass:

    - ``"row"``:  rows of W_p (= columns of w, one per *input* neuron) scaled to unit norm.
    - ``"col"``:  columns of W_p (= rows of w, one per *output* neuron) scaled to unit norm.
    - ``"both"``: row then column equilibration of W_p (double-sided).

    Gradients flow through the equilibrator (it is a function of w, not a stop-gradient
    constant), so the layer is a reparameterization invariant to the scale of each row/column.
    """

    w: Float[Array, "out in"]
    mode: str = eqx.field(static=True, default="row")

    def __check_init__(self):
        one_of("mode", self.mode, ("row", "col", "both"))

    def __call__(self):
        w_paper = self.w.T  # (in, out): the paper's orientation
        if self.mode in ("row", "both"):
            w_paper = row_equilibrate(w_paper)
        if self.mode in ("col", "both"):
            w_paper = column_equilibrate(w_paper)
        return w_paper.T
