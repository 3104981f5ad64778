"""SOAP (Vyas et al. 2024, arXiv 2409.11321): Adam run in the eigenbasis of Shampoo's preconditioner.

For a weight matrix W (m × n) with gradient G, SOAP keeps Shampoo's two preconditioners
L ≈ E[G Gᵀ] (m × m) and R ≈ E[Gᵀ G] (n × n), their eigenbases Q_L, Q_R, and runs Adam on the
rotated gradient G' = Q_Lᵀ G Q_R (the paper's Algorithm 3):

    M ← β₁ M + (1 − β₁) G,        M' = Q_Lᵀ M Q_R            (first moment, original basis)
    V ← β₂ V + (1 − β₂) G' ⊙ G'                               (second moment, rotated basis)
    N = Q_L [M̂' / (√V̂ + ε)] Q_Rᵀ                              (M̂, V̂: Adam's bias corrections)
    L ← β_s L + (1 − β_s) G Gᵀ,   R ← β_s R + (1 − β_s) Gᵀ G
    every k steps: Q ← QR(P Q) for (P, Q) = (L, Q_L), (R, Q_R)   (one power iteration)

A parameter with more than two axes gets one preconditioner per axis (Gᵢ Gᵢᵀ contracting every
other axis), as in the reference code. The choices made here, and where they differ from it:

- The first update initialises the preconditioners from the first gradient and their bases by
  ``eigh`` (columns by decreasing eigenvalue) and returns a zero update, as the reference code
  does ("so that we never use the current gradients in the projection"); Adam's step count and
  bias corrections start with the second update.
- Refresh every ``precondition_frequency`` updates (default 10): the columns of Q are sorted by
  the estimated eigenvalues diag(Qᵀ P Q), V's axis permuted with them, then one power-iteration
  step and a QR decomposition (reference ``get_orthogonal_matrix_QR``).
- An axis longer than ``max_precond_dim`` (default 10000) is not preconditioned (identity basis).
- Parameters with fewer than two axes (biases, RWF scales s, gates) are handled as Adam
  (identity basis; the reference default ``precondition_1d=False``). Small axes are not merged
  (the reference default ``merge_dims=False``).
- β₁ = β₂ = 0.95 by default (the paper's); β_s (``shampoo_beta``) defaults to β₂, ε = 1e-8.
  ε is added to √V̂, as in ``optax.adam`` (the reference adds it to √V before the bias
  correction): with no axis preconditioned SOAP is ``optax.adam`` one update late (to float round-off).
- No weight decay, no gradient normalisation (the reference's ``normalize_grads=False``).

The state is a pytree of arrays (vmappable, checkpointed like any optimizer state). The "every k
steps" and "first step" branches are a ``lax.switch`` on the step count in the state; under
``jax.vmap`` (an ensemble of members in step) each branch still runs only when some member takes
it (see :func:`_switch_in_step`), so the QR and ``eigh`` run only when due.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax.custom_batching import custom_vmap
from jaxtyping import Array

from pinnrwf import _validation as check

# one (d, d) matrix per axis of a parameter, or None for an axis that is not preconditioned
Matrices = tuple[Array | None, ...]


class ScaleBySoapState(NamedTuple):
    """``count``: updates made (int32); ``mu``: first moment (original basis); ``nu``: second
    moment (rotated basis); ``preconditioners`` / ``bases``: per parameter, a tuple over its axes
    of the (d, d) EMA of G Gᵀ along that axis and its orthogonal eigenbasis (None: identity)."""

    count: Array
    mu: optax.Updates
    nu: optax.Updates
    preconditioners: optax.Updates
    bases: optax.Updates


def check_soap_hyperparameters(b1, b2, shampoo_beta, eps, precondition_frequency, max_precond_dim) -> None:
    """One-line ``ValueError`` naming the first bad hyper-parameter."""
    for name, beta in (("b1", b1), ("b2", b2), ("shampoo_beta", shampoo_beta)):
        if beta is None and name == "shampoo_beta":
            continue
        if not 0 <= check.finite_number(name, beta) < 1:
            raise ValueError(f"{name} must be in [0, 1){' or None' if name == 'shampoo_beta' else ''}, got {beta!r}")
    check.positive_number("eps", eps)
    check.positive_int("precondition_frequency", precondition_frequency)
    check.positive_int("max_precond_dim", max_precond_dim)


def scale_by_soap(
    b1: float = 0.95,
    b2: float = 0.95,
    shampoo_beta: float | None = None,
    eps: float = 1e-8,
    precondition_frequency: int = 10,
    max_precond_dim: int = 10000,
) -> optax.GradientTransformation:
    """SOAP's preconditioning (see the module docstring); chain a learning rate after it."""
    check_soap_hyperparameters(b1, b2, shampoo_beta, eps, precondition_frequency, max_precond_dim)
    beta_s = b2 if shampoo_beta is None else shampoo_beta

    def axes(x) -> tuple[bool, ...]:
        return tuple(x.ndim >= 2 and d <= max_precond_dim for d in x.shape)

    def init(params):
        def matrices(x, fill):
            return tuple(fill(d, x.dtype) if on else None for d, on in zip(x.shape, axes(x)))

        return ScaleBySoapState(
            count=jnp.zeros([], jnp.int32),
            mu=optax.tree.zeros_like(params),
            nu=optax.tree.zeros_like(params),
            preconditioners=jax.tree.map(lambda x: matrices(x, lambda d, t: jnp.zeros((d, d), t)), params),
            bases=jax.tree.map(lambda x: matrices(x, lambda d, t: jnp.eye(d, dtype=t)), params),
        )

    def update(updates, state, params=None):
        del params
        count = state.count
        first = count == 0
        step = jnp.maximum(count, 1)  # Adam's step number (the first update makes none)
        grads, treedef = jax.tree.flatten(updates)
        mus, nus = treedef.flatten_up_to(state.mu), treedef.flatten_up_to(state.nu)
        pres, qs = treedef.flatten_up_to(state.preconditioners), treedef.flatten_up_to(state.bases)

        out, new_mus, new_nus, new_pres = [], [], [], []
        for g, mu, nu, pre, q in zip(grads, mus, nus, pres, qs):
            mu_new = (1 - b1) * g + b1 * mu
            g_rot = _rotate(g, q)
            nu_new = (1 - b2) * g_rot**2 + b2 * nu
            mu_hat = optax.tree.bias_correction(_rotate(mu_new, q), b1, step)
            nu_hat = optax.tree.bias_correction(nu_new, b2, step)
            n = _rotate(mu_hat / (jnp.sqrt(nu_hat) + eps), q, back=True)
            out.append(jnp.where(first, jnp.zeros_like(n), n))
            new_mus.append(jnp.where(first, mu, mu_new))
            new_nus.append(jnp.where(first, nu, nu_new))
            new_pres.append(
                tuple(None if p is None else beta_s * p + (1 - beta_s) * _outer(g, i) for i, p in enumerate(pre))
            )

        branch = jnp.where(first, 0, jnp.where(count % precondition_frequency == 0, 1, 2))
        new_qs, new_nus = _switch_in_step(branch, (_eigenbases, _refresh, _keep), new_pres, qs, new_nus)
        return treedef.unflatten(out), ScaleBySoapState(
            count=optax.safe_increment(count),
            mu=treedef.unflatten(new_mus),
            nu=treedef.unflatten(new_nus),
            preconditioners=treedef.unflatten(new_pres),
            bases=treedef.unflatten(new_qs),
        )

    return optax.GradientTransformation(init, update)


def soap(
    learning_rate: optax.ScalarOrSchedule,
    b1: float = 0.95,
    b2: float = 0.95,
    shampoo_beta: float | None = None,
    eps: float = 1e-8,
    precondition_frequency: int = 10,
    max_precond_dim: int = 10000,
) -> optax.GradientTransformation:
    """SOAP with a learning rate (a number or an ``optax`` schedule): ``optax.adam``'s shape."""
    return optax.chain(
        scale_by_soap(b1, b2, shampoo_beta, eps, precondition_frequency, max_precond_dim),
        optax.scale_by_learning_rate(learning_rate),
    )


# --------------------------------------------------------------------------------- the bases
def _rotate(x: Array, bases: Matrices, *, back: bool = False) -> Array:
    """x ×ᵢ Qᵢᵀ along every preconditioned axis i (``back``: x ×ᵢ Qᵢ); for a matrix, Q_Lᵀ X Q_R."""
    for i, q in enumerate(bases):
        if q is not None:
            x = jnp.moveaxis(jnp.tensordot(x, q, axes=(i, 1 if back else 0)), -1, i)
    return x


def _outer(g: Array, axis: int) -> Array:
    """G Gᵀ along ``axis``: the (d, d) contraction of g with itself over every other axis."""
    others = [j for j in range(g.ndim) if j != axis]
    return jnp.tensordot(g, g, axes=(others, others))


def _eigenbases(pres, qs, nus):
    """The first bases: eigenvectors by ``eigh``, by decreasing eigenvalue."""
    new_qs = [tuple(None if p is None else jnp.linalg.eigh(p)[1][:, ::-1] for p in pre) for pre in pres]
    return new_qs, nus


def _refresh(pres, qs, nus):
    """Sort each basis by its estimated eigenvalues (V's axis permuted with it), then one power
    iteration and a QR decomposition (the paper's §4; reference ``get_orthogonal_matrix_QR``)."""
    new_qs, new_nus = [], []
    for pre, q_axes, nu in zip(pres, qs, nus):
        fresh = []
        for i, (p, q) in enumerate(zip(pre, q_axes)):
            if p is None:
                fresh.append(None)
                continue
            order = jnp.argsort(-jnp.einsum("ij,ik,kj->j", q, p, q))  # diag(Qᵀ P Q), decreasing
            q = q[:, order]
            nu = jnp.take(nu, order, axis=i)
            fresh.append(jnp.linalg.qr(p @ q)[0])
        new_qs.append(tuple(fresh))
        new_nus.append(nu)
    return new_qs, new_nus


def _keep(pres, qs, nus):
    return list(qs), list(nus)


def _switch_in_step(index: Array, branches: Sequence[Callable], *operands):
    """``lax.switch(index, branches, *operands)`` that, under ``jax.vmap`` with a batched index,
    runs each branch only when some member takes it.

    ``lax.switch`` with a batched index becomes a select over every branch's result, so each
    step would pay for a QR and an ``eigh`` of every preconditioner. The batched rule here runs
    the vmapped branch b under ``lax.cond(any(index == b))`` and keeps its result for the members
    with index b: an ensemble in step (always, in ``pinnrwf.train.fit``) runs one branch.
    """

    @custom_vmap
    def switch(index, *operands):
        return jax.lax.switch(index, branches, *operands)

    @switch.def_vmap
    def batched(axis_size, in_batched, index, *operands):
        index_batched, *operands_batched = in_batched

        def broadcast(x, batched):
            return x if batched else jnp.broadcast_to(x, (axis_size, *jnp.shape(x)))

        operands = [jax.tree.map(broadcast, op, b) for op, b in zip(operands, operands_batched)]
        index = broadcast(index, index_batched)
        out = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), jax.eval_shape(jax.vmap(branches[0]), *operands))
        for b, branch in enumerate(branches):
            take = index == b

            def run(out, branch=branch, take=take):
                new = jax.vmap(branch)(*operands)
                return jax.tree.map(lambda n, o: jnp.where(take.reshape(-1, *[1] * (n.ndim - 1)), n, o), new, out)

            out = jax.lax.cond(jnp.any(take), run, lambda out: out, out)
        return out, jax.tree.map(lambda _: True, out)

    return switch(index, *operands)
