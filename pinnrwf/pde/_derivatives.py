"""Derivatives of a vector-valued function of one point, all outputs sharing one forward pass.

A *multi-index* is a sorted tuple of coordinate indices: ``()`` is the value, ``(1,)`` is ∂/∂x₁,
``(0, 0)`` is ∂²/∂x₀². :class:`DerivativePlan` is built once (at definition time) from the
multi-indices a residual requests and evaluates them all with one ``vmap`` of nested ``jax.jvp``:
a depth-K nested jvp along directions (e₁, …, e_K) yields, for every subset S of the directions,
the mixed derivative ∂_S f, so every lower-order request contained in a top-order one comes for
free; the primal f(x) is not batched and is evaluated once.

A plan has a *mode* (shown by ``repr``): ``"forward"`` (the nested jvps above), ``"reverse"``
(first-order plans with fewer outputs than directions: one vjp per output) or ``"directional"``
(one jvp along a direction given at run time, :meth:`DerivativePlan.along`: for residuals affine in
the first derivatives of one field with point-independent coefficients, e.g. advection
u_t + c·u_x = D_a u with a = (c, 1); the :class:`~pinnrwf.pde.Equation` detects that form).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import Literal
from jaxtyping import Array, Float

MultiIndex = tuple[int, ...]
MODES = ("auto", "reverse", "forward", "directional")


def used_inputs(jaxpr, outputs: Iterable[int]) -> list[bool]:
    """Which of ``jaxpr``'s inputs the chosen ``outputs`` depend on (a backward dead-code walk).

    Conservative: an equation with any live output counts all its inputs (including those of
    nested jaxprs) as live, so a ``False`` is certain and a ``True`` may be spurious. ``jaxpr`` is
    a ``jax.extend.core.Jaxpr`` (``jax.make_jaxpr(fn)(*args).jaxpr``); returns one flag per
    flattened input, in order.
    """
    live = {id(v) for i, v in enumerate(jaxpr.outvars) if i in set(outputs) and _is_var(v)}
    for eqn in reversed(jaxpr.eqns):
        if any(id(v) in live for v in eqn.outvars):
            live.update(id(v) for v in eqn.invars if _is_var(v))
    return [id(v) in live for v in jaxpr.invars]


def _is_var(v) -> bool:
    return not isinstance(v, Literal)


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
        num_outputs: n, the length of ``f(x)`` if known now; with ``mode="auto"`` it lets the plan
            choose reverse or forward mode at construction (else at each call, and ``mode`` stays
            ``"auto"``).
        mode: ``"auto"``, or force ``"forward"``, ``"reverse"`` (first-order plans only) or
            ``"directional"`` (first-order plans only; evaluate with :meth:`along`, the caller
            vouching that one directional derivative is all it needs).
    """

    def __init__(
        self,
        multi_indices: Iterable[MultiIndex],
        num_coords: int,
        *,
        num_outputs: int | None = None,
        mode: str = "auto",
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if num_outputs is not None and (
            isinstance(num_outputs, bool) or not isinstance(num_outputs, int) or num_outputs < 1
        ):
            raise ValueError(f"num_outputs must be a positive int or None, got {num_outputs!r}")
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
        self._directions = np.array([[eye[i] if i >= 0 else zero for i in t] for t in tuples]).reshape(
            len(tuples), self.order, num_coords
        )
        self.firsts = tuple(sorted(m[0] for m in self.lookup if len(m) == 1))
        self.mode = self._resolve_mode(mode, num_outputs)

    def _resolve_mode(self, mode: str, num_outputs: int | None) -> str:
        """The mode this plan runs: forced modes checked against the order, ``"auto"`` resolved
        when the output size is known (reverse iff first order with fewer outputs than directions)."""
        if mode in ("reverse", "directional") and self.order > 1:
            raise ValueError(f"mode={mode!r} needs first derivatives only, but the plan has order {self.order}")
        if mode != "auto":
            return mode
        if self.order == 0:
            return "forward"
        if num_outputs is None:
            return "auto"
        return "reverse" if self.order == 1 and num_outputs < len(self.firsts) else "forward"

    @property
    def num_passes(self) -> int:
        """Number of batched direction tuples (the primal is shared by all of them)."""
        return len(self.tuples)

    def __call__(self, f: Callable, x: Float[Array, " d"]) -> dict[MultiIndex, Float[Array, " n"]]:
        """Evaluate ``f: (d,) -> (n,)`` and its requested derivatives at one point ``x``."""
        self._check_point(x)
        if self.mode == "directional":
            raise ValueError("a directional plan gives one directional derivative: call plan.along(f, x, direction)")
        if self.order == 0:
            return {(): f(x)}
        if self.mode != "forward" and self.order == 1:
            n_out = jax.eval_shape(f, x).shape[0]
            if self.mode == "reverse" or n_out < len(self.firsts):
                return self._reverse(f, x, self.firsts, n_out)
        directions = jnp.asarray(self._directions, dtype=x.dtype)
        out = jax.vmap(lambda dirs: _nested_jvp(f, x, dirs))(directions)  # (P, 2^K, n)
        return {m: out[t, mask] for m, (t, mask) in self.lookup.items()}

    def along(self, f: Callable, x: Float[Array, " d"], direction: Float[Array, " d"]):
        """``f(x)`` and the directional derivative D_a f(x) = Σ_i a_i ∂_i f(x) from ONE ``jax.jvp``.

        ``f: (d,) -> (n,)``, ``x`` and ``direction`` a: shape (d,); returns (f(x), D_a f(x)), both (n,).
        The direction may depend on traced values (e.g. an equation parameter under a curriculum).
        """
        self._check_point(x)
        direction = jnp.asarray(direction, x.dtype)
        if direction.shape != x.shape:
            raise ValueError(f"direction must have shape {x.shape}, got {direction.shape}")
        return jax.jvp(f, (x,), (direction,))

    def _check_point(self, x):
        if x.shape != (self.num_coords,):
            raise ValueError(f"point must have shape ({self.num_coords},), got {x.shape}")

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
        return f"DerivativePlan(mode={self.mode!r}, order={self.order}, passes={self.tuples})"


def all_multi_indices(num_coords: int, order: int) -> list[MultiIndex]:
    """Every multi-index of total order ≤ ``order`` (for tests and exhaustive plans)."""
    return [m for k in range(order + 1) for m in itertools.combinations_with_replacement(range(num_coords), k)]
