"""Derivatives of a vector-valued function of one point, all outputs sharing one forward pass.

A *multi-index* is a sorted tuple of coordinate indices: ``()`` is the value, ``(1,)`` is ∂/∂x₁,
``(0, 0)`` is ∂²/∂x₀². :class:`DerivativePlan` is built once (at definition time) from the
multi-indices a residual requests and evaluates them all with one ``vmap`` of nested ``jax.jvp``:
a depth-K nested jvp along directions (e₁, …, e_K) yields, for every subset S of the directions,
the mixed derivative ∂_S f, so every lower-order request contained in a top-order one comes for
free; the primal f(x) is not batched and is evaluated once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

MultiIndex = tuple[int, ...]


def _nested_jvp(f: Callable, x: Array, directions: Array) -> Array:
    """All 2^K mixed directional derivatives of ``f`` at ``x``; row ``mask`` differentiates along
    the directions whose bit is set in ``mask``. ``directions``: (K, d) -> (2^K, n_out)."""
    k = directions.shape[0]
    if k == 0:
        return f(x)[None]

    def inner(y):
        return _nested_jvp(f, y, directions[:-1])

    primal, tangent = jax.jvp(inner, (x,), (directions[-1],))
    return jnp.concatenate([primal, tangent], axis=0)


class DerivativePlan:
    """Which nested-jvp passes compute a fixed set of multi-indices (static; hashable).

    First-order-only plans of a function with fewer outputs than requested directions use
    reverse mode instead (one vjp per output), which costs less than one jvp per direction.

    Args:
        multi_indices: the requested derivatives (any order; ``()`` is always available).
        num_coords: d, the length of the input point.
    """

    def __init__(self, multi_indices: Iterable[MultiIndex], num_coords: int):
        requests = sorted({tuple(sorted(m)) for m in multi_indices} | {()}, key=lambda m: (-len(m), m))
        for m in requests:
            if any(not 0 <= i < num_coords for i in m):
                raise ValueError(f"multi-index {m} refers to a coordinate outside 0..{num_coords - 1}")
        self.num_coords = num_coords
        self.order = max(len(m) for m in requests)
        tuples: list[MultiIndex] = []  # one direction tuple (padded with -1 = zero vector) per pass
        lookup: dict[MultiIndex, tuple[int, int]] = {}
        for m in requests:
            if m in lookup:
                continue
            t = len(tuples)
            tuples.append(m + (-1,) * (self.order - len(m)))
            for mask in range(2**self.order):
                bits = [i for i in range(self.order) if mask >> i & 1]
                if any(tuples[t][i] < 0 for i in bits):
                    continue
                lookup.setdefault(tuple(sorted(tuples[t][i] for i in bits)), (t, mask))
        self.tuples = tuple(tuples)
        self.lookup = lookup
        eye = np.eye(num_coords)
        zero = np.zeros(num_coords)
        self._directions = np.array(
            [[eye[i] if i >= 0 else zero for i in t] for t in tuples]
        ).reshape(len(tuples), self.order, num_coords)

    @property
    def num_passes(self) -> int:
        """Number of batched direction tuples (the primal is shared by all of them)."""
        return len(self.tuples)

    def __call__(self, f: Callable, x: Float[Array, " d"]) -> dict[MultiIndex, Float[Array, " n"]]:
        """Evaluate ``f: (d,) -> (n,)`` and its requested derivatives at one point ``x``."""
        if x.shape != (self.num_coords,):
            raise ValueError(f"point must have shape ({self.num_coords},), got {x.shape}")
        if self.order == 0:
            return {(): f(x)}
        if self.order == 1:
            firsts = sorted(m[0] for m in self.lookup if len(m) == 1)
            n_out = jax.eval_shape(f, x).shape[0]
            if n_out < len(firsts):
                return self._reverse(f, x, firsts, n_out)
        directions = jnp.asarray(self._directions, dtype=x.dtype)
        out = jax.vmap(lambda dirs: _nested_jvp(f, x, dirs))(directions)  # (P, 2^K, n)
        return {m: out[t, mask] for m, (t, mask) in self.lookup.items()}

    @staticmethod
    def _reverse(f, x, firsts, n_out):
        """First derivatives by reverse mode: one primal and one vjp per output, cheaper than a
        jvp per direction when there are fewer outputs than directions (e.g. u_x and u_t of a
        scalar field; measured 2x faster on XLA:CPU than batched forward mode)."""
        y, pullback = jax.vjp(f, x)
        if n_out == 1:
            jac = pullback(jnp.ones_like(y))[0][None]
        else:
            jac = jax.vmap(lambda ct: pullback(ct)[0])(jnp.eye(n_out, dtype=y.dtype))  # (n_out, d)
        return {(): y, **{(i,): jac[:, i] for i in firsts}}

    def __repr__(self):
        return f"DerivativePlan(order={self.order}, passes={self.tuples})"


def all_multi_indices(num_coords: int, order: int) -> list[MultiIndex]:
    """Every multi-index of total order ≤ ``order`` (for tests and exhaustive plans)."""
    return [m for k in range(order + 1) for m in itertools.combinations_with_replacement(range(num_coords), k)]
